"""Topics a later part of sivreg decides. Until then they stay `indeterminate` with a note,
never a guess (output contract v1: all six outcome keys are always present)."""
from __future__ import annotations

from ..context import Undecided


def conformity(ctx):
    raise Undecided("note.topic_not_built")


def clinical_investigation(ctx):
    raise Undecided("note.topic_not_built")


def ai_act_risk(ctx):
    raise Undecided("note.topic_not_built")
