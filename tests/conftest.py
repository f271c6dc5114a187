"""Shared test set-up: tests import their helpers from this folder."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
ROOT = Path(__file__).resolve().parent.parent


# -- Jupyter, Voilà and the browser (tests/test_notebooks.py, tests/test_browser_*.py) ---------
import os  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

import pytest  # noqa: E402

# Nothing Jupyter writes (notebook_secret, runtime files, migration markers) goes to ~:
# every kernel, papermill, nbval and Voilà started by the tests inherits these (build/ is
# ignored by git; .ci/run sets the same variables).
os.environ.setdefault("JUPYTER_DATA_DIR", str(ROOT / "build" / "jupyter-data"))
os.environ.setdefault("JUPYTER_CONFIG_DIR", str(ROOT / "build" / "jupyter-config"))

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """pytest-playwright: drive Debian's Chromium (no browser download on these machines)."""
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


def _sivreg_command() -> list[str]:
    script = Path(sys.executable).with_name("sivreg")
    return [str(script)] if script.exists() else [sys.executable, "-m", "sivreg.cli"]


@pytest.fixture(scope="session")
def dashboard_url(tmp_path_factory):
    """`sivreg dashboard --port N --no-browser` on a free port; ready when Voilà serves its
    static voila.js (which starts no kernel); stopped with SIGTERM at the end."""
    port = free_port()
    logfile = tmp_path_factory.mktemp("dashboard") / "voila.log"
    log = open(logfile, "w")
    proc = subprocess.Popen([*_sivreg_command(), "dashboard", "--port", str(port), "--no-browser"],
                            stdout=log, stderr=subprocess.STDOUT, cwd=str(ROOT), env=os.environ.copy())
    base = f"http://127.0.0.1:{port}/"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(base + "voila/static/voila.js", timeout=2)
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.close()
                raise RuntimeError(f"sivreg dashboard did not start:\n{logfile.read_text()[-3000:]}")
            time.sleep(0.2)
    # The dashboard keeps one kernel ready (preheated); wait until it is, as it would be for
    # anyone arriving at a running server, so the timings measure a page visit.
    deadline = time.monotonic() + 60
    while "is filled with" not in logfile.read_text(errors="replace") and time.monotonic() < deadline:
        time.sleep(0.2)
    yield base
    proc.send_signal(signal.SIGTERM)  # Voilà shuts its kernels down on SIGTERM
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()
