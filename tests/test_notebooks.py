"""The example notebooks (examples/notebooks/*.ipynb) run top to bottom, show LaTeX and figures, and are
committed without outputs.

Each notebook is executed in a fresh kernel with nbclient; a cell that raises fails the test (the notebooks
assert what they show).  The executed copy is checked for at least one ``text/latex`` output (a result's
``_repr_latex_``) and at least one ``image/png`` figure.
"""

import glob
import os

import nbformat
import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FOLDER = os.path.join(ROOT, "examples", "notebooks")
NOTEBOOKS = sorted(glob.glob(os.path.join(FOLDER, "*.ipynb")))
EXPECTED = {"tour", "hessian_recursion", "paths", "deep_linear", "shen", "milne", "pl_landscape"}


def _name(path):
    return os.path.splitext(os.path.basename(path))[0]


def test_the_notebooks_are_there():
    assert EXPECTED <= {_name(p) for p in NOTEBOOKS}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_committed_without_outputs(path):
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code
    assert all(c.outputs == [] and c.execution_count is None for c in code)


def _mimes(nb):
    return {m for c in nb.cells if c.cell_type == "code" for o in c.outputs for m in o.get("data", {})}


@pytest.mark.slow  # a fresh kernel per notebook: about 5 s each on an idle machine (imports included)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=_name)
def test_runs_top_to_bottom(path, tmp_path):
    from nbclient import NotebookClient
    nb = nbformat.read(path, as_version=4)
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert errors == []
    assert all(c.execution_count for c in nb.cells if c.cell_type == "code")
    mimes = _mimes(nb)
    assert "text/latex" in mimes, "no LaTeX display"
    assert "image/png" in mimes, "no figure"
