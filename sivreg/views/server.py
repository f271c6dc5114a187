"""The dashboard's web server: Voilà with what a shared hospital service needs on top.

`sivreg dashboard` runs `python -m sivreg.views.server NOTEBOOK --port ... [options]`, which is
Voilà's own application (`voila.app.Voila`) with these changes, all made through Voilà's
extension points (its handler classes, its kernel manager and the kernel-websocket
connection class), not by patching Voilà's files:

- **Closing a page stops its kernel.** Voilà's page sends a shutdown beacon on `beforeunload`
  with the `_xsrf` cookie, but Voilà never sets that cookie, so every shutdown got
  `403 '_xsrf' argument missing`. The page handler sets it; the shutdown handler accepts only
  the kernels of pages (never a preheated one) and answers 204.
- **A cap on pages** (`max_pages`): a visitor beyond it gets a small bilingual "the service is
  busy, try again in a minute" page (HTTP 503, Retry-After: 60) and no kernel. Pages being
  set up count too, so a burst cannot overshoot the cap. At most `max_setup` pages are set
  up at once (kernel start and first run, the CPU-heavy part); a visitor beyond that waits
  up to `queue_seconds` for a slot, then gets the busy page, so a burst never leaves
  everyone waiting for minutes.
- **Requests that are not a browser opening the page start no kernel**: a `curl`, a health
  check, a link preview or a prefetch gets a short page naming the service (HTTP 200).
  A browser navigation says so in `Sec-Fetch-Dest: document`; without Sec-Fetch headers
  (old browsers) a request counts as a page visit when it accepts HTML and its User-Agent
  is a browser's and not a known bot's.
- **Nothing leaves the machine.** The links to Font Awesome on a public CDN are removed from
  the page (the widgets bundle brings its own copy); a Content-Security-Policy lets the page
  load only from this server.
- **No traceback reaches the page.** Every message from a kernel to the page passes through
  `SafeKernelConnection`: an error's traceback and text are replaced by a generic bilingual
  message and stderr output is not forwarded; the details go to the server log.
- `GET {base_url}sivreg/health` says how many pages and kernels are running (JSON) and starts
  nothing: use it for monitoring and readiness probes.

Idle kernels without a connected page are culled by jupyter_server's culler
(`MappingKernelManager.cull_idle_timeout`), the preheated pool is Voilà's
(`VoilaConfiguration.default_pool_size`); serve.py sets both.
"""
from __future__ import annotations

import asyncio
import contextvars
import html
import json
import logging
import os
import re
import sys
from functools import lru_cache

import tornado.web
from jupyter_server.base.handlers import APIHandler, JupyterHandler
from jupyter_server.services.kernels.connection.channels import ZMQChannelsWebsocketConnection
from traitlets import Float, Integer, default
from voila.app import Voila
from voila.shutdown_kernel_handler import VoilaShutdownKernelHandler
from voila.tornado.handler import TornadoVoilaHandler

log = logging.getLogger("sivreg.dashboard")

# -- texts -------------------------------------------------------------------------------------


@lru_cache(maxsize=None)
def _text(key: str, lang: str) -> str:
    from ..catalogue import rulebook
    return rulebook().text(key, lang)


def _both(key: str) -> tuple[str, str]:
    return _text(key, "nb"), _text(key, "en")


def error_message() -> str:
    """What the page gets instead of an error's details (both languages, one line each)."""
    return "\n".join(_both("server.error"))


_PAGE = """<!DOCTYPE html>
<html lang="nb"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">{refresh}
<title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:40em;margin:3em auto;padding:0 1em;color:#1d2329;line-height:1.45}}
h1{{font-size:1.4em;color:#0b4f8a}} .en{{color:#3d4852;border-top:1px solid #d5dbe1;margin-top:1.5em;padding-top:1em}}
a{{color:#0b4f8a;font-weight:600}}</style></head>
<body class="sv-server-page sv-{kind}">{body}</body></html>
"""


