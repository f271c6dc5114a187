"""The context a rule runs in: ask for answers, record steps, read dated values, record
obligations and actions. Rules are plain functions `decide(ctx) -> value`.

Semantics (DESIGN.md §3):
* `ask(qid)` returns the answer. An unanswered question raises `Missing`; an answer of
  "unknown" raises `Missing(unknown=True)` unless the rule says it handles "unknown" itself
  (then it must record an explicit assumption). Unknown never silently becomes "no".
* `choose(...)` is base rule plus exceptions (Catala's default logic): if two exceptions
  without a stated priority both apply, `RuleConflict` is raised, naming both.
* `strictest(...)` encodes "the strictest rule applies" (MDR Annex VIII 3.5, IVDR 1.9).
"""
from __future__ import annotations

from datetime import date as _date

from .catalogue import UNKNOWN, Rulebook
from .errors import RuleConflict
from .model import Answers, Outcome, Step


ABSENT = ("<absent>",)  # no assumed answer for an open question


def _key(v):
    return tuple(v) if isinstance(v, list) else v


class Missing(Exception):
    """The decision needs an answer it does not have (or that is "unknown").

    `open` says whether the question is open in the answers the rule read (not given, or
    answered "unknown"): only an open question can be explored under each of its answers
    (sivreg/explore.py). A rule that refuses a given answer (for example a class that does not
    fit the regulation) raises Missing with open=False: that answer must be changed, not
    explored."""

    def __init__(self, qid: str | None, unknown: bool = False, open: bool = True):
        self.qid, self.unknown, self.open = qid, unknown, open
        super().__init__(qid)


class Upstream(Missing):
    """A topic this one depends on is not determined. It carries the open question the other
    topic waits for, so that the exploration of this topic branches on that question too."""

    def __init__(self, topic: str, outcome: Outcome, qid: str | None = None, unknown: bool = False,
                 open: bool = True):
        self.topic, self.outcome = topic, outcome
        if qid is None and outcome.missing:
            qid = outcome.missing[0]
        super().__init__(qid, unknown, open)


class Undecided(Exception):
    """The topic cannot be decided by this version of the rules; the note says why."""

    def __init__(self, note: str):
        self.note = note
        super().__init__(note)


class NotApplicable(Exception):
    """The topic does not apply (for example no device class for software that is not a device)."""

    def __init__(self, value):
        self.value = value
        super().__init__(str(value))


MDR_ORDER = ("I", "IIa", "IIb", "III")
IVDR_ORDER = ("A", "B", "C", "D")


def class_rank(cls: str) -> int:
    """Rank of a class within its regulation (higher is stricter)."""
    return MDR_ORDER.index(cls) if cls in MDR_ORDER else IVDR_ORDER.index(cls)


