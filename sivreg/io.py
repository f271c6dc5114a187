"""Strict reading and writing of answers files (`parameters/*.yaml`) and assessment JSON.

An answers file (schema sivreg.project/1):

    project: {id, title, owner, description}
    as_of: "2026-11-26"          # optional: the assessment date, else given on the command line
    jurisdiction: NO             # NO (default) or EU; stays a string (no YAML "Norway problem")
    scenario: amended            # optional: a rulebook scenario (version of the AI Act)
    organisation: siv            # optional: organisation profile in the rulebook
    answers: {question id: value}   # ~ = not answered yet, unknown = don't know
    modules: [{id, title, answers}] # optional, MDCG 2019-11 §7
    studies: [{id, title, answers}] # optional, planned clinical studies

Every problem (unknown key, wrong type, value not allowed) is reported with file, line and
field, all at once.
"""
from __future__ import annotations

import json
import math
import os
import re
import tempfile
import unicodedata
from pathlib import Path

try:  # fast JSON (the same text, several times faster); json where it is missing
    import orjson
except ImportError:  # pragma: no cover
    orjson = None

from . import yamlstrict
from .catalogue import UNKNOWN, Rulebook, rulebook
from .errors import InputError, Problem, SivregError
from .model import DATE_RANGE, PROJECT_SCHEMA, Answers, Part, Project, valid_date

_UMASK = os.umask(0)
os.umask(_UMASK)
_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,79}$")


def valid_id(text) -> bool:
    """A project, module or study id: letters, digits, - _ . (at most 80 characters)."""
    return isinstance(text, str) and bool(_ID.match(text))
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
TOP_KEYS = ("schema", "project", "as_of", "jurisdiction", "scenario", "organisation", "answers",
            "modules", "studies")
PROJECT_KEYS = ("id", "title", "owner", "description")
PART_KEYS = ("id", "title", "answers")
# Longest free text accepted, in characters (a title is one line; a description a few paragraphs).
MAX_TEXT = {"title": 300, "owner": 300, "description": 20_000, "answer": 20_000}
# Modules (MDCG 2019-11 §7) and planned studies per project: a real project has a handful;
# 25,000 modules took 16 s, 866 MB and 97 MB of JSON to assess. Longest multi-choice list.
MAX_PARTS = 50
MAX_LIST = 100
# A number answer as written: digits, an optional sign and decimals (no 0x, 1_000, .nan, 1e999)
_NUMBER = re.compile(r"^[+-]?\d{1,15}(\.\d{1,15})?$")


Term = yamlstrict.Term
KeyedProblem = yamlstrict.KeyedProblem


def _P(file, line, field, msg) -> KeyedProblem:
    """A problem from a message (key, args): English as its text, any language on demand."""
    key, args = msg
    return KeyedProblem(file, line, field, message_text(key, args, "en"), key, tuple(args.items()))


def message_text(key: str, args, lang: str, book: Rulebook | None = None) -> str:
    """A problem message in nb or en (Term arguments are message keys themselves)."""
    book = book or rulebook()
    args = dict(args)
    shown = {k: book.text(v, lang) if isinstance(v, Term) else v for k, v in args.items()}
    try:
        return book.text(key, lang).format(**shown)
    except KeyError:  # a rulebook without this message (its own files): the module's English
        return yamlstrict._EN.get(key, key).format(**shown)


def problem_text(p: Problem, lang: str, book: Rulebook | None = None) -> str:
    """One problem as `file:line [field]: message`, the message in the language."""
    if not isinstance(p, KeyedProblem) or not p.key:
        return str(p)
    from .textclean import for_terminal  # a file name may hold terminal escape sequences
    where = f"{for_terminal(p.file)}:{p.line}" if p.line else for_terminal(p.file)
    field = f" [{p.field}]" if p.field else ""
    return f"{where}{field}: {message_text(p.key, p.args, lang, book)}"


class UserError(SivregError):
    """A user error whose text is a rulebook message (key and arguments): English as str(),
    any language through `error_text`."""

    def __init__(self, key: str, **args):
        self.key, self.args_ = key, tuple(args.items())
        super().__init__(message_text(key, self.args_, "en"))


