"""The format of sivreg's data files, as Pydantic v2 models: every kind of rulebook file
(sivreg/rulebook/) and the answers file (parameters/*.yaml).

These models are the documentation of the format: each field's description says what it
means. They are strict (no type is coerced: the text "3" is not the number 3) and forbid
unknown keys. `sivreg.catalogue.load_rulebook` validates every rulebook file through
`RULEBOOK_FILES` and turns pydantic's errors into sivreg's problems (file, line, field,
message; every problem at once) with `problems_from`; what needs more than one file (a
reference that must resolve, an id defined twice, a date id that must exist) stays in
catalogue.py. A check that needs several fields of one entry (an enum question needs
options) is a model validator here; it is reported once the entry's own fields are right.

Answers files (`AnswersFile`) are read and checked by `sivreg.io`, with messages in bokmål or
English and limits against hostile files; the model here describes their shape (what each
key means) and a test checks that every example and scenario file fits it.

Conventions of the rulebook's YAML (read by sivreg.yamlstrict): no implicit booleans or dates,
so a flag is the text "true" or "false" and a date is the text YYYY-MM-DD; `~` is null.
"""
from __future__ import annotations

import typing
from typing import Annotated, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, TypeAdapter, model_validator
from pydantic_core import PydanticCustomError

from .errors import Problem

# A text that is not empty or only spaces.
NonBlank = Annotated[str, StringConstraints(pattern=r"^\s*\S")]
DateText = Annotated[str, StringConstraints(pattern=r"^\d{4}-\d{2}-\d{2}$")]
Flag = Literal["true", "false", None]
Certainty = Literal["stated", "inferred", "uncertain"]
RefId = str
RefIds = list[RefId]


