"""OpenFisca-style scenario cases: YAML files under tests/cases/<topic>/*.yaml, each a list
of cases with strict keys. Collected by tests/test_scenarios.py.

    - name: what the case shows
      source: where the expected answer comes from (a worked example, an article)
      as_of: "2026-11-26"          # optional (default 2026-11-26)
      scenario: amended            # optional
      jurisdiction: NO             # optional
      answers: {question id: value}
      modules: [{id, title, answers}]   # optional
      studies: [{id, title, answers}]   # optional
      expect:
        <topic>: value | {value, status, missing, rules, basis, ...}   # any outcome field
                 # and, for open answers: holds_regardless_of: [ids] (exact, any order),
                 # depends_on: [ids] (each names a question some branch turns on),
                 # branch_values: [values] (the distinct values of the branches, any order)
        status: determined | depends | indeterminate
        missing: [question ids]        # exact, in any order
        missing_includes: [question ids]
        obligations: {includes: [ids], excludes: [ids], conditional: [ids], unconditional: [ids]}
        actions: {includes: [ids], excludes: [ids], conditional: [ids], unconditional: [ids]}
      expect_trace: {<topic>: [rule ids that must appear, in this order]}
      expect_error: RuleConflict       # instead of expect
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import sivreg
from sivreg import yamlstrict

CASES_DIR = Path(__file__).parent / "cases"
CASE_KEYS = {"name", "source", "as_of", "scenario", "jurisdiction", "answers", "modules", "studies",
             "expect", "expect_trace", "expect_error", "lang"}
DEFAULT_AS_OF = "2026-11-26"


@dataclass(frozen=True)
class Case:
    file: str
    name: str
    data: dict

    @property
    def id(self) -> str:
        return f"{Path(self.file).parent.name}/{Path(self.file).stem}::{self.name}"


def collect() -> list[Case]:
    cases = []
    for f in sorted(CASES_DIR.rglob("*.yaml")):
        items = yamlstrict.load_file(f)
        assert isinstance(items, list), f"{f}: expected a list of cases"
        for c in items:
            unknown = set(c) - CASE_KEYS
            assert not unknown, f"{f}:{c.line}: unknown case keys {sorted(unknown)}"
            for k in ("name", "source", "answers"):
                assert k in c, f"{f}:{c.line}: case needs {k!r}"
            assert ("expect" in c) != ("expect_error" in c), f"{f}:{c.line}: give expect or expect_error"
            cases.append(Case(str(f), c["name"], c))
    return cases


def project_of(case: Case):
    d = case.data
    data = {"project": {"id": "case", "title": case.name}, "answers": d.get("answers") or {}}
    for k in ("modules", "studies", "scenario", "jurisdiction"):
        if k in d:
            data[k] = d[k]
    text = yamlstrict.dumps(data)
    return sivreg.loads(text, source=f"{case.file}::{case.name}")


def _like(have, want):
    """Expected values are read by the strict loader, so true/false arrive as text; read
    them as booleans where the result holds a boolean."""
    if isinstance(have, bool) and want in ("true", "false"):
        return want == "true"
    if isinstance(have, dict) and isinstance(want, dict):
        return {k: _like(have.get(k), v) for k, v in want.items()}
    return want


def check(case: Case) -> None:
    d = case.data
    project = project_of(case)
    kwargs = dict(as_of=d.get("as_of", DEFAULT_AS_OF), scenario=d.get("scenario"), lang=d.get("lang", "en"))
    if "expect_error" in d:
        try:
            sivreg.assess(project, **kwargs)
        except sivreg.SivregError as exc:
            assert type(exc).__name__ == d["expect_error"], f"raised {type(exc).__name__}: {exc}"
            return
        raise AssertionError(f"expected {d['expect_error']}, got an assessment")
    result = sivreg.assess(project, **kwargs).to_dict()
    for key, want in d["expect"].items():
        if key in result["outcomes"]:
            got = result["outcomes"][key]
            if not isinstance(want, dict):
                want = {"value": want}
            for field, value in want.items():
                have = got.get(field)
                value = _like(have, value)
                if field in ("missing", "holds_regardless_of"):
                    assert sorted(have or []) == sorted(value), f"{key}.{field}: expected {value}, got {have}"
                elif field == "depends_on":
                    keys = {q for b in got.get("branches") or () for q in b["when"]}
                    assert set(value) <= keys, f"{key}: expected branches on {value}, got {sorted(keys)}"
                elif field == "branch_values":
                    vals = {b["value"] for b in got.get("branches") or ()}
                    assert vals == set(value), f"{key}: expected branch values {value}, got {sorted(map(str, vals))}"
                else:
                    assert have == value, (f"{key}.{field}: expected {value!r}, got {have!r} "
                                           f"(status {got['status']}, missing {got['missing']})")
        elif key in ("obligations", "actions"):
            ids = [o["id"] for o in result[key]]
            for i in want.get("includes", []):
                assert i in ids, f"{key}: expected {i} among {ids}"
            for i in want.get("excludes", []):
                assert i not in ids, f"{key}: did not expect {i}"
            by_id = {o["id"]: o for o in result[key]}
            for i in want.get("conditional", []):
                assert i in by_id and by_id[i].get("conditional"), f"{key}: expected {i} listed as conditional"
            for i in want.get("unconditional", []):
                assert i in by_id and not by_id[i].get("conditional"), f"{key}: expected {i} listed unconditionally"
        elif key == "missing":
            assert sorted(result["missing"]) == sorted(want), f"missing: expected {want}, got {result['missing']}"
        elif key == "missing_includes":
            assert set(want) <= set(result["missing"]), f"missing: expected {want} among {result['missing']}"
        elif key == "status":
            assert result["status"] == want, f"status: expected {want}, got {result['status']}"
        else:
            raise AssertionError(f"{case.file}: unknown expect key {key!r}")
    for topic, rules in (d.get("expect_trace") or {}).items():
        trace = [s["rule"] for s in result["outcomes"][topic]["trace"]]
        pos = 0
        for r in rules:
            assert r in trace[pos:], f"{topic}: rule {r} not found in order in {trace}"
            pos = trace.index(r, pos) + 1
