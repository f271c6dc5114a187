"""The questionnaire driven in Python, as the browser drives it: set `.value` on the widgets
and check the next question, the verdicts, the saved answers file and resume."""
from __future__ import annotations

import ast
import base64
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

import sivreg
from sivreg.catalogue import UNKNOWN
from sivreg.model import Answers, Project
from sivreg.render.html import esc, verdict_text
from sivreg.views import Questionnaire

from conftest import ROOT

AS_OF = "2026-11-26"
EXAMPLES = ROOT / "parameters"


def click(q: Questionnaire, qid: str, value) -> None:
    """Answer a question through its widget, the way a click does."""
    f = q.field(qid)
    if f.question.type in ("bool", "enum"):
        f.input.value = value
    elif f.question.type == "multi":
        for v in (value if isinstance(value, list) else [value]):
            f.checkboxes[v].value = True
    else:
        if value == UNKNOWN:
            f.checkboxes[UNKNOWN].value = True
        else:
            f.text.value = str(value)


def answer_like(q: Questionnaire, answers: dict) -> dict:
    """Answer what the questionnaire asks, from an answers dict ("Vet ikke" when absent)."""
    given = {}
    while q.next_question:
        qid = q.next_question
        assert qid not in given, f"{qid} asked twice"
        # the questionnaire asks exactly what sivreg.next_question gives for the answers so far
        assert sivreg.next_question(q.project, as_of=AS_OF).id == qid
        click(q, qid, answers.get(qid, UNKNOWN))
        given[qid] = answers.get(qid, UNKNOWN)
    assert sivreg.next_question(q.project, as_of=AS_OF) is None
    return given


def values(assessment) -> dict:
    return {t: (o.status, o.value) for t, o in assessment.outcomes.items()}


def test_starts_with_the_first_question_of_the_engine():
    q = Questionnaire(lang="nb", as_of=AS_OF)
    empty = Project(id="x", title="", answers=Answers.of({}))
    assert q.next_question == sivreg.next_question(empty, as_of=AS_OF).id
    assert q.shown[0] == q.next_question
    f = q.field(q.next_question)
    assert "sv-next" in f.box._dom_classes
    # bool: Ja / Nei / Vet ikke, in bokmål by default
    assert [label for label, _ in f.input.options] == ["Ja", "Nei", "Vet ikke"]
    assert f.question.label["nb"] in f.label.value
    assert "Hvorfor spør vi?" in f.help.value  # the references, one click away


@pytest.mark.parametrize("name", ["sepsis-icu", "pathology-prostate", "wellness-chatbot"])
def test_answering_like_an_example_gives_its_verdicts(name):
    project = sivreg.load(EXAMPLES / f"{name}.yaml")
    q = Questionnaire(lang="nb", as_of=AS_OF)
    given = answer_like(q, project.answers.to_dict())
    cli = sivreg.assess(project, as_of=AS_OF, lang="nb")
    for topic in ("qualification", "regime", "device_class"):
        assert q.assessment.outcomes[topic].value == cli.outcomes[topic].value
    # the panel shows each verdict in plain words
    for topic, o in q.assessment.to_dict()["outcomes"].items():
        assert f'data-topic="{topic}">{esc(verdict_text(topic, o, "nb"))}</span>' in q.result.value
    assert q.answers == given
    # "Vet ikke" to a question that can still change a conclusion: never "all answered" (issue 9)
    d = q.assessment.to_dict()
    blocking = [p["question"] for p in d["open_points"] if p["answered_unknown"] and p["blocks"]]
    if blocking or any(o["status"] in ("depends", "indeterminate") for o in d["outcomes"].values()):
        assert "sv-all-answered" not in q.progress.value and "sv-not-finished" in q.progress.value
        assert all(q.book.questions[b].label["nb"] in "".join(
            c.children[0].value for c in q.open_points.children[1:]) for b in blocking)
    else:
        assert "sv-all-answered" in q.progress.value


