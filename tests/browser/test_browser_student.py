"""The student's side in a real browser: the student edition in JupyterLab, as `make lab` serves it.

JupyterLab serves a folder made by ``course_lib.workspace.sync`` (the student's ``work/``: every exercise
unfinished). One notebook with exercises before its MNIST section and its main widget is opened, Run All
runs **every** code cell (the exercises' cells show their errors, tagged ``raises-exception``, and the rest
goes on), the main widget still moves, and the "Check my work" button checks the saved notebook and shows
every exercise as not done yet.
"""
from __future__ import annotations

import urllib.request
from pathlib import Path

import pytest

import labdriver
from course_lib import workspace
from course_lib.grading import cells as C

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOK = "03_forward_pass.ipynb"   # exercises first, then MNIST, the digit browser and the check button


@pytest.fixture(scope="module")
def student_lab(chromium_path, tmp_path_factory):
    work = tmp_path_factory.mktemp("work")
    workspace.sync(ROOT / "notebooks", work)
    server = labdriver.LabServer(notebooks=work).start()
    yield server
    problems = server.stop()
    assert not problems, f"JupyterLab did not shut down cleanly: {problems}"


def _saved(server, name):
    return server.api("GET", f"/api/contents/{urllib.request.quote(name)}?content=1&type=notebook")["content"]


def test_run_all_reaches_the_end_of_an_unfinished_student_notebook(student_lab, lab_page):
    page = lab_page[-1]
    try:
        result = labdriver.check_widget_notebook(page, student_lab, NOTEBOOK)
        print(result.describe())
        saved = _saved(student_lab, NOTEBOOK)
        code = [c for c in saved["cells"] if c["cell_type"] == "code"]
        not_run = [i for i, c in enumerate(code) if c.get("execution_count") is None]
        assert not not_run, f"Run All left code cells {not_run} of {len(code)} without an execution count"
        failed = [i for i, c in enumerate(code) if any(o.get("output_type") == "error" for o in c["outputs"])]
        untagged = [i for i in failed if "raises-exception" not in code[i]["metadata"].get("tags", [])]
        assert not untagged, f"cells that are neither exercises nor common mistakes raised: {untagged}"
        tests = [i for i, c in enumerate(code) if C.is_test(c)]
        assert tests and set(tests) <= set(failed), "an unfinished exercise's test cell showed no error"
        assert not result.errors, result.describe()
        assert result.changed, "the digit browser did not react after Run All on the student edition"

        # The "Check my work" button: it checks the saved file (check_widget_notebook saved it after Run All)
        index = next(i for i, c in enumerate(saved["cells"]) if "check_my_work(" in "".join(c["source"]))
        page.evaluate(labdriver._JS_MARK_CELL, index)
        cell = page.locator('[data-course-main-widget="1"]')
        cell.get_by_role("button", name="Check my work").click()
        table = cell.locator("table")
        table.wait_for(state="visible", timeout=120_000)
        text = table.inner_text()
        exercises = [C.grade_id(c) for c in code if C.is_test(c)]
        assert exercises and all(gid in text for gid in exercises), text
        assert text.count("NOT DONE") == len(exercises), text
        cell.screenshot(path=str(labdriver.SCREENSHOTS / "03_forward_pass_student_check.png"))
    finally:
        labdriver.close_notebook(page, student_lab, NOTEBOOK)
