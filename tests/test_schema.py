"""The JSON Schemas (sivreg/schema.py, `sivreg schema`) checked with the jsonschema library:
the answers schema accepts every example in parameters/ and the answers of every scenario
case, read both as sivreg reads them (every plain scalar is text) and as an editor's YAML 1.2
parser does (010 a number, yes text); it rejects the bad-input files of test_bad_input.py
that are schema matters, and says which are not. The rulebook schemas accept every rulebook
file. `sivreg template` names the schema on its first line."""
import copy
import json
import re
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
import yaml

import sivreg
from sivreg import yamlstrict
from sivreg.catalogue import RULEBOOK_DIR
from sivreg.schema import answers_schema, rulebook_schemas

import scenario_cases
from test_bad_input import CASES as BAD_INPUT

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "parameters").glob("*.yaml"))
SCENARIO_CASES = scenario_cases.collect()

# Bad inputs of test_bad_input.py that a JSON Schema cannot catch, and why.
NOT_SCHEMA_MATTERS = {
    "syntax": "YAML syntax: the text is not YAML, so there is no document to check "
              "(the editor's YAML parser underlines it; sivreg validate names the line)",
}
# Other problems sivreg validate finds that a schema cannot (each tested below as accepted
# by the schema, refused by sivreg): the reason is what the schema does not see.
BEYOND_SCHEMA = {
    "duplicate_key": ("project: {id: p1, title: T}\nanswers: {qual.is_software: yes, qual.is_software: no}\n",
                      "duplicate keys: a parser keeps one of the two before any schema sees the document"),
    "impossible_date": ("project: {id: p1, title: T}\nas_of: 2026-02-30\n",
                        "a date that does not exist: a pattern checks the form, not the calendar"),
    "module_id_twice": ("project: {id: p1, title: T}\nmodules: [{id: a, title: A}, {id: a, title: B}]\n",
                        "an id used twice in a list of mappings: JSON Schema has no unique-by-field rule"),
}
UNDECODABLE = "bytes that are not UTF-8 (test_bad_input.test_undecodable_bytes): no text, so no document"


class Yaml12Loader(yaml.SafeLoader):
    """PyYAML with the YAML 1.2 core schema's implicit types, as an editor reads a file."""


Yaml12Loader.yaml_implicit_resolvers = {}
for tag, rx, first in (
        ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
        ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
        ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
        ("tag:yaml.org,2002:float",
         r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$",
         list("-+.0123456789"))):
    Yaml12Loader.add_implicit_resolver(tag, re.compile(rx), first)
Yaml12Loader.add_constructor("tag:yaml.org,2002:int", lambda l, n: int(l.construct_scalar(n), 0)
                             if not re.match(r"^[-+]?0[0-9]", l.construct_scalar(n)) else int(l.construct_scalar(n), 10))


def as_sivreg(text: str):
    """The document as sivreg reads it (plain scalars are text), as plain JSON data."""
    return json.loads(json.dumps(yamlstrict.loads(text, text_only=True)))


def as_editor(text: str):
    """The document as a YAML 1.2 editor reads it."""
    return yaml.load(text, Loader=Yaml12Loader)


@pytest.fixture(scope="module")
def validator():
    schema = answers_schema(lang="en")
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def errors(validator, data) -> list[str]:
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_accepted(validator, path):
    text = path.read_text(encoding="utf-8")
    sivreg.load(path)  # the example itself is good
    assert not errors(validator, as_sivreg(text))
    assert not errors(validator, as_editor(text))


def _case_text(case) -> str:
    """The answers file of a scenario case, built as scenario_cases.project_of builds it."""
    d = case.data
    data = {"project": {"id": "case", "title": case.name}, "answers": d.get("answers") or {}}
    for k in ("modules", "studies", "scenario", "jurisdiction"):
        if k in d:
            data[k] = d[k]
    return yamlstrict.dumps(data)


def test_every_scenario_case_is_accepted(validator):
    assert len(SCENARIO_CASES) > 100
    bad = {}
    for case in SCENARIO_CASES:
        text = _case_text(case)
        assert scenario_cases.project_of(case) == sivreg.loads(text, source=f"{case.file}::{case.name}")
        for how, data in (("sivreg", as_sivreg(text)), ("editor", as_editor(text))):
            errs = errors(validator, data)
            if errs:
                bad[f"{case.id} ({how})"] = errs
    assert not bad, json.dumps(bad, indent=1)[:3000]


@pytest.mark.parametrize("name", sorted(BAD_INPUT))
def test_bad_input_is_rejected(validator, name):
    if name in NOT_SCHEMA_MATTERS:
        pytest.skip(f"not a schema matter: {NOT_SCHEMA_MATTERS[name]}")
    text = BAD_INPUT[name][0]
    for data in (as_sivreg(text), as_editor(text)):
        assert errors(validator, data), f"{name}: the schema accepts {data!r}"