class Ctx:
    def __init__(self, book: Rulebook, topic: str, answers: Answers, state: "State"):
        self.book, self.topic, self.answers, self.state = book, topic, answers, state
        self.lang = state.lang
        self.as_of = state.as_of
        self.jurisdiction = state.jurisdiction
        self.scenario = state.scenario
        self.project = state.project
        self.steps: list[Step] = []
        self.extra: dict = {}
        self.wanted: list[str] = []  # optional questions the rule would like answered
        # A hypothesis: answers assumed for open questions while an open answer is explored
        # (sivreg/explore.py). It never overrides an answer that was given.
        self.hyp: dict = getattr(state, "hyp", None) or {}

    def _is_open(self, qid: str) -> bool:
        if qid not in self.answers or self.answers.get(qid) == UNKNOWN:
            # Record what this run read of the hypothesis (an assumed answer, or none), so a
            # result can be reused under any hypothesis that agrees on it (sivreg/explore.py).
            reads = getattr(self.state, "reads", None)
            if reads is not None:
                reads[qid] = _key(self.hyp.get(qid, ABSENT))
            return True
        return False

    def _hypothesis(self, qid: str, q):
        value = self.hyp[qid]
        self.steps.append(Step(rule=f"question.{qid}", kind="hypothesis", question=qid,
                               answer=value, refs=q.refs,
                               note=self.book.text("note.hypothesis", self.lang),
                               note_id="note.hypothesis"))
        return value

    # -- answers -------------------------------------------------------------------------
    def ask(self, qid: str, *, allow_unknown: bool = False):
        q = self.book.questions[qid]  # KeyError = a bug in a rule: the question must exist
        if self._is_open(qid) and qid in self.hyp and not (allow_unknown and qid in self.answers):
            return self._hypothesis(qid, q)
        if qid not in self.answers:
            raise Missing(qid)
        value = self.answers.get(qid)
        if value == UNKNOWN and not allow_unknown:
            self.steps.append(Step(rule=f"question.{qid}", kind="question", question=qid,
                                   answer=UNKNOWN, refs=q.refs,
                                   note=self.book.text("note.unknown_blocks", self.lang),
                                   note_id="note.unknown_blocks"))
            raise Missing(qid, unknown=True)
        self.steps.append(Step(rule=f"question.{qid}", kind="question", question=qid,
                               answer=value, refs=q.refs))
        return value

    def yes(self, qid: str) -> bool:
        """A yes/no question; "unknown" stops the decision (never read as no)."""
        return self.ask(qid) == "yes"

    def ask_optional(self, qid: str):
        """An answer the rule can do without (a cross-check); None when not answered."""
        if self._is_open(qid) and qid in self.hyp:
            return self._hypothesis(qid, self.book.questions[qid])
        if qid not in self.answers or self.answers.get(qid) == UNKNOWN:
            if qid not in self.answers:
                self.wanted.append(qid)
            return None
        return self.ask(qid)

    def given(self, qid: str):
        """The raw answer if given, without asking (for notes, and to see whether a question
        is still open). Under a hypothesis, an open question reads as its assumed answer."""
        if self._is_open(qid) and qid in self.hyp:
            return self.hyp[qid]
        return self.answers.get(qid)

    # -- trace ---------------------------------------------------------------------------
    def note_text(self, note: str | None, args: dict | None = None) -> str | None:
        if note is None:
            return None
        text = self.book.text(note, self.lang)
        return text.format(**args) if args else text

    def step(self, rule: str, kind: str = "rule", *, finding: str | None = None,
             refs=None, note: str | None = None, note_args: dict | None = None,
             question: str | None = None, answer=None) -> None:
        if refs is None:
            refs = self.book.rules[rule]["refs"] if rule in self.book.rules else ()
        self.steps.append(Step(rule=rule, kind=kind, question=question, answer=answer,
                               finding=finding, refs=tuple(refs),
                               note=self.note_text(note, note_args), note_id=note))

    def checked(self, rule: str, applies: bool, *, finding: str | None = None, note=None, note_args=None):
        """Record a rule that was checked: applies (with its finding) or does not apply."""
        self.step(rule, "rule" if applies else "not_applied",
                  finding=finding if applies else "rule.does_not_apply", note=note, note_args=note_args)

    def conclude(self, rule: str, value, *, finding: str | None = None, refs=None,
                 note: str | None = None, note_args: dict | None = None):
        self.step(rule, "conclusion", finding=finding or f"{self.topic}.{value}", refs=refs,
                  note=note, note_args=note_args)
        return value

    def not_applicable(self, rule: str, value=None, *, note: str | None = None):
        self.step(rule, "conclusion", finding=f"{self.topic}.not_applicable", note=note)
        raise NotApplicable(value)

    def set(self, key: str, value) -> None:
        """An extra field on this topic's outcome (for example `basis` or `rules`)."""
        self.extra[key] = value

    # -- default logic -------------------------------------------------------------------
    def choose(self, base: tuple, exceptions: list[tuple], *, priority: list[str] | None = None):
        """base = (rule, value); exceptions = [(applies, rule, value)]. Returns the value.
        If several exceptions apply, `priority` (rule ids, first wins, each a recorded
        interpretation) decides; otherwise RuleConflict."""
        base_rule, base_value = base
        hits = [(r, v) for applies, r, v in exceptions if applies]
        for applies, r, v in exceptions:
            if not applies:
                self.checked(r, False)
        if not hits:
            self.step(base_rule, "base", finding=f"{self.topic}.{base_value}")
            return base_value
        if len(hits) > 1:
            ranked = [h for p in (priority or []) for h in hits if h[0] == p]
            if not priority or len(ranked) < len(hits):
                raise RuleConflict(self.topic, [r for r, _ in hits], self._questions_of([r for r, _ in hits]))
            for r, v in ranked[1:]:
                self.step(r, "overridden", finding=f"{self.topic}.{v}",
                          note="note.overridden_by_priority", note_args={"rule": ranked[0][0]})
            hits = ranked
        rule, value = hits[0]
        self.step(rule, "exception", finding=f"{self.topic}.{value}", note="note.overrides_base",
                  note_args={"base": self.book.text(base_rule, self.lang)})
        return value

    def _questions_of(self, rules: list[str]) -> list[str]:
        """The questions asked in this decision whose answers made these rules apply: the
        question named like the rule (qual.step2.accessory <- qual.accessory), else every
        yes/no answered yes on the way."""
        # only answers that were given: an assumed answer (a hypothesis) is not the user's
        asked = [s.question for s in self.steps if s.kind == "question" and s.question]
        out = []
        for r in rules:
            tail = r.rsplit(".", 1)[-1]
            hit = [q for q in asked if q.rsplit(".", 1)[-1] == tail]
            out += [q for q in hit if q not in out]
        if len(out) < 2:
            out += [s.question for s in self.steps if s.kind == "question" and s.question
                    and s.answer == "yes" and s.question not in out]
        return out

    def strictest(self, candidates: list[tuple[str, str]], rule: str) -> str:
        """candidates = [(rule id, class)]; the highest class wins (MDR Annex VIII 3.5 /
        IVDR Annex VIII 1.9). Records which rules gave the winning class."""
        top = max(candidates, key=lambda c: class_rank(c[1]))[1]
        winners = [r for r, c in candidates if c == top]
        self.step(rule, "rule", finding=f"{self.topic}.{top}", note="note.strictest",
                  note_args={"rules": ", ".join(self.book.text(r, self.lang) for r in winners)})
        return top

    # -- other topics, dates, obligations, actions ------------------------------------------
    def outcome(self, topic: str) -> Outcome:
        need = getattr(self.state, "need", None)
        if need is not None:
            return need(topic)  # raises Upstream with the open question the topic waits for
        out = self.state.outcomes[topic]
        if out.status == "indeterminate":
            raise Upstream(topic, out)
        return out

    def value(self, topic: str):
        return self.outcome(topic).value

    def date(self, date_id: str) -> dict:
        return self.state.dated(date_id)

    def oblige(self, obligation_id: str, **fields) -> None:
        self.state.add_obligation(obligation_id, self.topic, fields)

    def act(self, action_id: str, **fields) -> None:
        self.state.add_action(action_id, self.topic, fields)


