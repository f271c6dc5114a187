"""Run the rules for a project: `assess()` gives the Assessment, `next_question()` the next
question the decision needs. Both come from the same mechanism: a rule asks for an answer,
and an open answer (not given, or "unknown") is explored under each allowed answer
(sivreg/explore.py): what holds either way is `determined` (`holds_regardless_of`), what
differs is `depends` (`branches`), a duty that arises in some branches is `conditional`.
`missing` lists every open question that can still change a conclusion, the most decisive first.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date as _date
from types import MappingProxyType

from .catalogue import Rulebook, rulebook
from .context import Missing, NotApplicable, Undecided, class_rank
from .errors import InputError, Problem
from .explore import (DEPTH, LEAVES, Explored, Explorer, branches, merge_duties, merge_extra,
                      step_budget, step_depends, step_regardless)
from .model import DATE_RANGE, TOPICS, Assessment, Outcome, Project, Step, _thaw, valid_date
from .rules import CONTRIBUTORS, MODULE_TOPICS, TOPIC_RULES

LANGS = ("nb", "en")


def _module_lead(topic, modules, ex):
    """The project-level value of a per-module topic (MDCG 2019-11 §7): each module is
    qualified and classified on its own, and the module with the strictest device class
    decides. Under a hypothesis every module is decided under the same hypothesis, so a
    module's open question is explored by the project topic too."""
    def decide(ctx):
        hyp = ctx.hyp
        runs = [(m, ex.run(topic, m.id, hyp)) for m in modules]
        for _, r in runs:
            ctx.state.reads.update(r.reads)
        for _, r in runs:
            if r.kind == "missing":
                raise Missing(r.qid, r.unknown, r.open)
            if r.kind in ("undecided", "conflict"):
                raise Undecided(r.note or "note.topic_not_built")
        classes = [(m, ex.run("device_class", m.id, hyp)) for m in modules]
        for _, r in classes:
            ctx.state.reads.update(r.reads)
        devices = [(m, c) for m, c in classes if c.kind == "value" and c.value]
        lead = max(devices, key=lambda x: class_rank(x[1].value))[0] if devices else modules[0]
        lead_run = dict((m.id, r) for m, r in runs)[lead.id]
        for m, r in runs:
            ctx.steps.append(Step(rule="mdcg_2019_11.modules", kind="module", answer=m.id,
                                  finding=f"{topic}.{r.value}" if r.value is not None else None,
                                  refs=("mdcg_2019_11.s7",), note=m.title))
        regime_runs = [ex.run("regime", m.id, hyp) for m in modules]
        for r in regime_runs:
            ctx.state.reads.update(r.reads)
        regimes = {r.value for r in regime_runs} & {"MDR", "IVDR"}
        if len(regimes) > 1:
            # MDR and IVDR classes are not on one scale: the modules need their own routes
            # (MDCG 2019-11 §7: the manufacturer states which modules fall under which regulation).
            ctx.steps.append(Step(rule="mdcg_2019_11.modules.mixed_regimes", kind="interpretation",
                                  refs=("mdcg_2019_11.s7",),
                                  note=ctx.book.text("note.module_mixed_regimes", ctx.lang),
                                  note_id="note.module_mixed_regimes"))
            ctx.extra["mixed_regimes"] = True
        ctx.steps.append(Step(rule="mdcg_2019_11.modules.strictest", kind="rule", answer=lead.id,
                              finding=f"{topic}.{lead_run.value}" if lead_run.value is not None else None,
                              refs=("mdcg_2019_11.s7", "mdr.annex_viii.ir_3_5"),
                              note=ctx.book.text("note.module_lead", ctx.lang).format(module=lead.title),
                              note_id="note.module_lead"))
        ctx.steps.extend(lead_run.steps)
        ctx.extra.update({k: v for k, v in lead_run.extra.items()})
        if lead_run.kind == "not_applicable":
            raise NotApplicable(lead_run.value)
        return lead_run.value
    return decide


