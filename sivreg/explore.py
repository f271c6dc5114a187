"""Reasoning with open answers: run a rule under hypotheses for the questions it needs and
cannot have, and say what holds whichever way they are answered.

An open question is one not answered yet or answered "unknown". When a rule raises
`Missing` for an open question, the rule is run again under each allowed answer of that
question (a *hypothesis*, recorded in the trace as such, never as an answer), recursively over
the open questions each branch needs:

* yes/no questions: yes, no; one-choice questions: each option; several-choice questions:
  none, and each option alone (an answer with several options is not explored: the branches
  show what each option does on its own, and a condition on such a question lists the options
  of which any one leads there, "none" for no option); text, date and number questions are
  not explored.
* the same value in every branch: `determined`, with `holds_regardless_of` (the open
  questions it does not hinge on);
* different values: `depends`, with `branches` (one line per distinct value, the conditions
  merged so that a reader sees as few as possible);
* a branch that cannot be settled (a question that cannot be explored, or past the budget):
  `indeterminate`, naming every question found.

Budget (per conclusion, DEPTH/LEAVES below): at most 6 open questions along one line of
reasoning and 128 branches. Past it the conclusion is `indeterminate` as before, naming the
questions; answering the first of them brings it back within the budget. A whole assessment
also stops exploring after RUNS rule runs (a safety net for the dashboard's response time).

Topics read each other (`ctx.value("regime")`): under a hypothesis a topic reads the other
topic decided under the same hypothesis, so an open question of an upstream topic is explored
by every topic that needs it. Results are memoised per (rule, module, hypothesis).

A hypothesis that makes the rules contradict themselves (`RuleConflict`, two exceptions
without a priority) is an impossible branch: it is left out, and the conflict is raised only
when it follows from the given answers alone.
"""
from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from types import MappingProxyType

from .catalogue import UNKNOWN
from .context import ABSENT, Ctx, Missing, NotApplicable, State, Undecided, Upstream
from .errors import RuleConflict
from .model import Outcome, Step

DEPTH = 6       # open questions explored along one line of reasoning
LEAVES = 128    # branches per conclusion
RUNS = 6000     # rule runs per assessment
REFS = ("sivreg.open_answers",)  # the steps of the exploration cite sivreg's method, not law


def domain(q) -> list | None:
    """The answers a hypothesis may assume for question q, or None if it cannot be explored."""
    if q.type == "bool":
        return ["yes", "no"]
    if q.type == "enum":
        return [o.value for o in q.options]
    if q.type == "multi":
        values = [o.value for o in q.options]
        none = [["none"]] if "none" in values else [[]]
        return none + [[v] for v in values if v != "none"]
    return None


def _key(v):
    return tuple(v) if isinstance(v, list) else v


_hk = _key


class Hyp(dict):
    """A hypothesis (question id -> assumed answer) that knows its sorted key."""

    __slots__ = ("key",)

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.key = tuple(sorted((k, _key(v)) for k, v in self.items()))

    def plus(self, qid, value) -> "Hyp":
        return Hyp({**self, qid: value})


EMPTY = Hyp()


def hypkey(hyp: dict) -> tuple:
    k = getattr(hyp, "key", None)
    if k is not None:
        return k
    return tuple(sorted((k, _key(v)) for k, v in hyp.items()))


@dataclass
class Run:
    """One run of one rule under one hypothesis."""

    kind: str                       # value | not_applicable | missing | undecided | conflict
    value: object = None
    steps: tuple = ()
    extra: dict = field(default_factory=dict)
    obligations: dict = field(default_factory=dict)
    actions: dict = field(default_factory=dict)
    wanted: tuple = ()
    qid: str | None = None
    open: bool = True
    unknown: bool = False
    note: str | None = None
    upstream: str | None = None
    reads: dict = field(default_factory=dict)   # open question -> assumed answer (or ABSENT)
    conflict: object = None                     # the RuleConflict of an impossible branch

    @property
    def complete(self) -> bool:
        return self.kind in ("value", "not_applicable")

    def outcome(self) -> Outcome:
        out = self.__dict__.get("_outcome")
        if out is None:
            status = {"value": "determined", "not_applicable": "not_applicable"}.get(self.kind, "indeterminate")
            out = self.__dict__["_outcome"] = Outcome(
                status=status, value=self.value if self.complete else None,
                missing=(self.qid,) if self.kind == "missing" and self.qid else (),
                trace=self.steps, extra=MappingProxyType(dict(self.extra)))
        return out


