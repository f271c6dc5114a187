"""`sivreg dashboard [--port N] [--no-browser] [--base-url /path/] [--max-pages N] [--preheat N]
[--idle-minutes M]`: serve the questionnaire with Voilà on 127.0.0.1.

Where the notebook comes from: the dashboard notebook ships inside the package
(sivreg/notebooks/dashboard.ipynb, listed in pyproject's package-data), so an installed
sivreg serves it without a checkout. notebooks/dashboard.ipynb in the repository is the
same file (tests/test_notebooks.py checks they are identical); `--notebook PATH` serves
another one.

Safe settings, always: bound to 127.0.0.1 (colleagues reach it through the hospital's
reverse proxy, see README), notebook source stripped, no tracebacks shown, the template and
theme cannot be switched from the URL. The server is Voilà with sivreg's handlers
(sivreg/views/server.py): a closed page stops its kernel, at most `--max-pages` pages at once
(then a busy page), no kernel for requests that are not a browser opening the page, nothing
fetched from other servers, no traceback over the kernel channel. `--preheat N` kernels are
kept ready; kernels without a connected page are stopped after `--idle-minutes`. The process
replaces itself with the server (exec), so stopping it (Ctrl+C, SIGTERM) stops the server
and its kernels.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

PACKAGED = Path(__file__).resolve().parent.parent / "notebooks" / "dashboard.ipynb"
DEFAULT_PORT = 8866
IDLE_MINUTES = 3       # a kernel without a connected page is stopped after this many idle minutes
CULL_INTERVAL_SECONDS = 30
PREHEAT = 3            # kernels started and run ahead, waiting for the next visitors (see README: sizing)
PAGE_MB = 150          # memory one open page needs (its kernel; measured, see README)
MEMORY_SHARE = 0.5     # the share of the machine's memory the pages may use by default


def total_memory_bytes() -> int | None:
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None


def default_max_pages(preheat: int = PREHEAT, memory: int | None = None) -> int:
    """Pages that fit in half the machine's memory, less the preheated kernels (at least 2)."""
    memory = total_memory_bytes() if memory is None else memory
    if not memory:
        return 20
    return max(2, int(memory * MEMORY_SHARE / (PAGE_MB * 2**20)) - preheat)


def dashboard_notebook() -> Path:
    return PACKAGED


def norm_base_url(base_url: str) -> str:
    return "/" + base_url.strip("/") + "/" if base_url.strip("/") else "/"


def voila_argv(notebook: Path, port: int, *, open_browser: bool = False, base_url: str = "/",
               max_pages: int | None = None, preheat: int = PREHEAT, idle_minutes: float = IDLE_MINUTES) -> list[str]:
    """The command line of the dashboard server (Voilà with sivreg's handlers, see
    sivreg/views/server.py) with the dashboard's safe settings."""
    base_url = norm_base_url(base_url)
    if max_pages is None:
        max_pages = default_max_pages(preheat)
    argv = [sys.executable, "-m", "sivreg.views.server", str(notebook),
            f"--port={port}", "--Voila.ip=127.0.0.1", "--Voila.port_retries=0",
            f"--Voila.base_url={base_url}",
            "--no-browser" if not open_browser else "--Voila.open_browser=True",
            "--VoilaConfiguration.strip_sources=True",
            "--VoilaConfiguration.show_tracebacks=False",
            "--VoilaConfiguration.allow_template_override=NO",
            "--VoilaConfiguration.allow_theme_override=NO",
            # (one item per option: the [..] form is deprecated in traitlets 5 and warns)
            "--VoilaConfiguration.extension_denylist=jupyterlab-jupytext",
            "--VoilaConfiguration.extension_denylist=@voila-dashboards/jupyterlab-preview",
            f"--DashboardServer.max_pages={max_pages}",
            # Kernels without a connected page (a closed tab whose beacon was lost, a visitor
            # who never connected) are stopped after a few idle minutes; connected ones never.
            f"--MappingKernelManager.cull_idle_timeout={max(1, round(idle_minutes * 60))}",
            f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
            "--MappingKernelManager.cull_connected=False",
            # Kernels talk to the server over local sockets, not TCP ports: no port race
            # when many kernels start at once (ZMQError: Address already in use).
            "--KernelManager.transport=ipc",
            "--KernelManager.transport_encryption=auto"]
    if preheat > 0:
        # N kernels are started and run the notebook before anyone asks; the page reads
        # ?lang= and today's date when it is opened (sivreg/views/page.py).
        argv += ["--VoilaConfiguration.preheat_kernel=True", f"--VoilaConfiguration.default_pool_size={preheat}"]
    return argv


def cmd_dashboard(args) -> int:
    from ..errors import InputError, Problem
    notebook = Path(args.notebook) if args.notebook else dashboard_notebook()
    if not notebook.is_file():
        raise InputError([Problem(str(notebook), None, "", "notebook not found")])
    argv = voila_argv(notebook, args.port, open_browser=not args.no_browser, base_url=args.base_url,
                      max_pages=args.max_pages, preheat=args.preheat, idle_minutes=args.idle_minutes)
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


def _number(text: str, kind, low, what: str):
    import argparse
    try:
        n = kind(text)
    except ValueError:
        n = None
    if n is None or n < low or n != n:
        raise argparse.ArgumentTypeError(f"expected {what}, found {text!r}")
    return n


def _positive(text: str) -> int:
    return _number(text, int, 1, "a whole number of at least 1")


def _count(text: str) -> int:
    return _number(text, int, 0, "a whole number of at least 0")


def _minutes(text: str) -> float:
    return _number(text, float, 0.1, "minutes (at least 0.1)")


def register(subparsers) -> None:
    d = subparsers.add_parser("dashboard", help="serve the questionnaire in the browser (Voilà, 127.0.0.1)")
    d.add_argument("--port", type=port_number, default=DEFAULT_PORT, help=f"port on 127.0.0.1 (default {DEFAULT_PORT})")
    d.add_argument("--no-browser", action="store_true", help="do not open a browser")
    d.add_argument("--base-url", default="/", help="path prefix when served behind a reverse proxy, e.g. /sivreg/")
    d.add_argument("--notebook", default=None, help="serve another notebook (default: the packaged dashboard)")
    d.add_argument("--max-pages", type=_positive, default=None,
                   help="most pages open at once; beyond it visitors see 'the service is busy' "
                        f"(default: what half the memory holds at {PAGE_MB} MB a page)")
    d.add_argument("--preheat", type=_count, default=PREHEAT,
                   help=f"kernels kept ready for the next visitors (default {PREHEAT}; 0: none)")
    d.add_argument("--idle-minutes", type=_minutes, default=IDLE_MINUTES,
                   help=f"stop a kernel whose page is gone after this many idle minutes (default {IDLE_MINUTES})")
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