class _Model(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _cross(fld: str, message: str) -> PydanticCustomError:
    """An error from a check across fields, reported at `fld` of the entry."""
    return PydanticCustomError("sivreg", "{message}", {"field": fld, "message": message})


# -- shared pieces ------------------------------------------------------------------------

class Text(_Model):
    """A text shown to people, in every language sivreg speaks: bokmål and English."""

    __unknown__ = "unknown language; allowed: nb, en"
    nb: NonBlank = Field(description="The text in Norwegian bokmål (not empty).")
    en: NonBlank = Field(description="The text in English (not empty).")


CERTAINTY_DOC = ("How sure the rulebook is of this: stated (the source says so), inferred (read from "
                 "secondary sources), uncertain (flagged as uncertain in every report). Default stated.")


# -- references/*.yaml ----------------------------------------------------------------------

class Reference(_Model):
    """A source a conclusion rests on: a legal act, a guidance document or a pinpoint in one.
    A top-level reference (no parent) needs title, short and binding; a child names its parent
    and its pinpoint and inherits title, short, url and binding from it."""

    title: Text = Field(None, description="The full title of the act or document.")
    short: Text = Field(None, description="The short name used in citations, e.g. MDR.")
    pinpoint: Text = Field(None, description="Where in the parent: article, annex, section, e.g. Annex VIII, Rule 11.")
    parent: Optional[RefId] = Field(None, description="The reference id this one is a part of (a top-level reference).")
    url: Optional[str] = Field(None, description="Where the source can be read (EUR-Lex, Lovdata, the publisher).")
    binding: Flag = Field(None, description='"true" for binding law, "false" for guidance (not binding).')
    certainty: Certainty = Field("stated", description=CERTAINTY_DOC)
    note: Text = Field(None, description="A remark shown with the reference (e.g. why it is uncertain).")

    @model_validator(mode="after")
    def _top_level(self):
        if self.parent is None:
            for k in ("title", "short", "binding"):
                if getattr(self, k) is None:
                    raise _cross(k, "a top-level reference needs title, short and binding")
        return self


# -- questions/*.yaml -----------------------------------------------------------------------

class Option(_Model):
    """One allowed answer of an enum or multi question."""

    value: Union[str, int] = Field(description="The answer as written in an answers file (not 'unknown', "
                                               "which every question allows as don't know).")
    label: Text = Field(description="The answer as shown to people.")

    @model_validator(mode="after")
    def _not_unknown(self):
        if self.value == "unknown":
            raise _cross("", "'unknown' is reserved for don't know")
        return self


class Example(_Model):
    """A worked example from the guidance: a case and where it lands."""

    text: Text = Field(description="The case.")
    lands: Text = Field(description="The answer it gets, and why.")
    source: RefId = Field(description="The reference the example comes from.")


class Question(_Model):
    """A question put to the project. Its answer goes in the answers file under its id."""

    id: str = Field(description="The question id, e.g. qual.is_software (the key in an answers file).")
    type: Literal["bool", "enum", "multi", "text", "date", "number"] = Field(
        description="bool: yes/no; enum: one option; multi: a list of options; text; date (YYYY-MM-DD); "
                    "number. Every type also accepts 'unknown' (don't know).")
    label: Text = Field(description="The question as asked.")
    help: Text = Field(description="Why it is asked and how to answer it.")
    refs: RefIds = Field(description="The references the question rests on.")
    options: list[Option] = Field(None, min_length=1, description="The allowed answers (enum and multi questions only).")
    optional: Flag = Field(None, description='"true" if a conclusion can be reached without it.')
    certainty: Certainty = Field("stated", description=CERTAINTY_DOC)
    examples: Optional[list[Example]] = Field(None, description="Worked examples from the guidance.")
    place: Literal["project", "study"] = Field(
        "project", description="Where the answer goes: project (answers:) or study (studies[].answers).")

    @model_validator(mode="after")
    def _options_match_type(self):
        if self.type in ("enum", "multi") and self.options is None:
            raise _cross("options", f"a {self.type} question needs options")
        if self.type not in ("enum", "multi") and self.options is not None:
            raise _cross("options", f"a {self.type} question has no options")
        return self


# -- rules/*.yaml ---------------------------------------------------------------------------

class Rule(_Model):
    """The label of a rule of sivreg/rules/ (a step of the reasoning) and its legal basis."""

    label: Text = Field(description="What the step concludes, as shown in the trace.")
    refs: RefIds = Field(description="The references the step rests on.")
    certainty: Certainty = Field("stated", description=CERTAINTY_DOC)
    note: Text = Field(None, description="A remark shown with the step (e.g. where the law is uncertain).")


# -- dates/*.yaml and scenarios -----------------------------------------------------------

class JurisdictionDate(_Model):
    """A date of application in one jurisdiction: a date with the reference it comes from, or
    pending (~) with a note saying why."""

    date: Optional[DateText] = Field(description="YYYY-MM-DD, or ~ while the date is pending.")
    ref: RefId = Field(None, description="The reference the date comes from (required with a date).")
    note: Text = Field(None, description="Why the date is pending or uncertain (required with ~).")
    certainty: Certainty = Field("stated", description=CERTAINTY_DOC)

    @model_validator(mode="after")
    def _ref_or_note(self):
        if self.date is not None and self.ref is None:
            raise _cross("ref", "a date needs the reference it comes from")
        if self.date is None and self.note is None:
            raise _cross("note", "a pending (~) date needs a note saying why")
        return self


class Dated(_Model):
    """A date per jurisdiction: the EU's and Norway's (NO)."""

    __unknown__ = "unknown jurisdiction; allowed: EU, NO"
    __missing_text__ = {j: "every date needs an entry for each jurisdiction (date or ~ with a note)"
                        for j in ("EU", "NO")}
    EU: JurisdictionDate = Field(description="The date in the EU.")
    NO: JurisdictionDate = Field(description="The date in Norway (pending while the EEA incorporation is unconfirmed).")


class DateEntry(Dated):
    """A date of application (e.g. of a chapter of the AI Act), per jurisdiction."""

    __unknown__ = None
    label: Text = Field(description="What applies from this date.")


class Scenario(_Model):
    """A version of the law (scenarios/<id>.yaml, the id being the file name): its legal
    status and the dates it changes."""

    label: Text = Field(description="The name of the version.")
    legal_status: Text = Field(description="Whether and where the version is in force, as far as known.")
    certainty: Certainty = Field(description=CERTAINTY_DOC)
    refs: RefIds = Field(description="The references of the version.")
    default: Flag = Field(None, description='"true" for the scenario used when an answers file names none.')
    dates: Optional[dict[str, Dated]] = Field(
        None, description="Date id (from rulebook/dates/) -> the dates this version sets instead.")
    description: Text = Field(None, description="What differs in this version.")


# -- obligations/*.yaml, actions/*.yaml ---------------------------------------------------

class Obligation(_Model):
    """A duty that a conclusion brings (listed with its dates)."""

    id: str = Field(description="The obligation id.")
    label: Text = Field(description="The duty in a line.")
    refs: RefIds = Field(description="The references the duty comes from.")
    applies_from: str = Field(None, description="The date id (rulebook/dates/) from which the duty applies.")
    note: Text = Field(None, description="A remark shown with the duty.")
    topic: str = Field(None, description="The conclusion (outcomes.*) under which the duty is listed.")
    role: str = Field(None, description="Who has the duty (manufacturer, provider, deployer, ...).")
    certainty: Certainty = Field("stated", description=CERTAINTY_DOC)
    detail: Text = Field(None, description="More about what the duty asks.")


class Action(_Model):
    """A next step for the project, with its recipient and deadline."""

    id: str = Field(description="The action id.")
    label: Text = Field(description="What to do, in a line.")
    refs: RefIds = Field(description="The references the step comes from.")
    recipient: Text = Field(None, description="Who receives what the step produces (DMP, REK, a notified body).")
    days: int = Field(None, description="The deadline or waiting time in days.")
    note: Text = Field(None, description="A remark shown with the step.")
    topic: str = Field(None, description="The conclusion (outcomes.*) the step belongs to.")
    certainty: Certainty = Field("stated", description=CERTAINTY_DOC)
    detail: Text = Field(None, description="More about the step.")
    order: int = Field(None, description="The place among the next steps (smaller first).")


# -- organisations/<id>.yaml --------------------------------------------------------------

class Organisation(_Model):
    """An organisation profile (organisations/<id>.yaml, the id being the file name): the
    hospital that assesses its projects and appears in the in-house declaration."""

    name: Text = Field(description="The organisation's name.")
    short_name: str = Field(description="Its short name, e.g. SiV.")
    legal_entity: Text = Field(description="The legal entity (matters for the in-house exemption, MDR Art 5(5)).")
    address: str = Field(description="The postal address (for the public declaration).")
    contact_email: str = Field(description="The contact address for projects.")
    internal_registration_system: Text = Field(description="Where projects are registered inside the organisation.")
    default: Flag = Field(None, description='"true" for the profile used when an answers file names none.')
    note: Text = Field(None, description="What is known and not known about the profile.")
    organisation_number: Optional[Union[str, int]] = Field(None, description="The organisation number, if known.")


# -- periods/*.yaml ----------------------------------------------------------------------

class Period(_Model):
    """A day count (a deadline or waiting time) with the provision it comes from."""

    label: Text = Field(description="What the period is.")
    days: int = Field(ge=0, description="The number of days (0 or more).")
    ref: RefId = Field(description="The provision the count comes from.")
    certainty: Certainty = Field("stated", description=CERTAINTY_DOC)
    note: Text = Field(None, description="A remark shown with the period.")


# -- checklists/<id>.yaml ----------------------------------------------------------------

class ChecklistItem(_Model):
    """An item of a documentation checklist (checklists/<id>.yaml; ids unique per checklist)."""

    id: str = Field(description="The item id.")
    label: Text = Field(description="What the documentation must contain.")
    refs: RefIds = Field(description="The provisions that ask for it.")
    group: str = Field(None, description="The group the item is shown under.")
    overlaps: list[str] = Field(None, description="Ids of items in other checklists with the same content "
                                                  "(merged item by item).")


# -- retired/*.yaml ----------------------------------------------------------------------

class Retired(_Model):
    """A question id no longer asked: an answers file naming it is refused with its replacement."""

    replaced_by: list[str] = Field(description="The question ids that ask it now.")
    note: Text = Field(description="Why it was retired.")


# -- version.yaml ------------------------------------------------------------------------

class Version(_Model):
    """The rulebook's own version (SemVer with a legal meaning)."""

    version: Union[str, int, float] = Field(description="patch = a fix that keeps ids; minor = new questions, "
                                                         "rules or obligations; major = a renamed or removed id "
                                                         "or a changed meaning of a conclusion.")
    compiled: Optional[str] = Field(None, description="The date the rulebook was compiled (YYYY-MM-DD).")


# -- the files -----------------------------------------------------------------------------

# folder of sivreg/rulebook/ (and "version") -> the type of one file's content
RULEBOOK_FILES: dict[str, object] = {
    "references": dict[str, Reference],
    "questions": list[Question],
    "conclusions": dict[str, dict[str, Text]],  # topic -> value -> text
    "messages": dict[str, Text],                # message key -> text
    "rules": dict[str, Rule],
    "dates": dict[str, DateEntry],
    "scenarios": Scenario,
    "obligations": list[Obligation],
    "actions": list[Action],
    "organisations": Organisation,
    "periods": dict[str, Period],
    "checklists": list[ChecklistItem],
    "retired": dict[str, Retired],
    "version": Version,
}
# what the whole file must be, in the loader's words
ROOT_SHAPE = {
    "references": "expected a mapping of reference ids", "questions": "expected a list of questions",
    "checklists": "expected a list of checklist items", "obligations": "expected a list",
    "actions": "expected a list",
}

_ADAPTERS: dict[str, TypeAdapter] = {}


def adapter(kind: str) -> TypeAdapter:
    if kind not in _ADAPTERS:
        _ADAPTERS[kind] = TypeAdapter(RULEBOOK_FILES[kind])
    return _ADAPTERS[kind]


# -- answers files (read by sivreg.io) -----------------------------------------------------

AnswerValue = Union[str, list[str], None]


class ProjectInfo(_Model):
    """Who and what the assessment is about."""

    id: str = Field(description="The project id: letters, digits, - _ . (at most 80 characters).")
    title: str = Field(description="The project's title (one line, at most 300 characters).")
    owner: Optional[str] = Field(None, description="Who owns the project (at most 300 characters).")
    description: Optional[str] = Field(None, description="What the project does (at most 20,000 characters).")


class Part(_Model):
    """A module of the software (MDCG 2019-11 §7) or a planned study, with its own answers."""

    id: str = Field(description="The module's or study's id (unique in the file).")
    title: str = Field(description="Its title.")
    answers: Optional[dict[str, AnswerValue]] = Field(None, description="Question id -> answer, for this part.")


class AnswersFile(_Model):
    """An answers file (parameters/*.yaml; start from `sivreg template`). Every plain scalar is
    read as text. An answer is one of the question's values, a list of them for a multi
    question, 'unknown' (don't know) or ~ (not answered yet)."""

    schema_: Optional[str] = Field(None, alias="schema", description="The file format, sivreg.project/1.")
    project: ProjectInfo = Field(description="The project.")
    as_of: Optional[str] = Field(None, description="The date the assessment is made for (YYYY-MM-DD); "
                                                   "default today, or --as-of.")
    jurisdiction: Literal["NO", "EU"] = Field("NO", description="Whose dates apply: Norway (NO) or the EU.")
    scenario: Optional[str] = Field(None, description="The version of the law (a rulebook scenario id).")
    organisation: Optional[str] = Field(None, description="The organisation profile id (rulebook/organisations/).")
    answers: Optional[dict[str, AnswerValue]] = Field(None, description="Question id -> answer, for the project.")
    modules: Optional[list[Part]] = Field(None, description="The software's modules, each assessed on its own.")
    studies: Optional[list[Part]] = Field(None, description="Planned studies, each with its study questions.")


# -- pydantic errors as sivreg problems ----------------------------------------------------

# messages of fields whose type error needs words of its own: (model, field) -> message
_FIELD_TEXT = {
    ("Period", "days"): "expected a whole number of days (0 or more)",
    ("Action", "days"): "expected a whole number of days",
    ("Action", "order"): "expected a whole number (place among the next steps)",
    ("ChecklistItem", "group"): "expected a group name (text)",
    ("ChecklistItem", "overlaps"): "expected a list of item ids from other checklists",
    ("Retired", "replaced_by"): "expected a list of question ids",
}


def _unwrap(tp):
    while True:
        origin = typing.get_origin(tp)
        if origin is Annotated:
            tp = typing.get_args(tp)[0]
        elif origin is Union:
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            if len(args) != 1:
                return tp
            tp = args[0]
        else:
            return tp


def _is_model(tp) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _step(tp, key):
    """The type one step (a key or an index) inside `tp`, or None."""
    tp = _unwrap(tp)
    if _is_model(tp):
        f = tp.model_fields.get(key) or next((f for f in tp.model_fields.values() if f.alias == key), None)
        return f.annotation if f else None
    origin = typing.get_origin(tp)
    if origin is dict:
        return typing.get_args(tp)[1]
    if origin is list:
        return typing.get_args(tp)[0]
    return None


def _type_name(v) -> str:
    return {dict: "mapping", list: "list", str: "text", int: "number", float: "number"}.get(type(v), type(v).__name__) \
        if not isinstance(v, dict) else "mapping"


def problems_from(file, data, kind: str, errors, prefix: str | None = None) -> list[Problem]:
    """pydantic's errors for one rulebook file as sivreg problems: the line from the strict
    loader's line numbers, the field as a dotted path (list items named by their id, options
    by their value, other items as [i])."""
    out = []
    root_type = RULEBOOK_FILES[kind]
    for err in errors:
        loc, etype = err["loc"], err["type"]
        node, tp, parent_tp = data, root_type, None
        parts = [prefix] if prefix else []
        line = getattr(data, "line", None)
        last_key = None
        for i, step in enumerate(loc):
            if isinstance(node, dict) and isinstance(step, str) and step in node:
                line = node.line_of(step) if hasattr(node, "line_of") else line
                parts.append(step)
                parent_tp, tp, node, last_key = tp, _step(tp, step), node[step], step
            elif isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node):
                item = node[step]
                name = None
                if isinstance(item, dict):
                    name = item.get("id") if "id" in item else item.get("value") if "value" in item else None
                    line = getattr(item, "line", line)
                if name is not None and isinstance(name, (str, int)):
                    parts.append(str(name))
                elif parts:
                    parts[-1] += f"[{step}]"
                else:
                    parts.append(f"[{step}]")
                parent_tp, tp, node, last_key = tp, _step(tp, step), item, step
            elif etype in ("missing", "extra_forbidden") and i == len(loc) - 1:
                parts.append(str(step))
                parent_tp, tp, last_key = tp, _step(tp, step), step
                if isinstance(node, dict):
                    line = node.line_of(step) if etype == "extra_forbidden" else getattr(node, "line", line)
            # else: a tag pydantic adds inside a union (str, int, ...): not a place in the file
        fld = ".".join(p for p in parts if p)
        msg = _message(err, etype, tp, parent_tp, last_key)
        if not loc and kind in ROOT_SHAPE:
            msg = ROOT_SHAPE[kind]
        if etype == "sivreg":
            extra = err["ctx"]["field"]
            if extra:
                fld = f"{fld}.{extra}" if fld else extra
                if isinstance(node, dict) and extra in node:
                    line = node.line_of(extra)
        out.append(Problem(str(file), line, fld, msg))
    return out


