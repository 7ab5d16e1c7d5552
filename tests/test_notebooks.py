"""Every notebook is clean, executed in order and shaped like a lesson (docs/style.md).

nbval (run by `make test` on notebooks/) re-executes each notebook and compares outputs; this file
checks what nbval does not: hygiene, structure, and that the graded exercises are well formed.
"""
import json
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import nbtool  # noqa: E402

EXPECTED = [
    "00_start_here", "01_perceptron", "02_activation_functions", "03_forward_pass", "04_loss_functions",
    "05_numerical_gradient", "06_backpropagation", "07_training_mnist",
]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
LESSONS = [p for p in NOTEBOOKS if not p.name.startswith("00_")]


def test_the_course_has_all_its_notebooks():
    assert [p.stem for p in NOTEBOOKS] == EXPECTED


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean_and_executed(path):
    assert nbtool.problems(path) == []


def _cells(path):
    return nbformat.read(path, as_version=4).cells


def _text(cell):
    return cell.source if isinstance(cell.source, str) else "".join(cell.source)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_structure(path):
    cells = _cells(path)
    first = _text(cells[0]).lower()
    assert cells[0].cell_type == "markdown" and "goal" in first, "first cell: title and learning goals"
    md = "\n".join(_text(c).lower() for c in cells if c.cell_type == "markdown")
    assert "summary" in md
    tags = [t for c in cells for t in c.metadata.get("tags", [])]
    assert tags.count("main-widget") == 1, "exactly one cell tagged main-widget"
    for c in cells:  # removed NumPy aliases appear only in cells that show the error on purpose
        if c.cell_type == "code" and "raises-exception" not in c.metadata.get("tags", []):
            for alias in ("np.int)", "np.float)", "np.bool)", "np.int,", "np.float,"):
                assert alias not in _text(c), f"removed NumPy alias {alias[:-1]} in a cell that should run"


@pytest.mark.parametrize("path", LESSONS, ids=lambda p: p.stem)
def test_lesson_has_common_mistakes_and_graded_exercises(path):
    cells = _cells(path)
    md = "\n".join(_text(c).lower() for c in cells if c.cell_type == "markdown")
    assert "common mistake" in md
    graded = [c for c in cells if c.metadata.get("nbgrader", {}).get("grade")]
    solutions = [c for c in cells if c.metadata.get("nbgrader", {}).get("solution")]
    assert len(graded) >= 3, "at least three graded exercises"
    assert len(solutions) >= 3
    for c in graded:
        meta = c.metadata["nbgrader"]
        assert meta["locked"] and meta["points"] > 0 and meta["grade_id"]
        assert "### BEGIN HIDDEN TESTS" in _text(c) and "### END HIDDEN TESTS" in _text(c)
        assert "assert" in _text(c).split("### BEGIN HIDDEN TESTS")[0], "visible asserts before the hidden ones"
    for c in solutions:
        assert "### BEGIN SOLUTION" in _text(c) and "### END SOLUTION" in _text(c)


def test_grade_ids_are_unique_across_the_course():
    ids = [c.metadata["nbgrader"]["grade_id"] for p in NOTEBOOKS for c in _cells(p) if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), sorted(i for i in ids if ids.count(i) > 1)


def test_nbtool_check_catches_a_dirty_notebook(tmp_path):
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("print(1)")
    cell.metadata["collapsed"] = True
    cell.execution_count = 3
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text="/work/x\n")]
    nb.cells = [cell, nbformat.v4.new_code_cell("2")]
    nb.metadata["widgets"] = {"state": {}}
    p = tmp_path / "dirty.ipynb"
    nbformat.write(nb, p)
    found = nbtool.problems(p)
    assert any("not clean" in f for f in found)
    assert any("unexecuted" in f for f in found)
    assert any("machine path" in f for f in found)
    cleaned = nbtool.clean(nb)
    assert "widgets" not in cleaned.metadata and cleaned.cells[0].metadata == {}
    assert cleaned.cells[0].execution_count == 1
