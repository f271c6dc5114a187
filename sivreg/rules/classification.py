"""Device class: dispatches to MDR or IVDR Annex VIII by qualification and regime.

Software regulated as part of a device takes that device's class (MDR Annex VIII 3.3,
IVDR Annex VIII 1.4); an accessory is classified in its own right (MDR Annex VIII 3.2,
IVDR Annex VIII 1.3).
"""
from __future__ import annotations

from . import ivdr_annex_viii, mdr_annex_viii


def decide(ctx):
    qual = ctx.value("qualification")
    regime = ctx.value("regime")
    if regime == "none":
        ctx.not_applicable("class.not_a_device", None)
    if qual in ("part_of_device", "annex_xvi"):
        cls = ctx.ask("qual.driven_device_class")
        expected = ivdr_annex_viii.IVDR_CLASSES if regime == "IVDR" else mdr_annex_viii.MDR_CLASSES
        if cls not in expected:
            # An Annex XVI product is under the MDR, so its class must be an MDR class.
            ctx.step("class.follows_device", "conflict", finding="rule.does_not_apply",
                     note="note.driven_class_mismatch")
            raise _mismatch("qual.driven_device_class")
        rule = "ivdr.ir_1_4" if regime == "IVDR" else "mdr.ir_3_3"
        ctx.set("rules", [rule])
        return ctx.conclude(rule, cls, note="note.takes_device_class")
    if qual == "accessory":
        # Accessories are classified in their own right (MDR Annex VIII 3.2, IVDR Annex VIII 1.3)
        ctx.step("ivdr.ir_1_3" if regime == "IVDR" else "mdr.ir_3_2", finding="rule.applies")
    cls = ivdr_annex_viii.classify(ctx) if regime == "IVDR" else mdr_annex_viii.classify(ctx)
    return ctx.conclude("class.result", cls)


def _mismatch(qid):
    from ..context import Missing
    return Missing(qid, unknown=True, open=False)  # the given class must be changed
