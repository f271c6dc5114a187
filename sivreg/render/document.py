"""One document model for every report format: the assessment turned into plain texts in one
language, arranged as SiV's guideline reads (§3.3 steps 1-7, then §3.4 the AI Act).

`build(assessment, lang)` returns nested dicts and lists of strings, numbers and booleans, no
HTML and no Markdown: the Jinja2 templates (HTML report, PDF, dashboard panel) and the Markdown
renderer only arrange it. Every label comes from the rulebook in the chosen language: a value
that has no label is left out rather than shown as a raw id. Fields of the output contract
that are absent (`holds_regardless_of`, `branches`, `field_branches`, `conditional`/`when`,
`open_points`) are simply not shown.

A citation is {text, url, binding, uncertain, note}; a reasoning step {text, note, cites,
uncertain, kind}; a duty (obligation or action) {id, label, note, uncertain, cites, role, due,
overdue, recipient, conditional, dates, details}; a detail {label, text} or {label, items}.
"""
from __future__ import annotations

import re

from ..catalogue import UNKNOWN, Rulebook, rulebook
from ..model import TOPICS
from .text import answer_label, citation, finding_label, rule_label, t

# The steps of SiV's guideline (§3.3 1-7, §3.4), the topics each concludes and the topics of
# the obligations and actions that belong to it.
STEPS = (
    ("understand", ("qualification", "regime"), ()),
    ("classify", ("device_class",), ()),
    ("clinical", ("clinical_investigation",), ("clinical_steps",)),
    ("documentation", (), ("documentation_steps",)),
    ("conformity", ("conformity",), ("conformity_steps",)),
    ("language", (), ("language",)),
    ("post_market", (), ("post_market",)),
    ("ai_act", ("ai_act_risk",), ("ai_act_obligations", "ai_act_changes")),
)
# Items whose topic says "documentation" but that are the language step of the guideline.
_LANGUAGE_IDS = ("lang.", "act.norwegian_language")
NEXT_STEPS = 3

# Fields of an outcome shown by their own rendering, or not at all in the body.
_OUTCOME_SKIP = {"status", "value", "missing", "trace", "branches", "field_branches",
                 "holds_regardless_of", "public_declaration", "modules",
                 # shown in the reasoning with their sources
                 "basis", "role_basis", "annex_iii", "emotion_recognition", "art_6_3_derogation"}
_ITEM_SKIP = {"id", "label", "refs", "applies_from", "note", "certainty", "topic", "role", "state",
              "due", "recipient", "conditional", "when", "checklist", "detail"}


