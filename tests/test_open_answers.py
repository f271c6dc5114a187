"""Reasoning with open answers (issue 9): unit tests of the exploration and property-based
tests (Hypothesis) over answers files generated from the catalogue and the examples.

Properties, for answers with some questions unknown and some not answered:
(a) answering a question a conclusion holds regardless of, with any allowed answer, leaves
    that conclusion unchanged;
(b) answering the questions of a `depends` branch as the branch says gives its value;
(c) replacing a given answer with "unknown" never removes an obligation or action (it may
    become conditional), as long as the exploration stays within its budget;
(d) an assessment is deterministic and round-trips through JSON.
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import sivreg
from sivreg.errors import RuleConflict
from sivreg.explore import domain, matches, simplify
from sivreg.model import Answers, Assessment, Project

ROOT = Path(__file__).resolve().parent.parent
AS_OF = "2026-11-26"
BOOK = sivreg.rulebook()
EXAMPLES = {f.stem: sivreg.load(f) for f in sorted((ROOT / "parameters").glob("*.yaml"))}
SETTINGS = settings(max_examples=20, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])


def assess(project: Project):
    return sivreg.assess(project, as_of=AS_OF, lang="en")


def with_answers(project: Project, answers: dict) -> Project:
    return project.with_answers(Answers.of(answers))


def pick(value, qid):
    """One answer that satisfies a branch condition's value."""
    q = BOOK.questions[qid]
    if q.type == "multi":
        alt = value[0] if isinstance(value, list) and value else "none"
        if isinstance(alt, list):
            return alt
        return [alt] if alt != "none" or "none" in q.allowed_values() else []
    return value[0] if isinstance(value, list) else value


@st.composite
def projects(draw):
    """An example project with some answers dropped, some made "unknown", some changed to
    another allowed answer."""
    name = draw(st.sampled_from(sorted(EXAMPLES)))
    project = EXAMPLES[name]
    answers = project.answers.to_dict()
    qids = sorted(q for q in answers if q in BOOK.questions)
    chosen = draw(st.lists(st.sampled_from(qids), min_size=1, max_size=4, unique=True)) if qids else []
    for qid in chosen:
        action = draw(st.sampled_from(["drop", "unknown", "unknown", "other"]))
        if action == "drop":
            answers.pop(qid)
        elif action == "unknown":
            answers[qid] = "unknown"
        else:
            dom = domain(BOOK.questions[qid])
            if dom:
                answers[qid] = draw(st.sampled_from(dom))
    return with_answers(project, answers)


def safe_assess(project):
    try:
        return assess(project)
    except RuleConflict:
        assume(False)


# -- (a) holds regardless ------------------------------------------------------------------------

@SETTINGS
@given(projects(), st.data())
def test_a_conclusion_that_holds_regardless_does_not_change_when_answered(project, data):
    a = safe_assess(project).to_dict()
    cands = [(t, q) for t, o in a["outcomes"].items() if o["status"] in ("determined", "not_applicable")
             for q in o.get("holds_regardless_of") or [] if domain(BOOK.questions[q])]
    assume(cands)
    topic, qid = data.draw(st.sampled_from(cands))
    value = data.draw(st.sampled_from(domain(BOOK.questions[qid])))
    b = safe_assess(with_answers(project, {**project.answers.to_dict(), qid: value})).to_dict()
    assert b["outcomes"][topic]["value"] == a["outcomes"][topic]["value"], (topic, qid, value)
    assert b["outcomes"][topic]["status"] == a["outcomes"][topic]["status"], (topic, qid, value)


# -- (b) a branch gives its value ----------------------------------------------------------------

@SETTINGS
@given(projects(), st.data())
def test_answering_as_a_branch_says_gives_the_branch_value(project, data):
    a = safe_assess(project).to_dict()
    cands = [(t, i) for t, o in a["outcomes"].items() if o["status"] == "depends"
             for i in range(len(o["branches"]))]
    assume(cands)
    topic, i = data.draw(st.sampled_from(cands))
    branch = a["outcomes"][topic]["branches"][i]
    answers = {**project.answers.to_dict(), **{q: pick(v, q) for q, v in branch["when"].items()}}
    assert matches(BOOK, branch["when"], answers)
    b = safe_assess(with_answers(project, answers)).to_dict()["outcomes"][topic]
    assert b["status"] in ("determined", "not_applicable"), (topic, branch, b["status"], b["missing"])
    assert b["value"] == branch["value"], (topic, branch, b["value"])


# -- (c) "unknown" never removes a duty ----------------------------------------------------------