def test_undecodable_bytes_are_not_a_schema_matter():
    pytest.skip(f"not a schema matter: {UNDECODABLE}")


@pytest.mark.parametrize("name", sorted(BEYOND_SCHEMA))
def test_what_only_sivreg_validate_finds(validator, name):
    """These pass the schema (an editor cannot underline them) and sivreg refuses them."""
    text, why = BEYOND_SCHEMA[name]
    with pytest.raises(sivreg.InputError):
        sivreg.loads(text)
    if name != "duplicate_key":  # PyYAML keeps the last value, as editors do
        assert not errors(validator, as_sivreg(text)), why
    else:
        assert not errors(validator, yaml.load(text, Loader=Yaml12Loader)), why


def _study_and_project_questions():
    book = sivreg.rulebook()
    study = next(q for q in book.questions.values() if q.place == "study")
    project = next(q for q in book.questions.values() if q.place != "study" and q.type == "bool")
    multi = next(q for q in book.questions.values() if q.type == "multi" and "none" in q.allowed_values())
    return book, study, project, multi


def test_rejects_what_io_rejects_beyond_the_bad_input_files(validator):
    book, study, project, multi = _study_and_project_questions()
    other = next(v for v in multi.allowed_values() if v != "none")
    base = {"project": {"id": "p1", "title": "T"}}
    bad = {
        "study question at the top beside studies": {**base, "answers": {study.id: "unknown"},
                                                     "studies": [{"id": "s", "title": "S"}]},
        "project question in a study": {**base, "studies": [{"id": "s", "title": "S", "answers": {project.id: "yes"}}]},
        "study question in a module": {**base, "modules": [{"id": "m", "title": "M", "answers": {study.id: "unknown"}}]},
        "none with another choice": {**base, "answers": {multi.id: ["none", other]}},
        "a choice twice": {**base, "answers": {multi.id: [other, other]}},
        "an empty choice list": {**base, "answers": {multi.id: []}},
        "too many modules": {**base, "modules": [{"id": f"m{i}", "title": "M"} for i in range(51)]},
        "bad id": {"project": {"id": "a b", "title": "T"}},
        "line break in a title": {"project": {"id": "p", "title": "a\nb"}},
        "escape sequence in a title": {"project": {"id": "p", "title": "a\x1b[2Jb"}},
        "unknown scenario": {**base, "scenario": "nope"},
        "wrong schema name": {**base, "schema": "other/1"},
        "module without title": {**base, "modules": [{"id": "m"}]},
    }
    if book.retired:
        bad["a retired question"] = {**base, "answers": {next(iter(book.retired)): "yes"}}
    for what, data in bad.items():
        with pytest.raises(sivreg.InputError):
            sivreg.loads(yamlstrict.dumps(data))
        assert errors(validator, data), f"{what}: accepted by the schema"
    good = {**base, "answers": {study.id: "unknown", project.id: None, multi.id: ["none"]}}
    sivreg.loads(yamlstrict.dumps(good))
    assert not errors(validator, good)


def test_every_question_with_its_values_and_label():
    book = sivreg.rulebook()
    for lang in ("nb", "en"):
        schema = answers_schema(book, lang)
        props = schema["definitions"]["project_answers"]["properties"]
        for q in book.questions.values():
            assert props[q.id] == {"$ref": f"#/definitions/question/{q.id}"}
            qs = schema["definitions"]["question"][q.id]
            assert qs["description"] == q.label[lang]
            if q.type in ("bool", "enum"):
                assert set(q.allowed_values()) | {"unknown", None} <= set(qs["enum"])
                assert len(qs["enumDescriptions"]) == len(qs["enum"])
        study = schema["definitions"]["study_answers"]["properties"]
        assert {k for k, v in study.items() if "$ref" in v} == {
            q.id for q in book.questions.values() if q.place == "study"}
    nb, en = answers_schema(book, "nb"), answers_schema(book, "en")
    assert nb["title"] != en["title"]


