"""Graded exercises: release, self-check, autograde, feedback, and integrity (course_lib.grading).

The expensive round trip runs on synthetic submissions made from a small fixture notebook
(tests/fixtures/grading/01_mini_lesson.ipynb, same nbgrader format as the course): one `grade`
run over a folder of students, each student one scenario, graded in parallel. The checks on the
real notebooks (release and clean run) are parametrized over every notebooks/*.ipynb that has
graded cells, so they grow as notebooks land.
"""
from __future__ import annotations

import asyncio
import csv
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import cells as C
from course_lib.grading import cli
from course_lib.grading.validate import main as validate_main
from course_lib.grading.grade import COLUMNS, Settings, grade_notebook
from course_lib.grading.release import leaks, student_version
from course_lib.grading.static import findings

ROOT = Path(__file__).resolve().parent.parent
FIXTURE_DIR = ROOT / "tests" / "fixtures" / "grading"
FIXTURE = FIXTURE_DIR / "01_mini_lesson.ipynb"
NB_NAME = FIXTURE.stem
TIMEOUT = 6          # seconds per cell in these tests (the machine may be busy)
MEMORY_MB = 1024     # per kernel in these tests
REAL = [p for p in sorted((ROOT / "notebooks").glob("*.ipynb")) if C.has_tests(C.read(p))]

pytestmark = pytest.mark.grading


# ---------------------------------------------------------------- synthetic submissions
def source():
    return C.read(FIXTURE)


def release():
    return student_version(source())


def solution_code(gid):
    return next(C.text(c) for c in source().cells if C.grade_id(c) == gid)


def answer(nb, gid, code):
    """The student writes ``code`` into the solution cell ``gid``."""
    cell = next(c for c in nb.cells if C.grade_id(c) == gid)
    cell.source = code
    return nb


def solved(**overrides):
    """The release, with every exercise answered correctly except those in ``overrides``."""
    nb = release()
    for gid in ("exfx_step", "exfx_sigmoid", "exfx_mse"):
        answer(nb, gid, overrides.get(gid, solution_code(gid)))
    return nb


SIG = 'def sigmoid(x):\n    """Sigmoid."""\n'
STEP = 'def step_function(x):\n    """Step."""\n'
MSE = 'def mean_squared_error(y, t):\n    """MSE."""\n'


def sc_partial():  # step right (1), sigmoid fails only a hidden test (0), mse right (3)
    return solved(exfx_sigmoid=SIG + "    return 1 / (1 + np.exp(-np.clip(x, -10, 10)))")


def sc_loop():  # sigmoid never returns
    return solved(exfx_sigmoid=SIG + "    while True:\n        pass")


def sc_exit():  # mse kills the kernel
    return solved(exfx_mse=MSE + "    import os\n    os._exit(1)")


def sc_memory():  # step_function eats memory until the limit stops it
    return solved(exfx_step=STEP + "    hog = []\n    while True:\n        hog.append(np.ones(5 * 10**7))")


def sc_allclose():  # wrong answers everywhere + the monkeypatch that fooled nbgrader and otter
    return solved(exfx_step="np.allclose = lambda *a, **k: True\n" + STEP + "    return x",
                  exfx_sigmoid=SIG + "    return x", exfx_mse=MSE + "    return 42.0")


def sc_transformer():  # unanswered + an input transformer that blanks every later cell
    nb = release()
    cell = next(c for c in nb.cells if C.grade_id(c) == "exfx_step")
    cell.source = "get_ipython().input_transformers_cleanup.append(lambda lines: [])\n" + C.text(cell)
    return nb


def sc_deftime():  # the monkeypatch hidden in a default argument (runs even in the clean run)
    return solved(exfx_step='def step_function(x, _=setattr(np, "allclose", lambda *a, **k: True)):\n    return x',
                  exfx_sigmoid=SIG + "    return x", exfx_mse=MSE + "    return 42.0")


def sc_deftime_transformer():  # the input transformer registered from a default argument
    return solved(exfx_step=("def step_function(x, _=get_ipython().input_transformers_cleanup.append("
                             "lambda lines: [])):\n    raise NotImplementedError()"),
                  exfx_sigmoid=SIG + "    raise NotImplementedError()", exfx_mse=MSE + "    raise NotImplementedError()")