class _Outcomes:
    """The topics as seen from inside one run: each decided under the run's hypothesis."""

    def __init__(self, ex, hyp, scope, state):
        self.ex, self.hyp, self.scope, self.state = ex, hyp, scope, state

    def __getitem__(self, topic):
        run = self.ex.run(topic, self.scope, self.hyp)
        if run is None:
            raise KeyError(topic)
        self.state.reads.update(run.reads)
        return run.outcome()

    def get(self, topic, default=None):
        try:
            return self[topic]
        except KeyError:
            return default

    def __contains__(self, topic):
        return self.get(topic) is not None


class RunState(State):
    """What one run accumulates: its own obligations and actions, and its hypothesis."""

    def __init__(self, ex, hyp: dict, scope):
        super().__init__(ex.book, ex.project, ex.as_of, ex.project.jurisdiction, ex.scenario, ex.lang)
        self.ex, self.hyp, self.scope = ex, hyp, scope
        self.outcomes = _Outcomes(ex, hyp, scope, self)
        self.reads: dict = {}

    def need(self, topic: str) -> Outcome:
        run = self.ex.run(topic, self.scope, self.hyp)
        if run is None:
            raise KeyError(topic)
        self.reads.update(run.reads)
        out = run.outcome()
        if run.kind in ("missing", "undecided"):
            raise Upstream(topic, out, qid=run.qid, unknown=run.unknown, open=run.open)
        return out


class Explorer:
    """Runs and explores the rules of one assessment."""

    def __init__(self, book, project, as_of, scenario, lang, rules: dict, scopes: dict):
        self.book, self.project, self.as_of, self.scenario, self.lang = book, project, as_of, scenario, lang
        self.rules = rules      # (name, scope) -> (topic name for ctx, function)
        self.scopes = scopes    # scope -> Answers
        self.memo: dict = {}
        self.relevant: dict = {}   # (name, scope) -> the open questions its runs have read
        self.explored: dict = {}   # (name, scope) -> Explored
        self.active: set = set()
        self.runs = 0

    def run(self, name: str, scope, hyp: dict) -> Run | None:
        """The rule's run under a hypothesis. A run depends only on the open questions it
        read, so the hypothesis is first narrowed to the questions this rule has ever read
        (qualification does not change with a study question); if the run then reads a
        question the hypothesis assumes, the narrowing widens and the rule runs again."""
        if not hyp:  # nothing assumed (the common case): the run as decided from the answers
            hit = self.memo.get((name, scope, ()))
            if hit is not None:
                return hit
        spec = self.rules.get((name, scope))
        if spec is None:
            return None
        rel = self.relevant.setdefault((name, scope), set())
        full = hypkey(hyp)
        while True:
            pkey = tuple(kv for kv in full if kv[0] in rel)
            key = (name, scope, pkey)
            run = self.memo.get(key)
            if run is None:
                if key in self.active:
                    return None  # a topic read before it is decided (TOPICS order prevents it)
                proj = hyp if len(pkey) == len(full) else Hyp({q: v for q, v in hyp.items() if q in rel})
                run = self._run(spec, scope, proj, key)
            new = [q for q in run.reads if q not in rel]
            if not new:
                return run
            rel.update(new)
            if not any(q in hyp for q in new):
                return run

    def _run(self, spec, scope, hyp: dict, key) -> Run:
        self.active.add(key)
        self.runs += 1
        topic, fn = spec
        state = RunState(self, hyp, scope)
        ctx = Ctx(self.book, topic, self.scopes[scope], state)
        try:
            value = fn(ctx)
            run = Run("value", value)
        except NotApplicable as na:
            run = Run("not_applicable", na.value)
        except Upstream as u:
            run = Run("missing", qid=u.qid, open=u.open, unknown=u.unknown, upstream=u.topic)
        except Missing as m:
            run = Run("missing", qid=m.qid, open=m.open, unknown=m.unknown)
        except Undecided as ud:
            run = Run("undecided", note=ud.note)
        except RuleConflict as rc:
            self.active.discard(key)
            if not hyp:
                raise
            run = Run("conflict")
            run.conflict = rc
        self.active.discard(key)
        run.steps = tuple(ctx.steps)
        run.extra = dict(ctx.extra)
        run.obligations = state.obligations
        run.actions = state.actions
        run.wanted = tuple(ctx.wanted)
        run.reads = state.reads
        self.memo[key] = run
        return run

    def explorable(self, run: Run, hyp: dict) -> bool:
        if run.kind != "missing" or run.qid is None or not run.open or run.qid in hyp:
            return False
        q = self.book.questions.get(run.qid)
        return q is not None and domain(q) is not None

    def explore(self, name: str, scope=None) -> "Explored":
        """Every branch of one conclusion: [(hypothesis, Run)], within the budget. Breadth
        first, so that a conclusion past the budget is found out early (branches done plus
        branches waiting exceed LEAVES) rather than after its whole first subtree."""
        hit = self.explored.get((name, scope))
        if hit is not None:
            return hit
        leaves: list = []
        found: list = []  # open questions met, in the order they were met
        base = self.run(name, scope, EMPTY)
        frontier = deque([EMPTY])
        over = False
        while frontier:
            hyp = frontier.popleft()
            run = self.run(name, scope, hyp)
            if run.kind == "missing" and run.qid and run.qid not in found:
                found.append(run.qid)
            up = self.explored.get((run.upstream, scope)) if run.kind == "missing" and run.upstream else None
            if up is not None and up.over_budget:
                # The topic this branch waits for is itself past the budget: exploring it again
                # here would be too (its questions are named through that topic).
                found.extend(q for q in up.found if q not in found)
                leaves.append((hyp, run))
            elif self.explorable(run, hyp) and len(hyp) < DEPTH and self.runs < RUNS:
                frontier.extend(hyp.plus(run.qid, v) for v in domain(self.book.questions[run.qid]))
            else:
                leaves.append((hyp, run))
            if len(leaves) + len(frontier) > LEAVES:
                over = True
                break
        if leaves and not over and all(r.kind == "conflict" for _, r in leaves):
            # every way of answering the open questions contradicts the given answers: the
            # conflict follows from the given answers alone
            raise min((r.conflict for _, r in leaves), key=lambda c: len(c.rules))
        result = self.explored[(name, scope)] = Explored(name, base, leaves, found, over)
        return result


