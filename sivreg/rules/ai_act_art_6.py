"""AI Act Art 6: high-risk AI systems, through a product (Art 6(1)) or a use (Art 6(2), Annex III).

Art 6(1): an AI system is high-risk if it is a product, or a safety component of a product,
covered by Annex I legislation (Section A points 11 and 12: the MDR and the IVDR) AND that
product must undergo a third-party conformity assessment. So the MDR/IVDR class decides
(MDCG 2025-6 Table 1): a notified body is needed for MDR classes Is/Im/Ir, IIa, IIb, III and
IVDR sterile A, B, C, D; not for MDR class I or non-sterile IVDR class A; not for an in-house
device under Art 5(5) (MDCG 2025-6 Q35). This is read from the conformity outcome.
Art 6(2) and Annex III: systems for the listed uses are high-risk, unless the Art 6(3)
derogation applies (no significant risk, no material influence on decisions, because the
system only does a narrow procedural task, improves a completed human activity, detects
decision patterns without replacing human review, or does a preparatory task). An Annex III
system that profiles natural persons is always high-risk (Art 6(3), last subparagraph).
Where a device AI is both Annex I (Art 6(1)) and Annex III, Annex I prevails (MDCG 2025-6 Q27):
it follows the MDR/IVDR route and the Annex I dates.

Open answers (sivreg/explore.py). Art 6(1) reads the conformity route, never the provider:
who develops the system (`org.manufacturer`) is the role (Art 3(3), 3(4), 25), a separate conclusion,
so the tier of a class IIb device that is not made in-house, or of an Annex III system, holds
whatever the origin. Where the law does couple them: a device made under the in-house
exemption (MDR/IVDR Art 5(5)) has no notified body and so is not high-risk under Art 6(1)
(MDCG 2025-6 Q35); whether the exemption can hold depends on the manufacturer being the
health institution (Art 5(5)(a)) and on its other conditions, so while those are open the
tier depends on them (high-risk on the Art 52 route, not through Art 6(1) under Art 5(5)).
"""
from __future__ import annotations

ANNEX_III = (("1a", "ai.annex_iii.1a", "Annex III 1(a)"),
             ("1b", "ai.annex_iii.1b", "Annex III 1(b)"),
             ("1c", "ai.annex_iii.1c", "Annex III 1(c)"),
             ("3", "ai.annex_iii.3", "Annex III 3"),
             ("4a", "ai.annex_iii.4a", "Annex III 4(a)"),
             ("4b", "ai.annex_iii.4b", "Annex III 4(b)"),
             ("5a", "ai.annex_iii.5a", "Annex III 5(a)"),
             ("5b", "ai.annex_iii.5b", "Annex III 5(b)"),
             ("5c", "ai.annex_iii.5c", "Annex III 5(c)"),
             ("5d", "ai.annex_iii.5d", "Annex III 5(d)"))
_NOT_6_1 = {"self_declaration": "ai.art_6_1.self_declaration",
            "in_house_exemption": "ai.art_6_1.in_house"}


def art_6_1(ctx) -> bool:
    """Is the system high-risk because its MDR/IVDR product needs a notified body?"""
    regime = ctx.value("regime")
    if regime in (None, "none"):
        ctx.checked("ai.art_6_1.not_a_device", False)
        return False
    conformity = ctx.outcome("conformity")
    cls = ctx.state.outcomes["device_class"].value
    args = {"cls": cls or "-", "regime": regime}
    if conformity.value == "notified_body":
        ctx.step("ai.art_6_1", finding="ai_act_risk.high_risk", note="note.ai.nb_needed", note_args=args)
        return True
    ctx.checked(_NOT_6_1.get(conformity.value, "ai.art_6_1"), False, note="note.ai.no_nb", note_args=args)
    return False


def annex_iii(ctx, emotion: str, annex_i: bool) -> tuple[list[str], bool, bool]:
    """(Annex III points that apply, high-risk through Annex III, Art 6(3) derogation used)."""
    chosen = list(ctx.ask("ai.annex_iii"))
    if emotion in ("patients", "workers", "patients_and_workers"):  # workers: only with the medical/safety exception
        chosen.append("1c")
    points = []
    for value, rule, cite in ANNEX_III:
        hit = value in chosen
        ctx.checked(rule, hit, finding="ai_act_risk.high_risk")
        if hit:
            points.append(cite)
    if not points:
        return [], False, False
    if annex_i:
        ctx.step("ai.annex_i_prevails", finding="rule.applies", note="note.ai.annex_i_prevails",
                 note_args={"points": ", ".join(points)})
        return points, False, False
    # Art 6(3) derogation, unless the system profiles (last subparagraph: then always high-risk).
    # Either question can settle it alone; the one already answered is read first, so nothing
    # is asked that the decision does not need (and an open derogation question costs fewer
    # branches when profiling is asked before it).
    if ctx.given("ai.art_6_3_condition") in (None, "unknown") and ctx.given("ai.profiling") not in (None, "unknown"):
        if ctx.yes("ai.profiling"):
            ctx.step("ai.art_6_3.profiling", finding="ai_act_risk.high_risk")
            return points, True, False
        condition = ctx.ask("ai.art_6_3_condition")
        if condition == "none":
            ctx.checked("ai.art_6_3", False)
            return points, True, False
        ctx.step("ai.art_6_3", "exception", finding="rule.applies", note="note.ai.derogation_documented")
        return points, False, True
    condition = ctx.ask("ai.art_6_3_condition")
    if condition == "none":
        ctx.checked("ai.art_6_3", False)
        return points, True, False
    if ctx.yes("ai.profiling"):
        ctx.step("ai.art_6_3.profiling", finding="ai_act_risk.high_risk")
        return points, True, False
    ctx.step("ai.art_6_3", "exception", finding="rule.applies", note="note.ai.derogation_documented")
    return points, False, True
