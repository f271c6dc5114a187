"""Answers that cannot hold together (issue 12, item 3): software that is both an Annex XVI
product and an accessory has two exceptions at MDCG 2019-11 step 2 without a stated priority.
sivreg says which answers conflict and asks to change one: in `sivreg validate` and
`sivreg assess` (file, line and field of each answer, exit 1) and on the dashboard (the
questions as links, marked on the page), never as an internal error."""
import subprocess
import sys
from pathlib import Path

import sivreg
from sivreg.views.fields import anchor_id
from sivreg.views.questionnaire import Questionnaire

ROOT = Path(__file__).resolve().parent.parent
CONFLICT = """project: {id: conflict, title: Konflikt}
answers:
  qual.is_software: yes
  qual.annex_xvi: yes
  qual.accessory: yes
"""


def cli(*args):
    return subprocess.run([sys.executable, "-m", "sivreg.cli", *args], capture_output=True, text=True, cwd=ROOT)


def test_validate_names_the_conflicting_answers_with_file_line_and_field(tmp_path):
    f = tmp_path / "conflict.yaml"
    f.write_text(CONFLICT, encoding="utf-8")
    for lang, words in (("nb", "kan ikke gjelde samtidig"), ("en", "cannot hold at the same time")):
        r = cli("validate", str(f), "--lang", lang)
        assert r.returncode == 1
        assert f"{f}:4 [answers.qual.annex_xvi]" in r.stderr and f"{f}:5 [answers.qual.accessory]" in r.stderr
        assert words in r.stderr and "RuleConflict" not in r.stderr and "Traceback" not in r.stderr


def test_assess_exits_1_with_the_same_message(tmp_path):
    f = tmp_path / "conflict.yaml"
    f.write_text(CONFLICT, encoding="utf-8")
    r = cli("assess", str(f), "--lang", "en", "--format", "json")
    assert r.returncode == 1 and r.stdout == ""
    assert "[answers.qual.accessory]" in r.stderr and "cannot hold at the same time" in r.stderr
    assert "internal error" not in r.stderr.lower()


def test_the_dashboard_says_which_answers_conflict_and_links_to_them():
    q = Questionnaire(None, lang="nb", as_of="2026-11-26")
    for qid in ("qual.is_software", "qual.annex_xvi", "qual.accessory"):
        q.answer(qid, "yes")
    assert q.conflict is not None and q.conflict.questions == ["qual.annex_xvi", "qual.accessory"]
    html = q.result.value
    assert "kan ikke gjelde samtidig" in html and "Noe gikk galt" not in html
    for qid in ("qual.annex_xvi", "qual.accessory"):
        assert f'href="#{anchor_id(qid)}"' in html
        assert f'id="{anchor_id(qid)}"' in q.field(qid).label.value
        assert "sv-conflict" in q.field(qid).box._dom_classes
    q.answer("qual.accessory", "no")  # change one of them: the questionnaire goes on
    assert q.conflict is None and q.assessment is not None and q.next_question
    assert "sv-conflict" not in q.field("qual.annex_xvi").box._dom_classes
