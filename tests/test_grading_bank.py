"""Sandboxed grading end to end: scenarios with exact scores, and the attack bank (tests/attacks/).

One ``grade`` run (calibration included, 2 submissions at a time) over a folder of students:

- **scenarios** on the fixture notebook (tests/fixtures/grading/01_mini_lesson.ipynb, 10 points): right, wrong,
  unfinished, an infinite loop, a crash, a memory hog, deleted and edited cells, ... -- each gets its exact score
  and flags;
- **honest students** (the fixture and the real 01_perceptron, full solutions) -- their grades must not change
  whatever the others do;
- **the attack bank**: every ``tests/attacks/<name>.py`` is one student. Its header says what it tries and what it
  may score at most::

      # attack: <what it tries>
      # kind: escape | reach | read | fool | small
      # notebook: 01_mini_lesson (the fixture) or a notebook of notebooks/
      # expect: <the most points it may get: what its honest part deserves>  ("10 exactly": that score, no flag)
      # flags: <flags it must get>     (optional)
      # %% <grade_id of a solution cell>, or "new" (a new cell after the first code cell)
      <the code of that cell>          (exercises it does not answer keep the stub)

  plus attacks on the files themselves: a symlink to the instructor's notebook, a FIFO, a folder named like a
  spreadsheet formula, hidden folders and checkpoint copies.

Each attack scores at most what it may; no file outside the grader's output changes (sources, submissions, a file
beside them); no process of a submission is alive afterwards; no feedback page shows a line of a hidden test or
of a solution.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import cells as C
from course_lib.grading import grade, sandbox
from course_lib.grading.release import student_version

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "grading" / "01_mini_lesson.ipynb"
REAL_01 = ROOT / "notebooks" / "01_perceptron.ipynb"
ATTACKS = sorted((ROOT / "tests" / "attacks").glob("*.py"))
FX = FIXTURE.stem
TIMEOUT = 15      # seconds per cell and test (the machine may be busy)
MARKERS = ("attack-marker-98765", "98765.4321")

pytestmark = pytest.mark.grading


# ---------------------------------------------------------------- building submissions
def parse(path: Path) -> dict:
    """An attack (or wrong-answer) file: its ``# key: value`` header and its ``# %% cell`` sections."""
    head, sections, current = {}, {}, None
    for line in path.read_text().splitlines():
        m = re.match(r"# %% (\S+)\s*$", line)
        if m:
            current = m.group(1)
            sections[current] = []
        elif current is not None:
            sections[current].append(line)
        else:
            m = re.match(r"# ([a-z-]+): (.*)$", line)
            if m:
                head[m.group(1)] = m.group(2).strip()
    head["sections"] = {k: "\n".join(v).strip() + "\n" for k, v in sections.items()}
    return head


def answered(source, answers: dict):
    """The student edition of ``source`` with the solution cells in ``answers`` (grade_id -> code) replaced, and
    ``answers["new"]`` (if any) as a new cell after the first code cell."""
    nb = student_version(source)
    for cell in nb.cells:
        if C.grade_id(cell) in answers:
            cell.source = answers[C.grade_id(cell)]
    if "new" in answers:
        first = next(i for i, c in enumerate(nb.cells) if c.cell_type == "code")
        nb.cells.insert(first + 1, nbformat.v4.new_code_cell(answers["new"]))
    return nb


def solutions(source) -> dict:
    return {C.grade_id(c): "\n".join(line for line in C.text(c).splitlines() if "### " not in line)
            for c in source.cells if C.is_solution(c)}


def fx(**overrides):
    src = C.read(FIXTURE)
    return answered(src, {**solutions(src), **overrides})


SIG = 'def sigmoid(x):\n    """Sigmoid."""\n'
STEP = 'def step_function(x):\n    """Step."""\n'
MSE = 'def mean_squared_error(y, t):\n    """MSE."""\n'
GRAD = 'def numerical_gradient(f, x):\n'


def sc_deleted():
    nb = fx()
    nb.cells = [c for c in nb.cells if C.grade_id(c) != "exfx_sigmoid_tests"]
    return nb


