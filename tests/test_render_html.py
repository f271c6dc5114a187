"""The HTML report and the dashboard's result panel: self-contained, nb/en, user text
escaped, law and guidance told apart, uncertain sources flagged, extra fields shown."""
from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest

import sivreg
from sivreg.model import Answers, Project
from sivreg.render.html import (citation_html, css, esc, fields_html, obligations_html, panel_html,
                                to_html, verdict_text)

from conftest import ROOT

AS_OF = "2026-11-26"
HOSTILE = '<script>alert(1)</script><img src=x onerror="alert(2)">&amp;'


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs += [(tag, k, v) for k, v in attrs]


def parse(html: str) -> _Tags:
    p = _Tags()
    p.feed(html)
    return p


def sepsis(lang="nb", **changes):
    p = sivreg.load(ROOT / "parameters" / "sepsis-icu.yaml")
    if changes:
        p = Project(**{**p.__dict__, **changes})
    return p, sivreg.assess(p, as_of=AS_OF, lang=lang)


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_report_is_self_contained_and_prints(lang):
    p, a = sepsis(lang)
    html = to_html(a, project=p)
    tags = parse(html)
    # no scripts, no linked styles, fonts or images: one file that works offline
    assert not {"script", "link", "img", "iframe", "object", "embed"} & set(tags.tags)
    assert not [x for x in tags.attrs if x[1] in ("src", "srcset") or (x[1] == "style" and "url(" in (x[2] or ""))]
    assert "@import" not in html and "url(" not in css()
    assert "@media print" in html
    assert html.startswith("<!DOCTYPE html>") and f'<html lang="{lang}">' in html and '<meta charset="utf-8">' in html
    # links only to the sources themselves
    hrefs = [v for t, k, v in tags.attrs if k == "href"]
    assert hrefs and all(h.startswith("https://") for h in hrefs)


def test_report_contents_in_both_languages():
    book = sivreg.rulebook()
    for lang, words in (("nb", ["Konklusjoner", "Klasse IIb", "beslutningsstøtte", "Regelbokversjon"]),
                        ("en", ["Verdicts", "Class IIb", "decision support", "Rulebook version"])):
        p, a = sepsis(lang)
        html = to_html(a, project=p)
        for w in words:
            assert w in html, (lang, w)
        assert esc(p.title) in html and a.as_of in html and a.rulebook["version"] in html
        assert book.text("doc.reasoning", lang) in html
        for step in ("understand", "classify", "clinical", "documentation", "conformity", "language",
                     "post_market", "ai_act"):  # SiV's guideline §3.3 steps 1-7, then §3.4
            assert esc(book.text(f"doc.step.{step}", lang)) in html
        assert esc(book.text("report.answers", lang)) in html
        # every step of the reasoning is there
        for topic, o in a.to_dict()["outcomes"].items():
            assert esc(verdict_text(topic, o, lang)) in html
        assert html.count('<li class="sv-') >= sum(len(o.trace) for o in a.outcomes.values())


def test_user_text_is_escaped_everywhere():
    p, a = sepsis("en", title=HOSTILE, owner=HOSTILE, id="x")
    for html in (to_html(a, project=p), panel_html(a)):
        tags = parse(html)
        assert "script" not in tags.tags and "img" not in tags.tags
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
        assert "&amp;amp;" in html  # an entity typed by the user stays text


def test_module_titles_in_the_trace_are_escaped():
    p = sivreg.load(ROOT / "parameters" / "ehr-renal-dosing.yaml")
    mods = tuple(type(m)(m.id, HOSTILE, m.answers) for m in p.modules)
    p = Project(**{**p.__dict__, "modules": mods})
    html = to_html(sivreg.assess(p, as_of=AS_OF, lang="nb"), project=p)
    assert "script" not in parse(html).tags and "&lt;script&gt;" in html


