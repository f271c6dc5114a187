"""Change management after launch: can the system be updated within its CE marking?

AI Act Art 3(23): a substantial modification is a change after placing on the market or
putting into service that was not foreseen or planned in the initial conformity assessment and
that affects compliance with the high-risk requirements or modifies the intended purpose.
Art 43(4): a substantially modified high-risk system needs a new conformity assessment; changes
to a system that continues to learn, pre-determined by the provider at the initial assessment
and documented under Annex IV point 2(f), are not substantial modifications. MDCG 2025-6 Q29-Q30:
such a predetermined change plan (PCCP) is also not a change to the certified device under the
MDR (Annex IX section 4.10); other changes that could affect the device need the notified
body's approval. Art 25(1)(b)/(c): a deployer that substantially modifies a high-risk system or
changes its purpose becomes its provider. A new intended purpose is always a substantial
modification (Art 3(23)); a change plan cannot cover it.
"""
from __future__ import annotations

MODEL_CHANGES = ("retraining", "new_model_version")


def contribute(ctx):
    risk = ctx.outcome("ai_act_risk")
    if risk.value in ("not_ai_system", "excluded", "prohibited"):
        ctx.checked("ai.change.scope", False)
        return None
    high = risk.value == "high_risk"
    regime = ctx.value("regime")
    conformity = ctx.value("conformity") if regime in ("MDR", "IVDR") else None
    device = conformity in ("notified_body", "self_declaration", "in_house_exemption")
    if not (high or device):
        ctx.checked("ai.change.scope", False)
        return None
    ctx.step("ai.change.scope", finding="rule.applies")
    changes = ctx.ask("ai.planned_changes")
    model = any(c in changes for c in MODEL_CHANGES)
    new_use = "new_intended_use" in changes
    if not (model or new_use):
        ctx.checked("ai.change.planned", False)
        return None
    plan = None
    if model and (high or conformity == "notified_body"):
        plan = ctx.yes("ai.pccp")
    vendor = risk.extra.get("origin") == "vendor"
    provider = risk.extra.get("role") in ("provider", "both")

    # AI Act: substantial modification or within the change plan (high-risk systems only).
    substantial = high and (new_use or (model and not plan))
    if high:
        if substantial:
            ctx.step("ai.change.substantial", finding="ai_change.substantial")
            date_id = "ai_act.high_risk_annex_i" if risk.extra.get("high_risk_route") == "annex_i" \
                else "ai_act.high_risk_annex_iii"
            if provider or vendor:
                ctx.oblige("ai.change.new_conformity_assessment", applies_from=date_id)
            if model and not plan:
                ctx.act("ai.act.change_plan")
            if vendor:
                ctx.step("ai.change.becomes_provider", finding="ai_role.both")
                ctx.oblige("ai.change.becomes_provider", applies_from=date_id)
        else:
            ctx.step("ai.change.within_plan", finding="ai_change.within_plan")
            ctx.oblige("ai.change.within_plan",
                       applies_from="ai_act.high_risk_annex_i" if risk.extra.get("high_risk_route") == "annex_i"
                       else "ai_act.high_risk_annex_iii")

    # MDR/IVDR side of the same change.
    if conformity == "notified_body":
        if new_use or (model and not plan):
            ctx.step("ai.change.mdr_notified_body", finding="rule.applies")
            ctx.oblige("ai.change.mdr_notified_body")
        else:
            ctx.checked("ai.change.mdr_notified_body", False, note="note.ai.change_within_plan_mdr")
    elif conformity == "self_declaration":
        ctx.step("ai.change.mdr_documentation", finding="rule.applies")
        ctx.oblige("ai.change.mdr_documentation")
    elif conformity == "in_house_exemption":
        ctx.step("ai.change.in_house_documentation", finding="rule.applies")
        ctx.oblige("ai.change.in_house_documentation")
    return None
