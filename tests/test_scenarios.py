"""Runs every YAML scenario case in tests/cases (see tests/scenario_cases.py)."""
import pytest

from scenario_cases import check, collect

CASES = collect()


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_case(case):
    check(case)


def test_every_public_case_is_encoded():
    """Each worked example from the public case list that this version decides is cited by
    at least one scenario case (`source:` starts with its id)."""
    sources = " ".join(c.data["source"] for c in CASES)
    for hc in ("HC-01", "HC-04", "HC-05", "HC-09", "HC-16", "HC-19", "HC-21", "HC-23", "HC-27",
               "HC-28", "HC-30", "HC-31", "HC-35", "HC-36", "HC-42", "HC-47", "HC-50", "HC-52",
               "HC-54", "HC-56", "HC-62", "HC-64"):
        assert hc in sources, f"no scenario case cites {hc}"
