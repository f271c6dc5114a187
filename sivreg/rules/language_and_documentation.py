"""Norwegian language requirement and the technical-documentation checklist.

Language: the label and instructions for use required by MDR Annex I §23 (IVDR Annex I §20)
must be in Norwegian, for professional and lay users, software included (lov om medisinsk
utstyr § 4; forskrift om medisinsk utstyr, section 6 per DMP's current page, section 8 per
older pages [U]). DMP may grant an exemption if safe and correct use is ensured (section 17
per older pages [U]); it applies this strictly. Whether the national rule covers in-house
devices is not confirmed [U]; Annex I §23 applies to them as a general requirement.

Documentation: MDR Annexes II and III (IVDR Annexes II and III) list the technical
documentation; for an in-house device Art 5(5)(f) asks for documentation detailed enough to
check Annex I, for which Annex II can serve as a template (MDCG 2023-1 §3.9).

The applicable checklist is exposed in the assessment as the field `checklist`
({id, items: [{id, label, refs, group}]}) of the obligation `mdr.technical_documentation`
(or `inhouse.documentation` for an in-house device) and of the action
`act.technical_documentation`. The items are data: rulebook/checklists/<id>.yaml.
"""
from __future__ import annotations

from .road_actions import act


def checklist(ctx, checklist_id: str) -> dict:
    return {"id": checklist_id,
            "items": [{"id": i["id"], "label": i["label"][ctx.lang], "refs": list(i["refs"]),
                       "group": i["group"]} for i in ctx.book.checklists[checklist_id]]}


def contribute(ctx) -> None:
    regime = ctx.value("regime")
    if regime == "none":
        return
    conf = ctx.outcome("conformity")
    if conf.extra.get("manufacturer") == "external":
        return  # the documentation and the language of the information are the manufacturer's
    items = checklist(ctx, "ivdr_annex_ii_iii" if regime == "IVDR" else "mdr_annex_ii_iii")
    if conf.value == "in_house_exemption":
        extra = {}
        dc = ctx.state.outcomes["device_class"]
        cls = dc.value if dc.status == "determined" else None
        if regime == "IVDR" and cls in ("A", "B", "C"):
            # IVDR Art 5(5)(g) binds class D; for A-C only where national law says so (not
            # checked for Norway): recommended, and shown as uncertain.
            rule = ctx.book.rules["inhouse.f_ivd_national"]
            extra = {"certainty": rule.get("certainty", "uncertain"), "note": rule["note"][ctx.lang]}
        ctx.oblige("inhouse.documentation", checklist=items, **extra)
    else:
        ctx.oblige("mdr.technical_documentation", checklist=items)
    act(ctx, "act.technical_documentation", checklist=items)
    if ctx.jurisdiction != "NO":
        return
    ctx.oblige("lang.norwegian")
    if not ctx.yes("lang.norwegian_information"):
        act(ctx, "act.norwegian_language")