def sc_edited():
    nb = fx(exfx_mse=MSE + "    return float(np.sum((y - t) ** 2))")
    next(c for c in nb.cells if C.grade_id(c) == "exfx_mse_tests").source = "assert True"
    return nb


def sc_helper():
    nb = fx(exfx_sigmoid=SIG + "    return _stable_sigmoid(x)")
    pos = next(i for i, c in enumerate(nb.cells) if C.grade_id(c) == "exfx_sigmoid")
    nb.cells.insert(pos, nbformat.v4.new_code_cell(
        "def _stable_sigmoid(x):\n    x = np.asarray(x, dtype=float)\n    return np.exp(-np.logaddexp(0, -x))"))
    return nb


COPY_GRADIENT = GRAD + ("    x = x.copy()   # perturbs a copy: a function that reads the array itself sees nothing\n"
                        "    g = np.zeros(x.shape)\n    for i in range(x.size):\n        old = x.flat[i]\n"
                        "        x.flat[i] = old + 1e-4\n        a = f(x)\n        x.flat[i] = old - 1e-4\n"
                        "        b = f(x)\n        x.flat[i] = old\n        g.flat[i] = (a - b) / 2e-4\n    return g")
MUTATING_LAYER = ("class Scale:\n    def __init__(self, a):\n        self.a = a\n    def forward(self, x):\n"
                  "        return self.a * x\n    def backward(self, dout):\n        dout *= self.a\n        return dout")

#: student -> (submission, exact score, exact flags)
SCENARIOS = {
    "correct": (lambda: fx(), "10", ""),
    "untouched": (lambda: student_version(C.read(FIXTURE)), "0", ""),
    "clipped": (lambda: fx(exfx_sigmoid=SIG + "    return 1 / (1 + np.exp(-np.clip(x, -10, 10)))"), "8", ""),
    "overflow": (lambda: fx(exfx_sigmoid=SIG + "    return 1 / (1 + np.exp(-np.asarray(x, dtype=float)))"), "8", ""),
    "loop": (lambda: fx(exfx_sigmoid=SIG + "    while True:\n        pass"), "8", "timeout"),
    "exit": (lambda: fx(exfx_mse=MSE + "    import os\n    os._exit(1)"), "7", "crashed"),
    "memory": (lambda: fx(exfx_step=STEP + "    hog = []\n    while True:\n        hog.append(np.ones(5 * 10**7))"),
               "9", "memory"),
    "deleted": (sc_deleted, "10", "missing_cells"),
    "edited": (sc_edited, "7", "modified_cells"),
    "helper": (sc_helper, "10", ""),
    "copy_gradient": (lambda: fx(exfx_gradient=COPY_GRADIENT), "8", ""),
    "mutating_backward": (lambda: fx(exfx_layer=MUTATING_LAYER), "8", ""),
    "raises_at_top": (lambda: fx(exfx_step=STEP + "    return (np.asarray(x) > 0).astype(np.int64)\n\n"
                                            "step_function('try it') + 1   # a 'try it' line that fails"), "10", ""),
}


def snapshot(*folders) -> dict:
    out = {}
    for folder in folders:
        for p in sorted(Path(folder).rglob("*")):
            if p.is_file() and not p.is_symlink():
                out[p] = hashlib.sha256(p.read_bytes()).hexdigest()
            elif p.is_symlink():
                out[p] = "link:" + os.readlink(p)
    return out


def processes_with(markers) -> list:
    found = []
    for pid in os.listdir("/proc"):
        try:
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if any(m in cmd for m in markers):
            found.append(f"{pid}: {cmd}")
    return found


