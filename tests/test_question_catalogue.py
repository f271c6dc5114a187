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


# -- worked examples (issue 10 item 2) -------------------------------------------------------

EXAMPLE_TOPICS = ("qualification", "classification")
EXAMPLE_QUESTIONS = ("ci.design", "ci.purpose", "org.manufacturer", "conf.in_house_only", "conf.declared_class",
                     "inhouse.other_legal_entity", "inhouse.patient_use_outside", "inhouse.industrial_scale",
                     "inhouse.no_equivalent")


def _needs_examples(q):
    return q.topic in EXAMPLE_TOPICS or q.id in EXAMPLE_QUESTIONS


def test_every_qualification_and_classification_question_has_two_to_four_examples_in_nb_and_en():
    book = rulebook()
    for q in book.questions.values():
        if not _needs_examples(q):
            continue
        assert 2 <= len(q.examples) <= 4, (q.id, len(q.examples))
        for e in q.examples:
            for lang in ("nb", "en"):
                assert e["text"][lang].strip() and e["lands"][lang].strip(), q.id
            assert e["source"] in book.references, (q.id, e["source"])


def test_examples_are_in_the_question_catalogue_with_their_source():
    from sivreg.cli import questions_as_dicts
    qs = {q["id"]: q for q in questions_as_dicts()}
    ex = qs["mdr.imdrf_significance"]["examples"][0]
    assert ex["source"] == "mdcg_2019_11.annex_iv" and ex["binding"] is False
    assert "MDCG 2019-11" in ex["source_citation"]["en"]


def test_the_dashboard_shows_the_examples_under_eksempler():
    from sivreg.views.fields import Field
    book = rulebook()
    q = book.questions["mdr.imdrf_significance"]
    html = Field(q, "nb", book)._help_html()
    assert "<summary>Eksempler</summary>" in html and "veiledning" in html
    assert "hjerneslag" in html and "MDCG 2019-11" in html
    assert "<summary>Examples</summary>" in Field(q, "en", book)._help_html()


# -- no fact asked twice (issue 10 item 4) ---------------------------------------------------

MERGED = {  # pairs that asked the same fact, now one question; they must stay merged
    ("conf.manufacturer", "ai.origin"): "org.manufacturer",
    ("ai.hospital_uses", "pms.hospital_uses"): "org.hospital_uses",
}


def test_merged_pairs_stay_merged():
    book = rulebook()
    for pair, merged in MERGED.items():
        assert merged in book.questions
        for old in pair:
            assert old not in book.questions, f"{old} is asked again; it was merged into {merged}"
            assert merged in book.retired[old]["replaced_by"]


def test_no_two_questions_have_the_same_label_and_choices():
    book = rulebook()
    for lang in ("nb", "en"):
        labels = {}
        for q in book.questions.values():
            key = (q.label[lang].strip().lower(), tuple(sorted(q.allowed_values())))
            assert key not in labels, (q.id, labels.get(key))
            labels[key] = q.id


def test_old_answers_files_name_the_merged_question():
    probs = _problems({"answers": {**BASE, "ai.origin": "vendor", "pms.hospital_uses": "yes"}})
    text = {p.field: p.message for p in probs}
    assert "org.manufacturer" in text["answers.ai.origin"] and "ai.built_on_gpai" in text["answers.ai.origin"]
    assert "org.hospital_uses" in text["answers.pms.hospital_uses"]
