"""The student edition runs to the end under JupyterLab's Run-All rule, whatever state the exercises are in.

JupyterLab's Run All stops at the first cell that raises unless the cell is tagged ``raises-exception``;
nbclient with ``allow_errors=False`` applies the same rule. Each student notebook is run three times:
with every exercise unfinished (as released), half done (every other exercise answered with the
instructor's solution) and finished. Every code cell must get an execution count, and only the exercises'
own cells may show an error (plus the common-mistake cells that raise on purpose in the source too).
"""
from __future__ import annotations

import copy
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import cells as C
from course_lib.grading.release import student_version

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
STATES = ("unfinished", "half_done", "finished")

pytestmark = pytest.mark.grading


def answered(student_nb, source_nb, which) -> "nbformat.NotebookNode":
    """The student edition with the solution cells whose grade_id is in ``which`` answered as in the source."""
    nb = copy.deepcopy(student_nb)
    solutions = {C.grade_id(c): c for c in source_nb.cells if C.is_solution(c)}
    for cell in nb.cells:
        gid = C.grade_id(cell)
        if gid in which:
            lines = C.text(solutions[gid]).splitlines()
            cell.source = "\n".join(l for l in lines if C.BEGIN_SOLUTION not in l and C.END_SOLUTION not in l)
    return nb


def edition(path, state):
    source = C.read(path)
    student = student_version(source)
    ids = [C.grade_id(c) for c in source.cells if C.is_solution(c)]
    which = {"unfinished": set(), "half_done": set(ids[::2]), "finished": set(ids)}[state]
    return answered(student, source, which)


def run_all(nb, folder):
    """Run All as JupyterLab does: stop at an error unless the cell is tagged raises-exception."""
    from nbclient import NotebookClient

    NotebookClient(nb, timeout=120, kernel_name="python3", allow_errors=False,
                   resources={"metadata": {"path": str(folder)}}).execute()
    return nb


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_run_all_reaches_the_end(path, state):
    nb = run_all(edition(path, state), path.parent)
    code = [c for c in nb.cells if c.cell_type == "code"]
    not_run = [i for i, c in enumerate(code) if c.execution_count is None]
    assert not not_run, f"Run All stopped: code cells {not_run} never ran"
    source_raises = {i for i, c in enumerate(c for c in C.read(path).cells if c.cell_type == "code")
                     if "raises-exception" in c.metadata.get("tags", [])}
    errors = {i: next(o for o in c.outputs if o.output_type == "error") for i, c in enumerate(code)
              if any(o.output_type == "error" for o in c.outputs)}
    outside = {i: f"{o.ename}: {o.evalue}"[:200] for i, o in errors.items()
               if i not in source_raises and not (C.is_solution(code[i]) or C.is_test(code[i]))}
    assert not outside, f"cells outside the exercises failed: {outside}"
    if state == "finished":
        failed = {C.grade_id(code[i]): f"{o.ename}: {o.evalue}"[:300] for i, o in errors.items() if C.is_test(code[i])}
        assert not failed, f"the instructor's solutions fail the visible tests: {failed}"
    if state == "unfinished":
        tests = [c for c in code if C.is_test(c)]
        assert all(any(o.output_type == "error" for o in c.outputs) for c in tests), \
            "an unanswered exercise passed its visible tests"
