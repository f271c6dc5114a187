"""Shared wording for every renderer: answers, findings, steps and citations in nb or en,
all looked up in the rulebook (no user-facing text is written in Python)."""
from __future__ import annotations

from ..catalogue import UNKNOWN, Rulebook, rulebook


def t(key: str, lang: str, book: Rulebook | None = None, **args) -> str:
    text = (book or rulebook()).text(key, lang)
    return text.format(**args) if args else text


def answer_label(qid: str | None, value, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    if value is None:
        return t("answer.unanswered", lang, book)
    if value == UNKNOWN:
        return t("answer.unknown", lang, book)
    q = book.questions.get(qid) if qid else None
    if q is None:
        return str(value)
    if q.type == "bool":
        return t(f"answer.{value}", lang, book)
    labels = {o.value: o.label[lang] for o in q.options}
    if isinstance(value, (list, tuple)):
        return "; ".join(labels.get(v, str(v)) for v in value)
    return labels.get(value, str(value))


def finding_label(finding: str | None, lang: str, book: Rulebook | None = None) -> str:
    if not finding:
        return ""
    book = book or rulebook()
    try:
        return book.text(finding, lang)
    except KeyError:
        return finding


def value_label(topic: str, value, lang: str, book: Rulebook | None = None) -> str:
    if value is None:
        return "–"
    return finding_label(f"{topic}.{value}", lang, book)


def rule_label(rule: str, lang: str, book: Rulebook | None = None) -> str:
    book = book or rulebook()
    if rule.startswith("question."):
        q = book.questions.get(rule[len("question."):])
        return q.label[lang] if q else rule
    if rule.startswith("topic."):
        try:
            return book.text(rule, lang)
        except KeyError:
            return rule
    try:
        return book.text(rule, lang)
    except KeyError:
        return rule


def citation(ref: str, lang: str, book: Rulebook | None = None) -> dict:
    """{text, url, binding, certainty} for one reference id."""
    book = book or rulebook()
    r = book.references.get(ref)
    if r is None:
        return {"text": ref, "url": None, "binding": True, "certainty": "stated"}
    return {"text": r.citation(lang, book), "url": r.url, "binding": r.binding, "certainty": r.certainty}


def citations_text(refs, lang: str, book: Rulebook | None = None) -> str:
    """Citations joined, guidance marked as such and uncertain sources flagged."""
    book = book or rulebook()
    parts = []
    for ref in refs or ():
        c = citation(ref, lang, book)
        s = c["text"]
        if not c["binding"]:
            s += f" ({t('label.guidance', lang, book)})"
        if c["certainty"] == "uncertain":
            s += f" ({t('label.uncertain', lang, book)})"
        parts.append(s)
    return "; ".join(parts)
