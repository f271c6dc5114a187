"""Issue 13, part 3: a run that hits a failing write ends cleanly. A real full disk (a small
tmpfs mounted for the test) and a real read-only folder (a read-only bind mount as root, or
permissions dropped as another user): the run stops with a message naming the folder and the
cause, exit 1, no traceback; what finished before is recorded in the register and the summary;
nothing half-written is left; `verify` stays true; a rerun after the cause is fixed goes on."""
from __future__ import annotations

import os
import re
import subprocess
from pathlib import Path

import pytest

from sivreg.portfolio import verify

from portfolio_helpers import AS_OF, copy_examples, sivreg

pytestmark = [pytest.mark.notebook, pytest.mark.slow]

TEMP = re.compile(r"^\..+\.tmp$")


def _mount(*args) -> bool:
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _leftovers(out: Path) -> list[Path]:
    return [p for d in (out, *(out / s for s in ("reports", "notebooks", "assessments", "failed")))
            if d.is_dir() for p in d.iterdir() if TEMP.match(p.name)]


def _run(src, out, *extra):
    return sivreg("portfolio", "run", src, "--out", out, "--as-of", AS_OF, "--jobs", "1", "--no-progress",
                  "--lang", "en", *extra, timeout=600)


def _clean_stop(r, folder_hint: str, cause: str):
    assert r.returncode == 1, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert "The run stopped" in r.stderr and folder_hint in r.stderr and cause in r.stderr, r.stderr


@pytest.fixture
def full_disk(tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    if os.geteuid() != 0 or not _mount("-t", "tmpfs", "-o", "size=2m", "tmpfs", str(out)):
        pytest.skip("needs to mount a small tmpfs (root in a container that allows mount)")
    yield out
    _umount(out)


def test_a_full_disk_stops_the_run_cleanly_and_a_rerun_goes_on(full_disk, tmp_path):
    out = full_disk
    src = copy_examples(tmp_path / "params")  # 14 projects, about 0.5 MB of outputs each
    r = _run(src, out)
    _clean_stop(r, str(out), "No space left on device")
    problems, facts = verify(out / "register.sqlite", out)
    assert problems == [] and facts["runs"] == 1
    assert _leftovers(out) == []
    done = sorted(p.stem for p in (out / "reports").glob("*.html"))
    assert done, "some projects should finish before the disk is full"
    m = re.search(r"(\d+) project\(s\) finished before the fault are recorded", r.stderr)
    assert m and int(m.group(1)) == len(done), r.stderr
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert all(f"reports/{pid}.html" in summary for pid in done)
    # the cause fixed: the same command goes on where it stopped
    assert _mount("-o", "remount,size=64m", str(out))
    r2 = _run(src, out)
    assert r2.returncode == 0, r2.stderr
    assert f"Unchanged (report from an earlier run): {len(done)}" in r2.stdout
    assert len(list((out / "reports").glob("*.html"))) == 14
    assert verify(out / "register.sqlite", out)[0] == []


@pytest.fixture
def read_only(tmp_path):
    """make(folder) makes a folder read-only for this run; undone afterwards."""
    undo = []

    def make(folder: Path):
        if os.geteuid() == 0:
            if not (_mount("--bind", str(folder), str(folder))
                    and _mount("-o", "remount,bind,ro", str(folder))):
                _umount(folder)
                pytest.skip("as root, a read-only folder needs a read-only bind mount, which failed here")
            undo.append(lambda: _umount(folder))
        else:
            folder.chmod(0o555)
            undo.append(lambda: folder.chmod(0o755))

    yield make
    for u in reversed(undo):
        u()


def test_a_read_only_reports_folder_stops_the_run_and_nothing_is_replaced_unrecorded(read_only, tmp_path):
    src = copy_examples(tmp_path / "params", {"sepsis-icu", "ed-triage", "wellness-chatbot"})
    out = tmp_path / "out"
    assert _run(src, out).returncode == 0
    before = {p: p.read_bytes() for d in ("reports", "notebooks", "assessments") for p in (out / d).iterdir()}
    read_only(out / "reports")
    r = _run(src, out, "--force")
    _clean_stop(r, str(out / "reports"), "Read-only file system" if os.geteuid() == 0 else "Permission denied")
    # nothing replaced without a record: every file is what it was, and verify agrees
    assert {p: p.read_bytes() for p in before} == before
    assert verify(out / "register.sqlite", out)[0] == []
    assert _leftovers(out) == []
    v = sivreg("portfolio", "verify", "--out", out)
    assert v.returncode == 0, v.stderr


def test_a_read_only_register_folder_is_named_not_an_internal_error(read_only, tmp_path):
    src = copy_examples(tmp_path / "params", {"sepsis-icu"})
    out = tmp_path / "out"
    assert _run(src, out, "--no-notebooks").returncode == 0
    read_only(out)
    r = _run(src, out, "--no-notebooks")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "internal error" not in r.stderr, r.stderr
    assert str(out) in r.stderr
    assert verify(out / "register.sqlite", out)[0] == []
