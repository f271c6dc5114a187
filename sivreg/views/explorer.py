"""A researcher's view of one or more topics in JupyterLab: the decision with every step of
its reasoning, and the questions that topic asked as widgets, so one can try another answer
and see what changes. The file on disk is never changed.

No logic here either: each change calls `sivreg.assess` and renders with sivreg.render.html.
"""
from __future__ import annotations

import ipywidgets as w

from ..catalogue import Rulebook, rulebook
from ..engine import assess
from ..model import Answers, Project
from ..render.html import esc, to_html, verdict_html, verdict_text
from ..render.text import t
from .fields import Field


def show_report(assessment, lang: str | None = None, project: Project | None = None):
    """Show the full report (the same as the HTML file) in a notebook output."""
    from IPython.display import HTML, display
    display(HTML(to_html(assessment, lang, project=project, fragment=True)))


def show_topics(assessment, topics, lang: str | None = None):
    """Show the verdict of some topics with every step of their reasoning (static HTML, so it
    stays readable in an executed notebook)."""
    from IPython.display import HTML, display
    from ..render.html import css
    d = assessment.to_dict()
    lang = lang or d["lang"]
    cards = "".join(verdict_html(tp, d["outcomes"][tp], lang, reasoning="open") for tp in topics)
    display(HTML(f'<style>{css()}</style><div class="sivreg"><ul class="sv-verdicts">{cards}</ul></div>'))


class TopicExplorer:
    """Topics of one project with their reasoning, and widgets for the answers they use."""

    def __init__(self, project: Project, topics=("qualification",), *, lang: str = "nb",
                 as_of: str | None = None, scenario: str | None = None, book: Rulebook | None = None):
        self.book = book or rulebook()
        self.project, self.topics, self.lang = project, tuple(topics), lang
        self.as_of, self.scenario = as_of, scenario
        self.original = assess(project, as_of=as_of, scenario=scenario, lang=lang, book=self.book)
        self.answers = dict(project.answers.to_dict())
        self.assessment = self.original
        self._fields: dict[str, Field] = {}
        self.heading = w.HTML(f'<div class="sivreg"><h3>{esc(t("ui.explore_title", lang, self.book))}</h3>'
                              f'<p>{esc(t("ui.explore_help", lang, self.book))}</p></div>')
        self.reset_button = w.Button(description=t("ui.explore_reset", lang, self.book), layout=w.Layout(width="auto"))
        self.reset_button.on_click(lambda _b: self.reset())
        self.questions = w.VBox()
        self.changes = w.HTML()
        self.result = w.HTML()
        self.widget = w.VBox([self.heading, self.reset_button, self.changes, self.result, self.questions])
        self.widget.add_class("sv-app")
        self.refresh()

    def field(self, qid: str) -> Field:
        if qid not in self._fields:
            self._fields[qid] = Field(self.book.questions[qid], self.lang, self.book, self.answers.get(qid),
                                      self._answered)
        return self._fields[qid]

    @property
    def asked(self) -> list[str]:
        """The questions the chosen topics asked or are waiting for, in order."""
        out = []
        for topic in self.topics:
            o = self.assessment.outcomes[topic]
            for qid in [s.question for s in o.trace if s.question] + list(o.missing):
                if qid not in out and qid in self.book.questions:
                    out.append(qid)
        return out

    def _answered(self, qid, value) -> None:
        if value is None:
            self.answers.pop(qid, None)
        else:
            self.answers[qid] = value
        self.refresh()

    def reset(self) -> None:
        self.answers = dict(self.project.answers.to_dict())
        for qid, f in self._fields.items():
            f.set_value(self.answers.get(qid))
        self.refresh()

    def refresh(self) -> None:
        p = self.project.with_answers(Answers.of(self.answers))
        self.assessment = assess(p, as_of=self.as_of, scenario=self.scenario, lang=self.lang, book=self.book)
        cards, changed = [], []
        for topic in self.topics:
            o, o0 = self.assessment.outcomes[topic].to_dict(), self.original.outcomes[topic].to_dict()
            cards.append(verdict_html(topic, o, self.lang, self.book, reasoning="open"))
            before, after = verdict_text(topic, o0, self.lang, self.book), verdict_text(topic, o, self.lang, self.book)
            if (o0["status"], o0["value"]) != (o["status"], o["value"]):
                changed.append(t("ui.explore_changed", self.lang, self.book, topic=t(f"topic.{topic}", self.lang, self.book),
                                 before=before, after=after))
        from ..render.html import css
        self.result.value = f'<style>{css()}</style><div class="sivreg"><ul class="sv-verdicts">{"".join(cards)}</ul></div>'
        msgs = changed or [t("ui.explore_unchanged", self.lang, self.book)]
        self.changes.value = '<div class="sivreg">' + "".join(f"<p><b>{esc(m)}</b></p>" for m in msgs) + "</div>"
        self.questions.children = tuple(self.field(q).box for q in self.asked)

    def display(self):
        from IPython.display import display
        display(self.widget)

    def _ipython_display_(self):
        self.display()


def explore(project: Project, topics=("qualification",), **kw) -> TopicExplorer:
    """Show topics of a project with their reasoning and let the reader try other answers."""
    return TopicExplorer(project, topics, **kw)
