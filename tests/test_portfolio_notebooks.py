"""Portfolio review with notebooks: papermill runs of notebooks/report.ipynb in parallel
workers, HTML reports without code, incremental reruns, a failing notebook among good ones,
a run killed with SIGKILL and rerun, and the Dask executor on a local cluster."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest

from portfolio_helpers import AS_OF, EXAMPLES, ROOT, copy_examples, set_answer, sivreg
from sivreg.portfolio import Register, run_portfolio, verify

pytestmark = [pytest.mark.notebook, pytest.mark.slow]
REPORT = ROOT / "notebooks" / "report.ipynb"


def run(src, out, **kw):
    kw.setdefault("as_of", AS_OF)
    kw.setdefault("jobs", 2)
    return run_portfolio(src, out, progress=False, **kw)


def failing_notebook(path: Path, fail_for: str) -> Path:
    """A report notebook that raises for one project and works for the others."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nb.cells = [
        nbformat.v4.new_code_cell('project_file = ""\nas_of = None\nscenario = None\nlang = "nb"\nresult_json = None',
                                  metadata={"tags": ["parameters"]}),
        nbformat.v4.new_code_cell(
            "import sivreg\nfrom sivreg.io import write_assessment\n"
            f"if project_file.endswith({fail_for + '.yaml'!r}):\n    raise RuntimeError('deliberate failure')\n"
            "result = sivreg.assess(sivreg.load(project_file), as_of=as_of, scenario=scenario, lang=lang)\n"
            "write_assessment(result, result_json)\nprint('SECRET_SOURCE_MARKER' and 'done')"),
    ]
    nbformat.write(nb, path)
    return path


def test_example_portfolio_reports_and_incremental_rerun(tmp_path):
    src = copy_examples(tmp_path / "params")
    out = tmp_path / "out"
    res = run(src, out)
    assert res.exit_code == 0, [(e.project_id, e.error) for e in res.failed]
    ids = sorted(e.project_id for e in res.entries)
    assert {e.status for e in res.entries} == {"ok"}
    assert sorted(p.stem for p in (out / "reports").glob("*.html")) == ids
    assert sorted(p.stem for p in (out / "notebooks").glob("*.ipynb")) == ids
    html = (out / "reports" / "sepsis-icu.html").read_text()
    assert "sepsis" in html.lower() and "import sivreg" not in html and "write_assessment" not in html
    assert 'src="http' not in html  # opens offline: no scripts from a CDN
    # the notebook's JSON equals the in-process assessment (checked by the run), kept as output
    a = json.loads((out / "assessments" / "sepsis-icu.json").read_text())
    assert a["outcomes"]["device_class"]["value"] == "IIb"
    nb = nbformat.read(out / "notebooks" / "sepsis-icu.ipynb", 4)
    assert nb.metadata["papermill"]["parameters"]["project_file"].endswith("sepsis-icu.yaml")
    summary = (out / "summary.html").read_text()
    assert 'href="reports/sepsis-icu.html"' in summary

    # nothing changed: nothing is executed again
    t0 = time.perf_counter()
    res2 = run(src, out)
    assert time.perf_counter() - t0 < 5
    assert {e.status for e in res2.entries} == {"skipped"}
    assert all(e.source_run == res.run_id for e in res2.entries)
    assert 'href="reports/sepsis-icu.html"' in (out / "summary.html").read_text()

    # one answer changed and one report deleted: exactly those two run again
    set_answer(src / "sepsis-icu.yaml", "mdr.r11a_subrule", "death_or_irreversible")
    (out / "reports" / "ed-triage.html").unlink()
    res3 = run(src, out)
    ran = sorted(e.project_id for e in res3.entries if e.status == "ok")
    assert ran == ["ed-triage", "sepsis-icu"]
    assert [p["project_id"] for p in res3.changes["projects"]] == ["sepsis-icu"]
    assert json.loads((out / "assessments" / "sepsis-icu.json").read_text())["outcomes"]["device_class"]["value"] == "III"
    # another language is another report: run again
    res4 = run(src, out, lang="en", force=False)
    assert {e.status for e in res4.entries} == {"ok"}
    assert verify(out / "register.sqlite", out)[0] == []