@dataclass
class Explored:
    name: str
    base: Run
    leaves: list
    found: list
    over_budget: bool

    def __post_init__(self):
        self.possible = [(h, r) for h, r in self.leaves if r.kind != "conflict"]
        # every possible branch reaches a conclusion
        self.settled = (not self.over_budget and bool(self.possible)
                        and all(r.complete for _, r in self.possible))


# -- merging branches -------------------------------------------------------------------------

def _domain_of(book, qid):
    q = book.questions.get(qid)
    return domain(q) if q is not None else None


NONE = "none"  # in a condition on a several-choice question: no option chosen


def _alts(book, qid, v) -> list:
    """An assumed answer as the list of alternatives a condition holds for."""
    if _multi(book, qid):
        v = [x for x in v if x != NONE]
        return [v[0]] if len(v) == 1 else ([NONE] if not v else [tuple(v)])
    return [v]


def _universe(book, qid) -> list:
    dom = _domain_of(book, qid) or []
    if _multi(book, qid):
        return [x[0] if x and x[0] != NONE else NONE for x in dom]
    return dom


_SIMPLIFIED: dict = {}


def simplify(book, conds: list[dict]) -> list[dict]:
    """Memoised: many duties arise in the same branches."""
    key = (id(book), tuple(hypkey(c) for c in conds))
    hit = _SIMPLIFIED.get(key)
    if hit is None:
        if len(_SIMPLIFIED) > 20000:
            _SIMPLIFIED.clear()
        hit = _SIMPLIFIED[key] = _simplify(book, conds)
    return [dict(c) for c in hit]


def _simplify(book, conds: list[dict]) -> list[dict]:
    """Merge conditions (each a conjunction {qid: answer}) into as few as possible: those
    that differ only in one question become one with a list of answers (any of), and a
    question whose every answer is listed is dropped. A more general condition absorbs a more
    specific one. In a condition, a several-choice question holds the options of which any one
    was chosen alone ("none": no option)."""
    work = [{k: frozenset(_h(x) for x in _alts(book, k, v)) for k, v in c.items()} for c in conds]
    universes: dict = {}

    def uni(k):
        if k not in universes:
            universes[k] = [_h(x) for x in _universe(book, k)]
        return universes[k]

    for _ in range(8):
        before = len(work)
        work = _absorb(work)
        # merge: same questions, same answers but one
        for k in sorted({k for c in work for k in c}):
            groups: dict = {}
            rest = []
            for c in work:
                if k not in c:
                    rest.append(c)
                    continue
                sig = (frozenset(c), tuple(sorted((q, v) for q, v in c.items() if q != k)))
                groups.setdefault(sig, []).append(c)
            work = rest
            for group in groups.values():
                if len(group) == 1:
                    work.append(group[0])
                    continue
                alts = frozenset().union(*(c[k] for c in group))
                new = dict(group[0])
                if set(uni(k)) <= alts:
                    del new[k]
                else:
                    new[k] = alts
                work.append(new)
        if len(work) == before:
            break
    work = _absorb(work)
    out = []
    for c in work:
        d = {}
        for k, v in c.items():
            order = uni(k)
            vals = [x for x in order if x in v] + sorted((x for x in v if x not in order), key=str)
            vals = [list(x) if isinstance(x, tuple) else x for x in vals]
            d[k] = vals if (_multi(book, k) or len(vals) > 1) else vals[0]
        out.append(d)
    return out


