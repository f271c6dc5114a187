"""Benchmark: `sivreg portfolio run DIR --no-notebooks` at scale (issue 14, part 4).

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000 10000] [--profile]

For each size, a portfolio is generated in a temporary folder (copies of parameters/*.yaml
with new project ids, so every project is its own file, output and register record), then in
fresh child processes:
  - the engine alone: every project read first (not timed), then `assess` for each, timed,
    with the garbage-collector settings of the run (run._fewer_collections) and again with
    Python's defaults (which grow faster than linearly with 10,000 projects alive);
  - the whole in-process run (run_portfolio(..., notebooks=False)): reading, assessing,
    writing each assessment, the register, the summary .html/.xlsx/.csv;
each child reports wall time, CPU time and its peak RSS (resource.getrusage).

Goals: the run costs at most twice the engine's own time for the same projects; 10,000
projects take at most 11 times 1,000; peak memory under 600 MB at 10,000. Times are compared
in CPU seconds (the machine is shared; wall time is printed beside). Writes build/bench-scale.json.
--profile also prints the top of a cProfile of the smallest run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-26"

CHILD = r'''
import json, resource, sys, time
mode, src, out, as_of, profile = sys.argv[1:6]
from pathlib import Path
from sivreg.catalogue import rulebook
t0, c0 = time.perf_counter(), time.process_time()
book = rulebook()
setup = {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}
if mode in ("engine", "engine_default_gc"):
    import contextlib
    from sivreg.engine import assess
    from sivreg.io import load
    from sivreg.portfolio.run import _fewer_collections
    projects = [load(f, book) for f in sorted(Path(src).glob("*.yaml"))]
    # "engine": with the garbage-collector settings the run uses (like for like);
    # "engine_default_gc": Python's defaults
    with (_fewer_collections() if mode == "engine" else contextlib.nullcontext()):
        t0, c0 = time.perf_counter(), time.process_time()
        for p in projects:
            assess(p, as_of=as_of, book=book)
    n = len(projects)
else:
    from sivreg.portfolio.run import run_portfolio
    go = lambda: run_portfolio(src, out, notebooks=False, progress=False, as_of=as_of)
    t0, c0 = time.perf_counter(), time.process_time()
    if profile == "1":
        import cProfile, pstats
        prof = cProfile.Profile()
        res = prof.runcall(go)
        pstats.Stats(prof, stream=sys.stderr).sort_stats("cumulative").print_stats(30)
    else:
        res = go()
    assert res.exit_code == 0, res.fault
    n = len(res.entries)
wall, cpu = time.perf_counter() - t0, time.process_time() - c0
print(json.dumps({"n": n, "wall": wall, "cpu": cpu, "setup": setup,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
'''


def generate(folder: Path, n: int) -> Path:
    """n answers files: the examples in turn, each with a new project id."""
    folder.mkdir(parents=True, exist_ok=True)
    examples = [(f.stem, f.read_text(encoding="utf-8")) for f in sorted((ROOT / "parameters").glob("*.yaml"))]
    for i in range(n):
        stem, text = examples[i % len(examples)]
        new = f"{stem}-{i:05d}"
        text, k = re.subn(r"^(\s*id:\s*)\S+", lambda m: m.group(1) + new, text, count=1, flags=re.M)
        assert k == 1, stem
        (folder / f"{new}.yaml").write_text(text, encoding="utf-8")
    return folder


def child(mode: str, src: Path, out: Path, profile: bool = False) -> dict:
    r = subprocess.run([sys.executable, "-c", CHILD, mode, str(src), str(out), AS_OF, "1" if profile else "0"],
                       capture_output=True, text=True, cwd=ROOT)
    if r.returncode != 0:
        raise SystemExit(f"{mode} child failed:\n{r.stderr[-3000:]}")
    if profile:
        print(r.stderr, file=sys.stderr)
    return json.loads(r.stdout.strip().splitlines()[-1])


def machine() -> dict:
    cpu = platform.processor() or ""
    try:
        cpu = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    mem = None
    try:
        mem = next(int(line.split()[1]) // 1024 for line in open("/proc/meminfo") if line.startswith("MemTotal"))
    except (OSError, StopIteration):
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "mem_mb": mem, "load_avg": os.getloadavg(),
            "python": platform.python_version(), "platform": platform.platform()}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    results = {"machine": machine(), "sizes": {}}
    with tempfile.TemporaryDirectory(prefix="sivreg-bench-") as tmp:
        for n in args.sizes:
            src = generate(Path(tmp) / f"p{n}", n)
            eng = child("engine", src, Path(tmp) / "unused")
            eng0 = child("engine_default_gc", src, Path(tmp) / "unused")
            run = child("run", src, Path(tmp) / f"out{n}", profile=args.profile and n == min(args.sizes))
            results["sizes"][n] = {"engine": eng, "engine_default_gc": eng0, "run": run,
                                   "ratio_cpu": run["cpu"] / eng["cpu"], "ratio_wall": run["wall"] / eng["wall"],
                                   "ratio_cpu_default_gc": run["cpu"] / eng0["cpu"]}
            print(f"{n:>6} projects: engine {eng['cpu']:.1f} s CPU ({eng['wall']:.1f} s wall; "
                  f"{eng0['cpu']:.1f} s CPU with Python's default GC); "
                  f"run {run['cpu']:.1f} s CPU ({run['wall']:.1f} s wall) = {run['cpu'] / eng['cpu']:.2f}x the engine "
                  f"(goal <= 2); peak RSS {run['peak_rss_mb']:.0f} MB (goal < 600 at 10,000)", flush=True)
            import shutil
            shutil.rmtree(src, ignore_errors=True)
            shutil.rmtree(Path(tmp) / f"out{n}", ignore_errors=True)
    sizes = sorted(results["sizes"])
    if len(sizes) >= 2:
        a, b = results["sizes"][sizes[0]]["run"], results["sizes"][sizes[-1]]["run"]
        results["growth_cpu"] = b["cpu"] / a["cpu"]
        results["growth_wall"] = b["wall"] / a["wall"]
        print(f"growth {sizes[0]:,} -> {sizes[-1]:,}: {results['growth_cpu']:.2f}x CPU ({results['growth_wall']:.2f}x wall)"
              f" (goal <= {1.1 * sizes[-1] / sizes[0]:.0f})")
    m = results["machine"]
    print(f"machine: {m['cpu']}, {m['cores']} cores, {m['mem_mb']} MB, load {m['load_avg'][0]:.1f}, Python {m['python']}")
    (ROOT / "build").mkdir(exist_ok=True)
    (ROOT / "build" / "bench-scale.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
