"""IVDR Annex VIII: classification of IVD medical device software.

Rule 1 -> D (transmissible agents for transfusion/transplant; life-threatening agents with
high propagation risk). Rule 2 -> C, D for the listed blood-group markers. Rule 3 (a)-(m)
-> C. Rule 4(a): self-testing -> C, *except* the listed self-tests (pregnancy, fertility,
cholesterol; glucose, erythrocytes, leucocytes, bacteria in urine) -> B: the exception
prevails over its base rule (it is not one more candidate for "the higher class"). Rule 5 -> A
(instruments, general laboratory products). Rule 7 -> B (controls without assigned value).
Rule 6: everything else -> B. Implementing rules: 1.4 software driving an IVD takes its
class; 1.8 several intended purposes -> the higher class; 1.9 several rules -> the higher.
"""
from __future__ import annotations

IVDR_CLASSES = ("A", "B", "C", "D")

RULES = {
    "r1_transfusion_transplant": ("ivdr.rule_1", "D"),
    "r1_life_threatening_agent": ("ivdr.rule_1", "D"),
    "r2_blood_grouping": ("ivdr.rule_2", "C"),
    "r2_critical_markers": ("ivdr.rule_2.markers", "D"),
    "r3_sti": ("ivdr.rule_3.a", "C"),
    "r3_infection_csf_blood": ("ivdr.rule_3.b", "C"),
    "r3_infection_severe": ("ivdr.rule_3.c", "C"),
    "r3_prenatal_immune": ("ivdr.rule_3.d", "C"),
    "r3_immune_status": ("ivdr.rule_3.e", "C"),
    "r3_companion": ("ivdr.rule_3.f", "C"),
    "r3_staging": ("ivdr.rule_3.g", "C"),
    "r3_cancer": ("ivdr.rule_3.h", "C"),
    "r3_genetic": ("ivdr.rule_3.i", "C"),
    "r3_drug_monitoring": ("ivdr.rule_3.j", "C"),
    "r3_life_threatening_disease": ("ivdr.rule_3.k", "C"),
    "r3_congenital_foetus": ("ivdr.rule_3.l", "C"),
    "r3_newborn": ("ivdr.rule_3.m", "C"),
    "r4_self_testing": ("ivdr.rule_4", "C"),
    "r4_self_testing_low": ("ivdr.rule_4.low", "B"),
    "r5_instrument": ("ivdr.rule_5", "A"),
    "r7_controls": ("ivdr.rule_7", "B"),
}


def classify(ctx) -> str:
    chosen = ctx.ask("ivdr.rules")
    candidates = []
    for option, (rule, cls) in RULES.items():
        if option == "r4_self_testing" and option in chosen and "r4_self_testing_low" in chosen:
            # Rule 4(a) "except for ...": the listed self-tests are B, not C.
            ctx.step(rule, "overridden", finding=f"device_class.{cls}", note="note.rule_4_exception")
            continue
        if option in chosen:
            ctx.step(rule, finding=f"device_class.{cls}")
            candidates.append((rule, cls))
    if not candidates:
        ctx.step("ivdr.rule_6", finding="device_class.B")
        candidates.append(("ivdr.rule_6", "B"))
    else:
        ctx.checked("ivdr.rule_6", False)
    # Implementing rule 1.4: asked, not peeked at, so the trace shows why it did or did not apply.
    drives = ctx.yes("qual.drives_device")
    if drives:
        # Once class D is reached, the driven device's class cannot raise it: asked optionally.
        top_is_d = any(c == "D" for _, c in candidates)
        driven = ctx.ask_optional("qual.driven_device_class") if top_is_d else ctx.ask("qual.driven_device_class")
        if driven in IVDR_CLASSES:
            ctx.step("ivdr.ir_1_4", finding=f"device_class.{driven}", note="note.ir_3_3_floor")
            candidates.append(("ivdr.ir_1_4", driven))
        elif driven is not None:
            ctx.step("ivdr.ir_1_4", "not_applied", finding="rule.does_not_apply", note="note.driven_other_regime")
    else:
        ctx.checked("ivdr.ir_1_4", False)
    if len({r for r, _ in candidates}) > 1:
        final = ctx.strictest(candidates, "ivdr.ir_1_9")
        rules = list(dict.fromkeys(r for r, c in candidates if c == final)) + ["ivdr.ir_1_9"]
    else:
        final = candidates[0][1]
        rules = [candidates[0][0]]
    ctx.set("rules", rules)
    return final
