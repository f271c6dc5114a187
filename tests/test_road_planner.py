"""Clinical-investigation planner: per-study route, authorities, start rule, day counts from
the rulebook, documents, due dates from as_of and the planned start, and the order of the
project's next steps."""
import sivreg

from road_helpers import MDSW_IIB, assess, by_id

POC = {"ci.design": "prospective", "ci.ce_marked": "no", "ci.purpose": "conformity"}
PMCF = {"ci.design": "prospective", "ci.ce_marked": "yes", "ci.within_purpose": "yes", "ci.extra_burden": "yes"}


def study(a, sid):
    return by_id(a["outcomes"]["clinical_investigation"]["studies"])[sid]


def test_notification_day_counts_and_due_dates_come_from_the_rulebook():
    book = sivreg.rulebook()
    notice = book.periods["ci.notice"]["days"]
    assert notice == 30 and book.periods["ci.notice"]["ref"] == "mdr.art_74_1"
    a = assess(MDSW_IIB, [{"id": "pmcf", "title": "PMCF", "answers": {**PMCF, "ci.planned_start": "2027-03-01"}}])
    s = study(a, "pmcf")
    assert s["value"] == "art_74_1_notification" and s["submission"] == "notification"
    assert s["lead_days"] == notice
    assert s["submit_by"] == "2027-01-30"          # 30 days before 1 March 2027
    assert s["earliest_start_if_sent_today"] == "2026-12-26"   # as_of 2026-11-26 + 30
    assert "30 days after the notice" in s["start"]["text"]
    act = by_id(a["actions"])["act.dmp_notification"]
    assert act["due"] == "2027-01-30" and act["days"] == 30 and "DMP by e-mail" in act["recipient"]
    rek = by_id(a["actions"])["act.rek_application"]
    assert rek["due"] == act["due"] and rek["same_day_as_dmp"] is True and "REK portal" in rek["recipient"]


def test_authorities_documents_and_uncertain_facts_are_listed_per_study():
    a = assess(MDSW_IIB, [{"id": "poc", "title": "PoC", "answers": POC}])
    s = study(a, "poc")
    assert [x["action"] for x in s["authorities"]] == ["act.dmp_application", "act.rek_application"]
    assert s["authorities"][0]["certainty"] == "uncertain"          # e-mail address / EUDAMED channel [U]
    assert s["authorities"][1]["same_day"]["days"] == 0
    docs = [d["id"] for d in s["documents"]]
    assert "ci.doc.cip" in docs and "ci.doc.ib" in docs and "ci.doc.insurance" in docs
    # class IIb software: start after validation, which is not confirmed for Norway
    assert s["start"]["rule"] == "start.after_validation"
    assert any(p["certainty"] == "uncertain" for p in s["start"]["periods"])


def test_class_iii_waits_for_authorisation_45_plus_20_days():
    a = assess({**MDSW_IIB, "mdr.r11a_subrule": "death_or_irreversible"},
               [{"id": "poc", "title": "PoC", "answers": {**POC, "ci.planned_start": "2027-06-01"}}])
    s = study(a, "poc")
    assert s["start"]["rule"] == "start.after_authorisation"
    assert [p["days"] for p in s["start"]["periods"]] == [10, 5, 45, 20]
    assert "45 days" in s["start"]["text"] and "20 days" in s["start"]["text"]
    # the longest periods DMP may take: 10 + 5 (Art 70(1), (4)) + 45 + 20 (70(7)(b)) before 1 June 2027
    assert s["submit_by"] == "2027-03-13"


def test_start_rule_names_the_class_dependency_when_the_class_is_open():
    a = assess({**MDSW_IIB, "mdr.r11a_subrule": "unknown"}, [{"id": "poc", "title": "PoC", "answers": POC}])
    assert a["outcomes"]["device_class"]["status"] == "depends"
    s = study(a, "poc")
    assert a["outcomes"]["clinical_investigation"]["value"] == "art_62_application"
    assert s["start"]["rule"] == "start.depends_on_class"


def test_each_study_keeps_its_own_trace_and_answers():
    a = assess(MDSW_IIB, [{"id": "retro", "title": "Retro", "answers": {"ci.design": "existing_data"}},
                          {"id": "poc", "title": "PoC", "answers": POC}])
    retro, poc = study(a, "retro"), study(a, "poc")
    assert retro["value"] == "not_a_clinical_investigation" and retro["authorities"][0].get("conditional")
    assert [t["answer"] for t in retro["trace"] if t["question"] == "ci.design"] == ["existing_data"]
    assert [t["answer"] for t in poc["trace"] if t["question"] == "ci.design"] == ["prospective"]
    assert a["outcomes"]["clinical_investigation"]["most_demanding_study"] == "poc"
    # the retrospective study still needs its data basis: the contributor asks for it
    assert "ci.data_basis" in a["missing"]


def test_route_order_is_total_and_matches_the_contract():
    from sivreg.rules.clinical_investigation import ROUTE_ORDER
    book = sivreg.rulebook()
    values = {k.split(".", 1)[1] for k in book.conclusions if k.startswith("clinical_investigation.")}
    assert set(ROUTE_ORDER) | {"not_applicable"} == values


def test_next_steps_are_ordered_and_bilingual():
    studies = [{"id": "poc", "title": "PoC", "answers": POC}]
    en = assess(MDSW_IIB, studies, lang="en")
    nb = assess(MDSW_IIB, studies, lang="nb")
    ids = [x["id"] for x in en["actions"]]
    assert ids == [x["id"] for x in nb["actions"]]
    for before, after in [("act.clinical_evaluation_plan", "act.register_internal"),
                          ("act.register_internal", "act.dmp_application"),
                          ("act.dmp_application", "act.rek_application"),
                          ("act.rek_application", "act.technical_documentation"),
                          ("act.technical_documentation", "act.notified_body"),
                          ("act.notified_body", "act.ce_marking"),
                          ("act.ce_marking", "act.register_dmp"),
                          ("act.register_dmp", "act.pms_plan")]:
        assert ids.index(before) < ids.index(after), (before, after)
    assert by_id(en["actions"])["act.register_internal"]["recipient"] == \
        "SiV's digital registration system (det digitale innmeldingssystemet)"
    assert by_id(nb["actions"])["act.register_internal"]["recipient"] == "det digitale innmeldingssystemet ved SiV"
    assert by_id(nb["actions"])["act.dmp_application"]["label"].startswith("Send søknad")
    assert by_id(en["actions"])["act.dmp_application"]["label"].startswith("Send the clinical")
    for action in en["actions"]:
        assert action["refs"], action["id"]


def test_no_study_planned_for_class_iii_flags_art_61_4():
    a = assess({**MDSW_IIB, "mdr.r11a_subrule": "death_or_irreversible", "ci.study_planned": "no"})
    trace = a["outcomes"]["clinical_investigation"]["trace"]
    flagged = [t for t in trace if t["rule"] == "ci.class_iii_needs_investigation"]
    assert flagged and flagged[0]["kind"] == "rule" and "Art 61(4)" in flagged[0]["note"]
