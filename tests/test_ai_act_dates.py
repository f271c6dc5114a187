"""AI Act dates per scenario and jurisdiction: the same project assessed on the day before and
on the day of each application date, under the amended Act (Regulation (EU) 2026/1744, the
default) and the Act as first adopted (Regulation (EU) 2024/1689)."""
from datetime import date, timedelta

import pytest
import yaml

import sivreg

NOT_DEVICE = {"qual.is_software": "yes", "qual.annex_xvi": "no", "qual.accessory": "no",
              "qual.drives_device": "no", "qual.action_on_data": "yes", "qual.individual_patients": "yes",
              "qual.medical_purpose": "no"}
AI = {"ai.technique": "machine_learning", "ai.project_aim": "use", "ai.prohibited_practices": ["none"],
      "ai.emotion": "no", "ai.annex_iii": ["none"], "ai.transparency": ["none"], "ai.open_source": "no",
      "org.manufacturer": "trust", "ai.built_on_gpai": "no", "org.hospital_uses": "yes", "ai.planned_changes": ["none"], "ai.deployer_kind": "public_authority"}
DEVICE_IIB = {**NOT_DEVICE, "qual.medical_purpose": "yes", "regime.ivd_information": "no",
              "mdr.r11_decisions": "yes", "mdr.r11a_subrule": "serious_or_surgery", "mdr.r11_monitoring": "no",
              "mdr.other_rules": ["none"], "org.manufacturer": "trust", "conf.in_house_only": "no"}
PROJECTS = {
    # MDR IIb ED triage: Art 6(1), Annex I prevails over Annex III 5(d)
    "device": {**DEVICE_IIB, **AI, "ai.annex_iii": ["5d"]},
    # emergency-call triage that is not a device: Annex III 5(d)
    "annex_iii": {**NOT_DEVICE, **AI, "ai.annex_iii": ["5d"], "ai.art_6_3_condition": "none"},
    # a chatbot that is not high-risk: Art 50(1)
    "chatbot": {**NOT_DEVICE, **AI, "ai.transparency": ["interacts"]},
    # a supplier's CE-marked class IIa device AI the hospital only uses: Art 26 duties, Annex I date
    "vendor_device": {**DEVICE_IIB, **AI, "mdr.r11a_subrule": "other", "org.manufacturer": "commercial", "conf.declared_class": "IIa",
                      "ai.vendor_changes": ["none"]},
    # patient emotion recognition that is not a device: Annex III 1(c), Art 43(1)
    "emotion": {**NOT_DEVICE, **AI, "ai.emotion": "patients", "ai.art_6_3_condition": "none"},
    # a text generator already on the market before 2 August 2026: Art 50(2) transition
    "generator_existing": {**NOT_DEVICE, **AI, "ai.transparency": ["generates_content"],
                           "ai.art_50_2_existing": "yes"},
    "generator_new": {**NOT_DEVICE, **AI, "ai.transparency": ["generates_content"],
                      "ai.art_50_2_existing": "no"},
}

# (project, obligation, scenario, EU date of application)
DATES = [
    ("device", "ai.art_9_risk_management", "amended", "2028-08-02"),
    ("device", "ai.art_15_accuracy_robustness", "amended", "2028-08-02"),
    ("device", "ai.art_9_risk_management", "original", "2027-08-02"),
    ("device", "ai.art_26_1_instructions", "original", "2027-08-02"),
    ("annex_iii", "ai.art_9_risk_management", "amended", "2027-12-02"),
    ("annex_iii", "ai.art_27_fria", "amended", "2027-12-02"),
    ("annex_iii", "ai.art_9_risk_management", "original", "2026-08-02"),
    ("annex_iii", "ai.art_27_fria", "original", "2026-08-02"),
    ("chatbot", "ai.art_50_1_disclose_ai", "amended", "2026-08-02"),
    ("chatbot", "ai.art_50_1_disclose_ai", "original", "2026-08-02"),
    ("chatbot", "ai.art_4_literacy", "amended", "2025-02-02"),
    ("chatbot", "ai.art_4_literacy", "original", "2025-02-02"),
    ("vendor_device", "ai.art_26_1_instructions", "amended", "2028-08-02"),
    ("vendor_device", "ai.art_26_6_logs", "original", "2027-08-02"),
    ("emotion", "ai.art_43_1_biometrics", "amended", "2027-12-02"),
    ("emotion", "ai.art_43_1_biometrics", "original", "2026-08-02"),
    ("emotion", "ai.art_50_3_inform_exposed", "amended", "2026-08-02"),
    # Art 50(2) marking: Regulation (EU) 2026/1744 gives systems already on the market until
    # 2 December 2026 (fact base F43a); the Act as first adopted gives no such period.
    ("generator_existing", "ai.art_50_2_mark_output", "amended", "2026-12-02"),
    ("generator_existing", "ai.art_50_2_mark_output", "original", "2026-08-02"),
    ("generator_new", "ai.art_50_2_mark_output", "amended", "2026-08-02"),
    ("generator_new", "ai.art_50_2_mark_output", "original", "2026-08-02"),
]


def project(name, jurisdiction="EU"):
    text = yaml.safe_dump({"project": {"id": name, "title": name}, "jurisdiction": jurisdiction,
                           "answers": PROJECTS[name]}, allow_unicode=True)
    return sivreg.loads(text, source=name)


def obligation(result, oid):
    found = [o for o in result["obligations"] if o["id"] == oid]
    assert found, f"{oid} not among {[o['id'] for o in result['obligations']]}"
    return found[0]


