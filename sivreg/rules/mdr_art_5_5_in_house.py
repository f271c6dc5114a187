"""MDR/IVDR Art 5(5): the health institution (in-house) exemption.

"With the exception of the relevant general safety and performance requirements set out in
Annex I, the requirements of this Regulation shall not apply to devices, manufactured and
used only within health institutions established in the Union, provided that all of the
following conditions are met: (a) the devices are not transferred to another legal entity,
(b) manufacture and use occur under appropriate quality management systems, (c) the health
institution justifies in its documentation that the target patient group's specific needs
cannot be met, or not at the appropriate level of performance, by an equivalent device
available on the market, (d) information on use is provided to the competent authority on
request, (e) a publicly available declaration, (f) documentation of the manufacturing
facility, process, design and performance data, (g) measures to ensure manufacture in line
with (f), (h) review of experience gained from clinical use and corrective action. [...]
This paragraph shall not apply to devices that are manufactured on an industrial scale."

The IVDR has the same quality-system condition (b) and adds EN ISO 15189 as its condition
(c) ("the laboratory of the health institution is compliant with standard EN ISO 15189 or
where applicable national provisions"), so the MDR's (c)-(h) are the IVDR's (d)-(i).
MDCG 2023-1 (guidance) adds: apps that patients use outside the institution are not in-house
devices (§3.2); a device made purely for economic reasons is not either; each Norwegian
health trust is normally its own legal entity (inference, DMP's national guide).

Base rule: the exemption holds. Exceptions: an exclusion applies or a condition is not met.
All of them lead to the same result (no exemption), so no priority is needed; every
exception found is recorded. Once one is found, the rest are asked only optionally, so the
list of gaps can be completed without blocking the decision. An open answer ("don't know")
blocks the decision only if nothing else settles it: a condition that is clearly not met
ends the exemption whatever the open answer turns out to be.
"""
from __future__ import annotations

from ..catalogue import UNKNOWN

# Exclusions first: each of them ends the exemption whatever else is done.
# (question, rule id, MDR reference, IVDR reference)
EXCLUSIONS = (
    ("inhouse.other_legal_entity", "inhouse.a", "mdr.art_5_5.a", "ivdr.art_5_5.a"),
    ("inhouse.patient_use_outside", "inhouse.patients_outside", "mdcg_2023_1.s3_2", "mdcg_2023_1.s3_2"),
    ("inhouse.industrial_scale", "inhouse.industrial", "mdr.art_5_5.industrial", "ivdr.art_5_5.industrial"),
)
# IVD classes for which the documentation condition applies only if national law says so
# (IVDR Art 5(5)(g); MDCG 2023-1 §3.9).
IVD_DOCUMENTATION_NATIONAL = ("A", "B", "C")
# the conditions that depend on the (g) documentation: (g) itself and (h)
IVD_NATIONAL_RULES = {"inhouse.f": "inhouse.f_ivd_national", "inhouse.g": "inhouse.g_ivd_national"}
# Conditions that must hold (answer "yes"), in the order of the article, with the letter in
# the MDR and in the IVDR. ISO 15189 is a condition only under the IVDR.
CONDITIONS = (
    ("inhouse.qms", "inhouse.b", "b", "b"),
    ("inhouse.iso_15189", "inhouse.iso_15189", None, "c"),
    ("inhouse.no_equivalent", "inhouse.c", "c", "d"),
    ("inhouse.info_on_request", "inhouse.d", "d", "e"),
    ("inhouse.public_declaration", "inhouse.e", "e", "f"),
    ("inhouse.documentation", "inhouse.f", "f", "g"),
    ("inhouse.manufacturing_measures", "inhouse.g", "g", "h"),
    ("inhouse.clinical_experience_review", "inhouse.h", "h", "i"),
)


def _refs(ctx, rule: str, own_ref: str) -> tuple:
    """The article reference for this regulation first, then the rule's guidance references."""
    others = [r for r in ctx.book.rules[rule]["refs"]
              if not r.startswith(("mdr.art_5_5", "ivdr.art_5_5"))]
    return tuple(dict.fromkeys([own_ref] + others))


