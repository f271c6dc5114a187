"""Load and check the rulebook (sivreg/rulebook/): references, questions, conclusions, rule
labels, messages, dates, obligations, actions, scenarios, organisation profiles, periods
(day counts with their reference) and checklists.

The rulebook is data reviewed by regulatory people. The loader is strict: an unknown key, a
missing nb or en text, a reference id that does not resolve or a malformed date is an error
naming the file, the line and the field. All problems are collected and raised together.
"""
from __future__ import annotations

import hashlib
import re
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
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
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
    """Collects problems while walking the rulebook files."""

    def __init__(self):
        self.problems: list[Problem] = []

    def add(self, file, line, fld, msg):
        self.problems.append(Problem(str(file), line, fld, msg))

    def keys(self, obj, file, where, required, optional=()):
        if not isinstance(obj, dict):
            self.add(file, None, where, f"expected a mapping, found {type(obj).__name__}")
            return False
        line = getattr(obj, "line", None)
        for k in obj:
            if k not in required and k not in optional:
                allowed = ", ".join(sorted(set(required) | set(optional)))
                self.add(file, obj.line_of(k) if hasattr(obj, "line_of") else line, f"{where}.{k}",
                         f"unknown key {k!r}; allowed: {allowed}")
        for k in required:
            if k not in obj:
                self.add(file, line, f"{where}.{k}", "missing required key")
        return True

    def text(self, obj, file, where, line=None):
        """A bilingual text {nb: ..., en: ...}: both present and non-empty strings."""
        if not isinstance(obj, dict):
            self.add(file, line, where, "expected a text with nb and en")
            return None
        for lang in LANGS:
            if not isinstance(obj.get(lang), str) or not obj.get(lang).strip():
                self.add(file, getattr(obj, "line", line), f"{where}.{lang}", f"missing {lang} text")
        for k in obj:
            if k not in LANGS:
                self.add(file, getattr(obj, "line", line), f"{where}.{k}", "unknown language; allowed: nb, en")
        return dict(obj)

    def flag(self, value, file, where, line):
        if value in (None, "false"):
            return False
        if value == "true":
            return True
        self.add(file, line, where, f"expected \"true\" or \"false\", found {value!r}")
        return False

    def date(self, value, file, where, line):
        if value is None:
            return None
        if not isinstance(value, str) or not _DATE.match(value):
            self.add(file, line, where, f"expected a date YYYY-MM-DD or ~, found {value!r}")
            return None
        return value


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


