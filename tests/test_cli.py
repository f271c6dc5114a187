"""The command line: assess (json and md, nb and en), questions, template, summary."""
import json
import subprocess
import sys
from pathlib import Path

import sivreg
from sivreg import yamlstrict

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "parameters").glob("*.yaml"))
CONTRACT = {"qualification": {"mdsw", "not_mdsw", "part_of_device", "accessory", "annex_xvi"},
            "regime": {"MDR", "IVDR", "none"},
            "device_class": {"I", "IIa", "IIb", "III", "A", "B", "C", "D", None}}


def cli(*args, cwd=ROOT):
    return subprocess.run([sys.executable, "-m", "sivreg.cli", *args], capture_output=True, text=True, cwd=cwd)


def test_assess_json_follows_the_v1_contract_for_every_example():
    assert len(EXAMPLES) >= 10
    for f in EXAMPLES:
        r = cli("assess", str(f), "--as-of", "2026-11-26", "--format", "json")
        assert r.returncode == 0, r.stderr
        d = json.loads(r.stdout)
        assert d["schema"] == "sivreg.assessment/1"
        for k in ("project", "as_of", "jurisdiction", "lang", "rulebook", "inputs_sha256", "outcomes",
                  "status", "obligations", "actions", "missing"):
            assert k in d
        assert set(d["rulebook"]) >= {"version", "sha256", "scenario"}
        assert list(d["outcomes"]) == ["qualification", "regime", "device_class", "conformity",
                                       "clinical_investigation", "ai_act_risk"]
        for topic, allowed in CONTRACT.items():
            o = d["outcomes"][topic]
            if o["status"] == "determined":
                assert o["value"] in allowed
        for topic, o in d["outcomes"].items():
            assert o["status"] in ("determined", "depends", "indeterminate", "not_applicable")
            if o["status"] in ("indeterminate", "depends"):
                assert o["value"] is None
            if o["status"] == "depends":
                assert o["branches"] and all(set(b) >= {"when", "value"} for b in o["branches"])
            if o["status"] == "determined":
                conclusions = [s for s in o["trace"] if s["kind"] in ("conclusion", "rule", "exception", "base")]
                assert conclusions, f"{f.name}:{topic} has no reasoning"
                assert all(s["refs"] for s in conclusions), f"{f.name}:{topic} has a step without references"
        # the JSON equals the library's to_dict for the same input
        lib = sivreg.assess(sivreg.load(f), as_of="2026-11-26", lang="nb").to_dict()
        assert lib == d


def test_assess_markdown_renders_fully_in_both_languages():
    f = ROOT / "parameters" / "sepsis-icu.yaml"
    nb = cli("assess", str(f), "--as-of", "2026-11-26", "--lang", "nb")
    en = cli("assess", str(f), "--as-of", "2026-11-26", "--lang", "en")
    assert nb.returncode == en.returncode == 0
    assert "Risikoklasse" in nb.stdout and "Klasse IIb" in nb.stdout and "beslutningsstøtte" in nb.stdout
    assert "Risk class" in en.stdout and "Class IIb" in en.stdout and "decision support" in en.stdout
    assert "guidance, not law" in en.stdout and "veiledning, ikke lov" in nb.stdout


def test_as_of_comes_from_the_argument_and_is_recorded():
    r = cli("assess", str(EXAMPLES[0]), "--as-of", "2027-01-01", "--format", "json")
    d = json.loads(r.stdout)
    assert d["as_of"] == "2027-01-01" and d["as_of_source"] == "argument"


def test_questions_json_lists_the_whole_catalogue():
    r = cli("questions", "--format", "json")
    qs = json.loads(r.stdout)
    book = sivreg.rulebook()
    assert [q["id"] for q in qs] == list(book.questions)
    for q in qs:
        assert set(q) >= {"id", "type", "label", "help", "options", "refs"}
        assert q["label"]["nb"] and q["label"]["en"] and q["help"]["nb"] and q["help"]["en"]
        for o in q["options"]:
            assert o["value"] and o["label"]["nb"] and o["label"]["en"]


def test_template_is_a_loadable_answers_file(tmp_path):
    for lang in ("nb", "en"):
        r = cli("template", "--lang", lang)
        assert r.returncode == 0
        f = tmp_path / f"t-{lang}.yaml"
        f.write_text(r.stdout, encoding="utf-8")
        p = sivreg.load(f)
        assert p.answers.to_dict() == {}
        data = yamlstrict.loads(r.stdout)
        assert set(data["answers"]) == set(sivreg.rulebook().questions)
    assert "Er produktet programvare" in cli("template", "--lang", "nb").stdout
    assert "Is the product software" in cli("template", "--lang", "en").stdout


def test_summary_prints_a_row_per_project():
    r = cli("summary", "parameters", "--as-of", "2026-11-26")
    assert r.returncode == 0, r.stderr
    for f in EXAMPLES:
        assert f.stem in r.stdout or yamlstrict.load_file(f)["project"]["id"] in r.stdout


def test_summary_goes_on_past_a_bad_project(tmp_path):
    (tmp_path / "good.yaml").write_text((ROOT / "parameters" / "sepsis-icu.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "bad.yaml").write_text("project: [\n", encoding="utf-8")
    r = cli("summary", str(tmp_path), "--as-of", "2026-11-26")
    assert r.returncode == 1
    assert "sepsis-icu" in r.stdout and "bad.yaml" in r.stderr and "Traceback" not in r.stderr
