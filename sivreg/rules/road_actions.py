"""Helpers for the project's next steps on the road to use. Their order follows the hospital's
guideline (SiV, section 3.3): plan the clinical evaluation and studies (step 3, with the
hospital's own registration of the study), research ethics and data, the technical
documentation (step 4), conformity assessment and CE marking (step 5), Norwegian language
(step 6) and post-market surveillance (step 7). Submissions to DMP and REK come together:
REK gets its application the same day as DMP (DMP's guidance).

The texts, recipients, references and places in the order (`order:`, one sequence shared
with the AI Act steps) are in rulebook/actions/*.yaml; the day counts in
rulebook/periods/road.yaml. This module fills in what comes from the answers and the
organisation profile.
"""
from __future__ import annotations

from datetime import date, timedelta

def act(ctx, action_id: str, **fields) -> None:
    """Add a next step; its place in the order and its certainty come from the rulebook."""
    ctx.act(action_id, **fields)


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
