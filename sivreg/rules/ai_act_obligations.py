"""AI Act obligations and next steps for the project, from the ai_act_risk outcome.

Providers of high-risk AI systems: Art 9-15 (requirements), 16 (duties), 17 (QMS), 43
(conformity assessment: within the MDR/IVDR procedure for Annex I products, Art 43(3); for
biometric systems in Annex III point 1, such as emotion recognition, Art 43(1): internal control
only where harmonised standards or common specifications are applied in full, otherwise a
notified body; internal control for Annex III points 2-8, Art 43(2); Annex III has no point 9), 47 (declaration), 48 (CE marking), 49(1)
(registration, Annex III only), 72 (post-market monitoring), 73 (serious incidents; for device AI
only fundamental-rights infringements, Art 73(10), the rest through MDR/IVDR vigilance).
Deployers of high-risk AI systems: Art 26(1), (2), (4), (5), (6), (9), (12) always; 26(7) when
workers are subject to the system; 26(8), 26(11) and Art 27 for Annex III systems (26(8) for
public authorities; Art 27 for public authorities, other bodies governed by public law and private
entities providing public services (ai.deployer_kind), and for any deployer under Annex III 5(b)
and 5(c)). For device AI that is also listed in
Annex III (Annex I prevails), 26(8), 26(11), 49(1) and 27 are kept but marked uncertain.
Everyone in scope: Art 4 (AI literacy). Art 50: 50(1), 50(2) providers; 50(3), 50(4) deployers;
for 50(2) marking, systems already on the market get until 2 December 2026 under the amended Act.
The high-risk dates follow the route: Annex I (device AI) or Annex III, per scenario.
"""
from __future__ import annotations

PROVIDER_CORE = ("ai.art_9_risk_management", "ai.art_10_data_governance", "ai.art_11_technical_documentation",
                 "ai.art_12_logging", "ai.art_13_information", "ai.art_14_human_oversight",
                 "ai.art_15_accuracy_robustness", "ai.art_16_provider_duties", "ai.art_17_qms")
DEPLOYER_CORE = ("ai.art_26_1_instructions", "ai.art_26_2_oversight", "ai.art_26_4_input_data",
                 "ai.art_26_5_monitoring", "ai.art_26_6_logs", "ai.art_26_9_dpia", "ai.art_26_12_cooperate")
TRANSPARENCY = {"Art 50(1)": ("ai.art_50_1_disclose_ai", "provider"),
                "Art 50(2)": ("ai.art_50_2_mark_output", "provider"),
                "Art 50(3)": ("ai.art_50_3_inform_exposed", "deployer"),
                "Art 50(4)": ("ai.art_50_4_disclose_generated", "deployer")}
WORKPLACE_POINTS = ("Annex III 4(a)", "Annex III 4(b)")
FRIA_ANY_DEPLOYER = ("Annex III 5(b)", "Annex III 5(c)")
ROUTE_DATE = {"annex_i": "ai_act.high_risk_annex_i", "annex_iii": "ai_act.high_risk_annex_iii"}


