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
`verify` recomputes the chain, so any row edited, inserted or deleted afterwards shows up.

The chain alone cannot tell a rewrite by sivreg's own code (triggers dropped, rows changed,
every hash recomputed) from the real thing, nor a register cut back to an earlier run. So:
    signatures  one row per run that had a key: HMAC of the chain head (keys.py); a register
                rewritten without the key cannot be signed again
    register.log  beside the register, one line per run with its checksum and signature
                (reglog.py); `verify` checks the register against it, or against a kept copy
                (--log) or a checksum a run printed (--expect), so a deleted run is found
"""
from __future__ import annotations

import errno
import hashlib
import json
import os
import sqlite3
import zlib
from datetime import datetime, timezone
from pathlib import Path

from ..errors import SivregError
from ..io import UserError, message_text

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
CREATE TABLE IF NOT EXISTS signatures (
    run_id INTEGER PRIMARY KEY REFERENCES runs(run_id), seq INTEGER NOT NULL, head TEXT NOT NULL,
    key_id TEXT NOT NULL, hmac TEXT NOT NULL, signed_at TEXT NOT NULL);
"""
GUARDS = [f"{t}_no_{op.lower()}" for t in TABLES for op in ("UPDATE", "DELETE")]
GUARDED = TABLES + ("signatures",)


def _guards_sql() -> str:
    return "".join(
        f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
        f"BEGIN SELECT RAISE(ABORT, 'the sivreg register is append-only'); END;\n"
        for t in GUARDED for op in ("UPDATE", "DELETE"))


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
        except BaseException as exc:
            try:
                self.db.execute("ROLLBACK")
            except sqlite3.Error:
                pass  # (SQLite rolled back itself)
            if isinstance(exc, sqlite3.OperationalError):  # disk full, read-only file or folder
                raise _write_fault(self.path, exc) from None
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
                # the JSON bytes made once in prepare (the same bytes as the file, and its sha256)
                "assessment": zlib.compress(e.assessment_bytes, 6) if e.assessment_bytes else None,
                "assessment_sha256": (e.assessment_sha256 or hashlib.sha256(e.assessment_bytes).hexdigest())
                if e.assessment_bytes else None,
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

    def sign(self, run_id: int, key) -> str:
        """Sign the chain head with the key (keys.Key); returns the signature."""
        seq, head = self._head()
        sig = key.sign(run_id, seq, head)
        try:
            self.db.execute("INSERT INTO signatures VALUES (?, ?, ?, ?, ?, ?)",
                            (run_id, seq, head, key.key_id, sig, now()))
        except sqlite3.OperationalError as exc:
            raise _write_fault(self.path, exc) from None
        return sig

    def run_end_hashes(self) -> dict[int, str]:
        """run id -> the checksum printed when it ended (the hash of its run_ends row)."""
        return {r["run_id"]: r["hash"] for r in self.db.execute("SELECT run_id, hash FROM run_ends")}

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


def _write_fault(path: Path, exc: sqlite3.OperationalError):
    """SQLite's "database or disk is full" says the same as the file system's ENOSPC."""
    from .outputs import WriteFault
    reason = os.strerror(errno.ENOSPC) if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL else str(exc)
    return WriteFault(path.parent, f"{path.name}: {reason}")


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


def verify(path: str | Path, out_dir: str | Path | None = None, *, key=None, expect: str | None = None,
           log: str | Path | None = None, lang: str = "en") -> tuple[list[str], dict]:
    """Check the hash chain (and, given the output folder, that the files the register
    lists are the ones on disk), every signature with `key` (keys.Key), the register against
    its log (`log`, else register.log beside it) and against a checksum a run printed
    (`expect`). Returns (problems, facts); no problems = intact. facts["signed_by_key"] says
    whether who wrote it was checked (only with the key)."""
    from .reglog import NAME
    path = Path(path)
    log_path = Path(log) if log else path.with_name(NAME)
    empty = not path.exists() or path.stat().st_size == 0
    if empty and (log or log_path.exists() and _log_runs(log_path)):
        # a register deleted or truncated while its log shows it held runs
        return [message_text("portfolio.verify.gone", {"file": str(path), "log": str(log_path),
                                                       "n": _log_runs(log_path)}, lang)], {}
    try:
        problems, facts = _verify(path, out_dir)
    except sqlite3.DatabaseError as exc:
        return [f"{path}: cannot be read as a register ({exc})"], {}
    except UserError as exc:
        return [str(exc)], {}
    if facts:
        problems += _check_integrity(path, facts, key, expect, log_path, bool(log), lang)
    return problems, facts