MAX_SHOWN = 50  # problems listed; a file of a thousand wrong lines needs the first ones fixed first


def problems_text(problems, lang: str, book: Rulebook | None = None, limit: int | None = MAX_SHOWN) -> list[str]:
    """Each problem on a line (at most `limit`, then how many more)."""
    problems = list(problems)
    shown = problems if limit is None else problems[:limit]
    lines = [problem_text(p, lang, book) for p in shown]
    if len(problems) > len(shown):
        lines.append(message_text("input.more", {"n": len(problems) - len(shown)}, lang, book))
    return lines


def error_text(exc: SivregError, lang: str, book: Rulebook | None = None) -> str:
    """A user error in the language: the problems of an InputError each on its own line."""
    if isinstance(exc, InputError):
        return "\n".join(problems_text(exc.problems, lang, book))
    if isinstance(exc, UserError):
        return message_text(exc.key, exc.args_, lang, book)
    return str(exc)


def _show(value, limit: int = 60) -> str:
    """A value as it appears in a message: repr, cut short (a hostile file can put a
    megabyte, or a million aliased values, where one word was expected)."""
    if isinstance(value, (dict, list)):
        return _type_name(value)
    r = repr(value)
    return r if len(r) <= limit else r[: limit - 1] + "…"


DATE_RULE = f"a real date YYYY-MM-DD between {DATE_RANGE[0]} and {DATE_RANGE[1]}"  # argparse (English)


_is_date = valid_date


def _date_msg(value):
    return ("input.date", {"first": DATE_RANGE[0], "last": DATE_RANGE[1], "found": _show(value)})


def _text_problem(value: str, kind: str, one_line: bool):
    """What is wrong with a free text, or None: too long, or control characters (a terminal
    escape sequence in a title would act on the screen of whoever prints the report)."""
    limit = MAX_TEXT[kind]
    if len(value) > limit:
        return ("input.too_long", {"n": f"{len(value):,}", "limit": f"{limit:,}"})
    allowed = "" if one_line else "\n\t\r"
    for ch in value:
        if unicodedata.category(ch) in ("Cc", "Cs") and ch not in allowed:
            if ch in "\n\r":
                return ("input.line_break", {})
            return ("input.control_char", {"char": f"U+{ord(ch):04X}"})
    return None


def _type_name(v) -> str:
    for kind, name in ((dict, "mapping"), (list, "list"), (str, "text"), ((int, float), "number"),
                       (type(None), "nothing")):
        if isinstance(v, kind):
            return Term(f"input.type.{name}")
    return type(v).__name__


def answer_problem(question, value):
    """None if the value is allowed for the question, else the message (key, args) saying
    what is allowed."""
    if value == UNKNOWN:
        return None
    t = question.type
    if t in ("bool", "enum"):
        allowed = question.allowed_values()
        if isinstance(value, str) and value in allowed:
            return None
        return ("input.allowed", {"found": _show(value), "allowed": ", ".join([*allowed, UNKNOWN])})
    if t == "multi":
        allowed = ", ".join(question.allowed_values())
        if not isinstance(value, list) or not value:
            return ("input.multi_expected", {"allowed": allowed, "found": _type_name(value)})
        if len(value) > MAX_LIST:
            return ("input.list_too_long", {"n": f"{len(value):,}", "limit": MAX_LIST})
        bad = [v for v in value if not isinstance(v, str) or v not in question.allowed_values()]
        if bad:
            brief = ["[…]" if isinstance(v, list) else "{…}" if isinstance(v, dict) else _show(v) for v in bad[:5]]
            return ("input.multi_bad", {"bad": ", ".join(brief), "allowed": allowed})
        if "none" in value and len(value) > 1:
            return ("input.none_combined", {})
        if len(set(value)) != len(value):
            return ("input.choice_twice", {})
        return None
    if t == "text":
        if not isinstance(value, str):
            return ("input.expected_text", {"found": _type_name(value)})
        return _text_problem(value, "answer", one_line=False)
    if t == "date":
        return None if _is_date(value) else _date_msg(value)
    if t == "number":
        if isinstance(value, str):  # answers files give text; the number is read here, strictly
            return None if _NUMBER.match(value) else ("input.expected_number", {"found": _show(value)})
        if isinstance(value, bool) or (isinstance(value, float) and not math.isfinite(value)):
            return ("input.expected_number", {"found": _show(value)})
        return None if isinstance(value, (int, float)) else ("input.expected_number", {"found": _type_name(value)})
    return ("input.unknown_type", {"type": t})


