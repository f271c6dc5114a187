"""The register: an SQLite file in the output folder with every run and, per run and
project, what was concluded under which rules.

Tables (append-only; triggers refuse UPDATE and DELETE):
    runs      one row when a run starts: options, rulebook version and sha256, sivreg version
    records   one row per project and run: file, input hash, rulebook, scenario, as_of, lang,
              status (ok | skipped | assessed | failed | invalid), error, outcomes, missing
              answers, the answers themselves and the whole assessment (zlib JSON), outputs
              with their sha256
    run_ends  one row when a run finishes: status and counts (a run without one was interrupted)

All rows share one sequence `seq` and form one hash chain: each row stores the hash of the
row before it (`prev_hash`) and its own `hash` = sha256 over its table name and every column.
`verify` recomputes the chain, so any row edited, inserted or deleted afterwards shows up
(deleting the newest rows is only caught against a copy of the last hash, which each run
prints and puts in the summary).
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
import zlib
from datetime import datetime, timezone
from pathlib import Path

from ..errors import SivregError
from ..io import UserError

GENESIS = "0" * 64
SCHEMA_VERSION = "1"
TABLES = ("runs", "records", "run_ends")
PRIMARY = {"runs": "run_id", "records": "record_id", "run_ends": "run_id"}
DDL = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    run_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL UNIQUE, started_at TEXT NOT NULL,
    source_dir TEXT, as_of TEXT, scenario TEXT, lang TEXT, rulebook_version TEXT,
    rulebook_sha256 TEXT, sivreg_version TEXT, options TEXT,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    record_id INTEGER PRIMARY KEY, seq INTEGER NOT NULL UNIQUE,
    run_id INTEGER NOT NULL REFERENCES runs(run_id), project_id TEXT NOT NULL, source TEXT,
    status TEXT NOT NULL, error TEXT, inputs_sha256 TEXT, rulebook_version TEXT,
    rulebook_sha256 TEXT, scenario TEXT, as_of TEXT, lang TEXT, run_key TEXT, outcomes TEXT,
    missing TEXT, answers TEXT, assessment BLOB, assessment_sha256 TEXT, outputs TEXT,
    source_run INTEGER, seconds REAL, recorded_at TEXT NOT NULL,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS records_project ON records(project_id, record_id);
CREATE INDEX IF NOT EXISTS records_run ON records(run_id);
CREATE TABLE IF NOT EXISTS run_ends (
    run_id INTEGER PRIMARY KEY REFERENCES runs(run_id), seq INTEGER NOT NULL UNIQUE,
    finished_at TEXT NOT NULL, status TEXT NOT NULL, counts TEXT, summary TEXT,
    prev_hash TEXT NOT NULL, hash TEXT NOT NULL);
"""
GUARDS = [f"{t}_no_{op.lower()}" for t in TABLES for op in ("UPDATE", "DELETE")]


def _guards_sql() -> str:
    return "".join(
        f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
        f"BEGIN SELECT RAISE(ABORT, 'the sivreg register is append-only'); END;\n"
        for t in TABLES for op in ("UPDATE", "DELETE"))


