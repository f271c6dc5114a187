"""Assessment -> Markdown report in nb or en, from the same document model as the HTML and PDF
reports (`document.build`): the first page (verdicts with `depends` as branches, the next
steps, what is open or uncertain), one section per step of SiV's guideline with its reasoning,
duties and documents, studies, modules and branches as nested lists, the checklist and the
declaration draft once each. User-typed text is escaped."""
from __future__ import annotations

import re

from ..catalogue import Rulebook, rulebook
from . import document
from .text import t

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|])")
_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")
_MD_INLINE = re.compile(r"([\\`*_\[\]])")


def _one_line(text) -> str:
    """User text on one line: a line break inside a list item or heading would let the next
    line start a heading or a list of its own (a description or a text answer may have them)."""
    return _LINE_BREAKS.sub(" ", str(text))


def md_escape(text) -> str:
    """Escape Markdown and HTML specials in text a user typed (HTML specials become
    entities, so no renderer can read them as tags)."""
    s = _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


def md_text(text) -> str:
    """Escape a sentence for Markdown without cluttering it: HTML specials become entities
    and inline markup characters are backslash-escaped (notes can carry user text, e.g. a
    module title)."""
    s = _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_INLINE.sub(r"\\\1", s)


def _cites(cites, lang, book) -> str:
    parts = []
    for c in cites or ():
        s = c["short"] or c["text"]
        if not c["binding"]:
            s += f" ({t('label.guidance', lang, book)})"
        if c["uncertain"]:
            s += f" ({t('label.uncertain', lang, book)})"
        parts.append(s)
    return f" _[{md_text('; '.join(parts))}]_" if parts else ""


def _dates(ds, lang, book) -> str:
    parts = []
    for d in ds or ():
        s = f"{d['jurisdiction']}: {d['text']}"
        if d.get("state"):
            s += f" ({d['state']})"
        if d.get("note"):
            s += f" — {d['note']}"
        parts.append(s)
    return md_text("; ".join(parts))


def _details(details, lang, book, depth: int) -> list[str]:
    pad = "  " * depth
    out = []
    for x in details or ():
        line = f"{pad}- **{md_text(x['label'])}:**"
        if x.get("text"):
            line += f" {md_text(x['text'])}"
        if x.get("dates"):
            line += f" {_dates(x['dates'], lang, book)}"
        line += _cites(x.get("cites"), lang, book)
        out.append(line)
        for e in x.get("entries") or ():
            out.append(f"{pad}  - {md_text(e)}")
        for s in x.get("studies") or ():
            out += _study(s, lang, book, depth + 1)
    return out


def _study(s, lang, book, depth: int) -> list[str]:
    pad = "  " * depth
    out = [f"{pad}- **{md_text(s['title'])}:** {md_text(s['verdict'])}"]
    if s.get("depends"):
        out.append(f"{pad}  - {md_text(s['depends'])}")
    return out + _details(s.get("details"), lang, book, depth + 1)


def _verdict(v, lang, book, detail: bool = False) -> list[str]:
    colon = "" if v["topic_label"].endswith("?") else ":"
    out = [f"- **{md_text(v['topic_label'])}{colon}** {md_text(v['text'])} ({md_text(v['status_label'])})"]
    if v.get("depends"):
        out.append(f"  - {md_text(v['depends'])}")
    out += [f"  - {md_text(r)}" for r in v.get("regardless") or ()]
    out += [f"  - {md_text(f['label'])}: {md_text(f['text'])}" for f in v.get("field_branches") or ()]
    out += [f"  - {md_text(m['title'])}: {md_text(m['text'])}" for m in v.get("modules") or ()]
    if detail:
        for b in v.get("branch_detail") or ():
            out.append(f"  - **{md_text(b['value'])}:** {t('doc.if', lang, book)} "
                       + md_text(t("doc.or_if", lang, book).join(b["conditions"])))
    return out


def _duty(d, lang, book, bullet="-", details=True) -> list[str]:
    line = f"{bullet} {md_text(d['label'])}"
    if d.get("uncertain"):
        line += f" ({t('report.uncertain', lang, book)})"
    if d.get("recipient"):
        line += f" ({t('report.recipient', lang, book)}: {md_text(d['recipient'])})"
    if d.get("due"):
        line += f" — {t('label.due', lang, book)} {d['due']}"
        if d.get("overdue"):
            line += f" **({t('doc.overdue', lang, book)})**"
    if d.get("role"):
        line += f" ({t('report.role', lang, book)}: {md_text(d['role'])})"
    out = [line + (_cites(d.get("cites"), lang, book) if details else "")]
    if d.get("conditional"):
        out.append(f"  - _{md_text(d['conditional'])}_")
    if not details:
        return out
    if d.get("note"):
        out.append(f"  - {md_text(d['note'])}")
    if d.get("dates"):
        out.append(f"  - {t('report.applies_from', lang, book)}: {_dates(d['dates'], lang, book)}")
    if d.get("checklist"):
        out.append(f"  - {t('doc.see_checklist', lang, book)}")
    return out + _details(d.get("details"), lang, book, 1)


