"""What the reviewers' reference knows about each rule, gathered from the rulebook, the code
and the scenario cases (no text of its own: `render` words it from the rulebook).

* **Where a rule is coded**: every string literal in `sivreg/rules/*.py` that is a rule id
  (and f-strings whose fixed start names a family, such as f"ai.risk.{value}"), with file
  and line. A rule used by several modules is placed on the page of the module that passes it
  to `ctx.step/checked/conclude/choose/...` most often (then: where it occurs most); the other
  places are listed with it. Rule ids found only outside `sivreg/rules/` (the engine's module
  steps) get a page of their own file; ids found nowhere a page "not found in the code".
* **What it asks and concludes**: from the traces of the assessments of every scenario case:
  the questions answered just before the rule's step (a run of questions goes to every rule
  step that follows it), and the findings of its steps; plus the constant `finding=` of its
  calls in the code. A rule no case reaches lists the questions of its function in the code.
* **Which cases test it**: a case tests a rule if the rule is in the case's `expect_trace` or
  in any trace of the assessment of the case's answers (a case expected to raise RuleConflict
  tests the rules in conflict).
"""
from __future__ import annotations

import ast
import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from .. import yamlstrict
from ..catalogue import Rulebook

PACKAGE = Path(__file__).resolve().parent.parent
RULES_DIR = PACKAGE / "rules"
DEFAULT_CASES = PACKAGE.parent / "tests" / "cases"
CTX_CALLS = ("step", "checked", "conclude", "choose", "not_applicable", "strictest")
CASE_AS_OF = "2026-11-26"  # tests/scenario_cases.py DEFAULT_AS_OF
STEP_KINDS_NOT_RULES = ("question", "hypothesis")


@dataclass
class Place:
    file: str      # path relative to the repository (sivreg/rules/x.py)
    line: int
    module: str    # page key
    in_call: bool  # first argument of a ctx call
    dynamic: bool = False  # matched through the fixed start of an f-string


@dataclass
class Rule:
    id: str
    page: str = ""
    places: list = field(default_factory=list)
    questions: list = field(default_factory=list)  # question ids, in the order first met
    questions_from_code: bool = False
    findings: list = field(default_factory=list)
    cases: dict = field(default_factory=dict)      # case id -> set of topics where it was met


@dataclass
class Case:
    id: str
    file: str
    line: int | None
    name: str
    source: str
    data: dict
    rules: list = field(default_factory=list)
    error: str | None = None  # the assessment raised (expected or not)

    @property
    def anchor(self) -> str:
        return case_anchor(self.id)


@dataclass
class Page:
    key: str                  # file name without .html
    file: str                 # source file (relative)
    kind: str                 # "module" | "outside" | "unplaced"
    doc: str = ""
    rules: list = field(default_factory=list)


@dataclass
class Site:
    pages: dict
    rules: dict
    cases: list
    cases_found: bool


def case_id(file: Path, name: str) -> str:
    """As tests/scenario_cases.py names a case: <folder>/<file stem>::<name>."""
    return f"{file.parent.name}/{file.stem}::{name}"