def sc_deleted():  # all right, but the sigmoid test cell was deleted
    nb = solved()
    nb.cells = [c for c in nb.cells if C.grade_id(c) != "exfx_sigmoid_tests"]
    return nb


def sc_edited():  # mse wrong, and its locked test cell replaced by a test that always passes
    nb = solved(exfx_mse=MSE + "    return float(np.sum((y - t) ** 2))")
    cell = next(c for c in nb.cells if C.grade_id(c) == "exfx_mse_tests")
    cell.source = "assert True"
    return nb


def sc_helper():  # honest: a helper function in a cell of the student's own, used by the answer
    nb = solved(exfx_sigmoid=SIG + "    return _stable_sigmoid(x)")
    pos = next(i for i, c in enumerate(nb.cells) if C.grade_id(c) == "exfx_sigmoid")
    nb.cells.insert(pos, nbformat.v4.new_code_cell(
        "def _stable_sigmoid(x):\n    x = np.asarray(x, dtype=float)\n    return np.exp(-np.logaddexp(0, -x))"))
    return nb


#: student -> (submission, expected score, expected flags)
SCENARIOS = {
    "correct": (solved, "6", ""),
    "untouched": (release, "0", ""),
    "partial": (sc_partial, "4", ""),
    "loop": (sc_loop, "4", "timeout"),
    "exit": (sc_exit, "3", "kernel_died"),
    "memory": (sc_memory, "5", "memory"),
    "allclose": (sc_allclose, "0", "integrity"),
    "transformer": (sc_transformer, "0", "integrity"),
    "deftime": (sc_deftime, "0", "integrity"),
    "deftime_transformer": (sc_deftime_transformer, "0", "integrity"),
    "deleted": (sc_deleted, "6", "missing_cells"),
    "edited": (sc_edited, "3", "modified_cells"),
    "helper": (sc_helper, "6", ""),
}


def grade_cli(folder, source_dir, *extra):
    """``python -m course_lib.grading grade`` (in this process: it saves the interpreter start-up)."""
    return cli.main(["grade", str(folder), "--source", str(source_dir), "--timeout", str(TIMEOUT),
                     "--memory-mb", str(MEMORY_MB), "--jobs", "2", "--quiet", *extra])


def vandal(source_path, csv_path):
    """Unanswered, but overwrites the instructor's tests on disk and writes itself a gradebook."""
    nb = release()
    cell = next(c for c in nb.cells if C.grade_id(c) == "exfx_step")
    fake_csv = f"student,notebook,score,max_score,flags\nvandal,{NB_NAME},6,6,\n"
    cell.source = (f"open({str(source_path)!r}, 'w').write('{{}}')\n"
                   f"open({str(csv_path)!r}, 'w').write({fake_csv!r})\n" + C.text(cell))
    return nb


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    folder = tmp_path_factory.mktemp("submissions")
    source_dir = tmp_path_factory.mktemp("source")
    shutil.copy(FIXTURE, source_dir / FIXTURE.name)
    for student, (make, _, _) in SCENARIOS.items():
        (folder / student).mkdir()
        nbformat.write(make(), str(folder / student / f"{NB_NAME}.ipynb"))
    (folder / "garbled").mkdir()
    (folder / "garbled" / f"{NB_NAME}.ipynb").write_text("{ this is not json")
    (folder / "vandal").mkdir()
    nbformat.write(vandal(source_dir / FIXTURE.name, folder / "grades.csv"), str(folder / "vandal" / f"{NB_NAME}.ipynb"))
    assert grade_cli(folder, source_dir) == 0
    assert (source_dir / FIXTURE.name).read_text() == "{}"  # the vandal did strike while it ran
    with open(folder / "grades.csv", newline="") as f:
        rows = {r["student"]: r for r in csv.DictReader(f)}
    details = {d["student"]: d for d in json.loads((folder / "grading_details.json").read_text())}
    return folder, rows, details


# ---------------------------------------------------------------- the round trip
def test_csv_has_exactly_the_columns_and_one_row_per_student(graded):
    folder, rows, _ = graded
    with open(folder / "grades.csv", newline="") as f:
        assert next(csv.reader(f)) == COLUMNS == ["student", "notebook", "score", "max_score", "flags"]
    assert set(rows) == set(SCENARIOS) | {"garbled", "vandal"}
    assert all(r["notebook"] == NB_NAME and r["max_score"] == "6" for r in rows.values())


