"""AI Act Art 50: transparency obligations for certain AI systems (from 2 August 2026).

50(1) providers: systems that interact directly with natural persons must tell them they are
interacting with an AI system, unless obvious. 50(2) providers: synthetic audio, image, video
or text output marked in a machine-readable format as artificially generated. 50(3) deployers
of emotion recognition or biometric categorisation inform the persons exposed (emotion
recognition is asked as ai.emotion; biometric categorisation is Annex III point 1(b)). 50(4) deployers
disclose deep fakes and AI-generated text published to inform the public on matters of public
interest. Art 50 applies whatever the MDR/IVDR class, also to high-risk device AI (MDCG 2025-6
Q4, Q14).
"""
from __future__ import annotations

DUTIES = (("interacts", "ai.art_50_1", "Art 50(1)"),
          ("generates_content", "ai.art_50_2", "Art 50(2)"),
          ("public_text", "ai.art_50_4", "Art 50(4)"))


def duties(ctx, emotion: str, points: list[str] = ()) -> list[str]:
    chosen = ctx.ask("ai.transparency")
    found = []
    for value, rule, cite in DUTIES[:2]:
        hit = value in chosen
        ctx.checked(rule, hit, finding="rule.applies")
        if hit:
            found.append(cite)
    hit = emotion in ("patients", "workers", "patients_and_workers") or "Annex III 1(b)" in points
    ctx.checked("ai.art_50_3", hit, finding="rule.applies")
    if hit:
        found.append("Art 50(3)")
    value, rule, cite = DUTIES[2]
    hit = value in chosen
    ctx.checked(rule, hit, finding="rule.applies")
    if hit:
        found.append(cite)
    return found
