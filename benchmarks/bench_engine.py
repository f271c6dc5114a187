"""Benchmark: the in-process engine, assessments per second on one core: the whole
assessment (every topic, obligations, actions, the full trace) over the example portfolio.

    .venv/bin/python benchmarks/bench_engine.py [--seconds 3]

Goals (issue 9): at least 500 whole assessments per second over the example portfolio with
open answers explored (sivreg/explore.py), and 2,000 per second for the projects without open
answers. Also prints the rate including the JSON text of each assessment (what the portfolio
run stores), the rule runs per assessment, and CPU time beside wall time (the figures are
reported, never asserted; a busy machine shows in the difference).
"""
from __future__ import annotations

import argparse
import time
from pathlib import Path

from sivreg.catalogue import rulebook
from sivreg.engine import assess
from sivreg.io import assessment_json, load

ROOT = Path(__file__).resolve().parent.parent


def rate(projects, book, seconds: float, with_json: bool) -> float:
    return rates(projects, book, seconds, with_json)[0]


def rates(projects, book, seconds: float, with_json: bool = False) -> tuple[float, float]:
    """(assessments per wall second, per CPU second)."""
    n, t0, c0 = 0, time.perf_counter(), time.process_time()
    while time.perf_counter() - t0 < seconds:
        for p in projects:
            a = assess(p, as_of="2026-11-26", book=book)
            if with_json:
                assessment_json(a)
            n += 1
    return n / (time.perf_counter() - t0), n / max(time.process_time() - c0, 1e-9)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--params", default=str(ROOT / "parameters"))
    args = ap.parse_args()
    book = rulebook()
    projects = [load(f, book) for f in sorted(Path(args.params).glob("*.yaml"))]
    rate(projects, book, 0.3, False)  # warm up
    steps = sum(len(o.trace) for p in projects for o in assess(p, as_of="2026-11-26", book=book).outcomes.values())
    results = [assess(p, as_of="2026-11-26", book=book) for p in projects]
    runs = [a.to_dict()["exploration"]["rule_runs"] for a in results]
    settled = [p for p, a in zip(projects, results) if not a.missing]
    r, rc = rates(projects, book, args.seconds)
    rs, rsc = rates(settled, book, args.seconds) if settled else (0.0, 0.0)
    rj, rjc = rates(projects, book, args.seconds, True)
    print(f"projects: {len(projects)} ({len(projects) - len(settled)} with open answers), "
          f"trace steps per pass: {steps}, rule runs per assessment: min {min(runs)}, max {max(runs)}")
    print(f"engine, whole portfolio, exploring open answers: {r:,.0f}/s wall, {rc:,.0f}/s CPU (goal >= 500)")
    print(f"engine, projects without open answers: {rs:,.0f}/s wall, {rsc:,.0f}/s CPU (goal >= 2,000)")
    print(f"engine + JSON text, whole portfolio: {rj:,.0f}/s wall, {rjc:,.0f}/s CPU")


if __name__ == "__main__":
    main()