@pytest.mark.parametrize("student", list(SCENARIOS))
def test_scenario_gets_its_exact_score_and_flags(graded, student):
    _, rows, details = graded
    _, score, flags = SCENARIOS[student]
    assert (rows[student]["score"], rows[student]["flags"]) == (score, flags), details[student]


def test_cheats_never_get_full_marks_even_though_the_normal_run_does(graded):
    _, rows, details = graded
    for student in ("allclose", "transformer", "deftime", "deftime_transformer"):
        assert rows[student]["score"] != rows[student]["max_score"]
        assert "integrity" in rows[student]["flags"].split(";")
    # the tricks do fool a plain run of the notebook (what nbgrader does): that is why the clean run exists
    assert details["allclose"]["normal_run_score"] == "6"
    assert details["transformer"]["normal_run_score"] == "6"
    assert any("np.allclose" in s for s in details["allclose"]["static"])
    assert any("get_ipython" in s for s in details["transformer"]["static"])
    assert any("numpy.allclose was rebound" in p for p in details["deftime"]["problems"])


def test_an_unreadable_submission_is_flagged_not_silently_zero(graded):
    _, rows, _ = graded
    assert rows["garbled"]["score"] == "0" and rows["garbled"]["flags"] == "unreadable"


def test_restored_cells_are_reported(graded):
    _, _, details = graded
    assert details["deleted"]["missing_cells"] == ["exfx_sigmoid_tests"]
    assert details["edited"]["modified_cells"] == ["exfx_mse_tests"]


def test_feedback_reveals_no_hidden_test(graded):
    folder, _, _ = graded
    hidden = []
    for cell in source().cells:
        if C.is_test(cell):
            hidden += [line.strip() for line in C.split_hidden(C.text(cell))[1].splitlines() if line.strip()]
    assert hidden
    pages = sorted((folder / "feedback").glob("*/*.html"))
    assert len(pages) == len(SCENARIOS) + 2
    for page in pages:
        html = page.read_text()
        assert "HIDDEN TESTS" not in html
        for line in hidden:
            assert line not in html and line.replace('"', "&quot;") not in html, page
        assert "hidden:" not in html and "-1000.0" not in html and "0.0975" not in html, page
    partial = (folder / "feedback" / "partial" / f"{NB_NAME}.html").read_text()
    assert "hidden test failed" in partial and "Score: <b>4 / 6</b>" in partial
    assert "is 0 mapped to 0?" in partial  # the visible tests are shown


def test_feedback_explains_a_visible_failure():
    async def go():
        sub = solved(exfx_mse=MSE + "    return float(np.sum((y - t) ** 2))")
        return await grade_notebook(source(), sub, "s", NB_NAME, Settings(timeout=TIMEOUT, memory_mb=MEMORY_MB),
                                    asyncio.Semaphore(2))
    g = asyncio.run(go())
    mse = next(t for t in g.tests if t.grade_id == "exfx_mse_tests")
    assert (g.score, mse.status) == (3, "failed_visible")
    assert "did you forget the factor 0.5?" in mse.message


def test_grading_twice_gives_the_same_csv_and_feedback(graded, tmp_path):
    """Grade (a copy of) the graded folder again -- its grades.csv, details and feedback/ still in it."""
    folder, rows, _ = graded
    again = tmp_path / "again"
    shutil.copytree(folder, again)
    students = ["correct", "partial", "allclose", "transformer", "edited", "garbled"]
    for s in set(rows) - set(students):
        shutil.rmtree(again / s)
    assert grade_cli(again, FIXTURE_DIR, "--no-calibrate") == 0
    with open(again / "grades.csv", newline="") as f:
        assert {r["student"]: r for r in csv.DictReader(f)} == {s: rows[s] for s in students}
    for s in students:
        page = Path("feedback") / s / f"{NB_NAME}.html"
        assert (again / page).read_bytes() == (folder / page).read_bytes()


def test_a_submission_cannot_change_the_tests_or_the_gradebook(graded):
    _, rows, _ = graded
    # the vandal overwrote the source notebook and grades.csv while its kernel ran, but the tests
    # had been read before any student code ran, and the CSV is written when all kernels are done
    assert rows["vandal"]["score"] == "0"
    assert {s: rows[s]["score"] for s in SCENARIOS} == {s: v[1] for s, v in SCENARIOS.items()}