def _page(kind: str, title_key: str, text_key: str, *, link: str | None = None, refresh: int = 0) -> str:
    parts = []
    for lang in ("nb", "en"):
        part = f'<div class="{lang}" lang="{lang}"><h1>{html.escape(_text(title_key, lang))}</h1>' \
               f'<p>{html.escape(_text(text_key, lang))}</p>'
        if link:
            part += f'<p><a href="{html.escape(link)}">{html.escape(_text("server.retry", lang))}</a></p>'
        parts.append(part + "</div>")
    title = " / ".join(dict.fromkeys(_both(title_key)))
    meta = f'\n<meta http-equiv="refresh" content="{refresh}">' if refresh else ""
    return _PAGE.format(refresh=meta, title=html.escape(title), kind=kind, body="\n".join(parts))


def busy_page(url: str) -> str:
    return _page("busy", "server.busy_title", "server.busy", link=url, refresh=60)


def preview_page() -> str:
    return _page("preview", "ui.app_title", "server.preview")


# -- who is asking -----------------------------------------------------------------------------

_BOT = re.compile(r"bot|crawl|spider|slurp|preview|facebookexternalhit|slack|teams|skype|whatsapp|telegram|"
                  r"discord|embedly|curl|wget|python|httpie|go-http|okhttp|java/|libwww|headless(?!chrome)|"
                  r"monitor|check|probe|scan", re.I)


def is_page_visit(headers) -> bool:
    """Does this request come from a person opening the page in a browser (and so need a
    kernel)? Link previews, prefetches, curl and health checks do not."""
    purpose = (headers.get("Sec-Purpose", "") + headers.get("Purpose", "") + headers.get("X-Moz", "")).lower()
    if "prefetch" in purpose or "prerender" in purpose:
        return False
    dest = headers.get("Sec-Fetch-Dest")
    if dest is not None:
        return dest.lower() in ("document", "iframe") and headers.get("Sec-Fetch-Mode", "navigate").lower() == "navigate"
    ua = headers.get("User-Agent", "")
    return "text/html" in headers.get("Accept", "") and ua.startswith("Mozilla/") and not _BOT.search(ua)


# -- the pages and their kernels -----------------------------------------------------------------

_reservation: contextvars.ContextVar = contextvars.ContextVar("sivreg_page_reservation", default=None)


class Pages:
    """Which kernels belong to pages, and how many pages are being set up right now."""

    def __init__(self, app: "DashboardServer"):
        self.app = app
        self.kernels: set[str] = set()
        self.starting = 0
        self.setting_up = 0
        self.served = {"page": 0, "busy": 0, "no_kernel": 0, "closed": 0}

    @property
    def km(self):
        return self.app.kernel_manager

    def running(self) -> int:
        alive = set(self.km.list_kernel_ids())
        self.kernels &= alive
        return len(self.kernels)

    def pool(self) -> int:
        pools = getattr(self.km, "_pools", {})
        return sum(1 for pool in pools.values() for task in pool if task.done() and not task.cancelled()
                   and task.exception() is None)

    async def admit(self) -> dict | None:
        """Room for one more page? None when the cap is reached, or when every set-up slot
        stayed busy for `queue_seconds` (a burst waits a little, then gets the busy page,
        instead of sharing the processors among all at once and each waiting a minute)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.app.queue_seconds
        while True:
            if self.running() + self.starting >= self.app.max_pages:
                return None
            if self.setting_up < self.app.max_setup:
                break
            if loop.time() >= deadline:
                return None
            await asyncio.sleep(0.05)
        self.starting += 1
        self.setting_up += 1
        token = {"open": True, "setup": True}
        _reservation.set(token)
        return token

    def release(self, token: dict) -> None:
        """The page's kernel is known (it now counts among the running kernels)."""
        if token["open"]:
            token["open"] = False
            self.starting -= 1

    def done(self, token: dict) -> None:
        """The page has been sent (or the request failed)."""
        self.release(token)
        if token["setup"]:
            token["setup"] = False
            self.setting_up -= 1

    def started(self, kernel_id: str) -> None:
        """A page's kernel is known (called from the kernel manager, in the page's request)."""
        self.kernels.add(kernel_id)
        token = _reservation.get()
        if token is not None:
            self.release(token)

    def status(self) -> dict:
        return {"pages": self.running(), "starting": self.starting, "setting_up": self.setting_up,
                "preheated": self.pool(),
                "kernels": len(self.km.list_kernel_ids()), "max_pages": self.app.max_pages,
                "max_setup": self.app.max_setup,
                "served": dict(self.served)}