def check_answer(question, value, lang: str = "en", book: Rulebook | None = None) -> str | None:
    """None if the value is allowed for the question, else what is allowed (one line, in
    the language)."""
    msg = answer_problem(question, value)
    return None if msg is None else message_text(*msg, lang, book)


def _answers(obj, file, where, book: Rulebook, problems: list, line: int | None = None,
             has_studies: bool = False) -> Answers:
    if obj is None:
        return Answers.of({})
    if not isinstance(obj, dict):  # (a list has no line of its own: the line of its key)
        problems.append(_P(file, getattr(obj, "line", None) or line, where,
                           ("input.answers_not_mapping", {"found": _type_name(obj)})))
        return Answers.of({})
    values = {}
    for qid, value in obj.items():
        line = obj.line_of(qid)
        q = book.questions.get(qid)
        if q is None and qid in book.retired:  # asked differently now: name the new question
            r = book.retired[qid]
            problems.append(_P(file, line, f"{where}.{_name(qid)}",
                               ("input.retired_question", {"new": ", ".join(r["replaced_by"]),
                                                           "why_nb": r["note"]["nb"], "why_en": r["note"]["en"]})))
            continue
        if q is not None:
            place = _misplaced(q, where, has_studies)
            if place:
                problems.append(_P(file, line, f"{where}.{qid}", place))
                continue
        if q is None:
            near = [k for k in book.questions if k.split(".")[-1] == qid.split(".")[-1]]
            msg = ("input.unknown_question_near", {"near": near[0]}) if near else ("input.unknown_question", {})
            problems.append(_P(file, line, f"{where}.{_name(qid)}", msg))
            continue
        if value is None:  # ~ = not answered yet
            continue
        msg = answer_problem(q, value)
        if msg:
            problems.append(_P(file, line, f"{where}.{qid}", msg))
            continue
        if q.type == "number" and isinstance(value, str) and value != UNKNOWN:
            value = float(value) if "." in value else int(value)
        values[qid] = value
    return Answers.of(values)


def _misplaced(q, where: str, has_studies: bool):
    """A study question (place: study) belongs in studies[].answers when the file declares
    studies (without any, the project is assessed as one study); every other question belongs
    at the top level, never in a study or, for study questions, a module."""
    in_study, in_module = where.startswith("studies["), where.startswith("modules[")
    if q.place == "study" and in_module:
        return ("input.study_question_in_module", {})
    if q.place == "study" and where == "answers" and has_studies:
        return ("input.study_question_at_top", {})
    if q.place != "study" and in_study:
        return ("input.project_question_in_study", {})
    return None


def _text(obj, key, file, where, problems, required=False):
    v = obj.get(key) if isinstance(obj, dict) else None
    if v is None:
        if required:
            problems.append(_P(file, getattr(obj, "line", None), f"{where}.{key}", ("input.required", {})))
        return ""
    if not isinstance(v, (str, int, float)):
        problems.append(_P(file, obj.line_of(key), f"{where}.{key}", ("input.expected_text", {"found": _type_name(v)})))
        return ""
    v = str(v)
    if key in MAX_TEXT:
        bad = _text_problem(v, key, one_line=key != "description")
        if bad:
            problems.append(_P(file, obj.line_of(key), f"{where}.{key}", bad))
            return ""
    return v


def _name(key: str, limit: int = 80) -> str:
    """A key as shown in a field name (cut short: a key can be as long as the file)."""
    return key if len(key) <= limit else key[: limit - 1] + "…"


def _keys(obj, allowed, file, where, problems):
    for k in obj:
        if k not in allowed:
            problems.append(_P(file, obj.line_of(k), f"{where}.{_name(k)}" if where else _name(k),
                               ("input.unknown_key", {"allowed": ", ".join(allowed)})))