def _steps(steps, lang, book) -> list[str]:
    out = []
    for i, s in enumerate(steps, 1):
        line = f"{i}. {'~ ' if s['not_applied'] else ''}{md_text(s['text'])}"
        if s.get("uncertain"):
            line += f" ({t('report.uncertain', lang, book)})"
        if s.get("note"):
            line += f" — {md_text(s['note'])}"
        out.append(line + ("" if s.get("cites_below") else _cites(s.get("cites"), lang, book)))
    return out


def to_markdown(assessment, lang: str | None = None, book: Rulebook | None = None, project=None) -> str:
    book = book or rulebook()
    a = assessment.to_dict() if hasattr(assessment, "to_dict") else assessment
    lang = lang or a.get("lang") or "nb"
    doc = document.build(a, lang, book, project)
    meta = doc["meta"]
    T = lambda key, **kw: t(key, lang, book, **kw)  # noqa: E731
    out = [f"# {md_escape(meta['title'])}", "", f"_{md_text(meta['notice'])}_", ""]
    if meta.get("cleaned"):  # sivreg.textclean: invisible or bidi characters were removed
        c = meta["cleaned"]
        out += [f"**{md_text(c['label'])}.** {md_text(c['note'])} {md_text(c['fields'])}", ""]
    rows = [(T("label.project_id"), md_escape(meta["project_id"]))]
    if meta["owner"]:
        rows.append((T("report.owner"), md_escape(meta["owner"])))
    rows += [(T("label.as_of"), meta["as_of"] + (f" {T('report.as_of_today')}" if meta["as_of_today"] else "")),
             (T("label.jurisdiction"), meta["jurisdiction"]),
             (T("label.rulebook"), f"{meta['rulebook']} ({meta['rulebook_sha']})"),
             (T("label.scenario"), md_text(meta["scenario"])),
             (T("label.status"), meta["status_label"])]
    if meta["scenario_status"]:
        rows.append((T("label.legal_status"), md_text(meta["scenario_status"])))
    out += [f"- **{k}:** {v}" for k, v in rows]
    out += ["", f"## {T('label.verdicts')}", ""]
    for v in doc["verdicts"]:
        out += _verdict(v, lang, book)
    out += ["", f"## {T('doc.next_steps', n=len(doc['next_steps']))}", ""]
    for i, d in enumerate(doc["next_steps"], 1):
        out += _duty(d, lang, book, f"{i}.", details=False)
    if not doc["next_steps"]:
        out.append(T("report.none"))
    out += ["", f"## {T('doc.open_h')}", ""]
    if doc["open"]:
        out.append(f"{T('label.missing')}:")
        out.append("")
        for o in doc["open"]:
            line = f"- «{md_text(o['question'])}»"
            if o["unknown"]:
                line += f" ({T('doc.answered_unknown')})"
            if o["blocks"]:
                line += f" — {T('doc.blocks', names=md_text(o['blocks']))}"
            out.append(line)
    else:
        out.append(T("doc.nothing_open"))
    if doc["uncertain"]:
        out += ["", f"{T('doc.uncertain_h')}:", ""]
        out += [f"- {md_text(u['label'])}" for u in doc["uncertain"]]
    for s in doc["sections"]:
        out += ["", f"## {md_text(s['title'])}", ""]
        if s["guideline"]:
            out += [f"_{s['guideline']}_", ""]
        if s["intro"]:
            out += [s["intro"], ""]
        for v in s["verdicts"]:
            out += _verdict(v, lang, book, detail=True)
        out += _details(s["facts"], lang, book, 0)
        if s["reasoning"]:
            out += ["", f"### {T('doc.reasoning')}", ""] + _steps(s["reasoning"], lang, book)
        if s["duty_groups"]:
            out += ["", f"### {T('label.obligations')}", ""]
            for g in s["duty_groups"]:
                for d in g["entries"]:
                    out += _duty(d, lang, book)
        if s["actions"]:
            out += ["", f"### {T('doc.todo')}", ""]
            for d in s["actions"]:
                out += _duty(d, lang, book)
        if s["empty"]:
            out.append(T("doc.step_nothing"))
    if doc["modules"]:
        out += ["", f"## {T('report.modules')}", ""]
        out += [f"- **{md_text(m['title'])}:** {md_text(m['text'])}" for m in doc["modules"]]
    letters = iter("ABCDEF")
    if doc["checklist"]:
        out += ["", f"## {T('doc.appendix', letter=next(letters))}: {T('doc.checklist_h')}", ""]
        for i in doc["checklist"]["entries"]:
            out.append(f"- [ ] {md_text(i['label'])}{_cites(i['cites'], lang, book)}")
            out += [f"  - {md_text(x)}" for x in i["also"]]
    if doc["declaration"]:
        out += ["", f"## {T('doc.appendix', letter=next(letters))}: {T('doc.declaration_h')}", ""]
        out += [f"> {md_text(p)}\n>" for p in doc["declaration"]["text"].split("\n\n")]
        if doc["declaration"]["to_complete"]:
            out += ["", f"{T('doc.to_complete')}: {md_text('; '.join(doc['declaration']['to_complete']))}"]
    out += ["", f"## {T('doc.appendix', letter=next(letters))}: {T('doc.trace_h')}", ""]
    for tr in doc["trace"]:
        out += ["", f"### {md_text(tr['topic_label'])}: {md_text(tr['text'])}", ""] + _steps(tr["steps"], lang, book)
    out += ["", f"_{T('label.legend')}_ _{T('report.legend')}_", ""]
    return "\n".join(out) + "\n"
