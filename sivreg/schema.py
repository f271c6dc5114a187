"""JSON Schemas generated from the loaded rulebook, for editors with a YAML language server.

`answers_schema(book, lang)` is the schema of an answers file (`parameters/*.yaml`, what
`sivreg.io` reads): every question id with its allowed values, its label as the description
(help, allowed values and references in `markdownDescription`), "unknown" allowed everywhere
as "don't know" and `~` (null) as "not answered yet"; study questions (`place: study`) only
under `studies[].answers` (and not at the top level when the file lists studies); project
questions only at the top level and in modules; retired question ids named with their
replacement. `rulebook_schemas()` gives one schema per kind of rulebook file, written from
what `sivreg.catalogue` checks (the loader stays the authority; the schemas help an editor).

The schemas are draft-07 (what yaml-language-server and VS Code understand best). An editor
reads YAML 1.2, where `010` is a number and `yes` is text; sivreg reads every plain scalar as
text. So free texts also accept numbers and booleans, and an option such as "3" also accepts
the number 3: whatever the schema accepts, sivreg reads the same way.

What a schema cannot check (sivreg validate does): YAML syntax, duplicate keys, the encoding,
the size, depth and alias limits, a real calendar date (2026-02-30), module or study ids
given twice, and anything that needs the rest of the rulebook (a reference that does not
resolve, a label missing in one language is checked, but not a text only made of spaces).
"""
from __future__ import annotations

import re

from .catalogue import (BOOL_VALUES, CERTAINTIES, JURISDICTIONS, LANGS, QUESTION_TYPES, UNKNOWN,
                        Rulebook, rulebook)
from .io import MAX_LIST, MAX_PARTS, MAX_TEXT, PART_KEYS, PROJECT_KEYS, TOP_KEYS
from .model import DATE_RANGE, PROJECT_SCHEMA

DRAFT = "http://json-schema.org/draft-07/schema#"
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$"
# YYYY-MM-DD within DATE_RANGE (1900-2199); the day of the month is not checked against it
DATE_PATTERN = r"^(19|20|21)[0-9]{2}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
NUMBER_PATTERN = r"^[+-]?[0-9]{1,15}(\.[0-9]{1,15})?$"
# no control characters (Unicode category Cc); a multi-line text keeps tab and line breaks
ONE_LINE = r"^[^\u0000-\u001f\u007f-\u009f]*$"
MULTI_LINE = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"
TEXT_TYPES = ["string", "number", "boolean"]  # sivreg reads a plain 12 or true as the text

assert DATE_RANGE == ("1900-01-01", "2199-12-31"), "DATE_PATTERN follows DATE_RANGE"
assert set(TOP_KEYS) == {"schema", "project", "as_of", "jurisdiction", "scenario", "organisation",
                         "answers", "modules", "studies"}, "answers_schema follows sivreg.io"

_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


def yaml12_forms(value: str) -> list:
    """The value as written and, where a YAML 1.2 reader (an editor) would read it as a number,
    a boolean or null, that reading too ("3" -> 3)."""
    forms: list = [value]
    if _INT.match(value):
        forms.append(int(value))
    elif _FLOAT.match(value):
        forms.append(float(value))
    elif value in ("true", "True", "TRUE", "false", "False", "FALSE"):
        forms.append(value.lower() == "true")
    return forms


def _t(book: Rulebook, key: str, lang: str, **args) -> str:
    text = book.text(key, lang)
    return text.format(**args) if args else text


def _cite(book: Rulebook, ref_id: str, lang: str) -> str:
    ref = book.references[ref_id]
    kind = _t(book, "docs.binding" if ref.binding else "docs.guidance", lang)
    cite = book.citation(ref_id, lang)
    return f"[{cite}]({ref.url}) ({kind})" if ref.url else f"{cite} ({kind})"


