"""The portfolio page's content (no browser): the status matrix per project and step, the
next deadline with overdue ones marked against the run's date in the matrix and the table,
deadlines grouped by month and project, plurals, everything in the run's language."""
from __future__ import annotations

import re
import shutil

import pytest

import sivreg
from sivreg.portfolio import run_portfolio

from conftest import ROOT
from report_checks import known_ids, problems, visible_text

PROJECTS = ("sepsis-icu", "stroke-ct-draft", "discharge-letter-llm", "or-scheduler")


def _run(tmp_path, as_of, lang="nb", projects=PROJECTS):
    src = tmp_path / f"params-{as_of}-{lang}"
    src.mkdir()
    for p in projects:
        shutil.copy(ROOT / "parameters" / f"{p}.yaml", src)
    run_portfolio(src, tmp_path / f"out-{as_of}-{lang}", as_of=as_of, lang=lang, notebooks=False, progress=False)
    return (tmp_path / f"out-{as_of}-{lang}" / "summary.html").read_text(encoding="utf-8")


def _row(html: str, table: str, pid: str) -> str:
    body = html.split(f'id="{table}"', 1)[1].split("</table>", 1)[0]
    return re.search(rf'<tr[^>]*data-project="{re.escape(pid)}".*?</tr>', body, re.S).group(0)


def test_deadline_after_the_run_date_is_upcoming_and_before_it_overdue(tmp_path):
    sepsis = sivreg.assess(sivreg.load(ROOT / "parameters" / "sepsis-icu.yaml"), as_of="2026-12-01").to_dict()
    due = min(a["due"] for a in sepsis["actions"] if a.get("due"))
    before = _run(tmp_path, "2026-12-01")
    for table in ("matrix", "projects"):
        row = _row(before, table, "sepsis-icu")
        assert due in row and "sv-overdue" not in row
    later = "2027-12-01"
    assert due < later
    after = _run(tmp_path, later)
    for table in ("matrix", "projects"):
        row = _row(after, table, "sepsis-icu")
        assert due in row and "sv-overdue" in row and "forfalt" in row, table
    # the deadlines by month start with the overdue ones, one line per project and date
    months = after.split("Kommende frister", 1)[1].split("<h2", 1)[0]
    assert "Forfalt (før 2027-12-01)" in months
    assert months.count(f"<b class=\"sv-overdue-text\">{due}</b> · Tidlig varsling") == 1


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_matrix_states_plurals_and_language(tmp_path, lang):
    html = _run(tmp_path, "2026-12-01", lang)
    assert f'<html lang="{lang}">' in html
    states = dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', _row(html, "matrix", "or-scheduler")))
    assert states["understand"] == "done" and states["classify"] == "na" and states["clinical"] == "na"
    stroke = dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', _row(html, "matrix", "stroke-ct-draft")))
    assert stroke["classify"] == "open"
    sepsis = dict(re.findall(r'data-step="(\w+)" data-state="(\w+)"', _row(html, "matrix", "sepsis-icu")))
    assert sepsis["classify"] == "done" and sepsis["clinical"] == "todo" and sepsis["ai_act"] == "todo"
    assert ("4 prosjekter." if lang == "nb" else "4 projects.") in html
    one = _run(tmp_path, "2026-12-02", lang, projects=("sepsis-icu",))
    assert ("1 prosjekt." if lang == "nb" else "1 project.") in one
    text = visible_text(html)
    allowed = tuple(sivreg.load(ROOT / "parameters" / f"{p}.yaml").title for p in PROJECTS) + PROJECTS
    assert not problems(text, lang, known_ids(), allowed)
    assert "Scenario: amended" not in text and (lang == "en" or "amended" not in text)
