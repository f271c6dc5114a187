"""Meta-tests on the rulebook as a whole: every reference resolves, every label and option
has nb and en, every question is asked by some rule, every rule id used has a label, the
loader is strict."""
import ast
import re
from pathlib import Path

import pytest

import sivreg
from sivreg.catalogue import load_rulebook, RULEBOOK_DIR
from sivreg.errors import RulebookError

ROOT = Path(__file__).resolve().parent.parent
RULES_SRC = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "sivreg").rglob("*.py"))


def test_rulebook_loads_and_has_a_version():
    book = sivreg.rulebook()
    assert re.match(r"^\d+\.\d+\.\d+$", book.version)
    assert len(book.sha256) == 64


def test_every_text_has_nb_and_en():
    book = sivreg.rulebook()
    for q in book.questions.values():
        for text in (q.label, q.help, *[o.label for o in q.options]):
            assert text["nb"].strip() and text["en"].strip(), q.id
    for key, text in [*book.messages.items(), *book.conclusions.items()]:
        assert text["nb"].strip() and text["en"].strip(), key
    for rid, r in book.rules.items():
        assert r["label"]["nb"].strip() and r["label"]["en"].strip(), rid


def test_every_reference_resolves_and_roots_say_if_binding():
    book = sivreg.rulebook()
    for rid, ref in book.references.items():
        if ref.parent:
            assert ref.parent in book.references
        assert ref.citation("nb", book) and ref.citation("en", book)
    assert book.references["mdr"].binding and not book.references["mdcg_2019_11"].binding


def test_every_question_is_asked_by_some_rule():
    book = sivreg.rulebook()
    for qid in book.questions:
        assert f'"{qid}"' in RULES_SRC or f"'{qid}'" in RULES_SRC, f"no rule asks {qid}"


def test_every_rule_id_in_the_code_has_a_label():
    """String literals in sivreg/rules/ that look like rule ids used in steps must be defined."""
    book = sivreg.rulebook()
    used = set()
    for p in (ROOT / "sivreg" / "rules").glob("*.py"):
        tree = ast.parse(p.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") in ("step", "checked", "conclude", "not_applicable"):
                if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                    used.add(node.args[0].value)
    missing = sorted(r for r in used if r not in book.rules)
    assert not missing, f"rule ids without a label in rulebook/rules/: {missing}"


def test_every_step_of_every_example_resolves_in_both_languages():
    from sivreg.render.text import finding_label, rule_label
    book = sivreg.rulebook()
    for f in sorted((ROOT / "parameters").glob("*.yaml")):
        for lang in ("nb", "en"):
            d = sivreg.assess(sivreg.load(f), as_of="2026-11-26", lang=lang).to_dict()
            for topic, o in d["outcomes"].items():
                for s in o["trace"]:
                    assert rule_label(s["rule"], lang, book) != s["rule"], (f.name, s["rule"])
                    if s["finding"]:
                        assert finding_label(s["finding"], lang, book) != s["finding"], (f.name, s["finding"])
                    for r in s["refs"]:
                        assert r in book.references


def _copy_rulebook(tmp_path):
    import shutil
    dst = tmp_path / "rulebook"
    shutil.copytree(RULEBOOK_DIR, dst)
    return dst


def test_missing_translation_is_an_error(tmp_path):
    rb = _copy_rulebook(tmp_path)
    f = rb / "messages" / "core.yaml"
    f.write_text(f.read_text(encoding="utf-8") + 'label.extra: {nb: "Bare bokmål"}\n', encoding="utf-8")
    with pytest.raises(RulebookError, match="label.extra.en"):
        load_rulebook(rb)


def test_unknown_key_and_unresolved_reference_are_errors(tmp_path):
    rb = _copy_rulebook(tmp_path)
    f = rb / "questions" / "qualification.yaml"
    text = f.read_text(encoding="utf-8").replace("refs: [mdcg_2019_11.fig1_step1]", "refs: [no_such_ref]\n  colour: red", 1)
    f.write_text(text, encoding="utf-8")
    with pytest.raises(RulebookError) as exc:
        load_rulebook(rb)
    assert "no_such_ref" in str(exc.value) and "colour" in str(exc.value)
    assert "qualification.yaml:" in str(exc.value)
