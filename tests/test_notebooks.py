"""Every notebook is clean, executed in order and shaped like a lesson (docs/style.md).

nbval (run by `make test` on notebooks/) re-executes each notebook and compares outputs; this file
checks what nbval does not: hygiene, structure, and that the graded exercises are well formed.
"""
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))
import nbtool  # noqa: E402

EXPECTED = [
    "00_start_here", "00b_numpy", "01_perceptron", "02_activation_functions", "03_forward_pass", "04_loss_functions",
    "05_numerical_gradient", "06_backpropagation", "07_training_mnist", "08_overfitting", "09_cnn", "A1_speed",
]
#: The course in reading order (docs/style.md); "Next" links follow it. Appendices (``A1_speed``) are optional
#: reading beside it. A notebook may link to one that another branch is still writing.
COURSE_ORDER = [
    "00_start_here", "00b_numpy", "01_perceptron", "02_activation_functions", "03_forward_pass", "04_loss_functions",
    "05_numerical_gradient", "06_backpropagation", "07_training_mnist", "08_overfitting", "09_cnn",
]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
APPENDICES = [p for p in NOTEBOOKS if p.name.startswith("A")]
#: Lessons have graded exercises and a common-mistakes section; 00_start_here and the appendices do not.
LESSONS = [p for p in NOTEBOOKS if not p.name.startswith("00_") and p not in APPENDICES]


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
        assert "requirement(" in _text(c).split("### BEGIN HIDDEN TESTS")[0], "visible checks before the hidden ones"
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


# ---------------------------------------------------------------- one shape of lesson (docs/style.md "A notebook")
import re  # noqa: E402


def _markdown_lines(cells):
    """The lines of the markdown cells, without fenced code blocks (a ``# comment`` there is no heading)."""
    for c in cells:
        if c.cell_type != "markdown":
            continue
        fenced = False
        for line in _text(c).splitlines():
            if line.lstrip().startswith("```"):
                fenced = not fenced
            elif not fenced:
                yield line


def _title(path) -> str:
    """``'07 — Training on MNIST'``: the first line of the first cell, without the ``#``."""
    return _text(_cells(path)[0]).splitlines()[0].removeprefix("# ").strip()


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_title_is_number_em_dash_title(path):
    number = path.stem.split("_")[0]
    first = _text(_cells(path)[0]).splitlines()[0]
    assert re.fullmatch(rf"# {re.escape(number)} — \S.*", first), \
        f"the first line should be '# {number} — Title' (an em dash), got {first!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_sections_are_numbered_through_to_the_summary(path):
    sections = [line[3:].strip() for line in _markdown_lines(_cells(path)) if line.startswith("## ")]
    numbers = [re.match(r"(\d+)\. \S", s) for s in sections]
    unnumbered = [s for s, m in zip(sections, numbers) if m is None]
    assert not unnumbered, f"every section is numbered ('## 3. Title'): {unnumbered}"
    got = [int(m.group(1)) for m in numbers]
    assert got == list(range(1, len(got) + 1)), f"sections numbered 1, 2, 3, ... in order: {got}"
    assert sections[-1].endswith(". Summary"), f"the last section is 'N. Summary', got {sections[-1]!r}"
    if path in LESSONS:
        assert sections[-2].endswith(". Common mistakes"), \
            f"the section before the summary is 'N. Common mistakes', got {sections[-2]!r}"


