"""One project's report: execute notebooks/report.ipynb with papermill and convert the
executed notebook to HTML (no code shown).

`execute(task)` is what a worker runs, on this machine or on a Dask worker elsewhere: the task
carries the answers file and the notebook as text, and the result carries the executed
notebook, the HTML and the assessment JSON the notebook wrote, as text. Workers never write
into the output folder; the coordinating process does, atomically. So a worker left running
after its parent was killed cannot spoil the next run's outputs.
"""
from __future__ import annotations

import errno
import re

import functools
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

KERNEL = "python3"


@dataclass(frozen=True)
class Task:
    project_id: str
    file_name: str          # the answers file's own name (shown by the notebook, if at all)
    answers_text: str
    notebook_text: str
    as_of: str
    scenario: str | None
    lang: str
    cell_timeout: int = 600  # seconds per cell; the kernel start and shutdown have their own
    work_root: str | None = None  # where to make the scratch folder (None: the system's temp)


def parameters(task: Task, project_file: str, result_json: str) -> dict:
    """The notebook's parameters (its `parameters` cell): project_file, as_of, scenario,
    lang, result_json."""
    return {"project_file": project_file, "as_of": task.as_of, "scenario": task.scenario,
            "lang": task.lang, "result_json": result_json}


# The lab template without the scripts it fetches from a CDN (require.js, MathJax, mermaid):
# a report must open on a hospital PC with no internet access. CSS stays inline.
_TEMPLATE = """{%- extends 'lab/index.html.j2' -%}
{%- block html_head_js_requirejs -%}{%- endblock html_head_js_requirejs -%}
{%- block html_head_js_mathjax -%}{%- endblock html_head_js_mathjax -%}
{%- block html_head_js_mermaidjs -%}{%- endblock html_head_js_mermaidjs -%}
"""


@functools.lru_cache(maxsize=1)
def _exporter():
    # one per worker process: building the template environment costs more than a conversion
    from jinja2 import DictLoader
    from nbconvert import HTMLExporter
    return HTMLExporter(template_name="lab", extra_loaders=[DictLoader({"sivreg_report.html.j2": _TEMPLATE})],
                        template_file="sivreg_report.html.j2", exclude_input=True,
                        exclude_input_prompt=True, exclude_output_prompt=True)


_lock = threading.Lock()


def to_html(nb) -> str:
    """The executed notebook as one HTML page: outputs only, no code, no prompts."""
    with _lock:  # the exporter is shared by the threads of one worker process
        body, _ = _exporter().from_notebook_node(nb)
    return body


def _project_title(result_json: str | None) -> str | None:
    import json
    try:
        return (json.loads(result_json or "{}").get("project") or {}).get("title") or None
    except ValueError:
        return None


def _pdf(task: Task, result_json: str | None) -> bytes | None:
    """The report as PDF (sivreg.render.pdf), from the assessment the notebook wrote and the
    answers (for the appendix of answers)."""
    import json

    from ..io import loads
    from ..render.pdf import to_pdf
    if not result_json:
        return None
    return to_pdf(json.loads(result_json), task.lang, project=loads(task.answers_text, task.file_name))


def _error_text(exc) -> str:
    ename = getattr(exc, "ename", None)
    if ename:  # papermill.PapermillExecutionError
        cell = getattr(exc, "exec_count", None)
        return f"notebook cell [{cell}] raised {ename}: {getattr(exc, 'evalue', '')}".strip()
    return f"{type(exc).__name__}: {exc}".strip()


# A full disk or a read-only scratch folder is the machine's fault, not the project's: the
# result says so (write_errno) and the coordinator stops the run instead of failing project
# after project.
_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT, errno.EROFS}


def _disk_errno(exc) -> int | None:
    if isinstance(exc, OSError) and exc.errno in _DISK_ERRNOS:
        return exc.errno
    m = re.search(r"\[Errno (\d+)\]", str(getattr(exc, "evalue", "") or ""))  # raised in a cell
    return int(m.group(1)) if m and int(m.group(1)) in _DISK_ERRNOS else None


def execute(task: Task) -> dict:
    """Run the notebook for one project. Never raises for a notebook failure: the result has
    ok False, the error, and the executed notebook up to the failing cell when there is one.
    `write_errno` is set when the scratch folder could not be written (disk full, read-only)."""
    try:
        return _execute(task)
    except OSError as exc:
        if exc.errno not in _DISK_ERRNOS:
            raise
        return {"project_id": task.project_id, "ok": False, "error": _error_text(exc), "ipynb": None,
                "html": None, "result_json": None, "seconds": None, "write_errno": exc.errno}


def _execute(task: Task) -> dict:
    import nbformat
    import papermill as pm

    start = time.perf_counter()
    out = {"project_id": task.project_id, "ok": False, "error": None, "ipynb": None,
           "html": None, "result_json": None, "seconds": None, "write_errno": None}
    if task.work_root:
        Path(task.work_root).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="sivreg-nb-", dir=task.work_root) as tmp:
        tmp = Path(tmp)
        answers = tmp / task.file_name
        answers.write_text(task.answers_text, encoding="utf-8")
        source = tmp / "report.ipynb"
        source.write_text(task.notebook_text, encoding="utf-8")
        executed, result = tmp / "executed.ipynb", tmp / "result.json"
        try:
            pm.execute_notebook(str(source), str(executed), kernel_name=KERNEL, cwd=str(tmp),
                                parameters=parameters(task, str(answers), str(result)),
                                progress_bar=False, log_output=False,
                                execution_timeout=task.cell_timeout, start_timeout=120)
        except Exception as exc:  # a failed cell, a dead kernel, a timeout
            out["error"] = _error_text(exc)
            out["write_errno"] = _disk_errno(exc)
        if executed.exists():
            out["ipynb"] = executed.read_text(encoding="utf-8")
        if out["error"] is None:
            if result.exists():
                out["result_json"] = result.read_text(encoding="utf-8")
            try:
                nb = nbformat.reads(out["ipynb"], as_version=4)
                title = _project_title(out["result_json"])
                if title:  # the browser tab names the project, not "Notebook"
                    nb.metadata["title"] = title
                out["html"] = to_html(nb)
                out["ok"] = True
            except Exception as exc:
                out["error"] = f"HTML conversion failed: {type(exc).__name__}: {exc}"
            if out["ok"]:
                try:  # the same document as PDF, beside the HTML report
                    out["pdf"] = _pdf(task, out["result_json"])
                except Exception as exc:
                    out["ok"], out["error"] = False, f"PDF failed: {type(exc).__name__}: {exc}"
    out["seconds"] = round(time.perf_counter() - start, 3)
    return out
