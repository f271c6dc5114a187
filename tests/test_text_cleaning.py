"""Bidirectional controls and invisible characters (issue 12, item 6): removed from every free
text on input (answers files, uploads, the dashboard's fields), noted in the assessment, and
absent from every output: JSON, Markdown, the HTML report, the portfolio's summary page, XLSX
and CSV."""
from __future__ import annotations

import json
import re
import zipfile

import pytest

import sivreg
from sivreg.portfolio import run_portfolio
from sivreg.render import to_markdown
from sivreg.render.html import panel_html, to_html
from sivreg.textclean import clean, for_terminal

from portfolio_helpers import AS_OF, EXAMPLES

# U+202E (right-to-left override), isolates, marks, zero-width space/joiner, BOM, a tag char
TRICKS = ["\u202e", "\u202d", "\u2066", "\u2069", "\u200f", "\u200b", "\u200d", "\ufeff", "\U000e0041", "\u061c"]
INVISIBLE = re.compile("[\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\U000e0000-\U000e007f]")
TITLE = "Rapport \u202egpj.exe"  # shows as "Rapport exe.jpg"


def _hostile_file() -> str:
    """The sepsis example with tricks in the title, owner, description, a text answer and a
    module and study title."""
    p = sivreg.load(EXAMPLES / "ed-triage.yaml")
    d = p.to_dict()
    d["project"]["title"] = TITLE
    d["project"]["owner"] = "Intensiv\u200bavdelingen\u2066"
    d["project"]["description"] = "Første\u200d avsnitt\u202d.\n\nAndre\ufeff avsnitt."
    d["answers"]["conf.notified_body"] = "BSI\u202e"  # a text question
    d["modules"] = [{"id": "m1", "title": "Modul \u2067A\u2069", "answers": {}}]
    d["studies"] = [{"id": "s1", "title": "Pilot\U000e0041", "answers": {}}]
    return sivreg.yamlstrict.dumps(d)


def _text_question() -> str:
    book = sivreg.catalogue.rulebook()
    return next(q.id for q in book.questions.values() if q.type == "text")


@pytest.fixture(scope="module")
def hostile_text():
    text = _hostile_file().replace("conf.notified_body", _text_question())
    assert all(ch in text or ch.encode("unicode_escape").decode() in text for ch in TRICKS[:4])
    return text


def test_clean_removes_every_trick_and_keeps_the_rest():
    for ch in TRICKS:
        assert clean(f"a{ch}b") == ("ab", True)
    assert clean("Blåbær – «ok» 10 µg, ÆØÅ\ttab\nline") == ("Blåbær – «ok» 10 µg, ÆØÅ\ttab\nline", False)
    assert for_terminal("x\x1b[2Jy\u202ez") == "x\\x1b[2Jy\\u202ez"


def test_every_free_text_of_an_answers_file_is_cleaned_and_noted(hostile_text, tmp_path):
    f = tmp_path / "hostile.yaml"
    f.write_text(hostile_text, encoding="utf-8")
    p = sivreg.load(f)
    qid = _text_question()
    assert p.title == "Rapport gpj.exe" and p.owner == "Intensivavdelingen"
    assert p.description == "Første avsnitt.\n\nAndre avsnitt."
    assert p.answers.get(qid) == "BSI" and p.modules[0].title == "Modul A" and p.studies[0].title == "Pilot"
    assert set(p.cleaned) == {"project.title", "project.owner", "project.description", f"answers.{qid}",
                              "modules[0].title", "studies[0].title"}
    a = sivreg.assess(p, as_of=AS_OF, lang="en").to_dict()
    assert set(a["text_cleaned"]["fields"]) == set(p.cleaned) and "U+202E" in a["text_cleaned"]["note"]
    # a clean file has no note
    assert "text_cleaned" not in sivreg.assess(sivreg.load(EXAMPLES / "ed-triage.yaml"), as_of=AS_OF).to_dict()


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_no_trick_in_json_markdown_or_html_report(hostile_text, lang):
    p = sivreg.loads(hostile_text, source="upload.yaml")  # the dashboard's upload path
    a = sivreg.assess(p, as_of=AS_OF, lang=lang)
    outputs = {"json": sivreg.io.assessment_json(a), "md": to_markdown(a, lang),
               "html": to_html(a, lang, project=p), "panel": panel_html(a, lang),
               "yaml": sivreg.dump_project(p)}
    for name, text in outputs.items():
        assert not INVISIBLE.search(text), (name, INVISIBLE.search(text))
        assert "Rapport gpj.exe" in text or name == "yaml" and "Rapport gpj.exe" in text
    note = sivreg.catalogue.rulebook().text("label.text_cleaned", lang)
    for name in ("md", "html", "panel"):
        assert note in outputs[name] and "project.title" in outputs[name], name
    assert json.loads(outputs["json"])["text_cleaned"]["fields"]


def test_no_trick_in_the_portfolio_summary_xlsx_csv_and_report(hostile_text, tmp_path):
    src = tmp_path / "p"
    src.mkdir()
    (src / "hostile.yaml").write_text(hostile_text, encoding="utf-8")
    out = tmp_path / "out"
    res = run_portfolio(src, out, jobs=1, progress=False, as_of=AS_OF, lang="nb")
    assert res.exit_code == 0, [e.error for e in res.entries]
    pid = res.entries[0].project_id
    texts = {"summary.html": (out / "summary.html").read_text(encoding="utf-8"),
             "summary.csv": (out / "summary.csv").read_text(encoding="utf-8").removeprefix("\ufeff"),
             "report": (out / "reports" / f"{pid}.html").read_text(encoding="utf-8"),
             "assessment": (out / "assessments" / f"{pid}.json").read_text(encoding="utf-8")}
    with zipfile.ZipFile(out / "summary.xlsx") as z:
        texts["summary.xlsx"] = "".join(z.read(n).decode("utf-8") for n in z.namelist() if n.endswith(".xml"))
    for name, text in texts.items():
        assert not INVISIBLE.search(text), (name, INVISIBLE.search(text))
        assert "Rapport gpj.exe" in text, name
    assert "Tekst renset" in texts["report"]


def test_the_dashboard_fields_are_cleaned_and_noted():
    from sivreg.views import Questionnaire
    q = Questionnaire(sivreg.load(EXAMPLES / "ed-triage.yaml"), as_of=AS_OF)
    q.title.value = TITLE
    q.owner.value = "SiV\u200b"
    q.refresh()
    p = q.project
    assert p.title == "Rapport gpj.exe" and p.owner == "SiV"
    assert {"project.title", "project.owner"} <= set(p.cleaned)
    assert not INVISIBLE.search(q.saved_yaml()) and not INVISIBLE.search(q.report_html())
    assert "Tekst renset" in q.report_html()
    # an upload with tricks: cleaned, and the note stays with the page
    assert q.load_text(_hostile_file().replace("conf.notified_body", _text_question()), "up.yaml")
    assert q.project.title == "Rapport gpj.exe" and "project.description" in q.project.cleaned
