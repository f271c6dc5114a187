"""Helpers for the researchers' notebooks (notebooks/qualification_classification.ipynb,
clinical_investigation.ipynb, ai_act.ipynb): they run from the repository root
(`papermill notebooks/ai_act.ipynb out.ipynb`) as well as from notebooks/ (JupyterLab).
"""
from __future__ import annotations

from pathlib import Path

CHECKOUT = Path(__file__).resolve().parent.parent.parent  # the repository, for an editable install


def find_project_file(name: str | Path, start: str | Path | None = None) -> Path:
    """Where an answers file given as a relative path is: the working folder, else the
    nearest folder above it that has it (so `parameters/x.yaml` is found from notebooks/
    too), else the sivreg checkout. An absolute path, or one found nowhere, is returned as
    given (loading it then says that it does not exist)."""
    path = Path(name)
    if path.is_absolute():
        return path
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents, CHECKOUT):
        if (folder / path).is_file():
            return (folder / path).resolve()
    return path


def load_project(name: str | Path, start: str | Path | None = None):
    """`sivreg.load` of `find_project_file(name)`."""
    from ..io import load
    return load(find_project_file(name, start))