class Doc:
    """Helpers bound to one language and rulebook."""

    def __init__(self, lang: str, book: Rulebook, a: dict):
        self.lang, self.book, self.a = lang, book, a
        self.as_of = a.get("as_of") or ""
        self.used: dict[str, dict] = {}  # every source cited, in order: the list of sources

    # -- words ---------------------------------------------------------------------------------
    def t(self, key: str, default: str | None = None, **args) -> str:
        try:
            return t(key, self.lang, self.book, **args)
        except KeyError:
            if default is not None:
                return default
            raise

    def has(self, key: str) -> bool:
        return key in self.book.messages or key in self.book.conclusions

    def loc(self, value):
        if isinstance(value, dict) and set(value) <= {"nb", "en"} and self.lang in value:
            return value[self.lang]
        return value

    def status(self, code: str) -> str:
        for key in (f"status.{code}", f"doc.status.{code}"):
            if self.has(key):
                return self.t(key)
        return self.t("doc.status.other")

    def topic(self, topic: str) -> str:
        return self.t(f"topic.{topic}", self.t("doc.topic_other"))

    def question(self, qid: str) -> str:
        q = self.book.questions.get(qid)
        return q.label[self.lang] if q else self.t("doc.unknown_question")

    def answer(self, qid: str, value) -> str:
        if isinstance(value, (list, tuple)):
            return self.t("doc.or").join(answer_label(qid, v, self.lang, self.book) for v in value)
        return answer_label(qid, value, self.lang, self.book)

    def value(self, topic: str, value) -> str | None:
        if value is None:
            return None
        key = f"{topic}.{value}"
        if key in self.book.conclusions or key in self.book.messages:
            return self.book.text(key, self.lang)
        return None

    def coded(self, key: str, value) -> str | None:
        """The label of a coded value of a field (role: deployer, design: prospective...)."""
        if isinstance(value, bool):
            return self.t("answer.yes" if value else "answer.no")
        if not isinstance(value, str):
            return None
        for code in (f"doc.{key}.{value}", f"{key}.{value}", f"report.{key}_{value}"):
            if self.has(code):
                return self.book.text(code, self.lang)
        for code in self.book.conclusions:
            if code.endswith(f"_{key}.{value}"):
                return self.book.text(code, self.lang)
        if value == UNKNOWN:
            return self.t("answer.unknown")
        if value in ("yes", "no"):
            return self.t(f"answer.{value}")
        return None

    def field_label(self, key: str) -> str | None:
        for k in (f"doc.field.{key}", f"field.{key}", f"report.{key}", f"label.{key}"):
            if self.has(k):
                return self.book.text(k, self.lang)
        return None

    def prose(self, text):
        """A note from a rule in the language; an id of a question or rule left in it (a note
        written as "waiting for ci.design") is replaced by the label."""
        text = self.loc(text)
        if not isinstance(text, str) or "." not in text:
            return text or None

        def label(m):
            tok = m.group(0)
            if tok in self.book.questions:
                return f"«{self.question(tok)}»"
            if tok in self.book.rules:
                return f"«{rule_label(tok, self.lang, self.book)}»"
            return tok
        return _ID_IN_TEXT.sub(label, text)

    # -- sources and reasoning -------------------------------------------------------------------
    def cite(self, ref: str) -> dict:
        c = citation(ref, self.lang, self.book)
        r = self.book.references.get(ref)
        url = c["url"] if c["url"] and str(c["url"]).startswith(("https://", "http://")) else None
        text = c["text"] if r is not None else self.t("doc.unknown_source")
        out = {"text": text, "short": _short(text), "url": url,
               "binding": bool(c["binding"]), "uncertain": c["certainty"] == "uncertain",
               "note": self.loc(r.note) if r is not None and r.note else None}
        if r is not None:
            self.used.setdefault(ref, {**out, "title": self.loc(r.title) if r.title else None})
        return out

    def cites(self, refs) -> list[dict]:
        out, seen = [], set()
        for ref in refs or ():
            if isinstance(ref, str) and ref not in seen:
                seen.add(ref)
                out.append(self.cite(ref))
        return out

    def step(self, s: dict) -> dict:
        kind = s.get("kind") or "rule"
        rule = s.get("rule") or ""
        text = rule_label(rule, self.lang, self.book)
        if text == rule:  # no label: say what kind of step it was, never the id
            text = self.question(s["question"]) if s.get("question") else self.t("doc.step_unnamed")
        if s.get("question"):
            text += " → " + self.answer(s["question"], s.get("answer"))
        if s.get("finding"):
            f = finding_label(s["finding"], self.lang, self.book)
            if f != s["finding"]:
                text += " → " + f
        info = self.book.rules.get(rule) if hasattr(self.book.rules, "get") else None
        uncertain = bool(info and info.get("certainty") == "uncertain")
        return {"text": text, "note": self.prose(s.get("note")), "cites": self.cites(s.get("refs")),
                "uncertain": uncertain, "uncertain_note": self.loc(info.get("note")) if uncertain else None,
                "kind": kind, "not_applied": kind == "not_applied"}

    # -- conditions ("when") ---------------------------------------------------------------------
    def condition(self, when: dict) -> str:
        """{qid: answer or [answers]} as «question» er «answer» og ..."""
        parts = [self.t("doc.when_is", question=self.question(qid), answer=self.answer(qid, ans))
                 for qid, ans in (when or {}).items()]
        return self.t("doc.and").join(parts)

    def _questions(self, whens) -> list[str]:
        qids = list(dict.fromkeys(q for w in whens for q in w))
        return [f"«{self.question(q)}»" for q in qids]

    def conditional(self, item: dict) -> str | None:
        """"Kan gjelde: hvis «q» er «a»" for a duty with one short condition; with several,
        the questions it turns on (the conditions in full are in the trace)."""
        if not item.get("conditional"):
            return None
        whens = item.get("when") or []
        if isinstance(whens, dict):
            whens = [whens]
        whens = [w for w in whens if isinstance(w, dict) and w]
        if not whens:
            return self.t("doc.may_apply_plain")
        if len(whens) == 1 and len(whens[0]) <= 2:
            return self.t("doc.may_apply", conditions=self.condition(whens[0]))
        return self.t("doc.may_apply_many", questions=self.list_words(self._questions(whens)))

    def list_words(self, words) -> str:
        words = list(words)
        if len(words) <= 1:
            return "".join(words)
        return ", ".join(words[:-1]) + self.t("doc.and") + words[-1]

    def branches(self, branches, label_of) -> str | None:
        """Branches [{when, value, status?}] in one line: «q» — a: v; b: v for one question;
        for several, the questions and the possible values (each condition in full is in
        branch_detail)."""
        items = [b for b in branches or () if isinstance(b, dict)]
        if not items:
            return None
        qids = list(dict.fromkeys(q for b in items for q in (b.get("when") or {})))
        if len(qids) == 1 and all(len(b.get("when") or {}) == 1 for b in items):
            qid = qids[0]
            parts = [f"{self.answer(qid, b['when'][qid])}: {self._branch_value(b, label_of)}" for b in items]
            return self.t("doc.depends_on", question=self.question(qid), branches="; ".join(parts))
        values = list(dict.fromkeys(self._branch_value(b, label_of) for b in items))
        return self.t("doc.depends_on_many", questions=self.list_words(self._questions([b.get("when") or {} for b in items])),
                      values=self.t("doc.or").join(values))

    def branch_detail(self, branches, label_of) -> list[dict]:
        """Each possible value with the answers that lead to it: [{value, conditions}] (only
        when the branches turn on more than one question)."""
        items = [b for b in branches or () if isinstance(b, dict)]
        qids = {q for b in items for q in (b.get("when") or {})}
        if len(qids) <= 1:
            return []
        out: dict[str, list] = {}
        for b in items:
            out.setdefault(self._branch_value(b, label_of), []).append(self.condition(b.get("when") or {}))
        return [{"value": v, "conditions": c} for v, c in out.items()]

    def _branch_value(self, b, label_of) -> str:
        v = b.get("value")
        if isinstance(v, list):  # a list of studies (field_branches.studies)
            names = [self.value("clinical_investigation", x.get("value")) or self.status(x.get("status") or "indeterminate")
                     for x in v if isinstance(x, dict)]
            return "; ".join(dict.fromkeys(names)) or self.t("doc.no_studies")
        got = label_of(v) if not isinstance(v, dict) else None
        if isinstance(v, dict):  # a structured field (imdrf, route): its own one-line text
            field = b.get("_field")
            special = getattr(self, f"_d_{field}", None) if field else None
            shown = special(v, {}) if special else None
            got = (shown or {}).get("text") if isinstance(shown, dict) else None
        return got if got is not None else self.status(b.get("status") or "indeterminate")

    # -- dates -----------------------------------------------------------------------------------
    def dates(self, af) -> list[dict]:
        out = []
        if not isinstance(af, dict):
            return out
        for jur in ("EU", "NO"):
            d = af.get(jur)
            if not isinstance(d, dict):
                continue
            state = self.coded("state", d.get("state")) if d.get("state") else None
            out.append({"jurisdiction": self.t(f"report.{jur.lower()}"), "date": d.get("date"),
                        "text": d.get("date") or self.t("label.pending"), "state": state,
                        "uncertain": d.get("certainty") == "uncertain",
                        "inferred": d.get("certainty") == "inferred",
                        "note": self.loc(d.get("note")) or None,
                        "cites": self.cites([d["ref"]] if d.get("ref") else [])})
        return out

    def date_of(self, af) -> str | None:
        """The date that counts for the project: its jurisdiction's, else the EU's."""
        if not isinstance(af, dict):
            return None
        d = (af.get(self.a.get("jurisdiction") or "NO") or {}).get("date")
        return d or (af.get("EU") or {}).get("date")

    # -- generic values ---------------------------------------------------------------------------
    def plain(self, value, key: str | None = None) -> str | None:
        """A value as one line of text in the language, None when it has no readable form."""
        value = self.loc(value)
        if value is None or value == "" or value == [] or value == {}:
            return None
        if key and (coded := self.coded(key, value)) is not None:
            return coded
        if isinstance(value, bool):
            return self.t("answer.yes" if value else "answer.no")
        if isinstance(value, (int, float)):
            return str(value)
        if isinstance(value, str):
            b = self.book
            if value in b.rules:
                return rule_label(value, self.lang, b)
            if value in b.references:
                return self.cite(value)["text"]
            if value in b.questions:
                return self.question(value)
            if value in b.conclusions or value in b.messages:
                return b.text(value, self.lang)
            if key in ("category", "model", "indicated_class", "device_class",
                       "contact", "recipient", "title", "text", "label", "date") or " " in value \
                    or not _looks_like_id(value):
                return value
            return None
        if isinstance(value, (list, tuple)):
            parts = [p for p in (self.plain(v, key) for v in value) if p]
            return "; ".join(parts) or None
        if isinstance(value, dict):
            if "label" in value and isinstance(self.loc(value["label"]), str):
                return self.loc(value["label"])
            if "EU" in value or "NO" in value:
                return "; ".join(f"{d['jurisdiction']}: {d['text']}" for d in self.dates(value)) or None
            parts = []
            for k, v in value.items():
                if k in ("refs", "trace", "id", "rule", "ref", "certainty"):
                    continue
                lbl, txt = self.field_label(k), self.plain(v, k)
                if lbl and txt:
                    parts.append(f"{lbl}: {txt}")
            return "; ".join(parts) or None
        return None

    def details(self, d: dict, skip=()) -> list[dict]:
        """Fields of an outcome, duty or study as [{label, text | items}] (labelled fields only)."""
        out = []
        for k, v in d.items():
            if k in skip or v in (None, "", [], {}, False) and k not in ("art_6_3_derogation",):
                continue
            special = getattr(self, f"_d_{k}", None)
            if special is not None:
                got = special(v, d)
                if got:
                    out.extend(got if isinstance(got, list) else [got])
                continue
            label = self.field_label(k)
            if label is None:
                continue
            if isinstance(v, (list, tuple)) and v and all(isinstance(x, (dict, str)) for x in v) and len(v) > 1 \
                    and any(isinstance(x, dict) or len(str(x)) > 60 for x in v):
                items = [p for p in (self.plain(x, k) for x in v) if p]
                if items:
                    out.append({"label": label, "entries": items})
                continue
            text = self.plain(v, k)
            if text:
                out.append({"label": label, "text": text})
        return out

    # specialised fields -------------------------------------------------------------------------
    def _d_route(self, v, _):
        if isinstance(v, dict) and v.get("label"):
            return {"label": self.field_label("route"), "text": self.loc(v["label"]), "cites": self.cites(v.get("refs"))}

    def _d_imdrf(self, v, _):
        if not isinstance(v, dict) or not v.get("category"):
            return None
        key = "doc.imdrf_agrees" if v.get("agrees") else "doc.imdrf_differs"
        return {"label": self.field_label("imdrf"),
                "text": self.t(key, category=v.get("category"), cls=v.get("indicated_class") or "–")}

    def _d_rules(self, v, _):
        names = [rule_label(r, self.lang, self.book) for r in v or () if isinstance(r, str) and r in self.book.rules]
        return {"label": self.field_label("rules"), "text": "; ".join(names)} if names else None

    def _d_ce_marking(self, v, _):
        if not isinstance(v, dict) or "required" not in v:
            return None
        key = "doc.ce_required_nb" if v.get("notified_body_number") else \
            ("doc.ce_required" if v.get("required") else "doc.ce_not_required")
        return {"label": self.field_label("ce_marking"), "text": self.t(key), "cites": self.cites(v.get("refs"))}

    def _d_registration(self, v, _):
        if not isinstance(v, dict) or "dmp_device_register" not in v:
            return None
        key = "doc.registration_yes" if v.get("dmp_device_register") else "doc.registration_no"
        return {"label": self.field_label("registration"), "text": self.t(key), "cites": self.cites(v.get("refs"))}

    def _d_in_house(self, v, _):
        if not isinstance(v, dict):
            return None
        items = []
        for c in v.get("conditions") or ():
            name = rule_label(c.get("rule") or "", self.lang, self.book)
            if name == c.get("rule"):
                name = self.question(c["question"]) if c.get("question") else self.t("doc.step_unnamed")
            status = self.coded("condition", c.get("status")) or self.status(c.get("status") or "indeterminate")
            items.append(f"{name}: {status}")
        head = self.t("doc.in_house_holds" if v.get("holds") else "doc.in_house_fails")
        return {"label": self.field_label("in_house"), "text": head, "entries": items}

    def _d_applies_from(self, v, _):
        ds = self.dates(v)
        return {"label": self.t("report.applies_from"), "dates": ds} if ds else None

    def _d_studies(self, v, _):
        studies = [s for s in v or () if isinstance(s, dict)]
        if not studies:
            return None
        if all(isinstance(s, dict) and "status" in s for s in studies):
            return {"label": self.field_label("studies"), "studies": [self.study(s) for s in studies]}
        return None

    def _d_most_demanding_study(self, v, d):
        if len([s for s in d.get("studies") or () if isinstance(s, dict)]) < 2:
            return None
        title = next((s.get("title") for s in d.get("studies") or () if isinstance(s, dict) and s.get("id") == v), None)
        return {"label": self.field_label("most_demanding_study"), "text": title} if title else None

    def _d_periods(self, v, _):
        items = []
        for p in v or ():
            if isinstance(p, dict) and p.get("label") is not None:
                s = self.t("doc.days", label=self.loc(p["label"]), n=p.get("days"))
                if p.get("certainty") == "uncertain":
                    s += f" ({self.t('report.uncertain')})"
                items.append(s)
        return {"label": self.field_label("periods"), "entries": items} if items else None

    _d_deadlines = _d_periods

    def _d_frequency(self, v, _):
        if isinstance(v, dict) and v.get("label"):
            return {"label": self.field_label("frequency"), "text": self.loc(v["label"])}

    def _d_days(self, v, d):
        return None  # shown through the periods and the due date

    def _d_same_day_as_dmp(self, v, _):
        return {"label": self.field_label("same_day_as_dmp"), "text": self.t("doc.same_day_as_dmp")} if v else None

    def _d_documents(self, v, _):
        items = [self.loc(x.get("label")) for x in v or () if isinstance(x, dict) and x.get("label")]
        return {"label": self.field_label("documents"), "entries": items} if items else None

    def _d_authorities(self, v, _):
        items = []
        for x in v or ():
            if not isinstance(x, dict) or not x.get("recipient"):
                continue
            s = self.loc(x["recipient"])
            if x.get("conditional"):
                s += f" ({self.t('doc.if_relevant')})"
            items.append(s)
        return {"label": self.field_label("authorities"), "entries": items} if items else None

    def _d_start(self, v, _):
        if isinstance(v, dict) and v.get("text"):
            return {"label": self.field_label("start"), "text": self.loc(v["text"])}

    def study(self, s: dict) -> dict:
        status = s.get("status") or "indeterminate"
        verdict = self.value("clinical_investigation", s.get("value"))
        depends = None
        if status == "depends" or s.get("branches"):
            depends = self.branches(s.get("branches"), lambda v: self.value("clinical_investigation", v))
        if verdict is None:
            verdict = depends or self.waiting(s) or self.status(status)
            depends = None if verdict == depends else depends
        return {"title": s.get("title") or self.t("ui.untitled"), "verdict": verdict, "status": status,
                "depends": depends,
                "details": self.details(s, skip={"id", "title", "status", "value", "rule", "missing", "trace",
                                                  "branches", "lead_days", "submission", "design"})}

    # -- verdicts --------------------------------------------------------------------------------
    def waiting(self, o: dict) -> str | None:
        missing = list(o.get("missing") or ())
        if not missing:
            return None
        qid = missing[0]
        unknown = any(s.get("question") == qid and s.get("answer") == UNKNOWN for s in o.get("trace") or ())
        return self.t("ui.verdict_unknown" if unknown else "ui.verdict_waiting", question=self.question(qid))

    def verdict(self, topic: str, o: dict) -> dict:
        status = o.get("status") or "indeterminate"
        value = self.value(topic, o.get("value"))
        depends = self.branches(o.get("branches"), lambda v: self.value(topic, v)) \
            if (status == "depends" or o.get("branches")) else None
        detail = self.branch_detail(o.get("branches"), lambda v: self.value(topic, v))
        if status == "determined" and value:
            text = value
        elif status == "not_applicable":
            text = value or self.t("ui.verdict_not_applicable")
        elif depends:
            text = depends
            depends = None
        else:
            text = self.waiting(o)
            if not text:
                notes = [self.loc(s.get("note")) for s in o.get("trace") or ()
                         if s.get("kind") in ("undecided", "waiting") and s.get("note")]
                text = f"{self.status('indeterminate')}: {notes[-1]}" if notes else (value or self.status(status))
        regardless = [self.question(q) for q in o.get("holds_regardless_of") or () if isinstance(q, str)]
        fields = []
        for fld, brs in (o.get("field_branches") or {}).items():
            label = self.field_label(fld)
            brs = [{**b, "_field": fld} for b in brs or () if isinstance(b, dict)]
            line = self.branches(brs, lambda v, fld=fld: self.coded(fld, v) or self.plain(v, fld))
            if label and line:
                fields.append({"label": label, "text": line})
        modules = []
        for m in o.get("modules") or ():
            if isinstance(m, dict):
                mv = self.value(topic, m.get("value")) or self.waiting(m) or self.status(m.get("status") or "indeterminate")
                modules.append({"title": m.get("title") or self.t("ui.untitled"), "text": mv})
        return {"topic": topic, "topic_label": self.topic(topic), "status": status,
                "status_label": self.status(status), "text": text, "depends": depends, "branch_detail": detail,
                "regardless": [self.t("doc.holds_regardless", question=q) for q in regardless],
                "field_branches": fields, "modules": modules}

    # -- duties ----------------------------------------------------------------------------------
    def duty(self, item: dict, kind: str) -> dict:
        due = item.get("due") if isinstance(item.get("due"), str) else None
        role = self.coded("role", item.get("role")) if item.get("role") else None
        d = {"id": item.get("id"), "kind": kind, "label": self.loc(item.get("label")) or self.t("doc.step_unnamed"),
             "note": self.prose(item.get("note")),
             "uncertain": item.get("certainty") == "uncertain", "inferred": item.get("certainty") == "inferred",
             "cites": self.cites(item.get("refs")), "role": role, "due": due,
             "overdue": bool(due and self.as_of and due < self.as_of),
             "recipient": self.loc(item.get("recipient")) or None,
             "conditional": self.conditional(item), "dates": self.dates(item.get("applies_from")),
             "date": self.date_of(item.get("applies_from")),
             "checklist": bool(item.get("checklist")),
             "details": self.details(item, skip=_ITEM_SKIP)}
        if isinstance(item.get("detail"), dict):
            d["details"] += self.details(item["detail"], skip=_ITEM_SKIP)
        if item.get("studies") and all(isinstance(s, str) for s in item["studies"]):
            titles = self.study_titles(item["studies"])
            d["details"] = [x for x in d["details"] if x.get("label") != self.field_label("studies")]
            if titles:
                d["details"].append({"label": self.field_label("studies"), "text": "; ".join(titles)})
        return d

    def study_titles(self, ids) -> list[str]:
        studies = {s.get("id"): s.get("title") for s in
                   (self.a.get("outcomes", {}).get("clinical_investigation", {}).get("studies") or ())
                   if isinstance(s, dict)}
        return [studies[i] for i in ids if studies.get(i)]


