"""What a report a person reads must not show: an internal id (a question, rule, reference,
message, obligation, action, period or checklist id), a placeholder left in braces, a Python
value (None, True, False), snake_case codes, and in a bokmål page English field words.
Used by the language/leak test (HTML, panel, Markdown) and the PDF tests (extracted text)."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import sivreg

# English words that showed up in bokmål reports (field names, codes) or that only English
# prose has; user-typed text is kept out of the checked documents.
ENGLISH = ("the", "and", "with", "must", "which", "Label", "Days", "Ref", "Value", "Design",
           "Components", "Periods", "Certainty", "stated", "inferred", "pending", "amended", "Details",
           "Studies", "Role", "Applies", "Deadline", "Source", "Sources", "Scenario: amended",
           "Not applicable", "Topic", "Checklist", "Obligations", "Next steps")
_TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.]*[A-Za-z0-9_]")
_PLACEHOLDER = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")
_PYTHON = re.compile(r"(?<![\w(])(?:True|False|None)(?=\s*(?:$|[;,.)\]|]))", re.M)
_CODE = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)+")


class _Text(HTMLParser):
    """The text a reader sees (and tooltips), without style and script."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self._skip = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("style", "script"):
            self._skip += 1
        for k, v in attrs:
            if k == "title" and v:
                self.parts.append(" " + v + " ")

    def handle_endtag(self, tag):
        if tag in ("style", "script"):
            self._skip -= 1
        elif tag in ("p", "li", "div", "dt", "dd", "td", "th", "h1", "h2", "h3", "br", "tr"):
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def visible_text(html: str) -> str:
    p = _Text()
    p.feed(html)
    return "".join(p.parts)


def _strings(value, keys=("id", "rule", "ref", "question", "finding", "action", "note_id")):
    """Ids in an assessment: values of id-like keys and every reference list."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in keys and isinstance(v, str):
                yield v
            elif k in ("refs", "missing", "holds_regardless_of", "blocks", "studies", "sources") and isinstance(v, list):
                yield from (x for x in v if isinstance(x, str))
            yield from _strings(v, keys)
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v, keys)


def known_ids(assessment: dict | None = None) -> set[str]:
    book = sivreg.rulebook()
    ids = set(book.questions) | set(book.rules) | set(book.references) | set(book.messages) | set(book.conclusions)
    if assessment is not None:
        ids |= set(_strings(assessment))
    return {i for i in ids if "." in i or "_" in i}


def problems(text: str, lang: str, ids: set[str], allowed: tuple[str, ...] = ()) -> list[str]:
    """Everything wrong in one document's visible text (empty when it reads clean)."""
    for a in allowed:  # user-typed text the caller put in on purpose
        text = text.replace(a, " ")
    out = []
    for tok in set(_TOKEN.findall(text)):
        tok = tok.rstrip(".")
        if tok in ids:
            out.append(f"raw id {tok!r}")
        elif _CODE.fullmatch(tok):
            out.append(f"code {tok!r}")
    out += [f"placeholder {m!r}" for m in set(_PLACEHOLDER.findall(text))]
    # (in English "None" is also an answer: checked in bokmål, where it can only be Python's)
    out += [f"Python value {m!r}" for m in set(_PYTHON.findall(text)) if lang == "nb" or m != "None"]
    if lang == "nb":
        for w in ENGLISH:
            if re.search(rf"(?<![\w-]){re.escape(w)}(?![\w-])", text):
                out.append(f"English {w!r}")
    return sorted(set(out))


def context(text: str, needle: str, width: int = 60) -> str:
    i = text.find(needle.split("'")[1]) if "'" in needle else -1
    return text[max(0, i - width): i + width].replace("\n", " ") if i >= 0 else ""
