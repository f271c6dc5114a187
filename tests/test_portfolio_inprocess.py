"""Portfolio review without notebooks (the in-process path): the example portfolio, a
generated portfolio of hundreds of projects, broken projects among good ones, the summary
files, incremental reruns, diffs and the register's hash chain."""
import csv
import io
import json
import sqlite3

import pytest
from openpyxl import load_workbook

from portfolio_helpers import AS_OF, EXAMPLES, copy_examples, generate, set_answer, sivreg
from sivreg.portfolio import Register, diff_runs, run_portfolio, verify
from sivreg.portfolio.diff import lines

N_EXAMPLES = len(list(EXAMPLES.glob("*.yaml")))


def run(src, out, **kw):
    kw.setdefault("as_of", AS_OF)
    return run_portfolio(src, out, notebooks=False, progress=False, **kw)


def test_example_portfolio_summary_files_and_register(tmp_path):
    assert N_EXAMPLES >= 10
    res = run(EXAMPLES, tmp_path / "out")
    assert res.exit_code == 0
    assert [e.status for e in res.entries] == ["assessed"] * N_EXAMPLES
    out = tmp_path / "out"
    for e in res.entries:
        a = json.loads((out / "assessments" / f"{e.project_id}.json").read_text())
        assert a["project"]["id"] == e.project_id and a["as_of"] == AS_OF
    html = (out / "summary.html").read_text()
    assert "<svg" in html and "Risikoklasse" in html and "Porteføljegjennomgang" in html
    assert "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")  # self-contained
    assert "<script" not in html and "<link" not in html
    rows = list(csv.reader(io.StringIO((out / "summary.csv").read_text(encoding="utf-8-sig"))))
    assert len(rows) == N_EXAMPLES + 1 and rows[0][0] == "Prosjekt-ID"
    sepsis = next(r for r in rows if r[0] == "sepsis-icu")
    assert "Klasse IIb" in sepsis and "Intensivavdelingen, SiV" in sepsis
    ws = load_workbook(out / "summary.xlsx").active
    assert ws.max_row == N_EXAMPLES + 1 and ws.cell(1, 2).value == "Prosjekt"
    problems, facts = verify(out / "register.sqlite", out)
    assert problems == [] and facts["runs"] == 1 and facts["rows"] == N_EXAMPLES + 2


def test_english_summary(tmp_path):
    run(EXAMPLES, tmp_path / "out", lang="en")
    html = (tmp_path / "out" / "summary.html").read_text()
    assert "Portfolio review of AI projects" in html and "Class IIb" in html and 'lang="en"' in html
    assert (tmp_path / "out" / "summary.csv").read_text(encoding="utf-8-sig").startswith("Project ID,")


