"""Helpers for the portfolio tests: copies of the example portfolio, generated portfolios,
and the command line in a subprocess."""
from __future__ import annotations

import copy
import random
import shutil
import subprocess
import sys
from pathlib import Path

from sivreg import yamlstrict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "parameters"
AS_OF = "2026-11-26"


def copy_examples(dest: Path, names=None) -> Path:
    dest.mkdir(parents=True, exist_ok=True)
    for f in sorted(EXAMPLES.glob("*.yaml")):
        if names is None or f.stem in names:
            shutil.copy(f, dest / f.name)
    return dest


def set_answer(path: Path, qid: str, value) -> None:
    """Change one answer in an answers file (rewritten through the strict YAML dumper)."""
    data = yamlstrict.load_file(path)
    data["answers"][qid] = value
    path.write_text(yamlstrict.dumps(data), encoding="utf-8")


def generate(dest: Path, n: int, seed: int = 7) -> Path:
    """n projects made from the examples: new ids, some answers dropped or set to unknown."""
    rnd = random.Random(seed)
    dest.mkdir(parents=True, exist_ok=True)
    bases = [yamlstrict.load_file(f) for f in sorted(EXAMPLES.glob("*.yaml"))]
    for i in range(n):
        d = copy.deepcopy(bases[i % len(bases)])
        d["project"]["id"] = f"gen-{i:04d}"
        d["project"]["title"] = f"{d['project']['title']} #{i}"
        keys = list(d["answers"])
        for k in rnd.sample(keys, k=min(len(keys), rnd.randint(0, 2))):
            if rnd.random() < 0.5:
                del d["answers"][k]
            else:
                d["answers"][k] = "unknown"
        (dest / f"gen-{i:04d}.yaml").write_text(yamlstrict.dumps(d), encoding="utf-8")
    return dest


def sivreg(*args, cwd=ROOT, **kw):
    return subprocess.run([sys.executable, "-m", "sivreg.cli", *map(str, args)], capture_output=True,
                          text=True, cwd=cwd, **kw)
