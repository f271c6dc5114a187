"""Qualification of software as a medical device: MDCG 2019-11 rev.1 §3.3, Figure 1.

Step 1  software?                                   no  -> outside this guidance (not_mdsw)
Step 2  Annex XVI product, accessory, or software driving/influencing a device?
        yes -> regulated with that device (part_of_device / annex_xvi) or on its own (accessory)
Step 3  action on data beyond storage, archival, communication, simple search, lossless
        compression?                                no  -> not_mdsw
Step 4  for the benefit of individual patients?     no  -> not_mdsw
Step 5  medical purpose (MDR Art 2(1))?             no  -> not_mdsw;  yes -> mdsw
Software that drives a device AND has its own medical purpose is MDSW (§3.2 Note 2) and is
classified on its own purpose, never lower than the device (Annex VIII 3.3, see classification).
"""
from __future__ import annotations

from ..catalogue import UNKNOWN

# (question, rule when met, rule when not met) for decision steps 3, 4 and 5
STEPS_3_TO_5 = (
    ("qual.action_on_data", "qual.step3.action", "qual.step3.no_action"),
    ("qual.individual_patients", "qual.step4.individual", "qual.step4.not_individual"),
    ("qual.medical_purpose", None, "qual.step5.no_medical_purpose"),
)


def decide(ctx) -> str:
    if not ctx.yes("qual.is_software"):
        return ctx.conclude("qual.step1.not_software", "not_mdsw", note="note.not_software")
    ctx.step("qual.step1.software", finding="rule.applies")

    # Step 2: all three limbs are asked, so that a collision is seen, not hidden.
    annex_xvi = ctx.yes("qual.annex_xvi")
    accessory = ctx.yes("qual.accessory")
    drives = ctx.yes("qual.drives_device")
    # Priorities stated in the guidance: software driving an Annex XVI product is handled as
    # part of that product (MDCG 2019-11 §3.1/§3.3); a software accessory may itself drive a
    # device (MDR Art 2(2), MDCG 2019-11 §2), so "accessory" wins over "drives". Annex XVI
    # together with accessory has no stated priority: RuleConflict.
    step2 = ctx.choose(
        base=("qual.step2.none", "continue"),
        exceptions=[(annex_xvi, "qual.step2.annex_xvi", "annex_xvi"),
                    (accessory, "qual.step2.accessory", "accessory"),
                    (drives, "qual.step2.drives_device", "part_of_device")],
        priority=None if (annex_xvi and accessory) else
        ["qual.step2.annex_xvi", "qual.step2.accessory", "qual.step2.drives_device"],
    )
    if step2 in ("annex_xvi", "accessory"):
        return ctx.conclude(f"qual.step2.{step2}", step2)

    # Steps 3-5 (also for software that drives a device: does it have its own purpose?).
    # Software is MDSW only if all three are met, so a "no" at any step settles the answer
    # even while an earlier step is still open ("don't know" or unanswered); an open step
    # blocks only when nothing else decides.
    open_steps = []
    for qid, met_rule, not_met_rule in STEPS_3_TO_5:
        if ctx.given(qid) in (None, UNKNOWN):
            open_steps.append(qid)
            continue
        if not ctx.yes(qid):
            return _no_own_purpose(ctx, drives, not_met_rule)
        if met_rule:
            ctx.step(met_rule, finding="rule.applies")
    if open_steps:
        # Ask first a step nobody has answered yet (it may still settle "not MDSW"); a step
        # answered "don't know" blocks only once every other step is answered.
        unanswered = [q for q in open_steps if ctx.given(q) is None]
        ctx.ask((unanswered or open_steps)[0])  # raises Missing: the decision waits here
    if drives:
        ctx.step("qual.note2.own_purpose_drives", finding="qualification.mdsw")
    return ctx.conclude("qual.step5.medical_purpose", "mdsw")


def _no_own_purpose(ctx, drives: bool, rule: str) -> str:
    if drives:
        ctx.step(rule, "rule", finding="rule.applies")
        return ctx.conclude("qual.step2.drives_device", "part_of_device")
    return ctx.conclude(rule, "not_mdsw")