@pytest.fixture(scope="module")
def bank(tmp_path_factory):
    why = sandbox.problem()
    if why:
        if os.environ.get("COURSE_REQUIRE_SANDBOX"):
            pytest.fail(f"no sandbox: {why}")
        pytest.skip(f"no sandbox here: {why}")
    base = tmp_path_factory.mktemp("bank")
    sources, subs, outside = base / "source", base / "submitted", base / "outside"
    for folder in (sources, subs, outside):
        folder.mkdir()
    shutil.copy(FIXTURE, sources)
    shutil.copy(REAL_01, sources)
    (outside / "canary.txt").write_text("nobody writes here")

    def put(student, nb_or_bytes, name):
        (subs / student).mkdir(parents=True, exist_ok=True)
        path = subs / student / f"{name}.ipynb"
        if isinstance(nb_or_bytes, bytes):
            path.write_bytes(nb_or_bytes)
        else:
            nbformat.write(nb_or_bytes, str(path))
        return path

    for student, (make, _, _) in SCENARIOS.items():
        put(student, make(), FX)
    put("garbled", b"{ this is not json", FX)
    put("honest_fx", C.read(FIXTURE), FX)
    put("honest_01", C.read(REAL_01), REAL_01.stem)
    attacks = {}
    for path in ATTACKS:
        spec = parse(path)
        attacks[path.stem] = spec
        notebook = sources / f"{spec['notebook']}.ipynb"
        put(path.stem, answered(C.read(notebook), spec["sections"]), spec["notebook"])
    # attacks on the files themselves
    put("=1+1", fx(), FX)                                                  # a formula as a student id
    (subs / "symlinker").mkdir()
    (subs / "symlinker" / f"{REAL_01.stem}.ipynb").symlink_to(sources / REAL_01.name)   # the instructor's notebook
    (subs / "fifo").mkdir()
    os.mkfifo(subs / "fifo" / f"{FX}.ipynb")
    put(".sneaky", fx(), FX)                                               # a hidden folder
    checkpoints = subs / "honest_fx" / ".ipynb_checkpoints"
    checkpoints.mkdir()
    nbformat.write(fx(), str(checkpoints / f"{FX}-checkpoint.ipynb"))
    (subs / "honest_fx" / "old").mkdir()
    nbformat.write(student_version(C.read(FIXTURE)), str(subs / "honest_fx" / "old" / f"{FX}.ipynb"))  # second copy

    before = snapshot(sources, subs, outside)
    grades, skipped = grade.grade_folder(subs, sources, grade.Settings(timeout=TIMEOUT, memory_mb=1024, jobs=2),
                                         progress=False)
    alive = processes_with(MARKERS)
    after = snapshot(sources, subs, outside)
    rows = {(g.student, g.notebook): g for g in grades}
    return {"subs": subs, "rows": rows, "skipped": skipped, "attacks": attacks, "before": before, "after": after,
            "alive": alive}


# ---------------------------------------------------------------- scenarios and honest students
@pytest.mark.parametrize("student", list(SCENARIOS))
def test_scenario_gets_its_exact_score_and_flags(bank, student):
    g = bank["rows"][(student, FX)]
    _, score, flags = SCENARIOS[student]
    assert (grade.fmt(g.score), ";".join(g.flags)) == (score, flags), (g.tests, g.details)


def test_honest_students_get_full_marks_whatever_the_others_do(bank):
    for key in (("honest_fx", FX), ("honest_01", REAL_01.stem), ("=1+1", FX)):
        g = bank["rows"][key]
        assert (g.score, g.flags) == (g.max_score, []), (key, g.tests, g.details)


def test_feedback_explains_failures_and_hidden_failures_by_their_requirement(bank):
    page = (bank["subs"] / "feedback" / "clipped" / f"{FX}.html").read_text()
    assert "Score: <b>8 / 10</b>" in page
    assert ("The visible checks pass, but a hidden check failed: sigmoid gives 0 and 1 for very large |x|, without "
            "an overflow warning. Hint: never exponentiate a large positive number") in page
    overflow = (bank["subs"] / "feedback" / "overflow" / f"{FX}.html").read_text()
    assert "your code raised RuntimeWarning" in overflow   # the re-emitted warning, under the hidden test's filter
    mutating = (bank["subs"] / "feedback" / "mutating_backward" / f"{FX}.html").read_text()
    assert "the call modified its input (argument 1)" in mutating and "Hint: return self.a * dout" in mutating
    untouched = (bank["subs"] / "feedback" / "untouched" / f"{FX}.html").read_text()
    assert untouched.count("Not done yet.") == 5


def test_the_csv_has_one_row_per_student_and_notebook_and_no_formula(bank):
    with open(bank["subs"] / "grades.csv", newline="") as f:
        rows = list(csv.reader(f))
    assert rows[0] == grade.COLUMNS
    assert all(not cell or cell[0] not in "=+-@\t\r" for row in rows[1:] for cell in row)
    assert ["'=1+1", FX, "10", "10", ""] in rows
    details = json.loads((bank["subs"] / "grading_details.json").read_text())
    assert details["sandbox"] == "bubblewrap" and details["skipped"] == bank["skipped"]