def test_failed_notebook_among_good_ones(tmp_path):
    src = copy_examples(tmp_path / "params", {"sepsis-icu", "ed-triage", "or-scheduler"})
    nb = failing_notebook(tmp_path / "report.ipynb", "ed-triage")
    out = tmp_path / "out"
    res = run(src, out, notebook=nb)
    status = {e.project_id: e.status for e in res.entries}
    assert status == {"ed-triage": "failed", "or-scheduler": "ok", "sepsis-icu": "ok"}
    assert res.exit_code == 1
    failed = next(e for e in res.entries if e.status == "failed")
    assert "RuntimeError" in failed.error and "deliberate failure" in failed.error
    assert (out / "failed" / "ed-triage.ipynb").exists() and not (out / "reports" / "ed-triage.html").exists()
    assert "deliberate failure" in (out / "summary.html").read_text()
    report = (out / "reports" / "sepsis-icu.html").read_text()
    assert "done" in report and "SECRET_SOURCE_MARKER" not in report  # outputs only, no code
    # the failed project is tried again next time; the good ones are not
    res2 = run(src, out, notebook=nb, executor="threads")
    assert {e.project_id: e.status for e in res2.entries} == {"ed-triage": "failed", "or-scheduler": "skipped",
                                                              "sepsis-icu": "skipped"}
    # --force runs everything; with the notebook fixed, all is well and the failed copy goes
    r = sivreg("portfolio", "run", src, "--out", out, "--as-of", AS_OF, "--jobs", 2, "--force")
    assert r.returncode == 0, r.stderr
    assert "notebooks: 100%" in r.stderr and "3/3" in r.stderr  # the progress bar
    assert not (out / "failed" / "ed-triage.ipynb").exists() and (out / "reports" / "ed-triage.html").exists()


def _descendants(pid: int) -> set[int]:
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                stat = Path(f"/proc/{d}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(d))
    out, todo = set(), [pid]
    while todo:
        for c in children.get(todo.pop(), []):
            if c not in out:
                out.add(c)
                todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_sigkill_halfway_then_rerun(tmp_path):
    src = copy_examples(tmp_path / "params")
    n = len(list(src.glob("*.yaml")))
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "sivreg.cli", "portfolio", "run", str(src), "--out", str(out),
                             "--jobs", "2", "--as-of", AS_OF, "--no-progress"], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    db_path = out / "register.sqlite"
    done, family = 0, set()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and proc.poll() is None:
        family |= _descendants(proc.pid)
        if db_path.exists():
            try:
                with sqlite3.connect(db_path) as db:
                    done = db.execute("SELECT count(*) FROM records WHERE status = 'ok'").fetchone()[0]
            except sqlite3.OperationalError:
                done = 0
            if done >= 1:
                break
        time.sleep(0.05)
    assert proc.poll() is None, "the run finished before it could be killed"
    assert 1 <= done < n
    family |= _descendants(proc.pid)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    # workers and their kernels go with it
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline and any(_alive(p) for p in family):
        time.sleep(0.2)
    assert not [p for p in family if _alive(p)]
    # every file under a final name is complete (it parses)
    for p in (out / "notebooks").glob("*.ipynb"):
        nbformat.read(p, 4)
    for p in (out / "assessments").glob("*.json"):
        json.loads(p.read_text())

    r = sivreg("portfolio", "run", src, "--out", out, "--jobs", 2, "--as-of", AS_OF, "--no-progress")
    assert r.returncode == 0, r.stderr
    with Register(db_path) as reg:
        runs = reg.runs()
        assert [x["status"] for x in runs] == ["interrupted", "ok"]
        killed = reg.records(1)
        last = reg.records(2)
    assert len(killed) >= done and all(x["status"] == "ok" for x in killed.values())
    assert len(last) == n
    assert {pid for pid, x in last.items() if x["status"] == "skipped"} == set(killed)
    assert {x["status"] for pid, x in last.items() if pid not in killed} == {"ok"}
    for sub, exts in (("reports", ("html", "pdf")), ("notebooks", ("ipynb",)), ("assessments", ("json",))):
        names = sorted(p.name for p in (out / sub).iterdir())
        want = sorted(f"{pid}.{ext}" for pid in last for ext in exts)
        assert names == want, names  # one each (a PDF beside each HTML report), no temporaries
    assert not [p for p in out.rglob("*.tmp")]
    assert not (out / ".work").exists() or not list((out / ".work").iterdir())
    v = sivreg("portfolio", "verify", "--out", out)
    assert v.returncode == 0, v.stderr


def test_dask_local_cluster(tmp_path):
    pytest.importorskip("dask.distributed")
    src = copy_examples(tmp_path / "params", {"sepsis-icu", "pathology-prostate"})
    res = run(src, tmp_path / "out", executor="dask")
    assert {e.status for e in res.entries} == {"ok"}, [e.error for e in res.entries]
    assert (tmp_path / "out" / "reports" / "pathology-prostate.html").exists()
    with Register(tmp_path / "out" / "register.sqlite") as reg:
        assert reg.runs()[0]["options"]["executor"] == "dask"
