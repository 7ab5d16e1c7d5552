"""The student's working copies in work/ (course_lib.workspace, what `make lab` runs)."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib import workspace
from course_lib.grading import cells as C

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
SMALL = [p for p in NOTEBOOKS if p.stem.startswith(("00_", "01_"))]   # enough for the update rules


@pytest.fixture
def course(tmp_path):
    src = tmp_path / "notebooks"
    src.mkdir()
    for p in SMALL:
        shutil.copy(p, src)
    return src, tmp_path / "work"


def _edit(path: Path, text: str) -> None:
    nb = nbformat.read(path, as_version=4)
    cell = next(c for c in nb.cells if C.is_solution(c))
    cell.source = text
    nbformat.write(nb, path)


def _course_update(path: Path, text: str) -> None:
    nb = nbformat.read(path, as_version=4)
    nb.cells.insert(1, nbformat.v4.new_markdown_cell(text))
    nbformat.write(nb, path)


def test_the_first_sync_writes_the_student_edition_of_every_notebook(tmp_path):
    work = tmp_path / "work"
    said = workspace.sync(ROOT / "notebooks", work)
    assert sorted(p.name for p in work.glob("*.ipynb")) == [p.name for p in NOTEBOOKS]
    assert len(said) == len(NOTEBOOKS) and all(s.startswith("new: ") for s in said)
    for p in NOTEBOOKS:
        text = (work / p.name).read_text()
        for marker in (C.BEGIN_SOLUTION, C.END_SOLUTION, C.BEGIN_HIDDEN, C.END_HIDDEN):
            assert marker not in text, f"{p.name}: {marker}"
        source = C.read(p)
        student = C.read(work / p.name)
        for cell in source.cells:
            if C.is_solution(cell):  # the solution's own lines are gone
                body = C.text(cell).split(C.BEGIN_SOLUTION)[1].split(C.END_SOLUTION)[0]
                solution_lines = [l.strip() for l in body.splitlines() if len(l.strip()) > 12]
                mine = next(C.text(c) for c in student.cells if C.grade_id(c) == C.grade_id(cell))
                assert not [l for l in solution_lines if l in mine], f"{p.name}: solution code in the student copy"
            if C.is_test(cell):
                visible, hidden = C.split_hidden(C.text(cell))
                theirs = next(C.text(c) for c in student.cells if C.grade_id(c) == C.grade_id(cell))
                only_hidden = [l for l in hidden.splitlines() if len(l.strip()) > 12 and l not in visible]
                assert not [l for l in only_hidden if l in theirs], f"{p.name}: hidden test in the copy"


def test_a_students_edit_survives_a_second_sync_and_a_course_update(course):
    src, work = course
    workspace.sync(src, work)
    mine = work / "01_perceptron.ipynb"
    _edit(mine, "# my answer\nw1, w2, b = 0.5, 0.5, -0.2")
    before = mine.read_bytes()
    assert workspace.sync(src, work) == []                    # nothing changed in the course: nothing to say
    assert mine.read_bytes() == before

    _course_update(src / "01_perceptron.ipynb", "A correction from the lecturer.")
    said = workspace.sync(src, work)
    assert mine.read_bytes() == before, "a course update overwrote the student's work"
    update = work / "course_updates" / "01_perceptron.ipynb"
    assert "A correction from the lecturer." in update.read_text()
    assert len(said) == 1 and "kept your work/01_perceptron.ipynb" in said[0] and "course_updates" in said[0]
    assert workspace.sync(src, work) == []                    # said once, not at every start


def test_an_untouched_notebook_takes_the_course_update(course):
    src, work = course
    workspace.sync(src, work)
    _course_update(src / "00_start_here.ipynb", "A new paragraph.")
    said = workspace.sync(src, work)
    assert said == ["updated: work/00_start_here.ipynb (you had not changed it)"]
    assert "A new paragraph." in (work / "00_start_here.ipynb").read_text()


def test_a_notebook_new_in_the_course_is_added_and_announced(course):
    src, work = course
    workspace.sync(src, work)
    _edit(work / "01_perceptron.ipynb", "w1, w2, b = 1, 1, -1.5")
    before = (work / "01_perceptron.ipynb").read_bytes()
    shutil.copy(ROOT / "notebooks" / "02_activation_functions.ipynb", src)
    said = workspace.sync(src, work)
    assert said == ["new: work/02_activation_functions.ipynb"]
    assert (work / "01_perceptron.ipynb").read_bytes() == before
    manifest = json.loads((work / workspace.MANIFEST).read_text())
    assert set(manifest) == {p.name for p in src.glob("*.ipynb")}


def test_a_deleted_copy_comes_back_fresh(course):
    src, work = course
    workspace.sync(src, work)
    (work / "01_perceptron.ipynb").unlink()
    assert workspace.sync(src, work) == ["new: work/01_perceptron.ipynb"]


def test_the_solution_is_there_on_request_only(course):
    src, work = course
    workspace.sync(src, work)
    assert not (work / "solutions").exists()
    target = workspace.solution("01", src, work)
    assert target == work / "solutions" / "01_perceptron.ipynb"
    assert C.BEGIN_SOLUTION in target.read_text()
    with pytest.raises(FileNotFoundError, match="the notebooks are: 00_start_here, 01_perceptron"):
        workspace.solution("42", src, work)


def test_the_command_line_says_what_it_did(tmp_path):
    out = subprocess.run([sys.executable, "-m", "course_lib.workspace", "solution", "nope"],
                         capture_output=True, text=True, cwd=tmp_path)
    assert out.returncode == 2 and "no notebook called 'nope'" in out.stderr
