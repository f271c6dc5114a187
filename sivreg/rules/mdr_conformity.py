"""Conformity assessment route (MDR Art 52, IVDR Art 48), CE marking (MDR Art 20, IVDR Art 18)
and registration with DMP; the in-house exemption is in mdr_art_5_5_in_house.py.

MDR Art 52: class III -> Annex IX, or Annex X with Annex XI (52(3)); class IIb -> Annex IX
Chapters I and III with technical-documentation assessment per generic device group, or
Annex X with XI (52(4)); class IIa -> Annex IX Chapters I and III with assessment per
category, or Annexes II/III with Annex XI (52(6)); class I -> the manufacturer declares
conformity (Art 19) after the Annex II/III technical documentation, and a notified body is
involved only for sterile, measuring or reusable surgical class I, for those aspects (52(7)).
A device put into service without being placed on the market needs the same (52(2)) unless
Art 5(5) exempts it. IVDR Art 48: classes B, C, D and sterile class A need a notified body;
non-sterile class A is self-declared.

Art 54: for class IIb active devices that administer or remove a medicinal product (Rule 12)
the notified body consults an expert panel on the clinical evaluation (exemptions in 54(2)).
Where a notified body is involved, its four-digit number follows the CE marking (Art 20(5)).
Norwegian manufacturers register in DMP's device register when marketing starts (DMP).

Output (contract v1): self_declaration | notified_body | in_house_exemption | not_applicable.
Another manufacturer's marketed product: its declared class decides the route (extra field
`declared_class`, with sivreg's own class as a cross-check and `point_to_check` when they differ).
Extra fields: `route` (rule, annexes, notified-body scope), `manufacturer`, `in_house`
(conditions tested) and, when the exemption holds, `public_declaration` (nb and en draft).
"""
from __future__ import annotations

from ..context import Upstream
from . import mdr_art_5_5_in_house as in_house

# (regime, class) -> (rule id, value). The rule's label in the rulebook names the Annexes.
ROUTES = {
    ("MDR", "I"): ("conf.route.mdr_i", "self_declaration"),
    ("MDR", "IIa"): ("conf.route.mdr_iia", "notified_body"),
    ("MDR", "IIb"): ("conf.route.mdr_iib", "notified_body"),
    ("MDR", "III"): ("conf.route.mdr_iii", "notified_body"),
    ("IVDR", "A"): ("conf.route.ivdr_a", "self_declaration"),
    ("IVDR", "B"): ("conf.route.ivdr_b", "notified_body"),
    ("IVDR", "C"): ("conf.route.ivdr_c", "notified_body"),
    ("IVDR", "D"): ("conf.route.ivdr_d", "notified_body"),
}
CLASS_I_ASPECTS = {"sterile": "Is", "measuring": "Im", "reusable_surgical": "Ir"}
MDR_CLASSES = ("I", "IIa", "IIb", "III")
IVDR_CLASSES = ("A", "B", "C", "D")


def organisation(ctx) -> dict:
    """The organisation profile of the project (rulebook organisations/), SiV by default."""
    oid = ctx.project.organisation or ctx.book.default_organisation()
    return ctx.book.organisations[oid]


