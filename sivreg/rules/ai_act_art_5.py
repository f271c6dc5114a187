"""AI Act Art 5: prohibited AI practices (applicable in the EU from 2 February 2025).

Art 5(1) prohibits among others: (a) subliminal, manipulative or deceptive techniques that
materially distort behaviour causing significant harm; (b) exploiting vulnerabilities due to
age, disability or a social or economic situation; (c) social scoring leading to detrimental or
unfavourable treatment; (f) AI systems to infer emotions of a natural person in the areas of
workplace and education institutions, except where intended for medical or safety reasons;
(g) biometric categorisation to deduce race, political opinions, trade-union membership,
religious or philosophical beliefs, sex life or sexual orientation.
Points (d), (e) and (h) concern policing, facial-image scraping and real-time remote biometric
identification for law enforcement; a hospital does not do these, so they are not asked.
Art 5 applies whatever the MDR/IVDR class (MDCG 2025-6 Q4).
"""
from __future__ import annotations

PRACTICES = (("manipulation", "ai.art_5_1_a", "Art 5(1)(a)"),
             ("exploit_vulnerability", "ai.art_5_1_b", "Art 5(1)(b)"),
             ("social_scoring", "ai.art_5_1_c", "Art 5(1)(c)"),
             ("sensitive_categorisation", "ai.art_5_1_g", "Art 5(1)(g)"))


def check(ctx) -> tuple[list[str], str]:
    """(articles of the prohibitions that apply, the emotion-recognition answer)."""
    chosen = ctx.ask("ai.prohibited_practices")
    found = []
    for value, rule, cite in PRACTICES:
        hit = value in chosen
        ctx.checked(rule, hit, finding="ai_act_risk.prohibited")
        if hit:
            found.append(cite)
    emotion = ctx.ask("ai.emotion")
    if emotion in ("workers", "patients_and_workers"):
        if ctx.yes("ai.emotion_medical_safety"):
            ctx.step("ai.art_5_1_f.medical_safety", "exception", finding="rule.applies")
        else:
            ctx.step("ai.art_5_1_f", finding="ai_act_risk.prohibited")
            found.append("Art 5(1)(f)")
    else:
        ctx.checked("ai.art_5_1_f", False)
    return found, emotion
