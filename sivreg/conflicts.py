"""Answers that cannot hold together: a `RuleConflict` reached from the answers (two
exceptions apply and the law gives no priority, for example software that is both an
Annex XVI product and an accessory, MDCG 2019-11 §3.3 step 2) is said to the user as
"these answers cannot hold at the same time: ... change one of them", naming the questions,
with the file, line and field of each answer where the answers come from a file.
"""
from __future__ import annotations

from pathlib import Path

from . import yamlstrict
from .errors import Problem, RuleConflict


def conflict_message(exc: RuleConflict, lang: str, book) -> str:
    """One sentence naming the answers that conflict."""
    def label(q):
        question = book.questions.get(q)
        return f"«{question.label[lang]}»" if question is not None else q
    names = ", ".join(label(q) for q in exc.questions) or ", ".join(book.text(r, lang) for r in exc.rules)
    return book.text("input.conflict", lang).format(questions=names)


def conflict_problems(exc: RuleConflict, source: str | Path, lang: str, book) -> list[Problem]:
    """The conflict as problems of the answers file: one per answer involved, with its line."""
    message = conflict_message(exc, lang, book)
    lines = _answer_lines(source)
    qids = exc.questions or [""]
    return [Problem(str(source), lines.get(q), f"answers.{q}" if q else "answers", message) for q in qids]


def _answer_lines(source) -> dict:
    """question id -> the line of its answer in the file (top level, modules or studies)."""
    try:
        data = yamlstrict.load_file(Path(source))
    except Exception:  # the file loaded once already; a line number is a courtesy
        return {}
    out = {}

    def scan(answers):
        if hasattr(answers, "line_of"):
            for k in answers:
                out.setdefault(k, answers.line_of(k))

    if isinstance(data, dict):
        scan(data.get("answers") or {})
        for part in (data.get("modules") or []) + (data.get("studies") or []):
            if isinstance(part, dict):
                scan(part.get("answers") or {})
    return out