def _absorb(work: list) -> list:
    """Drop every condition that a more general one covers (fewest questions first)."""
    kept: list = []
    for c in sorted(work, key=len):
        if not any(_covers(g, c) for g in kept):
            kept.append(c)
    # keep the order in which the conditions were met
    return [c for c in work if any(c is k for k in kept)]


def _multi(book, qid) -> bool:
    q = book.questions.get(qid)
    return q is not None and q.type == "multi"


def _covers(a: dict, b: dict) -> bool:
    """Every answer combination b allows, a allows too."""
    for k, va in a.items():
        vb = b.get(k)
        if vb is None or not vb <= va:
            return False
    return True


def _h(v):
    return tuple(v) if isinstance(v, list) else v


def matches(book, when: dict, answers: dict) -> bool:
    """Does a condition hold for these answers (question id -> answer)?"""
    for k, v in when.items():
        a = answers.get(k)
        if _multi(book, k):
            chosen = [x for x in (a or []) if x != NONE]
            alts = v if isinstance(v, list) else [v]
            ok = (not chosen and NONE in alts) or any(
                (x in chosen) if isinstance(x, str) else set(x) <= set(chosen) for x in alts if x != NONE)
            if not ok:
                return False
        elif isinstance(v, list):
            if a not in v:
                return False
        elif a != v:
            return False
    return True


def branches(book, leaves: list, value_of) -> list[dict]:
    """[{when, value}] from [(hypothesis, run)], one line per distinct value where the
    conditions allow, in the order the values were first met."""
    groups: dict = {}
    for hyp, run in leaves:
        k = _freeze(value_of(run))
        groups.setdefault(k, (value_of(run), []))[1].append(hyp)
    out = []
    for value, conds in groups.values():
        for when in simplify(book, conds):
            out.append({"when": when, "value": value})
    return out


def _freeze(v):
    if isinstance(v, dict):
        return tuple(sorted((k, _freeze(x)) for k, x in v.items()))
    if isinstance(v, (list, tuple)):
        return tuple(_freeze(x) for x in v)
    if isinstance(v, MappingProxyType):
        return _freeze(dict(v))
    return v


def _plain(v):
    """A value without its traces, to compare two branches' findings."""
    if isinstance(v, (dict, MappingProxyType)):
        return {k: _plain(x) for k, x in v.items() if k != "trace"}
    if isinstance(v, (list, tuple)):
        return [_plain(x) for x in v]
    return v


def merge_extra(book, leaves: list) -> dict:
    """The extra fields of a settled conclusion: a field equal in every branch is kept; one
    that differs becomes null with its branches in `field_branches`; a list of studies or
    modules is merged item by item (an item that differs gets status `depends`)."""
    keys = list(dict.fromkeys(k for _, r in leaves for k in r.extra))
    out, fb = {}, {}
    for k in keys:
        vals = [r.extra.get(k) for _, r in leaves]
        plain = [_freeze(_plain(v)) for v in vals]
        if all(p == plain[0] for p in plain):
            out[k] = vals[0]
            continue
        if k in ("studies", "modules") and _same_ids(vals):
            out[k] = _merge_items(book, leaves, k)
            continue
        out[k] = None
        fb[k] = branches(book, leaves, lambda r, k=k: _plain(r.extra.get(k)))
    if fb:
        out["field_branches"] = fb
    return out


def _same_ids(vals) -> bool:
    try:
        ids = [tuple(i["id"] for i in v) for v in vals]
    except (TypeError, KeyError):
        return False
    return all(i == ids[0] for i in ids)


