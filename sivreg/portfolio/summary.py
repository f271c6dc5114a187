"""The management table (one row per project, for the page, .xlsx and .csv) and the
self-contained HTML summary page, rendered from a Jinja2 template with autoescaping
(sivreg/render/templates/summary.html.j2, sharing the report's partials), in nb or en from
the rulebook.

The page shows, in order: a status matrix (one row per project, one column per step of SiV's
guideline, each cell done / to do / open / not applicable, with the project's next deadline
and overdue ones marked against the run's date), the upcoming deadlines grouped by month and
by project (one line per project and date), the table (fits a 1,366 px window: wrapping,
sticky header, the report link first), the charts, what changed and the errors. No scripts,
no external files.
"""
from __future__ import annotations

from collections import Counter

from ..catalogue import rulebook
from ..model import TOPICS
from ..render import document
from ..render.text import t, value_label
from . import charts
from .diff import change_lines

COLUMNS = ("title", "owner", "qualification", "regime", "device_class", "conformity",
           "clinical_investigation", "ai_act_risk", "next_action", "next_action_due", "missing",
           "status", "run_status", "report")
CLASS_ORDER = ("I", "IIa", "IIb", "III", "A", "B", "C", "D")
# The columns of the status matrix: steps of SiV's guideline (§3.3 1-7 and §3.4).
MATRIX = ("understand", "classify", "clinical", "documentation", "conformity", "language",
          "post_market", "ai_act")
_NOT_AI = ("not_ai_system", "excluded")


def _status(code: str, lang, book) -> str:
    for key in (f"status.{code}", f"doc.status.{code}"):
        if key in book.messages:
            return t(key, lang, book)
    return t("doc.status.other", lang, book)


def _outcome_text(o: dict, topic: str, lang, book) -> str:
    if o.get("value") is not None:
        return value_label(topic, o["value"], lang, book)
    if o.get("status") == "depends":
        qids = [q for b in o.get("branches") or () if isinstance(b, dict) for q in (b.get("when") or {})]
        if qids:
            d = document.Doc(lang, book, {})
            return t("doc.depends_short", lang, book, question=d.question(qids[0]))
    return _status(o.get("status") or "indeterminate", lang, book)


def deadlines(a: dict, run_as_of: str | None = None) -> list[dict]:
    """Every dated step of one project: actions with a due date (overdue when before the run's
    date) and obligations whose date for the project's jurisdiction is still ahead.
    [{date, label, kind, overdue}] sorted by date."""
    as_of = run_as_of or a.get("as_of") or ""
    book = rulebook()
    d = document.Doc(a.get("lang") or "nb", book, a)
    out = []
    for act in a.get("actions") or ():
        if isinstance(act, dict) and isinstance(act.get("due"), str):
            out.append({"date": act["due"], "label": d.loc(act.get("label")) or "", "kind": "action",
                        "overdue": bool(as_of and act["due"] < as_of)})
    for ob in a.get("obligations") or ():
        if not isinstance(ob, dict):
            continue
        date = d.date_of(ob.get("applies_from"))
        if date and (not as_of or date >= as_of):
            out.append({"date": date, "label": d.loc(ob.get("label")) or "", "kind": "obligation", "overdue": False})
    return sorted(out, key=lambda x: (x["date"], x["kind"] != "action", x["label"]))


def next_deadline(a: dict, run_as_of: str | None = None) -> dict | None:
    """The earliest dated step (an overdue one first: it is the earliest)."""
    ds = deadlines(a, run_as_of)
    return ds[0] if ds else None


def row(entry, lang: str, book=None, run_as_of: str | None = None) -> dict:
    """The table row of one project (prepare.Entry after the run)."""
    book = book or rulebook()
    r = {"project_id": entry.project_id, "title": entry.title, "owner": entry.owner,
         "run_status": t(f"portfolio.status.{entry.status}", lang, book), "report": None, "pdf": None,
         "error": entry.error, "overdue": False}
    a = entry.assessment
    if a is not None:
        for topic in TOPICS:
            r[topic] = _outcome_text(a["outcomes"][topic], topic, lang, book) if topic in a["outcomes"] else ""
        nd = next_deadline(a, run_as_of)
        if nd is None:  # no dated step: the first next step, undated
            acts = [x for x in a.get("actions") or () if isinstance(x, dict)]
            r["next_action"] = (acts[0].get("label") or "") if acts else ""
            r["next_action_due"] = ""
        else:
            r["next_action"], r["next_action_due"], r["overdue"] = nd["label"], nd["date"], nd["overdue"]
        r["missing"] = "; ".join(book.questions[q].label[lang] for q in a.get("missing") or ()
                                 if q in book.questions)
        r["missing_ids"] = list(a.get("missing") or ())
        r["missing_labels"] = [book.questions[q].label[lang] for q in r["missing_ids"] if q in book.questions]
        r["status"] = _status(a["status"], lang, book)
    else:
        for topic in TOPICS:
            r[topic] = ""
        r.update(next_action="", next_action_due="", missing="", missing_ids=[], missing_labels=[], status="")
    if entry.status in ("failed", "invalid"):
        r["status"] = t(f"portfolio.status.{entry.status}", lang, book)
    outs = entry.outputs or {}
    if entry.status in ("ok", "skipped") and "report" in outs:
        r["report"] = outs["report"]["path"]
        if "pdf" in outs:
            r["pdf"] = outs["pdf"]["path"]
    elif "failed_notebook" in outs:
        r["report"] = outs["failed_notebook"]["path"]
    return r


