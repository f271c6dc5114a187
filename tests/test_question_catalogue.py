"""The question catalogue (issue 10): where each answer belongs, questions that are asked
differently now, worked examples, and no fact asked twice."""
from __future__ import annotations

import pytest
import yaml

import sivreg
from sivreg.catalogue import rulebook
from sivreg.errors import InputError

BASE = {"qual.is_software": "yes"}


def _load(data):
    return sivreg.loads(yaml.safe_dump({"project": {"id": "t", "title": "T"}, **data}, allow_unicode=True))


def _problems(data):
    with pytest.raises(InputError) as e:
        _load(data)
    return e.value.problems


def test_study_question_at_the_top_level_is_refused_when_the_file_has_studies():
    probs = _problems({"answers": {**BASE, "ci.design": "prospective"},
                       "studies": [{"id": "s", "title": "S", "answers": {"ci.ce_marked": "no"}}]})
    assert [p.field for p in probs] == ["answers.ci.design"]
    assert "studies[].answers" in probs[0].message


def test_study_questions_at_the_top_level_are_the_one_study_without_studies():
    _load({"answers": {**BASE, "ci.study_planned": "yes", "ci.design": "existing_data"}})


def test_project_question_in_a_study_is_refused_with_where_it_belongs():
    probs = _problems({"answers": BASE,
                       "studies": [{"id": "s", "title": "S", "answers": {"ci.design": "prospective",
                                                                         "qual.medical_purpose": "yes",
                                                                         "ci.study_planned": "yes"}}]})
    assert sorted(p.field for p in probs) == ["studies[0].answers.ci.study_planned",
                                              "studies[0].answers.qual.medical_purpose"]
    assert all("answers: at the top" in p.message for p in probs)


def test_study_question_in_a_module_is_refused():
    probs = _problems({"answers": BASE, "modules": [{"id": "m", "title": "M", "answers": {"ci.design": "prospective"}}]})
    assert probs[0].field == "modules[0].answers.ci.design" and "studies[].answers" in probs[0].message


def test_every_retired_question_names_questions_that_exist_and_is_refused():
    book = rulebook()
    assert book.retired, "issue 10 retires questions whose meaning changed"
    for old, r in book.retired.items():
        assert old not in book.questions and r["replaced_by"]
        probs = _problems({"answers": {**BASE, old: "yes"}})
        assert len(probs) == 1 and probs[0].field == f"answers.{old}"
        for new in r["replaced_by"]:
            assert new in probs[0].message
