"""The dashboard server's pieces without a server: who counts as a page visit, what a kernel
message looks like once cleaned, the page without CDN links, the server options and the
default cap (the server itself: tests/test_browser_server.py, tests/test_dashboard_server.py)."""
from __future__ import annotations

import argparse

import pytest

import sivreg
from sivreg.views import serve, server

CHROME = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/156.0 Safari/537.36",
          "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"}


@pytest.mark.parametrize("headers, visit", [
    ({**CHROME, "Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate"}, True),
    ({**CHROME, "Sec-Fetch-Dest": "iframe", "Sec-Fetch-Mode": "navigate"}, True),
    (CHROME, True),  # an older browser without Sec-Fetch headers
    ({**CHROME, "Sec-Fetch-Dest": "document", "Sec-Fetch-Mode": "navigate", "Sec-Purpose": "prefetch"}, False),
    ({**CHROME, "Purpose": "prefetch"}, False),
    ({**CHROME, "Sec-Fetch-Dest": "empty", "Sec-Fetch-Mode": "cors"}, False),  # fetch() from a page
    ({**CHROME, "Sec-Fetch-Dest": "image", "Sec-Fetch-Mode": "no-cors"}, False),
    ({"User-Agent": "curl/8.5.0", "Accept": "*/*"}, False),
    ({"User-Agent": "Wget/1.21"}, False),
    ({"User-Agent": "python-requests/2.32", "Accept": "text/html"}, False),
    ({"User-Agent": "Mozilla/5.0 (compatible; Slackbot-LinkExpanding 1.0)", "Accept": "text/html"}, False),
    ({"User-Agent": "Mozilla/5.0 (compatible; Microsoft Teams)", "Accept": "text/html"}, False),
    ({"User-Agent": "Mozilla/5.0 (compatible; Googlebot/2.1)", "Accept": "text/html"}, False),
    ({"User-Agent": "facebookexternalhit/1.1", "Accept": "text/html"}, False),
    ({}, False),
])
def test_who_counts_as_a_page_visit(headers, visit):
    assert server.is_page_visit(headers) is visit


def test_error_messages_lose_their_traceback():
    generic = server.error_message()
    assert sivreg.rulebook().text("server.error", "nb") in generic and \
        sivreg.rulebook().text("server.error", "en") in generic
    err = {"ename": "TraitError", "evalue": "/srv/sivreg/x.py: bad", "traceback": ["Traceback ...", 'File "/srv/x.py"']}
    clean = server.clean_content("error", err)
    assert clean == {"ename": "Error", "evalue": generic, "traceback": [generic]}
    reply = server.clean_content("execute_reply", {"status": "error", "ename": "KeyError", "evalue": "'x'",
                                                   "traceback": ["..."], "execution_count": 3})
    assert reply["traceback"] == [generic] and reply["execution_count"] == 3 and reply["status"] == "error"
    assert server.clean_content("stream", {"name": "stderr", "text": "warning: /srv/x.py"}) is None
    out = server.clean_content("stream", {"name": "stdout", "text": "Traceback (most recent call last):\n ..."})
    assert out["text"].strip() == generic
    ok = {"name": "stdout", "text": "hello"}
    assert server.clean_content("stream", ok) is ok
    update = {"comm_id": "x", "data": {"method": "update", "state": {"value": "<div class='sv-error'>"}}}
    assert server.clean_content("comm_msg", update) is update


def test_the_page_links_nothing_outside():
    head = ('<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/@fortawesome/fontawesome-free@^5/css/all.min.css"'
            ' type="text/css" />\n  <link rel="stylesheet" href="/voila/static/index.css">')
    assert server.local_assets(head) == '<link rel="stylesheet" href="/voila/static/index.css">'
    for value in server.CSP.split(";"):
        assert "http" not in value and "*" not in value


def test_busy_and_preview_pages_are_bilingual_and_escape_the_url():
    book = sivreg.rulebook()
    page = server.busy_page('/?lang=en"><script>x</script>')
    for lang in ("nb", "en"):
        assert book.text("server.busy", lang) in page and book.text("server.retry", lang) in page
    assert "<script>x" not in page and 'http-equiv="refresh" content="60"' in page
    preview = server.preview_page()
    assert book.text("server.preview", "nb") in preview and book.text("server.preview", "en") in preview


def parse(*argv):
    p = argparse.ArgumentParser()
    serve.register(p.add_subparsers(dest="command"))
    return p.parse_args(["dashboard", *argv])


def test_server_options():
    a = parse()
    assert (a.max_pages, a.preheat, a.idle_minutes) == (None, serve.PREHEAT, serve.IDLE_MINUTES)
    a = parse("--max-pages", "12", "--preheat", "0", "--idle-minutes", "2.5")
    assert (a.max_pages, a.preheat, a.idle_minutes) == (12, 0, 2.5)
    for bad in (["--max-pages", "0"], ["--preheat", "-1"], ["--idle-minutes", "0"], ["--max-pages", "x"],
                ["--idle-minutes", "nan"]):
        with pytest.raises(SystemExit):
            parse(*bad)
    argv = " ".join(serve.voila_argv(serve.dashboard_notebook(), 9001, max_pages=12, preheat=3, idle_minutes=2.5))
    for setting in ("-m sivreg.views.server", "--DashboardServer.max_pages=12",
                    "--VoilaConfiguration.preheat_kernel=True", "--VoilaConfiguration.default_pool_size=3",
                    "--MappingKernelManager.cull_idle_timeout=150", "--MappingKernelManager.cull_connected=False",
                    "--KernelManager.transport=ipc"):
        assert setting in argv, setting
    assert "preheat_kernel" not in " ".join(serve.voila_argv(serve.dashboard_notebook(), 9001, preheat=0))


def test_the_default_cap_comes_from_memory():
    gib = 2**30
    assert serve.default_max_pages(preheat=2, memory=24 * gib) == int(12 * 1024 / serve.PAGE_MB) - 2
    assert serve.default_max_pages(preheat=2, memory=1 * gib) == max(2, int(512 / serve.PAGE_MB) - 2)
    assert serve.default_max_pages(preheat=2, memory=0) == 20  # unknown memory
    assert serve.default_max_pages() >= 2