def _explorer(book, project, as_of, scenario, lang):
    scopes = {None: project.answers}
    rules = {}
    for topic in TOPICS:
        rules[(topic, None)] = (topic, TOPIC_RULES[topic])
    for name, fn in CONTRIBUTORS:
        rules[(name, None)] = (name, fn)
    ex = Explorer(book, project, as_of, scenario, lang, rules, scopes)
    if project.modules:
        for m in project.modules:
            scopes[m.id] = project.answers.overlay(m.answers)
            for topic in MODULE_TOPICS:
                rules[(topic, m.id)] = (topic, TOPIC_RULES[topic])
        for topic in MODULE_TOPICS:
            rules[(topic, None)] = (topic, _module_lead(topic, project.modules, ex))
    return ex


def _outcome(book, lang, e: Explored) -> Outcome:
    """The outcome of one topic from its explored branches (sivreg/explore.py)."""
    base = e.base
    if not e.found:  # nothing open on the way: as decided
        out = base.outcome()
        if base.kind == "missing" or base.kind == "undecided":
            return _indeterminate(book, lang, e)
        return out
    if not e.settled:
        return _indeterminate(book, lang, e)
    leaves = e.possible
    outs = [(h, r) for h, r in leaves]
    kinds = {(r.kind, _hashable(r.value)) for _, r in outs}
    extra = merge_extra(book, outs)
    explored = list(dict.fromkeys(k for h, _ in outs for k in h))
    if len(kinds) == 1:
        first = outs[0][1]
        status = "determined" if first.kind == "value" else "not_applicable"
        extra["holds_regardless_of"] = explored
        trace = first.steps + (step_regardless(book, lang, explored),)
        # The conclusion waits for nothing; a sub-conclusion that differs (field_branches, a
        # study that depends) names its questions there and in the assessment's `missing`.
        return Outcome(status=status, value=first.value, missing=(), trace=trace,
                       extra=MappingProxyType(extra))
    brs = branches(book, outs, lambda r: (r.kind, r.value))
    shaped = []
    for b in brs:
        kind, value = b["value"]
        item = {"when": b["when"], "value": value}
        if kind == "not_applicable":
            item["status"] = "not_applicable"
        shaped.append(item)
    keys = list(dict.fromkeys(k for b in shaped for k in b["when"]))
    # Keep the fields that are the same in every branch; the rest are shown per branch.
    extra["branches"] = shaped
    extra["holds_regardless_of"] = [q for q in explored if q not in keys]
    trace = base.steps + (step_depends(book, lang, keys),)
    missing = keys + [k for k in explored if k not in keys and any(
        k in b["when"] for brs_ in (extra.get("field_branches") or {}).values() for b in brs_)]
    return Outcome(status="depends", value=None, missing=tuple(missing), trace=trace,
                   extra=MappingProxyType(extra))


def _hashable(v):
    return json.dumps(v, sort_keys=True, default=str) if isinstance(v, (dict, list, tuple)) else v


def _indeterminate(book, lang, e: Explored) -> Outcome:
    base = e.base
    steps = list(base.steps)
    if base.kind == "missing" and base.qid:
        if not base.unknown and base.upstream is None and base.qid in book.questions:
            steps.append(Step(rule=f"question.{base.qid}", kind="missing", question=base.qid,
                              refs=book.questions[base.qid].refs,
                              note=book.text("note.missing_answer", lang), note_id="note.missing_answer"))
        elif base.upstream is not None:
            steps.append(Step(rule=f"topic.{base.upstream}", kind="waiting",
                              note=book.text("note.waits_for_topic", lang).format(
                                  topic=book.text(f"topic.{base.upstream}", lang)),
                              note_id="note.waits_for_topic"))
    elif base.kind == "undecided":
        steps.append(Step(rule=f"topic.{e.name}", kind="undecided",
                          note=book.text(base.note, lang) if base.note else None, note_id=base.note))
    found = list(e.found)
    if e.over_budget or len(found) > 1:
        steps.append(step_budget(book, lang, found))
    extra = dict(base.extra)
    return Outcome(status="indeterminate", value=None, missing=tuple(found), trace=tuple(steps),
                   extra=MappingProxyType(extra))


def inputs_sha256(project: Project) -> str:
    canon = json.dumps(project.to_dict(), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canon.encode("utf-8")).hexdigest()


