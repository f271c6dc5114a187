"""The dashboard page set for its visitor (sivreg/views/page.py): with a preheated kernel the
notebook runs before anyone asks, so `?lang=` and the date are applied once the visitor's
request has arrived, not when the kernel started."""
from __future__ import annotations

import datetime as dt

import pytest

from sivreg.views import page


class _Tomorrow(dt.date):
    @classmethod
    def today(cls):
        return dt.date(2031, 5, 17)


@pytest.fixture
def preheated(monkeypatch):
    """A kernel that waited (overnight): the visitor's request arrives with `query`."""
    def arrive(query):
        monkeypatch.setenv("VOILA_PREHEAT", "True")
        monkeypatch.setattr(page, "_wait_for_visitor", lambda: (monkeypatch.setenv("QUERY_STRING", query),
                                                                monkeypatch.setattr(page, "date", _Tomorrow)))
    return arrive


def test_lang_and_date_come_from_the_visit(preheated):
    preheated("lang=en")
    q = page.dashboard()
    assert q.lang == "en" and q.lang_toggle.value == "en"
    assert q.as_of == q.as_of_box.value == "2031-05-17"
    assert q.assessment.to_dict()["as_of"] == "2031-05-17"


@pytest.mark.parametrize("query", ["", "lang=xx", "lang=", "x=1&lang=de", "lang=%3Cscript%3E"])
def test_an_unknown_language_keeps_bokmal(preheated, query):
    preheated(query)
    assert page.dashboard().lang == "nb"


def test_a_given_date_is_kept(preheated):
    preheated("lang=nb")
    assert page.dashboard(as_of="2026-11-26").as_of == "2026-11-26"


def test_query_lang():
    assert page.query_lang("lang=EN") == "en" and page.query_lang("a=1&lang=nb") == "nb"
    assert page.query_lang(None) is None and page.query_lang("lang=fr") is None


def test_outside_a_preheated_kernel_nothing_waits(monkeypatch):
    monkeypatch.delenv("VOILA_PREHEAT", raising=False)
    monkeypatch.setenv("QUERY_STRING", "lang=en")
    assert page.dashboard().lang == "en"  # Voilà without preheat puts the query in the environment