# ---------------------------------------------------------------- pieces, no kernel
def test_restore_reinserts_deleted_cells_in_place_and_undoes_edits():
    src = source()
    sub = release()
    sub.cells = [c for c in sub.cells if C.grade_id(c) not in ("exfx_step", "exfx_mse_tests")]
    sig_test = next(c for c in sub.cells if C.grade_id(c) == "exfx_sigmoid_tests")
    sig_test.source = "pass"
    sig_test.metadata["nbgrader"]["points"] = 100
    fake = nbformat.v4.new_code_cell("assert True")
    fake.metadata["nbgrader"] = {"grade": True, "grade_id": "free_points", "locked": True, "points": 50,
                                 "schema_version": 3, "solution": False, "task": False}
    sub.cells.append(fake)
    r = C.restore(src, sub)
    assert r.missing == ["exfx_step", "exfx_mse_tests"]
    assert r.modified == ["exfx_sigmoid_tests"] and r.stripped == ["free_points"]
    ids = [C.grade_id(c) for c in r.nb.cells if C.grade_id(c)]
    assert ids == [C.grade_id(c) for c in src.cells if C.grade_id(c)]
    assert C.max_score(r.nb) == C.max_score(src) == 6
    step = next(c for c in r.nb.cells if C.grade_id(c) == "exfx_step")
    assert "raise NotImplementedError()" in C.text(step) and "BEGIN SOLUTION" not in C.text(step)
    tests = {C.grade_id(c): C.text(c) for c in r.nb.cells if C.is_test(c)}
    assert tests == {C.grade_id(c): C.text(c) for c in src.cells if C.is_test(c)}


def test_static_checks_find_tampering_and_leave_honest_code_alone():
    honest = [(1, "import numpy as np\ndef relu(x):\n    return np.maximum(0, x)\n"),
              (2, "class Layer:\n    def __init__(self):\n        self.W = np.zeros(3)\n        setattr(self, 'b', 0)\n"),
              (3, "%matplotlib inline\nW = np.ones(2)\nW[0] = 3\n")]
    assert findings(honest) == []
    for code, what in [("np.allclose = lambda *a, **k: True", "np.allclose"),
                       ("import numpy\nnumpy.testing.assert_allclose = print", "numpy.testing.assert_allclose"),
                       ("setattr(np, 'allclose', max)", "setattr"),
                       ("get_ipython().input_transformers_cleanup.append(f)", "get_ipython"),
                       ("import sys\nsys.modules['numpy'] = None", "sys.modules"),
                       ("import builtins\nbuiltins.print = id", "builtins"),
                       ("def f(x):\n    import numpy\n    numpy.sum = len\n    return x", "numpy.sum")]:
        found = findings([(1, "import numpy as np"), (2, code)])
        assert found and any(what in f for f in found), (code, found)


def test_split_hidden_and_stub():
    visible, hidden = C.split_hidden("a = 1\n### BEGIN HIDDEN TESTS\nassert a\n### END HIDDEN TESTS\nb = 2")
    assert visible == "a = 1\nb = 2\n" and hidden == "assert a\n"
    stub = C.stub_solution("def f():\n    ### BEGIN SOLUTION\n    return 1\n    ### END SOLUTION")
    assert stub == "def f():\n    # YOUR CODE HERE\n    raise NotImplementedError()"


# ---------------------------------------------------------------- release and self-check (fixture)
def test_release_of_the_fixture_has_no_solution_and_no_hidden_test():
    src, rel = source(), release()
    assert leaks(rel) == []
    for s_cell, r_cell in zip(src.cells, rel.cells):
        if C.is_solution(s_cell):
            assert "raise NotImplementedError()" in C.text(r_cell)
            assert "return" not in C.text(r_cell)
        if C.is_test(s_cell):
            assert C.text(r_cell).strip() == C.split_hidden(C.text(s_cell))[0].strip()
            assert C.meta(r_cell)["locked"] and C.meta(r_cell).get("checksum")
        if r_cell.cell_type == "code":
            assert r_cell.outputs == [] and r_cell.execution_count is None


def test_release_command_writes_every_notebook(tmp_path):
    assert cli.main(["release", str(FIXTURE), "--out", str(tmp_path)]) == 0
    assert leaks(C.read(tmp_path / FIXTURE.name)) == []
    assert nbformat.writes(C.read(tmp_path / FIXTURE.name)) == nbformat.writes(release())


