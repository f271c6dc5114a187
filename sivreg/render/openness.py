"""Words for open answers: what an open question blocks, a branch condition as a sentence,
and a `depends` conclusion as "Avhenger av: «...» — ...: ...; ...: ...". Used by the
dashboard and the renderers; every word comes from the rulebook (nb and en).

The engine (sivreg/explore.py) gives, per assessment, `open_points` (each open question with
the conclusions and duties it can still change, as names such as `conformity`,
`ai_act_risk.role`, `studies.<id>` or an obligation or action id) and, per outcome,
`branches` / `field_branches`; this module only turns them into text.
"""
from __future__ import annotations

from ..model import TOPICS


def _text(book, key: str, lang: str, default: str | None = None) -> str:
    try:
        return book.text(key, lang)
    except KeyError:
        return default if default is not None else key


def question_label(book, qid: str, lang: str) -> str:
    q = book.questions.get(qid)
    return q.label[lang] if q is not None else qid


def answer_label(book, qid: str, value, lang: str) -> str:
    """An answer (or a list of answers, "any of") in words."""
    q = book.questions.get(qid)
    if isinstance(value, list):
        if not value or value == ["none"] and (q is None or "none" not in q.allowed_values()):
            return _text(book, "label.none_chosen", lang)
        sep = f" {_text(book, 'label.any_of', lang)} "
        return sep.join(answer_label(book, qid, v, lang) for v in value)
    if q is not None:
        if q.type == "bool" or value in ("yes", "no", "unknown"):
            return _text(book, f"answer.{value}", lang, str(value))
        for o in q.options:
            if o.value == value:
                return o.label[lang]
    if value == "none":
        return _text(book, "label.none_chosen", lang)
    return str(value)


def when_text(book, when: dict, lang: str) -> str:
    """{qid: answer, ...} as «question»: answer; «question»: answer."""
    return "; ".join(f"«{question_label(book, q, lang)}»: {answer_label(book, q, v, lang)}"
                     for q, v in when.items())


def value_label(book, topic: str, value, lang: str, status: str | None = None) -> str:
    if status == "not_applicable":
        return _text(book, "status.not_applicable", lang)
    if value is None:
        return _text(book, "status.indeterminate", lang)
    return _text(book, f"{topic}.{value}", lang, str(value))


def depends_text(book, topic: str, outcome: dict, lang: str) -> str:
    """Avhenger av: «Q» — A: X; B: Y (one part per branch)."""
    brs = outcome.get("branches") or []
    qids = list(dict.fromkeys(q for b in brs for q in b["when"]))
    head = ", ".join(f"«{question_label(book, q, lang)}»" for q in qids)
    parts = []
    for b in brs:
        cond = "; ".join(answer_label(book, q, v, lang) if len(qids) == 1 else
                         f"{question_label(book, q, lang)}: {answer_label(book, q, v, lang)}"
                         for q, v in b["when"].items())
        parts.append(f"{cond}: {value_label(book, topic, b.get('value'), lang, b.get('status'))}")
    return f"{_text(book, 'label.depends_on', lang)}: {head} — " + "; ".join(parts)


def regardless_text(book, qids, lang: str) -> str:
    return (f"{_text(book, 'label.holds_regardless', lang)} "
            + ", ".join(f"«{question_label(book, q, lang)}»" for q in qids))


def block_label(book, name: str, lang: str, assessment: dict | None = None) -> str:
    """A conclusion or duty an open question can change, in words."""
    if name in TOPICS:
        return _text(book, f"topic.{name}", lang)
    topic, _, field = name.partition(".")
    if topic in TOPICS and field:
        label = _text(book, f"field.{field}", lang, "")
        return f"{_text(book, f'topic.{topic}', lang)}" + (f": {label}" if label else "")
    if topic == "studies" and field:
        title = field
        for s in ((assessment or {}).get("outcomes", {}).get("clinical_investigation", {}).get("studies") or []):
            if s.get("id") == field:
                title = s.get("title") or field
        return f"{_text(book, 'label.study', lang, 'Studie')}: {title}"
    for kind in ("obligations", "actions"):
        for item in (assessment or {}).get(kind, []):
            if item.get("id") == name:
                return item.get("label", name)
    if name in book.obligations:
        return book.obligations[name]["label"][lang]
    if name in book.actions:
        return book.actions[name]["label"][lang]
    return _text(book, f"topic.{name}", lang, name)


def blocks(book, assessment: dict, lang: str) -> dict[str, list[str]]:
    """Question id -> what it blocks, in words (no repeats), from `open_points`: the
    conclusions by name (a topic once, however many of its parts), then how many duties and
    next steps may arise or fall away."""
    duties = {i["id"] for k in ("obligations", "actions") for i in assessment.get(k, [])}
    out = {}
    for p in assessment.get("open_points") or []:
        labels, topics, n = [], set(), 0
        for name in p.get("blocks") or []:
            if name in duties:
                n += 1
                continue
            topic = name.partition(".")[0]
            if topic in TOPICS:
                if topic in topics:
                    continue
                topics.add(topic)
                name = topic
            label = block_label(book, name, lang, assessment)
            if label not in labels:
                labels.append(label)
        if n:
            labels.append(_text(book, "label.n_duties", lang, "{n}").format(n=n))
        out[p["question"]] = labels
    return out


def branch_rows(book, assessment, topics, lang: str) -> list[dict]:
    """A small table of what the decision hinges on: one row per branch of every `depends`
    conclusion (and sub-conclusion) among `topics`: question, answer, resulting value."""
    d = assessment if isinstance(assessment, dict) else assessment.to_dict()
    cols = {k: _text(book, f"table.{k}", lang, k) for k in ("topic", "question", "answer", "value")}
    rows = []
    for topic in topics:
        o = d["outcomes"].get(topic) or {}
        groups = [(topic, o.get("branches") or [])]
        groups += [(f"{topic}.{f}", brs) for f, brs in (o.get("field_branches") or {}).items()
                   if f in ("role", "manufacturer", "in_house", "route")]
        for name, brs in groups:
            for b in brs:
                field = name.partition(".")[2]
                if field:
                    v = b.get("value")
                    value = _text(book, f"ai_role.{v}", lang, str(v)) if field == "role" else (
                        str(v.get("holds")) if isinstance(v, dict) and "holds" in v else str(v))
                else:
                    value = value_label(book, topic, b.get("value"), lang, b.get("status"))
                rows.append({cols["topic"]: block_label(book, name, lang, d),
                             cols["question"]: "; ".join(question_label(book, q, lang) for q in b["when"]),
                             cols["answer"]: "; ".join(answer_label(book, q, v, lang) for q, v in b["when"].items()),
                             cols["value"]: value})
    return rows
