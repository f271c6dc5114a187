"""Assessment -> HTML, in bokmål or English: a self-contained report (`to_html`, no external
assets, prints well) and the fragment the dashboard shows as its live result (`panel_html`).

Everything comes from the Assessment and the rulebook: verdicts, the reasoning with its legal
references (binding law and guidance told apart, uncertain sources flagged), obligations with
their dates per jurisdiction, next steps, missing answers and any extra field a rule adds
(rendered generically, so new topics show up without changes here). Every text is escaped:
titles, notes and answers can contain whatever a user typed.
"""
from __future__ import annotations

import html as _html
from functools import lru_cache
from pathlib import Path

from ..catalogue import UNKNOWN, Rulebook, rulebook
from ..model import TOPICS
from .text import answer_label, citation, finding_label, rule_label, t, value_label

# Fields of an outcome, obligation or action that have their own rendering.
_OUTCOME_KEYS = {"status", "value", "missing", "trace"}
_OBLIGATION_KEYS = {"id", "label", "refs", "applies_from", "note", "certainty", "topic", "role", "detail", "state"}
_ACTION_KEYS = {"id", "label", "refs", "due", "recipient", "note", "certainty", "topic", "detail", "days"}
# Top-level fields shown elsewhere in the report (not in the generic "more details").
_TOP_KEYS = {"schema", "project", "as_of", "jurisdiction", "lang", "rulebook", "inputs_sha256", "status",
             "outcomes", "obligations", "actions", "missing", "as_of_source", "notice",
             "optional_questions", "scenario", "text_cleaned"}


def esc(value) -> str:
    """HTML-escape any value as text (quotes too, so it is safe in attributes)."""
    return _html.escape("" if value is None else str(value), quote=True)


@lru_cache(maxsize=1)
def css() -> str:
    return (Path(__file__).with_name("report.css")).read_text(encoding="utf-8")


def _loc(value, lang):
    """A bilingual {nb, en} mapping in the language, anything else unchanged."""
    if isinstance(value, dict) and lang in value and set(value) <= {"nb", "en"}:
        return value[lang]
    return value


def _text(key: str, lang: str, book: Rulebook, default: str | None = None, **args) -> str:
    try:
        return t(key, lang, book, **args)
    except KeyError:
        return default if default is not None else key


def _badge(kind: str, lang: str, book: Rulebook, title: str | None = None) -> str:
    label = _text(f"report.{kind}", lang, book)
    tip = f' title="{esc(title)}"' if title else ""
    return f'<span class="sv-badge sv-{kind}"{tip}>{esc(label)}</span>'


def uncertain_badge(lang: str, book: Rulebook, note=None) -> str:
    tip = _loc(note, lang) if note else _text("report.uncertain_long", lang, book)
    return _badge("uncertain", lang, book, tip)


# -- citations -------------------------------------------------------------------------------
def citation_html(ref: str, lang: str, book: Rulebook | None = None) -> str:
    """One reference: its short citation (linked when it has an address), marked law or
    guidance, and flagged when the source is uncertain."""
    book = book or rulebook()
    c = citation(ref, lang, book)
    text = esc(c["text"])
    if c["url"] and str(c["url"]).startswith(("https://", "http://")):
        text = f'<a href="{esc(c["url"])}" target="_blank">{text}</a>'
    out = text + _badge("binding" if c["binding"] else "guidance", lang, book)
    if c["certainty"] == "uncertain":
        r = book.references.get(ref)
        out += uncertain_badge(lang, book, r.note if r is not None else None)
    return f'<span class="sv-cite">{out}</span>'


def cites_html(refs, lang: str, book: Rulebook | None = None) -> str:
    if not refs:
        return ""
    book = book or rulebook()
    return '<span class="sv-cites">[' + "; ".join(citation_html(r, lang, book) for r in refs) + "]</span>"