def test_every_skipped_file_and_folder_is_listed(bank):
    reasons = {s["path"]: s["reason"] for s in bank["skipped"]}
    assert reasons[".sneaky"] == "hidden folder or file"
    assert reasons["honest_fx/.ipynb_checkpoints"] == ".ipynb_checkpoints (autosaves)"
    assert reasons[f"honest_fx/old/{FX}.ipynb"] == f"a second copy of {FX}.ipynb for honest_fx"


# ---------------------------------------------------------------- the attack bank
@pytest.mark.parametrize("name", [p.stem for p in ATTACKS])
def test_attack_scores_at_most_its_honest_part(bank, name):
    spec = bank["attacks"][name]
    g = bank["rows"][(name, spec["notebook"])]
    limit = spec["expect"].split()
    assert g.score <= float(limit[0]), (spec["attack"], g.tests, g.details)
    if limit[1:] == ["exactly"]:
        assert g.score == float(limit[0]) and g.flags == [], (g.tests, g.flags, g.details)
    wanted = [f.strip() for f in spec.get("flags", "").split(",") if f.strip()]
    assert set(wanted) <= set(g.flags), (g.flags, g.details)
    assert "unsandboxed" not in g.flags


def test_a_submission_that_is_not_a_regular_file_is_not_graded(bank):
    for key in (("symlinker", REAL_01.stem), ("fifo", FX)):
        g = bank["rows"][key]
        assert (g.score, g.flags) == (0, ["not_a_regular_file"]) and g.tests == []


def test_no_file_outside_the_graders_output_changed(bank):
    before, after = bank["before"], bank["after"]
    changed = sorted(str(p) for p in before if after.get(p) != before[p])
    assert not changed, changed
    subs = bank["subs"]
    new = sorted(str(p.relative_to(subs)) for p in after if p not in before)
    expected = {"grades.csv", "grading_details.json"} | {
        str(Path("feedback", g.student, *g.folder, f"{g.notebook}.html")) for g in bank["rows"].values()}
    assert set(new) == expected


def test_no_process_of_a_submission_is_alive_after_grading(bank):
    assert bank["alive"] == []


def _lines(path: Path, kind: str) -> set:
    """The lines (longer than 10 characters) of the hidden tests, or of the solutions, of a source notebook that the
    student edition does not show anyway (a visible hint may quote a solution's line)."""
    lines = set()
    for cell in C.read(path).cells:
        if kind == "hidden" and C.is_test(cell):
            lines |= {ln.strip() for ln in C.split_hidden(C.text(cell))[1].splitlines() if len(ln.strip()) > 10}
        if kind == "solution" and C.is_solution(cell):
            inside = [part.split(C.END_SOLUTION)[0] for part in C.text(cell).split(C.BEGIN_SOLUTION)[1:]]
            lines |= {ln.strip() for part in inside for ln in part.splitlines() if len(ln.strip()) > 10}
    shown = "\n".join(C.text(c) for c in student_version(C.read(path)).cells)
    return {line for line in lines if line not in shown}


def test_no_feedback_shows_hidden_test_text_or_a_solution(bank):
    import html
    sources = {FX: FIXTURE, REAL_01.stem: REAL_01}
    readers = {name for name, spec in bank["attacks"].items() if spec["kind"] == "read"} | {"symlinker"}
    pages = sorted((bank["subs"] / "feedback").rglob("*.html"))
    assert len(pages) == len(bank["rows"])
    leaks = []
    for page in pages:
        text = page.read_text()
        student = page.relative_to(bank["subs"] / "feedback").parts[0]
        secret = _lines(sources[page.stem], "hidden")
        if student in readers:
            secret |= _lines(sources[page.stem], "solution")
        leaks += [f"{student}/{page.name}: {line}" for line in secret if line in text or html.escape(line) in text]
        assert "HIDDEN TESTS" not in text and "Traceback" not in text, page
    assert not leaks, leaks
