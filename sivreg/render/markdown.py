"""Assessment -> Markdown report in nb or en: verdicts, reasoning with legal references
(guidance marked), obligations with dates, next steps, missing answers, rulebook version,
scenario, date and the decision-support notice. User-typed text is escaped."""
from __future__ import annotations

import re

from ..catalogue import Rulebook, rulebook
from ..model import TOPICS
from .text import answer_label, citations_text, finding_label, rule_label, t, value_label

_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-!|])")


_LINE_BREAKS = re.compile(r"\s*[\r\n]+\s*")


def _one_line(text) -> str:
    """User text on one line: a line break inside a list item or heading would let the next
    line start a heading or a list of its own (a description or a text answer may have them)."""
    return _LINE_BREAKS.sub(" ", str(text))


def md_escape(text) -> str:
    """Escape Markdown and HTML specials in text a user typed (HTML specials become
    entities, so no renderer can read them as tags)."""
    s = _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_SPECIAL.sub(r"\\\1", s)


_MD_INLINE = re.compile(r"([\\`*_\[\]])")


def md_text(text) -> str:
    """Escape a sentence for Markdown without cluttering it: HTML specials become entities
    and inline markup characters are backslash-escaped (notes can carry user text, e.g. a
    module title)."""
    s = _one_line(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MD_INLINE.sub(r"\\\1", s)


def step_line(step: dict, lang: str, book: Rulebook) -> str:
    parts = [rule_label(step["rule"], lang, book)]
    if step.get("question"):
        parts.append(f"→ {md_text(answer_label(step['question'], step.get('answer'), lang, book))}")
    if step.get("finding"):
        parts.append(f"→ **{finding_label(step['finding'], lang, book)}**")
    line = " ".join(parts)
    if step.get("note"):
        line += f" — {md_text(step['note'])}"
    refs = citations_text(step.get("refs"), lang, book)
    if refs:
        line += f" _[{refs}]_"
    if step["kind"] in ("not_applied",):
        line = f"~ {line}"
    return f"- {line}"


def _plain(value, lang: str, book: Rulebook, key: str | None = None) -> str:
    """An extra field's value as one line of text (ids shown by their label)."""
    from .html import coded_label
    if isinstance(value, dict) and set(value) <= {"nb", "en"} and lang in value:
        value = value[lang]
    if value is None:
        return "–"
    if isinstance(value, str):
        label = coded_label(key, value, lang, book)
        if label is None and value in book.rules:
            label = rule_label(value, lang, book)
        if label is None and value in book.references:
            label = citations_text([value], lang, book)
        return md_text(label if label is not None else value)
    if isinstance(value, (list, tuple)):
        return "; ".join(_plain(v, lang, book, key) for v in value) or "–"
    if isinstance(value, dict):
        if "EU" in value or "NO" in value:
            return "; ".join(f"{j}: {(value.get(j) or {}).get('date') or t('label.pending', lang, book)}"
                             for j in ("EU", "NO") if j in value)
        return ", ".join(f"{k}: {_plain(v, lang, book, k)}" for k, v in value.items()
                         if k not in ("trace", "refs") and v not in (None, [], {}))
    return md_text(value)


def extra_lines(outcome: dict, lang: str, book: Rulebook) -> list[str]:
    """Fields a rule adds to an outcome (basis, role, rules, studies, ...), generically."""
    from .html import key_label
    lines = [f"- **{md_text(key_label(k, lang, book))}:** {_plain(v, lang, book, k)}"
             for k, v in outcome.items()
             if k not in ("status", "value", "missing", "trace") and v not in (None, "", [], {})]
    return lines + [""] if lines else []


def to_markdown(assessment, lang: str | None = None, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    a = assessment.to_dict() if hasattr(assessment, "to_dict") else assessment
    lang = lang or a["lang"]
    out = [f"# {md_escape(a['project']['title'])}", ""]
    out.append(f"_{t('notice.decision_support', lang, book)}_")
    out.append("")
    if a.get("text_cleaned"):  # sivreg.textclean: invisible or bidi characters were removed
        tc = a["text_cleaned"]
        out += [f"**{t('label.text_cleaned', lang, book)}.** {md_text(tc.get('note') or t('note.text_cleaned', lang, book))} "
                f"{md_text(', '.join(tc.get('fields') or ()))}", ""]
    meta = [(t("label.project_id", lang, book), md_escape(a["project"]["id"])),
            (t("label.as_of", lang, book), a["as_of"]),
            (t("label.jurisdiction", lang, book), a["jurisdiction"]),
            (t("label.rulebook", lang, book), f"{a['rulebook']['version']} ({a['rulebook']['sha256'][:12]})"),
            (t("label.scenario", lang, book), a["rulebook"].get("scenario") or "–"),
            (t("label.status", lang, book), t("status." + a["status"], lang, book))]
    if a.get("scenario"):
        meta.append((t("label.legal_status", lang, book), a["scenario"]["legal_status"]))
    out += [f"- **{k}:** {v}" for k, v in meta]
    out += ["", f"## {t('label.verdicts', lang, book)}", ""]
    out.append(f"| {t('label.topic', lang, book)} | {t('label.result', lang, book)} | {t('label.status', lang, book)} |")
    out.append("|---|---|---|")
    for topic in TOPICS:
        o = a["outcomes"][topic]
        status = t("status." + o["status"], lang, book)
        out.append(f"| {t('topic.' + topic, lang, book)} | {value_label(topic, o['value'], lang, book)} | {status} |")
    if a["missing"]:
        out += ["", f"## {t('label.missing', lang, book)}", ""]
        for qid in a["missing"]:
            q = book.questions.get(qid)
            out.append(f"- `{qid}`: {q.label[lang] if q else qid}")
    if a.get("actions"):
        out += ["", f"## {t('label.actions', lang, book)}", ""]
        for i, act in enumerate(a["actions"], 1):
            line = f"{i}. {md_text(act['label'])}"
            if act.get("recipient"):
                line += f" ({md_text(act['recipient'])})"
            if act.get("due"):
                line += f" — {t('label.due', lang, book)} {act['due']}"
            refs = citations_text(act.get("refs"), lang, book)
            out.append(line + (f" _[{refs}]_" if refs else ""))
    if a.get("obligations"):
        out += ["", f"## {t('label.obligations', lang, book)}", ""]
        for ob in a["obligations"]:
            line = f"- {md_text(ob['label'])}"
            af = ob.get("applies_from")
            if af:
                eu, no = af.get("EU", {}), af.get("NO", {})
                line += (f" — EU: {eu.get('date') or t('label.pending', lang, book)}; "
                         f"NO: {no.get('date') or t('label.pending', lang, book)}")
                if no.get("note"):
                    line += f" ({md_text(no['note'])})"
            refs = citations_text(ob.get("refs"), lang, book)
            out.append(line + (f" _[{refs}]_" if refs else ""))
    out += ["", f"## {t('label.reasoning', lang, book)}", ""]
    for topic in TOPICS:
        o = a["outcomes"][topic]
        out += [f"### {t('topic.' + topic, lang, book)}: {value_label(topic, o['value'], lang, book)}", ""]
        out += extra_lines(o, lang, book)
        out += [step_line(s, lang, book) for s in o["trace"]]
        out.append("")
    out.append(f"_{t('label.legend', lang, book)}_")
    return "\n".join(out) + "\n"
