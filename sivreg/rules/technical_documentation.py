"""One technical-documentation checklist for the project (AI Act Art 11(2)).

Art 11(1): a high-risk AI system has technical documentation with at least the Annex IV
contents. Art 11(2): for a high-risk AI system that is a product under Annex I Section A (the
MDR or IVDR), a single set of technical documentation holds both the sectoral documentation
(MDR/IVDR Annex II and III) and the Annex IV contents. So for high-risk device AI the MDR (or
IVDR) items and the Annex IV items are merged item by item, each merged item citing both
sources; where the MDR/IVDR does not apply (Annex III systems, in-house devices under Art 5(5)),
Annex IV stands alone. Exposed as the top-level field `technical_documentation`.
"""
from __future__ import annotations

DEVICE_CHECKLIST = {"MDR": "mdr_annex_ii_iii", "IVDR": "ivdr_annex_ii_iii"}


def contribute(ctx):
    risk = ctx.outcome("ai_act_risk")
    # The documentation is the provider's duty (Art 16(a), 11); a deployer only receives
    # the instructions for use (Art 13).
    if risk.value != "high_risk" or risk.extra.get("role") not in ("provider", "both"):
        ctx.checked("techdoc.annex_iv", False)
        return None
    regime = ctx.value("regime")
    conformity = ctx.value("conformity") if regime in DEVICE_CHECKLIST else None
    annex_iv = ctx.book.checklists["ai_act_annex_iv"]
    lang = ctx.lang
    if conformity in ("notified_body", "self_declaration"):
        device_items = ctx.book.checklists[DEVICE_CHECKLIST[regime]]
        ctx.step("techdoc.merged", finding="rule.applies")
        items, placed = [], set()
        for d in device_items:
            joined = [a for a in annex_iv if a["id"] not in placed and d["id"] in a["overlaps"]]
            placed.update(a["id"] for a in joined)
            items.append(_item(d, joined, lang))
        items += [_item(a, [], lang) for a in annex_iv if a["id"] not in placed]
        kind, refs = "merged", ["ai_act.art_11_2", "ai_act.annex_iv", f"{regime.lower()}.annex_ii",
                                f"{regime.lower()}.annex_iii"]
    else:
        ctx.step("techdoc.annex_iv", finding="rule.applies")
        items = [_item(a, [], lang) for a in annex_iv]
        kind, refs = "annex_iv", ["ai_act.art_11", "ai_act.annex_iv"]
    ctx.set("technical_documentation", {"kind": kind, "refs": refs, "items": items})
    return None


def _item(base, joined, lang) -> dict:
    refs = list(dict.fromkeys([*base["refs"], *(r for a in joined for r in a["refs"])]))
    out = {"id": base["id"], "label": base["label"][lang], "sources": [base["id"], *(a["id"] for a in joined)],
           "refs": refs}
    if joined:
        out["also"] = [a["label"][lang] for a in joined]
    return out
