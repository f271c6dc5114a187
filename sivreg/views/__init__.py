"""Widgets for JupyterLab and the Voilà dashboard (ipywidgets only).

Views hold no logic: they edit answers and call the public API (sivreg.assess,
sivreg.next_question, sivreg.dump_project, sivreg.loads) and the renderers. They never
import sivreg.rules.

    from sivreg.views import Questionnaire, explore
    Questionnaire(lang="nb").display()          # the guided questionnaire (dashboard.ipynb)
    explore(project, topics=("ai_act_risk",))   # a researcher's view of one topic
"""
from .explorer import TopicExplorer, explore, show_report, show_topics
from .fields import Field
from .questionnaire import Questionnaire

__all__ = ["Questionnaire", "TopicExplorer", "explore", "show_report", "show_topics", "Field"]
