"""Assessment -> PDF with WeasyPrint, from the same template as the HTML report
(`to_html(pdf=True)`): A4, a footer on every page with the project, the date and the page
number, fonts from the machine (no font, script or image is fetched: any URL WeasyPrint would
load is refused)."""
from __future__ import annotations

from ..catalogue import Rulebook
from .html import to_html


def _no_fetch(url, *args, **kwargs):
    raise ValueError(f"sivreg reports load nothing from outside ({url})")


def html_to_pdf(html: str) -> bytes:
    """One self-contained HTML document as PDF bytes."""
    import logging
    from weasyprint import HTML
    logging.getLogger("weasyprint").setLevel(logging.ERROR)  # a refused link is not news
    return HTML(string=html, url_fetcher=_no_fetch, base_url=None).write_pdf()


def to_pdf(assessment, lang: str | None = None, book: Rulebook | None = None, project=None) -> bytes:
    """The report as PDF bytes (give `project` to add the answers appendix)."""
    return html_to_pdf(to_html(assessment, lang, book, project=project, pdf=True))
