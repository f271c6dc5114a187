"""Write the reviewers' reference (`sivreg docs --out DIR`): DIR/<lang>/index.html, one page
per rules module (DIR/<lang>/<module>.html, each rule a section whose id is the rule id),
DIR/<lang>/cases.html (each scenario case a section, linked from the rules it tests), in nb
and en. Every text comes from the rulebook (messages/docs.yaml and the rulebook's own labels);
Jinja2 autoescapes every value; the pages carry their stylesheet inline and load nothing.
"""
from __future__ import annotations

import json
from pathlib import Path

import jinja2

from .. import __version__
from ..catalogue import LANGS, Rulebook, rulebook
from .collect import Site, collect

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"


def _env() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                              undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)


def _text(book: Rulebook, key: str, lang: str) -> str:
    try:
        return book.text(key, lang)
    except KeyError:  # a finding or rule id without a text: the id itself
        return key


def _compact(value) -> str:
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(", ", ": "))
    return str(value)


def _ref(book: Rulebook, rid: str, lang: str, t) -> dict:
    if rid not in book.references:
        return {"citation": rid, "title": "", "url": None, "binding": False, "kind": "", "certainty": "", "note": ""}
    ref = book.references[rid]
    root = book.references[ref.parent] if ref.parent else ref
    return {"citation": book.citation(rid, lang), "title": root.title[lang] if root.title else "",
            "url": ref.url, "binding": ref.binding, "kind": t("docs.binding" if ref.binding else "docs.guidance"),
            "certainty": "" if ref.certainty == "stated" else t(f"docs.certainty.{ref.certainty}"),
            "note": ref.note[lang] if ref.note else ""}


def _question(book: Rulebook, qid: str, lang: str, t) -> dict:
    q = book.questions.get(qid)
    if q is None:
        return {"id": qid, "label": qid, "help": "", "options": [], "kind": "", "study": ""}
    if q.type == "bool":
        options = [(v, book.text(f"answer.{v}", lang)) for v in ("yes", "no")]
    else:
        options = [(o.value, o.label[lang]) for o in q.options]
    kind = t(f"docs.qtype.{q.type}") if q.type in ("text", "date", "number", "multi") else ""
    return {"id": qid, "label": q.label[lang], "help": q.help[lang], "options": options, "kind": kind,
            "study": t("docs.study_question") if q.place == "study" else ""}


def _expected(case, topics) -> list[tuple[str, str]]:
    d = case.data
    if "expect_error" in d:
        return [("", "")]  # shown as the expected error
    expect = d.get("expect") or {}
    shown = {k: v for k, v in expect.items() if k in topics} or expect
    return [(k, _compact(v)) for k, v in shown.items()]


def page_models(site: Site, book: Rulebook, lang: str) -> dict:
    """What the templates show, every text already in `lang`."""
    def t(key, **args):
        text = book.text(key, lang)
        return text.format(**args) if args else text

    cases = {c.id: c for c in site.cases}
    rules = {}
    for rid, r in site.rules.items():
        info = book.rules.get(rid, {})
        rules[rid] = {
            "id": rid, "page": r.page, "label": info["label"][lang] if info else _text(book, rid, lang),
            "certainty": "" if info.get("certainty", "stated") == "stated" else t(f"docs.certainty.{info['certainty']}"),
            "note": info["note"][lang] if info.get("note") else "",
            "refs": [_ref(book, x, lang, t) for x in info.get("refs", ())],
            "questions": [_question(book, q, lang, t) for q in r.questions],
            "questions_from_code": r.questions_from_code,
            "findings": [_text(book, f, lang) for f in r.findings],
            "cases": [{"anchor": cases[cid].anchor, "name": cases[cid].name, "source": cases[cid].source,
                       "error": cases[cid].data.get("expect_error"), "expected": _expected(cases[cid], topics)}
                      for cid, topics in r.cases.items() if cid in cases],
            "places": [{"file": p.file, "line": p.line, "page": p.module, "primary": p.module == r.page}
                       for p in r.places]}
    pages = []
    for key, p in site.pages.items():
        if p.kind == "module":
            title = t("docs.module_title", module=key)
        elif p.kind == "outside":
            title = t("docs.outside_title", file=p.file)
        else:
            title = t("docs.unplaced_title")
        sources: list[str] = []  # the laws and guidance documents its rules rest on
        for r in p.rules:
            for x in book.rules.get(r.id, {}).get("refs", ()):
                ref = book.references.get(x)
                root = book.references[ref.parent] if ref and ref.parent else ref
                if root and root.short[lang] not in sources:
                    sources.append(root.short[lang])
        pages.append({"key": key, "file": p.file, "kind": p.kind, "title": title, "doc": p.doc,
                      "rules": [rules[r.id] for r in p.rules], "sources": sources})
    case_models = [{"anchor": c.anchor, "id": c.id, "name": c.name, "source": c.source, "file": c.file,
                    "line": c.line, "error": c.data.get("expect_error"),
                    "answers": [(k, _compact(v)) for k, v in (c.data.get("answers") or {}).items()],
                    "expected": [(k, _compact(v)) for k, v in (c.data.get("expect") or {}).items()],
                    "rules": [{"id": x, "page": site.rules[x].page} for x in c.rules if x in site.rules]}
                   for c in site.cases]
    return {"pages": pages, "rules": rules, "cases": case_models}


def build_site(out: str | Path, book: Rulebook | None = None, cases_dir: str | Path | None = None) -> list[Path]:
    """Write the site into `out` (created if needed); returns the files written."""
    from ..io import atomic_write
    book = book or rulebook()
    site = collect(book, Path(cases_dir) if cases_dir else None)
    env = _env()
    css = (HERE / "site.css").read_text(encoding="utf-8")
    out = Path(out)
    written = []
    for lang in LANGS:
        other = next(x for x in LANGS if x != lang)

        def t(key, **args):
            text = book.text(key, lang)
            return text.format(**args) if args else text

        m = page_models(site, book, lang)
        common = {"t": t, "lang": lang, "other": other, "css": css, "pages": m["pages"],
                  "version": __version__, "rulebook": book.version, "sha": book.sha256[:12],
                  "cases_found": site.cases_found}
        files = {"index.html": env.get_template("index.html.j2").render(
                     **common, page_key="index", all_rules=sorted(m["rules"].values(), key=lambda r: r["id"])),
                 "cases.html": env.get_template("cases.html.j2").render(**common, page_key="cases", cases=m["cases"])}
        for page in m["pages"]:
            files[f"{page['key']}.html"] = env.get_template("module.html.j2").render(
                **common, page_key=page["key"], page=page)
        for name, html in files.items():
            path = out / lang / name
            atomic_write(path, html)
            written.append(path)
    return written
