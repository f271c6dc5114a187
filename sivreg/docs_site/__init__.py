"""The reviewers' reference: a static site, one page per rules module in bokmål and English,
giving each rule's sources, questions, conclusions, scenario cases and code
(`sivreg docs --out DIR`). `collect` gathers, `render` writes, `cli` wires the command."""
from __future__ import annotations

from .render import build_site

__all__ = ["build_site"]