def _option_labels(book: Rulebook, q, lang: str) -> list[tuple[str, str]]:
    if q.type == "bool":
        return [(v, book.text(f"answer.{v}", lang)) for v in BOOL_VALUES]
    return [(o.value, o.label[lang]) for o in q.options]


def question_schema(book: Rulebook, q, lang: str) -> dict:
    """The allowed values of one question (with "unknown" and null)."""
    unknown = book.text("answer.unknown", lang)
    unanswered = book.text("answer.unanswered", lang)
    opts = _option_labels(book, q, lang)
    md = [f"**{q.label[lang]}**", "", q.help[lang]]
    if opts:
        md += ["", *[f"- `{v}`: {label}" for v, label in opts]]
    md += ["", f"- `{UNKNOWN}`: {unknown}", f"- `~`: {unanswered}"]
    if q.refs:
        md += ["", _t(book, "schema.refs", lang) + " " + "; ".join(_cite(book, r, lang) for r in q.refs)]
    out: dict = {"title": q.label[lang], "description": q.label[lang], "markdownDescription": "\n".join(md)}
    if q.type in ("bool", "enum"):
        values, labels = [], []
        for v, label in opts:
            for form in yaml12_forms(v):
                values.append(form)
                labels.append(label)
        out["enum"] = [*values, UNKNOWN, None]
        out["enumDescriptions"] = [*labels, unknown, unanswered]
    elif q.type == "multi":
        values = [form for v, _ in opts for form in yaml12_forms(v)]
        choices: dict = {"type": "array", "minItems": 1, "maxItems": MAX_LIST, "uniqueItems": True,
                         "items": {"enum": values}}
        if "none" in q.allowed_values():  # "none" stands alone (sivreg: input.none_combined)
            choices["if"] = {"contains": {"const": "none"}}
            choices["then"] = {"maxItems": 1}
        out["anyOf"] = [{"enum": [UNKNOWN, None]}, choices]
    elif q.type == "text":
        out.update({"type": [*TEXT_TYPES, "null"], "maxLength": MAX_TEXT["answer"], "pattern": MULTI_LINE})
    elif q.type == "date":
        out["anyOf"] = [{"enum": [UNKNOWN, None]}, {"type": "string", "pattern": DATE_PATTERN, "format": "date"}]
    elif q.type == "number":
        out["anyOf"] = [{"enum": [UNKNOWN, None]}, {"type": "number"},
                        {"type": "string", "pattern": NUMBER_PATTERN}]
    else:  # a question type the schema does not know yet: anything (sivreg validate decides)
        assert q.type in QUESTION_TYPES, q.type
    return out


def _answers_def(book: Rulebook, lang: str, where: str) -> dict:
    """The answers mapping at the top level ("project"), in a module or in a study."""
    props: dict = {}
    for q in book.questions.values():
        if where == "project" or (where == "study") == (q.place == "study"):
            props[q.id] = {"$ref": f"#/definitions/question/{q.id}"}
        else:
            key = "input.study_question_in_module" if where == "module" else "input.project_question_in_study"
            props[q.id] = _not_here(book.text(key, lang))
    for qid, r in book.retired.items():
        props[qid] = _not_here(book.text("input.retired_question", lang).format(
            new=", ".join(r["replaced_by"]), why_nb=r["note"]["nb"], why_en=r["note"]["en"]))
    return {"type": ["object", "null"], "description": _t(book, f"schema.answers.{where}", lang),
            "properties": props, "additionalProperties": False}


def _not_here(why: str) -> dict:
    return {"not": {}, "description": why, "deprecationMessage": why}


def _text_field(book, key: str, lang: str, kind: str | None, nullable: bool, one_line: bool = True) -> dict:
    out: dict = {"type": TEXT_TYPES + (["null"] if nullable else []),
                 "description": _t(book, key, lang), "pattern": ONE_LINE if one_line else MULTI_LINE}
    if kind:
        out["maxLength"] = MAX_TEXT[kind]
    return out