_EXERCISE = re.compile(r"### Exercise (\d+) — (.+) \((\d+) points?\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_exercise_heading_gives_its_points(path):
    """'### Exercise 2 — a batch-safe softmax (2 points)': numbered 1, 2, ...; the points are those of its test cells."""
    exercises = []  # [number, points in the heading, points of the test cells that follow]
    for c in _cells(path):
        if c.cell_type == "markdown":
            for line in _text(c).splitlines():
                if line.startswith("### Exercise"):
                    m = _EXERCISE.fullmatch(line.strip())
                    assert m, f"an exercise heading is '### Exercise N — what (P points)', got {line!r}"
                    exercises.append([int(m.group(1)), int(m.group(3)), 0])
                elif line.startswith("## "):
                    exercises.append([None, 0, 0])  # a new section: later test cells belong to no heading
        elif C.is_test(c):
            assert exercises and exercises[-1][0] is not None, f"test cell {C.grade_id(c)} has no exercise heading"
            exercises[-1][2] += C.points(c)
    exercises = [e for e in exercises if e[0] is not None]
    assert [e[0] for e in exercises] == list(range(1, len(exercises) + 1)), "exercises numbered 1, 2, 3, ..."
    wrong = {f"Exercise {n}": (said, counted) for n, said, counted in exercises if said != counted}
    assert not wrong, f"heading's points vs. the points of the exercise's test cells: {wrong}"


_NEXT = re.compile(r"\*\*Next:\*\* \[([^\]]+)\]\(([^)]+)\.ipynb\)")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_last_cell_links_to_the_next_notebook(path):
    last = _cells(path)[-1]
    first_line = _text(last).strip().splitlines()[0] if _text(last).strip() else ""
    m = _NEXT.match(first_line)
    if path.stem == COURSE_ORDER[-1]:  # the last notebook says what comes after the course
        assert last.cell_type == "markdown" and first_line.startswith("**Next:**"), "the last cell starts '**Next:**'"
        return
    assert last.cell_type == "markdown" and m, f"the last cell is '**Next:** [NN — Title](NN_file.ipynb)', got {first_line!r}"
    text, target = m.groups()
    assert target in COURSE_ORDER, f"'Next' links to {target}.ipynb, which is not in the course"
    if path.stem in COURSE_ORDER:
        follows = COURSE_ORDER[COURSE_ORDER.index(path.stem) + 1]
        assert target == follows, f"'Next' after {path.stem} is {follows}, not {target}"
    linked = ROOT / "notebooks" / f"{target}.ipynb"
    if linked.exists():
        assert text == _title(linked), f"the link text {text!r} should be the title of {target}: {_title(linked)!r}"


@pytest.mark.parametrize("path", APPENDICES, ids=lambda p: p.stem)
def test_an_appendix_is_optional_and_ungraded(path):
    """An appendix is reading beside the course: it says so at the start, and has no graded exercises (nbgrader
    would otherwise collect it and count its points)."""
    cells = _cells(path)
    assert "optional" in _text(cells[0]).lower(), "the first cell says that the appendix is optional"
    assert not [c for c in cells if "nbgrader" in c.metadata], "an appendix has no nbgrader cells"


def _code_cells_outside_exercises(path):
    for i, c in enumerate(_cells(path)):
        if c.cell_type == "code" and not (C.is_solution(c) or C.is_test(c)) \
                and "raises-exception" not in c.metadata.get("tags", []):
            yield i, ast.parse(_python(c))


@pytest.mark.parametrize("path", STUDENT_NOTEBOOKS, ids=lambda p: p.stem)
def test_lesson_checks_are_sentences_not_asserts(path):
    """A check a student reads is a printed sentence (``print("rows sum to 1:", ...)``), not ``assert ...; print(True)``."""
    found = [i for i, tree in _code_cells_outside_exercises(path) if any(isinstance(n, ast.Assert) for n in ast.walk(tree))]
    assert not found, f"cells (by index) with assert statements outside the exercises: {found}"


def _times_something(tree) -> bool:
    """The cell reads a clock: ``time.perf_counter()``, ``timeit.repeat(...)``, ``%timeit``, ``best_time(...)``."""
    for n in ast.walk(tree):
        if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id in ("time", "timeit"):
            return True
        if isinstance(n, ast.Call):
            name = n.func.attr if isinstance(n.func, ast.Attribute) else getattr(n.func, "id", "")
            if name == "best_time":
                return True
            if name in ("run_line_magic", "run_cell_magic") and n.args and getattr(n.args[0], "value", "") in ("time", "timeit"):
                return True
    return False


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_timing_cells_set_the_thread_count(path):
    """A cell that times something sets NumPy's BLAS thread count itself (``with threadpool_limits(limits=1):``), so
    that the figure it prints says under which condition it was measured."""
    found = [i for i, tree in _code_cells_outside_exercises(path) if _times_something(tree)
             and not any(isinstance(n, ast.Name) and n.id == "threadpool_limits" for n in ast.walk(tree))]
    assert not found, f"cells (by index) that time code without threadpool_limits: {found}"


_CHECKS = {"expect_close", "expect_shape", "expect_dtype", "call_unchanged"}


def _checks_outside_requirements(tree) -> list[int]:
    """Line numbers of asserts and ``expect_*``/``call_unchanged`` calls that no ``with requirement(...)`` encloses."""
    found = []

    def visit(node, inside):
        if isinstance(node, ast.With) and any(isinstance(i.context_expr, ast.Call)
                                              and getattr(i.context_expr.func, "id", "") == "requirement"
                                              for i in node.items):
            inside = True
        if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.Lambda)):
            return  # helpers the test defines run inside the blocks that call them
        is_check = isinstance(node, ast.Assert) or (isinstance(node, ast.Call)
                                                    and getattr(node.func, "id", "") in _CHECKS)
        if is_check and not inside:
            found.append(node.lineno)
        for child in ast.iter_child_nodes(node):
            visit(child, inside)

    visit(tree, False)
    return found


@pytest.mark.parametrize("path", GRADED, ids=lambda p: p.stem)
def test_every_check_of_a_test_cell_names_its_requirement(path):
    """docs/style.md: every check is a ``with requirement("...", hint="..."):`` block, so a failure (or a crash of the
    student's code) shows the requirement and the likely mistake."""
    found = {}
    for c in C.read(path).cells:
        if C.is_test(c):
            lines = _checks_outside_requirements(ast.parse(_python(c)))
            if lines:
                found[C.grade_id(c)] = lines
    assert not found, f"checks outside a `with requirement(...)` block (test cell: line numbers): {found}"