_ID_IN_TEXT = re.compile(r"\b[a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+\b")


def _drop_repeated_details(duties: list[dict]) -> None:
    """Within one section, a list (the parts of a clinical evaluation, the studies) that an
    earlier duty already showed is not shown again."""
    seen = set()
    for d in duties:
        keep = []
        for x in d["details"]:
            key = (x.get("label"), x.get("text"), tuple(x.get("entries") or ()))
            if key in seen and (x.get("entries") or len(x.get("text") or "") > 80):
                continue
            seen.add(key)
            keep.append(x)
        d["details"] = keep


def _mark_repeated_cites(steps: list[dict]) -> list[dict]:
    """A step whose sources the next step cites too (a question and the rule that uses its
    answer) shows them once, with the rule."""
    for a, b in zip(steps, steps[1:]):
        here = {c["text"] for c in a["cites"]}
        a["cites_below"] = bool(here) and here <= {c["text"] for c in b["cites"]}
    return steps


def _short(text: str) -> str:
    """A citation without its closing explanation in brackets: "helseforskningsloven § 9"
    for "helseforskningsloven § 9 (forhåndsgodkjenning ...)" (the full text is in the list of
    sources and in the tooltip)."""
    if text.endswith(")") and " (" in text:
        depth = 0
        for i in range(len(text) - 1, -1, -1):
            depth += {")": 1, "(": -1}.get(text[i], 0)
            if depth == 0:
                head = text[:i].rstrip()
                return head if len(head) >= 3 else text
    return text


