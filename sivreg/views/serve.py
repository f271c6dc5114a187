"""`sivreg dashboard [--port N] [--no-browser] [--base-url /path/]`: serve the questionnaire
with Voilà on 127.0.0.1.

Where the notebook comes from: the dashboard notebook ships inside the package
(sivreg/notebooks/dashboard.ipynb, listed in pyproject's package-data), so an installed
sivreg serves it without a checkout. notebooks/dashboard.ipynb in the repository is the
same file (tests/test_notebooks.py checks they are identical); `--notebook PATH` serves
another one.

Safe settings, always: bound to 127.0.0.1 (colleagues reach it through the hospital's
reverse proxy, see README), notebook source stripped, no tracebacks shown, the template and
theme cannot be switched from the URL, idle kernels are culled, one kernel is kept ready
(preheated) so the first question shows quickly. The process replaces itself
with Voilà (exec), so stopping it (Ctrl+C, SIGTERM) stops Voilà and its kernels.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent.parent / "notebooks" / "dashboard.ipynb"
DEFAULT_PORT = 8866
CULL_IDLE_SECONDS = 900   # a kernel nobody is connected to is stopped after 15 minutes
CULL_INTERVAL_SECONDS = 60
POOL_SIZE = 1  # pre-started kernels waiting for the next visitor


def dashboard_notebook() -> Path:
    return PACKAGED


def norm_base_url(base_url: str) -> str:
    return "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"


def voila_argv(notebook: Path, port: int, *, open_browser: bool = False, base_url: str = "/") -> list[str]:
    """The Voilà command line with the dashboard's safe settings."""
    base_url = norm_base_url(base_url)
    return [sys.executable, "-m", "voila", str(notebook),
            f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            f"--Voila.base_url={base_url}",
            "--no-browser" if not open_browser else "--Voila.open_browser=True",
            "--VoilaConfiguration.strip_sources=True",
            "--VoilaConfiguration.show_tracebacks=False",
            "--VoilaConfiguration.allow_template_override=NO",
            "--VoilaConfiguration.allow_theme_override=NO",
            "--VoilaConfiguration.extension_denylist=['jupyterlab-jupytext','@voila-dashboards/jupyterlab-preview']",
            # One kernel is started and runs the notebook before anyone asks, so the page
            # shows its first question about a second sooner. The page reads no query string.
            "--VoilaConfiguration.preheat_kernel=True", f"--VoilaConfiguration.default_pool_size={POOL_SIZE}",
            f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
            "--KernelManager.transport_encryption=auto"]


def cmd_dashboard(args) -> int:
    from ..errors import InputError, Problem
    notebook = Path(args.notebook) if args.notebook else dashboard_notebook()
    if not notebook.is_file():
        raise InputError([Problem(str(notebook), None, "", "notebook not found")])
    argv = voila_argv(notebook, args.port, open_browser=not args.no_browser, base_url=args.base_url)
    url = f"http://127.0.0.1:{args.port}{norm_base_url(args.base_url)}"
    print(f"sivreg dashboard: {url}  (notebook {notebook}; stop with Ctrl+C)", flush=True)
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)
    return 0  # not reached


def port_number(text: str) -> int:
    """argparse type for a TCP port (1-65535)."""
    import argparse
    try:
        n = int(text)
    except ValueError:
        n = 0
    if not 1 <= n <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, found {text!r}")
    return n


def register(subparsers) -> None:
    d = subparsers.add_parser("dashboard", help="serve the questionnaire in the browser (Voilà, 127.0.0.1)")
    d.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    d.add_argument("--no-browser", action="store_true", help="do not open a browser")
    d.add_argument("--base-url", default="/", help="path prefix when served behind a reverse proxy, e.g. /sivreg/")
    d.add_argument("--notebook", default=None, help="serve another notebook (default: the packaged dashboard)")
    d.set_defaults(func=cmd_dashboard)


def main(argv=None) -> int:
    """`python -m sivreg.views.serve [--port N] [--no-browser]`: the same as `sivreg dashboard`."""
    import argparse
    parser = argparse.ArgumentParser(prog="sivreg")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["dashboard", *(sys.argv[1:] if argv is None else argv)])
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
