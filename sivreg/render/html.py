"""Assessment -> HTML, in bokmål or English, from Jinja2 templates with autoescaping
(sivreg/render/templates/): the self-contained report (`to_html`: no external assets, prints
well, the same document the PDF is made from), the fragment a notebook shows
(`to_html(fragment=True)`) and the dashboard's live result (`panel_html`).

The content is the document model of `document.build`: every text comes from the Assessment
and the rulebook, ids are shown by their labels. The templates share one set of partials
(`templates/_macros.html.j2`) with the portfolio page. Every value is escaped by Jinja2:
titles, notes and answers can contain whatever a user typed.
"""
from __future__ import annotations

import html as _html
from functools import lru_cache
from pathlib import Path

from ..catalogue import Rulebook, rulebook
from . import document
from .text import t as _t

TEMPLATES = Path(__file__).with_name("templates")


def esc(value) -> str:
    """HTML-escape any value as text (quotes too, so it is safe in attributes)."""
    return _html.escape("" if value is None else str(value), quote=True)


@lru_cache(maxsize=1)
def css() -> str:
    return (Path(__file__).with_name("report.css")).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def pdf_css() -> str:
    return (Path(__file__).with_name("pdf.css")).read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def environment():
    """The Jinja2 environment: autoescaping on for every template (optional fields may be absent)."""
    import jinja2
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)),
                              autoescape=True,
                              trim_blocks=False, lstrip_blocks=False)


def translator(lang: str, book: Rulebook):
    """t(key, **args) for templates: the rulebook's text in `lang`."""
    def t(key: str, **args) -> str:
        return _t(key, lang, book, **args)
    return t


def render(template: str, lang_: str, book: Rulebook | None = None, **context) -> str:
    lang = lang_
    book = book or rulebook()
    from markupsafe import Markup
    context.pop("lang", None)
    if context.get("pdf_css"):
        context["pdf_css"] = Markup(context["pdf_css"])  # our own style sheet, not user text
    return environment().get_template(template).render(t=translator(lang, book), lang=lang,
                                                       css=Markup(css()), **context)


def _doc(assessment, lang, book, project=None):
    book = book or rulebook()
    a = assessment.to_dict() if hasattr(assessment, "to_dict") else assessment
    lang = lang or a.get("lang") or "nb"
    return a, lang, book, document.build(a, lang, book, project)


def _macro(name: str, lang: str, book: Rulebook, *args, **kw) -> str:
    """One partial of _macros.html.j2 rendered on its own (for widgets that show a piece)."""
    tmpl = environment().get_template("_macros.html.j2")
    module = tmpl.make_module({"t": translator(lang, book), "lang": lang})
    return str(getattr(module, name)(*args, **kw))


# -- pieces other views use -------------------------------------------------------------------------
def citation_html(ref: str, lang: str, book: Rulebook | None = None) -> str:
    """One reference: its short citation (linked when it has an address), marked law or
    guidance, and flagged when the source is uncertain."""
    book = book or rulebook()
    return _macro("cite", lang, book, document.Doc(lang, book, {}).cite(ref))


def cites_html(refs, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    return _macro("cites", lang, book, document.Doc(lang, book, {}).cites(refs)).strip()


def steps_html(trace, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    d = document.Doc(lang, book, {})
    return _macro("steps", lang, book, [d.step(s) for s in trace or ()])


def fields_html(d: dict, lang: str, book: Rulebook | None = None, skip=()) -> str:
    """Fields a rule adds (labelled ones), as a definition list."""
    book = book or rulebook()
    return _macro("details", lang, book, document.Doc(lang, book, {}).details(d, skip=set(skip)))


def verdict_text(topic: str, o: dict, lang: str, book: Rulebook | None = None) -> str:
    """The verdict for one topic in plain words (with `depends` as its branches)."""
    book = book or rulebook()
    return document.Doc(lang, book, {}).verdict(topic, o)["text"]


def verdict_html(topic: str, o: dict, lang: str, book: Rulebook | None = None, *,
                 reasoning: str = "details") -> str:
    """One topic as a card: topic, verdict in plain words, status, and the reasoning
    (collapsed in the dashboard, open in the explorer, none for "none")."""
    book = book or rulebook()
    d = document.Doc(lang, book, {})
    v = d.verdict(topic, o)
    inner = ""
    if reasoning != "none":
        inner = (_macro("details", lang, book, d.details(o, skip=document._OUTCOME_SKIP))
                 + _macro("steps", lang, book, [d.step(s) for s in o.get("trace") or ()]))
    out = _macro("verdict", lang, book, v, inner)
    if reasoning == "open":
        out = out.replace("<details>", "<details open>", 1)
    return out


def obligations_html(a: dict, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    d = document.Doc(lang, book, a)
    items = [d.duty(o, "obligation") for o in a.get("obligations") or ()]
    if not items:
        return f"<p>{esc(_t('report.none', lang, book))}</p>"
    return '<ul class="sv-obligations">' + "".join(_macro("duty", lang, book, x) for x in items) + "</ul>"


# -- whole outputs ----------------------------------------------------------------------------------
def panel_html(assessment, lang: str | None = None, book: Rulebook | None = None) -> str:
    """The dashboard's live result: verdict per topic in plain words (reasoning one click
    away), next steps, obligations and the questions still to answer."""
    a, lang, book, doc = _doc(assessment, lang, book)
    return render("panel.html.j2", lang, book, **doc)


def to_html(assessment, lang: str | None = None, book: Rulebook | None = None, project=None, *,
            fragment: bool = False, pdf: bool = False) -> str:
    """The report as one self-contained HTML document (styles inline, no scripts, no fonts or
    images fetched). Give `project` to list the answers too. `fragment=True` gives the same
    report as a <div> to show inside a notebook; `pdf=True` adds the page rules (footer with
    page numbers, project and date) that `sivreg.render.pdf` prints with."""
    a, lang, book, doc = _doc(assessment, lang, book, project)
    if fragment:
        return render("fragment.html.j2", lang, book, **doc)
    return render("report.html.j2", lang, book, pdf=pdf, pdf_css=pdf_css() if pdf else "", **doc)
