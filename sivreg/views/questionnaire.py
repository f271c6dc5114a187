"""The guided questionnaire (what the Voilà dashboard shows): it asks the questions the
assessment still needs, one after the other, and shows the live result beside them.

It holds no legal logic. It keeps a Project (the answers), and after every change it calls
`sivreg.assess` once: the questions to show are the assessment's `missing` questions that
are not answered yet, then its optional cross-checks (the same order as
`sivreg.next_question`); the result panel is `sivreg.render.html.panel_html` of that
assessment. Save gives the answers file (`sivreg.dump_project`), resume reads one
(`sivreg.loads`), and the report is `sivreg.render.html.to_html`.
"""
from __future__ import annotations

import base64
import re
import unicodedata
from datetime import date

import ipywidgets as w

from ..catalogue import Rulebook, rulebook
from ..engine import assess
from ..errors import SivregError
from ..io import MAX_TEXT, clean_project, dump_project, error_text, load, loads, message_text, valid_date, valid_id
from ..yamlstrict import MAX_BYTES
from ..model import Answers, Project
from ..render.html import esc, panel_html, to_html
from ..render.openness import blocks as open_blocks
from ..render.text import t
from ..conflicts import conflict_message
from ..errors import RuleConflict
from .fields import Field, anchor_id
from .guard import PageGuard
from .parts import PartsEditor

LANGS = ("nb", "en")
MAX_UPLOAD = MAX_BYTES  # bytes; an answers file is a few kB (the same limit as `sivreg assess`)

# Page styles for the questionnaire (the result panel brings its own, see render/report.css).
_STYLE = """<style>
.sv-app { max-width: 1400px; }
.sv-app .sv-q { border: 1px solid #d5dbe1; border-radius: 4px; padding: 6px 10px; margin: 6px 0; background: #fff; }
.sv-app .sv-q.sv-next { border: 2px solid #0b4f8a; background: #f3f8fd; }
.sv-app .sv-q.sv-conflict { border: 2px solid #9b1c1c; background: #fdf3f3; }
.sv-app .sv-q.sv-unused { opacity: 0.7; }
.sv-app .sv-qstatus { font-size: 0.85em; font-weight: 600; color: #0b4f8a; text-transform: uppercase; letter-spacing: 0.03em; }
.sv-app .sv-qstatus.sv-answered, .sv-app .sv-qstatus.sv-unused { color: #4a5561; }
.sv-app .sv-qlabel { font-size: 1.05em; font-weight: 600; line-height: 1.35; white-space: normal; }
.sv-app .sv-help { color: #3d4852; line-height: 1.35; white-space: normal; }
.sv-app .widget-html-content { white-space: normal; }
.sv-app .widget-radio-box label { white-space: normal; height: auto; min-height: 22px; line-height: 1.3;
  align-items: flex-start; margin: 2px 0; }
.sv-app .widget-radio-box label input { margin-top: 2px; }
.sv-app .widget-checkbox { height: auto; min-height: 24px; }
.sv-app .widget-checkbox label { white-space: normal; line-height: 1.3; }
.sv-app .sv-error { color: #9b1c1c; font-weight: 600; }
.sv-app .sv-ok { color: #2e7d32; }
.sv-app a.sv-download { display: inline-block; padding: 6px 12px; margin: 4px 8px 4px 0; border-radius: 4px;
  background: #0b4f8a; color: #fff !important; text-decoration: none; font-weight: 600; }
.sv-app .sv-col { min-width: 320px; }
.sv-app .sv-report-pending { display: inline-block; padding: 6px 12px; margin: 4px 8px 4px 0; border-radius: 4px;
  background: #eef2f5; color: #4a5561; }
.sv-app .sv-right { position: sticky; top: 4px; max-height: calc(100vh - 8px); overflow-y: auto; }
.sv-app .sv-right > * { flex-shrink: 0; }
.sv-app, .sv-app .sv-body { overflow: visible !important; }
.jp-OutputArea:has(.sv-app), .jp-OutputArea-child:has(.sv-app), .jp-OutputArea-output:has(.sv-app) { overflow: visible !important; }
</style>"""


