"""Command line: a thin wrapper over the public API.

    sivreg assess FILE [--as-of DATE] [--scenario NAME] [--lang nb|en] [--format json|md|pdf] [--out FILE]
    sivreg validate FILE...          every problem in one go, exit 1 if any
    sivreg questions [--format json|md] [--lang nb|en]
    sivreg template [--lang nb|en] [--schema PATH]   a blank answers file with every question
    sivreg summary [DIR]             assess every project in DIR and print a table
Other subcommands (dashboard, portfolio, schema, docs) register themselves from their own modules.

Errors a user can cause print as one screen naming file, line and field, exit code 1,
no traceback (set SIVREG_DEBUG=1 to see one).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import sys
from pathlib import Path

from . import __version__
from .catalogue import rulebook
from .engine import assess
from .errors import InputError, SivregError
from .io import assessment_json, error_text, load
from .model import TOPICS
from .textclean import for_terminal

# Modules that add subcommands: each has register(subparsers) and sets func on its parser.
EXTENSIONS = ("sivreg.portfolio.cli", "sivreg.views.serve", "sivreg.schema_cli", "sivreg.docs_site.cli")


def iso_date(text: str) -> str:
    """argparse type for a YYYY-MM-DD date (kept as text)."""
    from .io import DATE_RULE, valid_date
    if not valid_date(text):
        raise argparse.ArgumentTypeError(f"expected {DATE_RULE}, found {text!r}")
    return text


def check_scenario(name, option: str = "--scenario") -> None:
    """An unknown scenario named on the command line is the option's error, not the file's."""
    book = rulebook()
    if name is not None and name not in book.scenarios:
        from .io import Term, UserError
        raise UserError("cli.err.option", option=option, found=repr(name),
                        allowed=", ".join(book.scenarios) or Term("input.none_defined"))


def _assess_file(path, project, **kw):
    """assess(), with answers that cannot hold together reported as the file's problems
    (file, line, field of each answer; sivreg/conflicts.py), never as an internal error."""
    from .errors import RuleConflict
    from .conflicts import conflict_problems
    try:
        return assess(project, **kw)
    except RuleConflict as exc:
        raise InputError(conflict_problems(exc, path, kw.get("lang", "nb"), rulebook())) from None


def cmd_assess(args) -> int:
    check_scenario(args.scenario)
    project = load(args.file)
    result = _assess_file(args.file, project, as_of=args.as_of, scenario=args.scenario, lang=args.lang)
    if args.format == "pdf":
        if not args.out:  # a PDF is not for the terminal
            from .io import UserError
            raise UserError("doc.cli_pdf_needs_out")
        from .io import atomic_write
        from .render.pdf import to_pdf
        atomic_write(Path(args.out), to_pdf(result, args.lang, project=project))
        return 0
    if args.format == "json":
        text = assessment_json(result)
    else:
        from .render import to_markdown
        text = to_markdown(result, args.lang, project=project)
    if args.out:
        from .io import atomic_write
        atomic_write(Path(args.out), text.encode("utf-8"))
    else:
        sys.stdout.write(text)
    return 0


def _t(key: str, lang: str, **args) -> str:
    text = rulebook().text(key, lang)
    return text.format(**args) if args else text


def cmd_validate(args) -> int:
    from .io import problems_text
    problems = []
    for f in args.files:
        try:
            project = load(f)
            # answers that cannot hold together are a problem of the file too
            _assess_file(f, project, lang=args.lang)
            print(f"{_t('cli.ok', args.lang)}  {for_terminal(f)}")
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        n = len(problems)
        print("\n" + _t("doc.n_problems." + ("one" if n == 1 else "other"), args.lang, n=n), file=sys.stderr)
        for line in problems_text(problems, args.lang, limit=None if args.all else 200):
            print(f"  {line}", file=sys.stderr)
        return 1
    return 0


def questions_as_dicts(book=None) -> list[dict]:
    book = book or rulebook()
    out = []
    for q in book.questions.values():
        opts = ([{"value": "yes", "label": {l: book.text("answer.yes", l) for l in ("nb", "en")}},
                 {"value": "no", "label": {l: book.text("answer.no", l) for l in ("nb", "en")}}]
                if q.type == "bool" else [{"value": o.value, "label": dict(o.label)} for o in q.options])
        out.append({"id": q.id, "type": q.type, "topic": q.topic, "label": dict(q.label),
                    "help": dict(q.help), "options": opts, "refs": list(q.refs),
                    "optional": q.optional, "allows_unknown": True, "place": q.place,
                    "examples": [{"text": dict(e["text"]), "lands": dict(e["lands"]), "source": e["source"],
                                  "source_citation": {l: book.citation(e["source"], l) for l in ("nb", "en")},
                                  "binding": book.is_binding(e["source"])} for e in q.examples]})
    return out


def cmd_questions(args) -> int:
    qs = questions_as_dicts()
    if args.format == "json":
        print(json.dumps(qs, ensure_ascii=False, indent=2))
    else:
        for q in qs:
            print(f"- `{q['id']}` ({q['type']}): {q['label'][args.lang]}")
    return 0


def template_text(lang: str, book=None, schema: str | None = None) -> str:
    """A blank answers file: every question with its label and allowed values as comments;
    `schema`: the path of the JSON Schema (`sivreg schema answers --out`) named on the first
    line for editors with a YAML language server."""
    book = book or rulebook()
    head = {"nb": "# Svarfil for sivreg. Fyll inn svarene; ~ betyr ikke besvart, unknown betyr vet ikke.",
            "en": "# sivreg answers file. Fill in the answers; ~ means not answered, unknown means don't know."}
    lines = [f"# yaml-language-server: $schema={schema}"] if schema else []
    lines += [head[lang], "project:", "  id: my-project", '  title: ""', '  owner: ""', '  description: ""',
             "jurisdiction: NO", "answers:"]
    topic = None
    for q in book.questions.values():
        if q.topic != topic:
            topic = q.topic
            lines.append(f"  # --- {topic} ---")
        lines.append(f"  # {q.label[lang]}")
        allowed = list(q.allowed_values()) + ["unknown"]
        if q.type == "multi":
            lines.append(f"  #   [{', '.join(q.allowed_values())}] (list) | unknown")
        elif q.type in ("bool", "enum"):
            lines.append(f"  #   {' | '.join(allowed)}")
        lines.append(f"  {q.id}: ~")
    return "\n".join(lines) + "\n"


def cmd_template(args) -> int:
    sys.stdout.write(template_text(args.lang, schema=args.schema or None))
    return 0


def summary_rows(directory: str, as_of=None, scenario=None, lang="nb"):
    """(rows, errors): one row per project in the folder; a bad file becomes an error row."""
    from .render.text import value_label
    rows, errors = [], []
    if not Path(directory).is_dir():
        from .io import UserError
        raise UserError("portfolio.err.no_folder", folder=str(directory))
    files = sorted(Path(directory).glob("*.yaml"))
    if not files:
        from .io import UserError
        raise UserError("portfolio.err.no_files", folder=str(directory))
    for f in files:
        try:
            a = assess(load(f), as_of=as_of, scenario=scenario, lang=lang).to_dict()
        except SivregError as exc:
            errors.append((str(f), error_text(exc, lang)))
            continue
        except Exception as exc:  # a bug in one rule must not hide the other projects
            from .io import message_text
            errors.append((str(f), message_text("portfolio.err.internal",
                                                {"kind": type(exc).__name__, "detail": str(exc)}, lang)))
            continue
        o = a["outcomes"]
        rows.append({"project": a["project"]["id"],
                     **{t: value_label(t, o[t]["value"], lang) if o[t]["value"] is not None else "–"
                        for t in TOPICS},
                     "status": _status_text(a["status"], lang), "missing": ", ".join(a["missing"])})
    return rows, errors


def _status_text(status: str, lang: str) -> str:
    for key in (f"status.{status}", f"doc.status.{status}"):
        try:
            return _t(key, lang)
        except KeyError:
            continue
    return _t("doc.status.other", lang)


def cmd_summary(args) -> int:
    check_scenario(args.scenario)
    rows, errors = summary_rows(args.dir, args.as_of, args.scenario, args.lang)
    cols = ["project", "qualification", "regime", "device_class", "status"]
    heads = {c: _t(f"portfolio.col.{'project_id' if c == 'project' else c}", args.lang) for c in cols}
    widths = {c: max([len(heads[c])] + [len(str(r[c])) for r in rows]) for c in cols}
    print("  ".join(heads[c].ljust(widths[c]) for c in cols))
    print("  ".join("-" * widths[c] for c in cols))
    for r in rows:
        print("  ".join(str(r[c]).ljust(widths[c]) for c in cols))
    for f, msg in errors:
        print(f"\n{_t('cli.summary_error', args.lang)} {for_terminal(f)}:\n  " + msg.replace("\n", "\n  "), file=sys.stderr)
    return 1 if errors else 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="sivreg", description="Assess AI projects against MDR/IVDR and the EU AI Act.")
    p.add_argument("--version", action="version", version=f"sivreg {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    a = sub.add_parser("assess", help="assess one answers file")
    a.add_argument("file")
    a.add_argument("--as-of", type=iso_date, default=None, help="assessment date YYYY-MM-DD (default: the file's, else today)")
    a.add_argument("--scenario", default=None, help="version of the AI Act (rulebook scenario)")
    a.add_argument("--lang", choices=("nb", "en"), default="nb")
    a.add_argument("--format", choices=("json", "md", "pdf"), default="md")
    a.add_argument("--out", default=None, help="write to this file (needed for --format pdf)")
    a.set_defaults(func=cmd_assess)

    v = sub.add_parser("validate", help="check answers files, reporting every problem")
    v.add_argument("files", nargs="+")
    v.add_argument("--lang", choices=("nb", "en"), default="nb", help="language of the messages")
    v.add_argument("--all", action="store_true", help="list every problem (default: the first 200)")
    v.set_defaults(func=cmd_validate)

    q = sub.add_parser("questions", help="the question catalogue")
    q.add_argument("--format", choices=("json", "md"), default="json")
    q.add_argument("--lang", choices=("nb", "en"), default="nb")
    q.set_defaults(func=cmd_questions)

    t = sub.add_parser("template", help="a blank answers file with every question")
    t.add_argument("--lang", choices=("nb", "en"), default="nb")
    t.add_argument("--schema", default="sivreg-answers.schema.json",
                   help="schema named on the first line for editors (write it with `sivreg schema answers --out`); "
                        "'' for none")
    t.set_defaults(func=cmd_template)

    s = sub.add_parser("summary", help="assess every project in a folder and print a table")
    s.add_argument("dir", nargs="?", default="parameters")
    s.add_argument("--as-of", type=iso_date, default=None)
    s.add_argument("--scenario", default=None)
    s.add_argument("--lang", choices=("nb", "en"), default="nb")
    s.set_defaults(func=cmd_summary)

    for name in EXTENSIONS:
        try:
            mod = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue  # that part of sivreg is not installed
            raise
        mod.register(sub)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    lang = getattr(args, "lang", None) if getattr(args, "lang", None) in ("nb", "en") else "nb"
    try:
        return args.func(args) or 0
    except SivregError as exc:
        try:
            print(f"{_t('cli.error', lang)}\n{for_terminal(error_text(exc, lang), keep_newlines=True)}", file=sys.stderr)
        except Exception:  # the rulebook itself cannot be read: say it in plain words
            print(f"sivreg: error\n{exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # output piped into `head` and the like
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 0
    except KeyboardInterrupt:
        print(_t("cli.interrupted", lang), file=sys.stderr)
        return 130
    except Exception as exc:  # an internal error: a short message, never a traceback
        if os.environ.get("SIVREG_DEBUG"):
            raise
        try:
            msg = _t("cli.internal_error", lang, kind=type(exc).__name__, detail=exc)
        except Exception:
            msg = f"sivreg: internal error ({type(exc).__name__}: {exc}). Run with SIVREG_DEBUG=1 for details."
        print(for_terminal(msg, keep_newlines=True), file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
