"""The management table: one row per project, and the self-contained HTML summary page
(inline CSS and SVG charts, no scripts, no external files), in nb or en from the rulebook."""
from __future__ import annotations

from collections import Counter
from html import escape

from ..catalogue import rulebook
from ..model import TOPICS
from ..render.text import t, value_label
from . import charts
from .diff import lines as diff_lines

COLUMNS = ("title", "owner", "qualification", "regime", "device_class", "conformity",
           "clinical_investigation", "ai_act_risk", "next_action", "next_action_due", "missing",
           "status", "run_status", "report")
CLASS_ORDER = ("I", "IIa", "IIb", "III", "A", "B", "C", "D")


def _outcome_text(o: dict, topic: str, lang, book) -> str:
    if o["value"] is not None:
        return value_label(topic, o["value"], lang, book)
    return t(f"status.{o['status']}", lang, book)


def row(entry, lang: str, book=None) -> dict:
    """The table row of one project (prepare.Entry after the run)."""
    book = book or rulebook()
    r = {"project_id": entry.project_id, "title": entry.title, "owner": entry.owner,
         "run_status": t(f"portfolio.status.{entry.status}", lang, book), "report": None,
         "error": entry.error}
    a = entry.assessment
    if a is not None:
        for topic in TOPICS:
            r[topic] = _outcome_text(a["outcomes"][topic], topic, lang, book)
        acts = a.get("actions") or []
        r["next_action"] = acts[0].get("label") or acts[0]["id"] if acts else ""
        r["next_action_due"] = (acts[0].get("due") or "") if acts else ""
        r["missing"] = "; ".join(book.questions[q].label[lang] if q in book.questions else q
                                 for q in a.get("missing") or ())
        r["missing_ids"] = list(a.get("missing") or ())
        r["status"] = t(f"status.{a['status']}", lang, book)
    else:
        for topic in TOPICS:
            r[topic] = ""
        r.update(next_action="", next_action_due="", missing="", missing_ids=[], status="")
    if entry.status in ("failed", "invalid"):
        r["status"] = t(f"portfolio.status.{entry.status}", lang, book)
    outs = entry.outputs or {}
    if entry.status in ("ok", "skipped") and "report" in outs:
        r["report"] = outs["report"]["path"]
    elif "failed_notebook" in outs:
        r["report"] = outs["failed_notebook"]["path"]
    return r


def header(col: str, lang: str, book=None) -> str:
    return t(f"portfolio.col.{col}", lang, book)


def events(entries, lang: str = "nb", book=None) -> list[dict]:
    """Upcoming obligations (the date for the project's jurisdiction) and due actions,
    grouped when several projects share one."""
    grouped: dict[tuple, list[str]] = {}
    for e in entries:
        a = e.assessment
        if a is None:
            continue
        for o in a.get("obligations") or ():
            af = o.get("applies_from") or {}
            label = o.get("label") or o["id"]
            d = (af.get(a["jurisdiction"]) or {}).get("date")
            if d is None and a["jurisdiction"] != "EU":
                # no national date yet (e.g. not yet incorporated in the EEA): show the EU date, marked
                d = (af.get("EU") or {}).get("date")
                if d:
                    label = t("portfolio.chart.eu_date_only", lang, book, label=label)
            if d and d > a["as_of"]:
                grouped.setdefault((d, label, "obligation"), []).append(e.project_id)
        for act in a.get("actions") or ():
            if act.get("due") and act["due"] >= a["as_of"]:
                grouped.setdefault((act["due"], act.get("label") or act["id"], "action"), []).append(e.project_id)
    return [{"date": d, "label": label, "kind": kind, "project": ", ".join(ps) if len(ps) <= 3
             else f"{len(ps)} × ({', '.join(ps[:3])} …)"} for (d, label, kind), ps in grouped.items()]


