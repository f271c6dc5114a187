"""Load and check the rulebook (sivreg/rulebook/): references, questions, conclusions, rule
labels, messages, dates, obligations, actions, scenarios, organisation profiles, periods
(day counts with their reference) and checklists.

The rulebook is data reviewed by regulatory people. The loader is strict: an unknown key, a
missing nb or en text, a reference id that does not resolve or a malformed date is an error
naming the file, the line and the field. All problems are collected and raised together.

The form of each file (its keys, their types, texts in nb and en) is its Pydantic model in
sivreg/rulebook_models.py, the documentation of the format; pydantic's errors are turned into
problems with the strict YAML loader's line numbers. Checked here: what spans files (every
reference, parent, date id and checklist overlap resolves; ids are defined once; a retired
question is not a question again) and the building of the Rulebook.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType

from . import yamlstrict
from .errors import Problem, RulebookError

RULEBOOK_DIR = Path(__file__).parent / "rulebook"
LANGS = ("nb", "en")
QUESTION_TYPES = ("bool", "enum", "multi", "text", "date", "number")
BOOL_VALUES = ("yes", "no")
UNKNOWN = "unknown"
CERTAINTIES = ("stated", "inferred", "uncertain")
JURISDICTIONS = ("EU", "NO")
QUESTION_FILE_ORDER = ("qualification", "classification", "conformity", "clinical", "post_market", "ai_act")


@dataclass(frozen=True)
class Reference:
    id: str
    title: dict
    short: dict
    pinpoint: dict | None
    parent: str | None
    url: str | None
    binding: bool
    certainty: str
    note: dict | None

    def citation(self, lang: str, book: "Rulebook") -> str:
        """Short citation such as "MDR Annex VIII, Rule 11" in the given language."""
        if self.parent:
            root = book.references[self.parent]
            return f"{root.short[lang]} {self.pinpoint[lang]}" if self.pinpoint else root.short[lang]
        return self.short[lang]


@dataclass(frozen=True)
class Option:
    value: str
    label: dict


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    label: dict
    help: dict
    options: tuple[Option, ...]
    refs: tuple[str, ...]
    optional: bool
    topic: str
    certainty: str
    # worked examples from the guidance: ({text{nb,en}, lands{nb,en}, source: ref id}, ...)
    examples: tuple = ()
    # where the answer goes in an answers file: "project" (answers:) or "study" (studies[].answers)
    place: str = "project"

    def allowed_values(self) -> tuple[str, ...]:
        if self.type == "bool":
            return BOOL_VALUES
        return tuple(o.value for o in self.options)


@dataclass(frozen=True)
class Rulebook:
    """Everything in sivreg/rulebook/, checked. Treat as read-only."""

    version: str
    sha256: str
    references: MappingProxyType
    questions: MappingProxyType
    conclusions: MappingProxyType
    rules: MappingProxyType
    messages: MappingProxyType
    dates: MappingProxyType
    obligations: MappingProxyType
    actions: MappingProxyType
    scenarios: MappingProxyType
    organisations: MappingProxyType
    extra: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # periods/*.yaml: day counts (deadlines, waiting times), each with its reference
    periods: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # checklists/*.yaml: checklist id (file stem) -> tuple of items {id, label, refs, group}
    checklists: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))
    # retired/*.yaml: question ids no longer asked -> {replaced_by: (question ids), note{nb,en}}
    retired: MappingProxyType = field(default_factory=lambda: MappingProxyType({}))

    # -- lookups used by rules, renderers and views -------------------------------------
    def text(self, key: str, lang: str) -> str:
        """A message, conclusion or rule label in the given language (KeyError if absent)."""
        for table in (self.messages, self.conclusions):
            if key in table:
                return table[key][lang]
        if key in self.rules:
            return self.rules[key]["label"][lang]
        raise KeyError(key)

    def citation(self, ref_id: str, lang: str) -> str:
        return self.references[ref_id].citation(lang, self)

    def is_binding(self, ref_id: str) -> bool:
        return self.references[ref_id].binding

    def default_scenario(self) -> str | None:
        for sid, sc in self.scenarios.items():
            if sc.get("default"):
                return sid
        return next(iter(self.scenarios), None)

    def default_organisation(self) -> str | None:
        for oid, org in self.organisations.items():
            if org.get("default"):
                return oid
        return next(iter(self.organisations), None)


class _Checker:
    """Collects problems while walking the rulebook files. The form of each file (keys, types,
    texts in nb and en) is checked by its model in sivreg/rulebook_models.py; what needs more
    than one file (references that resolve, ids defined once) is checked here."""

    def __init__(self, models: bool = True):
        self.problems: list[Problem] = []
        self.models = models  # False: this content passed the models before (_validated_before)

    def add(self, file, line, fld, msg):
        self.problems.append(Problem(str(file), line, fld, msg))

    def form(self, kind: str, file, data, prefix: str | None = None) -> None:
        """Check a file's content against the model of its kind; every problem is added."""
        if not self.models:
            return
        from pydantic import ValidationError

        from . import rulebook_models
        try:
            rulebook_models.adapter(kind).validate_python(data)
        except ValidationError as exc:
            self.problems.extend(rulebook_models.problems_from(file, data, kind, exc.errors(include_url=False),
                                                               prefix))


