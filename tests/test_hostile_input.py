"""Hostile input: files built to hurt (alias bombs, deep nesting, huge files, impossible
dates, values of the wrong shape, terminal escapes, formula injection, odd file names).
Each gives a clear error naming the file and the field (or is shown as plain text), never a
traceback, a hang or an exhausted memory; a batch goes on past the bad project."""
from __future__ import annotations

import csv
import io
import subprocess
import sys
import zipfile

import pytest

import sivreg
from sivreg.errors import InputError
from sivreg.io import loads

GOOD = "project: {id: p1, title: Test}\njurisdiction: NO\nanswers:\n  qual.is_software: yes\n"


def run_cli(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "sivreg.cli", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=120)


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as exc:
        loads(text, source="hostile.yaml")
    return [str(p) for p in exc.value.problems]


# -- YAML built to exhaust the reader ------------------------------------------------------------
BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{c}: &{c} [{', '.join([f'*{p}'] * 9)}]\n" for p, c in zip("abcdefgh", "bcdefghi"))


@pytest.mark.parametrize("where", ["as_of: *i", "jurisdiction: *i", "answers: {mdr.other_rules: *i}",
                                   "project: {id: p, title: *i}"])
def test_alias_bomb_is_refused_before_it_expands(where):
    text = BOMB + ("project: {id: p, title: t}\n" if "project" not in where else "") + where + "\n"
    msgs = problems(text)
    assert len(msgs) == 1 and "aliases" in msgs[0] and msgs[0].startswith("hostile.yaml:")


def test_merge_keys_and_small_aliases_still_work():
    text = ("project: {id: p1, title: T}\nanswers: &a\n  qual.is_software: yes\n"
            "modules:\n  - {id: m1, title: M, answers: *a}\n")
    p = loads(text)
    assert p.modules[0].answers.get("qual.is_software") == "yes"


@pytest.mark.parametrize("depth", [60, 5000, 200_000])
def test_deep_nesting_is_an_input_error(depth):
    msgs = problems("project: " + "[" * depth + "]" * depth + "\n")
    assert "nested more than" in msgs[0]


def test_huge_file_is_refused_without_reading_it_all(tmp_path):
    f = tmp_path / "huge.yaml"
    with open(f, "w", encoding="utf-8") as fh:
        fh.write(GOOD)
        fh.write(("  # " + "y" * 200 + "\n") * 100_000)  # 20 MB of comments
    with pytest.raises(InputError, match="too large"):
        sivreg.load(f)
    r = run_cli("validate", str(f))
    assert r.returncode == 1 and "too large" in r.stderr and "Traceback" not in r.stderr


def test_an_endless_device_is_refused():
    r = run_cli("assess", "/dev/zero")
    assert r.returncode == 1 and "too large" in r.stderr and "internal error" not in r.stderr


def test_bom_crlf_and_tabs():
    assert loads("\ufeff" + GOOD).answers.get("qual.is_software") == "yes"
    assert loads(GOOD.replace("\n", "\r\n")).answers.get("qual.is_software") == "yes"
    msgs = problems("project:\n\tid: p\n")
    assert "hostile.yaml:2" in msgs[0] and "\\t" in msgs[0]


# -- values of the wrong shape -----------------------------------------------------------------------
@pytest.mark.parametrize("line, field", [
    ("scenario: [a]", "[scenario]"),
    ("organisation: {a: 1}", "[organisation]"),
    ("jurisdiction: [NO]", "[jurisdiction]"),
    ("schema: {x: 1}", "[schema]"),
    ("as_of: [2026-01-01]", "[as_of]"),
])
def test_a_list_or_mapping_where_a_name_belongs(line, field):
    msgs = problems("project: {id: p1, title: Test}\nanswers: {}\n" + line + "\n")
    assert len(msgs) == 1 and field in msgs[0] and "hostile.yaml:3" in msgs[0], msgs


@pytest.mark.parametrize("text, field", [
    (GOOD + "as_of: 2026-02-30\n", "[as_of]"),
    (GOOD + "  ci.planned_start: 2027-02-30\n", "[answers.ci.planned_start]"),
    (GOOD + "  ci.planned_start: 2027-13-01\n", "[answers.ci.planned_start]"),
])
def test_impossible_dates_are_refused_at_load(text, field, tmp_path):
    msgs = problems(text)
    assert field in msgs[0] and "real date" in msgs[0]
    f = tmp_path / "d.yaml"
    f.write_text(text, encoding="utf-8")
    r = run_cli("validate", str(f))
    assert r.returncode == 1 and field in r.stderr  # validate and assess agree


def test_a_long_value_is_cut_short_in_the_message():
    msgs = problems("project: {id: p1, title: T}\njurisdiction: " + "X" * 1000 + "\n")
    assert len(msgs[0]) < 300
    msgs = problems(GOOD + "  " + "q" * 1000 + ": yes\n")
    assert len(msgs[0]) < 400


@pytest.mark.parametrize("field, value, expect", [
    ("title", '"\\e[2J\\e[31mpwned"', "control character U+001B"),
    ("title", '"two\\nlines"', "line break"),
    ("owner", '"bell\\a"', "control character U+0007"),
    ("title", "x" * 301, "too long"),
    ("description", "x" * 20_001, "too long"),
])
def test_free_text_without_control_characters_or_megabytes(field, value, expect):
    text = f"project: {{id: p1, title: T, {field}: {value}}}\nanswers: {{}}\n" if field != "title" else \
        f"project: {{id: p1, title: {value}}}\nanswers: {{}}\n"
    msgs = problems(text)
    assert f"[project.{field}]" in msgs[0] and expect in msgs[0], msgs


def test_a_description_may_have_paragraphs():
    p = loads('project: {id: p1, title: T, description: "one\\n\\ntwo\\tthree"}\nanswers: {}\n')
    assert p.description == "one\n\ntwo\tthree"


def test_validate_lists_every_problem_with_file_line_and_field(tmp_path):
    f = tmp_path / "many.yaml"
    f.write_text("project: {id: '../x', title: [a]}\nas_of: 2026-02-30\nscenario: [a]\n"
                 "answers:\n  qual.is_software: maybe\n  ci.planned_start: 2026-02-30\n"
                 "modules:\n  - {id: m, title: A}\n  - {id: m}\n", encoding="utf-8")
    r = run_cli("validate", str(f))
    assert r.returncode == 1 and "Traceback" not in r.stderr
    for needle in (":1 [project.id]", ":1 [project.title]", ":2 [as_of]", ":3 [scenario]",
                   ":5 [answers.qual.is_software]", ":6 [answers.ci.planned_start]", ":9 [modules[1].id]",
                   "[modules[1].title]"):
        assert f"{f}{needle}" in r.stderr or needle in r.stderr, (needle, r.stderr)
    assert "8 problem(s)" in r.stderr
