"""Studies and modules on the dashboard (issue 12, item 1): add, rename and remove them; each
has its own questions (only those the assessment still needs for it, with "Vet ikke") and its
own result.

* A study (SiV guideline §3.3 step 3) is planned with the clinical-investigation questions its
  route needs; its result is the route (MDR Art 62/74/82, IVDR performance studies), the start
  rule, the authorities (DMP, REK), the deadlines and the documents.
* A module (MDCG 2019-11 §7) is qualified and classified on its own; the strictest module
  decides the project, and the page says which one.

The widgets hold no legal logic: what a part still needs and what it comes to are read from the
assessment (`outcomes.clinical_investigation.studies`, `outcomes.<topic>.modules`). The parts
are kept as `sivreg.model.Part` objects, so saving writes the `parameters/` format.
"""
from __future__ import annotations

import re

import ipywidgets as w

from ..model import Answers, Part
from ..render.html import esc
from ..render.openness import depends_text
from ..render.text import t
from .fields import Field

MODULE_TOPICS = ("qualification", "regime", "device_class")
# the page's texts per kind of part (message keys written out, so a test finds each in use)
TEXTS = {"study": {"title": "ui.studies_title", "help": "ui.studies_help", "add": "ui.add_study",
                   "default": "ui.study_default_title"},
         "module": {"title": "ui.modules_title", "help": "ui.modules_help", "add": "ui.add_module",
                    "default": "ui.module_default_title"}}


def _slug(text: str, taken) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:40] or "del"
    pid, n = base, 2
    while pid in taken:
        pid, n = f"{base}-{n}", n + 1
    return pid


class PartsEditor:
    """The studies (kind "study") or the modules (kind "module") of the questionnaire."""

    def __init__(self, owner, kind: str):
        self.q, self.kind = owner, kind
        self.parts: list[Part] = []
        self._fields: dict = {}
        self.heading = w.HTML()
        self.add_button = w.Button(layout=w.Layout(width="auto"))
        self.add_button.add_class(f"sv-add-{kind}")
        self.add_button.on_click(lambda _b: self.add())
        self.list = w.VBox()
        self.box = w.VBox([self.heading, self.list, self.add_button])
        self.box.add_class(f"sv-{kind}s")

    # -- editing -----------------------------------------------------------------------------
    def set_parts(self, parts) -> None:
        self.parts = list(parts)
        self._fields = {}

    def add(self, title: str | None = None) -> str:
        n = len(self.parts) + 1
        title = title or self._t(TEXTS[self.kind]["default"], n=n)
        pid = _slug(title, {p.id for p in self.parts})
        self.parts.append(Part(id=pid, title=title, answers=Answers.of({})))
        self.q.refresh()
        return pid

    def remove(self, pid: str) -> None:
        self.parts = [p for p in self.parts if p.id != pid]
        self._fields = {k: f for k, f in self._fields.items() if k[0] != pid}
        self.q.refresh()

    def rename(self, pid: str, title: str) -> None:
        self.parts = [Part(p.id, title.strip()[:200] or p.title, p.answers) if p.id == pid else p
                      for p in self.parts]
        self.q.refresh()

    def answer(self, pid: str, qid: str, value) -> None:
        """Answer a question of one part, as a click would."""
        f = self.field(pid, qid)
        f.set_value(value)
        f._changed(None)

    def _answered(self, pid: str, qid: str, value) -> None:
        out = []
        for p in self.parts:
            if p.id == pid:
                answers = p.answers.to_dict()
                if value is None:
                    answers.pop(qid, None)
                else:
                    answers[qid] = value
                p = Part(p.id, p.title, Answers.of(answers))
            out.append(p)
        self.parts = out
        self.q.refresh()

    def field(self, pid: str, qid: str) -> Field:
        f = self._fields.get((pid, qid))
        if f is None:
            part = next(p for p in self.parts if p.id == pid)
            f = Field(self.q.book.questions[qid], self.q.lang, self.q.book, part.answers.get(qid),
                      lambda q_, v, pid=pid: self._answered(pid, q_, v))
            self._fields[(pid, qid)] = f
        return f

    def _t(self, key: str, **args) -> str:
        return t(key, self.q.lang, self.q.book, **args)

    # -- showing -----------------------------------------------------------------------------
    def needed(self, pid: str, d: dict) -> list[str]:
        """The questions the assessment still needs for this part, not yet answered in it."""
        part = next(p for p in self.parts if p.id == pid)
        qs = []
        if self.kind == "study":
            for s in d["outcomes"]["clinical_investigation"].get("studies") or ():
                if s.get("id") == pid:
                    qs = list(s.get("missing") or ())
        else:
            for topic in MODULE_TOPICS:
                for m in d["outcomes"][topic].get("modules") or ():
                    if m.get("id") == pid:
                        qs += [q for q in m.get("missing") or () if q not in qs]
        return [q for q in qs if q not in part.answers and q in self.q.book.questions]

    def show(self, d: dict | None) -> None:
        self.heading.value = (f'<div class="sivreg"><h3>{esc(self._t(TEXTS[self.kind]["title"]))}</h3>'
                              f'<p class="sv-help">{esc(self._t(TEXTS[self.kind]["help"]))}</p></div>')
        self.add_button.description = self._t(TEXTS[self.kind]["add"])
        boxes = []
        for p in self.parts:
            boxes.append(self._part_box(p, d))
        self.list.children = tuple(boxes)

    def _part_box(self, p: Part, d: dict | None):
        title = w.Text(value=p.title, continuous_update=False, layout=w.Layout(width="60%"))
        title.add_class("sv-part-title")
        title.observe(lambda ch, pid=p.id: self.rename(pid, ch["new"]), "value")
        remove = w.Button(description=self._t("ui.remove_part"), layout=w.Layout(width="auto"))
        remove.add_class("sv-remove-part")
        remove.on_click(lambda _b, pid=p.id: self.remove(pid))
        result = w.HTML(self._result_html(p, d) if d else "")
        result.add_class("sv-part-result")
        # one question at a time: the next one the part's route needs (the others may fall away)
        needed = (self.needed(p.id, d) if d else [])[:1]
        answered = [q for q in p.answers.to_dict() if q in self.q.book.questions]
        fields = []
        for i, qid in enumerate(answered + needed):
            f = self.field(p.id, qid)
            if qid in needed:
                f.set_status("ui.next_question" if qid == needed[0] else "ui.open_question",
                             "next" if qid == needed[0] else "open")
            else:
                f.set_status("ui.answered_question", "answered")
            fields.append(f.box)
        box = w.VBox([w.HBox([title, remove], layout=w.Layout(align_items="center")), result, *fields])
        box.add_class("sv-part")
        box.add_class(f"sv-{self.kind}-{p.id}")
        return box

    def _result_html(self, p: Part, d: dict) -> str:
        book, lang = self.q.book, self.q.lang
        if self.kind == "study":
            entry = next((s for s in d["outcomes"]["clinical_investigation"].get("studies") or ()
                          if s.get("id") == p.id), None)
            if entry is None:
                return ""
            return _study_html(entry, book, lang, self._t)
        rows, lead = [], _lead_module(d)
        for topic in MODULE_TOPICS:
            for m in d["outcomes"][topic].get("modules") or ():
                if m.get("id") == p.id:
                    rows.append(f"<li>{esc(book.text(f'topic.{topic}', lang))}: "
                                f"<b>{esc(_value(book, topic, m, lang))}</b></li>")
        deciding = (f'<p class="sv-deciding"><b>{esc(self._t("ui.module_deciding"))}</b></p>'
                    if lead == p.id and len(self.parts) > 1 else "")
        return f'<div class="sivreg sv-part-verdict"><ul>{"".join(rows)}</ul>{deciding}</div>'


