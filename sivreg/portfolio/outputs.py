"""The output folder of a portfolio review: where each file goes, one run at a time (a lock),
files written atomically, and leftovers of an interrupted run cleared away.

    outputs/register.sqlite          the register (see register.py)
    outputs/register.log             one line per run: checksum and signature (reglog.py)
    outputs/summary.html|.xlsx|.csv  the management table
    outputs/reports/<id>.html        each project's report (executed notebook, no code)
    outputs/notebooks/<id>.ipynb     each executed notebook
    outputs/assessments/<id>.json    each assessment (the output contract)
    outputs/failed/<id>.ipynb        a notebook that failed, kept to read the error

Every file is written to a hidden temporary name in the same folder and renamed over the
final name (sivreg.io.atomic_write), so a crash or `kill -9` never leaves a half-written file
under a final name; the temporaries it may leave (and the scratch folders of local workers
in .work/) are removed by the next run.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from ..io import UserError, atomic_write

_UMASK = os.umask(0)
os.umask(_UMASK)

REGISTER = "register.sqlite"
SUBDIRS = ("reports", "notebooks", "assessments", "failed")
# The temporaries atomic_write makes: ".<name>.<random>.tmp"
_TEMP = re.compile(r"^\..+\.[A-Za-z0-9_]+\.tmp$")


class Layout:
    """Paths inside one output folder."""

    def __init__(self, root: str | Path):
        self.root = Path(root)
        self.register = self.root / REGISTER
        self.log = self.root / "register.log"   # reglog.py
        self.lock = self.root / ".lock"
        self.work = self.root / ".work"   # scratch folders of local notebook workers

    def report(self, pid: str) -> Path:
        return self.root / "reports" / f"{pid}.html"

    def notebook(self, pid: str) -> Path:
        return self.root / "notebooks" / f"{pid}.ipynb"

    def assessment(self, pid: str) -> Path:
        return self.root / "assessments" / f"{pid}.json"

    def failed(self, pid: str) -> Path:
        return self.root / "failed" / f"{pid}.ipynb"

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()

    def summary(self, ext: str) -> Path:
        return self.root / f"summary.{ext}"


def sha256_file(path: Path) -> str | None:
    try:
        with open(path, "rb") as fh:
            return hashlib.file_digest(fh, "sha256").hexdigest()
    except FileNotFoundError:
        return None


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class WriteFault(UserError):
    """A write into the output folder failed (permission, disk full, read-only file system):
    the run stops cleanly (run.py) and says which folder and why."""

    def __init__(self, folder, exc: BaseException | str):
        reason = exc if isinstance(exc, str) else (getattr(exc, "strerror", None) or str(exc))
        self.folder, self.reason = str(folder), reason
        super().__init__("portfolio.err.write_failed", folder=str(folder), reason=reason)


def write(path: Path, data: str | bytes) -> str:
    """Write atomically; return the sha256 of what was written. A failure is a WriteFault
    (nothing half-written is left: atomic_write removes its temporary)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    try:
        atomic_write(path, raw)
    except OSError as exc:
        raise WriteFault(path.parent, exc) from None
    return sha256_bytes(raw)


class Replaced:
    """Files replaced together (one project's notebook, report and assessment) that can still
    be put back: until `commit`, the previous version of each is kept as a hard link under a
    temporary name. `rollback` restores them (and removes files that did not exist), so a
    project whose record cannot be written leaves the folder as the register knows it."""

    def __init__(self):
        self.done: list[tuple[Path, Path | None]] = []   # (target, backup or None if new)

    def commit(self) -> None:
        for _, backup in self.done:
            if backup is not None:
                backup.unlink(missing_ok=True)
        self.done = []

    def rollback(self) -> None:
        for target, backup in reversed(self.done):
            try:
                if backup is None:
                    target.unlink(missing_ok=True)
                else:
                    os.replace(backup, target)
            except OSError:
                pass  # (the next run clears the backup; verify names a file it could not restore)
        self.done = []


def replace_all(items) -> tuple[Replaced, list[str]]:
    """Write every (path, data) or none: all are written to temporaries first (fsync), then
    renamed over their targets. Returns the Replaced (commit it once recorded) and the sha256
    of each. A failure at any point puts back what was replaced and raises WriteFault."""
    staged, digests, rep = [], [], Replaced()
    try:
        for path, data in items:
            raw = data.encode("utf-8") if isinstance(data, str) else data
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            staged.append(Path(tmp))
            os.chmod(tmp, 0o666 & ~_UMASK)
            with os.fdopen(fd, "wb") as fh:
                fh.write(raw)
                fh.flush()
                os.fsync(fh.fileno())
            digests.append(sha256_bytes(raw))
        for (path, _), tmp in zip(items, staged):
            backup = None
            if path.exists():
                backup = path.with_name(f".{path.name}.bak{os.getpid()}.tmp")
                backup.unlink(missing_ok=True)
                os.link(path, backup)
            rep.done.append((path, backup))
            os.replace(tmp, path)
    except OSError as exc:
        rep.rollback()
        for tmp in staged:
            tmp.unlink(missing_ok=True)
        raise WriteFault(Path(exc.filename).parent if getattr(exc, "filename", None) else path.parent, exc) from None
    return rep, digests


def clear_leftovers(layout: Layout) -> list[Path]:
    """Remove temporaries an interrupted run left (only names atomic_write makes)."""
    removed = []
    if layout.work.is_dir():  # scratch of workers killed with their run
        shutil.rmtree(layout.work, ignore_errors=True)
        removed.append(layout.work)
    for d in [layout.root] + [layout.root / s for s in SUBDIRS]:
        if not d.is_dir():
            continue
        for p in d.iterdir():
            if p.is_file() and _TEMP.match(p.name):
                p.unlink(missing_ok=True)
                removed.append(p)
    return removed


@contextmanager
def exclusive(layout: Layout):
    """Hold the output folder for one run. The lock is released by the kernel when the
    process ends, even after `kill -9`, so a killed run never blocks the next."""
    try:
        layout.root.mkdir(parents=True, exist_ok=True)
        fh = open(layout.lock, "a+")
    except OSError as exc:  # --out names a file, a read-only place, a full disk
        if layout.root.is_file():
            raise UserError("portfolio.err.out_is_file", folder=str(layout.root)) from None
        raise UserError("portfolio.err.out_unusable", folder=str(layout.root),
                        reason=exc.strerror or str(exc)) from None
    try:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise UserError("portfolio.err.busy", folder=str(layout.root)) from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield layout
    finally:
        fh.close()
