"""Errors found in the legal review of the rulebook (issue 10 item 5), each pinned by a test
that failed before the fix. Scenario cases in tests/cases/ cover the decisions; this file
covers texts, references and docstrings the cases cannot see."""
from __future__ import annotations

import re

from sivreg.catalogue import rulebook
from sivreg.rules import ai_act_obligations


def test_amended_scenario_does_not_call_art_4_and_5_unchanged():
    # Secondary sources on Reg. (EU) 2026/1744 report a rewritten Art 4 and new Art 5
    # prohibitions (fact base F41, F43, F43a): the scenario must say so, as uncertain.
    sc = rulebook().scenarios["amended"]
    for lang in ("nb", "en"):
        text = sc["description"][lang]
        assert not re.search(r"art(\.|) ?4, art(\.|) ?5 (og|and) art(\.|) ?50 (uendret|unchanged)", text, re.I)
    refs = rulebook().references
    for rid in ("ai_act_2026_1744.art_4", "ai_act_2026_1744.art_5"):
        assert rid in sc["refs"]
        assert refs[rid].certainty == "uncertain"


def test_art_4_obligation_agrees_with_the_scenario():
    ob = rulebook().obligations["ai.art_4_literacy"]
    assert "ai_act_2026_1744.art_4" in ob["refs"]
    assert ob["certainty"] == "uncertain"
    assert "ai_act_2026_1744.art_5" in rulebook().obligations["ai.art_5_prohibited"]["refs"]


def test_art_43_2_docstring_names_annex_iii_points_2_to_8():
    doc = ai_act_obligations.__doc__
    assert "2-9" not in doc and "points 2-8" in doc
