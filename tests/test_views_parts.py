"""Studies and modules on the dashboard (issue 12, item 1), driven from Python as the browser
does: add, rename, answer, remove; each part's own questions and result; the saved file is
the parameters/ format and resumes with the parts."""
from pathlib import Path

import sivreg
from sivreg.views.questionnaire import Questionnaire

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-26"


def study_entry(q, sid):
    return next(s for s in q.assessment.to_dict()["outcomes"]["clinical_investigation"]["studies"] if s["id"] == sid)


def test_a_study_added_on_the_page_asks_its_route_questions_and_shows_its_result(tmp_path):
    q = Questionnaire(sivreg.load(ROOT / "parameters" / "sepsis-icu.yaml"), lang="nb", as_of=AS_OF)
    assert [p.id for p in q.studies.parts] == ["retro-intensiv", "arbeidsflyt"]
    sid = q.studies.add("Prospektiv pilot")
    asked = []
    answers = {"ci.design": "prospective", "ci.ce_marked": "no", "ci.purpose": "conformity"}
    for _ in range(10):
        need = q.studies.needed(sid, q.assessment.to_dict())
        if not need:
            break
        asked.append(need[0])
        q.studies.answer(sid, need[0], answers.get(need[0], "no"))
    assert asked[0] == "ci.design" and "ci.within_purpose" not in asked  # only what the route needs
    entry = study_entry(q, sid)
    assert entry["value"] == "art_62_application" and entry["submission"] == "application"
    box = q.studies.list.children[-1]
    assert "art. 62" in box.children[1].value and "DMP" in box.children[1].value
    # a study question is asked in the study, not at the top of the page
    assert not any(q.book.questions[x].place == "study" for x in q.needed)
    # rename and remove
    q.studies.rename(sid, "Pilot på intensiv")
    assert next(p for p in q.studies.parts if p.id == sid).title == "Pilot på intensiv"
    saved = tmp_path / "s.yaml"
    saved.write_text(q.saved_yaml(), encoding="utf-8")
    again = sivreg.load(saved)
    assert [s.id for s in again.studies] == ["retro-intensiv", "arbeidsflyt", sid]
    assert again.studies[-1].answers.to_dict() == {"ci.design": "prospective", "ci.ce_marked": "no",
                                                   "ci.purpose": "conformity"}
    q.studies.remove(sid)
    assert [p.id for p in q.studies.parts] == ["retro-intensiv", "arbeidsflyt"]
    fresh = Questionnaire(lang="nb", as_of=AS_OF)
    assert fresh.load_text(saved.read_text(encoding="utf-8"), "s.yaml")
    assert [p.id for p in fresh.studies.parts] == ["retro-intensiv", "arbeidsflyt", sid]


def test_modules_on_the_page_show_the_strictest_as_deciding():
    q = Questionnaire(sivreg.load(ROOT / "parameters" / "sepsis-icu.yaml"), lang="nb", as_of=AS_OF)
    a = q.modules.add("Varsling")
    b = q.modules.add("Visning av måleverdier")
    # the display module only shows data: a lower class than the alert module
    q.modules.answer(b, "mdr.r11a_subrule", "other")
    q.modules.answer(b, "mdr.imdrf_significance", "inform")
    q.modules.answer(b, "mdr.imdrf_situation", "non_serious")
    d = q.assessment.to_dict()
    classes = {m["id"]: m["value"] for m in d["outcomes"]["device_class"]["modules"]}
    assert classes[a] == "IIb" and classes[b] != "IIb"
    assert d["outcomes"]["device_class"]["value"] == "IIb"
    html = {p: box.children[1].value for p, box in zip([a, b], q.modules.list.children)}
    assert q.book.text("ui.module_deciding", "nb") in html[a]
    assert q.book.text("ui.module_deciding", "nb") not in html[b]
    assert [m.id for m in sivreg.loads(q.saved_yaml()).modules] == [a, b]
