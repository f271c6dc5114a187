"""Benchmark: the in-process engine, assessments per second on one core: the whole
assessment (every topic, obligations, actions, the full trace) over the example portfolio.

    .venv/bin/python benchmarks/bench_engine.py [--seconds 3]

Goal: at least 2,000 assessments per second. Also prints the rate including the JSON text
of each assessment (what the portfolio run stores).
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
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        for p in projects:
            a = assess(p, as_of="2026-11-26", book=book)
            if with_json:
                assessment_json(a)
            n += 1
    return n / (time.perf_counter() - t0)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=3.0)
    ap.add_argument("--params", default=str(ROOT / "parameters"))
    args = ap.parse_args()
    book = rulebook()
    projects = [load(f, book) for f in sorted(Path(args.params).glob("*.yaml"))]
    rate(projects, book, 0.3, False)  # warm up
    steps = sum(len(o.trace) for p in projects for o in assess(p, as_of="2026-11-26", book=book).outcomes.values())
    r = rate(projects, book, args.seconds, False)
    rj = rate(projects, book, args.seconds, True)
    print(f"projects: {len(projects)}, trace steps per pass: {steps}")
    print(f"engine: {r:,.0f} assessments/s on one core (goal >= 2,000)")
    print(f"engine + JSON text: {rj:,.0f} assessments/s")


if __name__ == "__main__":
    main()