def header(col: str, lang: str, book=None) -> str:
    return t(f"portfolio.col.{col}", lang, book)


def events(entries, lang: str = "nb", book=None) -> list[dict]:
    """Upcoming obligations (the date for the project's jurisdiction) and due actions,
    grouped when several projects share one (for charts.timeline)."""
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


# -- the status matrix --------------------------------------------------------------------------
def matrix_row(a: dict, lang: str, book) -> dict[str, dict]:
    """One project's cells: {step: {state: done|todo|open|na, text, title}}."""
    doc = document.build(a, lang, book)
    secs = {s["id"]: s for s in doc["sections"]}
    out = a.get("outcomes") or {}

    def n_duties(step):
        s = secs.get(step)
        return 0 if s is None else sum(len(g["entries"]) for g in s["duty_groups"]) + len(s["actions"])

    def cell(state, text=None, title=None):
        return {"state": state, "text": text or t(f"doc.matrix.{state}", lang, book), "title": title or ""}

    def topic_cell(topic, step, done_text=None):
        o = out.get(topic) or {}
        v = document.Doc(lang, book, a).verdict(topic, o) if o else None
        st = o.get("status")
        if st in ("indeterminate", "depends") or not o:
            return cell("open", title=v["text"] if v else None)
        if st == "not_applicable" or o.get("value") in _NOT_AI + ("not_applicable", "not_mdsw", "none"):
            return cell("na", title=v["text"])
        n = n_duties(step)
        if n:
            return cell("todo", t("doc.matrix.todo_n", lang, book, n=n), v["text"])
        return cell("done", done_text, v["text"])

    device = (out.get("qualification") or {}).get("value") not in (None, "not_mdsw")
    q = out.get("qualification") or {}
    cells = {}
    if q.get("status") in ("indeterminate", "depends") or not q:
        cells["understand"] = cell("open", title=doc["verdicts"][0]["text"] if doc["verdicts"] else None)
    else:
        reg = out.get("regime") or {}
        cells["understand"] = cell("done", t("doc.matrix.device_yes" if device else "doc.matrix.device_no", lang, book),
                                   "; ".join(v["text"] for v in doc["verdicts"][:2]))
        if reg.get("status") in ("indeterminate", "depends"):
            cells["understand"] = cell("open", title=document.Doc(lang, book, a).verdict("regime", reg)["text"])
    dc = out.get("device_class") or {}
    if dc.get("status") == "determined" and dc.get("value"):
        cells["classify"] = cell("done", str(dc["value"]), value_label("device_class", dc["value"], lang, book))
    else:
        cells["classify"] = topic_cell("device_class", "classify")
    cells["clinical"] = topic_cell("clinical_investigation", "clinical")
    cells["conformity"] = topic_cell("conformity", "conformity")
    cells["ai_act"] = topic_cell("ai_act_risk", "ai_act")
    for step in ("documentation", "language", "post_market"):
        n = n_duties(step)
        if n:
            cells[step] = cell("todo", t("doc.matrix.todo_n", lang, book, n=n))
        elif not device and q.get("status") == "determined":
            cells[step] = cell("na")
        elif q.get("status") in ("indeterminate", "depends"):
            cells[step] = cell("open")
        else:
            cells[step] = cell("done")
    return cells


def month_groups(entries, lang: str, book, run_as_of: str) -> list[dict]:
    """Deadlines grouped by month, then by project and date: [{month, label, overdue, lines:
    [{date, project_id, title, labels, overdue}]}]; overdue ones first, in one group."""
    lines = []
    for e in entries:
        if e.assessment is None:
            continue
        by_date: dict[str, list] = {}
        for d in deadlines(e.assessment, run_as_of):
            by_date.setdefault(d["date"], []).append(d)
        for date, ds in by_date.items():
            labels = list(dict.fromkeys(x["label"] for x in ds))
            lines.append({"date": date, "project_id": e.project_id, "title": e.title, "labels": labels,
                          "overdue": any(x["overdue"] for x in ds)})
    lines.sort(key=lambda x: (not x["overdue"], x["date"], x["project_id"]))
    groups: dict[str, dict] = {}
    for ln in lines:
        key = "overdue" if ln["overdue"] else ln["date"][:7]
        if key not in groups:
            label = t("doc.overdue_group", lang, book, date=run_as_of) if key == "overdue" else \
                f"{t('doc.month.' + key[5:7], lang, book)} {key[:4]}"
            groups[key] = {"month": key, "label": label, "overdue": key == "overdue", "lines": []}
        groups[key]["lines"].append(ln)
    return list(groups.values())


