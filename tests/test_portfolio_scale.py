"""Issue 14, part 4: the --no-notebooks run streams (each project assessed, written and
recorded in batches, then cut down to what the summary needs) and writes the same files as
when every assessment is kept to the end: the summary page, the .xlsx and .csv, each
assessment file and its register record (the same bytes, compressed, and their sha256)."""
from __future__ import annotations

import csv
import io
import json
import sqlite3
import zlib

import pytest
from openpyxl import load_workbook

from sivreg.catalogue import rulebook
from sivreg.engine import assess
from sivreg.io import assessment_bytes, load
from sivreg.portfolio import export, run_portfolio, summary
from sivreg.portfolio.prepare import discover, for_matrix, prepare
from sivreg.portfolio.register import Register

from portfolio_helpers import AS_OF, EXAMPLES, copy_examples


def _matrix_inputs():
    import scenario_cases
    book = rulebook()
    for f in sorted(EXAMPLES.glob("*.yaml")):
        for scenario in (None, "original"):
            yield f"{f.stem}/{scenario}", load(f, book), scenario
    for case in scenario_cases.collect():
        if "expect" in case.data:
            yield case.id, scenario_cases.project_of(case), case.data.get("scenario")


def test_the_matrix_needs_no_citations():
    """run.py builds the status matrix from part of the assessment (prepare.for_matrix): the
    cells are the same as from the whole assessment, for every example (both scenarios) and
    every scenario case, in both languages."""
    import orjson
    book = rulebook()
    n = 0
    for name, project, scenario in _matrix_inputs():
        for lang in ("nb", "en"):
            a = orjson.loads(assessment_bytes(assess(project, as_of=AS_OF, scenario=scenario, lang=lang, book=book)))
            assert summary.matrix_row(for_matrix(a), lang, book) == summary.matrix_row(a, lang, book), (name, lang)
            n += 1
    assert n > 100


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_streamed_run_writes_what_the_whole_run_would(tmp_path, monkeypatch, lang):
    import sivreg.portfolio.run as run_mod
    monkeypatch.setattr(run_mod, "BATCH", 4)  # several register transactions for 14 projects
    src = copy_examples(tmp_path / "p")
    out = tmp_path / "out"
    res = run_portfolio(src, out, notebooks=False, progress=False, as_of=AS_OF, lang=lang)
    assert res.exit_code == 0 and {e.status for e in res.entries} == {"assessed"}
    assert all(e.assessment_bytes is None and "technical_documentation" not in e.assessment for e in res.entries)

    # the same entries with every assessment kept, as before the run streamed
    book = rulebook()
    full = prepare(discover(src), as_of=AS_OF, scenario=None, lang=lang, book=book)
    for f, e in zip(full, res.entries):
        assert f.project_id == e.project_id
        f.status, f.outputs = e.status, e.outputs
        assert (out / "assessments" / f"{f.project_id}.json").read_bytes() == f.assessment_bytes
    with Register(out / "register.sqlite", create=False) as reg:
        run = {**reg.run(res.run_id), "head": res.head}
    assert (out / "summary.html").read_text(encoding="utf-8") == summary.page(
        full, run=run, lang=lang, changes=None, book=book)
    assert (out / "summary.csv").read_bytes().decode("utf-8") == export.to_csv(full, lang, book)
    heads, rows = export.table(full, lang, book)
    ws = load_workbook(out / "summary.xlsx").active
    got = [[c.value for c in r] for r in ws.iter_rows()]
    assert got == [heads] + [[v if v != "" else None for v in r] for r in rows]
    assert ws.freeze_panes == "B2" and ws.auto_filter.ref == f"A1:{ws.cell(1, len(heads)).column_letter}{len(rows) + 1}"

    db = sqlite3.connect(out / "register.sqlite")
    recs = {pid: (blob, sha) for pid, blob, sha in db.execute(
        "SELECT project_id, assessment, assessment_sha256 FROM records WHERE run_id = ?", (res.run_id,))}
    db.close()
    for f in full:
        blob, sha = recs[f.project_id]
        assert zlib.decompress(blob) == f.assessment_bytes and sha == f.assessment_sha256
        assert json.loads(blob and zlib.decompress(blob)) == f.assessment
