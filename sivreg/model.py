"""The data sivreg passes around: a project's answers, and the assessment with its trace.

All objects are frozen and round-trip through JSON (`to_dict` / `from_dict`). Ids only:
texts in a language are looked up in the rulebook by the renderers, except where the output
contract carries a label (obligations, actions, step notes), which the engine fills in the
assessment's language.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType

SCHEMA = "sivreg.assessment/1"
PROJECT_SCHEMA = "sivreg.project/1"
UNKNOWN = "unknown"
# Dates sivreg accepts: deadlines are computed by adding and subtracting days and years,
# which must stay inside Python's calendar (year 1 to 9999).
DATE_RANGE = ("1900-01-01", "2199-12-31")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def valid_date(value) -> bool:
    """A real calendar date written YYYY-MM-DD (2026-02-30 is not one) within DATE_RANGE."""
    if not (isinstance(value, str) and _DATE.match(value)):
        return False
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return DATE_RANGE[0] <= value <= DATE_RANGE[1]


TOPICS = ("qualification", "regime", "device_class", "conformity", "clinical_investigation",
          "ai_act_risk")


def _freeze(value):
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value):
    if isinstance(value, (dict, MappingProxyType)):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_thaw(v) for v in value]
    return value


@dataclass(frozen=True)
class Answers:
    """Answers by question id. A value is the option value ("yes", "no", an enum value, a
    list for multi questions, text, a number) or UNKNOWN ("don't know"). An absent id means
    "not answered yet"; UNKNOWN means the person answered that they do not know."""

    values: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(cls, mapping: dict | None = None) -> "Answers":
        return cls(_freeze(dict(mapping or {})))

    def get(self, qid, default=None):
        return self.values.get(qid, default)

    def __contains__(self, qid) -> bool:
        return qid in self.values

    def with_(self, **changes) -> "Answers":
        """A copy with some answers changed; a value of None removes the answer."""
        new = dict(self.values)
        for k, v in changes.items():
            if v is None:
                new.pop(k, None)
            else:
                new[k] = v
        return Answers.of(new)

    def set(self, qid: str, value) -> "Answers":
        return self.with_(**{qid: value})

    def overlay(self, other: "Answers") -> "Answers":
        return Answers.of({**_thaw(self.values), **_thaw(other.values)})

    def to_dict(self) -> dict:
        return _thaw(self.values)


@dataclass(frozen=True)
class Part:
    """A module of the software (MDCG 2019-11 §7) or a planned study: its own answers on
    top of the project's."""

    id: str
    title: str
    answers: Answers

    def to_dict(self) -> dict:
        return {"id": self.id, "title": self.title, "answers": self.answers.to_dict()}


