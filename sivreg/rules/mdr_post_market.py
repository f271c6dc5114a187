"""Post-market surveillance and vigilance: MDR Arts 83-88, IVDR Arts 78-82, and the
Norwegian duty of organisations that use devices to report serious incidents.

Art 83: every manufacturer runs a PMS system proportionate to the risk class, part of its
QMS. Art 84: a PMS plan (Annex III §1.1). Art 85: class I -> a PMS report, updated when
necessary (IVDR Art 80: classes A and B). Art 86: classes IIa, IIb, III -> a PSUR, IIa "when
necessary and at least every two years", IIb and III "at least annually" (IVDR Art 81:
classes C and D, at least annually). Art 87: serious incidents within 15 days of awareness,
10 days for death or an unanticipated serious deterioration, 2 days for a serious public
health threat (IVDR Art 82 the same). Art 88: trend reporting.
Norway: serious incidents in Norway are reported to DMP; organisations that handle devices
report serious incidents without undue delay via melde.no (håndteringsforskriften § 16 [U]).
In-house devices: Art 5(5)(h) review of clinical experience instead; whether Art 87 applies
to them is uncertain (not made available on the market).
"""
from __future__ import annotations

from .road_actions import act, period

REPORT_CLASSES = {"I", "A", "B"}
PSUR_PERIOD = {"IIa": "pms.psur_iia", "IIb": "pms.psur_annual", "III": "pms.psur_annual",
               "C": "pms.psur_ivd_annual", "D": "pms.psur_ivd_annual"}
MDR_DEADLINES = ("vig.serious_incident", "vig.death_or_deterioration", "vig.public_health_threat")
IVDR_DEADLINES = ("vig.ivd_serious_incident", "vig.ivd_death_or_deterioration", "vig.ivd_public_health_threat")


def contribute(ctx) -> None:
    if ctx.value("regime") == "none":
        return
    conf = ctx.outcome("conformity")
    regime = ctx.value("regime")
    manufacturer = conf.extra.get("manufacturer")
    if conf.value == "in_house_exemption":
        ctx.oblige("inhouse.clinical_experience")
        act(ctx, "act.pms_plan")
        uses = True
    elif manufacturer == "hospital":
        cls = ctx.value("device_class")
        ctx.oblige("pms.system")
        ctx.oblige("pms.plan")
        if cls in REPORT_CLASSES:
            ctx.oblige("pms.report")
        else:
            ctx.oblige("pms.psur", frequency=period(ctx, PSUR_PERIOD[cls]))
        deadlines = IVDR_DEADLINES if regime == "IVDR" else MDR_DEADLINES
        ctx.oblige("vig.serious_incidents", deadlines=[period(ctx, p) for p in deadlines])
        ctx.oblige("vig.trend_reporting")
        act(ctx, "act.pms_plan")
        uses = ctx.yes("org.hospital_uses")
    else:  # an external manufacturer's device, used by the hospital
        uses = True
    if uses and ctx.jurisdiction == "NO":
        ctx.oblige("user.report_serious_incidents")
        act(ctx, "act.incident_routine")
