"""AI Act roles against the MDR/IVDR manufacturer answer (AI Act Art 3(3), 25(1); MDR Art 16(1))."""
import sivreg
from test_ai_act_dates import AI, DEVICE_IIB

VENDOR_IIA = {**DEVICE_IIB, **AI, "mdr.r11a_subrule": "other", "org.manufacturer": "commercial", "conf.declared_class": "IIa",
              "ai.vendor_changes": ["none"]}


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


def test_own_system_is_the_trust_as_manufacturer_and_provider_in_one_answer():
    # issue 10: who makes the system is one question (org.manufacturer), so the MDR manufacturer
    # and the AI Act provider can no longer disagree
    out, step = crosscheck({**VENDOR_IIA, "org.manufacturer": "trust", "ai.built_on_gpai": "no",
                            "conf.in_house_only": "no"})
    assert out["role"] == "both" and step["finding"] == "rule.applies"
