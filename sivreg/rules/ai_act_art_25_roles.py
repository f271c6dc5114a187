"""AI Act roles: provider, deployer or both (Art 3(3), 3(4), Art 25(1)).

Art 3(3): the provider develops an AI system, or has it developed, and places it on the market
or puts it into service under its own name. Art 3(4): the deployer uses an AI system under its
authority. A hospital that builds and uses its own tool is both.
Art 25(1): a deployer or other third party becomes the provider of a high-risk AI system if it
(a) puts its name or trademark on it, (b) makes a substantial modification so that it remains
high-risk, or (c) modifies the intended purpose of a system, including a general-purpose AI
system, so that it becomes high-risk. Regulation (EU) 2026/1744 replaced Art 25(2) and the
first subparagraph of 25(4) (secondary sources); Art 25(1) is applied as unchanged.
"""
from __future__ import annotations

SHIFTS = (("own_name", "Art 25(1)(a)"), ("substantial_modification", "Art 25(1)(b)"),
          ("new_purpose", "Art 25(1)(c)"))


def origin_of(ctx) -> str:
    """in_house, on_gpai or vendor, from the one question on who makes the system
    (org.manufacturer, shared with the MDR/IVDR) and, for the trust's own tool, whether it is
    built on a general-purpose AI model. Another legal entity in the public health service is,
    for the hospital, a supplier like a company: it is the provider, the hospital the deployer."""
    if ctx.ask("org.manufacturer") != "trust":
        return "vendor"
    return "on_gpai" if ctx.yes("ai.built_on_gpai") else "in_house"


def decide(ctx, high_risk: bool) -> tuple[str, list[str], str]:
    """(role, articles, origin)."""
    origin = origin_of(ctx)
    if origin in ("in_house", "on_gpai"):
        basis = ["Art 3(3)"]
        if origin == "on_gpai":
            # Building a clinical tool on a general-purpose model: the hospital is the provider
            # of that tool; if the tool is high-risk, this is also Art 25(1)(c).
            ctx.step("ai.role.on_gpai", finding="ai_role.provider")
            if high_risk:
                basis.append("Art 25(1)(c)")
        else:
            ctx.step("ai.role.own_system", finding="ai_role.provider")
        if ctx.yes("org.hospital_uses"):
            ctx.step("ai.role.also_deployer", finding="ai_role.both")
            return "both", basis + ["Art 3(4)"], origin
        return "provider", basis, origin
    ctx.step("ai.role.deployer", finding="ai_role.deployer")
    if not high_risk:
        ctx.checked("ai.art_25_1", False, note="note.ai.art_25_high_risk_only")
        return "deployer", ["Art 3(4)"], origin
    changes = ctx.ask("ai.vendor_changes")
    hits = [cite for value, cite in SHIFTS if value in changes]
    if not hits:
        ctx.checked("ai.art_25_1", False)
        return "deployer", ["Art 3(4)"], origin
    ctx.step("ai.art_25_1", finding="ai_role.both", note="note.ai.becomes_provider",
             note_args={"articles": ", ".join(hits)})
    return "both", ["Art 3(4)"] + hits, origin
