"""The order of the project's next steps on the road to use, following the hospital's
guideline (SiV, section 3.3): plan the clinical evaluation and studies (step 3, with the
hospital's own registration of the study), research ethics and data, the technical
documentation (step 4), conformity assessment and CE marking (step 5), Norwegian language
(step 6) and post-market surveillance (step 7). Submissions to DMP and REK come together:
REK gets its application the same day as DMP (DMP's guidance).

The texts, recipients and references of each step are in rulebook/actions/road.yaml; the
day counts in rulebook/periods/road.yaml. This module only places the steps in order and
fills in recipients that come from the organisation profile.
"""
from __future__ import annotations

from datetime import date, timedelta

ORDER = {
    "act.clinical_evaluation_plan": 10,
    "act.register_internal": 15,
    "act.consent": 20,
    "act.dispensation": 21,
    "act.dpia": 22,
    "act.rek_research": 30,
    "act.dmp_application": 31,
    "act.dmp_notification": 31,
    "act.rek_application": 32,
    "act.inhouse_conditions": 35,
    "act.qms": 38,
    "act.inhouse_justification": 40,
    "act.technical_documentation": 42,
    "act.norwegian_language": 45,
    "act.check_ce": 48,
    "act.notified_body": 50,
    "act.declaration_of_conformity": 52,
    "act.ce_marking": 54,
    "act.inhouse_declaration": 55,
    "act.register_dmp": 56,
    "act.pms_plan": 60,
    "act.incident_routine": 62,
}


def act(ctx, action_id: str, **fields) -> None:
    """Add a next step in its place in the order, with its certainty when the rulebook marks
    it uncertain or inferred (a [U] fact is shown as uncertain)."""
    # the action's certainty is copied by State.add_action
    ctx.act(action_id, order=ORDER[action_id], **fields)


def period(ctx, period_id: str) -> dict:
    """A day count from the rulebook, with its reference and certainty, in the output language."""
    p = ctx.book.periods[period_id]
    out = {"id": period_id, "label": p["label"][ctx.lang], "days": p["days"], "ref": p["ref"],
           "certainty": p["certainty"]}
    if p.get("note"):
        out["note"] = p["note"][ctx.lang]
    return out


def days_before(day: str, days: int) -> str:
    return (date.fromisoformat(day) - timedelta(days=days)).isoformat()


def days_after(day: str, days: int) -> str:
    return (date.fromisoformat(day) + timedelta(days=days)).isoformat()