def test_saved_yaml_loads_and_assesses_the_same(tmp_path):
    project = sivreg.load(EXAMPLES / "sepsis-icu.yaml")
    q = Questionnaire(lang="nb", as_of=AS_OF)
    q.title.value = "Sepsisvarsling"
    q.project_id.value = "sepsis-test"
    q.owner.value = "Intensiv"
    answer_like(q, project.answers.to_dict())
    text = q.saved_yaml()
    # the save link carries exactly this file
    href = re.search(r'href="data:application/x-yaml;charset=utf-8;base64,([^"]+)"', q.save_link.value).group(1)
    assert base64.b64decode(href).decode("utf-8") == text
    assert 'download="sepsis-test.yaml"' in q.save_link.value
    path = tmp_path / "saved.yaml"
    path.write_text(text, encoding="utf-8")
    loaded = sivreg.load(path)
    assert (loaded.id, loaded.title, loaded.owner, loaded.as_of) == ("sepsis-test", "Sepsisvarsling", "Intensiv", AS_OF)
    again = sivreg.assess(loaded, as_of=AS_OF, lang="nb")
    assert again.to_dict() == q.assessment.to_dict()
    assert values(again)["device_class"] == ("determined", "IIb")


def test_changing_an_earlier_answer_updates_the_verdict():
    project = sivreg.load(EXAMPLES / "sepsis-icu.yaml")
    q = Questionnaire(lang="en", as_of=AS_OF)
    answer_like(q, project.answers.to_dict())
    assert q.assessment.outcomes["qualification"].value == "mdsw"
    n = len(q.shown)
    click(q, "qual.medical_purpose", "no")
    assert q.assessment.outcomes["qualification"].value == "not_mdsw"
    assert q.assessment.outcomes["device_class"].value is None
    # the classification answers stay (they are the person's answers) but are marked unused
    assert "sv-unused" in q.field("mdr.r11a_subrule").box._dom_classes
    assert len(q.shown) >= n - 1
    click(q, "qual.medical_purpose", "yes")
    assert q.assessment.outcomes["device_class"].value == "IIb"
    assert "sv-answered" in q.field("mdr.r11a_subrule").box._dom_classes


def test_dont_know_is_an_answer_and_never_a_no():
    q = Questionnaire(lang="nb", as_of=AS_OF)
    first = q.next_question
    click(q, first, UNKNOWN)
    o = q.assessment.outcomes["qualification"]
    assert o.status == "indeterminate" and first in o.missing
    assert first not in q.needed  # not asked again
    assert "Vet ikke" in verdict_text("qualification", o.to_dict(), "nb")
    click(q, first, "yes")
    assert q.next_question != first


def test_multi_none_and_dont_know_exclude_other_choices():
    q = Questionnaire(lang="nb", as_of=AS_OF)
    qid = next(i for i, qq in sivreg.rulebook().questions.items() if qq.type == "multi"
               and "none" in qq.allowed_values())
    f = q.field(qid)
    other = next(v for v in f.checkboxes if v not in ("none", UNKNOWN))
    f.checkboxes[other].value = True
    assert q.answers[qid] == [other]
    f.checkboxes["none"].value = True
    assert q.answers[qid] == ["none"] and not f.checkboxes[other].value
    f.checkboxes[UNKNOWN].value = True
    assert q.answers[qid] == UNKNOWN and not f.checkboxes["none"].value
    f.checkboxes[UNKNOWN].value = False
    assert qid not in q.answers  # nothing ticked = not answered


def test_language_switch_keeps_the_answers():
    q = Questionnaire(lang="nb", as_of=AS_OF)
    click(q, "qual.is_software", "yes")
    q.lang_toggle.value = "en"
    assert q.lang == "en" and q.assessment.lang == "en"
    assert q.answers == {"qual.is_software": "yes"}
    f = q.field("qual.is_software")
    assert f.input.value == "yes"
    assert [label for label, _ in f.input.options] == ["Yes", "No", "Don't know"]
    assert "Why do we ask?" in f.help.value
    assert sivreg.rulebook().text("topic.qualification", "en") in q.result.value
    assert sivreg.rulebook().text("ui.app_title", "en") in q.heading.value


def _upload(q: Questionnaire, name: str, content: bytes) -> None:
    q.upload.value = ({"name": name, "type": "application/x-yaml", "size": len(content),
                       "content": memoryview(content), "last_modified": datetime.now(timezone.utc)},)


def test_resume_from_an_uploaded_file():
    q = Questionnaire(lang="nb", as_of=AS_OF)
    _upload(q, "sepsis-icu.yaml", (EXAMPLES / "sepsis-icu.yaml").read_bytes())
    assert "sv-ok" in q.upload_msg.value
    assert q.title.value == sivreg.load(EXAMPLES / "sepsis-icu.yaml").title
    assert q.project_id.value == "sepsis-icu"
    assert q.assessment.outcomes["device_class"].value == "IIb"
    assert q.upload.value == ()  # ready for the next file