def _part(book: Rulebook, lang: str, where: str) -> dict:
    assert set(PART_KEYS) == {"id", "title", "answers"}
    return {"type": "object", "additionalProperties": False, "required": ["id", "title"],
            "properties": {
                "id": {**_text_field(book, "schema.part.id", lang, None, False), "pattern": ID_PATTERN},
                "title": _text_field(book, "schema.part.title", lang, "title", False),
                "answers": {"$ref": f"#/definitions/{where}_answers"}}}


def answers_schema(book: Rulebook | None = None, lang: str = "nb") -> dict:
    """The JSON Schema of an answers file for this rulebook, descriptions in `lang`."""
    book = book or rulebook()
    assert set(PROJECT_KEYS) == {"id", "title", "owner", "description"}
    study_ids = [q.id for q in book.questions.values() if q.place == "study"]
    project = {
        "type": "object", "additionalProperties": False, "required": ["id", "title"],
        "description": _t(book, "schema.project", lang),
        "properties": {
            "id": {**_text_field(book, "schema.project.id", lang, None, False), "pattern": ID_PATTERN},
            "title": _text_field(book, "schema.project.title", lang, "title", False),
            "owner": _text_field(book, "schema.project.owner", lang, "owner", True),
            "description": _text_field(book, "schema.project.description", lang, "description", True,
                                       one_line=False)}}
    parts = {k: {"type": ["array", "null"], "maxItems": MAX_PARTS, "description": _t(book, f"schema.{k}", lang),
                 "items": {"$ref": f"#/definitions/{item}"}}
             for k, item in (("modules", "module"), ("studies", "study"))}
    return {
        "$schema": DRAFT,
        "title": _t(book, "schema.title", lang, schema=PROJECT_SCHEMA),
        "description": _t(book, "schema.description", lang, version=book.version),
        "x-sivreg-rulebook": {"version": book.version, "sha256": book.sha256},
        "type": "object",
        "additionalProperties": False,
        "required": ["project"],
        "properties": {
            "schema": {"const": PROJECT_SCHEMA, "description": _t(book, "schema.schema", lang)},
            "project": project,
            "as_of": {"type": ["string", "null"], "pattern": DATE_PATTERN, "format": "date",
                      "description": _t(book, "schema.as_of", lang)},
            "jurisdiction": {"enum": ["NO", "EU"],  # as sivreg.io reads it
                             "default": "NO", "description": _t(book, "schema.jurisdiction", lang)},
            "scenario": {"enum": [*book.scenarios, None], "description": _t(book, "schema.scenario", lang),
                         "enumDescriptions": [*(s["label"][lang] for s in book.scenarios.values()), ""]},
            "organisation": {"enum": [*book.organisations, None], "description": _t(book, "schema.organisation", lang),
                             "enumDescriptions": [*(o["name"][lang] for o in book.organisations.values()), ""]},
            "answers": {"$ref": "#/definitions/project_answers"},
            **parts,
        },
        # a file that lists studies keeps their questions under studies[].answers
        "if": {"required": ["studies"], "properties": {"studies": {"type": "array", "minItems": 1}}},
        "then": {"properties": {"answers": {
            "properties": {qid: _not_here(book.text("input.study_question_at_top", lang)) for qid in study_ids}}}},
        "definitions": {
            "question": {q.id: question_schema(book, q, lang) for q in book.questions.values()},
            "project_answers": _answers_def(book, lang, "project"),
            "module_answers": _answers_def(book, lang, "module"),
            "study_answers": _answers_def(book, lang, "study"),
            "module": {**_part(book, lang, "module"), "description": _t(book, "schema.module", lang)},
            "study": {**_part(book, lang, "study"), "description": _t(book, "schema.study", lang)},
        },
    }


# -- the rulebook's own files -------------------------------------------------------------