class State:
    """What one assessment run accumulates across topics."""

    def __init__(self, book: Rulebook, project, as_of: str, jurisdiction: str, scenario: str | None, lang: str):
        self.book, self.project = book, project
        self.as_of, self.jurisdiction, self.scenario, self.lang = as_of, jurisdiction, scenario, lang
        self.outcomes: dict[str, Outcome] = {}
        self.obligations: dict[str, dict] = {}
        self.actions: dict[str, dict] = {}
        self.wanted: list[str] = []

    def dated(self, date_id: str) -> dict:
        """A dated value per jurisdiction, with the scenario's overlay, and its state at as_of:
        in_force (date on or before as_of), from_date (later) or pending (no date known)."""
        base = self.book.dates[date_id]
        overlay = self.book.scenarios.get(self.scenario, {}).get("dates", {}).get(date_id, {})
        out = {"id": date_id}
        for j in ("EU", "NO"):
            entry = dict(overlay.get(j) or base.get(j) or {"date": None})
            d = entry.get("date")
            entry["state"] = "pending" if d is None else ("in_force" if _date.fromisoformat(d) <= _date.fromisoformat(self.as_of) else "from_date")
            note = entry.get("note")
            entry["note"] = note[self.lang] if isinstance(note, dict) else note
            out[j] = entry
        return out

    def _labelled(self, item: dict, fields: dict) -> dict:
        out = {"id": item["id"], "label": item["label"][self.lang], "refs": list(item.get("refs", ()))}
        for k in ("recipient", "note", "detail"):
            if item.get(k):
                out[k] = item[k][self.lang]
        return out

    def add_obligation(self, oid: str, topic: str, fields: dict) -> None:
        item = self.book.obligations[oid]
        out = self._labelled(item, fields)
        out["topic"] = topic
        if item.get("role"):
            out["role"] = item["role"]
        if item.get("certainty"):
            out["certainty"] = item["certainty"]
        # A rule may pass applies_from=<date id> when the date depends on the case (for example
        # AI Act high-risk duties: Annex I or Annex III date); otherwise the obligation's own.
        date_id = fields.pop("applies_from", None) or item.get("applies_from")
        if date_id:
            d = self.dated(date_id)
            out["applies_from"] = {j: {"date": d[j]["date"], "ref": d[j].get("ref"), "note": d[j].get("note"),
                                       "certainty": d[j].get("certainty", "stated"),
                                       "state": d[j]["state"]} for j in ("EU", "NO")}
            out["state"] = d[self.jurisdiction]["state"]
        out.update({k: v for k, v in fields.items() if v is not None})
        self.obligations[oid] = out

    def add_action(self, aid: str, topic: str, fields: dict) -> None:
        item = self.book.actions[aid]
        out = self._labelled(item, fields)
        out["topic"] = topic
        if "days" in item:
            out["days"] = item["days"]
        if item.get("certainty") and item["certainty"] != "stated":
            out["certainty"] = item["certainty"]
        out.setdefault("due", None)
        out.update({k: v for k, v in fields.items() if v is not None})
        # the place among the next steps is data (rulebook actions: order), one sequence
        # for every topic: plan, studies, build, conformity, use
        out["order"] = item.get("order", 100)
        self.actions[aid] = out
