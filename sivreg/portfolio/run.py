"""One portfolio review, start to end:

1. read and validate every answers file, assess each in-process (prepare.py); with
   --no-notebooks this streams: each project is assessed, its JSON written and recorded (one
   register transaction per BATCH), then only the summary's part of it is kept (prepare.slim);
2. refuse a missing or emptied register beside earlier outputs (unless new_register), open
   the register and record the run;
3. skip projects whose inputs, rulebook, scenario, date, language and notebook are unchanged
   since their last good run and whose outputs are still on disk (unless force);
4. execute the report notebook for the others in parallel workers, with a progress bar;
   write each notebook, its HTML and the assessment JSON atomically, then record the project;
5. compare with the previous run, close the run, sign its head with the key (keys.py) and
   append its checksum to register.log (reglog.py), write the summary (.html, .xlsx, .csv).

A project that fails is recorded with its error and the rest go on; `RunResult.exit_code` is
1 if any project failed or was invalid. A run killed at any point leaves complete files only;
the next run clears temporaries, re-executes what was not recorded, and verify still passes.
A write that fails (disk full, read-only folder, a full register) stops the run: what was
recorded stays, the rest is recorded as "stopped", `RunResult.fault` says which folder and why
(exit code 1), and a project's files are replaced all together or put back (outputs.replace_all).
"""
from __future__ import annotations

import gc
import json
import os
import shutil
import sys
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..catalogue import rulebook
from ..errors import SivregError
from ..io import Term, UserError, error_text, message_text
from ..model import TOPICS
from ..textclean import for_terminal
from . import export, outputs, summary
from .diff import compare_scenario, diff_records
from .notebook import Task, execute
from .outputs import Layout, sha256_file
from .prepare import assess_entry, discover, for_matrix, load_entries, slim
from . import reglog
from .keys import Key, find_key
from .register import Register, now

NOTEBOOK = Path("notebooks") / "report.ipynb"
BATCH = 250  # --no-notebooks: projects recorded per register transaction


@dataclass
class RunOptions:
    source: str | Path = "parameters"
    out: str | Path = "outputs"
    jobs: int | None = None
    as_of: str | None = None
    scenario: str | None = None
    lang: str = "nb"
    force: bool = False
    notebooks: bool = True            # False: assess in-process only (no papermill)
    notebook: str | Path | None = None
    executor: str = "processes"
    address: str | None = None        # dask scheduler address
    compare_scenario: str | None = None
    progress: bool = True
    cell_timeout: int = 600
    key: object = None                # keys.Key, a key file path, or None ($SIVREG_REGISTER_KEY, else unsigned)
    new_register: bool = False        # start a new register on purpose where outputs exist


@dataclass
class RunResult:
    run_id: int
    entries: list
    changes: dict | None
    scenario_diff: dict | None
    head: str
    layout: Layout
    counts: dict = field(default_factory=dict)
    signature: str | None = None      # HMAC of the head (None: no key)
    key_id: str | None = None
    fault: str | None = None          # a write failed: the run stopped (message), exit code 1

    @property
    def failed(self) -> list:
        return [e for e in self.entries if e.status in ("failed", "invalid")]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed or self.fault else 0


def find_notebook(given=None) -> Path:
    """--notebook, else notebooks/report.ipynb here, else the one next to the sivreg package
    (a source checkout), else the copy shipped inside the package."""
    pkg = Path(__file__).resolve().parent.parent
    candidates = [Path(given)] if given else [NOTEBOOK, pkg.parent / NOTEBOOK, pkg / "notebooks" / "report.ipynb"]
    for c in candidates:
        if c.is_file():
            return c
    raise SivregError(f"report notebook not found (looked for {', '.join(map(str, candidates))}); "
                      "give --notebook PATH, or --no-notebooks to assess without reports")


def read_notebook(path: Path) -> str:
    """The report notebook's text, checked once before any project runs (a notebook that is
    not a notebook would otherwise fail every project, or stop the run)."""
    try:
        text = path.read_text(encoding="utf-8")
        nb = json.loads(text)
        if not (isinstance(nb, dict) and isinstance(nb.get("cells"), list)):
            raise ValueError("no cells")
    except OSError as exc:
        raise UserError("portfolio.err.notebook", file=str(path), reason=exc.strerror or str(exc)) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise UserError("portfolio.err.notebook", file=str(path), reason=type(exc).__name__) from None
    return text


