"""Issue 13, part 2: a register that cannot be rewritten unseen. Each attack is carried out on a
real SQLite register as an attacker with sivreg's own code would (triggers dropped, rows
changed or deleted, every hash recomputed with `row_hash`, triggers recreated), and each is
found: with the key by its signatures, without it by register.log, a kept copy of the log or
the checksum a run printed."""
from __future__ import annotations

import json
import os
import shutil
import sqlite3

import pytest

from sivreg.errors import SivregError
from sivreg.portfolio import run_portfolio, verify
from sivreg.portfolio.keys import init_key, load_key
from sivreg.portfolio.register import GENESIS, TABLES, _guards_sql, row_hash

from portfolio_helpers import AS_OF, EXAMPLES, copy_examples, set_answer, sivreg

NAMES = {"sepsis-icu", "ed-triage", "ehr-renal-dosing", "wellness-chatbot"}


def run(src, out, **kw):
    return run_portfolio(src, out, notebooks=False, progress=False, as_of=AS_OF, **kw)


@pytest.fixture
def setup(tmp_path):
    """Two runs (the second after one answer changed), signed with a key kept outside."""
    src = copy_examples(tmp_path / "params", NAMES)
    out = tmp_path / "out"
    keyfile = tmp_path / "keys" / "register.key"
    keyfile.parent.mkdir()
    key = init_key(keyfile)
    first = run(src, out, key=key)
    set_answer(src / "ed-triage.yaml", "qual.is_software", "unknown")
    second = run(src, out, key=key)
    assert first.signature and second.signature and second.run_id == 2
    kept_log = tmp_path / "kept-register.log"
    shutil.copy(out / "register.log", kept_log)
    return {"src": src, "out": out, "key": key, "keyfile": keyfile, "heads": [first.head, second.head],
            "kept_log": kept_log, "tmp": tmp_path}


def problems(s, **kw):
    return verify(s["out"] / "register.sqlite", s["out"], **kw)[0]


# -- the attacker ---------------------------------------------------------------------------------
def _rows(db):
    rows = []
    for t in TABLES:
        rows += [(t, dict(r)) for r in db.execute(f"SELECT * FROM {t}")]
    return sorted(rows, key=lambda x: x[1]["seq"])


def rewrite(path, change=None, drop_run=None, resign=None):
    """Drop the triggers, change rows (or delete the newest run), recompute every hash, put
    the triggers back. `resign`: a key (another one) to sign the new head with."""
    db = sqlite3.connect(path)
    db.row_factory = sqlite3.Row
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
        db.execute(f"DROP TRIGGER {name}")
    if drop_run is not None:
        for t in ("records", "run_ends", "signatures", "runs"):
            db.execute(f"DELETE FROM {t} WHERE run_id = ?", (drop_run,))
    if change:
        change(db)
    prev = GENESIS
    for t, row in _rows(db):
        row["prev_hash"] = prev
        row["hash"] = prev = row_hash(t, row)
        pk = "record_id" if t == "records" else "run_id"
        db.execute(f"UPDATE {t} SET prev_hash = ?, hash = ? WHERE {pk} = ?", (row["prev_hash"], row["hash"], row[pk]))
    if resign is not None:
        db.execute("DELETE FROM signatures")
        seq, head = db.execute("SELECT max(seq), (SELECT hash FROM run_ends ORDER BY seq DESC LIMIT 1) FROM run_ends").fetchone()
        run_id = db.execute("SELECT max(run_id) FROM runs").fetchone()[0]
        db.execute("INSERT INTO signatures VALUES (?, ?, ?, ?, ?, ?)",
                   (run_id, seq, head, resign.key_id, resign.sign(run_id, seq, head), "2026-12-01"))
    db.executescript(_guards_sql())
    db.commit()
    db.close()