def _resolve(project, as_of, scenario, lang, book):
    problems = []
    if lang not in LANGS:
        problems.append(Problem(project.source or project.id, None, "lang", f"found {lang!r}; allowed: nb, en"))
    as_of_source = "argument"
    if as_of is None:
        as_of, as_of_source = project.as_of, "project"
    if as_of is None:
        # A front end that gives no date assesses as of today; the output says so.
        as_of, as_of_source = _date.today().isoformat(), "today"
    as_of = str(as_of)
    if not valid_date(as_of):
        problems.append(Problem(project.source or project.id, None, "as_of",
                                f"found {as_of!r}; expected a real date YYYY-MM-DD between "
                                f"{DATE_RANGE[0]} and {DATE_RANGE[1]}"))
    scenario = scenario or project.scenario or book.default_scenario()
    if scenario is not None and book.scenarios and scenario not in book.scenarios:
        problems.append(Problem(project.source or project.id, None, "scenario",
                                f"found {scenario!r}; allowed: {', '.join(book.scenarios)}"))
    if problems:
        raise InputError(problems)
    return as_of, as_of_source, scenario


def _score(conclusions) -> list[str]:
    """Open questions, the most decisive first: an answer decides every conclusion that
    names the question and every branch that does; ties keep the order the rules met them."""
    score, order = {}, []
    for qids, nbranches in conclusions:
        for q in qids:
            if q not in score:
                score[q] = 0
                order.append(q)
            score[q] += 1 + nbranches.get(q, 0)
    return sorted(order, key=lambda q: (-score[q], order.index(q)))


def _conclusions(outcomes, obligations, actions, studies_of):
    """(name, open question ids, branches per question) for every conclusion and duty that an
    open answer can still change."""
    out = []
    for topic, o in outcomes.items():
        d = o.extra
        if o.status in ("depends", "indeterminate") and o.missing:
            n = {}
            for b in d.get("branches") or ():
                for q in b["when"]:
                    n[q] = n.get(q, 0) + 1
            out.append((topic, list(o.missing), n))
        for field_, brs in (d.get("field_branches") or {}).items():
            qs = list(dict.fromkeys(q for b in brs for q in b["when"]))
            out.append((f"{topic}.{field_}", qs, {}))
    for s in studies_of:
        if s.get("status") in ("depends", "indeterminate") and s.get("missing"):
            out.append((f"studies.{s['id']}", list(s["missing"]), {}))
    for kind, items in (("obligation", obligations), ("action", actions)):
        for i in items:
            if i.get("conditional"):
                qs = list(dict.fromkeys(q for c in i.get("when") or () for q in c))
                if qs:
                    out.append((i["id"], qs, {}))
    return out


def _evaluate(project: Project, as_of, scenario, lang, book):
    ex = _explorer(book, project, as_of, scenario, lang)
    explored = {t: ex.explore(t) for t in TOPICS}
    outcomes = {t: _outcome(book, lang, explored[t]) for t in TOPICS}
    contrib = [ex.explore(name) for name, _ in CONTRIBUTORS]
    modules = None
    if project.modules:
        titles = {m.id: m.title for m in project.modules}
        per = {m.id: {t: _outcome(book, lang, ex.explore(t, m.id)) for t in MODULE_TOPICS}
               for m in project.modules}
        modules = [{"id": mid, "title": titles[mid],
                    **{t: {"status": r[t].status, "value": r[t].value, "missing": list(r[t].missing),
                           **({"branches": _thaw(r[t].extra["branches"])} if "branches" in r[t].extra else {})}
                       for t in MODULE_TOPICS}} for mid, r in per.items()]
        for t in MODULE_TOPICS:
            extra = dict(outcomes[t].extra)
            extra["modules"] = [{"id": mid, "title": titles[mid], **r[t].to_dict()} for mid, r in per.items()]
            o = outcomes[t]
            missing = tuple(dict.fromkeys(list(o.missing) + [q for r in per.values() for q in r[t].missing]))
            outcomes[t] = Outcome(status=o.status, value=o.value, missing=missing if o.status != "determined"
                                  else o.missing, trace=o.trace, extra=MappingProxyType(extra))
    every = list(explored.values()) + contrib
    obligations = merge_duties(book, every, "obligations")
    actions = merge_duties(book, every, "actions")
    wanted = list(dict.fromkeys(q for e in every for _, r in e.leaves for q in r.wanted))
    return outcomes, obligations, actions, wanted, modules, contrib, ex


