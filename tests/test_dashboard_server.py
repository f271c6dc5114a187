"""The dashboard server under load and under attack, over the real protocol (no browser):
benchmarks/bench_dashboard.py at a small size, so that the load script cannot rot, and an
invalid widget message, which must not bring a traceback back over the kernel channel.

The figures (time to the first question, per answer) are the benchmark's to report; here
only the outcomes are checked: everyone gets the page or the busy page, nobody hangs or
fails, the cap holds, and afterwards the server is back to its idle level.
"""
from __future__ import annotations

import asyncio
import json
import sys
import threading

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))
import bench_dashboard as bench  # noqa: E402


def run_async(coro):
    """asyncio.run in a thread of its own: once a browser test has run, pytest-playwright
    keeps an event loop running in this thread, and asyncio.run refuses to nest."""
    out = {}

    def target():
        try:
            out["value"] = asyncio.run(coro)
        except BaseException as exc:  # re-raised in the test's thread
            out["error"] = exc
    t = threading.Thread(target=target)
    t.start()
    t.join()
    if "error" in out:
        raise out["error"]
    return out.get("value")

pytestmark = [pytest.mark.slow]
MAX_PAGES, PREHEAT = 3, 1


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    s = bench.Server(max_pages=MAX_PAGES, preheat=PREHEAT, idle_minutes=1,
                     log=tmp_path_factory.mktemp("dashboard-load") / "server.log")
    try:
        run_async(bench.wait_ready(s.url, PREHEAT, s.proc, timeout=300))  # a busy CI machine
        yield s
    finally:
        s.stop()


def test_five_users_then_a_burst_beyond_the_cap(server):
    report = run_async(bench.run(users=5, spread=5, answers=5, burst=5, url=server.url, preheat=PREHEAT,
                                   idle_minutes=1, timeout=150, deadline=480))
    arrivals, burst = report["arrivals"], report["burst"]
    for p in (arrivals, burst):
        assert p["error"] == p["hang"] == 0, p["errors"]
        assert p["page"] + p["busy"] == 5
        assert p["answer_s"]["n"] == 5 * p["page"]  # every visitor with a page answered 5 questions
    assert arrivals["page"] >= 1
    # five at the same instant with room for three: three pages, two busy pages
    assert (burst["page"], burst["busy"]) == (MAX_PAGES, 5 - MAX_PAGES)
    for after in (report["after_arrivals"], report["after_burst"]):
        assert after["seconds"] is not None, after  # every page's kernel stopped, the pool full again
        assert after["health"]["pages"] == 0 and after["health"]["kernels"] == PREHEAT


class _Attacker(bench.Visitor):
    """Answers with widget updates no page would send, and keeps every message it gets."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.raw: list[str] = []

    async def _reader(self):
        ws_read = self.ws.read_message

        async def keep():
            raw = await ws_read()
            if raw is not None:
                self.raw.append(raw if isinstance(raw, str) else raw.decode("utf-8", "replace"))
            return raw
        self.ws.read_message = keep
        await super()._reader()

    def _answer_update(self, box):
        mid, _ = self._child(box["children"][3])
        bad = [{"index": 999}, {"layout": "IPY_MODEL_does-not-exist", "value": {"x": [1, 2]}}]
        return mid, bad[len(self.result["answer_s"]) % 2]


def test_an_invalid_widget_message_gets_no_traceback(server):
    v = _Attacker(server.url, 2, 60)
    result = run_async(asyncio.wait_for(v.run(), 90))
    assert result["outcome"] == "page", result
    messages = [json.loads(r) for r in v.raw if r.startswith("{")]
    errors = [m for m in messages if m["header"]["msg_type"] == "error"]
    assert errors, "the invalid messages were not answered with an error"
    for text in v.raw:
        assert "Traceback" not in text and ".py" not in text and "site-packages" not in text, text[:500]
    generic = bench_error_text()
    assert all(m["content"]["traceback"] == [generic] and m["content"]["evalue"] == generic for m in errors)
    assert not any(m["header"]["msg_type"] == "stream" and m["content"].get("name") == "stderr" for m in messages)
    # the details are in the server log
    log = server.log_path.read_text(errors="replace")
    assert "not forwarded to the page" in log and "Traceback" in log


def bench_error_text() -> str:
    from sivreg.views.server import error_message
    return error_message()