@pytest.mark.parametrize("content, expect", [
    (b"project: {id: x, title: y}\nanswers:\n  qual.is_software: maybe\n", "qual.is_software"),
    (b"project: {id: x, title: y}\nanswerz: {}\n", "answerz"),
    (b"answers: [1, 2\n", "broken.yaml"),
    (b"\xff\xfe\x00binary", "UTF-8"),
    (b"", "broken.yaml"),
])
def test_a_bad_file_gives_a_clear_message_and_changes_nothing(content, expect):
    q = Questionnaire(lang="nb", as_of=AS_OF)
    click(q, "qual.is_software", "no")
    before = q.assessment.to_dict()
    _upload(q, "broken.yaml", content)
    assert "sv-error" in q.upload_msg.value and expect in q.upload_msg.value
    assert "Traceback" not in q.upload_msg.value
    assert q.answers == {"qual.is_software": "no"}
    assert q.assessment.to_dict() == before


def test_hostile_title_is_escaped_everywhere():
    q = Questionnaire(lang="nb", as_of=AS_OF)
    hostile = '<script>alert(1)</script><img src=x onerror="alert(2)">'
    q.title.value = hostile
    q.owner.value = "<b>owner</b>"
    assert "<script>" not in q.result.value and "&lt;script&gt;" in q.result.value
    report = q.report_html()
    assert "<script" not in report and "<img" not in report and "&lt;script&gt;" in report
    href = re.search(r'base64,([^"]+)"', q.report_link.value).group(1)
    assert base64.b64decode(href).decode("utf-8") == report
    assert sivreg.loads(q.saved_yaml()).title == hostile


def test_invalid_id_and_date_are_explained_not_saved():
    q = Questionnaire(lang="en", as_of=AS_OF)
    q.project_id.value = "my project / v2"
    assert "sv-error" in q.meta_error.value
    assert sivreg.loads(q.saved_yaml()).id == "my-project-v2"
    q.as_of_box.value = "26.11.2026"
    assert q.as_of == AS_OF and "YYYY-MM-DD" in q.meta_error.value
    q.as_of_box.value = "2027-01-01"
    assert q.as_of == "2027-01-01" and q.assessment.as_of == "2027-01-01"


def test_a_project_with_modules_keeps_them():
    project = sivreg.load(EXAMPLES / "ehr-renal-dosing.yaml")
    q = Questionnaire(project, lang="nb", as_of=AS_OF)
    # the modules are on the page (issue 12): one box each
    assert [p.id for p in q.modules.parts] == [m.id for m in project.modules]
    assert len(q.modules.list.children) == len(project.modules)
    assert sivreg.loads(q.saved_yaml()).modules == project.modules
    assert q.assessment.to_dict()["outcomes"]["device_class"] == \
        sivreg.assess(project, as_of=AS_OF, lang="nb").to_dict()["outcomes"]["device_class"]


def test_views_do_no_legal_reasoning():
    """Widgets never import the rules, and reach the engine only through the public API."""
    for path in (ROOT / "sivreg" / "views").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom):
                mod = (node.module or "")
                assert "rules" not in mod.split("."), f"{path.name} imports {mod}"
                assert mod.split(".")[-1] != "context", f"{path.name} imports {mod}"
            if isinstance(node, ast.Import):
                for alias in node.names:
                    assert "sivreg.rules" not in alias.name


def test_dont_know_on_the_quality_system_is_an_open_point_until_answered():
    """Issue 9: "Vet ikke" to inhouse.qms must not read as finished; the page names what it
    blocks and lets the person answer it, and the answer settles the conformity route."""
    src = sivreg.load(EXAMPLES / "liver-segmentation-inhouse.yaml").answers.to_dict()
    src["inhouse.qms"] = UNKNOWN
    q = Questionnaire(lang="nb", as_of=AS_OF)
    answer_like(q, src)
    d = q.assessment.to_dict()
    assert d["outcomes"]["conformity"]["status"] == "depends"
    assert "sv-all-answered" not in q.progress.value and "sv-not-finished" in q.progress.value
    points = "".join(c.children[0].value for c in q.open_points.children[1:])
    assert q.book.questions["inhouse.qms"].label["nb"] in points
    assert q.book.text("topic.conformity", "nb") in points
    q.focus("inhouse.qms")
    assert q.next_question == "inhouse.qms"
    click(q, "inhouse.qms", "yes")
    assert q.assessment.outcomes["conformity"].value == "in_house_exemption"
    left = "".join(c.children[0].value for c in q.open_points.children[1:])
    assert q.book.questions["inhouse.qms"].label["nb"] not in left
