"""The portfolio page in a real browser (Playwright, Debian's Chromium) at 1,366 x 900, from a
real `sivreg portfolio run` of three examples with their notebook reports and PDFs: the
status matrix comes first, every table fits the window (no sideways scrolling), the header
stays in view while scrolling, the report link in the first column opens the report, whose
tab is named after the project and which shows no developer note. Screenshots go to build/.
And the dashboard offers the same report as PDF."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys

import pytest
from playwright.sync_api import Page, expect

from conftest import ROOT

pytestmark = [pytest.mark.browser, pytest.mark.slow]
PROJECTS = ("sepsis-icu", "stroke-ct-draft", "discharge-letter-llm")
AS_OF = "2026-12-01"


@pytest.fixture(scope="module")
def portfolio(tmp_path_factory):
    root = tmp_path_factory.mktemp("portfolio")
    src = root / "params"
    src.mkdir()
    for p in PROJECTS:
        shutil.copy(ROOT / "parameters" / f"{p}.yaml", src)
    env = {**os.environ, "JUPYTER_DATA_DIR": str(root / "jupyter")}
    r = subprocess.run([sys.executable, "-m", "sivreg.cli", "portfolio", "run", str(src), "--out", str(root / "out"),
                        "--jobs", "2", "--as-of", AS_OF], capture_output=True, text=True, env=env, timeout=600)
    assert r.returncode == 0, r.stderr[-3000:]
    return root / "out"


def test_summary_page_fits_1366_and_opens_a_report(page: Page, portfolio):
    page.set_viewport_size({"width": 1366, "height": 900})
    page.goto((portfolio / "summary.html").as_uri())
    expect(page.locator("h1")).to_have_text("Porteføljegjennomgang av KI-prosjekter")
    # the status matrix first, one row per project, one column per step of the guideline
    assert page.evaluate("() => document.querySelector('table').id") == "matrix"
    assert page.locator("#matrix tbody tr").count() == len(PROJECTS)
    assert page.locator("#matrix thead th").count() == 1 + 8 + 1
    states = set(page.locator("#matrix td[data-state]").evaluate_all("els => els.map(e => e.dataset.state)"))
    assert {"done", "todo", "open", "na"} <= states
    # nothing wider than the window
    widths = page.evaluate("""() => ({doc: document.documentElement.scrollWidth, win: window.innerWidth,
        tables: [...document.querySelectorAll('table')].map(t => [t.id, t.scrollWidth, t.parentElement.clientWidth])})""")
    assert widths["doc"] <= widths["win"], widths
    for tid, sw, cw in widths["tables"]:
        assert sw <= cw + 1, widths
    # the header of the project table stays in view when scrolling down through it
    table = page.locator("#projects")
    table.scroll_into_view_if_needed()
    page.mouse.wheel(0, 600)
    top = page.evaluate("() => document.querySelector('#projects thead th').getBoundingClientRect().top")
    assert -1 <= top <= 900
    (ROOT / "build").mkdir(exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(ROOT / "build" / "summary-1366.png"))
    # the report link is in the first column and opens the report
    link = page.locator("#projects tbody tr[data-project='sepsis-icu'] td").first.locator("a").first
    assert link.get_attribute("href") == "reports/sepsis-icu.html"
    pdf = page.locator("#projects tbody tr[data-project='sepsis-icu'] a[href='reports/sepsis-icu.pdf']")
    assert pdf.count() == 1 and (portfolio / "reports" / "sepsis-icu.pdf").read_bytes().startswith(b"%PDF-")
    link.click()
    expect(page).to_have_title("Tidlig varsling av sepsis på intensivavdelingen")
    expect(page.locator("h1.sv-project-title")).to_have_text("Tidlig varsling av sepsis på intensivavdelingen")
    body = page.locator("body").inner_text()
    assert "papermill" not in body and "result_json" not in body
    assert "1. Forstå regelverket" in body and "Vedlegg A" in body
    page.screenshot(path=str(ROOT / "build" / "report-1366.png"))


def test_dashboard_offers_the_report_as_pdf(page: Page, dashboard_url: str, tmp_path):
    """"Last ned rapporten (PDF)" appears beside the HTML download once the page is idle, and
    downloads a PDF of the report."""
    page.goto(dashboard_url)
    page.locator(".sv-q.sv-next").first.wait_for(timeout=60_000)
    pdf_link = page.locator(".sv-report a.sv-report-pdf")
    expect(pdf_link).to_have_text("Last ned rapporten (PDF)", timeout=90_000)
    with page.expect_download() as dl:
        pdf_link.click()
    target = tmp_path / "report.pdf"
    dl.value.save_as(target)
    assert target.read_bytes().startswith(b"%PDF-")
    assert dl.value.suggested_filename.endswith("-nb.pdf")
