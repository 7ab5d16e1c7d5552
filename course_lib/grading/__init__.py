"""Graded exercises: release, self-check, autograde with integrity checks, feedback.

    python -m course_lib.grading release            # student versions -> release/notebooks/
    python -m course_lib.grading validate NOTEBOOK  # self-check; exit 1 when a graded test fails
    python -m course_lib.grading grade DIR          # DIR/<student>/<notebook>.ipynb -> DIR/grades.csv

Modules: ``cells`` (nbgrader cell format, restoring a submission), ``release`` (nbgrader's
preprocessors as a library), ``kernel`` (bounded kernels via nbclient), ``harness`` (in-kernel
probes), ``program`` (the normal and the clean run), ``static`` (code that tampers with the
grader), ``grade`` (the pipeline and the CSV), ``feedback`` (HTML without hidden tests),
``validate`` (the self-check). The instructor's guide is docs/instructors.md.
"""
from .grade import COLUMNS, CalibrationError, Grade, Settings, grade_folder
from .release import release, student_version
from .validate import check_notebook

__all__ = ["COLUMNS", "CalibrationError", "Grade", "Settings", "grade_folder", "release", "student_version",
           "check_notebook"]