def _check_options(opts: RunOptions, book) -> None:
    if opts.lang not in ("nb", "en"):
        raise SivregError(f"--lang: found {opts.lang!r}; allowed: nb, en")
    for name, value in (("--scenario", opts.scenario), ("--compare-scenario", opts.compare_scenario)):
        if value is not None and value not in book.scenarios:
            raise UserError("cli.err.option", option=name, found=repr(value),
                            allowed=", ".join(book.scenarios) or Term("input.none_defined"))


def _outputs_present(layout: Layout, outs: dict) -> bool:
    return bool(outs) and "report" in outs and "pdf" in outs and all(
        sha256_file(layout.root / o["path"]) == o["sha256"] for o in outs.values())


def _same_result(entry, notebook_json: str | None) -> str | None:
    """None if the notebook concluded what the in-process assessment did, else why not."""
    if not notebook_json:
        return "the notebook did not write its assessment JSON (parameter result_json)"
    nb = json.loads(notebook_json)
    a = entry.assessment
    pick = lambda d: (d.get("status"), {t: (d["outcomes"][t]["status"], d["outcomes"][t]["value"])
                                         for t in TOPICS if t in d.get("outcomes", {})})
    if pick(nb) != pick(a):
        return "the notebook's assessment differs from the in-process assessment"
    return None


def _store_notebook_result(layout: Layout, entry, res: dict) -> outputs.Replaced:
    """Write a project's files all or none (outputs.replace_all) and set its status. The
    caller records it, then commits the Replaced (or rolls it back if the record fails)."""
    pid = entry.project_id
    if res["ok"]:
        mismatch = _same_result(entry, res["result_json"])
        if mismatch:
            res = {**res, "ok": False, "error": mismatch}
    if res["ok"]:
        files = {"assessment": (layout.assessment(pid), entry.assessment_bytes),
                 "notebook": (layout.notebook(pid), res["ipynb"]), "report": (layout.report(pid), res["html"])}
        if res.get("pdf"):  # the same report as PDF, beside the HTML (sivreg.render.pdf)
            files["pdf"] = (layout.report(pid).with_suffix(".pdf"), res["pdf"])
        status, error = "ok", None
    else:
        files = {"failed_notebook": (layout.failed(pid), res["ipynb"])} if res.get("ipynb") else {}
        status, error = "failed", res["error"]
    rep, digests = outputs.replace_all(list(files.values())) if files else (outputs.Replaced(), [])
    entry.outputs = {k: {"path": layout.rel(path), "sha256": d} for (k, (path, _)), d in zip(files.items(), digests)}
    entry.status, entry.error = status, error
    entry.seconds = res.get("seconds")
    return rep


def _task(entry, notebook_text: str, opts: RunOptions, work: Path) -> Task:
    a = entry.assessment
    local = opts.executor != "dask" or not opts.address  # a remote worker uses its own temp
    return Task(project_id=entry.project_id, file_name=entry.file.name,
                answers_text=entry.file.read_text(encoding="utf-8"), notebook_text=notebook_text,
                as_of=a["as_of"], scenario=a["rulebook"]["scenario"], lang=opts.lang,
                cell_timeout=opts.cell_timeout, work_root=str(work.resolve()) if local else None)


def _execute_all(pending, notebook_text, opts, layout, reg, run_id) -> None:
    from tqdm import tqdm

    from .executors import make_executor
    import nbconvert  # noqa: F401  imported before the workers fork, so each need not
    import papermill  # noqa: F401

    tqdm.monitor_interval = 0  # no monitor thread: worker processes are forked from this one
    by_id = {e.project_id: e for e in pending}
    tasks = [_task(e, notebook_text, opts, layout.work) for e in pending]
    bar = tqdm(total=len(tasks), desc="notebooks", unit="project", file=sys.stderr,
               disable=not opts.progress, dynamic_ncols=True)
    try:
        # never more workers than notebooks to run: --jobs 1000 must not start 1000 dask workers
        jobs = min(opts.jobs or os.cpu_count() or 1, len(tasks))
        with make_executor(opts.executor, jobs, opts.address) as ex:
            for task, res, exc in ex.run(execute, tasks):
                entry = by_id[task.project_id]
                if exc is not None:
                    res = {"ok": False, "error": f"worker failed: {type(exc).__name__}: {exc}", "ipynb": None}
                if res.get("write_errno"):  # the worker's scratch folder is full or read-only
                    raise outputs.WriteFault(layout.work if task.work_root else "TMPDIR", os.strerror(res["write_errno"]))
                entry.stage = "written"
                rep = _store_notebook_result(layout, entry, res)
                try:
                    reg.add_records(run_id, [entry])
                except BaseException:  # not recorded: put the previous files back, so verify holds
                    rep.rollback()
                    raise
                rep.commit()
                entry.stage = "recorded"
                if entry.status == "ok":
                    try:  # a stale failure notebook; not listed anywhere once the project succeeds
                        layout.failed(entry.project_id).unlink(missing_ok=True)
                    except OSError:
                        pass
                if entry.status == "failed":
                    bar.write(f"FAILED {entry.project_id} ({for_terminal(entry.file)}): {entry.error}", file=sys.stderr)
                bar.update(1)
    finally:
        bar.close()
        shutil.rmtree(layout.work, ignore_errors=True)  # the workers' scratch: room for the summary


