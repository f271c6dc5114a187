"""The letters of the in-house conditions follow the text of each regulation: IVDR Art 5(5)
has the quality management system as (b) and EN ISO 15189 as (c); MDR Art 5(5) has no
laboratory condition, so its letters stop at (h)."""
from road_helpers import IN_HOUSE, assess

IVD_IN_HOUSE = {**{k: v for k, v in IN_HOUSE.items() if not k.startswith("mdr.")},
                "regime.ivd_information": "yes", "regime.data_sources": "ivd_only",
                "ivdr.rules": ["r1_transfusion_transplant"], "inhouse.iso_15189": "yes"}


def _conditions(answers):
    conf = assess(answers)["outcomes"]["conformity"]
    return {c["rule"]: c for c in conf["in_house"]["conditions"]}, conf


def test_ivdr_letters_follow_article_5_5():
    conds, conf = _conditions(IVD_IN_HOUSE)
    assert conf["value"] == "in_house_exemption"
    letters = {r: c.get("letter") for r, c in conds.items()}
    assert letters == {"inhouse.a": None, "inhouse.patients_outside": None, "inhouse.industrial": None,
                       "inhouse.b": "b", "inhouse.iso_15189": "c", "inhouse.c": "d", "inhouse.d": "e",
                       "inhouse.e": "f", "inhouse.f": "g", "inhouse.g": "h", "inhouse.h": "i"}
    assert conds["inhouse.b"]["refs"][0] == "ivdr.art_5_5.b"
    assert conds["inhouse.iso_15189"]["refs"][0] == "ivdr.art_5_5.c"
    # the quality system (b) is tested before the laboratory standard (c), as in the article
    trace = [s["rule"] for s in conf["trace"]]
    assert trace.index("inhouse.b") < trace.index("inhouse.iso_15189") < trace.index("inhouse.c")


def test_ivdr_labels_name_the_right_letters():
    nb = assess(IVD_IN_HOUSE, lang="nb")
    steps = {s["rule"]: s for s in nb["outcomes"]["conformity"]["trace"]}
    iso = {o["id"]: o for o in nb["obligations"]}["inhouse.iso_15189"]
    assert "bokstav c" in iso["label"] or "vilkår c" in iso["label"]
    assert "ivdr.art_5_5.c" in iso["refs"]
    qms = {o["id"]: o for o in nb["obligations"]}["inhouse.qms"]
    assert "IVDR: c" not in qms["label"]
    assert "inhouse.iso_15189" in steps


def test_mdr_letters_unchanged():
    conds, _ = _conditions(IN_HOUSE)
    assert "inhouse.iso_15189" not in conds
    assert conds["inhouse.b"]["letter"] == "b" and conds["inhouse.h"]["letter"] == "h"