def _message(err, etype, tp, parent_tp, key) -> str:
    value = err.get("input")
    parent = _unwrap(parent_tp)
    target = _unwrap(tp)
    pname = parent.__name__ if _is_model(parent) else ""
    if etype == "sivreg":
        return err["ctx"]["message"]
    if etype == "extra_forbidden":
        special = getattr(parent, "__unknown__", None) if _is_model(parent) else None
        if special:
            return special
        allowed = ", ".join(sorted((f.alias or n) for n, f in parent.model_fields.items())) if _is_model(parent) else ""
        return f"unknown key {key!r}; allowed: {allowed}"
    if etype == "missing":
        special = getattr(parent, "__missing_text__", None) if _is_model(parent) else None
        if special and key in special:
            return special[key]
        return f"missing {key} text" if parent is Text else "missing required key"
    if parent is Text and etype in ("string_type", "string_pattern_mismatch"):
        return f"missing {key} text"
    if (pname, key) in _FIELD_TEXT:
        return _FIELD_TEXT[(pname, key)]
    if target is Text:
        return "expected a text with nb and en"
    if etype == "literal_error":
        args = typing.get_args(target)
        if set(args) == {"true", "false", None}:
            return f'expected "true" or "false", found {value!r}'
        return "allowed: " + ", ".join(str(a) for a in args if a is not None)
    if key in ("date",) and etype in ("string_pattern_mismatch", "string_type"):
        return f"expected a date YYYY-MM-DD or ~, found {value!r}"
    if key in ("refs",) and etype == "list_type":
        return "expected a list of reference ids"
    if etype == "too_short" and key == "options":
        return "needs at least one option"
    if etype in ("model_type", "model_attributes_type", "dict_type"):
        return f"expected a mapping, found {_type_name(value)}"
    if etype == "list_type":
        return f"expected a list, found {_type_name(value)}"
    if etype == "string_type":
        return f"expected a text, found {value!r}"
    if etype in ("int_type", "int_parsing"):
        return f"expected a whole number, found {value!r}"
    return err["msg"][:1].lower() + err["msg"][1:]
