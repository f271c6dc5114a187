"""The management table as .xlsx (openpyxl: header, filters, frozen top row, links to the
reports) and .csv (UTF-8 with BOM so Excel reads æøå). Returned as bytes/text; the caller
writes them atomically."""
from __future__ import annotations

import csv
import io
from copy import copy

from ..textclean import for_terminal
from .summary import COLUMNS, header, row

COLUMNS_OUT = ("project_id",) + COLUMNS + ("error",)
WIDTHS = {"project_id": 24, "title": 40, "owner": 28, "missing": 50, "next_action": 40, "error": 50}


def table(entries, lang: str, book=None) -> tuple[list[str], list[list]]:
    rows = [row(e, lang, book) for e in entries]
    heads = [header(c, lang, book) for c in COLUMNS_OUT]
    return heads, [[_visible(r.get(c) or "") for c in COLUMNS_OUT] for r in rows]


def _visible(v):
    """A cell without control characters (a file name may hold ESC; XLSX cannot store it at
    all, and a spreadsheet would show it as nothing): shown as escapes, line breaks kept."""
    return for_terminal(v, keep_newlines=True) if isinstance(v, str) else v


# Excel, LibreOffice and Google Sheets read a CSV field starting with one of these as a
# formula (CSV injection: a title "=HYPERLINK(...)" or "+cmd|..." would run when opened).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(v):
    """A CSV field that a spreadsheet shows as text: a leading ' before a formula character
    (the usual defence; the ' is not shown by Excel)."""
    if isinstance(v, str) and v.startswith(_FORMULA_START):
        return "'" + v
    return v


def to_csv(entries, lang: str, book=None, tab=None) -> str:
    heads, rows = tab or table(entries, lang, book)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(heads)
    w.writerows([[csv_cell(v) for v in r] for r in rows])
    return "\ufeff" + buf.getvalue()


def to_xlsx(entries, lang: str, book=None, sheet_title: str = "Portfolio", tab=None) -> bytes:
    """openpyxl's write-only mode: each row is written out as it is appended (time and memory
    grow with the rows, not their square), with the same header, widths, links, wrapping,
    frozen top row and filter as before."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    heads, rows = tab or table(entries, lang, book)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet_title[:31])
    for i, col in enumerate(COLUMNS_OUT, start=1):
        ws.column_dimensions[get_column_letter(i)].width = WIDTHS.get(col, 18)
    ws.freeze_panes = "B2"
    last = get_column_letter(len(COLUMNS_OUT))
    ws.auto_filter.ref = f"A1:{last}{len(rows) + 1}"
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="EEF2F5")
    wrap, link_font = Alignment(wrap_text=True, vertical="top"), Font(color="1F5FA0", underline="single")

    def head_cell(v):
        c = WriteOnlyCell(ws, value=v)
        c.font, c.fill = bold, fill
        return c

    ws.append([head_cell(h) for h in heads])
    report_col = COLUMNS_OUT.index("report")
    # the two cell styles, registered once; each cell takes a copy of one (openpyxl would
    # otherwise look the style up in the workbook again for every cell)
    plain = WriteOnlyCell(ws)
    plain.alignment = wrap
    linked = WriteOnlyCell(ws)
    linked.alignment, linked.font = wrap, link_font
    for r in rows:
        cells = []
        for i, v in enumerate(r):
            c = WriteOnlyCell(ws, value=v)
            # a text cell is never a formula, whatever it starts with; openpyxl would make
            # "=..." one, so say it is text (the title stays exactly as typed)
            if isinstance(c.value, str) and c.data_type == "f":
                c.data_type = "s"
            if i == report_col and v:
                c.hyperlink = v
                c._style = copy(linked._style)
            else:
                c._style = copy(plain._style)
            cells.append(c)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