def _ipython():
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    return get_ipython()


def _slug(text: str) -> str:
    s = re.sub(r"[^A-Za-z0-9_.-]+", "-", text.strip()).strip("-._")[:80]
    return s or "prosjekt"


def _one_line(text: str, kind: str) -> str:
    """A typed title or owner as the answers file accepts it: pasted tabs and line breaks
    (from a spreadsheet, say) become spaces, control characters go, and it is cut to the
    longest text a file may hold, so that a saved file always loads again."""
    s = "".join(" " if ch in "\t\r\n" else ch for ch in text
                if ch in "\t\r\n" or unicodedata.category(ch) not in ("Cc", "Cs"))
    return re.sub(r" {2,}", " ", s).strip()[: MAX_TEXT[kind]]


def _data_link(data: str, mime: str, filename: str, label: str, css: str) -> str:
    b64 = base64.b64encode(data.encode("utf-8")).decode("ascii")
    return (f'<a class="sv-download {css}" download="{esc(filename)}" '
            f'href="data:{mime};charset=utf-8;base64,{b64}">{esc(label)}</a>')


class Questionnaire:
    """The questionnaire for one project. Drive it from Python as the browser does:
    `q.field("qual.is_software").input.value = "yes"`, then read `q.next_question`,
    `q.assessment`, `q.saved_yaml()`."""

    def __init__(self, project: Project | None = None, *, lang: str = "nb", as_of: str | None = None,
                 scenario: str | None = None, book: Rulebook | None = None):
        if lang not in LANGS:
            lang = "nb"
        self.book = book or rulebook()
        self.lang = lang
        # a date or scenario given by whoever set the page up: a wrong one is said on the page,
        # and the page works with today and the default scenario meanwhile
        notes = []
        if scenario is not None and scenario not in self.book.scenarios:
            notes.append("scenario: " + message_text("input.allowed", {"found": repr(scenario),
                                                                      "allowed": ", ".join(self.book.scenarios)},
                                                     lang, self.book))
            scenario = None
        self.scenario = scenario
        self._base = project or Project(id="", title="", answers=Answers.of({}))
        self.answers = dict(self._base.answers.to_dict())
        self.as_of = as_of or self._base.as_of or date.today().isoformat()
        if not valid_date(self.as_of):
            bad, self.as_of = self.as_of, date.today().isoformat()
            notes.append(f"{bad!r}: " + t("ui.as_of_invalid", lang, self.book, as_of=self.as_of))
        self._fields: dict[str, Field] = {}
        self._order: list[str] = []
        self._report_timer = None
        self.assessment = None
        self.needed: list[str] = []
        self._build()
        self.meta_error.value = "".join(f'<div class="sv-error">{esc(m)}</div>' for m in notes)
        self.refresh()

    # -- constructors -----------------------------------------------------------------------
    @classmethod
    def from_file(cls, path: str | None = None, **kw) -> "Questionnaire":
        """Start from an answers file; a file that cannot be used gives an empty page that
        says what is wrong with it (never a traceback on the dashboard)."""
        try:
            return cls(load(path) if path else None, **kw)
        except SivregError as exc:
            q = cls(None, **kw)
            q._upload_error(str(path), error_text(exc, q.lang, q.book))
            return q

    # -- the page ---------------------------------------------------------------------------
    def _t(self, key: str, **args) -> str:
        return t(key, self.lang, self.book, **args)

    def _build(self) -> None:
        self.style = w.HTML(_STYLE)
        self.heading = w.HTML()
        self.lang_toggle = w.ToggleButtons(options=[(self._t("ui.lang_nb"), "nb"), (self._t("ui.lang_en"), "en")],
                                           value=self.lang, style={"button_width": "auto"})
        self.lang_toggle.add_class("sv-lang")
        self.lang_toggle.observe(self._lang_changed, "value")
        self.title = w.Text(value=self._base.title, continuous_update=False, layout=w.Layout(width="95%"))
        self.title.add_class("sv-title")
        self.project_id = w.Text(value=self._base.id, continuous_update=False, layout=w.Layout(width="95%"))
        self.project_id.add_class("sv-id")
        self.owner = w.Text(value=self._base.owner, continuous_update=False, layout=w.Layout(width="95%"))
        self.as_of_box = w.Text(value=self.as_of, continuous_update=False, layout=w.Layout(width="12em"))
        self.as_of_box.add_class("sv-asof")
        for box in (self.title, self.project_id, self.owner, self.as_of_box):
            box.observe(self._meta_changed, "value")
        self.meta_labels = [w.HTML() for _ in range(4)]
        self.meta_error = w.HTML()
        self.progress = w.HTML()
        # "Vet ikke" answers that can still change the result, each with what it blocks and a
        # button that brings its question back to the top (issue 9)
        self.open_points = w.VBox()
        self.open_points.add_class("sv-open-points")
        self._focus: str | None = None
        self.questions = w.VBox()
        self.questions.add_class("sv-questions")
        # the clinical studies and the modules of the software, each with its own questions
        self.studies = PartsEditor(self, "study")
        self.modules = PartsEditor(self, "module")
        self.studies.set_parts(self._base.studies)
        self.modules.set_parts(self._base.modules)
        self.result = w.HTML()
        self.result.add_class("sv-result")
        self.save_link = w.HTML()
        self.save_link.add_class("sv-save")
        self.report_link = w.HTML()
        self.report_link.add_class("sv-report")
        self.save_heading = w.HTML()
        self.upload = w.FileUpload(accept=".yaml,.yml,.txt", multiple=False)
        self.upload.add_class("sv-upload")
        self.upload.observe(self._uploaded, "value")
        self.upload_msg = w.HTML()
        self.upload_msg.add_class("sv-upload-msg")
        # resuming from another project's file asks first (what will be replaced)
        self.confirm = w.HBox()
        self.confirm.add_class("sv-confirm")
        self._pending = None
        # in the browser: "leave page?" while answers are not downloaded, and a file over the
        # size limit refused before it is sent (sivreg/views/guard.py)
        self.guard = PageGuard(max_bytes=MAX_UPLOAD)
        self.guard.add_class("sv-guard")
        self.guard.observe(self._rejected_in_page, "rejected")
        self._saved_text = None
        self.notes = w.HTML()
        self.meta_heading = w.HTML()
        meta = w.VBox([self.meta_heading, self.meta_labels[0], self.title, self.meta_labels[1], self.project_id,
                       self.meta_labels[2], self.owner, self.meta_labels[3], self.as_of_box, self.meta_error])
        left = w.VBox([meta, self.progress, self.open_points, self.questions, self.studies.box, self.modules.box],
                      layout=w.Layout(flex="1 1 55%", padding="0 12px 0 0"))
        left.add_class("sv-col")
        tools = w.HBox([self.save_link, self.report_link, self.upload],
                       layout=w.Layout(flex_flow="row wrap", align_items="center"))
        right = w.VBox([self.save_heading, tools, self.upload_msg, self.confirm, self.result, self.guard],
                       layout=w.Layout(flex="1 1 45%"))
        right.add_class("sv-col")
        right.add_class("sv-right")  # stays in view while the questions scroll
        body = w.HBox([left, right], layout=w.Layout(flex_flow="row wrap", align_items="flex-start"))
        body.add_class("sv-body")
        self.widget = w.VBox([self.style, w.HBox([self.heading, self.lang_toggle],
                                                 layout=w.Layout(justify_content="space-between",
                                                                 flex_flow="row wrap")),
                              self.notes, body])
        self.widget.add_class("sv-app")
        self._texts()

    def _texts(self) -> None:
        """Every fixed text on the page, in the current language."""
        self.heading.value = (f'<div class="sivreg"><h1 style="margin:0.2em 0">{esc(self._t("ui.app_title"))}</h1>'
                              f'<p style="max-width:60em">{esc(self._t("ui.intro"))}</p></div>')
        for lab, key in zip(self.meta_labels, ("ui.project_title", "ui.project_id", "ui.project_owner", "ui.as_of")):
            extra = f' <span style="font-weight:normal">({esc(self._t("ui.project_id_help"))})</span>' \
                if key == "ui.project_id" else ""
            lab.value = f"<b>{esc(self._t(key))}</b>{extra}"
        self.title.placeholder = self._t("ui.project_title_placeholder")
        self.meta_heading.value = f'<div class="sivreg"><h3>{esc(self._t("ui.project_section"))}</h3></div>'
        self.lang_toggle.tooltips = [self._t("ui.language")] * 2
        self.save_heading.value = (f'<div class="sivreg"><b>{esc(self._t("ui.save_title"))}</b> '
                                   f'<span class="sv-status">{esc(self._t("ui.save_help"))} '
                                   f'{esc(self._t("ui.report_help"))}</span></div>')
        self.upload.description = self._t("ui.resume")
        self.guard.message = self._t("ui.leave_warning")
        self.upload.layout.width = "auto"
        self.notes.value = ""  # studies and modules are edited on the page (their own sections)

    def display(self):
        from IPython.display import display
        display(self.widget)
        return None

    def _ipython_display_(self):  # `q` as the last line of a cell shows the page
        self.display()

    # -- the project ------------------------------------------------------------------------
    @property
    def project(self) -> Project:
        """The project as it stands: the base file's other fields, the typed title, id and
        owner, the assessment date and the answers."""
        pid = self.project_id.value.strip() if hasattr(self, "project_id") else self._base.id
        title = _one_line(self.title.value, "title") if hasattr(self, "title") else self._base.title
        if not valid_id(pid or ""):
            pid = _slug(pid or title)
        b = self._base
        # typed or pasted text loses bidi controls and invisible characters, noted in the result
        return clean_project(Project(id=pid, title=title, answers=Answers.of(self.answers),
                                     owner=_one_line(self.owner.value, "owner"),
                                     description=b.description, as_of=self.as_of, jurisdiction=b.jurisdiction,
                                     scenario=self.scenario or b.scenario, organisation=b.organisation,
                                     modules=tuple(self.modules.parts) if hasattr(self, "modules") else b.modules,
                                     studies=tuple(self.studies.parts) if hasattr(self, "studies") else b.studies,
                                     cleaned=b.cleaned), self.book)

    def saved_yaml(self) -> str:
        """The answers file the save link downloads (sivreg.project/1)."""
        return dump_project(self.project)

    def report_html(self) -> str:
        return to_html(self.assessment, self.lang, self.book, project=self.project)

    def field(self, qid: str) -> Field:
        """The widget of a question (made on first use)."""
        f = self._fields.get(qid)
        if f is None:
            f = Field(self.book.questions[qid], self.lang, self.book, self.answers.get(qid), self._answered)
            self._fields[qid] = f
        return f

    @property
    def next_question(self) -> str | None:
        return self.needed[0] if self.needed else None

    @property
    def shown(self) -> list[str]:
        """Question ids on the page, in order."""
        return list(self._order)

    # -- events -----------------------------------------------------------------------------
    def _answered(self, qid: str, value) -> None:
        if qid == self._focus and value != "unknown":
            self._focus = None
        if value is None:
            self.answers.pop(qid, None)
        else:
            self.answers[qid] = value
        self.refresh()

    def answer(self, qid: str, value) -> None:
        """Set an answer through its widget, as a click would."""
        f = self.field(qid)
        f.set_value(value)
        f._changed(None)

    def _lang_changed(self, change) -> None:
        self.lang = change["new"]
        self._fields = {}
        self._texts()
        self.refresh()

    def _meta_changed(self, change) -> None:
        msgs = []
        pid = self.project_id.value.strip()
        if pid and not valid_id(pid):
            msgs.append(self._t("ui.project_id_invalid", fallback=_slug(pid)))
        raw = self.as_of_box.value.strip()
        if valid_date(raw):
            self.as_of = raw
        else:
            msgs.append(self._t("ui.as_of_invalid", as_of=self.as_of))
        self.meta_error.value = "".join(f'<div class="sv-error">{esc(m)}</div>' for m in msgs)
        self.refresh()

    def load_text(self, text: str, name: str = "<upload>", *, confirmed: bool = False) -> bool:
        """Resume from an answers file's text. On a bad file, show what is wrong and keep
        every answer as it was. A file of another project (another project.id) while this
        page holds answers is applied only after the person confirms what it replaces."""
        try:
            project = loads(text, source=name, book=self.book)
        except SivregError as exc:  # every problem, each with file:line [field], in the page's language
            self._upload_error(name, error_text(exc, self.lang, self.book))
            return False
        except Exception as exc:  # a bug must not lose the answers on the page either
            self._upload_error(name, self._t("ui.internal_error", kind=type(exc).__name__))
            return False
        current = self.project_id.value.strip()
        if not confirmed and self.answers and current and project.id != current:
            self._ask_replace(project, text, name)
            return False
        self._pending = None
        self.confirm.children = ()
        self._base = project
        self.studies.set_parts(project.studies)
        self.modules.set_parts(project.modules)
        self.answers = dict(project.answers.to_dict())
        if project.as_of:
            self.as_of = project.as_of
        self._order = []
        self._fields = {}
        for box, value in ((self.title, project.title), (self.project_id, project.id),
                           (self.owner, project.owner), (self.as_of_box, self.as_of)):
            box.unobserve(self._meta_changed, "value")
            box.value = value
            box.observe(self._meta_changed, "value")
        self.meta_error.value = ""
        self._texts()
        self.refresh()
        self.upload_msg.value = f'<div class="sv-ok">{esc(self._t("ui.resume_ok", file=name))}</div>'
        # what came from a file is saved: leaving the page now loses nothing
        self.guard.saved_revision = self.guard.revision
        return True

    def _ask_replace(self, project, text: str, name: str) -> None:
        """Say what resuming from another project's file would replace, and wait."""
        self._pending = (text, name)
        msg = self._t("ui.resume_other_project", file=name, new_title=project.title or project.id,
                      new_id=project.id, n_new=len(project.answers.to_dict()),
                      title=self.title.value or self.project_id.value, id=self.project_id.value,
                      n=len(self.answers))
        self.upload_msg.value = f'<div class="sivreg sv-confirm-msg"><b>{esc(msg)}</b></div>'
        yes = w.Button(description=self._t("ui.resume_replace"), button_style="warning")
        yes.add_class("sv-confirm-replace")
        no = w.Button(description=self._t("ui.resume_cancel"))
        no.add_class("sv-confirm-cancel")
        yes.on_click(lambda _b: self.confirm_replace())
        no.on_click(lambda _b: self.cancel_replace())
        self.confirm.children = (yes, no)

    def confirm_replace(self) -> bool:
        if not self._pending:
            return False
        text, name = self._pending
        return self.load_text(text, name, confirmed=True)

    def cancel_replace(self) -> None:
        self._pending = None
        self.confirm.children = ()
        self.upload_msg.value = f'<div class="sv-ok">{esc(self._t("ui.resume_cancelled"))}</div>'

    def _rejected_in_page(self, change) -> None:
        info = change["new"] or {}
        if info:
            self._upload_error(str(info.get("name") or "<upload>"),
                               self._t("ui.resume_too_big", size=int(info.get("size") or 0)))

    def _upload_error(self, name: str, detail: str) -> None:
        self.upload_msg.value = (f'<div class="sv-error">{esc(self._t("ui.resume_error", file=name))}</div>'
                                 f'<pre style="white-space:pre-wrap">{esc(detail)}</pre>')

    def _uploaded(self, change) -> None:
        files = change["new"]
        if not files:
            return
        f = files[0]
        name = str(f.get("name") or "<upload>")
        content = bytes(f.get("content") or b"")
        if len(content) > MAX_UPLOAD:
            self._upload_error(name, self._t("ui.resume_too_big", size=len(content)))
        else:
            try:
                text = content.decode("utf-8-sig")
            except UnicodeDecodeError:
                self._upload_error(name, self._t("ui.resume_not_text"))
            else:
                self.load_text(text, name)
        self.upload.unobserve(self._uploaded, "value")
        self.upload.value = ()  # so the same file can be chosen again
        self.upload.observe(self._uploaded, "value")

    # -- one assessment per change ------------------------------------------------------------
    def refresh(self) -> None:
        self.conflict = None
        project = self.project
        try:
            a = assess(project, as_of=self.as_of, scenario=self.scenario, lang=self.lang, book=self.book)
        except RuleConflict as exc:  # answers that cannot hold together: say which, not "an error"
            self._show_conflict(exc)
            return
        except Exception as exc:  # a rule in progress may fail: say so, never show a traceback
            self.result.value = f'<div class="sivreg sv-error">{esc(self._t("ui.internal_error", kind=type(exc).__name__))}</div>'
            return
        self.assessment = a
        d = a.to_dict()
        # The questions the outcome still needs, as sivreg.next_question orders them (the
        # most decisive first). A "Vet ikke" is not asked again, but it stays an open point.
        needed = [q for q in d["missing"] if q not in self.answers]
        optional = [q for q in d.get("optional_questions", []) if q not in self.answers and q not in needed]
        if self.studies.parts:  # a study's questions are asked in the study (its own section)
            needed = [q for q in needed if self.book.questions[q].place != "study"]
            optional = [q for q in optional if self.book.questions[q].place != "study"]
        focus = self._focus if self._focus in self.answers and self.answers.get(self._focus) == "unknown" else None
        self._focus = focus
        self.needed = ([focus] if focus else []) + needed + optional
        used = {s.get("question") for o in d["outcomes"].values() for s in o["trace"]} | set(d["missing"])
        # Answered questions keep their place; the ones still needed follow in the engine's
        # order, so the next question sits right below the last answer.
        answered = [q for q in self._order if q in self.answers and q != focus]
        answered += [q for q in self.answers if q not in answered and q in self.book.questions and q != focus]
        self._order = answered + self.needed
        for qid in self._order:
            f = self.field(qid)
            if qid == self.next_question:
                f.set_status("ui.next_question", "next")
            elif qid in needed:
                f.set_status("ui.open_question", "open")
            elif qid in optional:
                f.set_status("ui.optional_question", "optional")
            elif qid in used:
                f.set_status("ui.answered_question", "answered")
            else:
                f.set_status("ui.unused_question", "unused")
        children = tuple(self.field(q).box for q in self._order)
        if self.questions.children != children:
            self.questions.children = children
        n_answered = len(answered) + (1 if focus else 0)
        blocks = open_blocks(self.book, d, self.lang)
        unknown_open = [p["question"] for p in d.get("open_points") or ()
                        if p.get("answered_unknown") and p.get("blocks")]
        unsettled = [t_ for t_, o in d["outcomes"].items() if o["status"] in ("depends", "indeterminate")]
        # Never say everything is answered while a conclusion depends on an open answer.
        finished = not needed and not unknown_open and not unsettled
        if finished and not optional:
            done = f'<p class="sv-ok sv-all-answered"><b>{esc(self._t("ui.all_answered"))}</b></p>'
        elif not needed:
            n_open = len([q for q in d["missing"] if q not in self.answers or self.answers.get(q) == "unknown"])
            done = (f'<p class="sv-not-finished"><b>{esc(self._t("ui.not_finished", n=n_open))}</b></p>'
                    if (unknown_open or unsettled) else "")
        else:
            done = ""
        progress = (self._t("ui.progress_open", answered=n_answered, open=len(needed), unknown=len(unknown_open))
                    if unknown_open else self._t("ui.progress", answered=n_answered, open=len(needed)))
        self.progress.value = (f'<div class="sivreg"><h3>{esc(self._t("ui.questions"))}</h3>'
                               f'<p class="sv-progress">{esc(progress)}</p>{done}</div>')
        self._show_open_points(unknown_open, blocks)
        self.studies.show(d)
        self.modules.show(d)
        self.result.value = panel_html(a, self.lang, self.book)
        saved_text = dump_project(project)
        # what the person wrote (answers, title, id, owner, studies, modules), not the date or
        # the language the page set for the visit
        work = {k: v for k, v in project.to_dict().items() if k != "as_of"}
        if work != self._saved_text:
            if self._saved_text is not None:
                self.guard.revision += 1  # answers not yet downloaded: "leave page?" asks first
            self._saved_text = work
        self.save_link.value = _data_link(saved_text, "application/x-yaml", f"{project.id}.yaml",
                                          self._t("ui.save"), "sv-save-link")
        self._schedule_report()

    def _show_open_points(self, qids: list[str], blocks: dict) -> None:
        """Each "Vet ikke" that can still change the result: the question, what it can
        change, and a button that brings the question back to answer it."""
        if not qids:
            if self.open_points.children:
                self.open_points.children = ()
            return
        rows = [w.HTML(f'<div class="sivreg"><b>{esc(self._t("ui.open_points_title"))}</b></div>')]
        for qid in qids:
            what = blocks.get(qid) or []
            text = (self._t("ui.open_point_blocks", blocks=", ".join(what)) if what
                    else self._t("ui.open_point_nothing"))
            label = self.book.questions[qid].label[self.lang]
            info = w.HTML(f'<div class="sivreg sv-open-point"><b>«{esc(label)}»</b>: '
                          f'{esc(self._t("answer.unknown"))}. {esc(text)}</div>',
                          layout=w.Layout(flex="1 1 auto"))
            button = w.Button(description=self._t("ui.answer_now"), layout=w.Layout(width="auto"))
            button.add_class("sv-answer-now")
            button.on_click(lambda _b, qid=qid: self.focus(qid))
            rows.append(w.HBox([info, button], layout=w.Layout(align_items="center")))
        self.open_points.children = tuple(rows)

    def _show_conflict(self, exc: RuleConflict) -> None:
        """"Disse svarene kan ikke gjelde samtidig: ... Endre ett av dem", each question a link
        to its place on the page, and the questions marked; nothing else changes."""
        self.conflict = exc
        links = ", ".join(f'<a href="#{anchor_id(q)}">«{esc(self.book.questions[q].label[self.lang])}»</a>'
                          for q in exc.questions if q in self.book.questions)
        text = esc(conflict_message(exc, self.lang, self.book))
        if links:
            plain = ", ".join(f"«{esc(self.book.questions[q].label[self.lang])}»"
                              for q in exc.questions if q in self.book.questions)
            text = text.replace(plain, links)
        html = f'<div class="sivreg sv-conflict-msg sv-error">{text}</div>'
        self.result.value = html
        self.progress.value = (f'<div class="sivreg"><h3>{esc(self._t("ui.questions"))}</h3>{html}</div>')
        for qid in exc.questions:
            if qid in self.book.questions:
                self.field(qid).set_status("ui.conflict_question", "conflict")

    def focus(self, qid: str) -> None:
        """Bring a question answered "Vet ikke" back as the next question."""
        self._focus = qid
        self.refresh()

    # -- the report link: rebuilt shortly after the last change, not on every click ------------
    REPORT_DELAY = 0.6  # seconds without a change before the report is rebuilt

    def _schedule_report(self) -> None:
        """The report is large (every step with its sources); rebuilding it on each answer
        would slow the page down. While answers change, the link says the report is being
        updated; it is rebuilt once the person pauses."""
        import asyncio
        if self._report_timer is not None:
            self._report_timer.cancel()
            self._report_timer = None
        loop = None
        if getattr(_ipython(), "kernel", None) is not None:  # in a Jupyter kernel (Voilà, Lab)
            try:
                loop = asyncio.get_running_loop()
            except RuntimeError:
                loop = None
        # plain Python (tests, scripts): build it now
        if loop is None:
            self.update_report_link()
            return
        self.report_link.value = (f'<span class="sv-download sv-report-pending">'
                                  f'{esc(self._t("ui.report_pending"))}</span>')
        self._report_timer = loop.call_later(self.REPORT_DELAY, self.update_report_link)

    def update_report_link(self) -> None:
        self._report_timer = None
        if self.assessment is None:
            return
        project = self.project
        html_link = _data_link(self.report_html(), "text/html", f"{project.id}-{self.lang}.html",
                               self._t("ui.report"), "sv-report-link")
        self.report_link.value = html_link
        self._start_pdf(project, html_link)

    def report_pdf(self) -> bytes:
        """The report as PDF (the same document as the HTML download)."""
        from ..render.pdf import to_pdf
        return to_pdf(self.assessment, self.lang, self.book, project=self.project)

    PDF_DELAY = 3.0  # seconds without a change before the PDF is made (it takes seconds of CPU)

    def _start_pdf(self, project, html_link: str) -> None:
        """In a kernel (Voilà, Lab): the PDF link follows the HTML link, made in a worker
        thread once the person has paused (PDF_DELAY), one PDF at a time, so that answering
        stays quick. Plain Python: no PDF link (call report_pdf())."""
        import asyncio
        if getattr(_ipython(), "kernel", None) is None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return
        self._pdf_serial = serial = getattr(self, "_pdf_serial", 0) + 1
        self.report_link.value = html_link + (f' <span class="sv-download sv-report-pending">'
                                              f'{esc(self._t("ui.report_pdf_pending"))}</span>')
        if getattr(self, "_pdf_timer", None) is not None:
            self._pdf_timer.cancel()
        self._pdf_timer = loop.call_later(self.PDF_DELAY, self._make_pdf, loop, serial,
                                          self.assessment, project, html_link)

    def _make_pdf(self, loop, serial, assessment, project, html_link: str) -> None:
        self._pdf_timer = None
        if serial != self._pdf_serial:
            return
        if getattr(self, "_pdf_running", False):  # one at a time: made again when that one ends
            self._pdf_next = (serial, assessment, project, html_link)
            return
        self._pdf_running = True
        name, label = f"{project.id}-{self.lang}.pdf", self._t("ui.report_pdf")

        def done(fut):
            self._pdf_running = False
            nxt, self._pdf_next = getattr(self, "_pdf_next", None), None
            if serial != self._pdf_serial or fut.cancelled() or fut.exception() is not None:
                if serial == self._pdf_serial:
                    self.report_link.value = html_link
                elif nxt is not None and nxt[0] == self._pdf_serial:
                    self._make_pdf(loop, *nxt)
                return
            b64 = base64.b64encode(fut.result()).decode("ascii")
            self.report_link.value = html_link + (f' <a class="sv-download sv-report-pdf" download="{esc(name)}" '
                                                  f'href="data:application/pdf;base64,{b64}">{esc(label)}</a>')
        from ..render.pdf import to_pdf
        loop.run_in_executor(None, to_pdf, assessment, self.lang, self.book, project).add_done_callback(
            lambda fut: loop.call_soon_threadsafe(done, fut))
