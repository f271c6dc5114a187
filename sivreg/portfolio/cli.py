"""`sivreg portfolio ...` subcommands (registered by sivreg/cli.py):

    sivreg portfolio run [DIR=parameters] [--out DIR=outputs] [--jobs N] [--as-of DATE]
                         [--scenario NAME] [--force] [--lang nb|en] [--compare-scenario NAME]
                         [--no-notebooks] [--notebook PATH] [--executor processes|threads|dask]
                         [--dask-address ADDR] [--no-progress]
                         [--key FILE] [--new-register]
    sivreg portfolio verify [--out DIR] [--key FILE] [--expect CHECKSUM] [--log FILE]
                                             exit 1 and name each altered row if the chain breaks,
                                             a signature does not match, or a logged run is gone
    sivreg portfolio init-key FILE           a new register key (0600), kept outside the output folder
    sivreg portfolio diff A B [--out DIR]    what changed from run A to run B, and why
    sivreg portfolio history [--out DIR]     every run with its date, rulebook and counts
"""
from __future__ import annotations

import argparse
import json
import os
import sys

from ..cli import iso_date as _date
from ..render.text import t
from ..textclean import for_terminal
from .diff import diff_runs, lines
from .executors import NAMES
from .register import Register, verify


def _positive(text: str) -> int:
    try:
        n = int(text)
    except ValueError:
        n = 0
    if n < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, found {text!r}")
    return n


def cmd_run(args) -> int:
    from .run import run_portfolio
    res = run_portfolio(args.dir, args.out, jobs=args.jobs, as_of=args.as_of, scenario=args.scenario,
                        lang=args.lang, force=args.force, notebooks=not args.no_notebooks,
                        notebook=args.notebook, executor=args.executor, address=args.dask_address,
                        compare_scenario=args.compare_scenario, progress=not args.no_progress,
                        key=args.key, new_register=args.new_register)
    lang = args.lang
    if res.changes:
        print(t("portfolio.cli.changes", lang, run=res.changes["from_run"]))
        for line in lines(res.changes, lang):
            print("  " + line)
    if res.scenario_diff:
        print(t("portfolio.cli.compare", lang, scenario=res.scenario_diff["scenario"]))
        for line in lines(res.scenario_diff, lang):
            print("  " + line)
    if res.fault:
        print(for_terminal(res.fault, keep_newlines=True), file=sys.stderr)
    for e in res.failed:
        print(f"{t('portfolio.status.' + e.status, lang)}: {for_terminal(e.file)}\n  "
              + for_terminal(e.error or "", keep_newlines=True).replace("\n", "\n  "),
              file=sys.stderr)
    counts = ", ".join(f"{t('portfolio.status.' + s, lang)}: {n}" for s, n in sorted(res.counts.items()))
    print(t("portfolio.cli.done", lang, run=res.run_id, n=len(res.entries), counts=counts,
            summary=os.path.join(str(res.layout.root), "summary.html")))
    print(t("portfolio.cli.head", lang, head=res.head))
    if res.signature:
        print(t("portfolio.cli.signature", lang, key_id=res.key_id, signature=res.signature))
    else:
        print(t("portfolio.cli.unsigned", lang), file=sys.stderr)
    return res.exit_code


def cmd_verify(args) -> int:
    from .keys import find_key
    from .outputs import Layout
    layout = Layout(args.out)
    key = find_key(args.key, layout.root)
    problems, facts = verify(layout.register, layout.root, key=key, expect=args.expect, log=args.log,
                             lang=args.lang)
    if problems:
        print(t("portfolio.cli.verify_bad", args.lang, n=len(problems)), file=sys.stderr)
        for p in problems:
            print(f"  {for_terminal(p)}", file=sys.stderr)
        return 1
    print(t("portfolio.cli.verify_ok", args.lang, rows=facts["rows"], runs=facts["runs"], head=facts["head"]))
    if "log" in facts:
        print(t("portfolio.cli.log_ok", args.lang, log=facts["log"], n=facts["log_runs"]))
    else:
        print(t("portfolio.cli.no_log", args.lang))
    if key is not None:
        print(t("portfolio.cli.signed_ok", args.lang, n=facts.get("signatures", 0), key_id=key.key_id))
    else:
        print(t("portfolio.cli.chain_only", args.lang))
    return 0


