"""Benchmark: `sivreg portfolio run --jobs 2` against the plain loop a user would write
(one `papermill notebooks/report.ipynb` call per project), on the same projects; and the
time of a rerun where nothing changed.

    .venv/bin/python benchmarks/bench_portfolio.py [--params parameters] [--jobs 2] [--rounds 1]

Both sides start cold (a new process) and run the same notebook with the same parameters;
the portfolio run also converts every notebook to HTML, keeps the register and writes the
summary, so the comparison does not favour it.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
AS_OF = "2026-11-26"


def plain_loop(files, work: Path) -> float:
    work.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    for f in files:
        subprocess.run([str(BIN / "papermill"), str(ROOT / "notebooks" / "report.ipynb"), str(work / f"{f.stem}.ipynb"),
                        "-p", "project_file", str(f.resolve()), "-p", "as_of", AS_OF, "-p", "lang", "nb",
                        "-p", "result_json", str(work / f"{f.stem}.json"), "-k", "python3", "--no-progress-bar"],
                       check=True, capture_output=True, cwd=ROOT)
    return time.perf_counter() - t0


def portfolio(params: Path, out: Path, jobs: int, force: bool) -> float:
    cmd = [str(BIN / "sivreg"), "portfolio", "run", str(params), "--out", str(out), "--jobs", str(jobs),
           "--as-of", AS_OF, "--no-progress"] + (["--force"] if force else [])
    t0 = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        sys.exit(f"portfolio run failed:\n{r.stdout}\n{r.stderr}")
    return elapsed


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--params", default=str(ROOT / "parameters"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    files = sorted(Path(args.params).glob("*.yaml"))
    loops, runs, reruns = [], [], []
    with tempfile.TemporaryDirectory(prefix="sivreg-bench-") as tmp:
        tmp = Path(tmp)
        params = tmp / "params"
        params.mkdir()
        for f in files:
            shutil.copy(f, params / f.name)
        for i in range(args.rounds):
            loops.append(plain_loop(sorted(params.glob("*.yaml")), tmp / f"loop{i}"))
            out = tmp / f"out{i}"
            runs.append(portfolio(params, out, args.jobs, force=True))
            reruns.append(portfolio(params, out, args.jobs, force=False))
    loop, run, rerun = (statistics.median(x) for x in (loops, runs, reruns))
    print(f"projects: {len(files)}   cores: {__import__('os').cpu_count()}   rounds: {args.rounds}")
    print(f"plain loop (papermill CLI per project): {loop:6.2f} s  ({loop / len(files):.2f} s/project)")
    print(f"sivreg portfolio run --jobs {args.jobs}:        {run:6.2f} s  ({run / len(files):.2f} s/project, incl. HTML, register, summary)")
    print(f"speed-up: {loop / run:.2f}x  (goal >= 1.7x)")
    print(f"rerun with nothing changed:            {rerun:6.2f} s  (goal < 5 s)")


if __name__ == "__main__":
    main()