@dataclass(frozen=True)
class Project:
    """One AI project as read from a `parameters/*.yaml` answers file."""

    id: str
    title: str
    answers: Answers
    owner: str = ""
    description: str = ""
    as_of: str | None = None
    jurisdiction: str = "NO"
    scenario: str | None = None
    organisation: str | None = None
    modules: tuple[Part, ...] = ()
    studies: tuple[Part, ...] = ()
    source: str | None = None
    # Fields whose text had bidirectional controls or invisible characters removed on input
    # (sivreg.io.clean_project); the assessment says so. Not part of the answers file.
    cleaned: tuple[str, ...] = ()

    def to_dict(self) -> dict:
        """The answers-file form (schema sivreg.project/1), as `io.save_project` writes it."""
        d = {"schema": PROJECT_SCHEMA,
             "project": {"id": self.id, "title": self.title, "owner": self.owner,
                         "description": self.description}}
        for k in ("as_of", "scenario", "organisation"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        d["jurisdiction"] = self.jurisdiction
        d["answers"] = self.answers.to_dict()
        if self.modules:
            d["modules"] = [m.to_dict() for m in self.modules]
        if self.studies:
            d["studies"] = [s.to_dict() for s in self.studies]
        return d

    def with_answers(self, answers: Answers) -> "Project":
        return Project(**{**self.__dict__, "answers": answers})


@dataclass(frozen=True)
class Step:
    """One step of reasoning: a question asked, a rule applied or checked and found not to
    apply, an assumption, a cross-check. `refs` are reference ids from the rulebook."""

    rule: str
    kind: str
    question: str | None = None
    answer: object = None
    finding: str | None = None
    refs: tuple[str, ...] = ()
    note: str | None = None
    note_id: str | None = None

    def to_dict(self) -> dict:
        return {"rule": self.rule, "kind": self.kind, "question": self.question,
                "answer": _thaw(self.answer), "finding": self.finding, "refs": list(self.refs),
                "note": self.note, "note_id": self.note_id}

    @classmethod
    def from_dict(cls, d: dict) -> "Step":
        return cls(rule=d["rule"], kind=d["kind"], question=d.get("question"),
                   answer=_freeze(d.get("answer")), finding=d.get("finding"),
                   refs=tuple(d.get("refs") or ()), note=d.get("note"), note_id=d.get("note_id"))


@dataclass(frozen=True)
class Outcome:
    """The result for one topic: status determined | indeterminate | not_applicable."""

    status: str
    value: object
    missing: tuple[str, ...] = ()
    trace: tuple[Step, ...] = ()
    extra: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def to_dict(self) -> dict:
        return {"status": self.status, "value": self.value, "missing": list(self.missing),
                "trace": [s.to_dict() for s in self.trace], **_thaw(self.extra)}

    @classmethod
    def from_dict(cls, d: dict) -> "Outcome":
        extra = {k: v for k, v in d.items() if k not in ("status", "value", "missing", "trace")}
        return cls(status=d["status"], value=d.get("value"), missing=tuple(d.get("missing") or ()),
                   trace=tuple(Step.from_dict(s) for s in d.get("trace") or ()), extra=_freeze(extra))


@dataclass(frozen=True)
class Assessment:
    """The whole result for one project (output contract sivreg.assessment/1)."""

    project: MappingProxyType
    as_of: str
    jurisdiction: str
    lang: str
    rulebook: MappingProxyType
    inputs_sha256: str
    outcomes: MappingProxyType
    status: str
    obligations: tuple = ()
    actions: tuple = ()
    missing: tuple[str, ...] = ()
    extra: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    def outcome(self, topic: str) -> Outcome:
        return self.outcomes[topic]

    def to_dict(self) -> dict:
        return {"schema": SCHEMA, "project": _thaw(self.project), "as_of": self.as_of,
                "jurisdiction": self.jurisdiction, "lang": self.lang,
                "rulebook": _thaw(self.rulebook), "inputs_sha256": self.inputs_sha256,
                "status": self.status,
                "outcomes": {t: o.to_dict() for t, o in self.outcomes.items()},
                "obligations": _thaw(self.obligations), "actions": _thaw(self.actions),
                "missing": list(self.missing), **_thaw(self.extra)}

    @classmethod
    def from_dict(cls, d: dict) -> "Assessment":
        known = {"schema", "project", "as_of", "jurisdiction", "lang", "rulebook", "inputs_sha256",
                 "status", "outcomes", "obligations", "actions", "missing"}
        return cls(project=_freeze(d["project"]), as_of=d["as_of"], jurisdiction=d["jurisdiction"],
                   lang=d["lang"], rulebook=_freeze(d["rulebook"]), inputs_sha256=d["inputs_sha256"],
                   outcomes=MappingProxyType({t: Outcome.from_dict(o) for t, o in d["outcomes"].items()}),
                   status=d["status"], obligations=_freeze(d.get("obligations") or []),
                   actions=_freeze(d.get("actions") or []), missing=tuple(d.get("missing") or ()),
                   extra=_freeze({k: v for k, v in d.items() if k not in known}))