def test_binding_law_and_guidance_are_told_apart():
    book = sivreg.rulebook()
    law = next(r for r in book.references.values() if r.binding and r.certainty != "uncertain")
    guidance = next(r for r in book.references.values() if not r.binding and r.certainty != "uncertain")
    assert "sv-binding" in citation_html(law.id, "nb") and "sv-guidance" not in citation_html(law.id, "nb")
    assert "sv-guidance" in citation_html(guidance.id, "en") and ">guidance<" in citation_html(guidance.id, "en")
    assert ">veiledning<" in citation_html(guidance.id, "nb")
    _, a = sepsis("nb")
    html = to_html(a)
    assert "sv-binding" in html and "sv-guidance" in html


def test_uncertain_sources_are_flagged():
    book = sivreg.rulebook()
    unsure = [r for r in book.references.values() if r.certainty == "uncertain"]
    if not unsure:
        pytest.skip("no uncertain reference in the rulebook")
    html = citation_html(unsure[0].id, "nb")
    assert "sv-uncertain" in html and ">usikkert<" in html
    # an obligation whose Norwegian date is unconfirmed shows it as pending and uncertain
    ob = {"id": "x", "label": "Plikt", "refs": [unsure[0].id],
          "applies_from": {"EU": {"date": "2026-08-02", "ref": None, "certainty": "stated", "state": "from_date"},
                           "NO": {"date": None, "note": "Ikke tatt inn i EØS-avtalen", "certainty": "uncertain",
                                  "state": "pending"}}}
    out = obligations_html({"obligations": [ob]}, "nb")
    assert "2026-08-02" in out and "ikke fastsatt" in out and "Ikke tatt inn i EØS-avtalen" in out
    assert out.count("sv-uncertain") >= 2


def test_extra_fields_are_shown_by_their_labels_never_as_raw_keys():
    """Fields a rule adds appear by the label the rulebook gives them (studies as a nested
    list, coded values by their label); a field without a label is left out, never shown as
    its key or a Python value."""
    _, a = sepsis("en")
    d = a.to_dict()
    d["outcomes"]["ai_act_risk"].update({"status": "determined", "value": "high_risk", "origin": "vendor",
                                         "studies": [{"id": "s1", "title": HOSTILE, "status": "determined",
                                                      "value": "art_62_application"}],
                                         "some_new_field": {"nested": True}})
    d["something_new"] = ["a", "b"]
    html = to_html(d)
    book = sivreg.rulebook()
    assert esc(book.text("doc.origin.vendor", "en")) in html
    assert esc(book.text("clinical_investigation.art_62_application", "en")) in html
    assert "some_new_field" not in html and "Some new field" not in html and "something_new" not in html
    assert ">True<" not in html and not re.search(r"\bNone\b(?! of)", html)
    assert "script" not in parse(html).tags
    assert fields_html({"empty": [], "none": None}, "en") == ""


def test_missing_answers_listed():
    p = Project(id="x", title="t", answers=Answers.of({"qual.is_software": "yes"}))
    a = sivreg.assess(p, as_of=AS_OF, lang="nb")
    html = to_html(a)
    book = sivreg.rulebook()
    assert esc(book.text("label.missing", "nb")) in html
    for qid in a.missing:
        assert f'data-question="{qid}"' in html


def test_markdown_report_escapes_user_text_in_notes():
    from sivreg.render import to_markdown
    p = sivreg.load(ROOT / "parameters" / "ehr-renal-dosing.yaml")
    mods = tuple(type(m)(m.id, HOSTILE, m.answers) for m in p.modules)
    p = Project(**{**p.__dict__, "modules": mods, "title": HOSTILE})
    md = to_markdown(sivreg.assess(p, as_of=AS_OF, lang="en"))
    assert "<script>" not in md and "<img" not in md
    assert re.search(r"Class IIa", md)


def test_markdown_report_shows_extra_fields():
    from sivreg.render import to_markdown
    _, a = sepsis("nb")
    md = to_markdown(a, "nb")
    from sivreg.render.document import Doc
    label = Doc("nb", sivreg.rulebook(), {}).field_label("rules")
    assert f"**{label}:**" in md and "Regel 11" in md
