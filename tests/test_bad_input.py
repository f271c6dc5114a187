"""Bad input gets a clear answer: one screen naming the file and the field, exit code 1,
no traceback (issue 2: syntax error, unknown key, wrong type, empty file, a list instead of
a mapping, undecodable bytes, the string NO staying a string)."""
import subprocess
import sys

import pytest

import sivreg
from sivreg.errors import InputError

GOOD = """project: {id: p1, title: Test}
jurisdiction: NO
answers:
  qual.is_software: yes
"""


def run_cli(*args):
    return subprocess.run([sys.executable, "-m", "sivreg.cli", *args], capture_output=True, text=True)


CASES = {
    "syntax": ("project: {id: p1, title: Test\nanswers: [\n", ["YAML syntax error"], None),
    "unknown_key": (GOOD + "colour: blue\n", ["colour", "unknown key"], 5),
    "unknown_question": (GOOD + "  qual.is_sofware: yes\n", ["qual.is_sofware", "unknown question"], 5),
    "wrong_type": (GOOD + "  mdr.other_rules: r9_controls_ionising_radiation\n", ["mdr.other_rules", "expected a list"], 5),
    "bad_option": (GOOD + "  mdr.r11a_subrule: catastrophic\n", ["mdr.r11a_subrule", "allowed: death_or_irreversible"], 5),
    "bad_bool": (GOOD + "  qual.annex_xvi: maybe\n", ["qual.annex_xvi", "allowed: yes, no"], 5),
    "empty": ("", ["empty"], None),
    "list": ("- a\n- b\n", ["expected a mapping"], None),
    "bad_jurisdiction": (GOOD.replace("jurisdiction: NO", "jurisdiction: SE"), ["jurisdiction", "allowed: NO, EU"], 2),
    "missing_title": ("project: {id: p1}\nanswers: {}\n", ["project.title", "missing"], None),
    "bad_date": (GOOD + "as_of: 26.11.2026\n", ["as_of", "YYYY-MM-DD"], 5),
    "none_combined": (GOOD + "  mdr.other_rules: [none, r15_contraception]\n", ["'none' cannot be combined"], 5),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_file_gives_one_clear_error(tmp_path, name):
    text, needles, line = CASES[name]
    f = tmp_path / f"{name}.yaml"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as exc:
        sivreg.load(f)
    msg = str(exc.value)
    assert str(f) in msg
    for n in needles:
        assert n in msg, msg
    if line:
        assert f"{f}:{line}" in msg
    r = run_cli("assess", str(f))
    assert r.returncode == 1
    assert "Traceback" not in r.stderr and str(f) in r.stderr
    assert len(r.stderr.splitlines()) < 25


def test_undecodable_bytes(tmp_path):
    f = tmp_path / "latin1.yaml"
    f.write_bytes("project: {id: p1, title: Bl\xe5b\xe6r}\n".encode("latin-1"))
    with pytest.raises(InputError, match="not UTF-8"):
        sivreg.load(f)
    r = run_cli("validate", str(f))
    assert r.returncode == 1 and "Traceback" not in r.stderr and "UTF-8" in r.stderr


def test_validate_reports_every_problem_at_once(tmp_path):
    f = tmp_path / "many.yaml"
    f.write_text(GOOD + "  qual.annex_xvi: maybe\n  mdr.r11a_subrule: bad\nextra: 1\n", encoding="utf-8")
    g = tmp_path / "other.yaml"
    g.write_text("- x\n", encoding="utf-8")
    r = run_cli("validate", str(f), str(g), "--lang", "en")
    assert r.returncode == 1
    assert "3 problems:" in r.stderr or "4 problems:" in r.stderr
    for needle in ("qual.annex_xvi", "mdr.r11a_subrule", "extra", str(g)):
        assert needle in r.stderr


def test_norway_stays_a_string(tmp_path):
    f = tmp_path / "no.yaml"
    f.write_text(GOOD, encoding="utf-8")
    p = sivreg.load(f)
    assert p.jurisdiction == "NO"
    assert p.answers.get("qual.is_software") == "yes"
    assert sivreg.assess(p, as_of="2026-11-26").jurisdiction == "NO"


def test_missing_file_and_folder(tmp_path):
    r = run_cli("assess", str(tmp_path / "nope.yaml"), "--lang", "en")
    assert r.returncode == 1 and "cannot read" in r.stderr and "Traceback" not in r.stderr
    r = run_cli("assess", str(tmp_path), "--lang", "en")
    assert r.returncode == 1 and "folder" in r.stderr
    r = run_cli("assess", str(tmp_path))  # bokmål by default, like the report
    assert r.returncode == 1 and "er en mappe" in r.stderr and "sivreg: feil" in r.stderr


def test_bad_cli_date_is_refused():
    r = run_cli("assess", "parameters/sepsis-icu.yaml", "--as-of", "tomorrow")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr and "Traceback" not in r.stderr


def test_hostile_title_is_escaped_in_markdown(tmp_path):
    f = tmp_path / "x.yaml"
    f.write_text('project: {id: x, title: "<script>alert(1)</script>"}\nanswers: {}\n', encoding="utf-8")
    from sivreg.render import to_markdown
    md = to_markdown(sivreg.assess(sivreg.load(f), as_of="2026-11-26"))
    assert "<script>" not in md