def test_cli_writes_the_schema_and_the_template_names_it(tmp_path):
    out = tmp_path / "sivreg-answers.schema.json"
    r = subprocess.run([sys.executable, "-m", "sivreg.cli", "schema", "answers", "--out", str(out), "--lang", "en"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    schema = json.loads(out.read_text(encoding="utf-8"))
    assert schema == json.loads(json.dumps(answers_schema(lang="en")))
    r = subprocess.run([sys.executable, "-m", "sivreg.cli", "template", "--lang", "en"], capture_output=True, text=True)
    first = r.stdout.splitlines()[0]
    assert first == "# yaml-language-server: $schema=sivreg-answers.schema.json"
    f = tmp_path / "t.yaml"
    f.write_text(r.stdout, encoding="utf-8")
    sivreg.load(f)
    v = jsonschema.Draft7Validator(schema)
    assert not errors(v, as_sivreg(r.stdout)) and not errors(v, as_editor(r.stdout))
    r = subprocess.run([sys.executable, "-m", "sivreg.cli", "template", "--schema", ""], capture_output=True, text=True)
    assert "yaml-language-server" not in r.stdout


def _kind_of(path: Path) -> str:
    rel = path.relative_to(RULEBOOK_DIR)
    return "version" if rel.name == "version.yaml" and len(rel.parts) == 1 else rel.parts[0]


def test_rulebook_schemas_accept_every_rulebook_file(tmp_path):
    schemas = rulebook_schemas()
    validators = {}
    for kind, s in schemas.items():
        jsonschema.Draft7Validator.check_schema(s)
        validators[kind] = jsonschema.Draft7Validator(s)
    files = sorted(RULEBOOK_DIR.rglob("*.yaml"))
    assert {_kind_of(f) for f in files} <= set(schemas), "a rulebook folder without a schema"
    for f in files:
        text = f.read_text(encoding="utf-8")
        for data in (json.loads(json.dumps(yamlstrict.loads(text))), as_editor(text)):
            errs = errors(validators[_kind_of(f)], data)
            assert not errs, (str(f), errs[:5])
    r = subprocess.run([sys.executable, "-m", "sivreg.cli", "schema", "rulebook", "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert {p.name for p in tmp_path.iterdir()} == {f"{k}.schema.json" for k in schemas}


def test_rulebook_schemas_reject_what_the_loader_rejects():
    schemas = rulebook_schemas()
    rules = jsonschema.Draft7Validator(schemas["rules"])
    good = {"x.rule": {"label": {"nb": "a", "en": "b"}, "refs": []}}
    assert not errors(rules, good)
    for broken in ({"x.rule": {"label": {"nb": "a"}, "refs": []}},            # missing en
                   {"x.rule": {"label": {"nb": "a", "en": "b"}}},              # missing refs
                   {"x.rule": {"label": {"nb": "a", "en": "b"}, "refs": [], "colour": 1}},
                   {"x.rule": {"label": {"nb": "a", "en": "b", "de": "c"}, "refs": []}}):
        assert errors(rules, broken), broken
    questions = jsonschema.Draft7Validator(schemas["questions"])
    q = {"id": "x.q", "type": "enum", "label": {"nb": "a", "en": "b"}, "help": {"nb": "a", "en": "b"}, "refs": [],
         "options": [{"value": "a", "label": {"nb": "a", "en": "b"}}]}
    assert not errors(questions, [q])
    no_opts = copy.deepcopy(q)
    del no_opts["options"]
    unknown_opt = copy.deepcopy(q)
    unknown_opt["options"][0]["value"] = "unknown"
    bool_opts = {**copy.deepcopy(q), "type": "bool"}
    for broken in (no_opts, unknown_opt, bool_opts, {**q, "type": "colour"}, {**q, "place": "ward"}):
        assert errors(questions, [broken]), broken


def test_each_question_type_allows_what_sivreg_io_allows():
    """Value schemas per question type against sivreg.io.answer_problem (a number question
    is made from a text one: the rulebook may have none today)."""
    from dataclasses import replace

    from sivreg.io import answer_problem
    from sivreg.schema import question_schema
    book = sivreg.rulebook()
    text_q = next(q for q in book.questions.values() if q.type == "text")
    samples = {
        "number": (replace(text_q, type="number"), ["12", "-1.5", 12, 0.5, "unknown", None], ["0x1", "1e999", "", "abc", True, [1]]),
        "date": (replace(text_q, type="date"), ["2026-01-01", "unknown", None], ["26.11.2026", "2026-13-01", "2300-01-01", 2026, ["x"]]),
        "text": (text_q, ["a\nb\tc", "unknown", 12, None], ["a\x1b[2J", "x" * 20_001, ["x"], {"a": 1}]),
    }
    for kind, (q, good, bad) in samples.items():
        v = jsonschema.Draft7Validator(question_schema(book, q, "en"))
        for value in good:
            assert not list(v.iter_errors(value)), (kind, value)
            if value is not None and not isinstance(value, (int, float)):
                assert answer_problem(q, value) is None, (kind, value)
        for value in bad:
            assert list(v.iter_errors(value)), (kind, value)
            if isinstance(value, str) or isinstance(value, list):
                assert answer_problem(q, value) is not None, (kind, value)