def check_register_present(layout: Layout, new_register: bool, lang: str, book) -> None:
    """A missing or empty register where earlier outputs are is refused (the history would
    silently restart at run 1); --new-register starts one on purpose and the log says so."""
    reg = layout.register
    empty = not reg.exists() or (reg.is_file() and reg.stat().st_size == 0)
    found = [p.name for p in (layout.log, *(layout.summary(x) for x in ("html", "xlsx", "csv"))) if p.exists()]
    found += [f"{d}/" for d in outputs.SUBDIRS if (layout.root / d).is_dir() and any((layout.root / d).iterdir())]
    if new_register:
        if not empty:
            with Register(reg, create=False) as r:
                if r.runs():
                    raise UserError("portfolio.err.register_exists", file=str(reg))
        if reg.exists():
            reg.unlink()  # an empty file or a register without runs: nothing is lost
        reglog.append_new_register(layout.log, now(), message_text(
            "portfolio.log.new_register", {"found": ", ".join(found) or "-"}, "en", book))
    elif empty and found:
        raise UserError("portfolio.err.register_gone", file=str(reg), found=", ".join(found))


@contextmanager
def _fewer_collections():
    """For the length of a run: what is loaded already (the rulebook, the modules) is left
    out of the garbage collector's passes (gc.freeze), and it runs less often. The engine
    allocates many short-lived objects while the summary rows of thousands of projects stay
    alive, so the default thresholds spend a third of the engine's time traversing them.
    Reference cycles are still collected; the settings are put back afterwards."""
    before = gc.get_threshold()
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
    try:
        yield
    finally:
        gc.set_threshold(*before)
        gc.unfreeze()


