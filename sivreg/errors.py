"""Errors sivreg raises for bad input or an unresolvable rulebook.

Every error a user can meet names the file, the line (when known), the field and what is
allowed, so the CLI can print it on one screen without a traceback.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in one input: where it is and what is wrong."""

    file: str
    line: int | None
    field: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        field = f" [{self.field}]" if self.field else ""
        return f"{where}{field}: {self.message}"


class SivregError(Exception):
    """Base class for every error meant for a user."""


class InputError(SivregError):
    """An input file (answers, rulebook) is malformed; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class RulebookError(InputError):
    """The rulebook data itself is inconsistent (unknown reference, missing translation)."""


class RuleConflict(SivregError):
    """Two exceptions apply at the same level and the law gives no priority between them
    (Catala-style default logic): the engine refuses to pick one silently."""

    def __init__(self, topic: str, rules: list[str], questions: list[str] | None = None):
        self.topic = topic
        self.rules = list(rules)
        # the answers that made the exceptions apply (sivreg/conflicts.py words them)
        self.questions = list(questions or [])
        asked = f" (answers to {', '.join(self.questions)})" if self.questions else ""
        super().__init__(
            f"{topic}: the exceptions {', '.join(rules)} both apply{asked} and the law gives no "
            "priority between them; these answers cannot all hold: change one of them"
        )
