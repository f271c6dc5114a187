"""What changed between two runs of the register (or two versions of the AI Act), and why.

For every project: which outcome changed, from what to what, and the causes found by
comparing what went into it: answers to the questions that outcome's reasoning asked, rules
whose finding changed in its trace, the rulebook (version and sha256), the scenario, the
assessment date, and for obligations their dates. Results are plain dicts (JSON-ready);
`lines()` words them in nb or en from the rulebook.
"""
from __future__ import annotations

from ..catalogue import rulebook
from ..model import TOPICS
from ..render.text import answer_label, rule_label, t, value_label


def _walk(obj, key):
    """Every value of `key` anywhere in a nested outcome (module traces included)."""
    if isinstance(obj, dict):
        for k, v in obj.items():
            if k == key and v is not None:
                yield v
            yield from _walk(v, key)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v, key)


def _steps(obj):
    if isinstance(obj, dict):
        if "rule" in obj and "kind" in obj:
            yield obj
        for v in obj.values():
            yield from _steps(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _steps(v)


def flat_answers(inputs: dict | None) -> dict:
    """Answers of a project file as {qid or "module:<id>/<qid>": value}."""
    if not inputs:
        return {}
    out = dict(inputs.get("answers") or {})
    for kind in ("modules", "studies"):
        for part in inputs.get(kind) or []:
            for q, v in (part.get("answers") or {}).items():
                out[f"{kind[:-1]}:{part['id']}/{q}"] = v
    return out


def _qid(key: str) -> str:
    return key.split("/", 1)[1] if "/" in key else key


def _rules(outcome: dict) -> dict:
    return {s["rule"]: s.get("finding") for s in _steps(outcome)
            if s.get("kind") not in ("question",) and not s["rule"].startswith("question.")}


def context_changes(a: dict, b: dict) -> list[dict]:
    """Causes that touch every outcome: rulebook, scenario, date, language."""
    out = []
    ra, rb = a.get("rulebook", {}), b.get("rulebook", {})
    if ra.get("sha256") != rb.get("sha256"):
        out.append({"kind": "rulebook", "from": ra.get("version"), "to": rb.get("version"),
                    "from_sha256": ra.get("sha256"), "to_sha256": rb.get("sha256")})
    if ra.get("scenario") != rb.get("scenario"):
        out.append({"kind": "scenario", "from": ra.get("scenario"), "to": rb.get("scenario")})
    if a.get("as_of") != b.get("as_of"):
        out.append({"kind": "as_of", "from": a.get("as_of"), "to": b.get("as_of")})
    return out


def _dates(item: dict, jurisdiction: str):
    af = item.get("applies_from") or {}
    return (af.get(jurisdiction) or {}).get("date"), (af.get(jurisdiction) or {}).get("state")


def diff_assessments(a: dict, b: dict, inputs_a: dict | None = None, inputs_b: dict | None = None) -> list[dict]:
    """Changes from assessment a to assessment b (dicts in the output contract)."""
    changes = []
    ctx = context_changes(a, b)
    ans_a, ans_b = flat_answers(inputs_a), flat_answers(inputs_b)
    changed_answers = {k for k in set(ans_a) | set(ans_b) if ans_a.get(k) != ans_b.get(k)}
    for topic in TOPICS:
        oa, ob = a["outcomes"].get(topic, {}), b["outcomes"].get(topic, {})
        if (oa.get("value"), oa.get("status")) == (ob.get("value"), ob.get("status")):
            continue
        asked = set(_walk(oa, "question")) | set(_walk(ob, "question")) | set(oa.get("missing") or ()) \
            | set(ob.get("missing") or ())
        causes = [{"kind": "answer", "question": _qid(k), "where": k, "from": ans_a.get(k), "to": ans_b.get(k)}
                  for k in sorted(changed_answers) if _qid(k) in asked]
        ra, rb = _rules(oa), _rules(ob)
        causes += [{"kind": "rule", "rule": r, "from": ra.get(r), "to": rb.get(r),
                    "present": [r in ra, r in rb]}
                   for r in sorted(set(ra) | set(rb)) if ra.get(r) != rb.get(r) or (r in ra) != (r in rb)]
        changes.append({"what": "outcome", "topic": topic, "from": oa.get("value"), "to": ob.get("value"),
                        "status_from": oa.get("status"), "status_to": ob.get("status"),
                        "causes": causes + ctx})
    if a.get("status") != b.get("status"):
        changes.append({"what": "status", "from": a.get("status"), "to": b.get("status"), "causes": []})
    ma, mb = list(a.get("missing") or ()), list(b.get("missing") or ())
    if ma != mb:
        changes.append({"what": "missing", "added": [q for q in mb if q not in ma],
                        "removed": [q for q in ma if q not in mb],
                        "causes": [{"kind": "answer", "question": _qid(k), "where": k, "from": ans_a.get(k),
                                    "to": ans_b.get(k)} for k in sorted(changed_answers)
                                   if _qid(k) in set(ma) | set(mb)]})
    # obligations: added, dropped, or applying from another date (EU and NO dates separately,
    # since the Norwegian date may still be pending while the EU date moves)
    obl_a = {o["id"]: o for o in a.get("obligations") or ()}
    obl_b = {o["id"]: o for o in b.get("obligations") or ()}
    for oid in sorted(set(obl_a) | set(obl_b)):
        label = (obl_b.get(oid) or obl_a.get(oid)).get("label")
        for jur in ("EU", "NO"):
            da = _dates(obl_a[oid], jur) if oid in obl_a else None
            db = _dates(obl_b[oid], jur) if oid in obl_b else None
            if da != db and not (da is None and db is None):
                changes.append({"what": "obligation", "id": oid, "label": label, "jurisdiction": jur,
                                "from": None if da is None else {"date": da[0], "state": da[1]},
                                "to": None if db is None else {"date": db[0], "state": db[1]},
                                "causes": ctx})
            if da is None or db is None:
                break  # added or dropped: once is enough
    na = _next_action(a)
    nb = _next_action(b)
    key = lambda x: x and (x["id"], x["due"])  # labels differ by language only
    if key(na) != key(nb):
        changes.append({"what": "next_action", "from": na, "to": nb, "causes": ctx})
    return changes


def _next_action(a: dict):
    acts = a.get("actions") or ()
    return {"id": acts[0]["id"], "label": acts[0].get("label"), "due": acts[0].get("due")} if acts else None


def diff_records(rec_a: dict, rec_b: dict) -> dict:
    """Compare two register runs: {project id: record} -> {"projects": [...]}."""
    projects = []
    for pid in sorted(set(rec_a) | set(rec_b)):
        ra, rb = rec_a.get(pid), rec_b.get(pid)
        title = ((rb or ra).get("assessment") or {}).get("project", {}).get("title") or pid
        if ra is None or rb is None:
            projects.append({"project_id": pid, "title": title, "kind": "added" if ra is None else "removed",
                             "changes": []})
            continue
        changes = []
        sa, sb = _record_state(ra), _record_state(rb)
        if sa != sb:
            changes.append({"what": "record_status", "from": sa, "to": sb, "error": rb.get("error"),
                            "causes": []})
        if ra.get("assessment") and rb.get("assessment"):
            changes += diff_assessments(ra["assessment"], rb["assessment"], ra.get("answers"), rb.get("answers"))
        if changes:
            projects.append({"project_id": pid, "title": title, "kind": "changed", "changes": changes})
    return {"projects": projects}


def _record_state(rec: dict) -> str:
    # skipped = the earlier outputs still hold: for a comparison that is the same as ok
    return "ok" if rec["status"] in ("ok", "skipped", "assessed") else rec["status"]


def diff_runs(register, run_a: int, run_b: int) -> dict:
    """What changed from run A to run B of a register (sivreg.portfolio.register.Register)."""
    a, b = register.run(run_a), register.run(run_b)
    out = diff_records(register.records(run_a), register.records(run_b))
    out.update({"from_run": run_a, "to_run": run_b,
                "from": {k: a[k] for k in ("started_at", "as_of", "scenario", "lang", "rulebook_version")},
                "to": {k: b[k] for k in ("started_at", "as_of", "scenario", "lang", "rulebook_version")}})
    return out


def compare_scenario(entries, other: str, *, as_of=None, lang="nb", book=None) -> dict:
    """For every assessed project: what differs when assessed under scenario `other`."""
    from ..engine import assess
    from ..io import assessment_json
    import json
    book = book or rulebook()
    projects = []
    for e in entries:
        if e.assessment is None:
            continue
        alt = json.loads(assessment_json(assess(e.project, as_of=e.assessment["as_of"], scenario=other,
                                                lang=lang, book=book)))
        changes = diff_assessments(e.assessment, alt, None, None)
        projects.append({"project_id": e.project_id, "title": e.title, "kind": "changed" if changes else "same",
                         "changes": changes})
    return {"scenario": other, "projects": projects}


# -- wording -------------------------------------------------------------------------------
def _val(x) -> str:
    return "–" if x in (None, "") else str(x)


def _cause(c: dict, lang: str, book) -> str:
    k = c["kind"]
    if k == "answer":
        q = c["question"]
        label = book.questions[q].label[lang] if q in book.questions else q
        where = f" ({c['where'].split('/')[0]})" if "/" in c["where"] else ""
        return t("portfolio.cause.answer", lang, book, question=f"{label} [{q}]{where}",
                 old=answer_label(q, c["from"], lang, book), new=answer_label(q, c["to"], lang, book))
    if k == "rule":
        return t("portfolio.cause.rule", lang, book, rule=f"{rule_label(c['rule'], lang, book)} [{c['rule']}]",
                 old=_finding(c["from"], c["present"][0], lang, book),
                 new=_finding(c["to"], c["present"][1], lang, book))
    if k == "rulebook":
        return t("portfolio.cause.rulebook", lang, book, old=_val(c["from"]), new=_val(c["to"]))
    if k == "scenario":
        return t("portfolio.cause.scenario", lang, book, old=_val(c["from"]), new=_val(c["to"]))
    if k == "as_of":
        return t("portfolio.cause.as_of", lang, book, old=_val(c["from"]), new=_val(c["to"]))
    return str(c)


def _finding(f, present: bool, lang, book) -> str:
    if not present:
        return t("portfolio.diff.not_used", lang, book)
    if not f:
        return t("portfolio.diff.used", lang, book)
    try:
        return book.text(f, lang)
    except KeyError:
        return f


def _outcome(topic, value, status, lang, book) -> str:
    if value is None:
        return t(f"status.{status}", lang, book) if status else "–"
    return value_label(topic, value, lang, book)


def change_lines(ch: dict, lang: str, book=None) -> list[str]:
    """One change as text: a headline and its causes (indented)."""
    book = book or rulebook()
    w = ch["what"]
    if w == "outcome":
        head = t("portfolio.diff.outcome", lang, book, topic=book.text(f"topic.{ch['topic']}", lang),
                 old=_outcome(ch["topic"], ch["from"], ch["status_from"], lang, book),
                 new=_outcome(ch["topic"], ch["to"], ch["status_to"], lang, book))
    elif w == "status":
        head = t("portfolio.diff.status", lang, book, old=t(f"status.{ch['from']}", lang, book),
                 new=t(f"status.{ch['to']}", lang, book))
    elif w == "record_status":
        head = t("portfolio.diff.record_status", lang, book, old=t(f"portfolio.status.{ch['from']}", lang, book),
                 new=t(f"portfolio.status.{ch['to']}", lang, book))
    elif w == "missing":
        head = t("portfolio.diff.missing", lang, book, added=", ".join(ch["added"]) or "–",
                 removed=", ".join(ch["removed"]) or "–")
    elif w == "obligation":
        fmt = lambda d: t("portfolio.diff.no_obligation", lang, book) if d is None else \
            (d["date"] or t("label.pending", lang, book))
        head = t("portfolio.diff.obligation", lang, book, obligation=ch["label"] or ch["id"],
                 jurisdiction=ch["jurisdiction"], old=fmt(ch["from"]), new=fmt(ch["to"]))
    elif w == "next_action":
        fmt = lambda x: "–" if x is None else (x["label"] or x["id"]) + (f" ({x['due']})" if x.get("due") else "")
        head = t("portfolio.diff.next_action", lang, book, old=fmt(ch["from"]), new=fmt(ch["to"]))
    else:
        head = str(ch)
    return [head] + ["    " + _cause(c, lang, book) for c in ch.get("causes", [])]


def lines(result: dict, lang: str = "nb", book=None) -> list[str]:
    """A diff (diff_runs / compare_scenario) as text lines."""
    book = book or rulebook()
    out = []
    for p in result["projects"]:
        if p["kind"] == "same":
            continue
        if p["kind"] in ("added", "removed"):
            out.append(f"{p['project_id']}: {t('portfolio.diff.' + p['kind'], lang, book)}")
            continue
        out.append(f"{p['project_id']} – {p['title']}")
        for ch in p["changes"]:
            ls = change_lines(ch, lang, book)
            out.append("  " + ls[0])
            out += ["  " + x for x in ls[1:]]
    return out or [t("portfolio.diff.none", lang, book)]