def _merge_items(book, leaves, key):
    items = []
    for n, first in enumerate(leaves[0][1].extra[key]):
        per = [(h, r.extra[key][n]) for h, r in leaves]
        plain = [_freeze(_plain(i)) for _, i in per]
        if all(p == plain[0] for p in plain):
            items.append(first)
            continue
        fake = [(h, Run("value", value=i)) for h, i in per]
        item_branches = branches(book, fake, lambda r: _plain(r.value))
        items.append({"id": first["id"], "title": first.get("title"), "status": "depends", "value": None,
                      "rule": None, "missing": _when_keys(item_branches), "design": _common(per, "design"),
                      "branches": [{"when": b["when"], "value": b["value"].get("value"), "detail": b["value"]}
                                   for b in item_branches]})
    return items


def _common(per, field_):
    vals = {_freeze(i.get(field_)) for _, i in per}
    return per[0][1].get(field_) if len(vals) == 1 else None


def _when_keys(brs) -> list:
    return list(dict.fromkeys(k for b in brs for k in b["when"]))


# -- duties under open answers ------------------------------------------------------------------

def merge_duties(book, explored: list, attr: str) -> list[dict]:
    """Obligations (attr 'obligations') or actions ('actions') from every explored conclusion.
    A duty that arises in every branch of a conclusion is listed as today; one that arises in
    some is `conditional: true` with `when` (the conditions under which it arises); a duty is
    never dropped because an answer is open. Found in several conclusions: unconditional if
    any has it unconditionally, else the union of the conditions."""
    out: dict = {}
    for ex in explored:
        leaves = ex.possible
        if not leaves:
            continue
        always = ex.settled
        if always and len(leaves) == 1:  # nothing open: every duty as the rules gave it
            for i, d in getattr(leaves[0][1], attr).items():
                prev = out.get(i)
                if prev is None or prev.get("conditional"):
                    out[i] = dict(d)
            continue
        # A conclusion past the budget was not explored to the end: its duties are listed as
        # conditional on what was explored, flagged `when_partial` (other answers may bring
        # them too).
        partial = ex.over_budget or not ex.settled
        ids = list(dict.fromkeys(i for _, r in leaves for i in getattr(r, attr)))
        for i in ids:
            having = [(h, getattr(r, attr)[i]) for h, r in leaves if i in getattr(r, attr)]
            item = dict(having[0][1])
            # Per-study lists: every study the duty covers in any branch.
            if isinstance(item.get("studies"), list):
                item["studies"] = list(dict.fromkeys(s for _, d in having for s in d.get("studies", [])))
            unconditional = always and len(having) == len(leaves)
            if unconditional:
                conds = None
            else:
                conds = simplify(book, [h for h, _ in having])
            prev = out.get(i)
            if prev is None:
                if conds is not None:
                    item["conditional"] = True
                    item["when"] = conds
                    if partial:
                        item["when_partial"] = True
                out[i] = item
            elif prev.get("conditional"):
                if conds is None:
                    item.pop("conditional", None)
                    item.pop("when", None)
                    out[i] = {**prev, **item}
                    out[i].pop("conditional", None)
                    out[i].pop("when", None)
                    out[i].pop("when_partial", None)
                else:
                    if partial:
                        prev["when_partial"] = True
                    merged = prev["when"] + [c for c in conds if c not in prev["when"]]
                    prev["when"] = simplify(book, merged) if all(isinstance(c, dict) for c in merged) else merged
    return list(out.values())


def step_regardless(book, lang, qids) -> Step:
    return Step(rule="explore.holds_regardless", kind="regardless", answer=list(qids), refs=REFS,
                note=book.text("note.holds_regardless", lang).format(questions=_q_list(book, lang, qids)),
                note_id="note.holds_regardless")


def step_depends(book, lang, qids) -> Step:
    return Step(rule="explore.depends", kind="depends", answer=list(qids), refs=REFS,
                note=book.text("note.depends_on", lang).format(questions=_q_list(book, lang, qids)),
                note_id="note.depends_on")


def step_budget(book, lang, qids) -> Step:
    return Step(rule="explore.budget", kind="budget", answer=list(qids), refs=REFS,
                note=book.text("note.explore_budget", lang).format(
                    questions=_q_list(book, lang, qids), depth=DEPTH, leaves=LEAVES),
                note_id="note.explore_budget")


def _q_list(book, lang, qids) -> str:
    return ", ".join(f"«{book.questions[q].label[lang]}»" if q in book.questions else q for q in qids)


def is_open(answers, qid) -> bool:
    return qid not in answers or answers.get(qid) == UNKNOWN
