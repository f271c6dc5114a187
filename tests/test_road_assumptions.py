"""Where the planner has to assume something because an answer is missing or "don't know",
the assumption is written down; uncertain facts are marked uncertain."""
from road_helpers import MDSW_IIB, assess, by_id

IVD = {**{k: v for k, v in MDSW_IIB.items() if not k.startswith("mdr.")},
       "regime.ivd_information": "yes", "regime.data_sources": "ivd_only", "ivdr.rules": ["r3_cancer"]}
INTERVENTIONAL = {"ci.design": "prospective", "ci.ce_marked": "no", "ci.ivd_art58": ["interventional"]}
BIOPSY = {"ci.design": "prospective", "ci.ce_marked": "no", "ci.ivd_art58": ["surgically_invasive_sampling"],
          "ci.ivd_companion": "no"}


def _study(answers):
    a = assess(IVD, [{"id": "s", "title": "Studie", "answers": answers}])
    return a["outcomes"]["clinical_investigation"]["studies"][0]


def test_low_risk_sampling_unknown_is_an_explicit_assumption():
    # IVDR Art 66(7)(a): start after validation only for Art 58(1)(a) studies whose sample
    # collection is not a major clinical risk; not knowing means waiting for authorisation,
    # and the study says so
    s = _study({**BIOPSY, "ci.ivd_low_risk_sampling": "unknown"})
    assert s["start"]["rule"] == "start.ivd_after_authorisation"
    assert s["start"]["assumption"] == "ivd.authorisation_assumed"
    assert "ivd.authorisation_assumed" in [t["rule"] for t in s["trace"]]


def test_low_risk_sampling_answered_needs_no_assumption():
    s = _study({**BIOPSY, "ci.ivd_low_risk_sampling": "no"})
    assert s["start"]["rule"] == "start.ivd_after_authorisation" and "assumption" not in s["start"]
    s = _study({**BIOPSY, "ci.ivd_low_risk_sampling": "yes"})
    assert s["start"]["rule"] == "start.ivd_after_validation" and "assumption" not in s["start"]


def test_interventional_ivd_study_always_waits_for_authorisation():
    # Art 66(7)(b): studies under Art 58(1)(b)-(c) and 58(2) need authorisation, low-risk
    # sampling or not; the sampling question is not asked
    a = assess(IVD, [{"id": "s", "title": "S", "answers": {**INTERVENTIONAL, "ci.ivd_low_risk_sampling": "yes"}}])
    s = a["outcomes"]["clinical_investigation"]["studies"][0]
    assert s["start"]["rule"] == "start.ivd_after_authorisation" and "assumption" not in s["start"]
    assert [p["days"] for p in s["start"]["periods"]] == [10, 5, 45, 20] and "20 days" in s["start"]["text"]
    a = assess(IVD, [{"id": "s", "title": "S", "answers": INTERVENTIONAL}])
    assert "ci.ivd_low_risk_sampling" not in a["optional_questions"]


def test_ce_within_purpose_cites_article_82():
    a = assess(MDSW_IIB, [{"id": "o", "title": "Obs", "answers": {"ci.design": "prospective", "ci.ce_marked": "yes",
               "ci.within_purpose": "yes", "ci.extra_burden": "no", "ci.health_research": "yes"}}])
    steps = [s for s in a["outcomes"]["clinical_investigation"]["trace"] if s["rule"] == "ci.ce_within_purpose"]
    assert steps and all("mdr.art_82" in s["refs"] for s in steps)


def test_ivd_trend_reporting_cites_ivdr_article_83():
    a = assess({**IVD, "ci.study_planned": "no"})
    assert "ivdr.art_83" in by_id(a["obligations"])["vig.trend_reporting"]["refs"]


def test_in_house_vigilance_note_is_uncertain():
    # fact E9 is tagged [U]: whether Art 87 reaches in-house devices is not settled
    from road_helpers import IN_HOUSE
    a = assess(IN_HOUSE)
    assert by_id(a["obligations"])["inhouse.clinical_experience"]["certainty"] == "uncertain"


def test_invasive_hardware_moves_the_start_to_authorisation():
    drives = {"qual.is_software": "yes", "qual.annex_xvi": "no", "qual.accessory": "no", "qual.drives_device": "yes",
              "qual.driven_device_class": "IIb", "qual.action_on_data": "no", "org.manufacturer": "trust",
              "conf.in_house_only": "no"}
    study = {"ci.design": "prospective", "ci.ce_marked": "no", "ci.purpose": "conformity"}
    inv = assess(drives, [{"id": "s", "title": "S", "answers": {**study, "ci.invasive_device": "yes"}}])
    s = inv["outcomes"]["clinical_investigation"]["studies"][0]
    assert s["start"]["rule"] == "start.after_authorisation" and s["lead_days"] == 80   # 10+5 validation, 45+20 (Art 70(1),(4),(7)(b))
    non = assess(drives, [{"id": "s", "title": "S", "answers": {**study, "ci.invasive_device": "no"}}])
    assert non["outcomes"]["clinical_investigation"]["studies"][0]["start"]["rule"] == "start.after_validation"
    # software with a purpose of its own is not asked (non-invasive, fact D15)
    own = assess(MDSW_IIB, [{"id": "s", "title": "S", "answers": study}])
    assert own["outcomes"]["clinical_investigation"]["studies"][0]["start"]["rule"] == "start.after_validation"


def test_ivd_language_duty_cites_ivdr_annex_i_20():
    # fact G4: the label and instructions of IVDR Annex I §20 must be in Norwegian
    a = assess({**IVD, "ci.study_planned": "no", "lang.norwegian_information": "no"})
    assert "ivdr.annex_i_20" in by_id(a["obligations"])["lang.norwegian"]["refs"]


def test_ivd_in_house_documentation_for_class_c_is_not_shown_as_binding():
    # IVDR Art 5(5)(g): binding for class D; classes A-C only under national law (not checked)
    from road_helpers import IN_HOUSE
    ivd = {**{k: v for k, v in IN_HOUSE.items() if not k.startswith("mdr.")}, "regime.ivd_information": "yes",
           "regime.data_sources": "ivd_only", "inhouse.iso_15189": "yes"}
    c = by_id(assess({**ivd, "ivdr.rules": ["r3_cancer"]})["obligations"])["inhouse.documentation"]
    assert c["certainty"] == "uncertain" and c["note"]
    d = by_id(assess({**ivd, "ivdr.rules": ["r1_transfusion_transplant"]})["obligations"])["inhouse.documentation"]
    assert d.get("certainty", "stated") == "stated"


def test_ivd_in_house_manufacturing_measures_for_class_c_follow_point_g():
    from road_helpers import IN_HOUSE
    ivd = {**{k: v for k, v in IN_HOUSE.items() if not k.startswith("mdr.")}, "regime.ivd_information": "yes",
           "regime.data_sources": "ivd_only", "inhouse.iso_15189": "yes", "ivdr.rules": ["r3_cancer"]}
    m = by_id(assess(ivd)["obligations"])["inhouse.manufacturing_measures"]
    assert m["certainty"] == "uncertain" and m["note"]
