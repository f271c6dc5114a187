"""The reviewers' reference (`sivreg docs`, sivreg/docs_site/): built into a temporary folder,
one page per rules module in nb and en; every rule id is a section exactly once; every
scenario case is linked from a rule page; the code locations point at the rule id; the pages
load nothing from elsewhere, escape what they show and take every text from the rulebook."""
import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

import sivreg
from sivreg.docs_site import build_site
from sivreg.docs_site.collect import CTX_CALLS, case_anchor, case_project, read_cases

import scenario_cases

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p.stem for p in (ROOT / "sivreg" / "rules").glob("*.py") if p.name != "__init__.py")
TEMPLATES = sorted((ROOT / "sivreg" / "docs_site" / "templates").glob("*.j2"))
SECTION = re.compile(r'<section class="rule" id="([^"]+)">(.*?)</section>', re.S)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    out = tmp_path_factory.mktemp("docs")
    build_site(out)
    return out


def rule_pages(site, lang):
    return {p.stem: p.read_text(encoding="utf-8") for p in (site / lang).glob("*.html")
            if p.name not in ("index.html", "cases.html")}


def code_rule_ids() -> set[str]:
    """The rulebook's rule ids and those the rules modules pass to ctx calls."""
    ids = set(sivreg.rulebook().rules)
    for p in (ROOT / "sivreg" / "rules").glob("*.py"):
        for node in ast.walk(ast.parse(p.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "attr", "") in CTX_CALLS and node.args
                    and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
                ids.add(node.args[0].value)
    return ids


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_a_page_per_rules_module_and_every_rule_once(site, lang):
    for m in MODULES:
        assert (site / lang / f"{m}.html").is_file(), m
    assert (site / lang / "index.html").is_file() and (site / lang / "cases.html").is_file()
    seen: dict[str, list] = {}
    for name, html in rule_pages(site, lang).items():
        for rid, _ in SECTION.findall(html):
            seen.setdefault(rid, []).append(name)
    twice = {r: p for r, p in seen.items() if len(p) > 1}
    assert not twice, twice
    missing = code_rule_ids() - set(seen)
    assert not missing, f"rule ids without a section: {sorted(missing)}"
    index = (site / lang / "index.html").read_text(encoding="utf-8")
    for rid, pages in seen.items():
        assert f'href="{pages[0]}.html#{rid}"' in index, rid


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_every_scenario_case_is_linked_from_a_rule_page(site, lang):
    cases = scenario_cases.collect()
    assert len(cases) > 100
    pages = "\n".join(rule_pages(site, lang).values())
    listing = (site / lang / "cases.html").read_text(encoding="utf-8")
    unlinked = []
    for c in cases:
        anchor = case_anchor(c.id)
        assert f'id="{anchor}"' in listing, c.id
        if f'href="cases.html#{anchor}"' not in pages:
            unlinked.append(c.id)
    assert not unlinked, unlinked


def test_the_cases_are_assessed_from_the_same_answers_file_as_the_harness():
    book = sivreg.rulebook()
    mine = {c.id: c for c in read_cases(scenario_cases.CASES_DIR)}
    for c in scenario_cases.collect():
        from dataclasses import replace
        assert replace(case_project(mine[c.id], book), source="") == replace(scenario_cases.project_of(c), source=""), c.id


def test_sections_show_sources_and_code_that_names_the_rule(site):
    book = sivreg.rulebook()
    checked = 0
    for html in rule_pages(site, "en").values():
        for rid, body in SECTION.findall(html):
            for ref in book.rules.get(rid, {}).get("refs", ()):
                r = book.references[ref]
                assert book.citation(ref, "en").replace("&", "&amp;") in body.replace("&#39;", "'"), (rid, ref)
                if r.url:
                    assert f'href="{r.url.replace("&", "&amp;")}"' in body, (rid, ref)
            for file, line in re.findall(r"<code>(sivreg/[\w/]+\.py):(\d+)</code>", body):
                text = (ROOT / file).read_text(encoding="utf-8").splitlines()[int(line) - 1]
                family = rid.rsplit(".", 1)[0] + "."
                assert rid in text or family in text, (rid, file, line, text)
                checked += 1
    assert checked > 150


def test_nb_and_en_differ_and_link_to_each_other(site):
    book = sivreg.rulebook()
    for lang, other in (("nb", "en"), ("en", "nb")):
        html = (site / lang / "mdr_annex_viii.html").read_text(encoding="utf-8") if "mdr_annex_viii" in MODULES \
            else (site / lang / f"{MODULES[0]}.html").read_text(encoding="utf-8")
        assert f'<html lang="{lang}">' in html
        assert book.text("docs.references", lang) in html
        assert f'href="../{other}/' in html


def test_pages_load_nothing_from_elsewhere(site):
    for p in site.rglob("*.html"):
        html = p.read_text(encoding="utf-8")
        assert "<script" not in html and "<link" not in html and "@import" not in html, p
        assert not re.search(r"\bsrc\s*=", html) and "url(" not in html, p


def test_every_template_text_comes_from_the_rulebook():
    book = sivreg.rulebook()
    keys = set()
    for tpl in TEMPLATES:
        text = tpl.read_text(encoding="utf-8")
        keys |= set(re.findall(r't\("([a-z_.]+)"', text))
        bare = re.sub(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", " ", text, flags=re.S)
        bare = re.sub(r"<[^>]*>", " ", bare)
        words = re.findall(r"[A-Za-zÆØÅæøå]{2,}", bare)
        assert not words, f"{tpl.name}: text outside the rulebook: {words[:10]}"
    src = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "sivreg" / "docs_site").glob("*.py"))
    keys |= set(re.findall(r'"(docs\.[a-z_.]+[a-z_])"', src))
    keys |= {f"docs.certainty.{c}" for c in ("inferred", "uncertain")}
    keys |= {f"docs.qtype.{k}" for k in ("text", "date", "number", "multi")}
    for key in sorted(keys):
        for lang in ("nb", "en"):
            assert book.text(key, lang).strip(), (key, lang)


def test_hostile_case_text_is_escaped_and_the_cli_builds(tmp_path):
    cases = tmp_path / "cases" / "hostile"
    cases.mkdir(parents=True)
    book = sivreg.rulebook()
    qid = next(q.id for q in book.questions.values() if q.type == "bool")
    (cases / "x.yaml").write_text(
        f'- name: "<script>alert(1)</script>"\n  source: "<img src=x onerror=alert(2)>"\n'
        f"  answers: {{{qid}: yes}}\n  expect: {{status: '<b>'}}\n", encoding="utf-8")
    out = tmp_path / "site"
    r = subprocess.run([sys.executable, "-m", "sivreg.cli", "docs", "--out", str(out), "--cases", str(tmp_path / "cases")],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert str(out / "nb" / "index.html") in r.stdout
    for p in out.rglob("*.html"):
        html = p.read_text(encoding="utf-8")
        assert "<script>" not in html and "<img" not in html and "<b>'" not in html, p
    listing = (out / "en" / "cases.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing


def test_codeowners_names_the_rulebook_and_the_rules():
    files = [ROOT / "CODEOWNERS", ROOT / ".github" / "CODEOWNERS"]
    text = "\n".join(f.read_text(encoding="utf-8") for f in files if f.is_file())
    entries = {line.split()[0]: line.split()[1:] for line in text.splitlines()
               if line.strip() and not line.startswith("#")}
    for path in ("/sivreg/rulebook/", "/sivreg/rules/"):
        assert entries.get(path) and all(o.startswith("@") for o in entries[path]), path