def _counts(entries, topic: str, lang, book, order=()) -> list[tuple[str, int]]:
    c = Counter()
    for e in entries:
        if e.assessment is None:
            continue
        o = e.assessment["outcomes"][topic]
        c[o["value"] if o["value"] is not None else f"~{o['status']}"] += 1
    keys = sorted(c, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [(value_label(topic, k, lang, book) if not k.startswith("~") else t(f"status.{k[1:]}", lang, book), c[k])
            for k in keys]


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:1.5rem;color:#1b1b1b;max-width:1600px}
h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:.85rem;width:100%}
th,td{border:1px solid #bbb;padding:.3rem .4rem;text-align:left;vertical-align:top}
th{background:#eef2f5;position:sticky;top:0}
tr.failed td,tr.invalid td{background:#fbe9e7}
.meta{font-size:.85rem;color:#444}.notice{background:#fff8e1;border:1px solid #e0c060;padding:.5rem;font-size:.85rem}
.charts{display:flex;flex-wrap:wrap;gap:2rem}.small{font-size:.8rem;color:#555}
pre{white-space:pre-wrap;background:#f6f6f6;padding:.5rem;font-size:.8rem}
ul.diff{font-size:.85rem}ul.diff li ul{color:#444}
"""


def _diff_html(result: dict | None, lang, book) -> str:
    if not result:
        return f"<p>{escape(t('portfolio.diff.first_run', lang, book))}</p>"
    items = []
    for p in result["projects"]:
        if p["kind"] == "same":
            continue
        if p["kind"] in ("added", "removed"):
            items.append(f"<li><b>{escape(p['project_id'])}</b>: {escape(t('portfolio.diff.' + p['kind'], lang, book))}</li>")
            continue
        from .diff import change_lines
        sub = []
        for ch in p["changes"]:
            ls = change_lines(ch, lang, book)
            causes = "".join(f"<li>{escape(x.strip())}</li>" for x in ls[1:])
            sub.append(f"<li>{escape(ls[0])}{'<ul>' + causes + '</ul>' if causes else ''}</li>")
        items.append(f"<li><b>{escape(p['project_id'])}</b> – {escape(p['title'])}<ul>{''.join(sub)}</ul></li>")
    if not items:
        return f"<p>{escape(t('portfolio.diff.none', lang, book))}</p>"
    return f"<ul class='diff'>{''.join(items)}</ul>"


def page(entries, *, run: dict, lang: str, changes: dict | None, scenario_diff: dict | None = None,
         book=None) -> str:
    """The whole summary page as one HTML string."""
    book = book or rulebook()
    T = lambda key, **kw: escape(t(key, lang, book, **kw))
    rows = [row(e, lang, book) for e in entries]
    counts = Counter(e.status for e in entries)
    assessed = [e.assessment for e in entries if e.assessment]
    as_of = run.get("as_of") or max([a["as_of"] for a in assessed] or ["1970-01-01"])
    scenarios = ", ".join(sorted({a["rulebook"]["scenario"] or "–" for a in assessed})) or "–"
    head = "".join(f"<th>{escape(header(c, lang, book))}</th>" for c in COLUMNS)
    body = []
    for r, e in zip(rows, entries):
        cells = []
        for c in COLUMNS:
            v = r.get(c) or ""
            if c == "report":
                cell = f'<a href="{escape(v)}">{T("portfolio.open_report")}</a>' if v else ""
            elif c == "title":
                cell = f"{escape(v)}<div class='small'>{escape(r['project_id'])}</div>"
            elif c == "missing" and r["missing_ids"]:
                cell = "<br>".join(f'<span title="{escape(q)}">{escape(lbl)}</span>'
                                   for q, lbl in zip(r["missing_ids"], v.split("; ")))
            else:
                cell = escape(str(v))
            cells.append(f"<td>{cell}</td>")
        body.append(f"<tr class='{escape(e.status)}'>{''.join(cells)}</tr>")
    errors = "".join(f"<h3>{escape(e.project_id)} ({escape(str(e.file))})</h3><pre>{escape(e.error)}</pre>"
                     for e in entries if e.status in ("failed", "invalid") and e.error)
    stats = ", ".join(f"{T('portfolio.status.' + s)}: {n}" for s, n in sorted(counts.items()))
    sc = ""
    if scenario_diff is not None:
        sc = (f"<h2>{T('portfolio.h.compare_scenario', scenario=scenario_diff['scenario'])}</h2>"
              + _diff_html(scenario_diff, lang, book))
    return f"""<!DOCTYPE html>
<html lang="{ 'nb' if lang == 'nb' else 'en' }"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{T('portfolio.title')}</title><style>{CSS}</style></head><body>
<h1>{T('portfolio.title')}</h1>
<p class="meta">{T('portfolio.meta', run=run['run_id'], started=run['started_at'][:19].replace('T', ' '),
                  as_of=as_of, scenario=scenarios, version=book.version)}<br>
{T('portfolio.counts', n=len(entries))} {escape(stats)}<br>
{T('portfolio.register_head')} <code>{escape(run.get('head') or '')}</code></p>
<p class="notice">{T('notice.decision_support')}</p>
<h2>{T('portfolio.h.charts')}</h2>
<div class="charts">
{charts.bar_chart(t('portfolio.chart.by_class', lang, book), _counts(entries, 'device_class', lang, book, CLASS_ORDER))}
{charts.bar_chart(t('portfolio.chart.by_ai_act', lang, book), _counts(entries, 'ai_act_risk', lang, book))}
</div>
{charts.timeline(t('portfolio.chart.timeline', lang, book), events(entries, lang, book), as_of,
                 empty=t('portfolio.chart.no_events', lang, book),
                 legend={k: t(f'portfolio.chart.{k}', lang, book) for k in ('obligation', 'action')})}
<h2>{T('portfolio.h.table')}</h2>
<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>
<h2>{T('portfolio.h.changes', run=changes['from_run']) if changes else T('portfolio.h.changes_none')}</h2>
{_diff_html(changes, lang, book)}
{sc}
{f"<h2>{T('portfolio.h.errors')}</h2>" + errors if errors else ""}
</body></html>
"""