def _track_page_kernels(km, pages: Pages) -> None:
    """Voilà's handler gets a page's kernel from the kernel manager, either a preheated one
    (`get_rendered_notebook`) or a new one (`start_kernel`); the pool fills itself through the
    base class, which these wrappers do not see. Wrapping the two methods on the instance
    keeps Voilà's generated kernel-manager class as it is."""
    if hasattr(km, "get_rendered_notebook"):
        take = km.get_rendered_notebook

        async def get_rendered_notebook(*args, **kwargs):
            result = await take(*args, **kwargs)
            pages.started(result[2])
            return result
        km.get_rendered_notebook = get_rendered_notebook
    start = km.start_kernel

    async def start_kernel(*args, **kwargs):
        kernel_id = await start(*args, **kwargs)
        pages.started(kernel_id)
        return kernel_id
    km.start_kernel = start_kernel


_CDN_LINK = re.compile(r'<link[^>]+href="https?://[^"]*"[^>]*>\s*', re.I)
# script-src blob:: the page guard (sivreg/views/guard.py, anywidget) runs its own module from
# a blob: URL made in the page; nothing is fetched from another server.
CSP = ("default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; style-src 'self' 'unsafe-inline'; "
       "img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; "
       "frame-ancestors 'self'; base-uri 'self'; form-action 'self'; object-src 'none'")


# Voilà's page stops its kernel from a `beforeunload` listener (a beacon, then it closes the
# kernel connection). `beforeunload` also fires when the page asks "Leave page?" and the
# person chooses to stay (the unsaved-answers warning), which would leave the page without
# its kernel. This script, first in <head>, moves that one listener to `pagehide`, which
# fires only when the page really goes away. Other `beforeunload` listeners are untouched.
CLOSE_ON_PAGEHIDE = """<script>(function () {
  var add = EventTarget.prototype.addEventListener;
  EventTarget.prototype.addEventListener = function (type, fn, options) {
    if (this === window && type === "beforeunload" && typeof fn === "function"
        && String(fn).indexOf("voila/api/shutdown") >= 0) { type = "pagehide"; }
    return add.call(this, type, fn, options);
  };
})();</script>"""


def local_assets(snippet: str) -> str:
    """The page without links to other servers (the lab template links Font Awesome on a CDN;
    the widgets bundle already has it)."""
    return _CDN_LINK.sub("", snippet) if "://" in snippet else snippet


class DashboardHandler(TornadoVoilaHandler):
    """The page: a kernel for a browser visit if there is room, else the busy page; no kernel
    for anything that is not a browser opening the page."""

    def set_default_headers(self):
        super().set_default_headers()
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "same-origin")

    def _plain(self, status: int, body: str) -> None:
        self.set_status(status)
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("Cache-Control", "no-store")
        self.finish(body)

    @tornado.web.authenticated
    async def get(self, path=None):
        pages: Pages = self.settings["sivreg_pages"]
        if not is_page_visit(self.request.headers):
            pages.served["no_kernel"] += 1
            return self._plain(200, preview_page())
        token = await pages.admit()
        if token is None:
            pages.served["busy"] += 1
            log.warning("sivreg: busy page sent (%d pages open of at most %d, %d being set up)",
                        pages.running(), pages.app.max_pages, pages.setting_up)
            self.set_header("Retry-After", "60")
            return self._plain(503, busy_page(self.request.uri))
        pages.served["page"] += 1
        try:
            self.xsrf_token  # sets the _xsrf cookie that the page's shutdown beacon sends back
            head = False
            async for snippet in self.get_generator(path=path):
                snippet = local_assets(snippet)
                if not head and "<head>" in snippet:
                    snippet = snippet.replace("<head>", "<head>" + CLOSE_ON_PAGEHIDE, 1)
                    head = True
                self.write(snippet)
                self.flush()
        finally:
            pages.done(token)


class PageShutdownHandler(VoilaShutdownKernelHandler):
    """The beacon a page sends when it is closed: stop its kernel (only a page's kernel)."""

    @tornado.web.authenticated
    async def post(self, kernel_id):
        pages: Pages = self.settings["sivreg_pages"]
        if kernel_id not in pages.kernels:
            raise tornado.web.HTTPError(404)
        pages.served["closed"] += 1
        await super().post(kernel_id)


class HealthHandler(APIHandler):
    """`GET sivreg/health`: counts of pages and kernels as JSON; starts nothing."""

    @tornado.web.authenticated
    def get(self):
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(self.settings["sivreg_pages"].status()))


