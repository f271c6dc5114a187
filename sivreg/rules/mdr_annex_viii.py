"""MDR Annex VIII: classification of medical device software.

Rule 11: (a) information used for diagnostic or therapeutic decisions -> IIa; III if a
decision may cause death or irreversible deterioration; IIb if serious deterioration or a
surgical intervention. Which of the three is settled from the significance of the information
(treat or diagnose / drive / inform) and the state of the healthcare situation (critical /
serious / non-serious) through the table in MDCG 2019-11 Annex III (IMDRF N12 §5; guidance
applied to the binding rule). A direct Rule 11(a) answer from the manufacturer's risk analysis
prevails (the rule is the law, the table an aid); if both are given and disagree, the
disagreement is flagged as a point to check. (b) monitoring of physiological processes -> IIa; IIb for vital
parameters whose variation could mean immediate danger. (c) all other software -> I.
Software is an active device (Art 2(4)), so Rules 9, 10, 12, 13, 15 and 22 are checked too
(MDCG 2019-11 §4.2). Implementing rule 3.3: software driving a device takes its class, and
software with its own purpose is never lower than the device it drives (MDCG 2019-11 §4.1).
Implementing rule 3.5: where several rules or sub-rules apply, the strictest applies.
"""
from __future__ import annotations

from .._tables import IMDRF_CATEGORY, IMDRF_TO_MDR

MDR_CLASSES = ("I", "IIa", "IIb", "III")

# mdr.other_rules option -> (rule id, class), as the rules state them (MDR Annex VIII §6)
OTHER_RULES = {
    "r9_controls_therapeutic_iib": ("mdr.rule_9.controls_iib", "IIb"),
    "r9_controls_ionising_radiation": ("mdr.rule_9.ionising", "IIb"),
    "r9_active_implantable": ("mdr.rule_9.active_implantable", "III"),
    "r10_direct_diagnosis_vital": ("mdr.rule_10.vital", "IIa"),
    "r10_immediate_danger": ("mdr.rule_10.immediate_danger", "IIb"),
    "r10_radiology": ("mdr.rule_10.radiology", "IIb"),
    "r12_administers": ("mdr.rule_12.administers", "IIa"),
    "r12_hazardous": ("mdr.rule_12.hazardous", "IIb"),
    "r15_contraception": ("mdr.rule_15.contraception", "IIb"),
    "r22_closed_loop": ("mdr.rule_22.closed_loop", "III"),
}


def classify(ctx) -> str:
    # Rule 13 is the base for every active device; the other rules are its exceptions and
    # Annex VIII 3.5 picks the strictest of those that apply. A question whose answer could
    # not raise the class any further is asked only optionally (its answer, if given, is
    # still traced): "ask only what the decision needs".
    candidates = [("mdr.rule_13", "I")]
    ctx.step("mdr.rule_13", finding="device_class.I")

    def top():
        return max(MDR_CLASSES.index(c) for _, c in candidates)

    def needed(qid, can_reach: str):
        """Ask qid if its answer could still raise the class to can_reach; else optionally."""
        if top() < MDR_CLASSES.index(can_reach):
            return ctx.ask(qid)
        return ctx.ask_optional(qid)

    decisions = ctx.yes("mdr.r11_decisions")
    if decisions:
        rule, r11a = _rule_11_a(ctx)
        for r in ("mdr.rule_11.a.iii", "mdr.rule_11.a.iib"):
            if r != rule:
                ctx.checked(r, False)
        ctx.step(rule, finding=f"device_class.{r11a}")
        candidates.append((rule, r11a))
    else:
        ctx.checked("mdr.rule_11.a", False)

    # Rule 11(b) gives at most IIb
    monitoring = needed("mdr.r11_monitoring", "IIb")
    if monitoring == "yes":
        vital = needed("mdr.r11_vital_danger", "IIb")
        if vital is not None:
            rule, cls = ("mdr.rule_11.b.vital", "IIb") if vital == "yes" else ("mdr.rule_11.b", "IIa")
            if vital != "yes":
                ctx.checked("mdr.rule_11.b.vital", False)
            ctx.step(rule, finding=f"device_class.{cls}")
            candidates.append((rule, cls))
    elif monitoring == "no":
        ctx.checked("mdr.rule_11.b", False)

    if not decisions and monitoring == "no":
        ctx.step("mdr.rule_11.c", finding="device_class.I")
        candidates.append(("mdr.rule_11.c", "I"))

    # the other rules reach class III at most
    chosen = needed("mdr.other_rules", "III")
    for option, (rule, cls) in OTHER_RULES.items():
        if chosen is None:
            break
        applies = option in chosen
        ctx.checked(rule, applies, finding=f"device_class.{cls}")
        if applies:
            candidates.append((rule, cls))

    # Implementing rule 3.3: asked, not peeked at, so the trace shows why it did or did not apply.
    drives = ctx.yes("qual.drives_device")
    if drives:
        driven = needed("qual.driven_device_class", "III")
        if driven in MDR_CLASSES:
            ctx.step("mdr.ir_3_3", finding=f"device_class.{driven}", note="note.ir_3_3_floor")
            candidates.append(("mdr.ir_3_3", driven))
        elif driven is not None:
            ctx.step("mdr.ir_3_3", "not_applied", finding="rule.does_not_apply", note="note.driven_other_regime")
    else:
        ctx.checked("mdr.ir_3_3", False)

    final = ctx.strictest(candidates, "mdr.ir_3_5")
    ctx.set("rules", [r for r, c in candidates if c == final] + (["mdr.ir_3_5"] if len(candidates) > 1 else []))
    return final


