"""Self-check for students: run a notebook top to bottom and report every graded test.

Unlike ``nbgrader validate`` this exits non-zero when a test fails, and says which exercise failed
and why (the exception and its message: the visible asserts carry hints). Runs the notebook as it
is, in a fresh kernel started in the notebook's folder, with the same limits as the grader.
"""
from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from . import cells as C
from .kernel import DIED, ERROR, NOT_RUN, OK, TIMEOUT, KernelRunner, Step


@dataclass
class Check:
    grade_id: str
    points: float
    status: str          # ok, error, timeout, died, not_run
    message: str = ""


def edited_locked_cells(nb) -> list[str]:
    """grade_ids of locked cells whose text no longer matches the checksum nbgrader stored at release."""
    try:
        from nbgrader.utils import compute_checksum
    except ImportError:  # students do not need nbgrader; skip the check
        return []
    out = []
    for cell in nb.cells:
        m = C.meta(cell)
        if C.is_locked(cell) and m.get("checksum"):
            try:
                if compute_checksum(cell) != m["checksum"]:
                    out.append(m.get("grade_id", "?"))
            except Exception:
                continue
    return out


def check_notebook(path, timeout: float = 60, memory_mb: int = 2048) -> tuple[list[Check], list[str]]:
    """Run ``path`` and return a :class:`Check` per test cell, and warnings."""
    path = Path(path)
    nb = C.read(path)
    steps, tests = [], []
    for cell in nb.cells:
        if cell.get("cell_type") != "code":
            continue
        if C.is_test(cell):
            tests.append((len(steps), cell))
        steps.append(Step(C.text(cell)))
    runner = KernelRunner(timeout=timeout, memory_mb=memory_mb, cwd=path.resolve().parent, restart=False)
    results = asyncio.run(runner.run(steps)) if steps else []
    checks = []
    for idx, cell in tests:
        r = results[idx]
        msg = ""
        if r.status == ERROR:
            msg = f"{r.ename}: {r.evalue}" if r.evalue else r.ename
            if r.ename == "NotImplementedError":
                msg += " -- the exercise is not done yet (replace `raise NotImplementedError()` with your code)"
            elif r.ename == "NameError":
                msg += " -- did you run (and fix) the cell that defines it?"
        elif r.status == TIMEOUT:
            msg = f"timed out after {timeout:g} s (an infinite loop, or far too slow)"
        elif r.status == DIED:
            msg = "the kernel died (os._exit, a crash, or out of memory)"
        elif r.status == NOT_RUN:
            msg = "not run: an earlier cell timed out or crashed the kernel"
        checks.append(Check(C.grade_id(cell), C.points(cell), r.status, " ".join(msg.split())))
    warnings = [f"you edited the locked cell {gid}: the grader will use the original"
                for gid in edited_locked_cells(nb)]
    errors = [i for i, r in enumerate(results) if r.status == ERROR and i not in {t for t, _ in tests}]
    if errors:
        warnings.append(f"{len(errors)} other cell(s) raised an error")
    return checks, warnings


def main(path, timeout: float = 60, memory_mb: int = 2048, out=print) -> int:
    path = Path(path)
    try:
        checks, warnings = check_notebook(path, timeout=timeout, memory_mb=memory_mb)
    except (OSError, ValueError) as e:
        out(f"{path}: cannot read the notebook: {e}")
        return 2
    if not checks:
        out(f"{path.name}: no graded exercises in this notebook.")
        return 0
    passed = [c for c in checks if c.status == OK]
    for c in checks:
        pts = f"{c.points:g} point{'s' if c.points != 1 else ''}"
        if c.status == OK:
            out(f"  PASS  {c.grade_id} ({pts})")
        else:
            out(f"  FAIL  {c.grade_id} ({pts}): {c.message}")
    for w in warnings:
        out(f"  note: {w}")
    score, total = sum(c.points for c in passed), sum(c.points for c in checks)
    failing = len(checks) - len(passed)
    if failing:
        out(f"{path.name}: {failing} of {len(checks)} graded tests FAIL ({score:g}/{total:g} points "
            f"from the visible tests; hidden tests are checked when your work is graded).")
        return 1
    out(f"{path.name}: all {len(checks)} graded tests pass ({total:g}/{total:g} points from the visible tests; "
        f"hidden tests are checked when your work is graded).")
    return 0