def downgrade(db):
    """device_class IIb -> I (or whatever class there is) in four rows."""
    changed = 0
    for r in db.execute("SELECT record_id, outcomes FROM records WHERE outcomes IS NOT NULL").fetchall():
        o = json.loads(r["outcomes"])
        if changed < 4 and o.get("device_class", {}).get("value") not in (None, "I"):
            o["device_class"]["value"] = "I"
            db.execute("UPDATE records SET outcomes = ? WHERE record_id = ?", (json.dumps(o, sort_keys=True), r["record_id"]))
            changed += 1
    assert changed >= 2


def cut_log(s, keep_runs):
    """The attacker also edits register.log beside the register."""
    log = s["out"] / "register.log"
    lines = log.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith("run\t") or int(ln.split("\t")[1]) <= keep_runs]
    log.write_text("".join(kept), encoding="utf-8")


# -- attacks ------------------------------------------------------------------------------------------
def test_an_untouched_register_passes_every_check(setup):
    s = setup
    assert problems(s) == []
    assert problems(s, key=s["key"], expect=s["heads"][1], log=s["kept_log"]) == []
    assert problems(s, expect=s["heads"][0]) == []  # an older printed checksum is in the register too
    r = sivreg("portfolio", "verify", "--out", s["out"], "--key", s["keyfile"], "--expect", s["heads"][1],
               "--log", s["kept_log"], "--lang", "en")
    assert r.returncode == 0 and "All 2 signatures match" in r.stdout, r.stderr


def test_edit_and_recompute_passes_the_chain_but_not_the_key_the_log_or_the_checksum(setup):
    s = setup
    rewrite(s["out"] / "register.sqlite", change=downgrade)
    chain_only = verify(s["out"] / "register.sqlite", s["out"], log=s["tmp"] / "nothing")[0]
    # (what fooled verify before: the chain alone is intact)
    assert all("log" in p for p in chain_only), chain_only
    assert any("signature of run" in p for p in problems(s, key=s["key"]))        # with the key
    assert any("checksum of run 1 differs" in p for p in problems(s))             # the log beside it
    cut_log(s, 0)  # the attacker empties the log too
    assert any("not in the register" in p for p in problems(s, expect=s["heads"][1]))  # a printed checksum
    assert any("differs in the register" in p for p in problems(s, log=s["kept_log"]))  # a kept copy
    assert any("signature" in p for p in problems(s, key=s["key"]))
    r = sivreg("portfolio", "verify", "--out", s["out"], "--key", s["keyfile"])
    assert r.returncode == 1 and "signaturen for kjøring" in r.stderr.lower()


def test_a_rewrite_signed_with_another_key_fails(setup):
    s = setup
    other = init_key(s["tmp"] / "other.key")
    rewrite(s["out"] / "register.sqlite", change=downgrade, resign=other)
    cut_log(s, 0)
    found = problems(s, key=s["key"])
    assert any("signed with another key" in p for p in found), found
    assert problems(s, key=other) == []  # the forger's own key: which is why the key stays secret


def test_deleting_the_newest_run_is_found(setup):
    s = setup
    rewrite(s["out"] / "register.sqlite", drop_run=2)
    found = problems(s)
    assert any("run 2 is in the log but not" in p for p in found), found       # without the key
    assert any("run 2 is in the log" in p for p in problems(s, key=s["key"]))   # with it
    cut_log(s, 1)
    # register and log cut alike: the signatures still match (the outputs on disk, newer than
    # the register, are the only trace here); a kept copy or the printed checksum tells
    assert not any("signature" in p or "log" in p for p in problems(s, key=s["key"]))
    assert any("not in the register" in p for p in problems(s, expect=s["heads"][1]))
    assert any("run 2 is in the log" in p for p in problems(s, log=s["kept_log"], key=s["key"]))
    r = sivreg("portfolio", "verify", "--out", s["out"], "--expect", s["heads"][1], "--lang", "en")
    assert r.returncode == 1 and "is not in the register" in r.stderr


