"""Invisible characters in free text: cleaned on input, escaped on a terminal.

Bidirectional controls (U+202A-U+202E embeddings and overrides, U+2066-U+2069 isolates,
the marks U+200E, U+200F, U+061C) reorder what a reader sees: a title "Rapport \\u202egpj.exe"
shows as "Rapport exe.jpg" on the page, in the reports and in a spreadsheet (the "Trojan
Source" trick, CVE-2021-42574). Zero-width and other invisible format characters (U+200B-U+200D,
U+2060-U+2064, U+FEFF, U+180E, U+00AD, the tag characters U+E0000-U+E007F) make two texts
that look the same differ, or hide text. A hospital's titles, owners, descriptions and text
answers need none of them, so every one is removed when a free text is read (answers files,
the dashboard's fields, uploads) and the assessment says which fields were cleaned.

Decision: remove rather than escape. An escaped "\\u202e" in a report would be noise to a
reader; removal keeps the visible text exactly as it looked in the editor minus the trick.
The price is that an emoji joined with U+200D falls apart into its pieces.

`for_terminal` is for names printed on a terminal (a file name may hold escape sequences):
control and invisible characters become visible escapes (\\x1b, \\u202e).
"""
from __future__ import annotations

import re
import unicodedata

# Every character of general category Cf (format) is invisible by definition; the list is
# written out so that a reader sees what goes (and a newer Unicode cannot widen it unseen).
_INVISIBLE = (
    "\u00ad"                      # soft hyphen
    "\u061c"                      # Arabic letter mark (bidi)
    "\u180e"                      # Mongolian vowel separator
    "\u200b\u200c\u200d"          # zero-width space, non-joiner, joiner
    "\u200e\u200f"                # left-to-right / right-to-left mark (bidi)
    "\u202a\u202b\u202c\u202d\u202e"  # embeddings, pop, overrides (bidi)
    "\u2060\u2061\u2062\u2063\u2064"  # word joiner, invisible operators
    "\u2066\u2067\u2068\u2069"    # isolates (bidi)
    "\ufeff"                      # zero-width no-break space (BOM inside text)
)
_CLEAN = re.compile(f"[{_INVISIBLE}\U000e0000-\U000e007f]")


def clean(text: str) -> tuple[str, bool]:
    """The text without bidirectional controls and invisible characters, and whether any
    were removed."""
    out = _CLEAN.sub("", text)
    return out, out != text


def has_invisible(text: str) -> bool:
    return bool(_CLEAN.search(text))


def for_terminal(text, keep_newlines: bool = False) -> str:
    """A text safe to print: control, format and unassigned-surrogate characters shown as
    escapes (ESC as \\x1b, U+202E as \\u202e), so a file name cannot act on the screen."""
    text = str(text)
    out = []
    for ch in text:
        cat = unicodedata.category(ch)
        if keep_newlines and ch in "\n\t":
            out.append(ch)
        elif cat in ("Cc", "Cf", "Cs") or _CLEAN.match(ch):
            code = ord(ch)
            out.append(f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}")
        else:
            out.append(ch)
    return "".join(out)
