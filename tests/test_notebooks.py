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
    "05_numerical_gradient", "06_backpropagation", "07_training_mnist", "08_overfitting",
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


# ---------------------------------------------------------------- the rules the grader and the student edition need
import ast  # noqa: E402
import builtins  # noqa: E402

from course_lib.grading import cells as C  # noqa: E402


def _python(cell) -> str:
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(_text(cell))


def _imported(nb) -> set:
    """Names bound by the import statements of the notebook's non-exercise cells."""
    names = set()
    for c in nb.cells:
        if c.cell_type != "code" or C.is_solution(c) or C.is_test(c):
            continue
        for node in ast.walk(ast.parse(_python(c))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                names |= {a.asname or a.name.split(".")[0] for a in node.names}
    return names


def _solution_names(nb) -> set:
    """Names that the solution cells define at top level: the student's."""
    names = set()
    for c in nb.cells:
        if C.is_solution(c):
            for node in ast.parse(_python(c)).body:
                if isinstance(node, (ast.FunctionDef, ast.ClassDef)):
                    names.add(node.name)
                elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                    names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _defined_in(tree) -> set:
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
        elif isinstance(node, (ast.FunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names |= {a.asname or a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ExceptHandler) and node.name:
            names.add(node.name)
    return names


GRADED = [p for p in NOTEBOOKS if C.has_tests(C.read(p))]


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.stem)
def test_test_cells_use_only_imports_and_the_students_names(path):
    """docs/style.md: the grader runs test cells in a trusted process that has the notebook's imports and
    proxies for the names the solution cells define -- nothing from the demo cells."""
    nb = C.read(path)
    allowed = _imported(nb) | _solution_names(nb) | set(dir(builtins))
    problems = {}
    for c in nb.cells:
        if C.is_test(c):
            tree = ast.parse(_python(c))
            used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
            extra = used - allowed - _defined_in(tree)
            if extra:
                problems[C.grade_id(c)] = sorted(extra)
    assert not problems, f"test cells use names from demo cells (create them inside the test): {problems}"


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.stem)
def test_no_cell_outside_the_exercises_calls_the_students_code(path):
    """docs/style.md: in the student edition a cell that calls an unfinished exercise would stop Run All."""
    nb = C.read(path)
    student = _solution_names(nb)
    shadowed = student & _imported(nb)
    assert not shadowed, f"names both defined by a solution cell and imported: {sorted(shadowed)}"
    problems = {}
    for i, c in enumerate(nb.cells):
        if c.cell_type != "code" or C.is_solution(c) or C.is_test(c):
            continue
        if "raises-exception" in c.metadata.get("tags", []):
            continue
        tree = ast.parse(_python(c))
        used = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}
        calls = (used & student) - _defined_in(tree)
        if calls:
            problems[i] = sorted(calls)
    assert not problems, f"cells (by index) that use a name a student defines: {problems}"


STUDENT_NOTEBOOKS = [p for p in NOTEBOOKS if not p.stem.startswith("A")]
INFRASTRUCTURE = ("nbval", "pytest", "make bench", "bench/", "results.json", "openblas",
                  "2-core", "our machine", "branch predict")


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_lessons_carry_no_infrastructure_text(path):
    """Engineering details live in the appendix (A1_speed), not in the lessons."""
    found = {}
    for i, c in enumerate(_cells(path)):
        low = _text(c).lower()
        hits = [w for w in INFRASTRUCTURE if w in low]
        if hits:
            found[i] = hits
    assert not found, f"cells (by index) with infrastructure words: {found}"