def case_anchor(cid: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", cid.lower()).strip("-")[:60]
    return f"case-{slug}-{hashlib.sha1(cid.encode('utf-8')).hexdigest()[:8]}"


def _rel(path: Path) -> str:
    try:
        return path.resolve().relative_to(PACKAGE.parent).as_posix()
    except ValueError:
        return path.as_posix()


def _functions(tree) -> list:
    return [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]


def _enclosing(funcs, line: int):
    best = None
    for f in funcs:
        if f.lineno <= line <= (f.end_lineno or f.lineno) and (best is None or f.lineno > best.lineno):
            best = f
    return best


def _scan(path: Path, page: str, ids: set, book: Rulebook, places: dict, static_findings: dict,
          static_questions: dict, prefixes: dict) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    funcs = _functions(tree)
    call_args: dict[int, ast.Call] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CTX_CALLS:
            if node.args:
                call_args[id(node.args[0])] = node
    for node in ast.walk(tree):
        hits: list[tuple[str, bool]] = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in ids:
            hits = [(node.value, False)]
        elif isinstance(node, ast.JoinedStr) and node.values and isinstance(node.values[0], ast.Constant):
            start = node.values[0].value
            if isinstance(start, str) and start.endswith(".") and len(start) > 2:
                hits = [(rid, True) for rid in ids if rid.startswith(start) and "." not in rid[len(start):]]
                prefixes.setdefault(start, []).append((path, node.lineno))
        for rid, dynamic in hits:
            call = call_args.get(id(node))
            places.setdefault(rid, []).append(Place(_rel(path), node.lineno, page, call is not None, dynamic))
            if call is not None:
                for kw in call.keywords:
                    if kw.arg == "finding" and isinstance(kw.value, ast.Constant) and isinstance(kw.value.value, str):
                        static_findings.setdefault(rid, []).append(kw.value.value)
            fn = _enclosing(funcs, node.lineno)
            if fn is not None:
                qs = [n.value for n in ast.walk(fn) if isinstance(n, ast.Constant)
                      and isinstance(n.value, str) and n.value in book.questions]
                static_questions.setdefault(rid, [])
                static_questions[rid] += [q for q in qs if q not in static_questions[rid]]


def _traces(obj, topic=None):
    """(topic, trace) for every trace list anywhere in an assessment dict."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == "trace" and isinstance(v, list):
                yield topic, v
            else:
                yield from _traces(v, topic)
    elif isinstance(obj, list):
        for v in obj:
            yield from _traces(v, topic)


def _add(lst: list, items) -> None:
    for x in items:
        if x not in lst:
            lst.append(x)


def read_cases(cases_dir: Path) -> list[Case]:
    cases = []
    for f in sorted(Path(cases_dir).rglob("*.yaml")):
        items = yamlstrict.load_file(f)
        for c in items if isinstance(items, list) else []:
            if isinstance(c, dict) and "name" in c:
                cases.append(Case(case_id(f, c["name"]), _rel(f), getattr(c, "line", None), str(c["name"]),
                                  str(c.get("source", "")), c))
    return cases


def case_project(case: Case, book: Rulebook):
    """The case's answers as an answers file, as tests/scenario_cases.py:project_of builds it."""
    from ..io import loads
    d = case.data
    data = {"project": {"id": "case", "title": case.name}, "answers": d.get("answers") or {}}
    for k in ("modules", "studies", "scenario", "jurisdiction"):
        if k in d:
            data[k] = d[k]
    return loads(yamlstrict.dumps(data), source=f"{case.file}::{case.name}", book=book)


def collect(book: Rulebook, cases_dir: Path | None = None) -> Site:
    from ..engine import assess
    from ..errors import RuleConflict

    cases_dir = Path(cases_dir) if cases_dir else DEFAULT_CASES
    cases = read_cases(cases_dir) if cases_dir.is_dir() else []
    # 1. assess every case: the rule ids its traces name, what was asked and found before each
    asked: dict[str, list] = {}
    found: dict[str, list] = {}
    met: dict[str, dict] = {}
    for case in cases:
        d = case.data
        rules: list[str] = []
        for topic, ids in (d.get("expect_trace") or {}).items():
            for rid in ids or ():
                met.setdefault(rid, {}).setdefault(case.id, set()).add(topic)
                _add(rules, [rid])
        try:
            result = assess(case_project(case, book), as_of=d.get("as_of", CASE_AS_OF), scenario=d.get("scenario"),
                            lang="en", book=book).to_dict()
        except RuleConflict as exc:
            case.error = type(exc).__name__
            for rid in exc.rules:
                met.setdefault(rid, {}).setdefault(case.id, set()).add(exc.topic)
            _add(rules, exc.rules)
            case.rules = rules
            continue
        except Exception as exc:  # a case that cannot be assessed: shown, not fatal
            case.error = type(exc).__name__
            case.rules = rules
            continue
        for topic, o in (result.get("outcomes") or {}).items():
            for _, trace in _traces(o, topic):
                pending, last_rule = [], False
                for s in trace:
                    if s.get("kind") in STEP_KINDS_NOT_RULES:
                        if last_rule:
                            pending, last_rule = [], False
                        if s.get("question"):
                            _add(pending, [s["question"]])
                        continue
                    rid = s.get("rule")
                    if not rid:
                        continue
                    last_rule = True
                    _add(asked.setdefault(rid, []), pending)
                    if s.get("finding"):
                        _add(found.setdefault(rid, []), [s["finding"]])
                    met.setdefault(rid, {}).setdefault(case.id, set()).add(topic)
                    _add(rules, [rid])
        case.rules = rules
    # 2. every rule id: the rulebook's, those the code passes to ctx calls, those in traces
    ids = set(book.rules) | {r for r in met if not r.startswith("question.")}
    for path in sorted(RULES_DIR.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in CTX_CALLS
                    and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                ids.add(node.args[0].value)
    # 3. where each is coded
    places: dict = {}
    static_findings: dict = {}
    static_questions: dict = {}
    pages: dict[str, Page] = {}
    for path in sorted(RULES_DIR.glob("*.py")):
        if path.name == "__init__.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        pages[path.stem] = Page(path.stem, _rel(path), "module", ast.get_docstring(tree) or "")
        _scan(path, path.stem, ids, book, places, static_findings, static_questions, {})
    rest = ids - set(places)
    if rest:
        for path in sorted(PACKAGE.rglob("*.py")):
            if RULES_DIR in path.parents or path.parent == PACKAGE / "docs_site":
                continue
            before = set(places)
            key = "outside-" + "-".join(path.relative_to(PACKAGE).with_suffix("").parts)
            _scan(path, key, rest, book, places, static_findings, static_questions, {})
            if set(places) - before:
                tree = ast.parse(path.read_text(encoding="utf-8"))
                pages[key] = Page(key, _rel(path), "outside", ast.get_docstring(tree) or "")
            rest = ids - set(places)
    rules: dict[str, Rule] = {}
    for rid in sorted(ids):
        ps = places.get(rid, [])
        r = Rule(rid, places=sorted(ps, key=lambda p: (p.file, p.line)))
        if ps:
            score: dict[str, tuple] = {}
            for p in ps:
                calls, count = score.get(p.module, (0, 0))
                score[p.module] = (calls + p.in_call, count + 1)
            r.page = min(score, key=lambda m: (-score[m][0], -score[m][1], m))
        else:
            r.page = "unplaced"
            pages.setdefault("unplaced", Page("unplaced", "", "unplaced"))
        if rid in asked or rid in met:
            r.questions = list(asked.get(rid, []))
        else:
            r.questions = list(static_questions.get(rid, []))
            r.questions_from_code = bool(r.questions)
        _add(r.findings, found.get(rid, []))
        _add(r.findings, static_findings.get(rid, []))
        r.cases = met.get(rid, {})
        rules[rid] = r
        pages[r.page].rules.append(r)
    for page in pages.values():  # in the order of the code
        page.rules.sort(key=lambda r: min([(p.line, r.id) for p in r.places if p.module == page.key],
                                          default=(0, r.id)))
    return Site(pages=pages, rules=rules, cases=cases, cases_found=bool(cases))
