"""Every example (parameters/*.yaml) and every scenario case (tests/cases/**), rendered in
bokmål and English as the HTML report, the dashboard's result panel and Markdown: no raw id,
no placeholder left in braces, no Python value, no snake_case code, and no English field word
in a bokmål page. User-typed text (titles) of the cases is replaced so that it cannot hide or
cause a leak."""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import sivreg
from sivreg.render import to_markdown
from sivreg.render.html import panel_html, to_html

from conftest import ROOT
from report_checks import context, known_ids, problems, visible_text
from scenario_cases import DEFAULT_AS_OF, collect, project_of

EXAMPLES = sorted((ROOT / "parameters").glob("*.yaml"))
CASE_FILES = sorted({c.file for c in collect()})
AS_OF = "2026-12-01"


def _check(a, lang, project, allowed=(), panel=True):
    d = a.to_dict()
    ids = known_ids(d)
    found = {}
    docs = [("report", visible_text(to_html(a, lang, project=project))), ("markdown", to_markdown(a, lang))]
    if panel:  # the same partials as the report; checked on the examples
        docs.append(("panel", visible_text(panel_html(a, lang))))
    for name, text in docs:
        bad = problems(text, lang, ids, allowed)
        if bad:
            found[name] = [f"{b} … {context(text, b)}" for b in bad[:8]]
    return found


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_every_example_reads_clean(path, lang):
    p = sivreg.load(path)
    a = sivreg.assess(p, as_of=AS_OF, lang=lang)
    # the project's own texts (owner, titles of modules and studies) are Norwegian prose
    allowed = tuple(x for x in [p.title, p.owner, p.description, *(m.title for m in p.modules),
                                *(s.title for s in p.studies)] if x)
    found = _check(a, lang, p, allowed)
    assert not found, found


def _neutral(project):
    """The case with titles a report may show in either language."""
    return replace(project, title="Sak", owner="",
                   modules=tuple(replace(m, title=f"Modul {i}") for i, m in enumerate(project.modules, 1)),
                   studies=tuple(replace(s, title=f"Studie {i}") for i, s in enumerate(project.studies, 1)))


@pytest.mark.parametrize("lang", ["nb", "en"])
@pytest.mark.parametrize("file", CASE_FILES, ids=lambda f: f"{Path(f).parent.name}/{Path(f).stem}")
def test_every_scenario_case_reads_clean(file, lang):
    bad = {}
    for case in (c for c in collect() if c.file == file):
        if "expect_error" in case.data:
            continue
        try:
            p = _neutral(project_of(case))
        except sivreg.SivregError:  # a case the rulebook no longer accepts: test_scenarios says so
            continue
        a = sivreg.assess(p, as_of=case.data.get("as_of", DEFAULT_AS_OF), scenario=case.data.get("scenario"),
                          lang=lang)
        found = _check(a, lang, p, ("Sak", "Modul", "Studie"), panel=False)
        if found:
            bad[case.name] = found
    assert not bad, bad