@pytest.mark.parametrize("name,oid,scenario,day", DATES)
def test_eu_state_flips_on_the_application_date(name, oid, scenario, day):
    before = (date.fromisoformat(day) - timedelta(days=1)).isoformat()
    early = sivreg.assess(project(name), as_of=before, scenario=scenario, lang="en").to_dict()
    late = sivreg.assess(project(name), as_of=day, scenario=scenario, lang="en").to_dict()
    for result in (early, late):
        assert result["rulebook"]["scenario"] == scenario and result["scenario"]["id"] == scenario
        assert obligation(result, oid)["applies_from"]["EU"]["date"] == day
    assert obligation(early, oid)["state"] == "from_date"
    assert obligation(late, oid)["state"] == "in_force"


@pytest.mark.parametrize("name,oid,scenario,day", DATES)
def test_norway_stays_pending_with_a_note(name, oid, scenario, day):
    result = sivreg.assess(project(name, "NO"), as_of="2030-01-01", scenario=scenario, lang="nb").to_dict()
    ob = obligation(result, oid)
    assert ob["state"] == "pending"
    no = ob["applies_from"]["NO"]
    assert no["date"] is None and no["state"] == "pending" and no["certainty"] == "uncertain"
    assert "EØS" in no["note"]
    assert ob["applies_from"]["EU"]["date"] == day


def test_the_outcome_itself_names_the_route_date_per_scenario():
    amended = sivreg.assess(project("device"), as_of="2026-11-26", lang="en").to_dict()
    original = sivreg.assess(project("device"), as_of="2026-11-26", scenario="original", lang="en").to_dict()
    assert amended["rulebook"]["scenario"] == "amended"  # the default
    for result, day in ((amended, "2028-08-02"), (original, "2027-08-02")):
        out = result["outcomes"]["ai_act_risk"]
        assert out["value"] == "high_risk" and out["high_risk_route"] == "annex_i"
        assert out["applies_from"]["EU"]["date"] == day
        assert out["applies_from"]["EU"]["state"] == "from_date"
    assert amended["outcomes"]["ai_act_risk"]["applies_from"]["EU"]["ref"] == "ai_act_2026_1744.art_113"
    assert amended["outcomes"]["ai_act_risk"]["applies_from"]["EU"]["certainty"] == "inferred"


def test_assessment_names_the_scenario_and_its_legal_status():
    for scenario, ref in (("amended", "ai_act_2026_1744.art_113"), ("original", "ai_act.art_113")):
        result = sivreg.assess(project("chatbot"), as_of="2026-11-26", scenario=scenario, lang="en").to_dict()
        sc = result["scenario"]
        assert sc["id"] == scenario and ref in sc["refs"]
        assert sc["certainty"] in ("stated", "inferred", "uncertain") and sc["legal_status"]
    book = sivreg.rulebook()
    assert book.references["ai_act_2026_1744"].certainty == "uncertain"
    assert not book.references["omnibus_secondary"].binding


def test_unknown_scenario_is_an_input_error():
    with pytest.raises(sivreg.InputError, match="scenario"):
        sivreg.assess(project("chatbot"), as_of="2026-11-26", scenario="draft")


def test_art_50_note_names_the_marking_transition_only_in_the_amended_scenario():
    answers = {k: v for k, v in PROJECTS["generator_new"].items() if k != "ai.art_50_2_existing"}
    PROJECTS["generator_unanswered"] = answers
    try:
        amended = sivreg.assess(project("generator_unanswered"), as_of="2026-09-01", lang="en").to_dict()
        original = sivreg.assess(project("generator_unanswered"), as_of="2026-09-01", scenario="original",
                                 lang="en").to_dict()
    finally:
        del PROJECTS["generator_unanswered"]
    ob = obligation(amended, "ai.art_50_2_mark_output")["applies_from"]["EU"]
    assert ob["date"] == "2026-08-02" and "2 December 2026" in ob["note"]
    # the earlier date is a conservative assumption, stated on the obligation
    assert "2026-12-02" in obligation(amended, "ai.art_50_2_mark_output")["note"]
    assert "note" not in obligation(original, "ai.art_50_2_mark_output")
    # the question is offered only where the scenario makes the two dates differ
    assert "ai.art_50_2_existing" in amended["optional_questions"]
    ob = obligation(original, "ai.art_50_2_mark_output")["applies_from"]["EU"]
    assert ob["date"] == "2026-08-02" and "December" not in (ob["note"] or "")
    assert "ai.art_50_2_existing" not in original["optional_questions"]
    for result in (amended, original):
        assert "ai.art_50_2_existing" not in result["missing"]


@pytest.mark.parametrize("scenario", ["amended", "original"])
def test_the_ai_act_trace_states_the_scenario_and_its_legal_certainty(scenario):
    result = sivreg.assess(project("device"), as_of="2026-11-26", scenario=scenario, lang="nb").to_dict()
    sc = sivreg.rulebook().scenarios[scenario]
    steps = [s for s in result["outcomes"]["ai_act_risk"]["trace"] if s["rule"] == "ai.scenario"]
    assert len(steps) == 1
    step = steps[0]
    assert step["finding"] == f"ai_scenario.{sc['certainty']}"
    assert sc["label"]["nb"] in step["note"] and sc["legal_status"]["nb"] in step["note"]
    assert list(sc["refs"]) == step["refs"]