def decide(ctx):
    regime = ctx.value("regime")
    if regime == "none":
        ctx.not_applicable("conf.not_a_device", "not_applicable")
    qual = ctx.value("qualification")
    if qual == "part_of_device":
        ctx.step("conf.part_of_device", "note", finding="rule.applies", note="note.part_of_device")

    # One question for the MDR manufacturer and the AI Act provider (org.manufacturer). Only the
    # health institution itself can use the in-house exemption (Art 5(5)(a); MDCG 2023-1 §3.4):
    # another legal entity in the public health service follows the route its class needs.
    kind = ctx.ask("org.manufacturer")
    manufacturer = "hospital" if kind == "trust" else "external"
    ctx.set("manufacturer", manufacturer)
    ctx.set("manufacturer_kind", kind)
    if manufacturer == "external":
        if kind == "public_entity":
            ctx.step("conf.public_entity_manufacturer", finding="rule.applies", note="note.public_entity_manufacturer")
        value = _external_route(ctx, regime)
        ctx.step("conf.external_manufacturer", finding=f"conformity.{value}", note="note.external_manufacturer")
        return ctx.conclude(ctx.extra["route"]["rule"], value)

    if ctx.yes("conf.in_house_only"):
        org = organisation(ctx)
        risk_class = _class_or_none(ctx)
        result = in_house.assess(ctx, regime, org, risk_class)
        ctx.set("in_house", result)
        if result["holds"]:
            ctx.set("public_declaration", in_house.declaration(ctx, regime, org, risk_class))
            return ctx.conclude("inhouse.holds", "in_house_exemption", note="note.inhouse_gspr")
        names = ", ".join(ctx.book.rules[r]["label"][ctx.lang] for r in result["failed"])
        ctx.step("conf.art_52_2", "rule", finding="inhouse.fails", note="note.inhouse_unmet",
                 note_args={"conditions": names})
    value = _route(ctx, regime)
    _ce_and_registration(ctx, value)
    return ctx.conclude(ctx.extra["route"]["rule"], value)


def _class_or_none(ctx):
    try:
        return ctx.value("device_class")
    except Upstream:
        ctx.step("class.result", "note", finding=None, note="note.inhouse_class_pending")
        return None


def _external_route(ctx, regime: str) -> str:
    """Another manufacturer's product: a marketed product's declared class (certificate or EU
    declaration of conformity) decides its route, and so AI Act Art 6(1); sivreg's own
    classification is a cross-check, a disagreement a point to raise with the manufacturer.
    Not yet CE-marked: the route of the class sivreg finds."""
    if ctx.value("qualification") == "part_of_device":
        # the class is the device's own (qual.driven_device_class, from its declaration)
        return _route(ctx, regime)
    declared = ctx.ask("conf.declared_class")
    classes = IVDR_CLASSES if regime == "IVDR" else MDR_CLASSES
    if declared == "not_ce_marked":
        ctx.step("conf.declared_class.none", "note", finding="rule.applies", note="note.not_yet_ce_marked")
        return _route(ctx, regime)
    if declared not in classes:
        ctx.step("conf.declared_class.other_regime", "conflict", finding=None, note="note.declared_class_other_regime",
                 note_args={"declared": declared, "regime": regime})
        return _route(ctx, regime)
    try:
        assessed = ctx.value("device_class")
    except Upstream:
        assessed = None
    value = _route(ctx, regime, declared)
    ctx.step("conf.declared_class", finding=f"conformity.{value}", note="note.declared_class_decides",
             note_args={"declared": declared})
    agrees = assessed is None or assessed == declared
    if assessed is not None:
        ctx.step("conf.declared_class.check", "cross_check", finding="rule.applies" if agrees else None,
                 note="note.declared_class_agrees" if agrees else "note.declared_class_differs",
                 note_args={"declared": declared, "assessed": assessed})
    ctx.set("declared_class", {"declared": declared, "assessed": assessed, "agrees": agrees,
                               "point_to_check": not agrees})
    return value


def _route(ctx, regime: str, cls: str | None = None) -> str:
    cls = cls or ctx.value("device_class")
    rule, value = ROUTES[(regime, cls)]
    scope = None
    if (regime, cls) == ("MDR", "I"):
        variants = [v for v in ctx.ask("conf.class_i_variant") if v != "none"]
        ctx.checked("conf.route.mdr_i_special", bool(variants), finding="conformity.notified_body")
        if variants:
            rule, value = "conf.route.mdr_i_special", "notified_body"
            scope = [CLASS_I_ASPECTS[v] for v in variants]
            ctx.step(rule, finding="conformity.notified_body", note="note.class_i_special",
                     note_args={"aspects": ", ".join(scope)})
    elif (regime, cls) == ("IVDR", "A"):
        sterile = ctx.yes("conf.ivdr_a_sterile")
        ctx.checked("conf.route.ivdr_a_sterile", sterile, finding="conformity.notified_body")
        if sterile:
            rule, value, scope = "conf.route.ivdr_a_sterile", "notified_body", ["sterile"]
    if (regime, cls) == ("MDR", "IIb"):
        # Art 54(1)(b): class IIb active devices administering or removing a medicinal product
        # (Rule 12) go through the expert-panel consultation on the clinical evaluation.
        try:
            rule_12 = "mdr.rule_12.hazardous" in (ctx.outcome("device_class").extra.get("rules") or ())
        except Upstream:  # a declared class without sivreg's own classification
            rule_12 = False
        ctx.checked("conf.art_54", rule_12, finding="rule.applies", note="note.art_54" if rule_12 else None)
        if rule_12:
            ctx.set("clinical_evaluation_consultation", {"rule": "conf.art_54",
                                                         "refs": list(ctx.book.rules["conf.art_54"]["refs"])})
    ctx.set("route", {"rule": rule, "label": ctx.book.rules[rule]["label"][ctx.lang],
                      "refs": list(ctx.book.rules[rule]["refs"]), "device_class": cls,
                      "notified_body": value == "notified_body", "notified_body_scope": scope})
    return value