def _log_runs(path: Path) -> int:
    from .reglog import read
    try:
        return len(read(path)[0])
    except OSError:
        return 0


def _check_integrity(path, facts, key, expect, log_path, log_given, lang) -> list[str]:
    """Signatures, the log and the expected checksum (the chain itself is checked already)."""
    from .reglog import read
    T = lambda k, **a: message_text(f"portfolio.verify.{k}", a, lang)  # noqa: E731
    problems = []
    reg = Register(path, create=False, check=False)
    try:
        ends = reg.run_end_hashes()
        chain = {r["seq"]: r["hash"] for t in TABLES for r in reg.db.execute(f"SELECT seq, hash FROM {t}")}
        have = {r["name"] for r in reg.db.execute("SELECT name FROM sqlite_master")}
        sigs = [dict(r) for r in reg.db.execute("SELECT * FROM signatures ORDER BY seq")] \
            if "signatures" in have else []
        for t in ("signatures",):
            for op in ("update", "delete"):
                if "signatures" in have and f"{t}_no_{op}" not in have:
                    problems.append(f"append-only guard (trigger {t}_no_{op}) has been removed")
    finally:
        reg.close()
    facts["signatures"] = len(sigs)
    facts["signed_by_key"] = False
    head_seq = max(chain) if chain else 0
    if key is not None:
        for s in sigs:
            if s["key_id"] != key.key_id:
                problems.append(T("other_key", run=s["run_id"], key_id=s["key_id"], mine=key.key_id))
            elif chain.get(s["seq"]) != s["head"] or not key.check(s["run_id"], s["seq"], s["head"], s["hmac"]):
                problems.append(T("bad_signature", run=s["run_id"]))
        last = max((s["seq"] for s in sigs), default=0)
        if last < head_seq:
            problems.append(T("unsigned_rows", first=last + 1, last=head_seq))
        facts["signed_by_key"] = not problems
    if expect:
        expect = expect.strip().lower()
        if expect not in ends.values():
            problems.append(T("expect_missing", checksum=expect))
        elif ends.get(max(ends)) != expect:
            run = next(r for r, h in ends.items() if h == expect)
            facts["runs_since_expected"] = sum(1 for r in ends if r > run)
    if log_path.exists():
        try:
            lines, bad = read(log_path)
        except OSError as exc:
            return problems + [T("log_unreadable", log=str(log_path), reason=exc.strerror or str(exc))]
        for n in bad:
            problems.append(T("log_bad_line", log=str(log_path), line=n))
        for ln in lines:
            if ln.number not in ends:
                problems.append(T("log_run_missing", log=str(log_path), line=ln.line, run=ln.number))
            elif ends[ln.number] != ln.checksum:
                problems.append(T("log_checksum", log=str(log_path), line=ln.line, run=ln.number))
            elif key is not None and ln.signature and ln.key_id == key.key_id:
                seq = next((s["seq"] for s in sigs if s["run_id"] == ln.number), None)
                if seq is None or not key.check(ln.number, seq, chain.get(seq, ""), ln.signature):
                    problems.append(T("log_signature", log=str(log_path), line=ln.line, run=ln.number))
        facts["log"] = str(log_path)
        facts["log_runs"] = len(lines)
    elif log_given:
        problems.append(T("log_unreadable", log=str(log_path), reason="no such file"))
    return problems


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
