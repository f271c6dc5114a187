"""The PDF report (WeasyPrint, the same template as the HTML report), read back with pypdf:
the sepsis example prints to at most 12 A4 pages, every page has the footer (project, date,
page number), the text holds the verdict lines and no raw id; `sivreg assess --format pdf`
writes it. Page counts and the time a PDF takes are written to build/pdf-report.json."""
from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import time

import pytest

import sivreg
from sivreg.render.html import verdict_text
from sivreg.render.pdf import to_pdf

from conftest import ROOT
from report_checks import known_ids, problems

pypdf = pytest.importorskip("pypdf")

AS_OF = "2026-12-01"
MAX_PAGES = 12
MEASURED = ROOT / "build" / "pdf-report.json"


def _pdf(name: str, lang: str):
    p = sivreg.load(ROOT / "parameters" / f"{name}.yaml")
    a = sivreg.assess(p, as_of=AS_OF, lang=lang)
    start = time.perf_counter()
    data = to_pdf(a, lang, project=p)
    return p, a, data, time.perf_counter() - start


def _text(page) -> str:
    return re.sub(r"\s+", " ", page.extract_text() or "")


def _record(key: str, value) -> None:
    MEASURED.parent.mkdir(exist_ok=True)
    got = json.loads(MEASURED.read_text()) if MEASURED.exists() else {}
    got[key] = value
    MEASURED.write_text(json.dumps(got, indent=2, sort_keys=True))


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_sepsis_pdf_pages_footer_verdicts_and_no_raw_ids(lang):
    p, a, data, seconds = _pdf("sepsis-icu", lang)
    assert data.startswith(b"%PDF-")
    reader = pypdf.PdfReader(io.BytesIO(data))
    n = len(reader.pages)
    _record(f"sepsis-icu.{lang}", {"pages": n, "seconds": round(seconds, 2)})
    assert n <= MAX_PAGES, f"{n} pages"
    book = sivreg.rulebook()
    for i, page in enumerate(reader.pages, 1):
        text = _text(page)
        assert p.title in text and a.as_of in text, f"page {i}: no footer"
        assert f"{i} / {n}" in text, f"page {i}: no page number"
        w, h = float(page.mediabox.width), float(page.mediabox.height)
        assert abs(w - 595) < 2 and abs(h - 842) < 2  # A4
    whole = " ".join(_text(pg) for pg in reader.pages)
    first = _text(reader.pages[0])
    for topic, o in a.to_dict()["outcomes"].items():  # the verdict lines, on the first page
        line = re.sub(r"\s+", " ", verdict_text(topic, o, lang))
        assert line[:60] in first, (topic, line)
    for step in ("understand", "classify", "clinical", "documentation", "conformity", "language",
                 "post_market", "ai_act"):
        assert book.text(f"doc.step.{step}", lang) in whole
    bad = problems(whole, lang, known_ids(a.to_dict()), (p.title, p.owner, *(s.title for s in p.studies)))
    assert not bad, bad


def test_pdf_is_self_contained():
    """No font, image or script is fetched: the PDF embeds its fonts and has no JavaScript."""
    _, _, data, _ = _pdf("ed-triage", "nb")
    assert b"/JavaScript" not in data and b"/JS " not in data
    reader = pypdf.PdfReader(io.BytesIO(data))
    fonts = set()
    for page in reader.pages:
        res = page["/Resources"]
        for f in (res.get("/Font") or {}).values():
            fd = f.get_object().get("/FontDescriptor") or next(
                (d.get_object().get("/FontDescriptor") for d in f.get_object().get("/DescendantFonts") or ()), None)
            fonts.add(bool(fd and any(k in fd.get_object() for k in ("/FontFile", "/FontFile2", "/FontFile3"))))
    assert fonts == {True}  # every font embedded


def test_user_text_stays_text_in_the_pdf():
    from dataclasses import replace
    p = sivreg.load(ROOT / "parameters" / "sepsis-icu.yaml")
    p = replace(p, title='<script>alert(1)</script> «Sepsis» & co')
    data = to_pdf(sivreg.assess(p, as_of=AS_OF, lang="nb"), "nb", project=p)
    text = _text(pypdf.PdfReader(io.BytesIO(data)).pages[0])
    assert "<script>alert(1)</script> «Sepsis» & co" in text


def test_assess_format_pdf_on_the_command_line(tmp_path):
    out = tmp_path / "sepsis.pdf"
    cmd = [sys.executable, "-m", "sivreg.cli", "assess", str(ROOT / "parameters" / "sepsis-icu.yaml"),
           "--as-of", AS_OF, "--format", "pdf", "--out", str(out)]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    assert out.read_bytes().startswith(b"%PDF-") and r.stdout == ""
    r = subprocess.run(cmd[:-2], capture_output=True, text=True, timeout=300)  # no --out: refused, said why
    assert r.returncode == 1 and "--out" in r.stderr and "Traceback" not in r.stderr


def test_dashboard_report_pdf():
    from sivreg.views import Questionnaire
    q = Questionnaire(sivreg.load(ROOT / "parameters" / "aphasia-communication-app.yaml"), lang="en", as_of=AS_OF)
    data = q.report_pdf()
    reader = pypdf.PdfReader(io.BytesIO(data))
    assert 1 <= len(reader.pages) <= MAX_PAGES
    assert "Kommunikasjonsapp" in _text(reader.pages[0])