def _defs(book: Rulebook) -> dict:
    """Shared definitions: a text in nb and en, reference ids, flags, certainty, dates."""
    return {
        "text": {"type": "object", "additionalProperties": False, "required": list(LANGS),
                 "description": "A text in every language (nb, en), none empty.",
                 "properties": {lang: {"type": "string", "minLength": 1, "pattern": r"\S"} for lang in LANGS}},
        "ref": {"type": "string", "description": "A reference id defined in rulebook/references/.",
                "examples": sorted(book.references)},
        "refs": {"type": "array", "items": {"$ref": "#/definitions/ref"}},
        "flag": {"enum": ["true", "false", True, False, None]},
        "certainty": {"enum": list(CERTAINTIES), "default": "stated",
                      "description": "stated (the source says so), inferred (read from secondary sources), "
                                     "uncertain (flagged as uncertain in every report)."},
        "date": {"type": ["string", "null"], "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
                 "description": "YYYY-MM-DD, or ~ while the date is pending (a note then says why)."},
        "jurisdiction_date": {
            "type": "object", "additionalProperties": False, "required": ["date"],
            "properties": {"date": {"$ref": "#/definitions/date"}, "ref": {"$ref": "#/definitions/ref"},
                           "note": {"$ref": "#/definitions/text"}, "certainty": {"$ref": "#/definitions/certainty"}},
            "if": {"properties": {"date": {"type": "string"}}},
            "then": {"required": ["ref"]}, "else": {"required": ["note"]}},
        "dated": {"type": "object", "additionalProperties": False, "required": list(JURISDICTIONS),
                  "properties": {j: {"$ref": "#/definitions/jurisdiction_date"} for j in JURISDICTIONS}},
    }


def _file(title: str, body: dict, book: Rulebook) -> dict:
    return {"$schema": DRAFT, "title": title, **body, "definitions": _defs(book)}


def _mapping_of(item: dict) -> dict:
    return {"type": "object", "additionalProperties": item}


def _obj(required: list, optional: dict, props: dict | None = None) -> dict:
    props = {**(props or {}), **optional}
    return {"type": "object", "additionalProperties": False, "required": required, "properties": props}


T, REFS, CERT, FLAG = ({"$ref": "#/definitions/text"}, {"$ref": "#/definitions/refs"},
                       {"$ref": "#/definitions/certainty"}, {"$ref": "#/definitions/flag"})
STR = {"type": "string"}
INT = {"type": "integer"}