def _looks_like_id(s: str) -> bool:
    """snake_case, dotted ids and the like: shown only through a label."""
    return bool(s) and (("_" in s or "." in s) and " " not in s or s.islower() and s.isascii() and s.isalpha())


def _step_of(item: dict) -> str:
    topic = item.get("topic") or ""
    iid = item.get("id") or ""
    if iid.startswith(_LANGUAGE_IDS):
        return "language"
    for name, _, topics in STEPS:
        if topic in topics:
            return name
    if iid.startswith(("ai.", "ai_act")):
        return "ai_act"
    if iid.startswith(("pms.", "vig.", "user.")):
        return "post_market"
    if iid.startswith(("ci.",)):
        return "clinical"
    return "conformity"


def group_duties(duties: list[dict]) -> list[dict]:
    """Obligations that share their dates and role, shown once with the dates: [{dates, role,
    items}] in first-seen order."""
    groups: dict = {}
    for d in duties:
        key = (repr([(x["jurisdiction"], x["text"], x["state"], x["note"]) for x in d["dates"]]), d["role"] or "")
        groups.setdefault(key, {"dates": d["dates"], "role": d["role"], "entries": []})["entries"].append(d)
    return list(groups.values())


def build(assessment, lang: str | None = None, book: Rulebook | None = None, project=None) -> dict:
    """The document for one assessment (an Assessment or its dict) in `lang`."""
    from .. import __version__
    book = book or rulebook()
    a = assessment.to_dict() if hasattr(assessment, "to_dict") else assessment
    lang = lang or a.get("lang") or "nb"
    D = Doc(lang, book, a)
    outcomes = a.get("outcomes") or {}
    topics = [tp for tp in TOPICS if tp in outcomes] + [tp for tp in outcomes if tp not in TOPICS]
    verdicts = {tp: D.verdict(tp, outcomes[tp]) for tp in topics}
    for tp in topics:  # for the dashboard: the reasoning one click away
        verdicts[tp]["facts"] = D.details(outcomes[tp], skip=_OUTCOME_SKIP)
        verdicts[tp]["trace"] = [D.step(s) for s in outcomes[tp].get("trace") or ()]
    obligations = [D.duty(o, "obligation") for o in a.get("obligations") or () if isinstance(o, dict)]
    actions = [D.duty(x, "action") for x in a.get("actions") or () if isinstance(x, dict)]
    by_id = {x["id"]: x["label"] for x in obligations + actions if x.get("id")}

    # the first page --------------------------------------------------------------------------
    proj = a.get("project") or {}
    rb = a.get("rulebook") or {}
    sc = a.get("scenario") or {}
    meta = {"title": proj.get("title") or D.t("ui.untitled"), "project_id": proj.get("id") or "",
            "owner": proj.get("owner") or "", "description": proj.get("description") or "",
            "as_of": a.get("as_of") or "", "as_of_today": a.get("as_of_source") == "today",
            "jurisdiction": D.t(f"report.{str(a.get('jurisdiction') or 'NO').lower()}", a.get("jurisdiction") or ""),
            "rulebook": rb.get("version") or "", "rulebook_sha": str(rb.get("sha256") or "")[:12],
            "scenario": D.loc(sc.get("label")) or D.t("doc.scenario_default"),
            "scenario_status": D.loc(sc.get("legal_status")) or None,
            "scenario_uncertain": sc.get("certainty") in ("uncertain", "inferred"),
            "scenario_cites": D.cites(sc.get("refs")),
            "status": a.get("status") or "indeterminate", "status_label": D.status(a.get("status") or "indeterminate"),
            "notice": a.get("notice") or D.t("notice.decision_support"),
            # free text cleaned of bidi controls and invisible characters (sivreg.textclean)
            "cleaned": {"label": D.t("label.text_cleaned"),
                        "note": (a["text_cleaned"].get("note") or D.t("note.text_cleaned")),
                        "fields": ", ".join(a["text_cleaned"].get("fields") or ())}
            if isinstance(a.get("text_cleaned"), dict) else None,
            "generated": D.t("report.generated", version=__version__),
            "inputs": str(a.get("inputs_sha256") or "")[:16], "lang": lang}
    dated = sorted((x for x in actions if x["due"]), key=lambda x: x["due"])
    undated = [x for x in actions if not x["due"]]
    next_steps = (dated + undated)[:NEXT_STEPS]

    open_items = []
    points = [p for p in a.get("open_points") or () if isinstance(p, dict) and p.get("question")]
    if points:
        step_of_topic = {tp: name for name, tops, _ in STEPS for tp in tops}
        step_of_items = {it: name for name, _, its in STEPS for it in its}
        step_of_items["technical_documentation"] = "documentation"
        items = {i.get("id"): i for i in list(a.get("obligations") or ()) + list(a.get("actions") or ())
                 if isinstance(i, dict)}
        for p in points:
            names = []
            for b in p.get("blocks") or ():
                if not isinstance(b, str):
                    continue
                head = b.split(".")[0]
                if b in TOPICS or head in TOPICS and b not in items:
                    name = D.topic(head)
                elif b in step_of_items:
                    name = D.t(f"doc.step.{step_of_items[b]}")
                elif b in items:
                    name = D.t(f"doc.step.{_step_of(items[b])}")
                else:
                    continue  # a duty not in this result (it would appear with another answer)
                if name not in names:
                    names.append(name)
            open_items.append({"qid": p["question"], "question": D.question(p["question"]),
                               "unknown": bool(p.get("answered_unknown")), "blocks": "; ".join(names)})
    else:
        for qid in a.get("missing") or ():
            unknown = any(s.get("question") == qid and s.get("answer") == UNKNOWN
                          for o in outcomes.values() for s in o.get("trace") or ())
            blocks = [D.topic(tp) for tp, o in outcomes.items() if qid in (o.get("missing") or ())]
            open_items.append({"qid": qid, "question": D.question(qid), "unknown": unknown, "blocks": "; ".join(blocks)})
    uncertain = []
    if meta["scenario_uncertain"] and meta["scenario_status"]:
        uncertain.append({"label": meta["scenario"], "note": meta["scenario_status"]})
    seen = set()
    for x in obligations + actions:
        if x["uncertain"] and x["label"] not in seen:
            seen.add(x["label"])
            uncertain.append({"label": x["label"], "note": x["note"]})
    for o in outcomes.values():
        for s in o.get("trace") or ():
            info = book.rules.get(s.get("rule") or "") if hasattr(book.rules, "get") else None
            if info and info.get("certainty") == "uncertain" and s.get("kind") != "not_applied":
                label = rule_label(s["rule"], lang, book)
                if label not in seen:
                    seen.add(label)
                    uncertain.append({"label": label, "note": D.loc(info.get("note")) or None})

    # one section per step of the guideline --------------------------------------------------------
    buckets: dict[str, dict] = {name: {"obligations": [], "actions": []} for name, _, _ in STEPS}
    for x, src in [(x, "obligations") for x in obligations] + [(x, "actions") for x in actions]:
        item = next(i for i in (a.get(src) or ()) if isinstance(i, dict) and i.get("id") == x["id"]) if x["id"] else {}
        buckets[_step_of(item)][src].append(x)
    sections = []
    for n, (name, tops, _) in enumerate(STEPS, 1):
        vs, reasoning, facts = [], [], []
        for tp in tops:
            if tp not in outcomes:
                continue
            o = outcomes[tp]
            vs.append(verdicts[tp])
            reasoning += _mark_repeated_cites([D.step(s) for s in o.get("trace") or () if s.get("kind") != "not_applied"])
            facts += D.details(o, skip=_OUTCOME_SKIP)
        b = buckets[name]
        _drop_repeated_details(b["obligations"] + b["actions"])
        sections.append({"id": name, "number": n if name != "ai_act" else None,
                         "title": D.t(f"doc.step.{name}"), "intro": D.t(f"doc.step.{name}.intro"),
                         "guideline": D.t("doc.guideline_ai") if name == "ai_act" else D.t("doc.guideline_step", n=n),
                         "verdicts": vs, "facts": facts, "reasoning": reasoning,
                         "duty_groups": group_duties(b["obligations"]), "actions": b["actions"],
                         "empty": not (vs or facts or b["obligations"] or b["actions"])})
    for tp in topics:  # a topic no step of the guideline covers (a new one): its own section
        if not any(tp in tops for _, tops, _ in STEPS):
            o = outcomes[tp]
            sections.append({"id": tp, "number": None, "title": verdicts[tp]["topic_label"], "intro": "",
                             "guideline": "", "verdicts": [verdicts[tp]],
                             "facts": D.details(o, skip=_OUTCOME_SKIP),
                             "reasoning": [D.step(s) for s in o.get("trace") or () if s.get("kind") != "not_applied"],
                             "duty_groups": [], "actions": [], "empty": False})

    # appendices -----------------------------------------------------------------------------------
    checklist = None
    td = a.get("technical_documentation")
    src = td if isinstance(td, dict) and td.get("items") else next(
        (i["checklist"] for i in list(a.get("obligations") or ()) + list(a.get("actions") or ())
         if isinstance(i, dict) and isinstance(i.get("checklist"), dict) and i["checklist"].get("items")), None)
    if src:
        checklist = {"cites": D.cites(src.get("refs")), "entries": [
            {"label": D.loc(it.get("label")) or "", "also": [D.loc(x) for x in it.get("also") or ()],
             "cites": D.cites(it.get("refs"))} for it in src["items"] if isinstance(it, dict)]}
    declaration = None
    pd = (outcomes.get("conformity") or {}).get("public_declaration")
    if isinstance(pd, dict) and pd.get("text"):
        fields = pd.get("fields") or {}
        declaration = {"text": D.loc(pd["text"]), "cites": D.cites(pd.get("refs")),
                       "to_complete": [D.field_label(f) or D.t("doc.field_to_complete") for f in pd.get("to_complete") or ()
                                       if f in fields]}
    trace = [{"topic_label": verdicts[tp]["topic_label"], "text": verdicts[tp]["text"],
              "steps": [D.step(s) for s in outcomes[tp].get("trace") or ()]} for tp in topics]
    answers = []
    if project is not None:
        for qid, value in project.answers.to_dict().items():
            if qid in book.questions:
                answers.append({"question": D.question(qid), "answer": D.answer(qid, value)})
    modules = []
    for m in a.get("modules") or ():
        if isinstance(m, dict):
            parts = [f"{D.topic(tp)}: {D.value(tp, m[tp].get('value')) or D.status(m[tp].get('status') or 'indeterminate')}"
                     for tp in TOPICS if isinstance(m.get(tp), dict)]
            modules.append({"title": m.get("title") or D.t("ui.untitled"), "text": "; ".join(parts)})
    optional = [D.question(q) for q in a.get("optional_questions") or () if q in book.questions]

    return {"lang": lang, "meta": meta, "verdicts": [verdicts[tp] for tp in topics], "next_steps": next_steps,
            "open": open_items, "uncertain": uncertain, "optional": optional, "sections": sections,
            "modules": modules, "checklist": checklist, "declaration": declaration, "trace": trace,
            "answers": answers, "obligations": obligations, "actions": actions,
            "sources": list(D.used.values())}  # every source cited, once (for other formats)