def run_portfolio(source="parameters", out="outputs", log=None, **kw) -> RunResult:
    """Review every project in `source`, writing into `out`. Keyword options: see RunOptions."""
    opts = RunOptions(source=source, out=out, **kw)
    book = rulebook()
    _check_options(opts, book)
    layout = Layout(opts.out)
    files = discover(opts.source)
    nb_path = find_notebook(opts.notebook) if opts.notebooks else None
    nb_text = read_notebook(nb_path) if nb_path else None
    nb_sha = outputs.sha256_bytes(nb_text.encode("utf-8")) if nb_text else None
    key = opts.key if isinstance(opts.key, Key) else find_key(opts.key, layout.root)
    signature = None

    with _fewer_collections(), outputs.exclusive(layout):
        check_register_present(layout, opts.new_register, opts.lang, book)
        outputs.clear_leftovers(layout)
        entries = load_entries(files, opts.lang, book)
        assess = lambda e: assess_entry(e, as_of=opts.as_of, scenario=opts.scenario, lang=opts.lang,  # noqa: E731
                                        book=book, notebook_sha256=nb_sha)
        # --no-notebooks streams: each project is assessed, written and recorded (in batches),
        # then only what the summary needs is kept. The notebooks, and --compare-scenario,
        # need every assessment first.
        stream = not opts.notebooks and not opts.compare_scenario
        if not stream:
            for e in entries:
                assess(e)
        with Register(layout.register) as reg:
            run_id = reg.start_run(source_dir=opts.source, as_of=opts.as_of, scenario=opts.scenario,
                                   lang=opts.lang, book=book, sivreg_version=__version__,
                                   options={"jobs": opts.jobs, "force": opts.force, "notebooks": opts.notebooks,
                                            "executor": opts.executor, "notebook_sha256": nb_sha,
                                            "compare_scenario": opts.compare_scenario})
            fault = None
            try:
                pending, settled = [], []
                for e in entries:
                    if e.status != "assessed":
                        settled.append(e)
                    elif not opts.notebooks:
                        settled.append(e)
                    else:
                        last = None if opts.force else reg.last_good(e.project_id)
                        if last and last["run_key"] == e.key and _outputs_present(layout, last["outputs"]):
                            e.status, e.outputs, e.source_run = "skipped", last["outputs"], last["source_run"]
                            settled.append(e)
                        else:
                            pending.append(e)
                written = []

                def record():  # one register transaction per batch
                    reg.add_records(run_id, written)
                    for e in written:
                        e.stage = "recorded"
                        if stream and e.assessment is not None:  # the file and the register have it all
                            e.matrix = summary.matrix_row(for_matrix(e.assessment), opts.lang, book)
                            e.assessment, e.assessment_bytes = slim(e.assessment), None
                    written.clear()

                try:
                    for e in settled:
                        if stream:
                            assess(e)
                        if e.status == "assessed":  # --no-notebooks: the assessment only
                            e.outputs = {"assessment": _put_if_changed(layout, layout.assessment(e.project_id),
                                                                       e.assessment_bytes, e.assessment_sha256)}
                        written.append(e)
                        if len(written) >= BATCH:
                            record()
                finally:  # what was written is recorded, even when a write failed
                    record()
                for e in settled:
                    if e.status in ("failed", "invalid") and log:
                        log(f"{e.status.upper()} {for_terminal(e.file)}: {e.error}")
                if pending:
                    _execute_all(pending, nb_text, opts, layout, reg, run_id)
            except outputs.WriteFault as exc:
                fault = exc
                _stopped(entries, reg, run_id)

            prev = reg.previous_run(run_id)
            changes = None
            if prev is not None:
                changes = {**diff_records(reg.records(prev), reg.records(run_id)), "from_run": prev,
                           "to_run": run_id}
            scenario_diff = None
            if opts.compare_scenario:
                scenario_diff = compare_scenario(entries, opts.compare_scenario, lang=opts.lang, book=book)
            counts = {}
            for e in entries:
                counts[e.status] = counts.get(e.status, 0) + 1
            failed = any(e.status in ("failed", "invalid") for e in entries)
            head = None
            try:
                head = reg.end_run(run_id, "stopped" if fault else "failed" if failed else "ok", counts)
                if key is not None:
                    signature = reg.sign(run_id, key)
                try:
                    reglog.append_run(layout.log, run_id, now(), head, signature, key.key_id if key else None)
                except OSError as exc:
                    raise outputs.WriteFault(layout.root, exc) from None
            except outputs.WriteFault as exc:  # the disk is full even for the register's last rows
                fault = fault or exc
            run = {**reg.run(run_id), "head": head or reg.head_hash()}

        # the summary lists every project, those the fault stopped included (status "stopped")
        try:
            html = summary.page(entries, run=run, lang=opts.lang, changes=changes, scenario_diff=scenario_diff,
                                book=book)
            outputs.write(layout.summary("html"), html)
            tab = export.table(entries, opts.lang, book)  # the rows once, for both files
            outputs.write(layout.summary("xlsx"), export.to_xlsx(entries, opts.lang, book,
                                                                 book.text("portfolio.sheet", opts.lang), tab=tab))
            outputs.write(layout.summary("csv"), export.to_csv(entries, opts.lang, book, tab=tab))
        except outputs.WriteFault as exc:
            summary_fault = exc
            fault = fault or exc
        else:
            summary_fault = None
    result = RunResult(run_id=run_id, entries=entries, changes=changes, scenario_diff=scenario_diff,
                       head=run["head"], layout=layout, counts=counts, signature=signature,
                       key_id=key.key_id if key and signature else None)
    if fault is not None:
        done = sum(1 for e in entries if e.stage == "recorded" and e.status in ("ok", "skipped", "assessed"))
        result.fault = message_text("portfolio.err.stopped", {"fault": error_text(fault, opts.lang, book),
                                                             "done": done, "run": run_id}, opts.lang, book)
        if summary_fault is not None:
            result.fault += "\n" + message_text("portfolio.err.no_summary", {"fault": error_text(summary_fault, opts.lang, book)},
                                                opts.lang, book)
    return result


def _stopped(entries, reg, run_id) -> None:
    """After a write fault: every project not recorded yet is recorded as stopped (the next
    run does it again; last_good only takes ok and skipped)."""
    rest = [e for e in entries if e.stage != "recorded"]
    for e in rest:
        if e.stage == "written" or e.status == "assessed":  # (invalid, failed and skipped stay what they are)
            e.status, e.outputs = "stopped", {}
    try:
        reg.add_records(run_id, rest)
    except outputs.WriteFault:
        pass  # (no room even for that: the run stays without them, and is redone next time)


def _put_if_changed(layout: Layout, path: Path, data: bytes, digest: str | None = None) -> dict:
    digest = digest or outputs.sha256_bytes(data)
    if sha256_file(path) != digest:
        outputs.write(path, data)
    return {"path": layout.rel(path), "sha256": digest}