def cmd_init_key(args) -> int:
    from .keys import init_key
    key = init_key(args.file)
    print(t("portfolio.cli.key_written", args.lang, file=args.file, key_id=key.key_id))
    return 0


def cmd_diff(args) -> int:
    from .outputs import Layout
    with Register(Layout(args.out).register, create=False) as reg:
        result = diff_runs(reg, args.a, args.b)
    if args.format == "json":
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        for line in lines(result, args.lang):
            print(line)
    return 0


def cmd_history(args) -> int:
    from .outputs import Layout
    with Register(Layout(args.out).register, create=False) as reg:
        runs = reg.runs()
    for r in runs:
        counts = ", ".join(f"{k} {v}" for k, v in sorted((r["counts"] or {}).items()))
        print(f"{r['run_id']:>4}  {r['started_at'][:19]}  {r['status']:<11}  as_of={r['as_of'] or '-'}  "
              f"scenario={r['scenario'] or '-'}  lang={r['lang']}  rulebook={r['rulebook_version']}  {counts}")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("portfolio", help="review every project: reports, register, changes, summary")
    sub = p.add_subparsers(dest="portfolio_command", required=True)

    r = sub.add_parser("run", help="assess every project, run its report notebook, write the summary")
    r.add_argument("dir", nargs="?", default="parameters", help="folder of answers files (default: parameters)")
    r.add_argument("--out", default="outputs", help="output folder (default: outputs)")
    r.add_argument("--jobs", type=_positive, default=None, help="parallel notebook workers (default: CPU count)")
    r.add_argument("--as-of", type=_date, default=None, help="assessment date YYYY-MM-DD (default: each file's, else today)")
    r.add_argument("--scenario", default=None, help="version of the AI Act (rulebook scenario)")
    r.add_argument("--force", action="store_true", help="run every notebook, even if nothing changed")
    r.add_argument("--lang", choices=("nb", "en"), default="nb")
    r.add_argument("--compare-scenario", default=None, metavar="NAME",
                   help="also show, for every project, what differs under this scenario (e.g. original)")
    r.add_argument("--no-notebooks", action="store_true", help="assess in-process only; no papermill, no reports")
    r.add_argument("--notebook", default=None, help="report notebook (default: notebooks/report.ipynb)")
    r.add_argument("--executor", choices=NAMES, default="processes",
                   help="where notebooks run: local processes (default), threads, or dask")
    r.add_argument("--dask-address", default=None, help="dask scheduler address (default: a local cluster)")
    r.add_argument("--no-progress", action="store_true", help="no progress bar")
    r.add_argument("--key", default=None, metavar="FILE",
                   help="register key to sign the run with (default: $SIVREG_REGISTER_KEY; keep it outside --out)")
    r.add_argument("--new-register", action="store_true",
                   help="start a new register on purpose where earlier outputs but no register are")
    r.set_defaults(func=cmd_run)

    v = sub.add_parser("verify", help="check that the register was not altered")
    v.add_argument("--out", default="outputs")
    v.add_argument("--lang", choices=("nb", "en"), default="nb")
    v.add_argument("--key", default=None, metavar="FILE",
                   help="check every signature with this key (default: $SIVREG_REGISTER_KEY)")
    v.add_argument("--expect", default=None, metavar="CHECKSUM", help="a checksum a run printed, kept elsewhere")
    v.add_argument("--log", default=None, metavar="FILE", help="a kept copy of register.log to check against")
    v.set_defaults(func=cmd_verify)

    k = sub.add_parser("init-key", help="write a new register key (keep it outside the output folder)")
    k.add_argument("file")
    k.add_argument("--lang", choices=("nb", "en"), default="nb")
    k.set_defaults(func=cmd_init_key)

    d = sub.add_parser("diff", help="what changed from run A to run B, and why")
    d.add_argument("a", type=int)
    d.add_argument("b", type=int)
    d.add_argument("--out", default="outputs")
    d.add_argument("--lang", choices=("nb", "en"), default="nb")
    d.add_argument("--format", choices=("text", "json"), default="text")
    d.set_defaults(func=cmd_diff)

    h = sub.add_parser("history", help="every run in the register")
    h.add_argument("--out", default="outputs")
    h.set_defaults(func=cmd_history)