def contribute(ctx):
    risk = ctx.outcome("ai_act_risk")
    value, extra = risk.value, risk.extra
    if value in ("not_ai_system", "excluded"):
        ctx.checked("ai.obligations.in_scope", False)
        return None
    ctx.step("ai.obligations.in_scope", finding="rule.applies")
    role = extra["role"]
    provider, deployer = role in ("provider", "both"), role in ("deployer", "both")
    ctx.oblige("ai.art_4_literacy")
    ctx.act("ai.act.ai_literacy")
    # Norway: no date is confirmed for any AI Act duty, prohibitions included.
    if ctx.jurisdiction == "NO":
        ctx.act("ai.act.watch_norway")
    if value == "prohibited":
        ctx.oblige("ai.art_5_prohibited")
        ctx.act("ai.act.stop_prohibited")
        return None
    basis = list(extra.get("basis", ()))
    if extra.get("art_6_3_derogation") and provider:
        ctx.oblige("ai.art_6_4_document_derogation")
        ctx.oblige("ai.art_49_2_register_derogation")
        ctx.act("ai.act.document_derogation")
    duties = [TRANSPARENCY[b] for b in basis if b in TRANSPARENCY]
    mine = [oid for oid, who in duties if (provider if who == "provider" else deployer)]
    dues = []
    for oid in mine:
        date_id, note = (_marking_date(ctx) if oid == "ai.art_50_2_mark_output" else ("ai_act.art_50", None))
        ctx.oblige(oid, applies_from=date_id, note=note)
        dues.append(ctx.date(date_id)["EU"]["date"])
    if mine:
        ctx.act("ai.act.transparency_notice", due=min(d for d in dues if d) if any(dues) else None)
    supplier_duties = [oid for oid, who in duties if who == "provider" and not provider]
    if supplier_duties or (value == "high_risk" and not provider):
        # The supplier holds the provider duties; the hospital, as deployer, checks them before
        # use. A hospital that is the provider has no supplier to ask (the deployer duties of
        # Art 50(3)/(4) then rest with whoever uses its system).
        ctx.act("ai.act.check_supplier")
    # Last, since the deployer's Annex III duties may still wait for an answer.
    if value == "high_risk":
        _high_risk(ctx, extra, provider, deployer)
    return None


def _incident_reporting(ctx, date_id: str) -> None:
    """Serious incidents of an Annex III system. Art 73(10): for high-risk AI that is, or is a
    safety component of, a device under the MDR/IVDR, AI Act reporting is limited to
    infringements of fundamental-rights obligations; the rest goes through MDR/IVDR vigilance.
    That holds for a self-declared class I / class A device on the Annex III route too. An
    in-house device under Art 5(5) has no MDR vigilance duties (only the GSPRs apply), so the
    limitation would leave other incidents unreported: full Art 73 reporting is kept, marked
    uncertain."""
    regime = ctx.state.outcomes["regime"].value
    conformity = ctx.state.outcomes["conformity"].value
    if regime not in ("MDR", "IVDR"):
        ctx.oblige("ai.art_73_serious_incidents", applies_from=date_id)
    elif conformity == "in_house_exemption":
        ctx.step("ai.art_73_10.in_house", finding="rule.applies", note="note.ai.art_73_in_house")
        ctx.oblige("ai.art_73_serious_incidents", applies_from=date_id, certainty="uncertain",
                   note=ctx.note_text("note.ai.art_73_in_house"))
    else:
        ctx.oblige("ai.art_73_10_device_incidents", applies_from=date_id)


def _annex_iii_device(ctx, oid: str, date_id: str) -> None:
    """Device AI that is high-risk under Art 6(1) and also listed in Annex III. Art 26(8),
    26(11) and 49 speak of systems "listed in" or "referred to in" Annex III, while MDCG 2025-6
    Q27 makes Annex I prevail for conformity assessment. Whether these duties apply is not
    settled (HC-56: registration "may" be needed); like the FRIA (fact base F28) they are kept,
    marked uncertain."""
    ctx.step("ai.annex_iii_device_duty", finding="rule.applies", note="note.ai.annex_iii_device_uncertain")
    ctx.oblige(oid, applies_from=date_id, certainty="uncertain",
               note=ctx.note_text("note.ai.annex_iii_device_uncertain"))


def _marking_date(ctx) -> tuple[str, str | None]:
    """(date id, note) for the Art 50(2) marking duty. Regulation (EU) 2026/1744 gives systems
    already on the market before 2 August 2026 until 2 December 2026 (secondary sources); the
    Act as first adopted gives no such period. The question is asked (as an optional one) only
    where the chosen scenario makes the two dates differ. Without a yes, the general (earlier)
    date is kept: a conservative assumption, stated on the obligation."""
    general, existing = "ai_act.art_50", "ai_act.art_50_2_existing"
    later = ctx.date(existing)["EU"]["date"]
    if ctx.date(general)["EU"]["date"] == later:
        return general, None
    answer = ctx.ask_optional("ai.art_50_2_existing")
    if answer == "yes":
        ctx.step("ai.art_50_2.existing_system", finding="rule.applies")
        return existing, None
    if answer == "no":
        return general, None
    return general, ctx.note_text("note.ai.art_50_2_assumed", {"date": later})


