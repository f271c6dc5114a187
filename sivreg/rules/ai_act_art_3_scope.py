"""AI Act scope: is the software an AI system, and is it excluded from the Act?

Art 3(1): an "AI system" is a machine-based system designed to operate with varying levels of
autonomy, that may adapt after deployment, and that infers from its input how to generate
outputs such as predictions, content, recommendations or decisions.
Recital 12: machine learning and logic- and knowledge-based approaches infer; systems that only
execute rules defined solely by natural persons do not.
Art 2(6): the Act does not apply to AI systems developed and put into service for the sole
purpose of scientific research and development.
Art 2(8): nor to research, testing and development before placing on the market or putting
into service; testing in real-world conditions is not covered by that exclusion.
Art 2(12): nor to AI systems released under free and open-source licences, unless they are
high-risk or fall under Art 5 or Art 50.
MDCG 2025-6 Q25: a clinical investigation (MDR) or performance study (IVDR) of device AI is
testing in real-world conditions (Art 60(1)). So a project whose clinical topic plans a
prospective study with people is not excluded, whatever the project-aim answer says; the
research exclusions are read narrowly, as exceptions.
"""
from __future__ import annotations

from ..catalogue import UNKNOWN


def is_ai_system(ctx) -> bool:
    technique = ctx.ask("ai.technique")
    if technique == "human_rules":
        ctx.checked("ai.art_3_1.inference", False)
        return False
    ctx.step("ai.art_3_1.inference", finding="rule.applies")
    return True


def exclusion(ctx) -> tuple[str, str] | None:
    """(rule id, article) of the research exclusion that applies, or None."""
    aim = ctx.ask("ai.project_aim")
    if aim in ("research_only", "pre_market_development") and _prospective_study(ctx):
        # The answers elsewhere plan a clinical investigation with people: that is testing in
        # real-world conditions (MDCG 2025-6 Q25), which neither exclusion covers.
        ctx.checked("ai.art_2_6", False)
        ctx.checked("ai.art_2_8", False)
        ctx.step("ai.art_2_8.clinical_investigation", finding="rule.applies",
                 note="note.ai.clinical_investigation_not_excluded")
        return None
    if aim == "research_only":
        ctx.step("ai.art_2_6", finding="ai_act_risk.excluded")
        return "ai.art_2_6", "Art 2(6)"
    ctx.checked("ai.art_2_6", False)
    if aim == "pre_market_development":
        ctx.step("ai.art_2_8", finding="ai_act_risk.excluded")
        return "ai.art_2_8", "Art 2(8)"
    ctx.checked("ai.art_2_8", False)
    if aim == "real_world_testing":
        # The exclusion stops at real-world testing; a clinical investigation of device AI is
        # real-world testing (MDCG 2025-6 Q25), so the system is assessed as if in use.
        ctx.step("ai.art_2_8.real_world_testing", finding="rule.applies")
    return None


def _prospective_study(ctx) -> bool:
    """Does the clinical topic plan a study that involves people now (ci.design prospective)?
    Read from the studies the clinical planner listed. While the clinical answers are open
    (whether a study is planned, how it involves people), the exclusion depends on them: a
    prospective study is real-world testing, which Art 2(8) does not exclude (MDCG 2025-6 Q25).
    The open clinical question is explored (sivreg/explore.py), never read as "no study with
    people"."""
    ci = ctx.state.outcomes.get("clinical_investigation")
    if ci is None or ci.status == "not_applicable":
        return False
    studies = ci.extra.get("studies") or ()
    if any(s.get("design") == "prospective" for s in studies):
        return True
    if ci.status == "indeterminate":
        ctx.outcome("clinical_investigation")  # raises Upstream: explored with the clinical answers
    return False


def open_source(ctx) -> bool:
    """Art 2(12); asked only for a system that is neither high-risk, prohibited nor under Art 50."""
    if ctx.yes("ai.open_source"):
        ctx.step("ai.art_2_12", finding="ai_act_risk.excluded")
        return True
    ctx.checked("ai.art_2_12", False)
    return False
