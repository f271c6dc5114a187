"""The dashboard as a service that can be left running (issue 12, items 2, 4 and 5), in
Debian's Chromium driven by Playwright against `sivreg dashboard`:

- closing a page stops its kernel (counted on the server before and after);
- a page makes no request outside 127.0.0.1 (every other request is blocked and recorded,
  and any attempt fails the test), and its icons still draw;
- `?lang=en` is honoured with a preheated kernel, and the date field shows the day the page
  is opened;
- beyond `--max-pages` a visitor gets the bilingual busy page (503) and no kernel, and gets
  the questionnaire again once a page is closed;
- a request that is not a browser opening the page (curl, a link preview) starts no kernel.
"""
from __future__ import annotations

import json
import re
import os
import signal
import subprocess
import time
import urllib.request
from datetime import date

import pytest
from playwright.sync_api import Page, expect

import sivreg
from conftest import ROOT, _sivreg_command, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]
LOCAL = ("http://127.0.0.1", "ws://127.0.0.1", "data:", "blob:", "about:")
QUESTION = ".sv-q.sv-next"


def health(base: str) -> dict:
    with urllib.request.urlopen(base + "sivreg/health", timeout=10) as r:
        return json.loads(r.read())


def wait_for(predicate, timeout: float = 30.0, step: float = 0.2):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(step)


def block_outside(page: Page) -> list[str]:
    """Abort every request that does not go to this machine; return the list of attempts."""
    attempts: list[str] = []

    def route(r):
        if r.request.url.startswith(LOCAL):
            r.continue_()
        else:
            attempts.append(r.request.url)
            r.abort()
    page.context.route("**/*", route)
    page.on("websocket", lambda ws: None if ws.url.startswith(LOCAL) else attempts.append(ws.url))
    return attempts


@pytest.fixture(scope="module")
def small_dashboard(tmp_path_factory):
    """A dashboard for one page at a time, with one kernel kept ready."""
    port = free_port()
    logfile = tmp_path_factory.mktemp("small-dashboard") / "server.log"
    log = open(logfile, "w")
    proc = subprocess.Popen([*_sivreg_command(), "dashboard", "--port", str(port), "--no-browser",
                             "--max-pages", "1", "--preheat", "1", "--idle-minutes", "1"],
                            stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT), env=os.environ.copy())
    base = f"http://127.0.0.1:{port}/"

    def ready():
        try:
            return health(base)["preheated"] >= 1
        except OSError:
            assert proc.poll() is None, logfile.read_text()[-3000:]
            return False
    assert wait_for(ready, 90), logfile.read_text()[-3000:]
    yield base
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


def test_closing_a_page_stops_its_kernel(page: Page, dashboard_url: str):
    wait_for(lambda: health(dashboard_url)["pages"] == 0, 30)
    before = health(dashboard_url)
    page.goto(dashboard_url)
    page.locator(QUESTION).first.wait_for(timeout=60_000)
    assert health(dashboard_url)["pages"] == before["pages"] + 1
    kernels_open = health(dashboard_url)["kernels"]
    page.close(run_before_unload=True)  # the page's beforeunload beacon asks for the shutdown
    after = wait_for(lambda: (h := health(dashboard_url))["pages"] == before["pages"] and h, 20)
    assert after, f"the kernel of the closed page is still running: {health(dashboard_url)}"
    assert after["served"]["closed"] == before["served"]["closed"] + 1  # by the beacon, not the culler
    # no more kernels than before the visit once the pool has refilled
    assert wait_for(lambda: health(dashboard_url)["kernels"] <= kernels_open, 30)


def test_nothing_leaves_the_machine(page: Page, dashboard_url: str):
    attempts = block_outside(page)
    failed: list[str] = []
    page.on("requestfailed", lambda r: failed.append(r.url))
    page.goto(dashboard_url)
    page.locator(QUESTION).first.wait_for(timeout=60_000)
    page.locator(QUESTION).first.get_by_role("button").first.click()
    expect(page.locator(".sv-q.sv-answered, .sv-q.sv-unused").first).to_be_visible(timeout=30_000)
    page.wait_for_load_state("networkidle")
    assert attempts == [], f"the page tried to reach other servers: {attempts}"
    assert [u for u in failed if not u.startswith(LOCAL)] == []
    head = page.content().split("<body", 1)[0]
    i = head.find("jsdelivr")
    assert i < 0, head[max(0, i - 300):i + 100]
    assert not re.search(r'<(link|script)[^>]+(href|src)="https?://', head)
    # the icons still come from this server: the upload button's icon is drawn with Font Awesome
    family = page.evaluate("""() => { const i = document.querySelector('.sv-upload i, .widget-upload i');
        return i ? getComputedStyle(i, '::before').fontFamily : ''; }""")
    assert "Font Awesome" in family
    assert page.evaluate("""() => [...document.fonts].some(f => f.family.includes('Font Awesome')
                                                          && f.status === 'loaded')""")


