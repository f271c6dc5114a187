"""Errors found in the legal review of the rulebook (issue 10 item 5), each pinned by a test
that failed before the fix. Scenario cases in tests/cases/ cover the decisions; this file
covers texts, references and docstrings the cases cannot see."""
from __future__ import annotations

import re

from sivreg.catalogue import rulebook
from sivreg.rules import ai_act_obligations


def test_amended_scenario_does_not_call_art_4_and_5_unchanged():
    # Secondary sources on Reg. (EU) 2026/1744 report a rewritten Art 4 and new Art 5
    # prohibitions (fact base F41, F43, F43a): the scenario must say so, as uncertain.
    sc = rulebook().scenarios["amended"]
    for lang in ("nb", "en"):
        text = sc["description"][lang]
        assert not re.search(r"art(\.|) ?4, art(\.|) ?5 (og|and) art(\.|) ?50 (uendret|unchanged)", text, re.I)
    refs = rulebook().references
    for rid in ("ai_act_2026_1744.art_4", "ai_act_2026_1744.art_5"):
        assert rid in sc["refs"]
        assert refs[rid].certainty == "uncertain"


def test_art_4_obligation_agrees_with_the_scenario():
    ob = rulebook().obligations["ai.art_4_literacy"]
    assert "ai_act_2026_1744.art_4" in ob["refs"]
    assert ob["certainty"] == "uncertain"
    assert "ai_act_2026_1744.art_5" in rulebook().obligations["ai.art_5_prohibited"]["refs"]


def test_art_43_2_docstring_names_annex_iii_points_2_to_8():
    doc = ai_act_obligations.__doc__
    assert "2-9" not in doc and "points 2-8" in doc


# -- MDR Art 70 / IVDR Art 66: the longest period the authority may take ----------------------

def _study(answers, studies):
    import sys
    from pathlib import Path
    sys.path.insert(0, str(Path(__file__).parent))
    from road_helpers import assess
    a = assess(answers, [{"id": "s", "title": "S", "answers": studies}])
    return a["outcomes"]["clinical_investigation"]["studies"][0]


def _mdsw(impact):
    from road_helpers import MDSW_IIB
    return {**MDSW_IIB, "mdr.r11a_subrule": impact}


POC = {"ci.design": "prospective", "ci.ce_marked": "no", "ci.purpose": "conformity"}


def test_low_risk_start_counts_the_extended_validation_period():
    # Art 70(1) 10 days, 70(4) + 5, 70(5): without a reply the validation date is the last day
    s = _study(_mdsw("other"), POC)
    assert s["start"]["rule"] == "start.after_validation" and s["lead_days"] == 15
    assert s["earliest_start_if_sent_today"] == "2026-12-11"
    assert "15" in s["start"]["text"] and "Art 70(4) and (5)" in s["start"]["text"]
    assert rulebook().periods["ci.low_risk_start"]["ref"] == "mdr.art_70_5"


def test_authorisation_start_counts_validation_extension_and_expert_extension():
    s = _study(_mdsw("death_or_irreversible"), POC)
    assert s["start"]["rule"] == "start.after_authorisation" and s["lead_days"] == 80
    assert [p["id"] for p in s["start"]["periods"]] == ["ci.validation", "ci.validation_extension",
                                                        "ci.authorisation", "ci.authorisation_extension"]


def test_art_70_7_b_label_names_invasive_iia_iib_not_all_invasive_devices():
    label = rulebook().periods["ci.authorisation"]["label"]["en"]
    assert "invasive class IIa and IIb" in label and "class I devices are under point (a)" in label


def test_ivdr_art_66_uses_its_own_validation_periods():
    from road_helpers import MDSW_IIB
    ivd = {**{k: v for k, v in MDSW_IIB.items() if not k.startswith("mdr.")},
           "regime.ivd_information": "yes", "regime.data_sources": "ivd_only", "ivdr.rules": ["r3_cancer"]}
    s = _study(ivd, {"ci.design": "prospective", "ci.ce_marked": "no", "ci.ivd_art58": ["interventional"]})
    assert s["lead_days"] == 80
    assert [p["ref"] for p in s["start"]["periods"]][:2] == ["ivdr.art_66_1", "ivdr.art_66_4"]


def test_substantial_modification_of_a_running_study_art_75():
    s = _study(_mdsw("other"), {**POC, "ci.running": "yes", "ci.substantial_modification": "yes"})
    m = s["modification"]
    assert m["rule"] == "ci.art_75" and m["implement_after_days"] == 45
    assert [(p["days"], p["ref"]) for p in m["periods"]] == [(7, "mdr.art_75_1"), (38, "mdr.art_75_3"), (7, "mdr.art_75_4")]
    assert "modification" not in _study(_mdsw("other"), {**POC, "ci.running": "no"})


def test_health_research_act_sections_9_and_33_uncertain_until_prop_109_l_is_settled():
    refs = rulebook().references
    for rid in ("helseforskningsloven.s9", "helseforskningsloven.s33"):
        assert refs[rid].certainty == "uncertain"
        assert "Prop. 109 L" in refs[rid].note["nb"] and "Prop. 109 L" in refs[rid].note["en"]
    assert refs["prop_109_l_2024_2025"].binding is False


def test_silent_mode_shows_both_readings_as_uncertain_and_the_sponsor_applies():
    s = _study(_mdsw("other"), {"ci.design": "silent_mode", "ci.ce_marked": "no", "ci.purpose": "conformity",
                                "ci.sponsor": "manufacturer"})
    assert s["certainty"] == "uncertain" and len(s["readings"]) == 2
    assert "Q18" in s["readings"][0] and "Art 62" in s["readings"][1]
    assert s["sponsor"]["value"] == "manufacturer" and "manufacturer is the sponsor" in s["sponsor"]["applies"]
