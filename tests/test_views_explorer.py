"""The researcher's topic explorer: the decision with its trace, and trying other answers."""
from __future__ import annotations

import sivreg
from sivreg.views import TopicExplorer, explore

from conftest import ROOT

AS_OF = "2026-11-26"


def test_explorer_shows_the_trace_and_tries_other_answers():
    project = sivreg.load(ROOT / "parameters" / "sepsis-icu.yaml")
    ex = explore(project, ("qualification", "regime", "device_class"), lang="en", as_of=AS_OF)
    assert isinstance(ex, TopicExplorer)
    # the questions the topics asked are there, with the file's answers
    assert "mdr.r11a_subrule" in ex.asked and ex.field("mdr.r11a_subrule").value == "serious_or_surgery"
    assert "Class IIb" in ex.result.value and "sv-steps" in ex.result.value
    assert "No verdict has changed" in ex.changes.value
    ex.field("mdr.r11a_subrule").input.value = "death_or_irreversible"
    assert ex.assessment.outcomes["device_class"].value == "III"
    assert "Class III" in ex.result.value and "Class IIb" in ex.changes.value
    # the file is never changed, and reset brings the file's answers back
    assert sivreg.load(ROOT / "parameters" / "sepsis-icu.yaml").answers == project.answers
    ex.reset()
    assert ex.assessment.to_dict() == ex.original.to_dict()
    assert ex.field("mdr.r11a_subrule").value == "serious_or_surgery"


def test_explorer_asks_new_questions_when_an_answer_opens_a_path():
    project = sivreg.load(ROOT / "parameters" / "sepsis-icu.yaml")
    ex = explore(project, ("device_class",), lang="nb", as_of=AS_OF)
    assert "mdr.r11_vital_danger" not in ex.asked
    # with class IIb already reached, Rule 11(b) cannot raise the class; at IIa it can
    ex.field("mdr.r11a_subrule").input.value = "other"
    assert ex.assessment.outcomes["device_class"].value == "IIa"
    ex.field("mdr.r11_monitoring").input.value = "yes"
    assert "mdr.r11_vital_danger" in ex.asked  # now needed; shown as a widget to answer
    # open, so explored: IIb if the vital-danger answer is yes, IIa if no (issue 9)
    dc = ex.assessment.outcomes["device_class"]
    assert dc.status == "depends" and {b["value"] for b in dc.extra["branches"]} == {"IIa", "IIb"}
