"""Read, validate and assess every project of a portfolio in-process, before any notebook runs.

A project that cannot be read (broken YAML, unknown question, value not allowed) or whose
assessment raises a user error becomes an entry with status "invalid" or "failed" and the
message; the others go on. Two files with the same project id (ignoring case) are both invalid,
each naming the others: outputs are named after the id, and which file is the real one is
for a person to say, not the sort order. Every `*.yaml` entry of the folder is reported: a
FIFO, a device, a link to one, a folder or a broken link is an invalid entry saying why, never
skipped in silence. File names are shown with control characters escaped (sivreg.textclean).
"""
from __future__ import annotations

import hashlib
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path

from ..catalogue import UNKNOWN, Rulebook
from ..engine import assess
from ..errors import SivregError
from ..io import UserError, assessment_bytes, error_text, load, message_text, orjson
from ..textclean import for_terminal

PATTERNS = ("*.yaml", "*.yml")
# Names Windows keeps for devices (whatever the extension) : reports/CON.html cannot be opened
# from a shared drive, and a final dot is dropped there (abc. and abc would be one file).
_WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def _portable_id(pid: str) -> bool:
    return pid.split(".")[0].casefold() not in _WINDOWS_RESERVED and not pid.endswith(".")


@dataclass
class Entry:
    """One answers file and what sivreg made of it in this run."""

    file: Path
    project_id: str
    status: str = "assessed"          # assessed | invalid | failed (later ok | skipped)
    error: str | None = None
    project: object = None            # sivreg.model.Project
    assessment: dict | None = None
    assessment_bytes: bytes | None = None   # the JSON text (UTF-8), made once: file, register, hash
    assessment_sha256: str | None = None
    key: str | None = None            # what must be unchanged to skip the notebook
    outputs: dict = field(default_factory=dict)
    source_run: int | None = None     # for a skipped project: the run that made its outputs
    seconds: float | None = None
    stage: str | None = None          # run.py: "written" (files replaced), then "recorded" (in the register)
    matrix: dict | None = None        # run.py --no-notebooks: the summary's matrix cells, made before
                                      # the assessment is cut down to the summary's part (slim)

    @property
    def assessment_json(self) -> str | None:
        return None if self.assessment_bytes is None else self.assessment_bytes.decode("utf-8")

    @property
    def title(self) -> str:
        return self.project.title if self.project is not None else self.file.name

    @property
    def owner(self) -> str:
        return self.project.owner if self.project is not None else ""


def discover(directory: str | Path) -> list[Path]:
    d = Path(directory)
    if not d.is_dir():
        raise UserError("portfolio.err.no_folder", folder=str(d))
    # not only regular files: anything else named *.yaml is reported by `prepare` (io.load
    # refuses it with the reason), so nothing in the folder is left out unseen
    files = sorted({p for pat in PATTERNS for p in d.glob(pat)})
    if not files:
        raise UserError("portfolio.err.no_files", folder=str(d))
    return files


def run_key(entry: Entry, notebook_sha256: str | None) -> str:
    """The inputs of a project's outputs: answers, rulebook, scenario, date, language, the
    notebook, and the assessment itself (which also changes when the rule code changes)."""
    a = entry.assessment
    parts = {"inputs_sha256": a["inputs_sha256"], "rulebook_sha256": a["rulebook"]["sha256"],
             "scenario": a["rulebook"]["scenario"], "as_of": a["as_of"], "lang": a["lang"],
             "notebook_sha256": notebook_sha256,
             "assessment_sha256": entry.assessment_sha256}
    return hashlib.sha256(json.dumps(parts, sort_keys=True).encode()).hexdigest()


def prepare(files, *, as_of, scenario, lang, book: Rulebook, notebook_sha256=None) -> list[Entry]:
    loaded = load_entries(files, lang, book)
    for entry in loaded:
        assess_entry(entry, as_of=as_of, scenario=scenario, lang=lang, book=book, notebook_sha256=notebook_sha256)
    return loaded


def load_entries(files, lang, book: Rulebook) -> list[Entry]:
    """Every file read and checked (not assessed yet); two files with one id both invalid."""
    loaded = _load_all(files, lang, book)
    # outputs are named after the id, and a shared drive may not tell Foo from foo
    by_id: dict[str, list[Entry]] = {}
    for e in loaded:
        if e.status == "assessed":
            by_id.setdefault(e.project_id.casefold(), []).append(e)
    for same in by_id.values():
        if len(same) > 1:
            for e in same:
                others = ", ".join(for_terminal(o.file) for o in same if o is not e)
                e.project_id = e.file.stem  # the id is nobody's until a person settles it
                e.status, e.error = "invalid", message_text(
                    "portfolio.err.id_shared", {"file": for_terminal(e.file), "id": e.project.id, "others": others},
                    lang, book)
    return loaded