def _high_risk(ctx, extra, provider: bool, deployer: bool) -> None:
    route = extra["high_risk_route"]
    date_id = ROUTE_DATE[route]
    points = list(extra.get("annex_iii", ()))
    due = ctx.date(date_id)["EU"]["date"]
    if provider:
        for oid in PROVIDER_CORE:
            ctx.oblige(oid, applies_from=date_id)
        if route == "annex_i":
            for oid in ("ai.art_43_3_within_mdr", "ai.art_47_declaration", "ai.art_48_ce_marking",
                        "ai.art_72_post_market_monitoring", "ai.art_73_10_device_incidents"):
                ctx.oblige(oid, applies_from=date_id)
            if points:
                # Art 49(1) names systems "listed in Annex III"; see _annex_iii_device().
                _annex_iii_device(ctx, "ai.art_49_1_registration", date_id)
            ctx.act("ai.act.integrate_with_mdr")
        else:
            biometric = any(p.startswith("Annex III 1(") for p in points)
            ctx.oblige("ai.art_43_1_biometrics" if biometric else "ai.art_43_2_internal_control",
                       applies_from=date_id)
            for oid in ("ai.art_47_declaration", "ai.art_48_ce_marking",
                        "ai.art_49_1_registration", "ai.art_72_post_market_monitoring"):
                ctx.oblige(oid, applies_from=date_id)
            _incident_reporting(ctx, date_id)
        ctx.act("ai.act.high_risk_gap_analysis", due=due)
    if not deployer:
        return
    for oid in DEPLOYER_CORE:
        ctx.oblige(oid, applies_from=date_id)
    # Art 26(7): workers subject to the system (Annex III 4, or emotion recognition of staff,
    # allowed only for medical or safety reasons).
    if any(p in WORKPLACE_POINTS for p in points) or extra.get("emotion_recognition") in ("workers", "patients_and_workers"):
        ctx.oblige("ai.art_26_7_workers", applies_from=date_id)
    if not points:
        ctx.checked("ai.art_27", False)
        return
    if route == "annex_iii":
        ctx.oblige("ai.art_26_11_inform_persons", applies_from=date_id)
    else:
        _annex_iii_device(ctx, "ai.art_26_11_inform_persons", date_id)
    # Art 26(8) registration: public authorities; Art 27: also bodies governed by public law and
    # private entities providing public services (ai.deployer_kind).
    kind = ctx.ask("ai.deployer_kind")
    authority = kind == "public_authority"
    public = kind in ("public_authority", "public_services")
    if authority and route == "annex_iii":
        ctx.oblige("ai.art_26_8_registration", applies_from=date_id)
    elif authority:
        _annex_iii_device(ctx, "ai.art_26_8_registration", date_id)
    else:
        ctx.checked("ai.art_26_8", False)
    # Art 27(1): public bodies and private entities providing public services, and any
    # deployer of an Annex III 5(b) or 5(c) system, whoever it is.
    if not (public or any(p in FRIA_ANY_DEPLOYER for p in points)):
        ctx.checked("ai.art_27", False)
        return
    if route == "annex_iii":
        ctx.step("ai.art_27", finding="rule.applies")
        ctx.oblige("ai.art_27_fria", applies_from=date_id)
    else:
        # Art 27 names systems "referred to in Article 6(2)"; for device AI that is also in
        # Annex III, Annex I prevails for conformity assessment (MDCG 2025-6 Q27). Whether the
        # FRIA is still due is not settled: the conservative reading keeps it (fact base F28).
        ctx.step("ai.art_27.device_annex_iii", finding="rule.applies", note="note.ai.fria_uncertain")
        ctx.oblige("ai.art_27_fria", applies_from=date_id, certainty="uncertain",
                   note=ctx.note_text("note.ai.fria_uncertain"))
    ctx.act("ai.act.fria", due=due)

