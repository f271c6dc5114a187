"""`sivreg docs --out DIR [--cases DIR]`: write the reviewers' reference (sivreg/docs_site)."""
from __future__ import annotations


def cmd_docs(args) -> int:
    from . import build_site
    files = build_site(args.out, cases_dir=args.cases)
    for f in files:  # the index of each language
        if f.name == "index.html":
            print(f)
    return 0


def register(sub) -> None:
    p = sub.add_parser("docs", help="write the reviewers' reference: one HTML page per rules module, nb and en")
    p.add_argument("--out", required=True, help="folder to write (DIR/nb/, DIR/en/)")
    p.add_argument("--cases", default=None, help="scenario cases folder (default: tests/cases of the checkout)")
    p.set_defaults(func=cmd_docs)
