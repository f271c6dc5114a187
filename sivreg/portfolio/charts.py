"""Charts for the summary page as inline SVG: no scripts, no external files, readable when
the page is mailed or archived. Text is escaped; colours have enough contrast."""
from __future__ import annotations

from datetime import date
from html import escape

BAR = "#2f6690"
MARK = {"obligation": "#b5442c", "action": "#2f6690"}
CHAR_W = 6.6  # average width of a 12px character, for layout


def _fit(text: str, n: int) -> str:
    """Text cut to n characters (with …); the full text goes in a tooltip."""
    return text if len(text) <= n else text[: n - 1].rstrip() + "…"


def _label(x, y, text, n, anchor="start") -> str:
    return (f'<text x="{x}" y="{y}" text-anchor="{anchor}" font-size="12"><title>{escape(text)}</title>'
            f'{escape(_fit(text, n))}</text>')


def bar_chart(title: str, data: list[tuple[str, int]], width: int = 460) -> str:
    """Horizontal bars, one per (label, count)."""
    row, pad = 24, 8
    longest = min(44, max([len(label) for label, _ in data] + [8]))
    left = pad + round(longest * CHAR_W) + 10
    width = max(width, left + 200)
    height = pad * 2 + 22 + row * max(1, len(data))
    top = max([n for _, n in data] + [1])
    span = width - left - 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
             f'<title>{escape(title)}</title>',
             f'<text x="{pad}" y="{pad + 12}" font-weight="bold" font-size="13">{escape(title)}</text>']
    for i, (label, n) in enumerate(data):
        y = pad + 22 + i * row
        w = 0 if not n else max(2, round(span * n / top))
        parts += [_label(left - 6, y + 15, label, 44, "end"),
                  f'<rect x="{left}" y="{y + 3}" width="{w}" height="{row - 8}" fill="{BAR}"/>',
                  f'<text x="{left + w + 5}" y="{y + 15}" font-size="12">{n}</text>']
    parts.append("</svg>")
    return "".join(parts)


def timeline(title: str, events: list[dict], as_of: str, width: int = 1200, limit: int = 40,
             empty: str = "–", legend: dict | None = None) -> str:
    """Upcoming dated events, one row each, on a time axis from as_of to the last date.
    An event: {date: YYYY-MM-DD, label, project, kind: obligation|action}."""
    events = sorted(events, key=lambda e: (e["date"], e["project"], e["label"]))[:limit]
    row, left, right, pad = 22, 96, 20, 8
    height = pad * 2 + 40 + row * max(1, len(events))
    start = date.fromisoformat(as_of)
    end = max([date.fromisoformat(e["date"]) for e in events] + [start])
    days = max(1, (end - start).days)
    axis_w = 260
    x0 = left
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" aria-label="{escape(title)}">',
             f'<title>{escape(title)}</title>',
             f'<text x="{pad}" y="{pad + 12}" font-weight="bold" font-size="13">{escape(title)}</text>',
             f'<line x1="{x0}" y1="{pad + 30}" x2="{x0 + axis_w}" y2="{pad + 30}" stroke="#666"/>',
             f'<text x="{x0}" y="{pad + 26}" font-size="10">{escape(as_of)}</text>',
             f'<text x="{x0 + axis_w}" y="{pad + 26}" font-size="10" text-anchor="end">{end.isoformat()}</text>']
    lx = x0 + axis_w + 12
    for kind, text in (legend or {}).items():  # which colour is which kind of event
        parts += [f'<circle cx="{lx + 5}" cy="{pad + 26}" r="5" fill="{MARK.get(kind, BAR)}"/>',
                  f'<text x="{lx + 14}" y="{pad + 30}" font-size="11">{escape(text)}</text>']
        lx += 24 + round(len(text) * CHAR_W)
    for i, e in enumerate(events):
        y = pad + 40 + i * row
        x = x0 + round(axis_w * (date.fromisoformat(e["date"]) - start).days / days)
        colour = MARK.get(e.get("kind"), BAR)
        parts += [f'<line x1="{x0}" y1="{y + 10}" x2="{x0 + axis_w}" y2="{y + 10}" stroke="#ddd"/>',
                  f'<text x="{pad}" y="{y + 14}" font-size="12">{escape(e["date"])}</text>',
                  f'<circle cx="{x}" cy="{y + 10}" r="5" fill="{colour}"/>',
                  _label(x0 + axis_w + 12, y + 14, f'{e["project"]}: {e["label"]}',
                         int((width - x0 - axis_w - 20) / CHAR_W))]
    if not events:
        parts.append(f'<text x="{x0}" y="{pad + 54}" font-size="12">{escape(empty)}</text>')
    parts.append("</svg>")
    return "".join(parts)