def now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def row_hash(table: str, row: dict) -> str:
    """sha256 over the table name and every column except `hash` (blobs by their sha256)."""
    canon = {"table": table}
    for k, v in row.items():
        if k == "hash":
            continue
        canon[k] = {"blob_sha256": hashlib.sha256(v).hexdigest()} if isinstance(v, bytes) else v
    text = json.dumps(canon, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _dumps(v) -> str | None:
    return None if v is None else json.dumps(v, ensure_ascii=False, sort_keys=True)


class Register:
    """Open (and create) the register at `path`. Only the coordinating process writes."""

    def __init__(self, path: str | Path, create: bool = True, check: bool = True):
        self.path = Path(path)
        if not create and not self.path.exists():
            raise UserError("portfolio.err.no_register", file=str(self.path))
        try:
            self.db = sqlite3.connect(self.path, isolation_level=None)
        except sqlite3.Error as exc:
            raise UserError("portfolio.err.register_damaged", file=str(self.path), reason=str(exc)) from None
        self.db.row_factory = sqlite3.Row
        try:
            self.db.execute("SELECT count(*) FROM sqlite_master").fetchone()  # "file is not a database"
            if create:
                self.db.executescript(DDL + _guards_sql())
                self.db.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (SCHEMA_VERSION,))
            if check:  # (verify looks closer and names what is missing)
                self.db.execute("SELECT count(*) FROM runs").fetchone()
        except sqlite3.Error as exc:  # not a register, or one damaged: never written over
            self.db.close()
            raise UserError("portfolio.err.register_damaged", file=str(self.path), reason=str(exc)) from None

    def close(self):
        self.db.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- writing -------------------------------------------------------------------------
    def _head(self) -> tuple[int, str]:
        row = self.db.execute(
            "SELECT seq, hash FROM (SELECT seq, hash FROM runs UNION ALL SELECT seq, hash FROM records "
            "UNION ALL SELECT seq, hash FROM run_ends) ORDER BY seq DESC LIMIT 1").fetchone()
        return (row["seq"], row["hash"]) if row else (0, GENESIS)

    def _append(self, table: str, rows: list[dict]) -> list[int]:
        """Append rows in one transaction, chained to the current head."""
        ids = []
        self.db.execute("BEGIN IMMEDIATE")
        try:
            seq, prev = self._head()
            columns = [c["name"] for c in self.db.execute(f"PRAGMA table_info({table})")]
            pk = PRIMARY[table]
            next_id = self.db.execute(f"SELECT COALESCE(MAX({pk}), 0) + 1 FROM {table}").fetchone()[0]
            for row in rows:
                seq += 1
                # every column, the id included, so the hash covers the whole row as stored
                row = {c: row.get(c) for c in columns if c != "hash"}
                if row[pk] is None:
                    row[pk], next_id = next_id, next_id + 1
                row.update(seq=seq, prev_hash=prev)
                row["hash"] = prev = row_hash(table, row)
                self.db.execute(f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})",
                                list(row.values()))
                ids.append(row[pk])
            self.db.execute("COMMIT")
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        return ids

    def start_run(self, *, source_dir, as_of, scenario, lang, book, sivreg_version, options: dict) -> int:
        return self._append("runs", [{
            "started_at": now(), "source_dir": str(source_dir), "as_of": as_of, "scenario": scenario,
            "lang": lang, "rulebook_version": book.version, "rulebook_sha256": book.sha256,
            "sivreg_version": sivreg_version, "options": _dumps(options)}])[0]

    def add_records(self, run_id: int, entries) -> None:
        """One record per entry (prepare.Entry), all in one transaction."""
        rows = []
        for e in entries:
            a = e.assessment or {}
            rb = a.get("rulebook", {})
            rows.append({
                "run_id": run_id, "project_id": e.project_id, "source": str(e.file), "status": e.status,
                "error": e.error, "inputs_sha256": a.get("inputs_sha256"),
                "rulebook_version": rb.get("version"), "rulebook_sha256": rb.get("sha256"),
                "scenario": rb.get("scenario"), "as_of": a.get("as_of"), "lang": a.get("lang"),
                "run_key": e.key,
                "outcomes": _dumps({t: {"status": o["status"], "value": o["value"]}
                                    for t, o in a.get("outcomes", {}).items()}) if a else None,
                "missing": _dumps(a.get("missing")) if a else None,
                "answers": _dumps(e.project.to_dict()) if e.project is not None else None,
                "assessment": zlib.compress(e.assessment_json.encode("utf-8"), 6) if e.assessment_json else None,
                "assessment_sha256": hashlib.sha256(e.assessment_json.encode()).hexdigest()
                if e.assessment_json else None,
                "outputs": _dumps(e.outputs) if e.outputs else None, "source_run": e.source_run,
                "seconds": e.seconds, "recorded_at": now()})
        if rows:
            self._append("records", rows)

    def end_run(self, run_id: int, status: str, counts: dict, summary: dict | None = None) -> str:
        self._append("run_ends", [{"run_id": run_id, "finished_at": now(), "status": status,
                                   "counts": _dumps(counts), "summary": _dumps(summary)}])
        return self.head_hash()

    def head_hash(self) -> str:
        return self._head()[1]

    # -- reading -------------------------------------------------------------------------
    def runs(self) -> list[dict]:
        rows = self.db.execute(
            "SELECT r.*, e.finished_at, e.status AS end_status, e.counts FROM runs r "
            "LEFT JOIN run_ends e USING (run_id) ORDER BY r.run_id").fetchall()
        out = []
        for r in rows:
            d = dict(r)
            d["status"] = d.pop("end_status") or "interrupted"
            d["counts"] = json.loads(d["counts"]) if d["counts"] else None
            d["options"] = json.loads(d["options"]) if d["options"] else {}
            out.append(d)
        return out

    def run(self, run_id: int) -> dict:
        for r in self.runs():
            if r["run_id"] == run_id:
                return r
        raise UserError("portfolio.err.no_run", file=str(self.path), run=run_id)

    def previous_run(self, run_id: int) -> int | None:
        """The newest finished run before `run_id` (else the newest earlier run at all)."""
        earlier = [r for r in self.runs() if r["run_id"] < run_id]
        done = [r for r in earlier if r["status"] != "interrupted"]
        pick = (done or earlier)
        return pick[-1]["run_id"] if pick else None

    def records(self, run_id: int) -> dict[str, dict]:
        """project id -> record of that run, with answers and assessment decoded."""
        out = {}
        for r in self.db.execute("SELECT * FROM records WHERE run_id = ? ORDER BY record_id", (run_id,)):
            out[r["project_id"]] = decode(r)
        return out

    def last_good(self, project_id: str) -> dict | None:
        """The newest record of a project whose outputs were made or kept (ok or skipped)."""
        r = self.db.execute("SELECT run_id, run_key, outputs, status, source_run FROM records "
                            "WHERE project_id = ? AND status IN ('ok', 'skipped') "
                            "ORDER BY record_id DESC LIMIT 1", (project_id,)).fetchone()
        if r is None:
            return None
        return {"run_id": r["run_id"], "run_key": r["run_key"], "status": r["status"],
                "outputs": json.loads(r["outputs"]) if r["outputs"] else {},
                "source_run": r["source_run"] or r["run_id"]}

    def latest_outputs(self) -> dict[str, dict]:
        """project id -> outputs of its newest record that has any (what should be on disk)."""
        out = {}
        for r in self.db.execute("SELECT project_id, outputs FROM records WHERE outputs IS NOT NULL "
                                 "ORDER BY record_id"):
            out[r["project_id"]] = json.loads(r["outputs"])
        return out


