"""AI Act obligations, roles, the technical-documentation checklist and the example portfolio."""
from pathlib import Path

import pytest

import sivreg
from test_ai_act_dates import AI, DEVICE_IIB, NOT_DEVICE, obligation

ROOT = Path(__file__).resolve().parent.parent
ART_9_15 = ("ai.art_9_risk_management", "ai.art_10_data_governance", "ai.art_11_technical_documentation",
            "ai.art_12_logging", "ai.art_13_information", "ai.art_14_human_oversight",
            "ai.art_15_accuracy_robustness")


def run(answers, jurisdiction="NO", **kw):
    project = sivreg.Project(id="p", title="p", answers=sivreg.Answers.of(answers), jurisdiction=jurisdiction)
    return sivreg.assess(project, as_of=kw.pop("as_of", "2026-11-26"), lang=kw.pop("lang", "en"), **kw).to_dict()


@pytest.mark.parametrize("scenario,day", [("amended", "2028-08-02"), ("original", "2027-08-02")])
def test_high_risk_device_lists_art_9_15_with_scenario_dates_and_pending_norway(scenario, day):
    result = run({**DEVICE_IIB, **AI}, scenario=scenario)
    assert result["outcomes"]["ai_act_risk"]["basis"] == ["Art 6(1)"]
    for oid in ART_9_15:
        ob = obligation(result, oid)
        assert ob["role"] == "provider" and ob["refs"]
        assert ob["applies_from"]["EU"] == {**ob["applies_from"]["EU"], "date": day, "state": "from_date"}
        assert ob["applies_from"]["NO"]["date"] is None and ob["applies_from"]["NO"]["note"]
        assert ob["state"] == "pending"  # Norway is the project's jurisdiction


def test_device_ai_reports_only_fundamental_rights_incidents_under_the_ai_act():
    ids = [o["id"] for o in run({**DEVICE_IIB, **AI})["obligations"]]
    assert "ai.art_73_10_device_incidents" in ids and "ai.art_73_serious_incidents" not in ids


def test_fria_for_device_ai_in_annex_iii_is_marked_uncertain():
    ob = obligation(run({**DEVICE_IIB, **AI, "ai.annex_iii": ["5d"]}), "ai.art_27_fria")
    assert ob["certainty"] == "uncertain" and "Annex III" in ob["note"]
    plain = obligation(run({**NOT_DEVICE, **AI, "ai.annex_iii": ["5d"], "ai.art_6_3_condition": "none"}),
                       "ai.art_27_fria")
    assert plain.get("certainty") != "uncertain"


def test_deployer_kind_question_is_asked_only_for_annex_iii_deployers():
    answers = {k: v for k, v in {**NOT_DEVICE, **AI, "ai.annex_iii": ["5a"],
                                 "ai.art_6_3_condition": "none"}.items() if k != "ai.deployer_kind"}
    result = run(answers)
    assert "ai.deployer_kind" in result["missing"]
    assert result["outcomes"]["ai_act_risk"]["value"] == "high_risk"  # the tier does not wait
    ids = [o["id"] for o in result["obligations"]]
    assert "ai.art_26_1_instructions" in ids
    # Art 27 arises for a public authority or a private entity providing public services, Art 26(8)
    # registration for a public authority only: both conditional on that answer (issues 9, 10)
    obs = {o["id"]: o for o in result["obligations"]}
    fria, reg = obs["ai.art_27_fria"], obs["ai.art_26_8_registration"]
    assert fria["conditional"] and {v for w in fria["when"] for v in _values(w["ai.deployer_kind"])} == {"public_authority", "public_services"}
    assert reg["conditional"] and {v for w in reg["when"] for v in _values(w["ai.deployer_kind"])} == {"public_authority"}
    minimal = {k: v for k, v in {**NOT_DEVICE, **AI}.items() if k != "ai.deployer_kind"}
    assert "ai.deployer_kind" not in run(minimal)["missing"]


def _values(v):
    return v if isinstance(v, list) else [v]


