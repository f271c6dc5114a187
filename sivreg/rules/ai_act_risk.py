"""The AI Act risk tier of a project (output contract: outcome `ai_act_risk`).

Order of the tests, as the Act reads:
1. AI system?          Art 3(1), recital 12                 no  -> not_ai_system
2. excluded?           Art 2(6), 2(8) (real-world testing is not excluded)  -> excluded
3. prohibited?         Art 5                                 yes -> prohibited
4. high-risk?          Art 6(1) via the MDR/IVDR conformity route; Art 6(2)/Annex III with the
                       Art 6(3) derogation; Annex I prevails for device AI (MDCG 2025-6 Q27)
5. transparency?       Art 50                                yes -> transparency_only (if not high-risk)
6. otherwise           minimal (Art 4 AI literacy), or excluded if open source (Art 2(12))
The role (provider, deployer or both; Art 3(3), 3(4), 25) is decided last, since Art 25(1)
turns on the system being high-risk. Extra fields: basis, role, role_basis, origin,
high_risk_route (annex_i | annex_iii), annex_iii, art_6_3_derogation, applies_from.
"""
from __future__ import annotations

from . import ai_act_art_3_scope as scope
from . import ai_act_art_5 as art_5
from . import ai_act_art_6 as art_6
from . import ai_act_art_25_roles as roles
from . import ai_act_art_50 as art_50

# Which dated provision governs each tier (dates/ai_act.yaml, overlaid by the scenario).
DATE_OF = {"prohibited": "ai_act.prohibitions_literacy", "minimal": "ai_act.prohibitions_literacy",
           "transparency_only": "ai_act.art_50", "annex_i": "ai_act.high_risk_annex_i",
           "annex_iii": "ai_act.high_risk_annex_iii"}


def decide(ctx) -> str:
    if not scope.is_ai_system(ctx):
        ctx.set("basis", ["Art 3(1)", "recital 12"])
        return ctx.conclude("ai.risk.not_ai_system", "not_ai_system")
    excluded = scope.exclusion(ctx)
    if excluded:
        ctx.set("basis", [excluded[1]])
        return ctx.conclude("ai.risk.excluded", "excluded")

    prohibited, emotion = art_5.check(ctx)
    if prohibited:
        return _finish(ctx, "prohibited", prohibited, high_risk=False, date_id=DATE_OF["prohibited"])

    annex_i = art_6.art_6_1(ctx)
    points, annex_iii_high, derogation = art_6.annex_iii(ctx, emotion, annex_i)
    transparency = art_50.duties(ctx, emotion, points)
    ctx.set("annex_iii", points)
    ctx.set("emotion_recognition", emotion)
    ctx.set("art_6_3_derogation", derogation)

    if annex_i or annex_iii_high:
        route = "annex_i" if annex_i else "annex_iii"
        ctx.set("high_risk_route", route)
        basis = (["Art 6(1)"] if annex_i else ["Art 6(2)"]) + points + transparency
        return _finish(ctx, "high_risk", basis, high_risk=True, date_id=DATE_OF[route])
    derog = ["Art 6(3)"] if derogation else []
    if transparency:
        return _finish(ctx, "transparency_only", transparency + derog, high_risk=False,
                       date_id=DATE_OF["transparency_only"])
    if scope.open_source(ctx):
        ctx.set("basis", ["Art 2(12)"])
        return ctx.conclude("ai.risk.excluded", "excluded")
    return _finish(ctx, "minimal", ["Art 4"] + derog, high_risk=False, date_id=DATE_OF["minimal"])


def _finish(ctx, value: str, basis: list[str], *, high_risk: bool, date_id: str) -> str:
    role, role_basis, origin = roles.decide(ctx, high_risk)
    _crosscheck_manufacturer(ctx, role, shifted=any(b.startswith("Art 25") for b in role_basis) and origin == "vendor")
    ctx.set("basis", basis)
    ctx.set("role", role)
    ctx.set("role_basis", role_basis)
    ctx.set("origin", origin)
    dated = ctx.date(date_id)
    ctx.set("applies_from", dated)
    eu = dated["EU"]
    ctx.step("ai.applies_from", "date", finding=f"ai_date.{eu['state']}", refs=[eu["ref"]] if eu.get("ref") else [],
             note="note.ai.applies_from", note_args={"date": eu["date"] or "-", "label": ctx.book.dates[date_id]["label"][ctx.lang]})
    _scenario(ctx)
    if high_risk:
        # Systems already placed on the market or put into service before the date are covered
        # only after a significant change in design (Art 111(2); MDCG 2025-6 Q31 for device AI).
        ctx.step("ai.transition", "note", finding="rule.applies", note="note.ai.transition",
                 note_args={"date": eu["date"] or "-"})
    if ctx.jurisdiction == "NO":
        ctx.step("ai.no_status", "date", finding="ai_date.pending", note="note.ai.no_status")
    return ctx.conclude(f"ai.risk.{value}", value)


def _scenario(ctx) -> None:
    """Which version of the AI Act the dates come from, with its legal status and certainty:
    the amended Act is known from secondary sources only (fact base F43a)."""
    sc = ctx.book.scenarios.get(ctx.scenario)
    if sc is None:
        return
    ctx.step("ai.scenario", "note", finding=f"ai_scenario.{sc['certainty']}", refs=list(sc["refs"]),
             note="note.ai.scenario", note_args={"label": sc["label"][ctx.lang],
                                                 "status": sc["legal_status"][ctx.lang]})


def _crosscheck_manufacturer(ctx, role: str, shifted: bool = False) -> None:
    """The MDR manufacturer is normally the AI Act provider (MDCG 2025-6, introduction). If the
    conformity answers name another party than the AI Act role does, say so; decide nothing.
    When the hospital became the provider of a supplier's system under Art 25(1), the MDR has a
    parallel rule (MDR Art 16(1): whoever makes a device available under its own name, changes
    its intended purpose or modifies it takes on the manufacturer's obligations), so the note
    points there rather than at the development answers."""
    conformity = ctx.state.outcomes.get("conformity")
    manufacturer = conformity.extra.get("manufacturer") if conformity is not None else None
    if manufacturer not in ("hospital", "external"):
        return
    agree = (manufacturer == "hospital") == (role in ("provider", "both"))
    if agree:
        note = "note.ai.role_agrees"
    else:
        note = "note.ai.role_art_25_mdr" if shifted else "note.ai.role_differs"
    ctx.step("ai.role.crosscheck", "crosscheck", finding="rule.applies" if agree else None, note=note)