def _parts(obj, key, file, book, problems) -> tuple[Part, ...]:
    raw = obj.get(key)
    if raw is None:
        return ()
    if not isinstance(raw, list):
        problems.append(_P(file, obj.line_of(key), key, ("input.parts_not_list", {"found": _type_name(raw)})))
        return ()
    if len(raw) > MAX_PARTS:  # one message, not one per module of 25,000
        problems.append(_P(file, obj.line_of(key), key, ("input.too_many_parts",
                                                         {"n": f"{len(raw):,}", "limit": MAX_PARTS})))
        return ()
    parts, seen = [], set()
    for i, p in enumerate(raw):
        where = f"{key}[{i}]"
        if not isinstance(p, dict):
            problems.append(_P(file, obj.line_of(key), where, ("input.part_not_mapping", {"found": _type_name(p)})))
            continue
        _keys(p, PART_KEYS, file, where, problems)
        pid = _text(p, "id", file, where, problems, required=True)
        if pid and not _ID.match(pid):
            problems.append(_P(file, p.line_of("id"), f"{where}.id", ("input.id_chars", {})))
        if pid in seen:
            problems.append(_P(file, p.line_of("id"), f"{where}.id", ("input.id_twice", {"id": pid})))
        seen.add(pid)
        parts.append(Part(pid, _text(p, "title", file, where, problems, required=True),
                          _answers(p.get("answers"), file, f"{where}.answers", book, problems,
                                   p.line_of("answers"))))
    return tuple(parts)


def project_from_data(data, source: str, book: Rulebook | None = None) -> Project:
    """Check parsed YAML against the answers-file schema; raise InputError with all problems."""
    book = book or rulebook()
    problems: list[Problem] = []
    if data is None:
        raise InputError([_P(source, None, "", ("input.empty", {}))])
    if not isinstance(data, dict):
        raise InputError([_P(source, getattr(data, "line", 1), "",
                             ("input.not_a_mapping_top", {"found": _type_name(data)}))])
    _keys(data, TOP_KEYS, source, "", problems)
    if "schema" in data and not (isinstance(data["schema"], str) and data["schema"] == PROJECT_SCHEMA):
        problems.append(_P(source, data.line_of("schema"), "schema", ("input.schema", {"schema": PROJECT_SCHEMA})))
    proj = data.get("project")
    if not isinstance(proj, dict):
        problems.append(_P(source, data.line_of("project") if "project" in data else 1, "project",
                           ("input.project_missing", {})))
        proj = yamlstrict.LineDict()
        proj.lines = {}
    else:
        _keys(proj, PROJECT_KEYS, source, "project", problems)
    pid = _text(proj, "id", source, "project", problems, required=True)
    if pid and not _ID.match(pid):
        problems.append(_P(source, proj.line_of("id"), "project.id", ("input.id_chars", {})))
    title = _text(proj, "title", source, "project", problems, required=True)
    owner = _text(proj, "owner", source, "project", problems)
    description = _text(proj, "description", source, "project", problems)
    as_of = data.get("as_of")
    if as_of is not None and not _is_date(as_of):
        problems.append(_P(source, data.line_of("as_of"), "as_of", _date_msg(as_of)))
    jur = data.get("jurisdiction", "NO")
    if not (isinstance(jur, str) and jur in ("NO", "EU")):
        problems.append(_P(source, data.line_of("jurisdiction"), "jurisdiction",
                           ("input.allowed", {"found": _show(jur), "allowed": "NO, EU"})))
    scenario = data.get("scenario")
    if scenario is not None and not (isinstance(scenario, str) and scenario in book.scenarios):
        problems.append(_P(source, data.line_of("scenario"), "scenario",
                           ("input.allowed", {"found": _show(scenario),
                                              "allowed": ", ".join(book.scenarios) or Term("input.none_defined")})))
    org = data.get("organisation")
    if org is not None and not (isinstance(org, str) and org in book.organisations):
        problems.append(_P(source, data.line_of("organisation"), "organisation",
                           ("input.allowed", {"found": _show(org),
                                              "allowed": ", ".join(book.organisations) or Term("input.none_defined")})))
    answers = _answers(data.get("answers"), source, "answers", book, problems, data.line_of("answers"),
                       has_studies=bool(data.get("studies")))
    modules = _parts(data, "modules", source, book, problems)
    studies = _parts(data, "studies", source, book, problems)
    if problems:
        raise InputError(problems)
    return clean_project(Project(id=pid, title=title, answers=answers, owner=owner, description=description,
                                 as_of=as_of, jurisdiction=jur, scenario=scenario, organisation=org,
                                 modules=modules, studies=studies, source=source), book)


