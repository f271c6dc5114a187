"""sivreg: assess a hospital's AI projects against the MDR/IVDR and the EU AI Act.

Public API (the notebooks, the dashboard, the CLI and the portfolio run use only this):

    project = sivreg.load("parameters/sepsis-icu.yaml")
    result = sivreg.assess(project, as_of="2026-11-26", scenario=None, lang="nb")
    result.to_dict()                      # the output contract sivreg.assessment/1
    sivreg.next_question(project)         # the next question the decision needs, or None
"""
from .catalogue import rulebook
from .engine import assess, next_question, open_questions
from .errors import InputError, RuleConflict, SivregError
from .io import dump_project, load, loads
from .model import Answers, Assessment, Outcome, Part, Project, Step

__version__ = "0.1.0"
__all__ = ["assess", "next_question", "open_questions", "load", "loads", "dump_project",
           "rulebook", "Answers", "Assessment", "Outcome", "Part", "Project", "Step",
           "InputError", "RuleConflict", "SivregError"]
