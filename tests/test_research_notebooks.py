"""The researchers' notebooks run with their defaults from the repository root
(`papermill notebooks/<name>.ipynb out.ipynb`) and from notebooks/ (JupyterLab's working
folder), in bokmål by default (issue 12, item 7)."""
from __future__ import annotations

import nbformat
import papermill as pm
import pytest

import sivreg
from conftest import ROOT
from sivreg.views.research import find_project_file

pytestmark = pytest.mark.notebook
RESEARCH = ["qualification_classification.ipynb", "clinical_investigation.ipynb", "ai_act.ipynb"]


@pytest.mark.parametrize("name, cwd", [(RESEARCH[0], ROOT), (RESEARCH[1], ROOT / "notebooks"),
                                       (RESEARCH[2], ROOT)])
def test_runs_with_its_defaults(name, cwd, tmp_path):
    out = tmp_path / name
    pm.execute_notebook(str(ROOT / "notebooks" / name), str(out), kernel_name="python3", cwd=str(cwd),
                        progress_bar=False, start_timeout=120)
    nb = nbformat.read(out, as_version=4)
    html = "\n".join("".join(o.get("data", {}).get("text/html", "")) for c in nb.cells if c.cell_type == "code"
                     for o in c.outputs)
    book = sivreg.rulebook()
    topic = {"qualification_classification.ipynb": "qualification", "clinical_investigation.ipynb":
             "clinical_investigation", "ai_act.ipynb": "ai_act_risk"}[name]
    assert book.text(f"topic.{topic}", "nb") in html  # bokmål by default


def test_the_answers_file_is_found_from_the_root_and_from_notebooks(tmp_path):
    target = (ROOT / "parameters" / "sepsis-icu.yaml").resolve()
    assert find_project_file("parameters/sepsis-icu.yaml", ROOT) == target
    assert find_project_file("parameters/sepsis-icu.yaml", ROOT / "notebooks") == target
    assert find_project_file("../parameters/sepsis-icu.yaml", ROOT / "notebooks") == target
    assert find_project_file("parameters/sepsis-icu.yaml", tmp_path) == target  # the checkout, last
    mine = tmp_path / "parameters" / "sepsis-icu.yaml"
    mine.parent.mkdir()
    mine.write_text("x", encoding="utf-8")
    assert find_project_file("parameters/sepsis-icu.yaml", tmp_path) == mine  # the working folder first
    assert find_project_file("no/such.yaml", tmp_path).as_posix() == "no/such.yaml"