@SETTINGS
@given(projects(), st.data())
def test_unknown_never_removes_an_obligation_or_action(project, data):
    a = safe_assess(project).to_dict()
    answers = project.answers.to_dict()
    # answers the exploration can reproduce: yes/no, one choice, or at most one option ticked
    qids = sorted(q for q, v in answers.items() if q in BOOK.questions and v != "unknown"
                  and domain(BOOK.questions[q]) and (not isinstance(v, list) or len(v) <= 1))
    assume(qids)
    qid = data.draw(st.sampled_from(qids))
    b = safe_assess(with_answers(project, {**answers, qid: "unknown"})).to_dict()
    assume(all(o["status"] != "indeterminate" for o in b["outcomes"].values()))  # within the budget
    for kind in ("obligations", "actions"):
        before = {i["id"] for i in a[kind]}
        after = {i["id"]: i for i in b[kind]}
        assert before <= set(after), (qid, kind, sorted(before - set(after)))
        for i in before:
            if after[i].get("conditional"):
                assert after[i]["when"], (qid, i)


# -- (d) deterministic, JSON round trip ----------------------------------------------------------

@SETTINGS
@given(projects())
def test_assessment_is_deterministic_and_round_trips_through_json(project):
    a = safe_assess(project)
    b = safe_assess(project)
    assert a.to_dict() == b.to_dict()
    text = json.dumps(a.to_dict(), ensure_ascii=False)
    again = Assessment.from_dict(json.loads(text))
    assert again.to_dict() == a.to_dict()
    for o in again.outcomes.values():
        if o.status == "depends":
            assert o.value is None and o.extra["branches"]


# -- units ----------------------------------------------------------------------------------------

def test_role_depends_on_origin_while_the_tier_does_not():
    p = EXAMPLES["radiology-lung-nodules"]
    # the question that says who develops the system (merged into one question in issue 10)
    origin = next(q for q in ("org.manufacturer", "ai.origin") if q in BOOK.questions)
    answers = {**p.answers.to_dict(), origin: "unknown", "conf.in_house_only": "no"}
    o = assess(with_answers(p, answers)).to_dict()["outcomes"]["ai_act_risk"]
    assert o["status"] == "determined" and o["value"] == "high_risk"
    assert origin in o["holds_regardless_of"]
    roles = {b["value"] for b in o["field_branches"]["role"]}
    assert len(roles) > 1 and all(origin in b["when"] for b in o["field_branches"]["role"])


def test_a_branch_is_shown_as_a_hypothesis_in_the_trace():
    p = EXAMPLES["sepsis-icu"]
    # in another manufacturer's branch a marketed product's declared class is asked (issue 10)
    answers = {**p.answers.to_dict(), "org.manufacturer": "unknown", "conf.declared_class": "IIb"}
    o = assess(with_answers(p, answers)).to_dict()["outcomes"]["conformity"]
    kinds = [s["kind"] for s in o["trace"]]
    assert o["status"] == "determined" and "regardless" in kinds
    assert any(s["kind"] == "hypothesis" and s["question"] == "org.manufacturer" for s in o["trace"])


def test_past_the_budget_the_conclusion_is_indeterminate_and_names_the_questions():
    empty = Project(id="empty", title="", answers=Answers.of({"qual.is_software": "yes"}))
    a = assess(empty).to_dict()
    ai = a["outcomes"]["ai_act_risk"]
    assert ai["status"] == "indeterminate" and len(ai["missing"]) > 1
    assert any(s["kind"] == "budget" for s in ai["trace"])
    assert a["missing"] and a["status"] == "indeterminate"


def test_missing_lists_the_most_decisive_question_first():
    empty = Project(id="empty", title="", answers=Answers.of({}))
    a = assess(empty)
    assert a.missing[0] == "qual.is_software"  # every conclusion turns on it
    assert sivreg.next_question(empty, as_of=AS_OF).id == "qual.is_software"


def test_unknown_is_not_asked_again_but_stays_an_open_point():
    p = EXAMPLES["liver-segmentation-inhouse"]
    answers = {**p.answers.to_dict(), "inhouse.qms": "unknown"}
    project = with_answers(p, answers)
    a = assess(project).to_dict()
    assert "inhouse.qms" in a["missing"]
    point = next(x for x in a["open_points"] if x["question"] == "inhouse.qms")
    assert point["answered_unknown"] and "conformity" in point["blocks"]
    nq = sivreg.next_question(project, as_of=AS_OF)
    assert nq is None or nq.id != "inhouse.qms"


@pytest.mark.parametrize("conds,want", [
    ([{"a": "yes"}, {"a": "no"}], [{}]),
    ([{"a": "yes", "b": "x"}, {"a": "yes", "b": "y"}], [{"a": "yes", "b": ["x", "y"]}]),
    ([{"a": "yes"}, {"a": "yes", "b": "x"}], [{"a": "yes"}]),
])
def test_conditions_are_merged_to_the_fewest(conds, want):
    class Q:
        def __init__(self, type_, options):
            self.type, self.options = type_, [type("O", (), {"value": o}) for o in options]

    class Book:
        questions = {"a": Q("bool", []), "b": Q("enum", ["x", "y", "z"])}

    assert simplify(Book(), conds) == want
