"""Student versions of the notebooks, made by nbgrader's own preprocessors (used as a library).

``student_version(nb)`` runs the same preprocessors, in the same order, as ``nbgrader
generate_assignment`` -- lock the cells, replace solution regions by ``raise
NotImplementedError()``, clear outputs, compute checksums, remove hidden tests and mark schemes,
checksums again -- minus the two that need a gradebook database (``SaveCells``) or nbgrader's
templated tests (``InstantiateTests``, unused here). So the release needs no course directory and
no database, and is identical to what nbgrader's exchange would hand out (``nbgrader_config.py``
maps the same layout for instructors who use nbgrader's own commands on a JupyterHub).

Each notebook is its own nbgrader assignment, named after it: ``release()`` writes
``release/<notebook>/<notebook>.ipynb`` (what ``nbgrader release_assignment <notebook>`` hands out), and
``link_sources()`` makes ``source/<notebook>/<notebook>.ipynb`` a link to ``notebooks/<notebook>.ipynb`` (so
that nbgrader's formgrader lists the lessons; the notebooks themselves stay where they are).
"""
from __future__ import annotations

import copy
import os
import shutil
from pathlib import Path

import nbformat

from . import cells as C


def student_version(nb):
    from nbgrader.preprocessors import (CheckCellMetadata, ClearHiddenTests, ClearMarkScheme, ClearOutput,
                                        ClearSolutions, ComputeChecksums, LockCells)
    nb = nbformat.from_dict(copy.deepcopy(nb))
    resources: dict = {}
    stub = {"python": C.STUB}
    pipeline = [LockCells(), ClearSolutions(code_stub=stub), ClearOutput(), CheckCellMetadata(),
                ComputeChecksums(), ClearHiddenTests(), ClearMarkScheme(), ComputeChecksums(), CheckCellMetadata()]
    for pp in pipeline:
        nb, resources = pp.preprocess(nb, resources)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.execution_count = None
            cell.outputs = []
            if C.is_solution(cell) or C.is_test(cell):
                tag_raises_exception(cell)
    problems = leaks(nb)
    if problems:  # never hand out a solution by accident
        raise ValueError("the student version still contains: " + "; ".join(problems))
    return nb


def tag_raises_exception(cell) -> None:
    """Tag an exercise cell ``raises-exception``: JupyterLab's Run All (and nbclient) go on past its error.

    In the student edition a solution cell raises ``NotImplementedError`` until it is done and a test cell
    fails until the solution is right; the failure shows in the exercise's own cells, and the rest of the
    notebook still runs (no other cell calls the student's code: docs/style.md).
    """
    tags = cell.metadata.setdefault("tags", [])
    if "raises-exception" not in tags:
        tags.append("raises-exception")


def leaks(nb) -> list[str]:
    """Solution or hidden-test markers left in a notebook meant for students."""
    found = []
    for i, cell in enumerate(nb.cells):
        t = C.text(cell)
        for marker in (C.BEGIN_SOLUTION, C.END_SOLUTION, C.BEGIN_HIDDEN, C.END_HIDDEN):
            if marker in t:
                found.append(f"cell {i}: {marker}")
    return found


def release(paths, out_dir) -> list[Path]:
    """Write the student version of every notebook in ``paths`` to ``out_dir/<stem>/<stem>.ipynb``."""
    written = []
    for p in map(Path, paths):
        nb = student_version(C.read(p))
        dest = Path(out_dir) / p.stem / p.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        tmp = dest.with_name(f".{dest.name}.tmp")
        nbformat.write(nb, str(tmp))
        os.replace(tmp, dest)
        written.append(dest)
    return written


def link_sources(paths, source_dir) -> list[Path]:
    """``source_dir/<stem>/<stem>.ipynb`` -> the notebook (a relative link): nbgrader's source layout."""
    made = []
    for p in map(Path, paths):
        link = Path(source_dir) / p.stem / p.name
        link.parent.mkdir(parents=True, exist_ok=True)
        target = os.path.relpath(p.resolve(), link.parent.resolve())
        if link.is_symlink() and os.readlink(link) == target:
            made.append(link)
            continue
        if link.is_symlink() or link.exists():
            link.unlink()
        try:
            link.symlink_to(target)
        except OSError:   # no symbolic links here (Windows without the privilege): a copy
            shutil.copyfile(p, link)
        made.append(link)
    return made
