"""Portfolio review: assess every project in a folder, run the report notebook for each in
parallel, keep a tamper-evident register of every run, show what changed and write a summary.

    from sivreg.portfolio import run_portfolio, verify, diff_runs
    result = run_portfolio("parameters", "outputs", jobs=2)

Modules, one job each: prepare (validate + assess in-process), notebook (one papermill run ->
notebook, HTML, JSON), executors (local processes, threads, Dask), outputs (the output
folder: layout, lock, atomic files), register (SQLite history with a hash chain), diff (what
changed and why), charts (inline SVG), summary (HTML page), export (.xlsx, .csv), run (the
whole review), cli (`sivreg portfolio ...`).
"""
from __future__ import annotations

from .diff import diff_runs
from .register import Register, verify
from .run import RunOptions, run_portfolio

__all__ = ["RunOptions", "Register", "diff_runs", "run_portfolio", "verify"]