def rulebook_schemas(book: Rulebook | None = None) -> dict[str, dict]:
    """One JSON Schema per folder of sivreg/rulebook/ (and version.yaml), keyed by the folder."""
    book = book or rulebook()
    reference = {**_obj([], {"title": T, "short": T, "pinpoint": T, "parent": {"type": ["string", "null"]},
                             "url": {"type": ["string", "null"], "format": "uri"}, "binding": FLAG,
                             "certainty": CERT, "note": T}),
                 "description": "A reference: a top-level one (no parent) needs title, short and binding; "
                                "a child inherits them and names its pinpoint.",
                 "if": {"required": ["parent"], "properties": {"parent": {"type": "string"}}},
                 "else": {"required": ["title", "short", "binding"]}}
    option = _obj(["value", "label"], {"value": {"not": {"const": UNKNOWN}, "type": ["string", "number"]},
                                       "label": T})
    example = _obj(["text", "lands", "source"], {"text": T, "lands": T, "source": {"$ref": "#/definitions/ref"}})
    question = {**_obj(["id", "type", "label", "help", "refs"],
                       {"id": STR, "type": {"enum": list(QUESTION_TYPES)}, "label": T, "help": T, "refs": REFS,
                        "options": {"type": "array", "minItems": 1, "items": option}, "optional": FLAG,
                        "certainty": CERT, "examples": {"type": ["array", "null"], "items": example},
                        "place": {"enum": ["project", "study"], "default": "project"}}),
                "if": {"properties": {"type": {"enum": ["enum", "multi"]}}},
                "then": {"required": ["options"]}, "else": {"not": {"required": ["options"]}}}
    rule = _obj(["label", "refs"], {"label": T, "refs": REFS, "certainty": CERT, "note": T})
    item = {"id": STR, "label": T, "refs": REFS, "note": T, "topic": STR, "certainty": CERT, "detail": T}
    obligation = _obj(["id", "label", "refs"], {**item, "applies_from": {"enum": sorted(book.dates)}, "role": STR})
    action = _obj(["id", "label", "refs"], {**item, "recipient": T, "days": INT, "order": INT})
    scenario = _obj(["label", "legal_status", "certainty", "refs"],
                    {"label": T, "legal_status": T, "certainty": CERT, "refs": REFS, "default": FLAG,
                     "description": T,
                     "dates": {"type": ["object", "null"], "propertyNames": {"enum": sorted(book.dates)},
                               "additionalProperties": {"$ref": "#/definitions/dated"}}})
    organisation = _obj(["name", "short_name", "legal_entity", "address", "contact_email",
                         "internal_registration_system"],
                        {"name": T, "short_name": {}, "legal_entity": T, "address": {}, "contact_email": {},
                         "internal_registration_system": T, "default": FLAG, "note": T,
                         "organisation_number": {}})
    period = _obj(["label", "days", "ref"], {"label": T, "days": {"type": "integer", "minimum": 0},
                                             "ref": {"$ref": "#/definitions/ref"}, "certainty": CERT, "note": T})
    check = _obj(["id", "label", "refs"], {"id": STR, "label": T, "refs": REFS, "group": STR,
                                           "overlaps": {"type": "array", "items": STR}})
    retired = _obj(["replaced_by", "note"], {"replaced_by": {"type": "array", "items": {"enum": sorted(book.questions)}},
                                             "note": T})
    dated = _obj(["label", *JURISDICTIONS],
                 {"label": T, **{j: {"$ref": "#/definitions/jurisdiction_date"} for j in JURISDICTIONS}})
    return {
        "references": _file("sivreg rulebook: references/*.yaml (reference id -> reference)",
                            _mapping_of(reference), book),
        "questions": _file("sivreg rulebook: questions/*.yaml (a list of questions)",
                           {"type": "array", "items": question}, book),
        "conclusions": _file("sivreg rulebook: conclusions/*.yaml (topic -> value -> text)",
                             _mapping_of(_mapping_of(T)), book),
        "messages": _file("sivreg rulebook: messages/*.yaml (message key -> text)", _mapping_of(T), book),
        "rules": _file("sivreg rulebook: rules/*.yaml (rule id -> label and references)", _mapping_of(rule), book),
        "dates": _file("sivreg rulebook: dates/*.yaml (date id -> label and a date per jurisdiction)",
                       _mapping_of(dated), book),
        "obligations": _file("sivreg rulebook: obligations/*.yaml (a list of obligations)",
                             {"type": "array", "items": obligation}, book),
        "actions": _file("sivreg rulebook: actions/*.yaml (a list of next steps)",
                         {"type": "array", "items": action}, book),
        "scenarios": _file("sivreg rulebook: scenarios/<id>.yaml (a version of the law)", scenario, book),
        "organisations": _file("sivreg rulebook: organisations/<id>.yaml (an organisation profile)",
                               organisation, book),
        "periods": _file("sivreg rulebook: periods/*.yaml (period id -> day count)", _mapping_of(period), book),
        "checklists": _file("sivreg rulebook: checklists/<id>.yaml (a list of checklist items)",
                            {"type": "array", "items": check}, book),
        "retired": _file("sivreg rulebook: retired/*.yaml (old question id -> its replacement)",
                         _mapping_of(retired), book),
        "version": _file("sivreg rulebook: version.yaml",
                         _obj(["version"], {"version": {"type": ["string", "number"]}, "compiled": {}}), book),
    }
