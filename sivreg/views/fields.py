"""One input widget per catalogue question, generated from its type: bool -> Ja / Nei /
Vet ikke buttons, enum -> radio buttons, multi -> check boxes, text/date/number -> a text
box; every type accepts "Vet ikke" (unknown). The label, help text, worked examples
("Eksempler", each with its source) and the references ("why we ask") come from the rulebook
in the chosen language.

A Field only turns clicks into an answer value and reports it; whether the value is allowed
is checked by sivreg.io.check_answer, and what the answer means is the engine's business.
"""
from __future__ import annotations

import ipywidgets as w

from ..catalogue import UNKNOWN, Question, Rulebook
from ..io import check_answer
from ..render.html import cites_html, esc
from ..render.text import t


def css_id(qid: str) -> str:
    """The CSS class that names a question's widget in the page (`.` is not allowed)."""
    return "sv-qid-" + qid.replace(".", "--")


def anchor_id(qid: str) -> str:
    """The id of the anchor at a question's label, so a message can link to the question."""
    return "sv-q-" + qid.replace(".", "--")


class Field:
    """The widget for one question. `value` is the answer (None = not answered);
    `on_change(qid, value)` is called when the person changes it."""

    def __init__(self, question: Question, lang: str, book: Rulebook, value=None, on_change=None):
        self.question, self.qid, self.lang, self.book = question, question.id, lang, book
        self.on_change = on_change
        self._quiet = False
        self.status = w.HTML(layout=w.Layout(margin="0"))
        self.label = w.HTML(f'<div class="sv-qlabel"><a class="sv-anchor" id="{anchor_id(self.qid)}"></a>'
                            f'{esc(question.label[lang])}</div>')
        self.error = w.HTML()
        self.help = w.HTML(self._help_html())
        self.checkboxes: dict[str, w.Checkbox] = {}
        self.input = self._make_input()
        self.box = w.VBox([self.status, self.label, self.help, self.input, self.error])
        self.box.add_class("sv-q")
        self.box.add_class(css_id(self.qid))
        self.set_value(value)

    # -- building ------------------------------------------------------------------------
    def _help_html(self) -> str:
        q, lang, book = self.question, self.lang, self.book
        hint = {"multi": "ui.multi_hint", "text": "ui.text_hint", "date": "ui.date_hint",
                "number": "ui.text_hint"}.get(q.type)
        parts = [f'<div class="sv-help">{esc(q.help[lang])}']
        if hint:
            parts.append(f" <i>{esc(t(hint, lang, book))}</i>")
        parts.append("</div>")
        if q.examples:  # worked examples from the guidance, each with its source and where it lands
            items = "".join(
                f'<li>{esc(e["text"][lang])} &rarr; <b>{esc(e["lands"][lang])}</b> '
                f'<span class="sv-src">({esc(book.citation(e["source"], lang))}; '
                f'{esc(t("report.binding" if book.is_binding(e["source"]) else "report.guidance", lang, book))})</span></li>'
                for e in q.examples)
            parts.append(f'<details class="sv-examples"><summary>{esc(t("ui.examples", lang, book))}</summary>'
                         f'<ul>{items}</ul></details>')
        if q.refs:
            parts.append(f'<details class="sv-why"><summary>{esc(t("ui.why_we_ask", lang, book))}</summary>'
                         f'{esc(t("ui.sources", lang, book))}: {cites_html(q.refs, lang, book)}</details>')
        return '<div class="sivreg">' + "".join(parts) + "</div>"

    def _unknown_label(self) -> str:
        return t("answer.unknown", self.lang, self.book)

    def _make_input(self):
        q, lang, book = self.question, self.lang, self.book
        if q.type == "bool":
            opts = [(t("answer.yes", lang, book), "yes"), (t("answer.no", lang, book), "no"),
                    (self._unknown_label(), UNKNOWN)]
            widget = w.ToggleButtons(options=opts, value=None, style={"button_width": "auto"})
            widget.observe(self._changed, "value")
            return widget
        if q.type == "enum":
            opts = [(o.label[lang], o.value) for o in q.options] + [(self._unknown_label(), UNKNOWN)]
            widget = w.RadioButtons(options=opts, value=None, layout=w.Layout(width="auto"))
            widget.observe(self._changed, "value")
            return widget
        if q.type == "multi":
            for o in q.options:
                self.checkboxes[o.value] = w.Checkbox(value=False, description=o.label[lang], indent=False,
                                                      layout=w.Layout(width="auto"))
            self.checkboxes[UNKNOWN] = w.Checkbox(value=False, description=self._unknown_label(), indent=False,
                                                  layout=w.Layout(width="auto"))
            for value, cb in self.checkboxes.items():
                cb.observe(lambda ch, v=value: self._ticked(v, ch), "value")
            return w.VBox(list(self.checkboxes.values()))
        # text, date, number: a text box (committed on Enter or leaving the box) + Vet ikke
        box = w.Text(value="", continuous_update=False, placeholder="YYYY-MM-DD" if q.type == "date" else "",
                     layout=w.Layout(width="60%"))
        box.observe(self._changed, "value")
        self.checkboxes[UNKNOWN] = w.Checkbox(value=False, description=self._unknown_label(), indent=False,
                                              layout=w.Layout(width="auto"))
        self.checkboxes[UNKNOWN].observe(self._changed, "value")
        self.text = box
        return w.HBox([box, self.checkboxes[UNKNOWN]])

    # -- reading and writing the answer -------------------------------------------------------
    @property
    def value(self):
        q = self.question
        if q.type in ("bool", "enum"):
            return self.input.value
        if q.type == "multi":
            if self.checkboxes[UNKNOWN].value:
                return UNKNOWN
            chosen = [v for v, cb in self.checkboxes.items() if v != UNKNOWN and cb.value]
            return chosen or None
        if self.checkboxes[UNKNOWN].value:
            return UNKNOWN
        raw = self.text.value.strip()
        if not raw:
            return None
        if q.type == "number":
            try:
                return int(raw)
            except ValueError:
                try:
                    return float(raw.replace(",", "."))
                except ValueError:
                    return raw  # check_answer reports it
        return raw

    def set_value(self, value) -> None:
        """Show an answer without reporting a change (loading a file, switching language)."""
        self._quiet = True
        try:
            q = self.question
            if q.type in ("bool", "enum"):
                self.input.value = value if value in dict(self.input.options).values() else None
            elif q.type == "multi":
                chosen = set(value) if isinstance(value, (list, tuple)) else {value} if value else set()
                for v, cb in self.checkboxes.items():
                    cb.value = v in chosen
            else:
                self.checkboxes[UNKNOWN].value = value == UNKNOWN
                self.text.value = "" if value in (None, UNKNOWN) else str(value)
            self.error.value = ""
        finally:
            self._quiet = False

    def _ticked(self, option: str, change) -> None:
        # "Vet ikke" and an option `none` cannot be combined with other choices (the
        # catalogue's rule for multi questions): ticking one clears the others.
        if self._quiet:
            return
        if change["new"]:
            exclusive = option in (UNKNOWN, "none")
            self._quiet = True
            try:
                for v, cb in self.checkboxes.items():
                    if v != option and (exclusive or v in (UNKNOWN, "none")):
                        cb.value = False
            finally:
                self._quiet = False
        self._changed(None)

    def _changed(self, _change) -> None:
        if self._quiet:
            return
        value = self.value
        problem = check_answer(self.question, value, self.lang, self.book) if value is not None else None
        if problem:
            self.error.value = f'<div class="sv-error" style="color:#9b1c1c">{esc(t("ui.invalid_answer", self.lang, self.book, problem=problem))}</div>'
            return
        self.error.value = ""
        if self.on_change:
            self.on_change(self.qid, value)

    def set_status(self, key: str | None, css: str) -> None:
        """The small heading above the question (next / still needed / answered ...)."""
        html = f'<div class="sv-qstatus sv-{css}">{esc(t(key, self.lang, self.book))}</div>' if key else ""
        if self.status.value != html:
            self.status.value = html
        for c in ("sv-next", "sv-open", "sv-optional", "sv-answered", "sv-unused", "sv-conflict"):
            if c == f"sv-{css}":
                if c not in self.box._dom_classes:
                    self.box.add_class(c)
            elif c in self.box._dom_classes:
                self.box.remove_class(c)
