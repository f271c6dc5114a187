"""The Pydantic models of the data files (sivreg/rulebook_models.py): every rulebook file fits
its model, every field says what it means, the loader's errors from the models keep the form
file:line [field]: message with every problem at once, and every example and scenario answers
file fits the answers model."""
import shutil
from pathlib import Path

import pytest
from pydantic import BaseModel

import sivreg
from sivreg import rulebook_models as models
from sivreg import yamlstrict
from sivreg.catalogue import RULEBOOK_DIR, load_rulebook
from sivreg.errors import RulebookError

import scenario_cases

ROOT = Path(__file__).resolve().parent.parent


def _kind(path: Path) -> str:
    rel = path.relative_to(RULEBOOK_DIR)
    return "version" if len(rel.parts) == 1 else rel.parts[0]


def _all_models():
    return [m for m in vars(models).values()
            if isinstance(m, type) and issubclass(m, BaseModel) and m.__module__ == models.__name__
            and not m.__name__.startswith("_")]


def test_every_rulebook_file_fits_its_model():
    files = sorted(RULEBOOK_DIR.rglob("*.yaml"))
    assert {_kind(f) for f in files} <= set(models.RULEBOOK_FILES)
    for f in files:
        models.adapter(_kind(f)).validate_python(yamlstrict.load_file(f))


def test_every_field_and_model_says_what_it_means():
    for m in _all_models():
        assert (m.__doc__ or "").strip(), m.__name__
        for name, fld in m.model_fields.items():
            assert (fld.description or "").strip(), f"{m.__name__}.{name} has no description"
        assert m.model_config.get("extra") == "forbid" and m.model_config.get("strict"), m.__name__
        m.model_json_schema()  # the documentation can be written out as JSON Schema


def _broken(tmp_path, rel, old, new):
    rb = tmp_path / "rulebook"
    shutil.copytree(RULEBOOK_DIR, rb)
    f = rb / rel
    text = f.read_text(encoding="utf-8")
    changed = text + new if old is None else text.replace(old, new, 1)
    assert changed != text
    f.write_text(changed, encoding="utf-8")
    with pytest.raises(RulebookError) as exc:
        load_rulebook(rb)
    return [str(p).replace(str(rb), "") for p in exc.value.problems]


def test_model_errors_name_file_line_and_field_every_one_at_once(tmp_path):
    got = _broken(tmp_path, "questions/qualification.yaml", "  refs: [mdcg_2019_11.fig1_step1]\n",
                  "  refs: [mdcg_2019_11.fig1_step1]\n  place: ward\n  optional: maybe\n  certainty: sure\n"
                  "  colour: red\n")
    assert set(got) == {
        "/questions/qualification.yaml:21 [qual.is_software.optional]: expected \"true\" or \"false\", found 'maybe'",
        "/questions/qualification.yaml:22 [qual.is_software.certainty]: allowed: stated, inferred, uncertain",
        "/questions/qualification.yaml:20 [qual.is_software.place]: allowed: project, study",
        "/questions/qualification.yaml:23 [qual.is_software.colour]: unknown key 'colour'; allowed: certainty, "
        "examples, help, id, label, optional, options, place, refs, type",
    }, got


@pytest.mark.parametrize("rel,old,new,expected", [
    ("periods/road.yaml", "  days: 10\n", "  days: ten\n",
     "/periods/road.yaml:5 [ci.validation.days]: expected a whole number of days (0 or more)"),
    ("dates/ai_act.yaml", 'EU: {date: "2025-02-02", ref: ai_act.art_113_a}', 'EU: {date: "2025-02-02"}',
     "/dates/ai_act.yaml:10 [ai_act.prohibitions_literacy.EU.ref]: a date needs the reference it comes from"),
    ("messages/core.yaml", None, 'label.extra: {nb: "x", de: "y"}\n', "[label.extra.en]: missing en text"),
    ("messages/core.yaml", None, 'label.extra: {nb: "x", de: "y"}\n',
     "[label.extra.de]: unknown language; allowed: nb, en"),
    ("questions/qualification.yaml", "  type: bool\n", "  type: enum\n",
     "/questions/qualification.yaml:4 [qual.is_software.options]: a enum question needs options"),
    ("scenarios/amended.yaml", "certainty: inferred\n", "certainty: maybe\n",
     "/scenarios/amended.yaml:9 [amended.certainty]: allowed: stated, inferred, uncertain"),
    ("organisations/siv.yaml", 'short_name: "SiV"\n', "",
     "/organisations/siv.yaml:7 [siv.short_name]: missing required key"),
])
def test_one_model_error(tmp_path, rel, old, new, expected):
    got = _broken(tmp_path, rel, old, new)
    assert any(p.endswith(expected) for p in got), got


@pytest.mark.parametrize("path", sorted((ROOT / "parameters").glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_fits_the_answers_model(path):
    models.AnswersFile.model_validate(yamlstrict.load_file(path, text_only=True))


def test_every_scenario_case_fits_the_answers_model():
    for case in scenario_cases.collect():
        d = case.data
        data = {"project": {"id": "case", "title": case.name}, "answers": d.get("answers") or {}}
        for k in ("modules", "studies", "scenario", "jurisdiction"):
            if k in d:
                data[k] = d[k]
        models.AnswersFile.model_validate(yamlstrict.loads(yamlstrict.dumps(data), text_only=True))


def test_a_rulebook_that_passed_the_models_is_not_checked_by_them_again(tmp_path, monkeypatch):
    monkeypatch.setenv("SIVREG_CACHE_DIR", str(tmp_path / "cache"))
    book = load_rulebook()
    stamps = list((tmp_path / "cache").iterdir())
    assert len(stamps) == 1 and book.sha256[:32] in stamps[0].name
    calls = []
    monkeypatch.setattr(models.TypeAdapter, "validate_python", lambda *a, **k: calls.append(a))
    assert load_rulebook() == book and not calls
    monkeypatch.setenv("SIVREG_CACHE_DIR", "")  # off: the models run every time
    load_rulebook()
    assert calls
    assert sivreg.rulebook().version == book.version