# -- no traceback to the page ----------------------------------------------------------------------

def clean_content(msg_type: str, content: dict) -> dict | None:
    """The content of a kernel message as the page may see it: None to drop the message;
    the same dict if nothing had to change."""
    if msg_type == "stream":
        if content.get("name") == "stderr":
            return None
        if "Traceback (most recent call last)" in str(content.get("text", "")):
            return {**content, "text": error_message() + "\n"}
        return content
    if msg_type == "error" or "traceback" in content or content.get("status") == "error":
        cleaned = dict(content)
        if "traceback" in cleaned or msg_type == "error":
            cleaned["traceback"] = [error_message()]
        if "evalue" in cleaned or msg_type == "error":
            cleaned["evalue"] = error_message()
        if "ename" in cleaned or msg_type == "error":
            cleaned["ename"] = "Error"
        return cleaned
    return content


_SUSPECT = re.compile(rb'traceback|Traceback|"stderr"|"error"')


class SafeKernelConnection(ZMQChannelsWebsocketConnection):
    """Kernel -> page messages without tracebacks or stderr (logged here instead)."""

    def handle_outgoing_message(self, stream, outgoing_msg):
        try:
            idents, fed = self.session.feed_identities(outgoing_msg)
            # fed: signature, header, parent_header, metadata, content, buffers...
            if len(fed) >= 5 and _SUSPECT.search(fed[4]):
                header = self.session.unpack(fed[1])
                content = self.session.unpack(fed[4])
                msg_type = header.get("msg_type", "")
                cleaned = clean_content(msg_type, content)
                if cleaned is not content:
                    log.error("sivreg: kernel %s sent %s (not forwarded to the page as is): %s", self.kernel_id,
                              msg_type, "\n".join(content.get("traceback") or [content.get("text") or str(content)]))
                    if cleaned is None:
                        return None
                    fed = [*fed[1:4], self.session.pack(cleaned), *fed[5:]]
                    fed = [self.session.sign(fed[:4]), *fed]
                    outgoing_msg = [*idents, b"<IDS|MSG>", *fed]
        except Exception:  # never let the filter break the page; never forward what it could not read
            log.exception("sivreg: could not check a kernel message; dropped")
            return None
        return super().handle_outgoing_message(stream, outgoing_msg)


# -- the application --------------------------------------------------------------------------------

class DashboardServer(Voila):
    name = "sivreg-dashboard"
    description = "sivreg dashboard: Voilà with a page cap, kernel shutdown on close and no outside requests"

    max_pages = Integer(20, config=True, help="Most pages (kernels of visitors) at once; beyond it the busy page.")
    max_setup = Integer(config=True, help="Most pages being set up at once (kernel start and first run); "
                                          "default: twice the number of processors.")
    queue_seconds = Float(15.0, config=True, help="How long a visitor waits for a set-up slot before the busy page.")

    @default("max_setup")
    def _max_setup_default(self):
        return max(2, 2 * (os.cpu_count() or 1))

    def init_settings(self):
        # a cell that fails while the page is set up: Voilà shows "There was an error when
        # executing cell [n]." followed by this instruction (never the traceback)
        self.config.VoilaExecutor.cell_error_instruction = error_message().replace("\n", " / ")
        settings = super().init_settings()
        pages = Pages(self)
        _track_page_kernels(self.kernel_manager, pages)
        settings["sivreg_pages"] = pages
        settings["kernel_websocket_connection_class"] = SafeKernelConnection
        return settings

    def init_handlers(self):
        from jupyter_server.utils import url_path_join
        handlers = []
        for spec in super().init_handlers():
            cls = spec[1] if len(spec) > 1 else None
            if cls is TornadoVoilaHandler:
                spec = (spec[0], DashboardHandler, *spec[2:])
            elif cls is VoilaShutdownKernelHandler:
                spec = (url_path_join(self.server_url, r"/voila/api/shutdown/(?P<kernel_id>[\w-]+)"),
                        PageShutdownHandler, *spec[2:])
            handlers.append(spec)
        handlers.insert(0, (url_path_join(self.server_url, r"/sivreg/health"), HealthHandler))
        return handlers


def main(argv=None) -> None:
    DashboardServer.launch_instance(argv=argv)


if __name__ == "__main__":
    sys.exit(main())