def load_rulebook(root: str | Path | None = None) -> Rulebook:
    """Load and check a rulebook folder; raises RulebookError listing every problem."""
    root = Path(root) if root else RULEBOOK_DIR
    chk = _Checker()
    refs_raw: dict = {}
    for f in _files("references", root):
        data = _load(f, chk) or {}
        if not isinstance(data, dict):
            chk.add(f, None, "", "expected a mapping of reference ids")
            continue
        for rid, r in data.items():
            if rid in refs_raw:
                chk.add(f, data.line_of(rid), rid, "reference id defined twice")
            refs_raw[rid] = (f, r)
    references = {}
    for rid, (f, r) in refs_raw.items():
        if not chk.keys(r, f, rid, (), ("title", "short", "pinpoint", "parent", "url", "binding",
                                         "certainty", "note")):
            continue
        line = r.line
        parent = r.get("parent")
        if parent is None:
            for k in ("title", "short", "binding"):
                if k not in r:
                    chk.add(f, line, f"{rid}.{k}", "a top-level reference needs title, short and binding")
        elif parent not in refs_raw:
            chk.add(f, r.line_of("parent"), f"{rid}.parent", f"unknown parent reference {parent!r}")
        title = chk.text(r["title"], f, f"{rid}.title", line) if "title" in r else None
        short = chk.text(r["short"], f, f"{rid}.short", line) if "short" in r else None
        pin = chk.text(r["pinpoint"], f, f"{rid}.pinpoint", line) if "pinpoint" in r else None
        note = chk.text(r["note"], f, f"{rid}.note", line) if "note" in r else None
        cert = r.get("certainty", "stated")
        if cert not in CERTAINTIES:
            chk.add(f, r.line_of("certainty"), f"{rid}.certainty", f"allowed: {', '.join(CERTAINTIES)}")
        references[rid] = dict(id=rid, title=title, short=short, pinpoint=pin, parent=parent,
                               url=r.get("url"), binding=chk.flag(r.get("binding"), f, f"{rid}.binding", line),
                               certainty=cert, note=note)
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
            chk.add(f, line, where, "expected a list of reference ids")
            return ()
        for x in lst:
            if x not in refs:
                chk.add(f, line, where, f"unknown reference {x!r} (add it to rulebook/references/)")
        return tuple(lst)

    questions = {}
    # Question files in the order a person meets them (template, catalogue listing);
    # files not named here follow alphabetically.
    order = {name: i for i, name in enumerate(QUESTION_FILE_ORDER)}
    for f in sorted(_files("questions", root), key=lambda f: (order.get(f.stem, len(order)), f.stem)):
        data = _load(f, chk)
        if data is None:
            continue
        if not isinstance(data, list):
            chk.add(f, None, "", "expected a list of questions")
            continue
        for q in data:
            qid = q.get("id", "?") if isinstance(q, dict) else "?"
            if not chk.keys(q, f, qid, ("id", "type", "label", "help", "refs"),
                            ("options", "optional", "certainty", "examples", "place")):
                continue
            if qid in questions:
                chk.add(f, q.line, qid, "question id defined twice")
            qtype = q.get("type")
            if qtype not in QUESTION_TYPES:
                chk.add(f, q.line_of("type"), f"{qid}.type", f"allowed: {', '.join(QUESTION_TYPES)}")
            opts = []
            if qtype in ("enum", "multi"):
                raw_opts = q.get("options")
                if not isinstance(raw_opts, list) or not raw_opts:
                    chk.add(f, q.line, f"{qid}.options", f"a {qtype} question needs options")
                    raw_opts = []
                for o in raw_opts:
                    if chk.keys(o, f, f"{qid}.options", ("value", "label")):
                        if o.get("value") == UNKNOWN:
                            chk.add(f, o.line, f"{qid}.options", "'unknown' is reserved for don't know")
                        opts.append(Option(str(o.get("value")), chk.text(o.get("label"), f,
                                                                          f"{qid}.options.{o.get('value')}.label", o.line)))
            elif "options" in q:
                chk.add(f, q.line_of("options"), f"{qid}.options", f"a {qtype} question has no options")
            cert = q.get("certainty", "stated")
            if cert not in CERTAINTIES:
                chk.add(f, q.line_of("certainty"), f"{qid}.certainty", f"allowed: {', '.join(CERTAINTIES)}")
            examples = []
            raw_ex = q.get("examples") or []
            if not isinstance(raw_ex, list):
                chk.add(f, q.line_of("examples"), f"{qid}.examples", "expected a list of examples")
                raw_ex = []
            for i, ex in enumerate(raw_ex):
                where = f"{qid}.examples[{i}]"
                if chk.keys(ex, f, where, ("text", "lands", "source")):
                    check_refs([ex.get("source")], f, f"{where}.source", ex.line)
                    examples.append(MappingProxyType({
                        "text": chk.text(ex.get("text"), f, f"{where}.text", ex.line),
                        "lands": chk.text(ex.get("lands"), f, f"{where}.lands", ex.line),
                        "source": ex.get("source")}))
            place = q.get("place", "project")
            if place not in ("project", "study"):
                chk.add(f, q.line_of("place"), f"{qid}.place", "allowed: project, study")
            questions[qid] = Question(
                id=qid, type=qtype, label=chk.text(q.get("label"), f, f"{qid}.label", q.line),
                help=chk.text(q.get("help"), f, f"{qid}.help", q.line), options=tuple(opts),
                refs=check_refs(q.get("refs"), f, f"{qid}.refs", q.line_of("refs")),
                optional=chk.flag(q.get("optional"), f, f"{qid}.optional", q.line),
                topic=f.stem, certainty=cert, examples=tuple(examples), place=place)

    def bilingual_table(sub, nested=False):
        table = {}
        for f in _files(sub, root):
            data = _load(f, chk) or {}
            if not isinstance(data, dict):
                chk.add(f, None, "", "expected a mapping")
                continue
            items = []
            if nested:  # topic -> value -> text
                for topic, values in data.items():
                    if not isinstance(values, dict):
                        chk.add(f, data.line_of(topic), topic, "expected a mapping of values")
                        continue
                    items += [(f"{topic}.{v}", t, values.line_of(v)) for v, t in values.items()]
            else:
                items = [(k, t, data.line_of(k)) for k, t in data.items()]
            for key, t, line in items:
                if key in table:
                    chk.add(f, line, key, "defined twice")
                table[key] = chk.text(t, f, key, line)
        return table

    conclusions = bilingual_table("conclusions", nested=True)
    messages = bilingual_table("messages")

    rules = {}
    for f in _files("rules", root):
        data = _load(f, chk) or {}
        for rid, r in (data.items() if isinstance(data, dict) else []):
            if not chk.keys(r, f, rid, ("label", "refs"), ("certainty", "note")):
                continue
            if rid in rules:
                chk.add(f, r.line, rid, "rule id defined twice")
            cert = r.get("certainty", "stated")
            if cert not in CERTAINTIES:
                chk.add(f, r.line_of("certainty"), f"{rid}.certainty", f"allowed: {', '.join(CERTAINTIES)}")
            rules[rid] = {"label": chk.text(r.get("label"), f, f"{rid}.label", r.line),
                          "refs": check_refs(r.get("refs"), f, f"{rid}.refs", r.line_of("refs")),
                          "certainty": cert,
                          "note": chk.text(r["note"], f, f"{rid}.note", r.line) if "note" in r else None}

    def jurisdiction_dates(obj, f, where, line):
        out = {}
        if not isinstance(obj, dict):
            chk.add(f, line, where, "expected a mapping per jurisdiction (EU, NO)")
            return out
        for j, v in obj.items():
            if j not in JURISDICTIONS:
                chk.add(f, obj.line_of(j), f"{where}.{j}", f"unknown jurisdiction; allowed: {', '.join(JURISDICTIONS)}")
                continue
            if not chk.keys(v, f, f"{where}.{j}", ("date",), ("ref", "note", "certainty")):
                continue
            d = chk.date(v.get("date"), f, f"{where}.{j}.date", v.line)
            if d and "ref" not in v:
                chk.add(f, v.line, f"{where}.{j}.ref", "a date needs the reference it comes from")
            if d is None and "note" not in v:
                chk.add(f, v.line, f"{where}.{j}.note", "a pending (~) date needs a note saying why")
            if "ref" in v:
                check_refs([v["ref"]], f, f"{where}.{j}.ref", v.line)
            cert = v.get("certainty", "stated")
            if cert not in CERTAINTIES:
                chk.add(f, v.line, f"{where}.{j}.certainty", f"allowed: {', '.join(CERTAINTIES)}")
            out[j] = {"date": d, "ref": v.get("ref"), "certainty": cert,
                      "note": chk.text(v["note"], f, f"{where}.{j}.note", v.line) if "note" in v else None}
        for j in JURISDICTIONS:
            if j not in out and isinstance(obj, dict) and j not in obj:
                chk.add(f, line, f"{where}.{j}", "every date needs an entry for each jurisdiction (date or ~ with a note)")
        return out

    dates = {}
    for f in _files("dates", root):
        data = _load(f, chk) or {}
        for did, d in (data.items() if isinstance(data, dict) else []):
            if not chk.keys(d, f, did, ("label", "EU", "NO")):
                continue
            dates[did] = {"label": chk.text(d.get("label"), f, f"{did}.label", d.line),
                          **jurisdiction_dates(_sub(d, JURISDICTIONS), f, did, d.line)}

    scenarios = {}
    for f in _files("scenarios", root):
        s = _load(f, chk)
        if s is None or not chk.keys(s, f, f.stem, ("label", "legal_status", "certainty", "refs"),
                                     ("default", "dates", "description")):
            continue
        overlay = {}
        for did, d in (s.get("dates") or {}).items():
            if did not in dates:
                chk.add(f, s["dates"].line_of(did), f"{f.stem}.dates.{did}", "unknown date id (define it in rulebook/dates/)")
            overlay[did] = jurisdiction_dates(d, f, f"{f.stem}.dates.{did}", s["dates"].line_of(did))
        if s.get("certainty") not in CERTAINTIES:
            chk.add(f, s.line_of("certainty"), f"{f.stem}.certainty", f"allowed: {', '.join(CERTAINTIES)}")
        scenarios[f.stem] = {"label": chk.text(s.get("label"), f, f"{f.stem}.label", s.line),
                             "legal_status": chk.text(s.get("legal_status"), f, f"{f.stem}.legal_status", s.line),
                             "description": chk.text(s["description"], f, f"{f.stem}.description", s.line) if "description" in s else None,
                             "certainty": s.get("certainty"),
                             "refs": check_refs(s.get("refs"), f, f"{f.stem}.refs", s.line),
                             "default": chk.flag(s.get("default"), f, f"{f.stem}.default", s.line),
                             "dates": overlay}

    def item_list(sub, required, optional):
        table = {}
        for f in _files(sub, root):
            data = _load(f, chk)
            if data is None:
                continue
            if not isinstance(data, list):
                chk.add(f, None, "", "expected a list")
                continue
            for o in data:
                oid = o.get("id", "?") if isinstance(o, dict) else "?"
                if not chk.keys(o, f, oid, required, optional):
                    continue
                if oid in table:
                    chk.add(f, o.line, oid, "id defined twice")
                item = {k: v for k, v in o.items()}
                for k in ("label", "note", "recipient", "detail"):
                    if k in o:
                        item[k] = chk.text(o[k], f, f"{oid}.{k}", o.line)
                if "refs" in o:
                    item["refs"] = check_refs(o["refs"], f, f"{oid}.refs", o.line)
                if "applies_from" in o and o["applies_from"] not in dates:
                    chk.add(f, o.line_of("applies_from"), f"{oid}.applies_from",
                            f"unknown date id {o['applies_from']!r} (define it in rulebook/dates/)")
                if "order" in o and not isinstance(o["order"], int):
                    chk.add(f, o.line_of("order"), f"{oid}.order", "expected a whole number (place among the next steps)")
                if "days" in o and not isinstance(o["days"], int):
                    chk.add(f, o.line_of("days"), f"{oid}.days", "expected a whole number of days")
                item["_file"] = f.name
                table[oid] = item
        return table

    obligations = item_list("obligations", ("id", "label", "refs"),
                            ("applies_from", "note", "topic", "role", "certainty", "detail"))
    actions = item_list("actions", ("id", "label", "refs"),
                        ("recipient", "days", "note", "topic", "certainty", "detail", "order"))

    organisations = {}
    for f in _files("organisations", root):
        o = _load(f, chk)
        if o is None or not chk.keys(o, f, f.stem, ("name", "short_name", "legal_entity", "address",
                                                      "contact_email", "internal_registration_system"),
                                     ("default", "note", "organisation_number")):
            continue
        organisations[f.stem] = {
            "name": chk.text(o.get("name"), f, f"{f.stem}.name", o.line),
            "short_name": o.get("short_name"), "legal_entity": chk.text(o.get("legal_entity"), f, f"{f.stem}.legal_entity", o.line),
            "address": o.get("address"), "contact_email": o.get("contact_email"),
            "organisation_number": o.get("organisation_number"),
            "internal_registration_system": chk.text(o.get("internal_registration_system"), f,
                                                     f"{f.stem}.internal_registration_system", o.line),
            "note": chk.text(o["note"], f, f"{f.stem}.note", o.line) if "note" in o else None,
            "default": chk.flag(o.get("default"), f, f"{f.stem}.default", o.line)}

    # periods/*.yaml: period id -> {label{nb,en}, days: int, ref, certainty?, note?{nb,en}}
    periods = {}
    for f in _files("periods", root):
        data = _load(f, chk) or {}
        for pid, p in (data.items() if isinstance(data, dict) else []):
            if not chk.keys(p, f, pid, ("label", "days", "ref"), ("certainty", "note")):
                continue
            if pid in periods:
                chk.add(f, p.line, pid, "period id defined twice")
            if not isinstance(p.get("days"), int) or p.get("days") < 0:
                chk.add(f, p.line_of("days"), f"{pid}.days", "expected a whole number of days (0 or more)")
            check_refs([p.get("ref")], f, f"{pid}.ref", p.line_of("ref"))
            cert = p.get("certainty", "stated")
            if cert not in CERTAINTIES:
                chk.add(f, p.line_of("certainty"), f"{pid}.certainty", f"allowed: {', '.join(CERTAINTIES)}")
            periods[pid] = {"label": chk.text(p.get("label"), f, f"{pid}.label", p.line),
                            "days": p.get("days"), "ref": p.get("ref"), "certainty": cert,
                            "note": chk.text(p["note"], f, f"{pid}.note", p.line) if "note" in p else None}

    # checklists/<id>.yaml: a list of {id, label{nb,en}, refs, group?, overlaps?}; ids unique per checklist
    checklists, overlaps = {}, []
    for f in _files("checklists", root):
        data = _load(f, chk)
        if data is None:
            continue
        if not isinstance(data, list):
            chk.add(f, None, "", "expected a list of checklist items")
            continue
        items, seen = [], set()
        for it in data:
            iid = it.get("id", "?") if isinstance(it, dict) else "?"
            if not chk.keys(it, f, iid, ("id", "label", "refs"), ("group", "overlaps")):
                continue
            if iid in seen:
                chk.add(f, it.line, iid, "checklist item id defined twice")
            seen.add(iid)
            if "group" in it and not isinstance(it["group"], str):
                chk.add(f, it.line_of("group"), f"{iid}.group", "expected a group name (text)")
            items.append(MappingProxyType({
                "id": iid, "label": chk.text(it.get("label"), f, f"{iid}.label", it.line),
                "refs": check_refs(it.get("refs"), f, f"{iid}.refs", it.line_of("refs")),
                "group": it.get("group"), "overlaps": tuple(it.get("overlaps") or ())}))
            if "overlaps" in it:
                overlaps.append((f, it.line_of("overlaps"), iid, it["overlaps"]))
        checklists[f.stem] = tuple(items)
    # overlaps: ids of items in other checklists that cover the same content (merged item by
    # item, e.g. AI Act Annex IV with MDR Annex II/III); each must resolve.
    all_items = {i["id"] for items in checklists.values() for i in items}
    for f, line, iid, ov in overlaps:
        if not isinstance(ov, list) or any(x not in all_items for x in ov):
            chk.add(f, line, f"{iid}.overlaps", "expected a list of item ids from other checklists")

    # retired/*.yaml: {old question id: {replaced_by: [question ids], note: {nb, en}}}. An old
    # answers file naming one is refused with the question that now asks it.
    retired = {}
    for f in _files("retired", root):
        data = _load(f, chk) or {}
        for rid, r in (data.items() if isinstance(data, dict) else []):
            if not chk.keys(r, f, rid, ("replaced_by", "note")):
                continue
            if rid in questions:
                chk.add(f, r.line, rid, "a retired question id must not be a question again")
            repl = r.get("replaced_by")
            if not isinstance(repl, list) or any(x not in questions for x in repl):
                chk.add(f, r.line_of("replaced_by"), f"{rid}.replaced_by", "expected a list of question ids")
                repl = []
            retired[rid] = MappingProxyType({"replaced_by": tuple(repl),
                                             "note": chk.text(r.get("note"), f, f"{rid}.note", r.line)})

    version_file = root / "version.yaml"
    version = "0"
    if version_file.exists():
        v = _load(version_file, chk) or {}
        if chk.keys(v, version_file, "version", ("version",), ("compiled",)):
            version = str(v.get("version"))
    else:
        chk.add(version_file, None, "version", "missing rulebook version file")

    if chk.problems:
        raise RulebookError(chk.problems)
    freeze = MappingProxyType
    return Rulebook(version=version, sha256=_hash_rulebook(root), references=freeze(refs),
                    questions=freeze(questions), conclusions=freeze(conclusions), rules=freeze(rules),
                    messages=freeze(messages), dates=freeze(dates), obligations=freeze(obligations),
                    actions=freeze(actions), scenarios=freeze(scenarios),
                    organisations=freeze(organisations), periods=freeze(periods),
                    checklists=freeze(checklists), retired=freeze(retired))


def _sub(d, keys):
    out = yamlstrict.LineDict({k: d[k] for k in keys if k in d})
    out.lines = {k: d.line_of(k) for k in out}
    out.line = d.line
    return out


@lru_cache(maxsize=4)
def rulebook(root: str | None = None) -> Rulebook:
    """The default rulebook, loaded once per process."""
    return load_rulebook(root)