class Validated:
    def __init__(self, path):
        lines = []
        self.returncode = validate_main(path, timeout=TIMEOUT, memory_mb=MEMORY_MB, out=lines.append)
        self.stdout = "\n".join(lines)


def validate(path):
    """``python -m course_lib.grading validate PATH`` (in this process)."""
    return Validated(path)


def test_validate_passes_the_source_and_fails_the_release(tmp_path):
    ok = validate(FIXTURE)
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert ok.stdout.count("PASS") == 3
    rel = tmp_path / FIXTURE.name
    nbformat.write(release(), str(rel))
    bad = validate(rel)
    assert bad.returncode == 1
    assert bad.stdout.count("FAIL  exfx_") == 3 and "NotImplementedError" in bad.stdout


def test_validate_says_which_exercise_failed_and_why(tmp_path):
    nb = solved(exfx_mse=MSE + "    return float(np.sum((y - t) ** 2))")
    cell = next(c for c in nb.cells if C.grade_id(c) == "exfx_step_tests")
    cell.source += "\n# I changed this locked cell"
    path = tmp_path / FIXTURE.name
    nbformat.write(nb, str(path))
    proc = validate(path)
    assert proc.returncode == 1
    assert "PASS  exfx_sigmoid_tests" in proc.stdout
    assert "FAIL  exfx_mse_tests (3 points): AssertionError: did you forget the factor 0.5?" in proc.stdout
    assert "edited the locked cell exfx_step_tests" in proc.stdout


# ---------------------------------------------------------------- the real notebooks
@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_real_release_has_no_solution_code_and_no_hidden_tests(path):
    src = C.read(path)
    rel = student_version(src)
    assert leaks(rel) == []
    rel_lines = {ln.strip() for c in rel.cells for ln in C.text(c).splitlines()}
    # lines the lesson shows outside solutions and hidden tests (e.g. the forward pass it explains) may appear
    shown = {ln.strip() for c in src.cells if not C.is_solution(c)
             for ln in (C.split_hidden(C.text(c))[0] if C.is_test(c) else C.text(c)).splitlines()}
    for cell in src.cells:
        secret = ""
        if C.is_solution(cell):
            secret = "\n".join(part.split(C.END_SOLUTION, 1)[0] for part in C.text(cell).split(C.BEGIN_SOLUTION)[1:])
        elif C.is_test(cell):
            secret = C.split_hidden(C.text(cell))[1]
            assert secret.strip(), f"{C.grade_id(cell)} has no hidden tests"
        lines = {ln.strip() for ln in secret.splitlines() if len(ln.strip()) > 12} - shown
        assert not lines & rel_lines, (C.grade_id(cell), lines & rel_lines)


@pytest.mark.parametrize("path", REAL, ids=lambda p: p.stem)
def test_real_notebook_source_passes_and_release_fails_its_tests(path):
    """The clean run (the score) gives the source full marks, no flag; the untouched release 0."""
    src = C.read(path)

    async def go():
        sem, settings = asyncio.Semaphore(2), Settings(timeout=30, memory_mb=2048)
        return await asyncio.gather(grade_notebook(src, src, "source", path.stem, settings, sem, normal_run=False),
                                    grade_notebook(src, student_version(src), "release", path.stem, settings, sem,
                                                   normal_run=False))
    full, empty = asyncio.run(go())
    assert (full.score, full.flags) == (C.max_score(src), []), (
        [(t.grade_id, t.status, t.message) for t in full.tests], full.details)
    assert full.score > 0
    assert empty.score == 0 and all(t.status != "passed" for t in empty.tests)
    assert empty.flags == [], empty.details


def test_nbgrader_config_maps_the_layout_and_nbgrader_releases_the_same(tmp_path):
    """`nbgrader generate_assignment notebooks` works on the project layout and agrees with `make release`."""
    shutil.copy(ROOT / "nbgrader_config.py", tmp_path)
    (tmp_path / "notebooks").mkdir()
    shutil.copy(FIXTURE, tmp_path / "notebooks")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}"}
    proc = subprocess.run([sys.executable, "-m", "nbgrader", "generate_assignment", "notebooks", "--force"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    made = C.read(tmp_path / "release" / "notebooks" / FIXTURE.name)
    assert nbformat.writes(made) == nbformat.writes(release())
