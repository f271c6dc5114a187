"""Engine and model: JSON round trip, next_question, unknown never becomes no, default
logic (RuleConflict), strictest class wins, as_of is an input."""
import json
from pathlib import Path

import pytest

import sivreg
from sivreg.model import Assessment

ROOT = Path(__file__).resolve().parent.parent


def project(**answers):
    return sivreg.Project(id="p", title="P", answers=sivreg.Answers.of(answers))


def test_assessment_round_trips_through_json():
    for f in sorted((ROOT / "parameters").glob("*.yaml")):
        a = sivreg.assess(sivreg.load(f), as_of="2026-11-26")
        again = Assessment.from_dict(json.loads(json.dumps(a.to_dict())))
        assert again.to_dict() == a.to_dict()
        assert again == Assessment.from_dict(a.to_dict())


def test_project_round_trips_through_yaml(tmp_path):
    for f in sorted((ROOT / "parameters").glob("*.yaml")):
        p = sivreg.load(f)
        out = tmp_path / f.name
        out.write_text(sivreg.dump_project(p), encoding="utf-8")
        q = sivreg.load(out)
        assert q.to_dict() == p.to_dict()
        assert sivreg.assess(q, as_of="2026-11-26").to_dict()["outcomes"] == \
            sivreg.assess(p, as_of="2026-11-26").to_dict()["outcomes"]


def test_next_question_walks_the_decision():
    p = project()
    assert sivreg.next_question(p).id == "qual.is_software"
    p = project(**{"qual.is_software": "yes"})
    assert sivreg.next_question(p).id == "qual.annex_xvi"
    p = project(**{"qual.is_software": "no"})
    q = sivreg.next_question(p)
    assert q is None or not q.id.startswith(("qual.", "regime.", "mdr.", "ivdr."))


def test_unknown_is_not_asked_again_and_never_becomes_no():
    p = project(**{"qual.is_software": "yes", "qual.annex_xvi": "unknown", "qual.accessory": "no",
                   "qual.drives_device": "no"})
    a = sivreg.assess(p, as_of="2026-11-26")
    q = a.outcome("qualification")
    # explored, never read as no: the answer depends on the open question (issue 9)
    assert q.status == "depends" and q.missing[0] == "qual.annex_xvi"
    assert q.value is None
    assert {b["value"] for b in q.extra["branches"] if b["when"].get("qual.annex_xvi") == "yes"} == {"annex_xvi"}
    assert any(s.kind == "depends" for s in q.trace)
    assert "qual.annex_xvi" in a.missing
    nq = sivreg.next_question(p)
    assert nq is None or nq.id != "qual.annex_xvi"


def test_conflicting_exceptions_raise_naming_both():
    p = project(**{"qual.is_software": "yes", "qual.annex_xvi": "yes", "qual.accessory": "yes",
                   "qual.drives_device": "no"})
    with pytest.raises(sivreg.RuleConflict) as exc:
        sivreg.assess(p, as_of="2026-11-26")
    assert "qual.step2.annex_xvi" in str(exc.value) and "qual.step2.accessory" in str(exc.value)


def test_strictest_class_is_explicit_in_the_trace():
    base = {"qual.is_software": "yes", "qual.annex_xvi": "no", "qual.accessory": "no", "qual.drives_device": "no",
            "qual.action_on_data": "yes", "qual.individual_patients": "yes", "qual.medical_purpose": "yes",
            "regime.ivd_information": "no", "mdr.r11_decisions": "yes", "mdr.r11a_subrule": "other",
            "mdr.r11_monitoring": "no", "mdr.other_rules": ["r22_closed_loop", "r15_contraception"]}
    a = sivreg.assess(project(**base), as_of="2026-11-26", lang="en")
    o = a.outcome("device_class")
    assert o.value == "III"
    step = [s for s in o.trace if s.rule == "mdr.ir_3_5"][0]
    assert "Rule 22" in step.note and step.finding == "device_class.III"


def test_as_of_defaults_and_is_recorded():
    p = project()
    assert sivreg.assess(p, as_of="2030-01-01").as_of == "2030-01-01"
    d = sivreg.assess(p).to_dict()
    assert d["as_of_source"] == "today"
    with pytest.raises(sivreg.InputError):
        sivreg.assess(p, as_of="not-a-date")
    with pytest.raises(sivreg.InputError):
        sivreg.assess(p, lang="de")


def test_every_assessment_carries_the_notice_in_its_language():
    p = project()
    assert "decision support" in sivreg.assess(p, as_of="2026-11-26", lang="en").to_dict()["notice"]
    assert "beslutningsstøtte" in sivreg.assess(p, as_of="2026-11-26", lang="nb").to_dict()["notice"]


def test_impossible_or_far_dates_are_input_errors_from_python_too():
    p = project()
    for bad in ("2026-02-30", "9999-12-31", "1066-10-14"):
        with pytest.raises(sivreg.InputError, match="as_of"):
            sivreg.assess(p, as_of=bad)