@pytest.mark.parametrize("how", ["truncate", "delete"])
def test_a_register_truncated_or_deleted_is_refused_and_found(setup, how):
    s = setup
    reg = s["out"] / "register.sqlite"
    if how == "truncate":
        os.truncate(reg, 0)
    else:
        reg.unlink()
    for key in (None, s["key"]):
        with pytest.raises(SivregError, match="missing or empty, but the folder holds earlier outputs"):
            run(s["src"], s["out"], key=key)
        assert any("log" in p and "2 run(s)" in p for p in problems(s, key=key))
    r = sivreg("portfolio", "run", s["src"], "--out", s["out"], "--no-notebooks", "--as-of", AS_OF)
    assert r.returncode == 1 and "--new-register" in r.stderr and "Kjøring 1" not in r.stdout
    # on purpose: a new register, and the log says so
    res = run(s["src"], s["out"], key=s["key"], new_register=True)
    assert res.run_id == 1 and "new-register" in (s["out"] / "register.log").read_text(encoding="utf-8")
    assert problems(s, key=s["key"]) == []
    assert any("not in the register" in p for p in problems(s, expect=s["heads"][1]))  # the old history is gone


def test_new_register_never_replaces_one_with_runs(setup):
    with pytest.raises(SivregError, match="move it away first"):
        run(setup["src"], setup["out"], key=setup["key"], new_register=True)
    assert problems(setup) == []


@pytest.mark.parametrize("same_key", [True, False])
def test_another_register_swapped_in_is_found(setup, same_key):
    s = setup
    other_out = s["tmp"] / "other-out"
    other_key = s["key"] if same_key else init_key(s["tmp"] / "k2.key")
    run(copy_examples(s["tmp"] / "p2", {"sepsis-icu"}), other_out, key=other_key)
    run(s["tmp"] / "p2", other_out, key=other_key, force=True)
    shutil.copy(other_out / "register.sqlite", s["out"] / "register.sqlite")
    assert any("differs in the register" in p for p in problems(s))          # without the key
    found = problems(s, key=s["key"])
    assert found and (same_key or any("another key" in p for p in found))


# -- the key itself -----------------------------------------------------------------------------------
def test_init_key_is_private_and_never_overwrites(tmp_path):
    r = sivreg("portfolio", "init-key", tmp_path / "k", "--lang", "en")
    assert r.returncode == 0 and (os.stat(tmp_path / "k").st_mode & 0o777) == 0o600
    before = (tmp_path / "k").read_bytes()
    r = sivreg("portfolio", "init-key", tmp_path / "k", "--lang", "en")
    assert r.returncode == 1 and "never writes over a key" in r.stderr and (tmp_path / "k").read_bytes() == before
    os.chmod(tmp_path / "k", 0o644)
    with pytest.raises(SivregError, match="chmod 600"):
        load_key(tmp_path / "k")
    (tmp_path / "bad").write_text("not a key\n")
    os.chmod(tmp_path / "bad", 0o600)
    with pytest.raises(SivregError, match="not a sivreg key"):
        load_key(tmp_path / "bad")


def test_a_key_in_the_output_folder_is_refused_and_the_environment_is_read(tmp_path, monkeypatch):
    src = copy_examples(tmp_path / "p", {"sepsis-icu"})
    out = tmp_path / "out"
    out.mkdir()
    init_key(out / "k.key")
    with pytest.raises(SivregError, match="inside the output folder"):
        run(src, out, key=str(out / "k.key"))
    init_key(tmp_path / "env.key")
    monkeypatch.setenv("SIVREG_REGISTER_KEY", str(tmp_path / "env.key"))
    res = run(src, tmp_path / "out2")
    assert res.signature and res.key_id == load_key(tmp_path / "env.key").key_id
    r = sivreg("portfolio", "verify", "--out", tmp_path / "out2", "--lang", "en",
               env={**os.environ, "SIVREG_REGISTER_KEY": str(tmp_path / "env.key")})
    assert r.returncode == 0 and "signatures match" in r.stdout
    r = sivreg("portfolio", "verify", "--out", tmp_path / "out2", "--lang", "en",
               env={k: v for k, v in os.environ.items() if k != "SIVREG_REGISTER_KEY"})
    assert r.returncode == 0 and "only the chain was checked" in r.stdout