def _contributor_extra(contrib) -> dict:
    """A contributor's extra fields (ctx.set) are top-level fields of the assessment, for
    example `technical_documentation` (sivreg/rules/technical_documentation.py); under open
    answers, those of its first branch that reached the end."""
    extra = {}
    for e in contrib:
        done = [r for _, r in e.possible if r.complete] or [e.base]
        extra.update(done[0].extra)
    return extra


def assess(project: Project, *, as_of: str | None = None, scenario: str | None = None,
           lang: str = "nb", book: Rulebook | None = None) -> Assessment:
    """Assess a project. `as_of` (YYYY-MM-DD) defaults to the project's own date, else today
    (recorded in `as_of_source`); `scenario` to the project's, else the rulebook default.
    Open answers are explored (sivreg/explore.py)."""
    book = book or rulebook()
    as_of, as_of_source, scenario = _resolve(project, as_of, scenario, lang, book)
    outcomes, obligations, actions, wanted, modules, contrib, ex = _evaluate(project, as_of, scenario, lang, book)
    studies = [s for s in (outcomes["clinical_investigation"].extra.get("studies") or ())
               if isinstance(s, dict)]
    conclusions = _conclusions(outcomes, obligations, actions, studies)
    for e in contrib:  # a contributor that could not finish: its open questions count too
        if not e.settled and e.found:
            conclusions.append((e.name, list(e.found), {}))
    missing = tuple(_score([(qs, n) for _, qs, n in conclusions]))
    statuses = {o.status for o in outcomes.values()}
    status = ("indeterminate" if "indeterminate" in statuses else
              "depends" if "depends" in statuses or any(i.get("conditional") for i in obligations) else
              "determined")
    actions = sorted(actions, key=lambda a: a.get("order", 100))
    for a in actions:
        a.pop("order", None)
    unknowns = [q for q, v in project.answers.values.items() if v == "unknown" and q in book.questions]
    open_points = []
    for q in list(missing) + [u for u in unknowns if u not in missing]:
        open_points.append({"question": q, "answered_unknown": project.answers.get(q) == "unknown",
                            "blocks": [name for name, qs, _ in conclusions if q in qs]})
    extra = {"as_of_source": as_of_source,
             "notice": book.text("notice.decision_support", lang),
             "optional_questions": [q for q in wanted if q not in project.answers],
             "open_points": open_points,
             "exploration": {"depth": DEPTH, "branches": LEAVES, "rule_runs": ex.runs}}
    if modules is not None:
        extra["modules"] = modules
    extra.update(_contributor_extra(contrib))
    if scenario in book.scenarios:
        sc = book.scenarios[scenario]
        extra["scenario"] = {"id": scenario, "label": sc["label"][lang],
                             "legal_status": sc["legal_status"][lang], "certainty": sc["certainty"],
                             "refs": list(sc["refs"])}
    if project.cleaned:  # sivreg.textclean: the text assessed is not byte for byte the text given
        extra["text_cleaned"] = {"fields": list(project.cleaned),
                                 "note": book.text("note.text_cleaned", lang)}
    proj = {"id": project.id, "title": project.title}
    if project.owner:
        proj["owner"] = project.owner
    return Assessment(
        project=MappingProxyType(proj), as_of=as_of, jurisdiction=project.jurisdiction, lang=lang,
        rulebook=MappingProxyType({"version": book.version, "sha256": book.sha256, "scenario": scenario}),
        inputs_sha256=inputs_sha256(project), outcomes=MappingProxyType(outcomes), status=status,
        obligations=tuple(obligations), actions=tuple(actions), missing=missing,
        extra=MappingProxyType(extra))


def next_question(project: Project, *, as_of: str | None = None, scenario: str | None = None,
                  include_optional: bool = True, book: Rulebook | None = None):
    """The next question the decision needs (a catalogue Question), or None when nothing is
    missing. Questions answered "unknown" are not asked again. Optional cross-check questions
    come after every required one."""
    book = book or rulebook()
    a = assess(project, as_of=as_of, scenario=scenario, lang="nb", book=book)
    for qid in a.missing:
        if qid not in project.answers:
            return book.questions[qid]
    if include_optional:
        for qid in a.to_dict().get("optional_questions", []):
            return book.questions[qid]
    return None


def open_questions(project: Project, **kw) -> list[str]:
    """Every question id the assessment is still waiting for (unanswered), in order."""
    a = assess(project, **kw)
    return [q for q in a.missing if q not in project.answers]