def test_language_from_the_url_and_todays_date_with_a_preheated_kernel(page: Page, dashboard_url: str):
    page.goto(dashboard_url + "?lang=en")
    page.locator(QUESTION).first.wait_for(timeout=60_000)
    expect(page.locator(".sv-app h1")).to_have_text(sivreg.rulebook().text("ui.app_title", "en"))
    expect(page.locator(".sv-lang button.mod-active")).to_have_text("English")
    expect(page.locator(".sv-asof input")).to_have_value(date.today().isoformat())
    page.goto(dashboard_url + "?lang=xx")  # not a language of the page: bokmål
    page.locator(QUESTION).first.wait_for(timeout=60_000)
    expect(page.locator(".sv-app h1")).to_have_text(sivreg.rulebook().text("ui.app_title", "nb"))


def test_beyond_the_cap_the_busy_page_and_no_kernel(page: Page, small_dashboard: str):
    attempts = block_outside(page)
    page.goto(small_dashboard)
    page.locator(QUESTION).first.wait_for(timeout=60_000)
    other = page.context.new_page()
    response = other.goto(small_dashboard)
    assert response.status == 503 and response.headers.get("retry-after") == "60"
    book = sivreg.rulebook()
    for lang in ("nb", "en"):
        expect(other.locator(f".sv-busy .{lang} h1")).to_have_text(book.text("server.busy_title", lang))
        expect(other.locator(f".sv-busy .{lang}")).to_contain_text(book.text("server.busy", lang))
    assert health(small_dashboard)["pages"] == 1
    page.close(run_before_unload=True)
    assert wait_for(lambda: health(small_dashboard)["pages"] == 0, 20)
    other.get_by_role("link", name=book.text("server.retry", "nb")).click()
    other.locator(QUESTION).first.wait_for(timeout=60_000)
    assert attempts == []
    other.close(run_before_unload=True)
    assert wait_for(lambda: health(small_dashboard)["pages"] == 0, 20)


def test_requests_that_are_not_a_page_start_no_kernel(small_dashboard: str):
    assert wait_for(lambda: health(small_dashboard)["pages"] == 0, 20)
    before = health(small_dashboard)
    for headers in ({"User-Agent": "curl/8.5.0", "Accept": "*/*"},
                    {"User-Agent": "Mozilla/5.0 (compatible; Slackbot-LinkExpanding 1.0)", "Accept": "text/html"},
                    {"User-Agent": "Mozilla/5.0 Chrome/156", "Accept": "text/html", "Sec-Fetch-Dest": "document",
                     "Sec-Fetch-Mode": "navigate", "Sec-Purpose": "prefetch"}):
        req = urllib.request.Request(small_dashboard, headers=headers)
        with urllib.request.urlopen(req, timeout=10) as r:
            body = r.read().decode()
            assert r.status == 200
        assert "sv-preview" in body and sivreg.rulebook().text("server.preview", "en") in body
        assert "jupyter-config-data" not in body
    after = health(small_dashboard)
    assert (after["pages"], after["kernels"]) == (before["pages"], before["kernels"])
    assert after["served"]["no_kernel"] == before["served"]["no_kernel"] + 3


def test_staying_on_the_page_keeps_its_kernel(page: Page, dashboard_url: str):
    """'Leave page?' answered with 'stay' must not stop the kernel: Voilà's shutdown runs on
    `pagehide` (when the page really goes), not on `beforeunload`."""
    page.goto(dashboard_url)
    page.locator(QUESTION).first.wait_for(timeout=60_000)
    page.evaluate("""() => window.addEventListener('beforeunload', e => { e.preventDefault(); e.returnValue = ''; })""")
    page.locator(QUESTION).first.get_by_role("button").first.click()  # a user gesture, and an answer
    expect(page.locator(".sv-q.sv-answered, .sv-q.sv-unused").first).to_be_visible(timeout=30_000)
    pages = health(dashboard_url)["pages"]
    choices = []
    page.once("dialog", lambda d: (choices.append(d.type), d.dismiss()))
    page.close(run_before_unload=True)
    page.wait_for_timeout(2000)  # (Playwright delivers the dialog event while it waits)
    assert choices == ["beforeunload"] and not page.is_closed()
    assert health(dashboard_url)["pages"] == pages  # the kernel is still there ...
    page.locator(QUESTION).first.get_by_role("button").first.click()  # ... and answers
    expect(page.locator(".sv-q.sv-answered, .sv-q.sv-unused")).not_to_have_count(1, timeout=30_000)
    page.close()  # now leave for real (no prompt): the page's pagehide stops the kernel
    assert wait_for(lambda: health(dashboard_url)["pages"] == pages - 1, 20)