def decode(r: sqlite3.Row) -> dict:
    d = dict(r)
    for k in ("outcomes", "missing", "answers", "outputs"):
        d[k] = json.loads(d[k]) if d.get(k) else None
    d["assessment"] = json.loads(zlib.decompress(d["assessment"])) if d.get("assessment") else None
    return d


def _describe(table: str, row: dict) -> str:
    if table == "records":
        return f"records row record_id={row['record_id']} (seq {row['seq']}, run {row['run_id']}, project {row['project_id']})"
    return f"{table} row run_id={row['run_id']} (seq {row['seq']})"


def verify(path: str | Path, out_dir: str | Path | None = None) -> tuple[list[str], dict]:
    """Check the hash chain (and, given the output folder, that the files the register
    lists are the ones on disk). Returns (problems, facts); no problems = intact."""
    try:
        return _verify(path, out_dir)
    except sqlite3.DatabaseError as exc:
        return [f"{path}: cannot be read as a register ({exc})"], {}
    except UserError as exc:
        return [str(exc)], {}


def _verify(path, out_dir):
    from .outputs import sha256_file
    reg = Register(path, create=False, check=False)
    problems: list[str] = []
    try:
        db = reg.db
        have = {r["name"] for r in db.execute("SELECT name FROM sqlite_master")}
        missing_tables = [t for t in TABLES if t not in have]
        if missing_tables:
            return [f"{path}: not a sivreg register (tables missing: {', '.join(missing_tables)})"], {}
        for g in GUARDS:
            if g not in have:
                problems.append(f"append-only guard (trigger {g}) has been removed")
        rows = []
        for t in TABLES:
            rows += [(t, dict(r)) for r in db.execute(f"SELECT * FROM {t}")]
        rows.sort(key=lambda x: x[1]["seq"])
        prev, expected_seq = GENESIS, 1
        runs = set()
        for table, row in rows:
            what = _describe(table, row)
            if row["seq"] != expected_seq:
                problems.append(f"{what}: sequence jumps from {expected_seq - 1} to {row['seq']} "
                                "(rows were deleted or inserted)")
            expected_seq = row["seq"] + 1
            if row["prev_hash"] != prev:
                problems.append(f"{what}: prev_hash does not match the hash of the row before it")
            if row_hash(table, row) != row["hash"]:
                problems.append(f"{what}: contents do not match its hash (the row was altered after it was written)")
            prev = row["hash"]
            if table == "runs":
                runs.add(row["run_id"])
            elif row["run_id"] not in runs:
                problems.append(f"{what}: refers to run {row['run_id']}, which does not come before it")
        facts = {"rows": len(rows), "runs": len(runs), "head": prev}
        if out_dir is not None:
            root = Path(out_dir)
            for pid, outputs in reg.latest_outputs().items():
                for item in outputs.values():
                    if sha256_file(root / item["path"]) != item["sha256"]:
                        problems.append(f"{item['path']} (project {pid}) is missing or differs from "
                                        "what the register recorded")
        return problems, facts
    finally:
        reg.close()