def _counts(entries, topic: str, lang, book, order=()) -> list[tuple[str, int]]:
    c = Counter()
    for e in entries:
        if e.assessment is None or topic not in e.assessment["outcomes"]:
            continue
        o = e.assessment["outcomes"][topic]
        c[o["value"] if o["value"] is not None else f"~{o['status']}"] += 1
    keys = sorted(c, key=lambda k: (order.index(k) if k in order else len(order), k))
    return [(value_label(topic, k, lang, book) if not k.startswith("~") else _status(k[1:], lang, book), c[k])
            for k in keys]


def plural(key: str, n: int, lang: str, book, **kw) -> str:
    """`key.one` for 1, else `key.other`, with {n} filled in."""
    return t(f"{key}.{'one' if n == 1 else 'other'}", lang, book, n=n, **kw)


def _diff(result: dict | None, lang, book) -> dict:
    """What changed, as texts: {first_run, none, projects: [{id, title, kind, lines: [(text, causes)]}]}."""
    if not result:
        return {"first_run": True, "projects": []}
    projects = []
    for p in result["projects"]:
        if p["kind"] == "same":
            continue
        if p["kind"] in ("added", "removed"):
            projects.append({"id": p["project_id"], "title": "", "kind": t("portfolio.diff." + p["kind"], lang, book),
                             "lines": []})
            continue
        lines = []
        for ch in p["changes"]:
            ls = change_lines(ch, lang, book)
            lines.append({"text": ls[0], "causes": [x.strip() for x in ls[1:]]})
        projects.append({"id": p["project_id"], "title": p.get("title") or "", "kind": "", "lines": lines})
    return {"first_run": False, "projects": projects}


def page(entries, *, run: dict, lang: str, changes: dict | None, scenario_diff: dict | None = None,
         book=None) -> str:
    """The whole summary page as one HTML string."""
    from ..render.html import render
    book = book or rulebook()
    assessed = [e.assessment for e in entries if e.assessment]
    as_of = run.get("as_of") or max([a["as_of"] for a in assessed] or ["1970-01-01"])
    rows = [row(e, lang, book, as_of) for e in entries]
    counts = Counter(e.status for e in entries)
    scen = []
    for a in assessed:
        sc = a.get("scenario") or {}
        label = document.Doc(lang, book, a).loc(sc.get("label")) if sc.get("label") else None
        if label and label not in scen:
            scen.append(label)
    matrix = []
    for e, r in zip(entries, rows):
        cells = getattr(e, "matrix", None)  # made while the run streamed (run.py), else here
        if cells is None and e.assessment is not None:
            cells = matrix_row(e.assessment, lang, book)
        matrix.append({"row": r, "cells": cells, "status": e.status})
    stats = "; ".join(f"{t('portfolio.status.' + s, lang, book)}: {n}" for s, n in sorted(counts.items()))
    return render("summary.html.j2", lang, book, run=run, as_of=as_of, rows=rows, matrix=matrix,
                  steps=[{"id": s, "label": t(f"doc.matrix.col.{s}", lang, book)} for s in MATRIX],
                  months=month_groups(entries, lang, book, as_of),
                  columns=COLUMNS, header=lambda c: header(c, lang, book),
                  n_projects=plural("doc.n_projects", len(entries), lang, book), stats=stats,
                  scenarios="; ".join(scen) or t("doc.scenario_default", lang, book), version=book.version,
                  started=str(run.get("started_at") or "")[:19].replace("T", " "),
                  errors=[e for e in entries if e.status in ("failed", "invalid") and e.error],
                  chart_class=charts.bar_chart(t("portfolio.chart.by_class", lang, book),
                                               _counts(entries, "device_class", lang, book, CLASS_ORDER)),
                  chart_ai=charts.bar_chart(t("portfolio.chart.by_ai_act", lang, book),
                                            _counts(entries, "ai_act_risk", lang, book)),
                  changes=_diff(changes, lang, book), from_run=(changes or {}).get("from_run"),
                  scenario_diff=_diff(scenario_diff, lang, book) if scenario_diff is not None else None,
                  compare_scenario=(scenario_diff or {}).get("scenario"))