def test_trace_records_rules_that_did_not_apply_with_references():
    trace = run({**NOT_DEVICE, **AI})["outcomes"]["ai_act_risk"]["trace"]
    not_applied = {s["rule"] for s in trace if s["kind"] == "not_applied"}
    assert {"ai.art_5_1_f", "ai.art_6_1.not_a_device", "ai.annex_iii.5d", "ai.art_50_1", "ai.art_2_12"} <= not_applied
    book = sivreg.rulebook()
    for s in trace:
        assert all(r in book.references for r in s["refs"])
        if s["kind"] != "question":
            assert s["refs"], s["rule"]


def test_unknown_is_never_read_as_no():
    result = run({**NOT_DEVICE, **AI, "ai.emotion": "unknown"})
    out = result["outcomes"]["ai_act_risk"]
    assert out["status"] == "depends" and out["missing"][0] == "ai.emotion"
    assert {"prohibited"} <= {b["value"] for b in out["branches"]}


def test_next_question_walks_the_ai_act_questions():
    answers = dict(NOT_DEVICE)
    asked = []
    for _ in range(12):
        project = sivreg.Project(id="p", title="p", answers=sivreg.Answers.of(answers))
        q = sivreg.next_question(project, as_of="2026-11-26", include_optional=False)
        if q is None or not q.id.startswith("ai."):
            break
        asked.append(q.id)
        answers[q.id] = AI[q.id]
    assert asked[:3] == ["ai.technique", "ai.project_aim", "ai.prohibited_practices"]
    assert "ai.art_6_3_condition" not in asked and "ai.vendor_changes" not in asked
    assert run(answers)["outcomes"]["ai_act_risk"]["value"] == "minimal"


def test_both_languages_have_texts_for_every_ai_obligation_and_action():
    for lang in ("nb", "en"):
        result = run({**DEVICE_IIB, **AI, "ai.annex_iii": ["5d"], "ai.planned_changes": ["retraining"],
                      "ai.pccp": "no"}, lang=lang)
        for item in result["obligations"] + result["actions"]:
            assert item["label"].strip()


# -- one technical-documentation checklist (Art 11(2)) ---------------------------------------
def test_high_risk_mdr_device_gets_one_merged_checklist():
    td = run({**DEVICE_IIB, **AI})["technical_documentation"]
    assert td["kind"] == "merged" and "ai_act.art_11_2" in td["refs"]
    by_id = {i["id"]: i for i in td["items"]}
    assert by_id["mdr.ii.1"]["sources"] == ["mdr.ii.1", "ai.iv.1"]
    assert {"mdr.annex_ii_1", "ai_act.annex_iv_1"} <= set(by_id["mdr.ii.1"]["refs"])
    assert by_id["mdr.ii.4"]["sources"] == ["mdr.ii.4", "ai.iv.2.cybersecurity", "ai.iv.7"]
    assert by_id["mdr.iii.1.1"]["sources"] == ["mdr.iii.1.1", "ai.iv.9"]
    # Annex IV points without an MDR counterpart follow on their own, each once
    assert {"ai.iv.2.data", "ai.iv.2.oversight", "ai.iv.2.changes", "ai.iv.6", "ai.iv.8"} <= set(by_id)
    sources = [s for i in td["items"] for s in i["sources"]]
    assert len(sources) == len(set(sources))
    annex_iv = [i["id"] for i in sivreg.rulebook().checklists["ai_act_annex_iv"]]
    assert set(annex_iv) <= set(sources)


def test_high_risk_ivd_device_merges_with_the_ivdr_checklist():
    ivd = {**DEVICE_IIB, **AI, "regime.ivd_information": "yes", "regime.data_sources": "ivd_only",
           "ivdr.rules": ["r3_cancer"]}
    td = run(ivd)["technical_documentation"]
    assert td["kind"] == "merged" and td["items"][0]["id"] == "ivdr.ii.1"
    assert "ivdr.annex_ii" in td["refs"]


def test_annex_iii_system_outside_the_mdr_gets_annex_iv_alone():
    td = run({**NOT_DEVICE, **AI, "ai.annex_iii": ["5a"], "ai.art_6_3_condition": "none"})["technical_documentation"]
    assert td["kind"] == "annex_iv"
    assert [i["id"] for i in td["items"]] == [i["id"] for i in sivreg.rulebook().checklists["ai_act_annex_iv"]]