def _value(book, topic, o, lang) -> str:
    if o.get("status") == "depends":
        return depends_text(book, topic, o, lang)
    if o.get("status") == "indeterminate":
        return book.text("status.indeterminate", lang)
    if o.get("status") == "not_applicable" or o.get("value") is None:
        return book.text("status.not_applicable", lang)
    try:
        return book.text(f"{topic}.{o['value']}", lang)
    except KeyError:
        return str(o["value"])


def _lead_module(d: dict) -> str | None:
    for s in d["outcomes"]["device_class"].get("trace") or ():
        if s.get("rule") == "mdcg_2019_11.modules.strictest":
            return s.get("answer")
    return None


def _study_html(entry: dict, book, lang: str, tr) -> str:
    """Route, start rule, authorities, deadlines and documents of one study."""
    if entry.get("status") == "depends":
        o = {"branches": [{"when": b["when"], "value": b.get("value")} for b in entry.get("branches") or ()]}
        return (f'<div class="sivreg sv-part-verdict"><p><b>{esc(depends_text(book, "clinical_investigation", o, lang))}'
                f'</b></p></div>')
    if entry.get("status") != "determined":
        return f'<div class="sivreg sv-part-verdict"><p><b>{esc(book.text("status.indeterminate", lang))}</b></p></div>'
    route = _value(book, "clinical_investigation", entry, lang)
    L = {"study_route": tr("ui.study_route"), "study_start": tr("ui.study_start"),
         "study_authorities": tr("ui.study_authorities"), "study_submit_by": tr("ui.study_submit_by"),
         "study_earliest": tr("ui.study_earliest"), "study_documents": tr("ui.study_documents")}
    items = [f"<li><b>{esc(L['study_route'])}</b>: {esc(route)}</li>"]
    start = (entry.get("start") or {}).get("text")
    if start:
        items.append(f"<li><b>{esc(L['study_start'])}</b>: {esc(start)}</li>")
    recips = [a.get("recipient") for a in entry.get("authorities") or () if a.get("recipient")]
    if recips:
        items.append(f"<li><b>{esc(L['study_authorities'])}</b>: {esc(', '.join(recips))}</li>")
    if entry.get("submit_by"):
        items.append(f"<li><b>{esc(L['study_submit_by'])}</b>: {esc(entry['submit_by'])}</li>")
    elif entry.get("earliest_start_if_sent_today"):
        items.append(f"<li><b>{esc(L['study_earliest'])}</b>: {esc(entry['earliest_start_if_sent_today'])}</li>")
    docs = entry.get("documents") or ()
    if docs:
        items.append(f"<li><b>{esc(L['study_documents'])}</b>: "
                     + esc("; ".join(x.get("label", "") for x in docs)) + "</li>")
    return f'<div class="sivreg sv-part-verdict"><ul>{"".join(items)}</ul></div>'
