"""`sivreg dashboard`: the command line and Voilà's safe settings (the server itself is
exercised by tests/test_browser_dashboard.py)."""
from __future__ import annotations

import argparse

from sivreg.views import serve


def parse(*argv):
    p = argparse.ArgumentParser()
    serve.register(p.add_subparsers(dest="command"))
    return p.parse_args(["dashboard", *argv])


def test_defaults_and_options():
    a = parse()
    assert (a.port, a.no_browser, a.base_url, a.notebook) == (serve.DEFAULT_PORT, False, "/", None)
    a = parse("--port", "9001", "--no-browser", "--base-url", "sivreg")
    assert (a.port, a.no_browser, a.base_url) == (9001, True, "sivreg")
    assert a.func is serve.cmd_dashboard


def test_voila_runs_with_safe_settings():
    argv = serve.voila_argv(serve.dashboard_notebook(), 9001, base_url="sivreg")
    joined = " ".join(argv)
    for setting in ("--Voila.ip=127.0.0.1", "--port=9001", "--no-browser",
                    "--VoilaConfiguration.strip_sources=True", "--VoilaConfiguration.show_tracebacks=False",
                    "--VoilaConfiguration.allow_template_override=NO", "--VoilaConfiguration.allow_theme_override=NO",
                    "--MappingKernelManager.cull_idle_timeout=", "--MappingKernelManager.cull_interval=",
                    "--Voila.base_url=/sivreg/"):
        assert setting in joined, setting
    assert "--template" not in joined and "--theme" not in joined
    assert "0.0.0.0" not in joined


def test_the_dashboard_notebook_ships_with_the_package():
    nb = serve.dashboard_notebook()
    assert nb.is_file() and nb.parent.parent.name == "sivreg"
    import tomllib
    from conftest import ROOT
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert "notebooks/*.ipynb" in data["tool"]["setuptools"]["package-data"]["sivreg"]


def test_base_url_is_normalised():
    assert serve.norm_base_url("/") == "/" and serve.norm_base_url("") == "/"
    assert serve.norm_base_url("sivreg") == serve.norm_base_url("/sivreg/") == "/sivreg/"
