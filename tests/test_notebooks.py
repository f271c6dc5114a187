"""The notebooks: committed without outputs and thin; every one runs under papermill with
an example project; report.ipynb writes the same JSON as `sivreg assess --format json`;
nbval runs them all."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import nbformat
import papermill as pm
import pytest

from conftest import ROOT

pytestmark = pytest.mark.notebook
NOTEBOOKS = ROOT / "notebooks"
ALL = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
AS_OF = "2026-11-26"
TOPIC_NOTEBOOKS = ["qualification_classification.ipynb", "clinical_investigation.ipynb", "ai_act.ipynb"]


def read(name):
    return nbformat.read(NOTEBOOKS / name, as_version=4)


def test_the_expected_notebooks_exist():
    assert {"dashboard.ipynb", "report.ipynb", *TOPIC_NOTEBOOKS} <= set(ALL)


@pytest.mark.parametrize("name", ALL)
def test_committed_without_outputs_and_thin(name):
    nb = read(name)
    nbformat.validate(nb)
    assert nb.metadata.kernelspec.name == "python3"
    assert "widgets" not in nb.metadata
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert [c for c in code if "parameters" in c.metadata.get("tags", [])], "no parameters cell"
    for c in code:
        assert c.outputs == [] and c.execution_count is None, "committed with outputs"
        assert len(c.source.splitlines()) <= 10, "a notebook cell longer than 10 lines"
        for line in c.source.splitlines():
            assert not line.lstrip().startswith(("def ", "class ")), "logic belongs in sivreg"
            if line.startswith(("import ", "from ")):
                assert line.split()[1].split(".")[0] in ("sivreg", "pandas", "IPython", "typing"), line


def test_the_packaged_dashboard_is_the_repository_notebook():
    """`sivreg dashboard` serves sivreg/notebooks/dashboard.ipynb (installed with the package)."""
    packaged = ROOT / "sivreg" / "notebooks" / "dashboard.ipynb"
    assert packaged.read_bytes() == (NOTEBOOKS / "dashboard.ipynb").read_bytes()


def test_report_parameters_are_the_portfolio_interface():
    nb = read("report.ipynb")
    cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    from papermill.translators import PythonTranslator
    names = [p.name for p in PythonTranslator.inspect(cell)]
    assert names == ["project_file", "as_of", "scenario", "lang", "result_json"]


def _run(name, tmp_path, **params):
    out = tmp_path / f"out-{name}"
    pm.execute_notebook(str(NOTEBOOKS / name), str(out), parameters=params, kernel_name="python3",
                        cwd=str(NOTEBOOKS), progress_bar=False, start_timeout=120)
    return nbformat.read(out, as_version=4)


def _html_outputs(nb) -> str:
    return "\n".join(o.get("data", {}).get("text/html", "") if isinstance(o.get("data", {}).get("text/html", ""), str)
                     else "".join(o["data"]["text/html"])
                     for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def _cli_json(project_file, lang, as_of=AS_OF, scenario=None):
    cmd = [sys.executable, "-m", "sivreg.cli", "assess", str(project_file), "--format", "json",
           "--lang", lang, "--as-of", as_of]
    if scenario:
        cmd += ["--scenario", scenario]
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert r.returncode == 0, r.stderr
    return r.stdout


@pytest.mark.parametrize("example, lang", [("sepsis-icu", "nb"), ("pathology-prostate", "en"),
                                           ("ehr-renal-dosing", "en")])
def test_report_json_equals_the_cli(example, lang, tmp_path):
    project_file = ROOT / "parameters" / f"{example}.yaml"
    result_json = tmp_path / "result.json"
    nb = _run("report.ipynb", tmp_path, project_file=str(project_file), as_of=AS_OF, scenario=None,
              lang=lang, result_json=str(result_json))
    assert result_json.read_text(encoding="utf-8") == _cli_json(project_file, lang)
    html = _html_outputs(nb)
    title = json.loads(result_json.read_text(encoding="utf-8"))["project"]["title"]
    assert title.replace("&", "&amp;") in html and ("Konklusjoner" if lang == "nb" else "Verdicts") in html


def test_report_with_a_scenario(tmp_path):
    import sivreg
    scenarios = list(sivreg.rulebook().scenarios)
    if len(scenarios) < 2:
        pytest.skip("only one scenario in the rulebook")
    project_file = ROOT / "parameters" / "sepsis-icu.yaml"
    result_json = tmp_path / "result.json"
    _run("report.ipynb", tmp_path, project_file=str(project_file), as_of=AS_OF, scenario=scenarios[-1],
         lang="nb", result_json=str(result_json))
    assert result_json.read_text(encoding="utf-8") == _cli_json(project_file, "nb", scenario=scenarios[-1])


def test_report_without_result_json_writes_nothing(tmp_path):
    nb = _run("report.ipynb", tmp_path, project_file=str(ROOT / "parameters" / "wellness-chatbot.yaml"),
              as_of=AS_OF, lang="en")
    assert "Verdicts" in _html_outputs(nb)
    assert not list(tmp_path.glob("*.json"))


@pytest.mark.parametrize("name", TOPIC_NOTEBOOKS)
def test_topic_notebooks_run_with_an_example(name, tmp_path):
    import sivreg
    project_file = ROOT / "parameters" / "radiology-lung-nodules.yaml"
    nb = _run(name, tmp_path, project_file=str(project_file), as_of=AS_OF, lang="nb")
    html = _html_outputs(nb)
    topics = next(c.source for c in nb.cells if "TOPICS =" in c.source)
    a = sivreg.assess(sivreg.load(project_file), as_of=AS_OF, lang="nb")
    for topic in a.outcomes:
        if f"'{topic}'" in topics:
            assert f'data-topic="{topic}"' in html
            assert sivreg.rulebook().text(f"topic.{topic}", "nb") in html
    # the explorer widget is there for trying other answers
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for c in nb.cells if c.cell_type == "code" for o in c.outputs)


def test_dashboard_notebook_runs_with_an_example(tmp_path):
    nb = _run("dashboard.ipynb", tmp_path, project_file=str(ROOT / "parameters" / "sepsis-icu.yaml"),
              lang="en", as_of=AS_OF)
    assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
               for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "metadata" in nb and "widgets" in nb.metadata  # the page's widget state was saved


def test_nbval_runs_every_notebook(tmp_path):
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    r = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "--nbval-current-env", "-q",
                        "-p", "no:cacheprovider", "-p", "no:randomly", "--rootdir", str(tmp_path),
                        "-c", os.devnull, *[str(NOTEBOOKS / n) for n in ALL]],
                       capture_output=True, text=True, cwd=NOTEBOOKS, env=env, timeout=600)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-2000:]
    assert "passed" in r.stdout and "failed" not in r.stdout


def test_papermill_reads_every_parameter_of_every_notebook():
    """`papermill --help-notebook` lists each parameter (a comment with '=' or a `X | None`
    annotation would make papermill skip the line and warn "unknown parameter")."""
    from papermill.translators import PythonTranslator

    for path in sorted(NOTEBOOKS.glob("*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        cell = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
        assigned = [l.split(":")[0].split("=")[0].strip() for l in cell.source.splitlines()
                    if l and not l.startswith(("#", "from ", "import ")) and ("=" in l)]
        found = [p.name for p in PythonTranslator.inspect(cell)]
        assert found == assigned, f"{path.name}: papermill sees {found}, the cell sets {assigned}"