def test_no_ai_act_checklist_when_not_high_risk_or_only_deployer():
    assert "technical_documentation" not in run({**NOT_DEVICE, **AI})
    vendor = run({**DEVICE_IIB, **AI, "org.manufacturer": "commercial", "conf.declared_class": "IIb", "ai.vendor_changes": ["none"]})
    assert vendor["outcomes"]["ai_act_risk"]["role"] == "deployer"
    assert "technical_documentation" not in vendor


# -- the example portfolio ----------------------------------------------------------------------
EXAMPLES = sorted((ROOT / "parameters").glob("*.yaml"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_every_example_has_an_ai_act_outcome_or_its_missing_question(path):
    out = sivreg.assess(sivreg.load(path), as_of="2026-11-26", lang="nb").to_dict()["outcomes"]["ai_act_risk"]
    if out["status"] == "determined":
        assert out["value"] in ("prohibited", "high_risk", "transparency_only", "minimal", "not_ai_system", "excluded")
        assert out["basis"]
    else:
        assert out["status"] == "indeterminate" and out["missing"]


def test_portfolio_covers_at_least_three_ai_act_values():
    values = {sivreg.assess(sivreg.load(p), as_of="2026-11-26").outcomes["ai_act_risk"].value for p in EXAMPLES}
    assert len(values - {None}) >= 3, values


def test_role_and_mdr_manufacturer_come_from_one_question_and_agree():
    # issue 10: org.manufacturer is asked once for the MDR manufacturer and the AI Act provider
    for maker in ("trust", "public_entity", "commercial"):
        out = run({**DEVICE_IIB, **AI, "org.manufacturer": maker, "conf.declared_class": "IIb",
                   "ai.vendor_changes": ["none"]})["outcomes"]["ai_act_risk"]
        step = [s for s in out["trace"] if s["rule"] == "ai.role.crosscheck"][0]
        assert step["note_id"] == "note.ai.role_agrees", maker


def test_in_house_device_on_the_annex_iii_route_keeps_full_incident_reporting_marked_uncertain():
    in_house = {"conf.in_house_only": "yes", "inhouse.other_legal_entity": "no", "inhouse.patient_use_outside": "no",
                "inhouse.industrial_scale": "no", "inhouse.qms": "yes", "inhouse.no_equivalent": "yes",
                "inhouse.info_on_request": "yes", "inhouse.public_declaration": "yes", "inhouse.documentation": "yes",
                "inhouse.manufacturing_measures": "yes", "inhouse.clinical_experience_review": "yes"}
    result = run({**DEVICE_IIB, **AI, **in_house, "ai.annex_iii": ["5d"], "ai.art_6_3_condition": "none"})
    assert result["outcomes"]["conformity"]["value"] == "in_house_exemption"
    ob = obligation(result, "ai.art_73_serious_incidents")
    assert ob["certainty"] == "uncertain" and "Art 5(5)" in ob["note"]
    assert ob["applies_from"]["EU"]["date"] == "2027-12-02"


def test_device_ai_also_in_annex_iii_keeps_annex_iii_duties_marked_uncertain():
    # HC-56: the public hospital "may need registration (Art 49(3))"; Art 26(8), 26(11) and 49
    # refer to systems listed in Annex III while Annex I prevails (MDCG 2025-6 Q27).
    result = run({**DEVICE_IIB, **AI, "ai.annex_iii": ["5d"]})
    assert result["outcomes"]["ai_act_risk"]["high_risk_route"] == "annex_i"
    for oid in ("ai.art_26_8_registration", "ai.art_26_11_inform_persons", "ai.art_49_1_registration"):
        ob = obligation(result, oid)
        assert ob["certainty"] == "uncertain" and "Annex III" in ob["note"], oid
        assert ob["applies_from"]["EU"]["date"] == "2028-08-02"
    plain = run({**NOT_DEVICE, **AI, "ai.annex_iii": ["5d"], "ai.art_6_3_condition": "none"})
    for oid in ("ai.art_26_8_registration", "ai.art_26_11_inform_persons", "ai.art_49_1_registration"):
        assert obligation(plain, oid).get("certainty", "stated") == "stated"
