"""Issue 13, part 1: an answers file means what its author wrote. Each test is a probe that
changed text silently, crashed, hung or hid a file before: number-looking text, huge numbers,
thousands of modules, FIFOs and devices, two files with one id, escape sequences in names."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

import sivreg
from sivreg.errors import InputError
from sivreg.io import MAX_LIST, MAX_PARTS, loads
from sivreg.portfolio import run_portfolio

from portfolio_helpers import AS_OF, EXAMPLES


def cli(*args, timeout=60):
    return subprocess.run([sys.executable, "-m", "sivreg.cli", *map(str, args)], capture_output=True,
                          text=True, timeout=timeout)


def problems(text):
    with pytest.raises(InputError) as exc:
        loads(text, source="f.yaml")
    return [str(p) for p in exc.value.problems]


# -- text stays text ---------------------------------------------------------------------------
def test_number_looking_text_keeps_the_characters_written(tmp_path):
    f = tmp_path / "n.yaml"
    f.write_text("project: {id: 010, title: 12:30, owner: 1.10, description: 0x1F}\nanswers: {}\n"
                 "modules:\n  - {id: 1_000, title: .nan}\n  - {id: '7', title: .inf}\n"
                 "studies:\n  - {id: 1e3, title: -0}\n", encoding="utf-8")
    p = sivreg.load(f)
    assert (p.id, p.title, p.owner, p.description) == ("010", "12:30", "1.10", "0x1F")
    assert [(m.id, m.title) for m in p.modules] == [("1_000", ".nan"), ("7", ".inf")]
    assert (p.studies[0].id, p.studies[0].title) == ("1e3", "-0")
    r = cli("assess", f, "--format", "json", "--as-of", AS_OF)
    assert r.returncode == 0 and json.loads(r.stdout)["project"] == {"id": "010", "title": "12:30", "owner": "1.10"}
    # what the dashboard saves reads back the same
    assert sivreg.loads(sivreg.dump_project(p)) .title == "12:30"


def test_a_number_question_reads_the_text_strictly():
    from sivreg.catalogue import Question
    from sivreg.io import answer_problem
    q = Question.__new__(Question)
    object.__setattr__(q, "type", "number")
    assert answer_problem(q, "12.5") is None and answer_problem(q, "-3") is None
    for bad in ("1_000", ".nan", "0x10", "1e999", "9" * 5000, "12:30"):
        assert answer_problem(q, bad)[0] == "input.expected_number", bad


def test_a_five_thousand_digit_number_names_the_file_and_field(tmp_path):
    msgs = problems("project: {id: p, title: %s}\nanswers: {}\n" % ("9" * 5000))
    assert msgs == ["f.yaml:1 [project.title]: too long (5,000 characters; at most 300)"]
    msgs = problems("project: {id: p, title: !!int %s}\nanswers: {}\n" % ("9" * 5000))
    assert msgs[0].startswith("f.yaml: a number that cannot be read")
    f = tmp_path / "big.yaml"
    f.write_text("project: {id: p, title: !!int %s}\nanswers: {}\n" % ("9" * 5000), encoding="utf-8")
    r = cli("validate", f, "--lang", "en")
    assert r.returncode == 1 and "internal error" not in r.stderr and str(f) in r.stderr


@pytest.mark.parametrize("key", ["modules", "studies"])
def test_thousands_of_modules_or_studies_are_refused_quickly(key, tmp_path):
    text = ("project: {id: p, title: t}\nanswers: {}\n" + key + ":\n"
            + "".join(f"  - {{id: m{i}, title: M}}\n" for i in range(25_000)))
    start = time.perf_counter()
    msgs = problems(text)
    # (before: accepted, then 16 s and 866 MB to assess; now only the YAML is read, a few
    # seconds on an idle machine, bounded generously for a busy CI runner)
    assert time.perf_counter() - start < 60
    assert msgs == [f"f.yaml:3 [{key}]: the list is too long (25,000 values; at most 1,000)"]
    text = text.replace("".join(f"  - {{id: m{i}, title: M}}\n" for i in range(MAX_PARTS + 1, 25_000)), "")
    assert problems(text) == [f"f.yaml:3 [{key}]: too many ({MAX_PARTS + 1}; at most {MAX_PARTS} per project); "
                              "split the project"]
    ok = ("project: {id: p, title: t}\nanswers: {}\n" + key + ":\n"
          + "".join(f"  - {{id: m{i}, title: M}}\n" for i in range(MAX_PARTS)))
    assert len(getattr(loads(ok), key)) == MAX_PARTS


def test_a_multi_answer_list_has_a_limit():
    msgs = problems("project: {id: p, title: t}\nanswers:\n  ai.annex_iii: [" + ", ".join(["none"] * (MAX_LIST + 1)) + "]\n")
    assert "[answers.ai.annex_iii]: the list is too long" in msgs[0]


# -- only regular files ----------------------------------------------------------------------------
@pytest.fixture
def fifo(tmp_path):
    f = tmp_path / "pipe.yaml"
    os.mkfifo(f)
    return f


@pytest.mark.parametrize("args", [["validate"], ["assess"], ["summary"]])
def test_a_fifo_is_refused_at_once(fifo, args):
    target = fifo.parent if args == ["summary"] else fifo
    r = cli(*args, target, "--lang", "en", timeout=30)  # it hung forever
    assert r.returncode == 1 and "is not a regular file but a named pipe (FIFO)" in r.stderr, r.stderr


def test_the_portfolio_reports_every_entry_it_cannot_read(fifo, tmp_path):
    src = fifo.parent
    (src / "good.yaml").write_text((EXAMPLES / "ed-triage.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (src / "zero.yaml").symlink_to("/dev/zero")
    (src / "gone.yaml").symlink_to(src / "nowhere")
    (src / "folder.yaml").mkdir()
    res = run_portfolio(src, tmp_path / "out", notebooks=False, progress=False, as_of=AS_OF, lang="en")
    by = {e.file.name: e for e in res.entries}
    assert by["good.yaml"].status == "assessed"
    assert "named pipe" in by["pipe.yaml"].error and "a device" in by["zero.yaml"].error
    assert "cannot read" in by["gone.yaml"].error and "folder" in by["folder.yaml"].error
    assert all(by[n].status == "invalid" for n in ("pipe.yaml", "zero.yaml", "gone.yaml", "folder.yaml"))
    assert res.exit_code == 1
    summary = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert all(n in summary for n in ("pipe.yaml", "zero.yaml", "gone.yaml", "folder.yaml"))


# -- one id, one file --------------------------------------------------------------------------------
def test_two_files_with_one_id_are_both_refused_naming_each_other(tmp_path):
    src = tmp_path / "p"
    src.mkdir()
    text = (EXAMPLES / "ed-triage.yaml").read_text(encoding="utf-8")
    for name in ("a-old.yaml", "b-real.yaml", "c-copy.yaml"):
        (src / name).write_text(text, encoding="utf-8")
    (src / "other.yaml").write_text((EXAMPLES / "sepsis-icu.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    res = run_portfolio(src, tmp_path / "out", notebooks=False, progress=False, as_of=AS_OF, lang="en")
    by = {e.file.name: e for e in res.entries}
    assert by["other.yaml"].status == "assessed"
    for name, others in (("a-old.yaml", ("b-real", "c-copy")), ("b-real.yaml", ("a-old", "c-copy")),
                         ("c-copy.yaml", ("a-old", "b-real"))):
        assert by[name].status == "invalid" and all(o in by[name].error for o in others), by[name].error
    r = cli("portfolio", "run", src, "--out", tmp_path / "out2", "--no-notebooks", "--as-of", AS_OF)
    assert r.returncode == 1 and r.stderr.count("brukes også av") == 3


# -- names on a terminal -------------------------------------------------------------------------------
def test_escape_sequences_in_a_file_name_are_shown_escaped(tmp_path):
    src = tmp_path / "p"
    src.mkdir()
    bad = src / "x\x1b[2J\x1b]0;owned\x07\u202e.yaml"
    bad.write_text("project: {id: p, title: t}\nanswers: {nope: 1}\n", encoding="utf-8")
    for args in (["validate", bad], ["assess", bad], ["summary", src],
                 ["portfolio", "run", src, "--out", tmp_path / "out", "--no-notebooks", "--no-progress"]):
        r = cli(*args)
        assert r.returncode == 1, (args, r.stderr)
        for text in (r.stdout, r.stderr):
            assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text, (args, text)
        assert "x\\x1b[2J" in r.stderr, (args, r.stderr)
