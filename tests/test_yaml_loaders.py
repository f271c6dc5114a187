"""Issue 14, part 4: libyaml (PyYAML's C parser) reads YAML for speed; the Python parser stays
the reference. For every example, every bad-input file of test_bad_input / test_strict_answers
and some hostile documents, both give the same objects (types, values and the line of every
key) or the same errors (message, file, line, field)."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from sivreg import yamlstrict
from sivreg.errors import InputError

import test_bad_input

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "parameters").glob("*.yaml"))
RULEBOOK = sorted((ROOT / "sivreg" / "rulebook").rglob("*.yaml"))

# the inputs test_strict_answers.py writes inline
_MODS = "".join(f"  - {{id: m{i}, title: M}}\n" for i in range(25_000))
STRICT = {
    "number_looking": "project: {id: 010, title: 12:30, owner: 1.10, description: 0x1F}\nanswers: {}\n"
                      "modules:\n  - {id: 1_000, title: .nan}\n  - {id: '7', title: .inf}\n"
                      "studies:\n  - {id: 1e3, title: -0}\n",
    "long_number": "project: {id: p, title: %s}\nanswers: {}\n" % ("9" * 5000),
    "tagged_long_number": "project: {id: p, title: !!int %s}\nanswers: {}\n" % ("9" * 5000),
    "many_modules": "project: {id: p, title: t}\nanswers: {}\nmodules:\n" + _MODS,
    "many_studies": "project: {id: p, title: t}\nanswers: {}\nstudies:\n" + _MODS,
    "long_answer_list": "project: {id: p, title: t}\nanswers:\n  ai.annex_iii: [" + ", ".join(["none"] * 101) + "]\n",
}
HOSTILE = {
    "duplicate_key": "a: 1\nb: 2\na: 3\n",
    "merge": "base: &b {x: 1, y: 2}\nm:\n  <<: *b\n  y: 3\n",
    "merge_duplicate": "base: &b {x: 1}\nm:\n  <<: *b\n  z: 1\n  z: 2\n",
    "laughs": "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 10)}]\n" for p, c in zip("abcdefg", "bcdefgh")),
    "deep_flow": "[" * 5000 + "]" * 5000,
    "deep_block": "".join("  " * i + "a:\n" for i in range(200)) + "  " * 200 + "x\n",
    "tab_indent": "a:\n\tb: 1\n",
    "two_documents": "a: 1\n---\nb: 2\n",
    "control_char": "a: b\x07c\n",
    "nel_and_bom": "\ufeffa: x\x85y\nb: 2\n",
    "key_not_plain": "? [a, b]\n: 1\n",
    "norway_bool_date": "jurisdiction: NO\nok: yes\nwhen: 2026-01-01\nn: 010\nf: 1.5\n",
    "crlf": "a: 1\r\nb:\r\n  - x\r\n  - y\r\n",
    "unclosed_quote": "a: 'b\n",
    "bad_escape": 'a: "\\q"\n',
    "tag_unknown": "a: !!python/object:os.system x\n",
    "empty": "",
    "comment_only": "# nothing\n",
    "null_forms": "a: ~\nb:\nc: null\n",
    "big_int_tag": "a: !!int 1" + "0" * 5000 + "\n",
}


def _same(x, y, where="") -> None:
    assert type(x) is type(y), (where, type(x), type(y))
    if isinstance(x, dict):
        assert list(x) == list(y), where
        if isinstance(x, yamlstrict.LineDict):
            assert (x.line, x.lines) == (y.line, y.lines), where
        for k in x:
            _same(x[k], y[k], f"{where}.{k}")
    elif isinstance(x, list):
        assert len(x) == len(y), where
        for i, (a, b) in enumerate(zip(x, y)):
            _same(a, b, f"{where}[{i}]")
    else:
        assert x == y or (x != x and y != y), where  # (nan)


def _outcome(fn):
    try:
        return "ok", fn()
    except InputError as exc:
        return "error", [(str(p), getattr(p, "key", None), getattr(p, "args", None)) for p in exc.problems]


def _c_only(text, text_only):
    """libyaml alone, without the fall-back to the Python loader."""
    cls = yamlstrict._CTextLoader if text_only else yamlstrict._CStrictLoader
    return yamlstrict._parse(cls, text, "f.yaml")


def _cases():
    for f in EXAMPLES:
        yield f"example:{f.name}", f.read_text(encoding="utf-8"), True
    for f in RULEBOOK:
        yield f"rulebook:{f.relative_to(ROOT)}", f.read_text(encoding="utf-8"), False
    for name, (text, _, _) in test_bad_input.CASES.items():
        yield f"bad_input:{name}", text, True
    for name, text in STRICT.items():
        yield f"strict:{name}", text, True
    for name, text in HOSTILE.items():
        for text_only in (True, False):
            yield f"hostile:{name}:{text_only}", text, text_only


CASES = list(_cases())


def test_libyaml_is_used_here():
    assert yamlstrict.HAVE_LIBYAML, "PyYAML without libyaml: the fast path is not tested"


@pytest.mark.parametrize("name,text,text_only", CASES, ids=[c[0] for c in CASES])
def test_c_and_python_loaders_agree(name, text, text_only):
    py = _outcome(lambda: yamlstrict._python_loads(text, "f.yaml", text_only))
    used = _outcome(lambda: yamlstrict.loads(text, "f.yaml", text_only))
    assert used[0] == py[0], (name, used, py)
    if py[0] == "ok":
        _same(used[1], py[1])
        # and libyaml itself built it (not the fall-back), where the text is printable
        if not yamlstrict._NON_PRINTABLE.search(text):
            _same(_c_only(text, text_only), py[1])
    else:
        assert used[1] == py[1]
        # libyaml refuses it too (it never accepts what the Python loader refuses)
        if not yamlstrict._NON_PRINTABLE.search(text):
            with pytest.raises((yaml.YAMLError, InputError, ValueError, RecursionError)):
                _c_only(text, text_only)


def test_without_libyaml_the_python_loader_reads_with_one_warning(monkeypatch):
    monkeypatch.setattr(yamlstrict, "HAVE_LIBYAML", False)
    monkeypatch.setattr(yamlstrict, "_warned", False)
    text = EXAMPLES[0].read_text(encoding="utf-8")
    with pytest.warns(RuntimeWarning, match="without libyaml"):
        first = yamlstrict.loads(text, "f.yaml", True)
    _same(first, yamlstrict._python_loads(text, "f.yaml", True))
