"""Load the grader's scores into nbgrader's gradebook, for instructors who use nbgrader's formgrader.

    python -m course_lib.grading gradebook DIR [--db gradebook.db] [--source notebooks]

Reads ``DIR/grading_details.json`` (the per-exercise scores behind ``DIR/grades.csv``, written by ``grade``) and
writes them through nbgrader's own API (``nbgrader.api.Gradebook``): each notebook is an assignment of its own
name with one notebook and one grade cell per test cell (as ``nbgrader generate_assignment`` would record them);
each student gets a submission whose grade cells carry the grader's scores as ``auto_score``. Loading again
updates the same entries. Formgrader then lists the lessons, the students and their scores.
"""
from __future__ import annotations

import csv
import json
import os
import sys
import warnings
from pathlib import Path

from . import cells as C


def load(folder, source_dir, db: str, course_id: str = "nn-from-scratch") -> int:
    """Write the scores of ``folder`` into the gradebook ``db`` (a file or a URL); returns the rows loaded."""
    from nbgrader.api import Gradebook, MissingEntry

    folder, source_dir = Path(folder), Path(source_dir)
    details = json.loads((folder / "grading_details.json").read_text(encoding="utf-8"))
    with open(folder / "grades.csv", newline="", encoding="utf-8") as f:
        csv_scores = {(r["student"], r["notebook"]): r["score"] for r in csv.DictReader(f)}
    rows = details["grades"]
    for row in rows:   # the two files belong together
        if csv_scores.get((_csv(row["student"]), row["notebook"])) != row["score"]:
            raise ValueError(f"grades.csv and grading_details.json disagree on {row['student']}/{row['notebook']}: "
                             "load the files of one grading run")
    url = db if "://" in db else f"sqlite:///{Path(db).resolve()}"
    # nbgrader runs the `alembic` command of its environment when it creates a database
    os.environ["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
    with warnings.catch_warnings(), Gradebook(url, course_id=course_id) as gb:
        warnings.filterwarnings("ignore", module="sqlalchemy")   # nbgrader's own session handling (SAWarning)
        warnings.filterwarnings("ignore", message="Object of type")
        for notebook in sorted({r["notebook"] for r in rows}):
            source = C.read(source_dir / f"{notebook}.ipynb")
            gb.update_or_create_assignment(notebook)
            gb.update_or_create_notebook(notebook, notebook)
            for cell in C.test_cells(source):
                gb.update_or_create_grade_cell(C.grade_id(cell), notebook, notebook, max_score=C.points(cell),
                                               cell_type="code")
        for row in rows:
            student, notebook = row["student"], row["notebook"]
            gb.update_or_create_student(student)
            try:
                gb.find_submission(notebook, student)
            except MissingEntry:
                gb.add_submission(notebook, student)
            scores = {t["grade_id"]: float(t["points"]) for t in row.get("tests", [])}
            for cell in gb.find_notebook(notebook, notebook).grade_cells:
                grade = gb.find_grade(cell.name, notebook, notebook, student)
                grade.auto_score = scores.get(cell.name, 0.0)
                grade.needs_manual_grade = False
            gb.db.commit()
    return len(rows)


def _csv(value: str) -> str:
    from .grade import csv_cell
    return csv_cell(value)