def assess(ctx, regime: str, org: dict, risk_class=None) -> dict:
    """Test the exemption. Returns {holds, failed: [rule ids], conditions: [...]}; raises
    Missing while the decision still needs an answer."""
    ctx.step("inhouse.intent", finding="rule.applies")
    # The organisation is the health institution; a profile is a hospital (Art 2(36)).
    ctx.step("inhouse.health_institution", "assumption", finding="rule.applies",
             note="note.inhouse_health_institution", note_args={"org": org["name"][ctx.lang]})
    failed: list[str] = []
    conditions: list[dict] = []
    pending: list[str] = []

    def ask(qid):
        # After the first failure the decision is known; further answers only complete the gap
        # list. Before it, an open answer ("don't know" or none) is remembered, and the other
        # conditions are still read: any one of them that fails settles the exemption anyway.
        if failed:
            return ctx.ask_optional(qid)
        if ctx.given(qid) in (None, UNKNOWN):
            pending.append(qid)
            return None
        return ctx.ask(qid)

    for qid, rule, mdr_ref, ivdr_ref in EXCLUSIONS:
        ans = ask(qid)
        refs = _refs(ctx, rule, ivdr_ref if regime == "IVDR" else mdr_ref)
        if ans is None:
            conditions.append({"rule": rule, "question": qid, "status": "not_assessed", "refs": list(refs)})
            continue
        excluded = ans == "yes"
        ctx.step(rule, "exception" if excluded else "not_applied", refs=refs,
                 finding="inhouse.exclusion_applies" if excluded else "inhouse.exclusion_does_not_apply")
        conditions.append({"rule": rule, "question": qid, "status": "excluded" if excluded else "met",
                           "refs": list(refs)})
        if excluded:
            failed.append(rule)

    for qid, rule, mdr_letter, ivdr_letter in CONDITIONS:
        if regime != "IVDR" and mdr_letter is None:
            continue
        letter = ivdr_letter if regime == "IVDR" else mdr_letter
        if regime == "IVDR" and rule in IVD_NATIONAL_RULES and risk_class in IVD_DOCUMENTATION_NATIONAL:
            # IVDR Art 5(5)(g) binds class D; classes A-C only where national law says so. Point
            # (h) (manufacture in line with the (g) documentation) follows (g).
            national = IVD_NATIONAL_RULES[rule]
            ctx.step(national, "not_applied", finding="rule.does_not_apply",
                     note="note.inhouse_ivd_documentation", note_args={"cls": risk_class})
            conditions.append({"rule": rule, "question": qid, "letter": letter, "status": "national_law",
                               "refs": list(ctx.book.rules[national]["refs"])})
            continue
        refs = _refs(ctx, rule, f"ivdr.art_5_5.{letter}" if regime == "IVDR" else f"mdr.art_5_5.{letter}")
        ans = ask(qid)
        if ans is None:
            conditions.append({"rule": rule, "question": qid, "letter": letter, "status": "not_assessed",
                               "refs": list(refs)})
            continue
        met = ans == "yes"
        ctx.step(rule, "rule" if met else "exception", refs=refs,
                 finding="inhouse.condition_met" if met else "inhouse.condition_not_met")
        conditions.append({"rule": rule, "question": qid, "letter": letter,
                           "status": "met" if met else "not_met", "refs": list(refs)})
        if not met:
            failed.append(rule)
    if pending and not failed:
        ctx.ask(pending[0])  # raises Missing: the decision waits for this answer
    return {"holds": not failed, "failed": failed, "conditions": conditions}


def declaration(ctx, regime: str, org: dict, risk_class) -> dict:
    """Draft of the public declaration (Art 5(5)(e); fields of the MDCG 2023-1 Annex A model),
    in bokmål and English. Fields not known are marked to be completed."""
    project = ctx.project
    device = ctx.ask_optional("inhouse.device_name") or project.title
    purpose = ctx.ask_optional("inhouse.intended_purpose") or project.description or None
    all_met = ctx.ask_optional("inhouse.gspr_all_met")
    justification = ctx.ask_optional("inhouse.gspr_not_met_justification") if all_met == "no" else None
    msg = ctx.book.messages
    fields = {
        "health_institution": org["name"]["nb"],
        "address": org.get("address"),
        "device_identification": device,
        "device_type": "IVD" if regime == "IVDR" else "MD",
        "risk_class": risk_class,
        "intended_purpose": purpose,
        "gspr_fully_met": all_met,
        "gspr_not_met_justification": justification,
        "date_and_location": None,
        "responsible_persons": None,
    }
    to_complete = [k for k, v in fields.items() if v is None]
    text = {}
    for lang in ("nb", "en"):
        fill = msg["declaration.fill_in"][lang]
        met_text = {"yes": msg["declaration.yes"][lang], "no": msg["declaration.no"][lang]}.get(all_met, fill)
        just = justification or (msg["declaration.none"][lang] if all_met == "yes" else fill)
        regulation = "IVDR (EU) 2017/746" if regime == "IVDR" else "MDR (EU) 2017/745"
        parts = [
            msg["declaration.title"][lang],
            msg["declaration.statement"][lang].format(
                institution=org["name"][lang], address=org.get("address") or fill, regulation=regulation),
            msg["declaration.table"][lang].format(
                device=device, device_type=fields["device_type"], risk_class=risk_class or fill,
                intended_purpose=purpose or fill, gspr_met=met_text, gspr_justification=just),
            msg["declaration.signature"][lang].format(date_place=fill, responsible=fill),
        ]
        text[lang] = "\n\n".join(parts)
    return {"model": "MDCG 2023-1 Annex A", "refs": ["mdr.art_5_5.e" if regime != "IVDR" else "ivdr.art_5_5.f",
                                                     "mdcg_2023_1.s3_8", "mdcg_2023_1.annex_a"],
            "fields": fields, "to_complete": to_complete, "text": text,
            "check": {lang: msg["declaration.address_check"][lang] for lang in ("nb", "en")}}