SUBRULE = {"death_or_irreversible": ("mdr.rule_11.a.iii", "III"),
           "serious_or_surgery": ("mdr.rule_11.a.iib", "IIb"),
           "other": ("mdr.rule_11.a", "IIa")}
RULE_OF_CLASS = {cls: rule for rule, cls in SUBRULE.values()}


def _rule_11_a(ctx) -> tuple[str, str]:
    """(sub-rule, class) of Rule 11(a): the direct answer if given (it prevails, with the
    Annex III table as a cross-check), else the Annex III table."""
    direct = ctx.ask_optional("mdr.r11a_subrule")
    if direct is not None:
        rule, cls = SUBRULE[direct]
        significance = ctx.ask_optional("mdr.imdrf_significance")
        situation = ctx.ask_optional("mdr.imdrf_situation")
        if significance is not None and situation is not None:
            category = IMDRF_CATEGORY[(situation, significance)]
            indicated = IMDRF_TO_MDR[(situation, significance)]
            agrees = indicated == cls
            ctx.step("mdcg_2019_11.imdrf_cross_check", "cross_check", finding=f"device_class.{indicated}",
                     note="note.imdrf_agrees" if agrees else "note.r11a_direct_differs",
                     note_args={"category": category, "indicated": indicated, "rule11": cls})
            ctx.set("imdrf", {"category": category, "indicated_class": indicated, "agrees": agrees,
                              "basis": "direct_answer", "point_to_check": not agrees})
        return rule, cls
    significance = ctx.ask("mdr.imdrf_significance")
    # "Inform clinical management" is IIa in every row of the table: the situation cannot
    # change the class, so it is asked only optionally (ask only what the decision needs).
    situation = (ctx.ask_optional("mdr.imdrf_situation") if significance == "inform"
                 else ctx.ask("mdr.imdrf_situation"))
    if situation is None:
        ctx.step("mdcg_2019_11.annex_iii_table", finding="device_class.IIa", note="note.r11a_inform_any_row")
        ctx.set("imdrf", {"category": None, "indicated_class": "IIa", "agrees": True, "basis": "annex_iii_table"})
        return RULE_OF_CLASS["IIa"], "IIa"
    category = IMDRF_CATEGORY[(situation, significance)]
    cls = IMDRF_TO_MDR[(situation, significance)]
    ctx.step("mdcg_2019_11.annex_iii_table", finding=f"device_class.{cls}", note="note.r11a_from_table",
             note_args={"category": category, "indicated": cls})
    ctx.set("imdrf", {"category": category, "indicated_class": cls, "agrees": True, "basis": "annex_iii_table"})
    return RULE_OF_CLASS[cls], cls
