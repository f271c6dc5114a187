"""AI Act roles against the MDR/IVDR manufacturer answer (AI Act Art 3(3), 25(1); MDR Art 16(1))."""
import sivreg
from test_ai_act_dates import AI, DEVICE_IIB

VENDOR_IIA = {**DEVICE_IIB, **AI, "mdr.r11a_subrule": "other", "conf.manufacturer": "external",
              "ai.origin": "vendor", "ai.vendor_changes": ["none"]}


def crosscheck(answers):
    project = sivreg.Project(id="p", title="p", answers=sivreg.Answers.of(answers), jurisdiction="EU")
    result = sivreg.assess(project, as_of="2026-11-26", lang="nb").to_dict()
    steps = [s for s in result["outcomes"]["ai_act_risk"]["trace"] if s["rule"] == "ai.role.crosscheck"]
    assert len(steps) == 1
    return result["outcomes"]["ai_act_risk"], steps[0]


def test_supplier_device_used_as_supplied_agrees_with_an_external_manufacturer():
    out, step = crosscheck(VENDOR_IIA)
    assert out["role"] == "deployer" and step["finding"] == "rule.applies"


def test_rebranding_a_supplier_device_points_to_the_parallel_mdr_rule():
    # Art 25(1)(a): the hospital becomes the provider; MDR Art 16(1) has the same effect for the
    # manufacturer, so the note names that article instead of the development answers.
    out, step = crosscheck({**VENDOR_IIA, "ai.vendor_changes": ["own_name"]})
    assert out["role"] == "both" and "Art 25(1)(a)" in out["role_basis"]
    assert step["finding"] is None and "art. 16" in step["note"] and "art. 25" in step["note"]


def test_own_system_with_an_external_manufacturer_asks_to_check_the_development_answers():
    out, step = crosscheck({**VENDOR_IIA, "ai.origin": "in_house"})
    assert out["role"] == "both" and step["finding"] is None
    assert "art. 16" not in step["note"] and "utvikler" in step["note"]
