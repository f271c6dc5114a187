"""Run the rules for a project: `assess()` gives the Assessment, `next_question()` the next
question the decision needs. Both come from the same mechanism: a rule asks for an answer,
and a missing answer makes its topic `indeterminate` with that question listed.
"""
from __future__ import annotations

import hashlib
import json
from datetime import date as _date
from types import MappingProxyType

from .catalogue import Rulebook, rulebook
from .context import Ctx, Missing, NotApplicable, State, Undecided, Upstream, class_rank
from .errors import InputError, Problem
from .model import DATE_RANGE, TOPICS, Answers, Assessment, Outcome, Project, Step, valid_date
from .rules import CONTRIBUTORS, MODULE_TOPICS, TOPIC_RULES

LANGS = ("nb", "en")


def _run_topic(book, topic, fn, answers, state) -> Outcome:
    ctx = Ctx(book, topic, answers, state)
    try:
        value = fn(ctx)
        status = "determined"
        missing: tuple = ()
    except Missing as m:
        value, status, missing = None, "indeterminate", (m.qid,)
        if not m.unknown:
            ctx.step(f"question.{m.qid}", "missing", question=m.qid,
                     refs=book.questions[m.qid].refs, note="note.missing_answer")
    except Upstream as u:
        value, status, missing = None, "indeterminate", u.outcome.missing
        ctx.step(f"topic.{u.topic}", "waiting", finding=None, refs=(),
                 note="note.waits_for_topic", note_args={"topic": book.text(f"topic.{u.topic}", state.lang)})
    except Undecided as ud:
        value, status, missing = None, "indeterminate", ()
        ctx.step(f"topic.{topic}", "undecided", note=ud.note)
    except NotApplicable as na:
        value, status, missing = na.value, "not_applicable", ()
    state.wanted.extend(q for q in ctx.wanted if q not in state.wanted)
    return Outcome(status=status, value=value, missing=tuple(missing), trace=tuple(ctx.steps),
                   extra=MappingProxyType(dict(ctx.extra)))


def _lead_module(results):
    """The module that decides the project (MDCG 2019-11 §7): the strictest device result."""
    devices = [(mid, r) for mid, r in results if r["device_class"].status == "determined"
               and r["device_class"].value]
    if devices:
        return max(devices, key=lambda x: class_rank(x[1]["device_class"].value))
    return results[0]


def _with_modules(book, project, state):
    """Qualify and classify each module on its own; the project takes the strictest."""
    results = []
    for module in project.modules:
        sub = State(book, project, state.as_of, state.jurisdiction, state.scenario, state.lang)
        answers = project.answers.overlay(module.answers)
        for topic in MODULE_TOPICS:
            sub.outcomes[topic] = _run_topic(book, topic, TOPIC_RULES[topic], answers, sub)
        state.wanted.extend(q for q in sub.wanted if q not in state.wanted)
        results.append((module.id, sub.outcomes))
    titles = {m.id: m.title for m in project.modules}
    lead_id, lead = _lead_module(results)
    summary = [{"id": mid, "title": titles[mid], **{t: {"status": r[t].status, "value": r[t].value,
                                                         "missing": list(r[t].missing)} for t in MODULE_TOPICS}}
               for mid, r in results]
    for topic in MODULE_TOPICS:
        missing = tuple(dict.fromkeys(q for _, r in results for q in r[topic].missing))
        steps = [Step(rule="mdcg_2019_11.modules", kind="module", answer=mid, finding=f"{topic}.{r[topic].value}"
                      if r[topic].value is not None else None, refs=("mdcg_2019_11.s7",),
                      note=titles[mid]) for mid, r in results]
        regimes = {r["regime"].value for _, r in results if r["regime"].value in ("MDR", "IVDR")}
        if len(regimes) > 1:
            # MDR and IVDR classes are not on one scale: the modules need their own routes
            # (MDCG 2019-11 §7: the manufacturer states which modules fall under which regulation).
            steps.append(Step(rule="mdcg_2019_11.modules.mixed_regimes", kind="interpretation",
                              refs=("mdcg_2019_11.s7",),
                              note=book.text("note.module_mixed_regimes", state.lang),
                              note_id="note.module_mixed_regimes"))
        steps.append(Step(rule="mdcg_2019_11.modules.strictest", kind="rule", answer=lead_id,
                          finding=f"{topic}.{lead[topic].value}" if lead[topic].value is not None else None,
                          refs=("mdcg_2019_11.s7", "mdr.annex_viii.ir_3_5"),
                          note=book.text("note.module_lead", state.lang).format(module=titles[lead_id]),
                          note_id="note.module_lead"))
        status = "indeterminate" if missing else lead[topic].status
        extra = dict(lead[topic].extra)
        if len(regimes) > 1:
            extra["mixed_regimes"] = True
        extra["modules"] = [{"id": mid, "title": titles[mid], "status": r[topic].status,
                             "value": r[topic].value, "missing": list(r[topic].missing),
                             "trace": [s.to_dict() for s in r[topic].trace]} for mid, r in results]
        state.outcomes[topic] = Outcome(status=status, value=None if missing else lead[topic].value,
                                        missing=missing, trace=tuple(steps) + lead[topic].trace,
                                        extra=MappingProxyType(extra))
    return summary


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


def _evaluate(project: Project, as_of, scenario, lang, book) -> State:
    state = State(book, project, as_of, project.jurisdiction, scenario, lang)
    modules = None
    if project.modules:
        modules = _with_modules(book, project, state)
    for topic in TOPICS:
        if topic in state.outcomes:
            continue
        state.outcomes[topic] = _run_topic(book, topic, TOPIC_RULES[topic], project.answers, state)
    state.contributor_missing = []
    for name, fn in CONTRIBUTORS:
        out = _run_topic(book, name, fn, project.answers, state)
        state.outcomes.setdefault(f"_{name}", out)
        state.contributor_missing.extend(out.missing)
    state.modules = modules
    return state


def assess(project: Project, *, as_of: str | None = None, scenario: str | None = None,
           lang: str = "nb", book: Rulebook | None = None) -> Assessment:
    """Assess a project. `as_of` (YYYY-MM-DD) defaults to the project's own date, else today
    (recorded in `as_of_source`); `scenario` to the project's, else the rulebook default."""
    book = book or rulebook()
    as_of, as_of_source, scenario = _resolve(project, as_of, scenario, lang, book)
    state = _evaluate(project, as_of, scenario, lang, book)
    outcomes = {t: state.outcomes[t] for t in TOPICS}
    missing = tuple(dict.fromkeys([q for o in outcomes.values() for q in o.missing]
                                  + state.contributor_missing))
    status = "indeterminate" if any(o.status == "indeterminate" for o in outcomes.values()) else "determined"
    actions = sorted(state.actions.values(), key=lambda a: a.get("order", 100))
    for a in actions:
        a.pop("order", None)
    extra = {"as_of_source": as_of_source,
             "notice": book.text("notice.decision_support", lang),
             "optional_questions": [q for q in state.wanted if q not in project.answers]}
    if state.modules is not None:
        extra["modules"] = state.modules
    # A contributor's extra fields (ctx.set) are top-level fields of the assessment, for
    # example `technical_documentation` (sivreg/rules/technical_documentation.py).
    for name, _ in CONTRIBUTORS:
        extra.update(state.outcomes[f"_{name}"].extra)
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
        obligations=tuple(state.obligations.values()), actions=tuple(actions), missing=missing,
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
