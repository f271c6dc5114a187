"""The dashboard page as the notebook shows it: the questionnaire, set for the person who
opens the page.

With a preheated kernel (`sivreg dashboard --preheat N`) Voilà runs the notebook before
anyone asks, so the URL's `?lang=` and today's date are not known then. `dashboard()` builds
the questionnaire ahead (the slow part), then waits for the visitor's request
(`voila.utils.wait_for_request`, which returns at once outside a preheated kernel) and only
then sets the language from `?lang=nb|en` and the date field to the day the page is opened.
"""
from __future__ import annotations

import os
from datetime import date
from urllib.parse import parse_qs

from .questionnaire import LANGS, Questionnaire


def _wait_for_visitor() -> None:
    """In a preheated Voilà kernel: block until a visitor takes this kernel (then the
    request's QUERY_STRING is in os.environ). Elsewhere: nothing."""
    if os.environ.get("VOILA_PREHEAT") != "True":
        return
    try:
        from voila.utils import wait_for_request
    except ImportError:  # pragma: no cover - voila is a dependency
        return
    wait_for_request()


def query_lang(query: str | None) -> str | None:
    """`lang` from a query string, if it is a language of the page."""
    values = parse_qs(query or "").get("lang") or []
    lang = values[-1].strip().lower() if values else ""
    return lang if lang in LANGS else None


def dashboard(lang: str = "nb", project_file: str | None = None, as_of: str | None = None) -> Questionnaire:
    """The questionnaire for dashboard.ipynb: `lang` unless the URL says `?lang=`, the date
    `as_of` (else the file's, else the day the page is opened)."""
    q = Questionnaire.from_file(project_file, lang=lang, as_of=as_of)
    _wait_for_visitor()
    wanted = query_lang(os.environ.get("QUERY_STRING"))
    if wanted and wanted != q.lang:
        q.lang_toggle.value = wanted  # as a click on the language toggle
    if as_of is None and not q._base.as_of:
        today = date.today().isoformat()
        if q.as_of_box.value != today:
            q.as_of_box.value = today  # as typing the date: the assessment follows
    return q