def _ce_and_registration(ctx, value: str) -> None:
    """CE marking with the notified body's number, and DMP registration for a Norwegian
    manufacturer (the hospital) in the Norwegian jurisdiction."""
    ctx.step("conf.ce_marking", finding="rule.applies")
    ctx.set("ce_marking", {"required": True, "notified_body_number": value == "notified_body",
                           "refs": list(ctx.book.rules["conf.ce_marking"]["refs"])})
    norwegian = ctx.jurisdiction == "NO"
    ctx.checked("conf.registration_dmp", norwegian, finding="rule.applies",
                note="note.registration_no" if norwegian else None)
    ctx.set("registration", {"dmp_device_register": norwegian,
                             "refs": list(ctx.book.rules["conf.registration_dmp"]["refs"])})


def contribute(ctx) -> None:
    """Obligations and next steps that follow from the conformity outcome."""
    from .road_actions import act
    out = ctx.outcome("conformity")
    if out.status != "determined":
        return
    value, extra = out.value, out.extra
    regime = ctx.value("regime")
    if extra.get("manufacturer") == "external":
        ctx.oblige("no.check_ce_marking")
        act(ctx, "act.check_ce")
        return
    if value == "in_house_exemption":
        ctx.oblige("inhouse.gspr")
        if regime == "IVDR":
            ctx.oblige("inhouse.iso_15189")
        national = {c["rule"] for c in extra.get("in_house", {}).get("conditions", ())
                    if c["status"] == "national_law"}
        for oid in ("inhouse.qms", "inhouse.justification", "inhouse.info_on_request",
                    "inhouse.public_declaration", "inhouse.manufacturing_measures"):
            if oid == "inhouse.manufacturing_measures" and "inhouse.g" in national:
                # IVDR Art 5(5)(h) follows (g): for IVD classes A-C only under national law
                rule = ctx.book.rules["inhouse.g_ivd_national"]
                ctx.oblige(oid, certainty=rule["certainty"], note=rule["note"][ctx.lang])
            else:
                ctx.oblige(oid)
        act(ctx, "act.qms")
        act(ctx, "act.inhouse_justification")
        act(ctx, "act.inhouse_declaration")
        return
    # CE route (also when the in-house exemption was tried and does not hold)
    in_house_result = extra.get("in_house")
    if in_house_result and not in_house_result["holds"]:
        act(ctx, "act.inhouse_conditions", conditions=[
            {"rule": r, "label": ctx.book.rules[r]["label"][ctx.lang]} for r in in_house_result["failed"]])
    for oid in ("mdr.gspr", "mdr.qms", "mdr.conformity_assessment", "mdr.declaration_of_conformity",
                "mdr.ce_marking"):
        ctx.oblige(oid, **({"route": dict(extra["route"])} if oid == "mdr.conformity_assessment" else {}))
    act(ctx, "act.qms")
    if value == "notified_body":
        act(ctx, "act.notified_body", notified_body_scope=extra["route"].get("notified_body_scope"))
    act(ctx, "act.declaration_of_conformity")
    act(ctx, "act.ce_marking")
    if extra.get("registration", {}).get("dmp_device_register"):
        ctx.oblige("no.registration")
        act(ctx, "act.register_dmp")
