"""The wrong-answer bank (issue 14): real learners' mistakes must lose points, and be caught where the text forbids them.

Each file ``tests/wrong_answers/<notebook stem>/<solution grade_id>__<slug>.py`` is one wrong answer: its whole
text replaces that solution cell (every other exercise keeps the instructor's solution). It starts with::

    # mistake: <what the learner did wrong, one line>
    # caught-by: visible      (the exercise's text forbids it: the visible tests must catch it)  -- or: hidden

Every answer is graded through the real grader (sandboxed; wrong answers for *different* exercises of a notebook
share a submission): it must lose points on its exercise (the test cells between its solution cell and the next
one). A ``caught-by: visible`` answer must also fail its exercise in the student's self-check (the visible tests
only, on the student edition). One test per notebook; its failure lists every answer that slipped through.
"""
from __future__ import annotations

import os
import re
from collections import defaultdict
from pathlib import Path

import nbformat
import pytest

from course_lib.grading import cells as C
from course_lib.grading import grade, sandbox, selfcheck
from course_lib.grading.release import student_version

ROOT = Path(__file__).resolve().parent.parent
BANK = ROOT / "tests" / "wrong_answers"
NOTEBOOKS = sorted(p.name for p in BANK.iterdir() if p.is_dir() and any(p.glob("*.py"))) if BANK.is_dir() else []

pytestmark = pytest.mark.grading


def read_answer(path: Path) -> dict:
    text = path.read_text()
    head = dict(re.findall(r"^# (mistake|caught-by): (.*)$", text, flags=re.M))
    gid, _, slug = path.stem.partition("__")
    return {"file": path.name, "grade_id": gid, "slug": slug, "code": text, "mistake": head.get("mistake", ""),
            "caught_by": head.get("caught-by", "").split()[0] if head.get("caught-by") else ""}


def exercise_tests(source) -> dict:
    """solution grade_id -> the grade_ids of the test cells after it, up to the next solution cell."""
    out, current = {}, None
    for cell in source.cells:
        if C.is_solution(cell):
            current = C.grade_id(cell)
            out[current] = []
        elif C.is_test(cell) and current is not None:
            out[current].append(C.grade_id(cell))
    return out


def submissions(answers: list) -> list[list]:
    """Group the answers so that no two in a group touch the same exercise."""
    by_gid = defaultdict(list)
    for a in answers:
        by_gid[a["grade_id"]].append(a)
    return [[group[k] for group in by_gid.values() if k < len(group)] for k in range(max(map(len, by_gid.values())))]


def build(source, group: list, student_edition: bool):
    """The notebook with the group's wrong answers and the instructor's solutions elsewhere."""
    nb = student_version(source) if student_edition else nbformat.from_dict(source)
    wrong = {a["grade_id"]: a["code"] for a in group}
    solutions = {C.grade_id(c): "\n".join(line for line in C.text(c).splitlines() if "### " not in line)
                 for c in source.cells if C.is_solution(c)}
    for cell in nb.cells:
        gid = C.grade_id(cell)
        if C.is_solution(cell):
            cell.source = wrong.get(gid, solutions[gid])
    return nb


@pytest.mark.parametrize("stem", NOTEBOOKS)
def test_every_wrong_answer_loses_points_and_visible_ones_fail_the_self_check(stem, tmp_path):
    source_path = ROOT / "notebooks" / f"{stem}.ipynb"
    assert source_path.exists(), f"tests/wrong_answers/{stem}/: no notebooks/{stem}.ipynb"
    source = C.read(source_path)
    tests_of = exercise_tests(source)
    answers = [read_answer(p) for p in sorted((BANK / stem).glob("*.py"))]
    malformed = [a["file"] for a in answers if a["grade_id"] not in tests_of or not a["mistake"]
                 or a["caught_by"] not in ("visible", "hidden")]
    assert not malformed, (f"malformed wrong answers (name <solution grade_id>__<slug>.py, first lines "
                           f"'# mistake: ...' and '# caught-by: visible|hidden'): {malformed}")
    why = sandbox.problem()
    if why and os.environ.get("COURSE_REQUIRE_SANDBOX"):
        pytest.fail(f"no sandbox: {why}")
    groups = submissions(answers)
    root = tmp_path / "submitted"
    for k, group in enumerate(groups):
        (root / f"wrong{k}").mkdir(parents=True)
        nbformat.write(build(source, group, student_edition=False), str(root / f"wrong{k}" / f"{stem}.ipynb"))
    settings = grade.Settings(timeout=60, jobs=2, sandboxed=why is None)
    grades, _ = grade.grade_folder(root, source_path.parent, settings, progress=False)
    slipped = []
    for k, group in enumerate(groups):
        g = next(g for g in grades if g.student == f"wrong{k}")
        lost = {t["grade_id"] for t in g.tests if t["points"] < t["max_points"]}
        for a in group:
            if not lost & set(tests_of[a["grade_id"]]):
                slipped.append(f"{a['file']} ({a['mistake']}): full marks from the grader")
        visible = [a for a in group if a["caught_by"] == "visible"]
        if visible:
            path = tmp_path / f"check{k}" / f"{stem}.ipynb"
            path.parent.mkdir()
            nbformat.write(build(source, visible, student_edition=True), str(path))
            rows = {r["grade_id"]: r["status"] for r in selfcheck.check(path, timeout=60)["rows"]}
            for a in visible:
                if all(rows.get(t) == "passed" for t in tests_of[a["grade_id"]]):
                    slipped.append(f"{a['file']} ({a['mistake']}): passes the visible tests, but its exercise's "
                                   "text forbids it (caught-by: visible)")
    assert not slipped, "wrong answers that slipped through:\n  " + "\n  ".join(slipped)