def assess_entry(entry: Entry, *, as_of, scenario, lang, book: Rulebook, notebook_sha256=None) -> None:
    """Assess one loaded entry in-process: its JSON bytes (made once), their sha256, the
    assessment as read back from them, and its run key; or status failed with the message."""
    if entry.status != "assessed" or entry.assessment is not None:
        return
    try:
        result = assess(entry.project, as_of=as_of, scenario=scenario, lang=lang, book=book)
    except SivregError as exc:
        entry.status, entry.error = "failed", error_text(exc, lang, book)
    except Exception as exc:  # a bug in a rule must not stop the other projects
        entry.status, entry.error = "failed", message_text(
            "portfolio.err.internal", {"kind": type(exc).__name__, "detail": str(exc)}, lang, book)
    else:
        raw = assessment_bytes(result)
        entry.assessment_bytes = raw
        entry.assessment_sha256 = hashlib.sha256(raw).hexdigest()
        entry.assessment = orjson.loads(raw) if orjson is not None else json.loads(raw)
        entry.key = run_key(entry, notebook_sha256)


# What the summary page reads of an assessment once the project's files are written
# (sivreg.portfolio.summary: rows, deadlines, counts, scenario label); the rest (traces,
# obligations' texts, documentation checklist) is in the file and the register.
_KEEP = ("schema", "project", "as_of", "jurisdiction", "lang", "rulebook", "inputs_sha256", "status",
         "missing", "as_of_source", "scenario")
_OUTCOME_KEEP = ("status", "value", "branches", "missing")


def _label(v, lang):
    if isinstance(v, dict) and set(v) <= {"nb", "en"} and lang in v:
        v = v[lang]
    return sys.intern(v) if isinstance(v, str) else v


def _uncited(x):
    return {k: v for k, v in x.items() if k != "refs"} if isinstance(x, dict) else x


def for_matrix(a: dict) -> dict:
    """The assessment as the summary's status matrix reads it (summary.matrix_row, which
    builds the whole report document to count duties and word the verdicts): no citations
    (the matrix shows none; they are most of the cost), and of the trace only the steps a
    verdict is worded from (an answer "unknown", a note why it is undecided or waiting).
    tests/test_portfolio_scale.py checks that the cells are the same as from the whole
    assessment, for every example and every scenario case."""
    out = {k: v for k, v in a.items() if k != "technical_documentation"}
    out["outcomes"] = {t: {**o, "trace": [_uncited(st) for st in o.get("trace") or () if isinstance(st, dict) and (
        st.get("kind") in ("undecided", "waiting") or st.get("answer") == UNKNOWN)]} if isinstance(o, dict) else o
                       for t, o in (a.get("outcomes") or {}).items()}
    out["obligations"] = [_uncited(x) for x in a.get("obligations") or ()]
    out["actions"] = [_uncited(x) for x in a.get("actions") or ()]
    return out


def slim(a: dict) -> dict:
    """The summary's part of an assessment (about 2 % of it), labels in its own language and
    shared between projects, so 10,000 projects' rows fit in memory."""
    lang = a.get("lang") or "nb"
    out = {k: a[k] for k in _KEEP if k in a}
    out["outcomes"] = {t: {k: o[k] for k in _OUTCOME_KEEP if k in o} for t, o in (a.get("outcomes") or {}).items()}
    out["actions"] = [{"label": _label(x.get("label"), lang), "due": x.get("due")} if isinstance(x, dict) else x
                      for x in a.get("actions") or ()]
    out["obligations"] = [{"label": _label(x.get("label"), lang), "applies_from": x.get("applies_from")}
                          if isinstance(x, dict) else x for x in a.get("obligations") or ()]
    return out


def _load_all(files, lang, book) -> list[Entry]:
    """One entry per file: loaded (status assessed, not yet assessed) or invalid with why."""
    entries = []
    for f in files:
        f = Path(f)
        try:
            str(f).encode("utf-8")
        except UnicodeEncodeError:  # a name in another encoding: it cannot go in the register or the summary
            shown = Path(str(f).encode("utf-8", "surrogateescape").decode("utf-8", "replace"))
            entries.append(Entry(shown, shown.stem, status="invalid",
                                 error=message_text("portfolio.err.file_name", {"file": str(shown)}, lang, book)))
            continue
        try:
            project = load(f, book)
        except SivregError as exc:
            entries.append(Entry(f, f.stem, status="invalid", error=error_text(exc, lang, book)))
            continue
        if not _portable_id(project.id):
            entries.append(Entry(f, f.stem, status="invalid", project=project,
                                 error=message_text("portfolio.err.reserved_id", {"file": for_terminal(f), "id": project.id},
                                                    lang, book)))
            continue
        entries.append(Entry(f, project.id, project=project))
    return entries
