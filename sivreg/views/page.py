"""The dashboard page as the notebook shows it: the questionnaire, set for the person who
opens the page.

With a preheated kernel (`sivreg dashboard --preheat N`) Voilà runs the notebook before
anyone asks, so the URL's `?lang=` and today's date are not known then. `dashboard()` builds
the questionnaire ahead (the slow part), then waits for the visitor's request
(as `voila.utils.wait_for_request` does; at once outside a preheated kernel) and only
then sets the language from `?lang=nb|en` and the date field to the day the page is opened.
"""
from __future__ import annotations

import os
import sys
from datetime import date
from urllib.parse import parse_qs

from .questionnaire import LANGS, Questionnaire


def _wait_for_visitor(timeout: float = 5.0) -> None:
    """In a preheated Voilà kernel: block until a visitor takes this kernel, then put the
    visitor's request (QUERY_STRING, ...) into os.environ. Elsewhere: nothing.

    The same exchange as `voila.utils.wait_for_request` (the server's `voila/query/<kernel>`
    WebSocket sends the request once the kernel is given to a page), without importing
    voila.utils, which costs each kernel about a second."""
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    import json
    from websockets.sync.client import connect

    env = os.environ
    base = env.get("VOILA_WS_BASE_URL") or env.get("VOILA_SERVER_URL") or "/"
    url = (f"{env.get('VOILA_WS_PROTOCOL', 'ws')}://{env.get('VOILA_APP_IP', '127.0.0.1')}:"
           f"{env.get('VOILA_APP_PORT', '8866')}{base}voila/query/{env.get('VOILA_KERNEL_ID', '')}")
    try:
        with connect(url, open_timeout=timeout, max_size=2**20) as ws:
            info = json.loads(ws.recv())
    except (OSError, TimeoutError, ValueError) as exc:  # the page then works with the defaults
        print(f"sivreg: no request info from {url}: {exc}", file=sys.__stderr__)
        return
    except Exception as exc:  # websockets' own errors (closed, refused handshake)
        print(f"sivreg: no request info from {url}: {type(exc).__name__}: {exc}", file=sys.__stderr__)
        return
    for key, value in info.items():
        if isinstance(value, str):
            os.environ[key] = value


def query_lang(query: str | None) -> str | None:
    """`lang` from a query string, if it is a language of the page."""
    values = parse_qs(query or "").get("lang") or []
    lang = values[-1].strip().lower() if values else ""
    return lang if lang in LANGS else None


def dashboard(lang: str = "nb", project_file: str | None = None, as_of: str | None = None) -> Questionnaire:
    """The questionnaire for dashboard.ipynb: `lang` unless the URL says `?lang=`, the date
    `as_of` (else the file's, else the day the page is opened)."""
    q = Questionnaire.from_file(project_file, lang=lang, as_of=as_of)
    if os.environ.get("VOILA_PREHEAT") == "True" and getattr(q, "_report_timer", None) is not None:
        # the report is due 0.6 s after the last change, but the kernel now waits for its
        # visitor: build it now, not on the visitor's time
        q._report_timer.cancel()
        q.update_report_link()
    _wait_for_visitor()
    wanted = query_lang(os.environ.get("QUERY_STRING"))
    if wanted and wanted != q.lang:
        q.lang_toggle.value = wanted  # as a click on the language toggle
    if as_of is None and not q._base.as_of:
        today = date.today().isoformat()
        if q.as_of_box.value != today:
            q.as_of_box.value = today  # as typing the date: the assessment follows
    return q
