"""Every conclusion on qualification, regulation, class, conformity and studies rests on the
binding text as well as on guidance (guidance explains the law, it does not make it). The one
exception is decision step 1: "not software" only means the guidance does not apply."""
import pytest

import sivreg
import scenario_cases as sc

TOPICS = ("qualification", "regime", "device_class", "conformity", "clinical_investigation")
GUIDANCE_ONLY = {"qual.step1.not_software"}


def _binding(book, ref):
    r = book.references[ref]
    while r.parent:
        r = book.references[r.parent]
    return r.binding


@pytest.mark.parametrize("case", [c for c in sc.collect() if "expect_error" not in c.data], ids=lambda c: c.id)
def test_conclusions_cite_binding_law(case):
    book = sivreg.rulebook()
    a = sivreg.assess(sc.project_of(case), as_of="2026-11-26", lang="en").to_dict()
    for topic in TOPICS:
        for step in a["outcomes"][topic]["trace"]:
            if step["kind"] == "conclusion" and step["rule"] not in GUIDANCE_ONLY:
                assert step["refs"], (topic, step["rule"])
                assert any(_binding(book, r) for r in step["refs"]), (topic, step["rule"], step["refs"])
