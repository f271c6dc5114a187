"""Post-market surveillance, vigilance, language and documentation obligations, the
technical-documentation checklist, and uncertain facts shown as uncertain."""
from pathlib import Path

import pytest

import sivreg

from road_helpers import IN_HOUSE, MDSW_IIB, assess, by_id

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("impact,cls,days", [("other", "IIa", 730), ("serious_or_surgery", "IIb", 365),
                                             ("death_or_irreversible", "III", 365)])
def test_psur_frequency_follows_the_class(impact, cls, days):
    a = assess({**MDSW_IIB, "mdr.r11a_subrule": impact, "ci.study_planned": "no"})
    assert a["outcomes"]["device_class"]["value"] == cls
    psur = by_id(a["obligations"])["pms.psur"]
    assert psur["frequency"]["days"] == days and psur["frequency"]["ref"] == "mdr.art_86"


def test_vigilance_deadlines_15_10_2_days():
    ob = by_id(assess({**MDSW_IIB, "ci.study_planned": "no"})["obligations"])["vig.serious_incidents"]
    assert [d["days"] for d in ob["deadlines"]] == [15, 10, 2]
    assert {d["ref"] for d in ob["deadlines"]} == {"mdr.art_87"}


def test_ivd_vigilance_cites_the_ivdr():
    ivd = {k: v for k, v in MDSW_IIB.items() if not k.startswith("mdr.")}
    ivd.update({"regime.ivd_information": "yes", "regime.data_sources": "ivd_only", "ivdr.rules": ["r3_cancer"],
                "ci.study_planned": "no"})
    obs = by_id(assess(ivd)["obligations"])
    assert {d["ref"] for d in obs["vig.serious_incidents"]["deadlines"]} == {"ivdr.art_82"}
    assert obs["pms.psur"]["frequency"]["ref"] == "ivdr.art_81"
    assert obs["mdr.technical_documentation"]["checklist"]["id"] == "ivdr_annex_ii_iii"


def test_checklist_is_exposed_on_the_documentation_obligation_and_action():
    a = assess({**MDSW_IIB, "ci.study_planned": "no"}, lang="nb")
    ob = by_id(a["obligations"])["mdr.technical_documentation"]
    items = ob["checklist"]["items"]
    assert ob["checklist"]["id"] == "mdr_annex_ii_iii"
    assert [i["id"] for i in items][:2] == ["mdr.ii.1", "mdr.ii.2"]
    assert {i["group"] for i in items} == {"annex_ii", "annex_iii"}
    assert all(i["refs"] and i["label"] for i in items)
    assert by_id(a["actions"])["act.technical_documentation"]["checklist"] == ob["checklist"]


def test_in_house_keeps_annex_i_and_documentation_under_5_5_f():
    obs = by_id(assess(IN_HOUSE)["obligations"])
    assert "Annex I" in obs["inhouse.gspr"]["label"]
    assert obs["inhouse.documentation"]["checklist"]["id"] == "mdr_annex_ii_iii"
    assert obs["inhouse.clinical_experience"]["certainty"] == "uncertain"  # fact E9 [U]


def test_uncertain_facts_are_marked_uncertain_with_a_note():
    a = assess({**MDSW_IIB, "lang.norwegian_information": "no", "ci.study_planned": "no"})
    obs, acts = by_id(a["obligations"]), by_id(a["actions"])
    assert obs["lang.norwegian"]["certainty"] == "uncertain" and "§ 6" not in obs["lang.norwegian"]["note"]
    assert "section 6" in obs["lang.norwegian"]["note"] and "section 8" in obs["lang.norwegian"]["note"]
    assert obs["user.report_serious_incidents"]["certainty"] == "uncertain"
    assert acts["act.norwegian_language"]["certainty"] == "uncertain"
    book = sivreg.rulebook()
    for ref in ("forskrift_mu.language", "handteringsforskriften.s16", "dmp_clinical.processing_time",
                "dmp_clinical.eudamed"):
        assert book.references[ref].certainty == "uncertain" and book.references[ref].note, ref


def test_language_answer_yes_needs_no_translation_step():
    acts = by_id(assess({**MDSW_IIB, "ci.study_planned": "no"})["actions"])
    assert "act.norwegian_language" not in acts


def test_unanswered_question_is_explored_and_the_route_holds_either_way():
    # Issue 9: class IIb not made in-house needs a notified body whoever makes it; who the
    # manufacturer is changes who carries the duties (CE marking, registration), not the route.
    # a marketed product's declared class is asked in the other manufacturers' branch (issue 10)
    a = assess({**{k: v for k, v in MDSW_IIB.items() if k != "org.manufacturer"}, "conf.declared_class": "IIb"})
    conf = a["outcomes"]["conformity"]
    assert conf["status"] == "determined" and conf["value"] == "notified_body"
    assert conf["holds_regardless_of"] == ["org.manufacturer"]
    assert "org.manufacturer" in a["missing"] and "manufacturer" in conf["field_branches"]
    assert any(t["kind"] == "hypothesis" and t["question"] == "org.manufacturer" for t in conf["trace"])
    assert any(t["kind"] == "regardless" for t in conf["trace"])


def test_every_example_project_runs_and_fills_the_road_outcomes():
    files = sorted((ROOT / "parameters").glob("*.yaml"))
    assert files
    for f in files:
        for lang in ("nb", "en"):
            a = sivreg.assess(sivreg.load(f), as_of="2026-11-26", lang=lang).to_dict()
            for topic in ("conformity", "clinical_investigation"):
                out = a["outcomes"][topic]
                assert out["status"] in ("determined", "depends", "indeterminate", "not_applicable"), f
                assert out["trace"], (f, topic)
