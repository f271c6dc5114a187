"""`register.log`: a plain, append-only text file beside the register, one line per run.

The register proves that no row was changed, but not that none was *removed* at the end: a
register cut back to an earlier run is a valid chain. The log keeps, outside the SQLite file,
each run's checksum (the hash of the chain head when the run ended) and its signature, so
`verify` can tell that the newest run is missing, or that the register was swapped or reset.
A copy of the log (or the checksum a run prints) kept elsewhere is checked with
`verify --log FILE` / `verify --expect CHECKSUM`.

Lines (tab-separated; `#` starts a comment):

    run  <n>  <time UTC>  <checksum>  <signature or ->  <key id or ->
    new-register  <time UTC>  <what was found>      a register started on purpose (--new-register)

Only lines after the last `new-register` line describe the present register.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

NAME = "register.log"
HEADER = ("# sivreg register log: one line per portfolio run (run, time, checksum, signature, key id).\n"
          "# Keep a copy elsewhere; check with `sivreg portfolio verify --log COPY`.\n")


@dataclass(frozen=True)
class Line:
    kind: str                 # run | new-register
    number: int | None
    time: str
    checksum: str | None = None
    signature: str | None = None
    key_id: str | None = None
    note: str = ""
    line: int = 0


def _append(path: Path, text: str) -> None:
    """Append and fsync: the line is on disk before the run says it is done."""
    new = not path.exists()
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
    try:
        os.write(fd, ((HEADER if new else "") + text).encode("utf-8"))
        os.fsync(fd)
    finally:
        os.close(fd)


def append_run(path: Path, run_id: int, time: str, checksum: str, signature: str | None,
               key_id: str | None) -> None:
    _append(path, f"run\t{run_id}\t{time}\t{checksum}\t{signature or '-'}\t{key_id or '-'}\n")


def append_new_register(path: Path, time: str, note: str) -> None:
    note = " ".join(note.split())  # one line, whatever the reason says
    _append(path, f"new-register\t{time}\t{note}\n")


def read(path: Path) -> tuple[list[Line], list[str]]:
    """(lines of the present register, problems with lines that cannot be read)."""
    lines, problems = [], []
    with open(path, encoding="utf-8", errors="replace") as fh:
        for i, raw in enumerate(fh, 1):
            raw = raw.rstrip("\n")
            if not raw.strip() or raw.startswith("#"):
                continue
            f = raw.split("\t")
            if f[0] == "run" and len(f) == 6 and f[1].isdigit():
                lines.append(Line("run", int(f[1]), f[2], f[3], None if f[4] == "-" else f[4],
                                  None if f[5] == "-" else f[5], line=i))
            elif f[0] == "new-register" and len(f) >= 2:
                lines = []  # what came before belongs to the register that was replaced
                lines.append(Line("new-register", None, f[1], note="\t".join(f[2:]), line=i))
            else:
                problems.append(i)
    return [ln for ln in lines if ln.kind == "run"], problems


def has_runs(path: Path) -> bool:
    try:
        return bool(read(path)[0])
    except OSError:
        return False