def clean_project(project: Project, book: Rulebook | None = None) -> Project:
    """The project with bidirectional controls and invisible characters removed from every
    free text (title, owner, description, text answers, module and study titles and their
    text answers), the fields cleaned listed in `cleaned` (sivreg.textclean says why)."""
    from dataclasses import replace

    from .textclean import clean
    book = book or rulebook()
    cleaned: list[str] = list(project.cleaned)

    def text(value: str, where: str) -> str:
        out, changed = clean(value)
        if changed and where not in cleaned:
            cleaned.append(where)
        return out

    def answers(a: Answers, where: str) -> Answers:
        values = a.to_dict()
        for qid, v in values.items():
            q = book.questions.get(qid)
            if isinstance(v, str) and q is not None and q.type == "text":
                values[qid] = text(v, f"{where}.{qid}")
        return Answers.of(values)

    def parts(items, key):
        return tuple(Part(p.id, text(p.title, f"{key}[{i}].title"), answers(p.answers, f"{key}[{i}].answers"))
                     for i, p in enumerate(items))

    new = replace(project, title=text(project.title, "project.title"), owner=text(project.owner, "project.owner"),
                  description=text(project.description, "project.description"),
                  answers=answers(project.answers, "answers"), modules=parts(project.modules, "modules"),
                  studies=parts(project.studies, "studies"))
    return replace(new, cleaned=tuple(cleaned)) if cleaned else project


def load(path: str | Path, book: Rulebook | None = None) -> Project:
    """Read and check one answers file. Raises InputError naming file, line and field."""
    path = Path(path)
    if path.is_dir():
        raise InputError([_P(str(path), None, "", ("input.is_folder", {}))])
    return project_from_data(yamlstrict.load_file(path, text_only=True), str(path), book)


def loads(text: str, source: str = "<answers>", book: Rulebook | None = None) -> Project:
    """Like `load`, from YAML text (an uploaded file in the dashboard)."""
    return project_from_data(yamlstrict.loads(text, source, text_only=True), source, book)


def dump_project(project: Project) -> str:
    """The answers file as YAML text that `load` reads back to the same project."""
    return "# sivreg answers file (sivreg.project/1)\n" + yamlstrict.dumps(project.to_dict())


def atomic_write(path: str | Path, data: str | bytes) -> None:
    """Write a file so that a crash never leaves a half-written file under the final name:
    write a temporary file in the same folder, fsync, then rename over the target."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        with os.fdopen(fd, "wb") as fh:
            fh.write(data.encode("utf-8") if isinstance(data, str) else data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


def save_project(project: Project, path: str | Path) -> None:
    atomic_write(path, dump_project(project))


def assessment_json(assessment) -> str:
    """The canonical JSON text of an assessment (what `sivreg assess --format json` prints)."""
    return assessment_bytes(assessment).decode("utf-8")


def assessment_bytes(assessment) -> bytes:
    """assessment_json as UTF-8 bytes, made once (the portfolio writes, hashes and stores
    these bytes). orjson writes the same text as json.dumps(indent=2, ensure_ascii=False);
    what orjson cannot write (an integer beyond 64 bits, a non-text key) goes through json."""
    data = assessment.to_dict()
    if orjson is not None:
        try:
            return orjson.dumps(data, option=orjson.OPT_INDENT_2) + b"\n"
        except TypeError:
            pass
    return (json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False) + "\n").encode("utf-8")


def write_assessment(assessment, path: str | Path) -> None:
    atomic_write(path, assessment_json(assessment))