@pytest.mark.slow
def test_generated_portfolio_of_hundreds(tmp_path):
    src = generate(tmp_path / "params", 300)
    res = run(src, tmp_path / "out")
    assert res.exit_code == 0 and len(res.entries) == 300
    assert {e.status for e in res.entries} == {"assessed"}
    assert len(list((tmp_path / "out" / "assessments").glob("*.json"))) == 300
    with Register(tmp_path / "out" / "register.sqlite") as reg:
        assert len(reg.records(res.run_id)) == 300
    assert verify(tmp_path / "out" / "register.sqlite", tmp_path / "out")[0] == []
    # a rerun with nothing changed: no changes, nothing rewritten
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out" / "assessments").iterdir()}
    res2 = run(src, tmp_path / "out")
    assert lines(res2.changes) == ["Ingen endringer."]
    assert before == {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out" / "assessments").iterdir()}


def test_broken_projects_are_reported_and_the_rest_go_on(tmp_path):
    src = copy_examples(tmp_path / "params", {"sepsis-icu", "ed-triage", "wellness-chatbot"})
    (src / "aa-broken.yaml").write_text("project: {id: broken, title: x\nanswers: [\n", encoding="utf-8")
    (src / "bb-unknown-question.yaml").write_text(
        "project: {id: bb, title: B}\nanswers:\n  qual.no_such_question: yes\n", encoding="utf-8")
    (src / "zz-duplicate.yaml").write_text((src / "sepsis-icu.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (src / "cc-hostile.yaml").write_text(
        'project: {id: cc, title: "<script>alert(1)</script>", owner: "<b>x</b>"}\nanswers: {}\n', encoding="utf-8")
    res = run(src, tmp_path / "out")
    status = {e.file.name: e.status for e in res.entries}
    assert status == {"aa-broken.yaml": "invalid", "bb-unknown-question.yaml": "invalid",
                      "cc-hostile.yaml": "assessed", "ed-triage.yaml": "assessed",
                      "sepsis-icu.yaml": "invalid", "wellness-chatbot.yaml": "assessed",
                      "zz-duplicate.yaml": "invalid"}  # one id in two files: neither is taken
    assert res.exit_code == 1
    errors = {e.file.name: e.error for e in res.entries if e.error}
    assert "aa-broken.yaml" in errors["aa-broken.yaml"]
    assert "qual.no_such_question" in errors["bb-unknown-question.yaml"]
    assert "brukes også av" in errors["zz-duplicate.yaml"]  # in the run's language (nb)
    assert "zz-duplicate.yaml" in errors["sepsis-icu.yaml"]
    html = (tmp_path / "out" / "summary.html").read_text()
    assert "<script>alert" not in html and "&lt;script&gt;" in html
    assert "Ugyldig svarfil" in html
    # the command line says so too, with exit code 1
    r = sivreg("portfolio", "run", src, "--out", tmp_path / "out2", "--no-notebooks", "--as-of", AS_OF)
    assert r.returncode == 1 and "aa-broken.yaml" in r.stderr and "Traceback" not in r.stderr


def test_diff_after_one_answer_changes(tmp_path):
    src = copy_examples(tmp_path / "params")
    out = tmp_path / "out"
    run(src, out)
    set_answer(src / "sepsis-icu.yaml", "mdr.r11a_subrule", "death_or_irreversible")
    res = run(src, out)
    changed = [p for p in res.changes["projects"]]
    assert [p["project_id"] for p in changed] == ["sepsis-icu"]
    ch = next(c for c in changed[0]["changes"] if c["what"] == "outcome" and c["topic"] == "device_class")
    assert (ch["from"], ch["to"]) == ("IIb", "III")
    assert {"kind": "answer", "question": "mdr.r11a_subrule", "where": "mdr.r11a_subrule",
            "from": "serious_or_surgery", "to": "death_or_irreversible"} in ch["causes"]
    assert any(c["kind"] == "rule" for c in ch["causes"])
    text = "\n".join(lines(res.changes, "en"))
    assert "sepsis-icu" in text and "Class IIb → Class III" in text and "mdr.r11a_subrule" in text
    assert "Class III" in (out / "summary.html").read_text().replace("Klasse III", "Class III")
    # any two runs, from the command line
    r = sivreg("portfolio", "diff", 1, 2, "--out", out, "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert "Class IIb → Class III" in r.stdout and "mdr.r11a_subrule" in r.stdout
    with Register(out / "register.sqlite") as reg:
        assert diff_runs(reg, 2, 1)["projects"][0]["changes"][0]["to"] == "IIb"
    r = sivreg("portfolio", "diff", 1, 9, "--out", out)
    assert r.returncode == 1 and "ingen kjøring 9" in r.stderr


def test_rulebook_change_is_named_as_the_cause():
    from sivreg.portfolio.diff import diff_assessments
    a = {"rulebook": {"version": "0.1.0", "sha256": "a", "scenario": "amended"}, "as_of": "2026-11-26",
         "status": "determined", "jurisdiction": "NO", "missing": [],
         "outcomes": {"ai_act_risk": {"status": "determined", "value": "high_risk", "trace": []}}}
    b = json.loads(json.dumps(a))
    b["rulebook"].update(version="0.2.0", sha256="b")
    b["outcomes"]["ai_act_risk"]["value"] = "minimal"
    (ch,) = diff_assessments(a, b)
    assert ch["topic"] == "ai_act_risk" and ch["causes"][0]["kind"] == "rulebook"
    assert ch["causes"][0]["from"] == "0.1.0" and ch["causes"][0]["to"] == "0.2.0"


def test_edited_register_row_is_caught(tmp_path):
    out = tmp_path / "out"
    run(EXAMPLES, out)
    run(EXAMPLES, out)
    assert sivreg("portfolio", "verify", "--out", out).returncode == 0
    db = sqlite3.connect(out / "register.sqlite")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        db.execute("UPDATE records SET status = 'ok' WHERE record_id = 3")
    # someone who drops the guard and edits a conclusion is still caught
    db.execute("DROP TRIGGER records_no_update")
    db.execute("""UPDATE records SET outcomes = replace(outcomes, '"IIb"', '"I"') WHERE project_id = 'sepsis-icu' AND run_id = 1""")
    db.commit()
    db.close()
    r = sivreg("portfolio", "verify", "--out", out)
    assert r.returncode == 1
    assert "project sepsis-icu" in r.stderr and "run 1" in r.stderr and "altered" in r.stderr
    assert "records_no_update" in r.stderr
    problems, _ = verify(out / "register.sqlite")
    assert sum("contents do not match" in p for p in problems) == 1


def test_deleted_register_row_is_caught(tmp_path):
    out = tmp_path / "out"
    run(EXAMPLES, out)
    db = sqlite3.connect(out / "register.sqlite")
    db.execute("DROP TRIGGER records_no_delete")
    db.execute("DELETE FROM records WHERE record_id = 4")
    db.commit()
    db.close()
    problems, _ = verify(out / "register.sqlite")
    assert any("sequence jumps" in p for p in problems)


def test_compare_scenario_and_unknown_scenario(tmp_path):
    from sivreg.catalogue import rulebook
    book = rulebook()
    r = sivreg("portfolio", "run", EXAMPLES, "--out", tmp_path / "o1", "--no-notebooks",
               "--compare-scenario", "no-such-scenario")
    assert r.returncode == 1 and "no-such-scenario" in r.stderr and "Traceback" not in r.stderr
    if "original" not in book.scenarios:
        pytest.skip("the rulebook has no 'original' scenario yet")
    res = run(EXAMPLES, tmp_path / "o2", compare_scenario="original")
    assert res.scenario_diff["scenario"] == "original"
    assert {p["project_id"] for p in res.scenario_diff["projects"]} == {e.project_id for e in res.entries}
    assert "original" in (tmp_path / "o2" / "summary.html").read_text()


def test_history_lists_runs(tmp_path):
    out = tmp_path / "out"
    run(EXAMPLES, out)
    res = run(EXAMPLES, out, lang="en")
    assert res.changes["projects"] == []  # another language changes no conclusion
    r = sivreg("portfolio", "history", "--out", out)
    assert r.returncode == 0 and len(r.stdout.strip().splitlines()) == 2 and "lang=en" in r.stdout


def test_timeline_of_upcoming_obligations_and_deadlines():
    from pathlib import Path
    from sivreg.portfolio import charts
    from sivreg.portfolio.prepare import Entry
    from sivreg.portfolio.summary import events

    def entry(pid, jur, obligations, actions):
        return Entry(Path(f"{pid}.yaml"), pid, assessment={
            "as_of": "2026-11-26", "jurisdiction": jur, "obligations": obligations, "actions": actions})

    high = {"id": "ai.high_risk", "label": "High-risk requirements",
            "applies_from": {"EU": {"date": "2027-12-02"}, "NO": {"date": None}}}
    past = {"id": "ai.literacy", "label": "AI literacy",
            "applies_from": {"EU": {"date": "2025-02-02"}, "NO": {"date": "2025-06-01"}}}
    entries = [entry("a", "NO", [high, past], [{"id": "act.x", "label": "Apply to REK", "due": "2027-01-15"}]),
               entry("b", "NO", [high], []), entry("c", "EU", [high], [{"id": "act.y", "label": "No date"}])]
    ev = events(entries, "en")
    assert sorted((e["date"], e["project"]) for e in ev) == [
        ("2027-01-15", "a"), ("2027-12-02", "a, b"), ("2027-12-02", "c")]
    no_label = next(e["label"] for e in ev if e["project"] == "a, b")
    assert "Norwegian date not set" in no_label
    svg = charts.timeline("Upcoming", ev, "2026-11-26")
    assert svg.count("<circle") == 3 and "Apply to REK" in svg and "2027-12-02" in svg
    assert "&lt;b&gt;" in charts.bar_chart("<b>", [("<b>", 1)])


def test_one_run_at_a_time_and_a_damaged_register(tmp_path):
    from sivreg.errors import SivregError
    from sivreg.portfolio.outputs import Layout, exclusive
    out = tmp_path / "out"
    with exclusive(Layout(out)):
        with pytest.raises(SivregError, match="another portfolio run"):
            run(EXAMPLES, out)
    run(EXAMPLES, out)  # the lock is gone with its holder
    (out / "register.sqlite").write_bytes(b"not a database" * 100)
    r = sivreg("portfolio", "verify", "--out", out)
    assert r.returncode == 1 and "cannot be read" in r.stderr


def _answer_everything(project):
    """Answer each question the decision asks for with its first allowed value ("yes")."""
    from sivreg.engine import next_question
    from sivreg.model import Answers
    answers = project.answers.to_dict()
    for _ in range(60):
        q = next_question(project.with_answers(Answers.of(answers)), as_of=AS_OF, include_optional=False)
        if q is None:
            break
        first = "yes" if q.type == "bool" else (q.allowed_values() or ("x",))[0]
        answers[q.id] = [first] if q.type == "multi" else first
    return answers


def test_compare_scenario_original_shows_moved_dates(tmp_path):
    from sivreg import yamlstrict
    from sivreg.catalogue import rulebook
    from sivreg.io import load
    if not {"original", "amended"} <= set(rulebook().scenarios):
        pytest.skip("the rulebook has no amended/original scenarios")
    src = copy_examples(tmp_path / "params", {"sepsis-icu"})
    answers = _answer_everything(load(src / "sepsis-icu.yaml"))
    text = (src / "sepsis-icu.yaml").read_text(encoding="utf-8").split("\nanswers:")[0]
    (src / "sepsis-icu.yaml").write_text(text + "\n" + yamlstrict.dumps({"answers": answers}), encoding="utf-8")
    res = run(src, tmp_path / "out", compare_scenario="original", scenario="amended", lang="en")
    a = res.entries[0].assessment
    if a["outcomes"]["ai_act_risk"]["value"] != "high_risk":
        pytest.skip("this project is not high-risk under the current rules")
    (p,) = res.scenario_diff["projects"]
    moved = [c for c in p["changes"] if c["what"] == "obligation" and c["jurisdiction"] == "EU"]
    assert moved and all(c["from"]["date"] != c["to"]["date"] for c in moved)
    assert {"kind": "scenario", "from": "amended", "to": "original"} in moved[0]["causes"]
    html = (tmp_path / "out" / "summary.html").read_text()
    assert "Differences under the scenario" in html and "amended → original" in html
