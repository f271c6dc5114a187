"""MDR or IVDR: MDCG 2019-11 rev.1 §3.4, Figure 2.

Step 1  information within the IVD definition (IVDR Art 2(2))?   no -> MDR
Step 2  data only from IVDs?                                     yes -> IVDR
Step 3  purpose substantially driven by IVD data sources?        yes -> IVDR, no -> MDR
        (also for IVD results with manually entered or health-record data, `ivd_with_other`:
        the same qualitative weighting of what each source contributes, MDCG 2019-11 §3.4)
Software regulated with a device follows that device's regulation; an Annex XVI product is
under the MDR (Art 1(2)); an accessory follows the regulation of its device.
"""
from __future__ import annotations

IVDR_CLASSES = ("A", "B", "C", "D")


def decide(ctx) -> str:
    qual = ctx.value("qualification")
    if qual == "not_mdsw":
        return ctx.conclude("regime.not_a_device", "none")
    if qual == "annex_xvi":
        return ctx.conclude("regime.annex_xvi", "MDR")
    if qual == "accessory":
        reg = ctx.ask("qual.accessory_regulation")
        return ctx.conclude("regime.accessory", reg.upper())
    if qual == "part_of_device":
        cls = ctx.ask("qual.driven_device_class")
        return ctx.conclude("regime.follows_device", "IVDR" if cls in IVDR_CLASSES else "MDR")
    # qualification == mdsw: Figure 2
    if not ctx.yes("regime.ivd_information"):
        return ctx.conclude("regime.fig2.step1_md", "MDR")
    sources = ctx.ask("regime.data_sources")
    if sources == "ivd_only":
        return ctx.conclude("regime.fig2.step2_ivd_only", "IVDR")
    if sources == "no_ivd":
        # IVD information needs in vitro examination of specimens; without IVD data the
        # information is not IVD information after all (IVDR Art 2(2)).
        return ctx.conclude("regime.fig2.no_ivd_data", "MDR")
    if ctx.yes("regime.ivd_data_decisive"):
        return ctx.conclude("regime.fig2.step3_ivd_decisive", "IVDR")
    return ctx.conclude("regime.fig2.step3_md_decisive", "MDR")