def _text(obj):
    """A bilingual text as a plain dict (None where it is missing or malformed: the model
    has said so already)."""
    return dict(obj) if isinstance(obj, dict) else None


def _flag(value) -> bool:
    return value == "true"


def _cert(obj) -> str:
    c = obj.get("certainty", "stated")
    return c if c in CERTAINTIES else "stated"


def _files(sub: str, root: Path):
    d = root / sub
    return sorted(d.glob("*.yaml")) if d.is_dir() else []


def _load(path: Path, chk: _Checker):
    try:
        return yamlstrict.load_file(path)
    except RulebookError:
        raise
    except Exception as exc:  # InputError from a syntax error
        problems = getattr(exc, "problems", [Problem(str(path), None, "", str(exc))])
        chk.problems.extend(problems)
        return None


def _hash_rulebook(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*.yaml")):
        h.update(p.relative_to(root).as_posix().encode())
        h.update(b"\0")
        h.update(p.read_bytes())
    return h.hexdigest()


# A rulebook whose exact files passed the models once is not put through them again (pydantic
# costs about 0.1 s to import and build; the rest of the checks always run). The stamp names
# the rulebook's sha256 and the code that checks it; SIVREG_CACHE_DIR or XDG_CACHE_HOME
# choose where it is kept, and an unwritable place only means the models run every time.
def _stamp(sha: str) -> Path | None:
    try:
        code = hashlib.sha256()
        for name in ("rulebook_models.py", "catalogue.py"):
            code.update((Path(__file__).parent / name).read_bytes())
        base = os.environ.get("SIVREG_CACHE_DIR") or os.path.join(
            os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache"), "sivreg")
        return Path(base) / f"rulebook-valid-{sha[:32]}-{code.hexdigest()[:16]}"
    except OSError:
        return None


def _validated_before(stamp: Path | None) -> bool:
    return stamp is not None and os.environ.get("SIVREG_CACHE_DIR") != "" and stamp.is_file()


def _remember_valid(stamp: Path | None) -> None:
    if stamp is None or os.environ.get("SIVREG_CACHE_DIR") == "":
        return
    try:
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.touch()
    except OSError:
        pass


def load_rulebook(root: str | Path | None = None) -> Rulebook:
    """Load and check a rulebook folder; raises RulebookError listing every problem."""
    root = Path(root) if root else RULEBOOK_DIR
    sha = _hash_rulebook(root)
    stamp = _stamp(sha)
    chk = _Checker(models=not _validated_before(stamp))
    refs_raw: dict = {}
    for f in _files("references", root):
        data = _load(f, chk) or {}
        chk.form("references", f, data)
        if not isinstance(data, dict):
            continue
        for rid, r in data.items():
            if rid in refs_raw:
                chk.add(f, data.line_of(rid), rid, "reference id defined twice")
            refs_raw[rid] = (f, r)
    references = {}
    for rid, (f, r) in refs_raw.items():
        if not isinstance(r, dict):
            continue
        parent = r.get("parent")
        if parent is not None and parent not in refs_raw:
            chk.add(f, r.line_of("parent"), f"{rid}.parent", f"unknown parent reference {parent!r}")
        references[rid] = dict(id=rid, title=_text(r.get("title")), short=_text(r.get("short")),
                               pinpoint=_text(r.get("pinpoint")), parent=parent, url=r.get("url"),
                               binding=_flag(r.get("binding")), certainty=_cert(r), note=_text(r.get("note")))
    # children inherit title, binding and url from their parent
    refs = {}
    for rid, r in references.items():
        root_ref = r
        seen = set()
        while root_ref["parent"] and root_ref["parent"] in references and root_ref["id"] not in seen:
            seen.add(root_ref["id"])
            root_ref = references[root_ref["parent"]]
        refs[rid] = Reference(
            id=rid, title=r["title"] or root_ref["title"], short=r["short"] or root_ref["short"],
            pinpoint=r["pinpoint"], parent=root_ref["id"] if r["parent"] else None,
            url=r["url"] or root_ref["url"], binding=root_ref["binding"],
            certainty=r["certainty"], note=r["note"])

    def check_refs(lst, f, where, line):
        if not isinstance(lst, list):
            return ()
        for x in lst:
            if x not in refs:
                chk.add(f, line, where, f"unknown reference {x!r} (add it to rulebook/references/)")
        return tuple(lst)

    def line_of(obj, key):
        return obj.line_of(key) if hasattr(obj, "line_of") else getattr(obj, "line", None)

    questions = {}
    # Question files in the order a person meets them (template, catalogue listing);
    # files not named here follow alphabetically.
    order = {name: i for i, name in enumerate(QUESTION_FILE_ORDER)}
    for f in sorted(_files("questions", root), key=lambda f: (order.get(f.stem, len(order)), f.stem)):
        data = _load(f, chk)
        if data is None:
            continue
        chk.form("questions", f, data)
        for q in (data if isinstance(data, list) else []):
            if not isinstance(q, dict):
                continue
            qid = q.get("id", "?")
            if qid in questions:
                chk.add(f, q.line, qid, "question id defined twice")
            qtype = q.get("type")
            opts = []
            if qtype in ("enum", "multi") and isinstance(q.get("options"), list):
                opts = [Option(str(o.get("value")), _text(o.get("label"))) for o in q["options"] if isinstance(o, dict)]
            examples = []
            raw_ex = q.get("examples")
            for i, ex in enumerate(raw_ex if isinstance(raw_ex, list) else []):
                if not isinstance(ex, dict):
                    continue
                check_refs([ex.get("source")], f, f"{qid}.examples[{i}].source", ex.line)
                examples.append(MappingProxyType({"text": _text(ex.get("text")), "lands": _text(ex.get("lands")),
                                                  "source": ex.get("source")}))
            questions[qid] = Question(
                id=qid, type=qtype, label=_text(q.get("label")), help=_text(q.get("help")), options=tuple(opts),
                refs=check_refs(q.get("refs"), f, f"{qid}.refs", line_of(q, "refs")),
                optional=_flag(q.get("optional")), topic=f.stem, certainty=_cert(q), examples=tuple(examples),
                place=q.get("place", "project"))

    def bilingual_table(sub, nested=False):
        table = {}
        for f in _files(sub, root):
            data = _load(f, chk) or {}
            chk.form(sub, f, data)
            if not isinstance(data, dict):
                continue
            items = []
            if nested:  # topic -> value -> text
                for topic, values in data.items():
                    if isinstance(values, dict):
                        items += [(f"{topic}.{v}", t, values.line_of(v)) for v, t in values.items()]
            else:
                items = [(k, t, data.line_of(k)) for k, t in data.items()]
            for key, t, line in items:
                if key in table:
                    chk.add(f, line, key, "defined twice")
                table[key] = _text(t)
        return table

    conclusions = bilingual_table("conclusions", nested=True)
    messages = bilingual_table("messages")

    def mapping_file(sub):
        """(file, id, entry) for every entry of the mapping files of a folder (checked by form)."""
        for f in _files(sub, root):
            data = _load(f, chk) or {}
            chk.form(sub, f, data)
            for key, entry in (data.items() if isinstance(data, dict) else []):
                if isinstance(entry, dict):
                    yield f, key, entry

    rules = {}
    for f, rid, r in mapping_file("rules"):
        if rid in rules:
            chk.add(f, r.line, rid, "rule id defined twice")
        rules[rid] = {"label": _text(r.get("label")),
                      "refs": check_refs(r.get("refs"), f, f"{rid}.refs", line_of(r, "refs")),
                      "certainty": _cert(r), "note": _text(r.get("note"))}

    def jurisdiction_dates(obj, f, where):
        out = {}
        for j in JURISDICTIONS:
            v = obj.get(j) if isinstance(obj, dict) else None
            if not isinstance(v, dict):
                continue
            if "ref" in v:
                check_refs([v["ref"]], f, f"{where}.{j}.ref", v.line)
            out[j] = {"date": v.get("date"), "ref": v.get("ref"), "certainty": _cert(v), "note": _text(v.get("note"))}
        return out

    dates = {}
    for f, did, d in mapping_file("dates"):
        dates[did] = {"label": _text(d.get("label")), **jurisdiction_dates(d, f, did)}

    scenarios = {}
    for f in _files("scenarios", root):
        s = _load(f, chk)
        if s is None:
            continue
        chk.form("scenarios", f, s, prefix=f.stem)
        if not isinstance(s, dict):
            continue
        overlay = {}
        raw_dates = s.get("dates")
        for did, d in (raw_dates.items() if isinstance(raw_dates, dict) else []):
            if did not in dates:
                chk.add(f, raw_dates.line_of(did), f"{f.stem}.dates.{did}", "unknown date id (define it in rulebook/dates/)")
            overlay[did] = jurisdiction_dates(d, f, f"{f.stem}.dates.{did}")
        scenarios[f.stem] = {"label": _text(s.get("label")), "legal_status": _text(s.get("legal_status")),
                             "description": _text(s.get("description")), "certainty": s.get("certainty"),
                             "refs": check_refs(s.get("refs"), f, f"{f.stem}.refs", s.line),
                             "default": _flag(s.get("default")), "dates": overlay}

    def item_list(sub):
        table = {}
        for f in _files(sub, root):
            data = _load(f, chk)
            if data is None:
                continue
            chk.form(sub, f, data)
            for o in (data if isinstance(data, list) else []):
                if not isinstance(o, dict):
                    continue
                oid = o.get("id", "?")
                if oid in table:
                    chk.add(f, o.line, oid, "id defined twice")
                item = {k: v for k, v in o.items()}
                for k in ("label", "note", "recipient", "detail"):
                    if k in o:
                        item[k] = _text(o[k])
                if "refs" in o:
                    item["refs"] = check_refs(o["refs"], f, f"{oid}.refs", o.line)
                if "applies_from" in o and o["applies_from"] not in dates:
                    chk.add(f, o.line_of("applies_from"), f"{oid}.applies_from",
                            f"unknown date id {o['applies_from']!r} (define it in rulebook/dates/)")
                item["_file"] = f.name
                table[oid] = item
        return table

    obligations = item_list("obligations")
    actions = item_list("actions")

    organisations = {}
    for f in _files("organisations", root):
        o = _load(f, chk)
        if o is None:
            continue
        chk.form("organisations", f, o, prefix=f.stem)
        if not isinstance(o, dict):
            continue
        organisations[f.stem] = {
            "name": _text(o.get("name")), "short_name": o.get("short_name"),
            "legal_entity": _text(o.get("legal_entity")), "address": o.get("address"),
            "contact_email": o.get("contact_email"), "organisation_number": o.get("organisation_number"),
            "internal_registration_system": _text(o.get("internal_registration_system")),
            "note": _text(o.get("note")), "default": _flag(o.get("default"))}

    # periods/*.yaml: period id -> {label{nb,en}, days: int, ref, certainty?, note?{nb,en}}
    periods = {}
    for f, pid, p in mapping_file("periods"):
        if pid in periods:
            chk.add(f, p.line, pid, "period id defined twice")
        check_refs([p.get("ref")], f, f"{pid}.ref", p.line_of("ref"))
        periods[pid] = {"label": _text(p.get("label")), "days": p.get("days"), "ref": p.get("ref"),
                        "certainty": _cert(p), "note": _text(p.get("note"))}

    # checklists/<id>.yaml: a list of {id, label{nb,en}, refs, group?, overlaps?}; ids unique per checklist
    checklists, overlaps = {}, []
    for f in _files("checklists", root):
        data = _load(f, chk)
        if data is None:
            continue
        chk.form("checklists", f, data)
        items, seen = [], set()
        for it in (data if isinstance(data, list) else []):
            if not isinstance(it, dict):
                continue
            iid = it.get("id", "?")
            if iid in seen:
                chk.add(f, it.line, iid, "checklist item id defined twice")
            seen.add(iid)
            ov = it.get("overlaps")
            items.append(MappingProxyType({
                "id": iid, "label": _text(it.get("label")),
                "refs": check_refs(it.get("refs"), f, f"{iid}.refs", it.line_of("refs")),
                "group": it.get("group"), "overlaps": tuple(ov) if isinstance(ov, list) else ()}))
            if isinstance(ov, list):
                overlaps.append((f, it.line_of("overlaps"), iid, ov))
        checklists[f.stem] = tuple(items)
    # overlaps: ids of items in other checklists that cover the same content (merged item by
    # item, e.g. AI Act Annex IV with MDR Annex II/III); each must resolve.
    all_items = {i["id"] for items in checklists.values() for i in items}
    for f, line, iid, ov in overlaps:
        if any(x not in all_items for x in ov):
            chk.add(f, line, f"{iid}.overlaps", "expected a list of item ids from other checklists")

    # retired/*.yaml: {old question id: {replaced_by: [question ids], note: {nb, en}}}. An old
    # answers file naming one is refused with the question that now asks it.
    retired = {}
    for f, rid, r in mapping_file("retired"):
        if rid in questions:
            chk.add(f, r.line, rid, "a retired question id must not be a question again")
        repl = r.get("replaced_by")
        if not isinstance(repl, list):
            repl = []
        elif any(x not in questions for x in repl):
            chk.add(f, r.line_of("replaced_by"), f"{rid}.replaced_by", "expected a list of question ids")
            repl = []
        retired[rid] = MappingProxyType({"replaced_by": tuple(repl), "note": _text(r.get("note"))})

    version_file = root / "version.yaml"
    version = "0"
    if version_file.exists():
        v = _load(version_file, chk) or {}
        chk.form("version", version_file, v, prefix="version")
        if isinstance(v, dict):
            version = str(v.get("version"))
    else:
        chk.add(version_file, None, "version", "missing rulebook version file")

    if chk.problems:
        raise RulebookError(chk.problems)
    if chk.models:
        _remember_valid(stamp)
    freeze = MappingProxyType
    return Rulebook(version=version, sha256=sha, references=freeze(refs),
                    questions=freeze(questions), conclusions=freeze(conclusions), rules=freeze(rules),
                    messages=freeze(messages), dates=freeze(dates), obligations=freeze(obligations),
                    actions=freeze(actions), scenarios=freeze(scenarios),
                    organisations=freeze(organisations), periods=freeze(periods),
                    checklists=freeze(checklists), retired=freeze(retired))


@lru_cache(maxsize=4)
def rulebook(root: str | None = None) -> Rulebook:
    """The default rulebook, loaded once per process."""
    return load_rulebook(root)