# -- reasoning steps ----------------------------------------------------------------------------
def step_html(step: dict, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    kind = step.get("kind") or "rule"
    rule = step.get("rule") or ""
    parts = [f'<span class="sv-rule">{esc(rule_label(rule, lang, book))}</span>']
    if step.get("question"):
        parts.append(f"→ {esc(answer_label(step['question'], step.get('answer'), lang, book))}")
    elif step.get("answer") is not None and kind != "module":
        parts.append(f"→ {esc(step['answer'])}")
    if step.get("finding"):
        parts.append(f'→ <span class="sv-finding">{esc(finding_label(step["finding"], lang, book))}</span>')
    line = " ".join(parts)
    info = book.rules.get(rule) if hasattr(book.rules, "get") else None
    if info and info.get("certainty") == "uncertain":
        line += uncertain_badge(lang, book, info.get("note"))
    if step.get("note"):
        line += f' <span class="sv-note">— {esc(step["note"])}</span>'
    if kind == "not_applied":
        line += f' <span class="sv-status">({esc(_text("report.not_applied", lang, book))})</span>'
    cites = cites_html(step.get("refs"), lang, book)
    if cites:
        line += " " + cites
    return f'<li class="sv-{esc(kind)}">{line}</li>'


def steps_html(trace, lang: str, book: Rulebook | None = None) -> str:
    if not trace:
        return ""
    book = book or rulebook()
    return '<ol class="sv-steps">' + "".join(step_html(s, lang, book) for s in trace) + "</ol>"


# -- generic values (extra fields a rule adds: basis, rules, modules, studies, ...) -----------
def key_label(key: str, lang: str, book: Rulebook) -> str:
    for k in (f"field.{key}", f"label.{key}", f"report.{key}", f"topic.{key}"):
        try:
            return t(k, lang, book)
        except KeyError:
            continue
    return key.replace("_", " ").capitalize()


def coded_label(key: str | None, value: str, lang: str, book: Rulebook) -> str | None:
    """The label of a coded value in an extra field: `{key}.{value}` or `<topic>_{key}.{value}`
    in the conclusions (e.g. role: deployer -> ai_role.deployer), None if there is none."""
    if not key:
        return None
    for code in (f"{key}.{value}", f"report.{key}_{value}"):
        try:
            return book.text(code, lang)
        except KeyError:
            pass
    for code in book.conclusions:
        if code.endswith(f"_{key}.{value}"):
            return book.text(code, lang)
    return None


def _string_html(s: str, lang: str, book: Rulebook, key: str | None = None) -> str:
    coded = coded_label(key, s, lang, book)
    if coded is not None:
        return esc(coded)
    if s in book.rules:
        return esc(rule_label(s, lang, book))
    if s in book.references:
        return citation_html(s, lang, book)
    if s in book.questions:
        return esc(book.questions[s].label[lang])
    if s in book.conclusions or s in book.messages:
        return esc(book.text(s, lang))
    return esc(s)


def value_html(value, lang: str, book: Rulebook | None = None, key: str | None = None) -> str:
    """Any JSON value as readable HTML; ids of rules, references, questions and findings
    are shown by their label in the language."""
    book = book or rulebook()
    value = _loc(value, lang)
    if key == "refs" and isinstance(value, (list, tuple)):
        return cites_html(value, lang, book)
    if key == "trace" and isinstance(value, (list, tuple)):
        return steps_html(value, lang, book)
    if key == "status" and isinstance(value, str):
        return esc(_text(f"status.{value}", lang, book, value))
    if key in TOPICS and isinstance(value, dict) and "status" in value:
        return _topic_summary(key, value, lang, book)
    if key == "applies_from" and isinstance(value, dict) and ("EU" in value or "NO" in value):
        return applies_from_html(value, lang, book)
    if key == "certainty" and value == "uncertain":
        return uncertain_badge(lang, book)
    if value is None:
        return "–"
    if isinstance(value, bool):
        return esc(_text("answer.yes" if value else "answer.no", lang, book))
    if isinstance(value, str):
        return _string_html(value, lang, book, key)
    if isinstance(value, (int, float)):
        return esc(value)
    if isinstance(value, (list, tuple)):
        if not value:
            return "–"
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            return "; ".join(value_html(v, lang, book) for v in value)
        return "<ul>" + "".join(f"<li>{value_html(v, lang, book)}</li>" for v in value) + "</ul>"
    if isinstance(value, dict):
        return fields_html(value, lang, book)
    return esc(value)


def fields_html(d: dict, lang: str, book: Rulebook | None = None, skip=()) -> str:
    book = book or rulebook()
    rows = [(k, v) for k, v in d.items() if k not in skip and v not in (None, "", [], {})]
    if not rows:
        return ""
    return '<dl class="sv-extra">' + "".join(
        f"<dt>{esc(key_label(k, lang, book))}</dt><dd>{value_html(v, lang, book, key=k)}</dd>"
        for k, v in rows) + "</dl>"


def _topic_summary(topic: str, o: dict, lang: str, book: Rulebook) -> str:
    value = value_label(topic, o.get("value"), lang, book) if o.get("value") is not None else "–"
    return f'{esc(value)} <span class="sv-status">({esc(_text("status." + o["status"], lang, book, o["status"]))})</span>'


# -- verdicts ---------------------------------------------------------------------------------
def _answered_unknown(o: dict, qid: str) -> bool:
    return any(s.get("question") == qid and s.get("answer") == UNKNOWN for s in o.get("trace") or ())


def verdict_text(topic: str, o: dict, lang: str, book: Rulebook | None = None) -> str:
    """The verdict for one topic in plain words."""
    book = book or rulebook()
    status, value = o["status"], o.get("value")
    if status == "determined" and value is not None:
        return value_label(topic, value, lang, book)
    if status == "not_applicable":
        return value_label(topic, value, lang, book) if value is not None else \
            _text("ui.verdict_not_applicable", lang, book)
    missing = list(o.get("missing") or ())
    if missing:
        qid = missing[0]
        q = book.questions.get(qid)
        label = q.label[lang] if q else qid
        key = "ui.verdict_unknown" if _answered_unknown(o, qid) else "ui.verdict_waiting"
        return _text(key, lang, book, question=label)
    notes = [s.get("note") for s in o.get("trace") or () if s.get("kind") in ("undecided", "waiting") and s.get("note")]
    if notes:
        return f'{_text("status.indeterminate", lang, book)}: {notes[-1]}'
    return _text(f"status.{status}", lang, book, status)


def verdict_html(topic: str, o: dict, lang: str, book: Rulebook | None = None, *,
                 reasoning: str = "details") -> str:
    """One topic as a card: topic, verdict in plain words, status, and the reasoning
    (collapsed in the dashboard, open in the report)."""
    book = book or rulebook()
    status = o["status"]
    body = [f'<span class="sv-topic">{esc(_text("topic." + topic, lang, book, topic))}</span>',
            f'<span class="sv-value" data-topic="{esc(topic)}">{esc(verdict_text(topic, o, lang, book))}</span>',
            f' <span class="sv-status">({esc(_text("status." + status, lang, book, status))})</span>']
    extra = {k: v for k, v in o.items() if k not in _OUTCOME_KEYS}
    inner = fields_html(extra, lang, book) + steps_html(o.get("trace"), lang, book)
    if inner and reasoning != "none":
        opened = " open" if reasoning == "open" else ""
        body.append(f'<details{opened}><summary>{esc(_text("ui.show_reasoning", lang, book))}</summary>{inner}</details>')
    return f'<li class="sv-verdict sv-{esc(status)}" data-topic="{esc(topic)}">{"".join(body)}</li>'


def verdicts_html(a: dict, lang: str, book: Rulebook | None = None, *, reasoning: str = "details") -> str:
    book = book or rulebook()
    topics = [tp for tp in TOPICS if tp in a["outcomes"]] + [tp for tp in a["outcomes"] if tp not in TOPICS]
    return '<ul class="sv-verdicts">' + "".join(
        verdict_html(tp, a["outcomes"][tp], lang, book, reasoning=reasoning) for tp in topics) + "</ul>"


# -- obligations, actions, missing answers -----------------------------------------------------
def applies_from_html(af: dict, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    parts = []
    for jur in ("EU", "NO"):
        d = af.get(jur)
        if not isinstance(d, dict):
            continue
        date = d.get("date") or _text("label.pending", lang, book)
        s = f"{esc(_text('report.' + jur.lower(), lang, book, jur))}: <b>{esc(date)}</b>"
        if d.get("state"):
            state = coded_label("state", str(d["state"]), lang, book) or str(d["state"])
            s += f' <span class="sv-status">({esc(state)})</span>'
        if d.get("certainty") == "uncertain":
            s += uncertain_badge(lang, book, d.get("note"))
        if d.get("note"):
            s += f' <span class="sv-note">({esc(_loc(d["note"], lang))})</span>'
        if d.get("ref"):
            s += " " + cites_html([d["ref"]], lang, book)
        parts.append(s)
    rest = {k: v for k, v in af.items() if k not in ("EU", "NO")}
    label = esc(_text("report.applies_from", lang, book))
    return f'<div class="sv-dates">{label}: ' + "; ".join(parts) + "</div>" + fields_html(rest, lang, book)


def _item_html(item: dict, known: set, lang: str, book: Rulebook, extra_first: str = "") -> str:
    head = esc(_loc(item.get("label") or item.get("id"), lang))
    if item.get("certainty") == "uncertain":
        head += uncertain_badge(lang, book, item.get("note"))
    out = [head, extra_first]
    if item.get("note"):
        out.append(f' <span class="sv-note">— {esc(_loc(item["note"], lang))}</span>')
    cites = cites_html(item.get("refs"), lang, book)
    if cites:
        out.append(" " + cites)
    if item.get("applies_from"):
        out.append(applies_from_html(item["applies_from"], lang, book))
    rest = {k: v for k, v in item.items() if k not in known}
    if item.get("detail"):
        rest = {"detail": item["detail"], **rest}
    out.append(fields_html(rest, lang, book))
    return "".join(out)


def actions_html(a: dict, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    items = []
    for act in a.get("actions") or ():
        first = ""
        if act.get("recipient"):
            first += f' <span class="sv-status">({esc(_text("report.recipient", lang, book))}: {esc(_loc(act["recipient"], lang))})</span>'
        if act.get("due"):
            first += f' — {esc(_text("label.due", lang, book))} <b>{esc(act["due"])}</b>'
        items.append(f'<li data-action="{esc(act.get("id"))}">{_item_html(act, _ACTION_KEYS, lang, book, first)}</li>')
    if not items:
        return f'<p>{esc(_text("report.none", lang, book))}</p>'
    return '<ol class="sv-actions">' + "".join(items) + "</ol>"


def obligations_html(a: dict, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    items = []
    for ob in a.get("obligations") or ():
        first = ""
        if ob.get("role"):
            role = coded_label("role", str(ob["role"]), lang, book) or str(ob["role"])
            first += f' <span class="sv-status">({esc(key_label("role", lang, book))}: {esc(role)})</span>'
        items.append(f'<li data-obligation="{esc(ob.get("id"))}">{_item_html(ob, _OBLIGATION_KEYS, lang, book, first)}</li>')
    if not items:
        return f'<p>{esc(_text("report.none", lang, book))}</p>'
    return '<ul class="sv-obligations">' + "".join(items) + "</ul>"


def missing_html(qids, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    items = []
    for qid in qids or ():
        q = book.questions.get(qid)
        label = q.label[lang] if q else qid
        items.append(f'<li data-question="{esc(qid)}">{esc(label)} <code>{esc(qid)}</code></li>')
    return '<ul class="sv-missing">' + "".join(items) + "</ul>" if items else ""


def answers_html(project, lang: str, book: Rulebook | None = None) -> str:
    """The answers the assessment is based on (a table), when the project is at hand."""
    book = book or rulebook()
    rows = []
    for qid, value in project.answers.to_dict().items():
        q = book.questions.get(qid)
        rows.append(f"<tr><td>{esc(q.label[lang] if q else qid)} <code>{esc(qid)}</code></td>"
                    f"<td>{esc(answer_label(qid, value, lang, book))}</td></tr>")
    if not rows:
        return f'<p>{esc(_text("report.none", lang, book))}</p>'
    head = f'<tr><th>{esc(_text("report.question", lang, book))}</th><th>{esc(_text("report.answer", lang, book))}</th></tr>'
    return f"<table>{head}{''.join(rows)}</table>"


# -- whole outputs -----------------------------------------------------------------------------
def _meta_html(a: dict, lang: str, book: Rulebook) -> str:
    as_of = esc(a["as_of"])
    if a.get("as_of_source") == "today":
        as_of += " " + esc(_text("report.as_of_today", lang, book))
    rb = a.get("rulebook") or {}
    rows = [(_text("label.project_id", lang, book), esc(a["project"].get("id")))]
    if a["project"].get("owner"):
        rows.append((_text("report.owner", lang, book), esc(a["project"]["owner"])))
    rows += [(_text("label.as_of", lang, book), as_of),
             (_text("label.jurisdiction", lang, book), esc(a.get("jurisdiction"))),
             (_text("label.rulebook", lang, book), f"{esc(rb.get('version'))} <code>{esc(str(rb.get('sha256', ''))[:12])}</code>")]
    sc = a.get("scenario")
    if sc:
        scen = f"{esc(sc.get('label'))} — {esc(sc.get('legal_status'))}"
        if sc.get("certainty") == "uncertain":
            scen += uncertain_badge(lang, book)
        scen += " " + cites_html(sc.get("refs"), lang, book)
    else:
        scen = esc(rb.get("scenario") or "–")
    rows.append((_text("label.scenario", lang, book), scen))
    rows.append((_text("label.status", lang, book), esc(_text("status." + a["status"], lang, book, a["status"]))))
    return '<dl class="sv-meta">' + "".join(f"<dt>{esc(k)}</dt><dd>{v}</dd>" for k, v in rows) + "</dl>"


def cleaned_html(a: dict, lang: str, book: Rulebook) -> str:
    """The note that free text was cleaned of invisible or bidi characters (sivreg.textclean)."""
    tc = a.get("text_cleaned")
    if not tc:
        return ""
    note = tc.get("note") or _text("note.text_cleaned", lang, book)
    return (f'<p class="sv-notice sv-cleaned"><b>{esc(_text("label.text_cleaned", lang, book))}.</b> '
            f'{esc(note)} {esc(", ".join(tc.get("fields") or ()))}</p>')


def _title(a: dict, lang: str, book: Rulebook) -> str:
    return a["project"].get("title") or _text("ui.untitled", lang, book)


def panel_html(assessment, lang: str | None = None, book: Rulebook | None = None) -> str:
    """The dashboard's live result: verdict per topic in plain words (reasoning one click
    away), next steps, obligations and the questions still to answer."""
    book = book or rulebook()
    a = assessment.to_dict() if hasattr(assessment, "to_dict") else assessment
    lang = lang or a["lang"]
    out = [f"<style>{css()}</style>", '<div class="sivreg sv-panel">',
           f'<h2 class="sv-result-title">{esc(_text("ui.result_for", lang, book, title=_title(a, lang, book)))}</h2>',
           verdicts_html(a, lang, book, reasoning="details"), cleaned_html(a, lang, book)]
    if a.get("actions"):
        out += [f"<h3>{esc(_text('label.actions', lang, book))}</h3>", actions_html(a, lang, book)]
    if a.get("obligations"):
        out += [f"<h3>{esc(_text('label.obligations', lang, book))}</h3>", obligations_html(a, lang, book)]
    if a.get("missing"):
        out += [f"<h3>{esc(_text('label.missing', lang, book))}</h3>", missing_html(a["missing"], lang, book)]
    out.append(f'<p class="sv-notice">{esc(a.get("notice") or _text("notice.decision_support", lang, book))}</p>')
    rb = a.get("rulebook") or {}
    out.append(f'<p class="sv-footer">{esc(_text("label.as_of", lang, book))}: {esc(a["as_of"])} · '
               f'{esc(_text("label.rulebook", lang, book))}: {esc(rb.get("version"))} · '
               f'{esc(_text("label.scenario", lang, book))}: {esc(rb.get("scenario") or "–")}</p>')
    out.append("</div>")
    return "".join(out)


def to_html(assessment, lang: str | None = None, book: Rulebook | None = None, project=None, *,
            fragment: bool = False) -> str:
    """The full report as one self-contained HTML document (styles inline, no scripts, no
    fonts or images fetched). Give `project` to list the answers too. `fragment=True` gives
    the same report as a <div> to show inside a notebook."""
    from .. import __version__
    book = book or rulebook()
    a = assessment.to_dict() if hasattr(assessment, "to_dict") else assessment
    lang = lang or a["lang"]
    title = _title(a, lang, book)
    if fragment:
        out = [f"<style>{css()}</style>", f'<div class="sivreg" lang="{esc(lang)}">']
    else:
        out = ["<!DOCTYPE html>", f'<html lang="{esc(lang)}"><head><meta charset="utf-8">',
               '<meta name="viewport" content="width=device-width, initial-scale=1">',
               f"<title>{esc(_text('report.title', lang, book))}: {esc(title)}</title>",
               f"<style>{css()} body {{ max-width: 60em; margin: 1.5em auto; padding: 0 1em; }}</style>",
               '</head><body class="sivreg">']
    out += [f'<p class="sv-status">{esc(_text("report.title", lang, book))}</p>',
           f'<h1 class="sv-project-title">{esc(title)}</h1>']
    if a["project"].get("description"):
        out.append(f"<p>{esc(a['project']['description'])}</p>")
    out.append(f'<p class="sv-notice">{esc(a.get("notice") or _text("notice.decision_support", lang, book))}</p>')
    out.append(cleaned_html(a, lang, book))
    out.append(_meta_html(a, lang, book))
    out += [f"<h2>{esc(_text('label.verdicts', lang, book))}</h2>", verdicts_html(a, lang, book, reasoning="none")]
    out += [f"<h2>{esc(_text('label.actions', lang, book))}</h2>", actions_html(a, lang, book)]
    out += [f"<h2>{esc(_text('label.obligations', lang, book))}</h2>", obligations_html(a, lang, book)]
    if a.get("missing"):
        out += [f"<h2>{esc(_text('label.missing', lang, book))}</h2>", missing_html(a["missing"], lang, book)]
    if a.get("optional_questions"):
        out += [f"<h2>{esc(_text('report.optional_questions', lang, book))}</h2>",
                missing_html(a["optional_questions"], lang, book)]
    out.append(f"<h2>{esc(_text('label.reasoning', lang, book))}</h2>")
    for tp in [tp for tp in TOPICS if tp in a["outcomes"]] + [tp for tp in a["outcomes"] if tp not in TOPICS]:
        o = a["outcomes"][tp]
        out.append(f'<h3>{esc(_text("topic." + tp, lang, book, tp))}: {esc(verdict_text(tp, o, lang, book))}</h3>')
        out.append(fields_html({k: v for k, v in o.items() if k not in _OUTCOME_KEYS}, lang, book))
        out.append(steps_html(o.get("trace"), lang, book))
    rest = {k: v for k, v in a.items() if k not in _TOP_KEYS}
    if rest:
        out += [f"<h2>{esc(_text('report.details', lang, book))}</h2>", fields_html(rest, lang, book)]
    if project is not None:
        out += [f"<h2>{esc(_text('report.answers', lang, book))}</h2>", answers_html(project, lang, book)]
    out.append(f'<p class="sv-legend">{esc(_text("report.legend", lang, book))}</p>')
    out.append(f'<p class="sv-footer">{esc(_text("report.generated", lang, book, version=__version__))} · '
               f'{esc(_text("report.inputs", lang, book))}: <code>{esc(a.get("inputs_sha256", ""))[:16]}</code></p>')
    out.append("</div>" if fragment else "</body></html>")
    return "\n".join(out) + "\n"
