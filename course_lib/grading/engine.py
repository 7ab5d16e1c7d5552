"""Run a notebook's cells in the student's process and its test cells here, in a trusted process.

``make_plan(nb, source)`` turns a notebook into a plan: its code cells in order (a test cell marks where its
test runs), the ``import`` statements the tests need (from the source's non-exercise cells) and, per test cell,
the names it takes from the student (those the source's solution cells define: ``def``, ``class``, ``name =``).
``run_plan(plan, start, ...)`` runs it:

1. every code cell that is not a test runs in the student's process (``start()``: a sandboxed or a plain
   ``worker``); an error there is recorded and the next cell runs (an honest notebook with top-level code is
   fine);
2. at a test cell, a fresh namespace gets the imports (run here, once) and the student's names (plain data or
   proxies, ``remote``), and the visible part of the test runs here; when it passes and ``hidden`` is set, the
   hidden part runs in the same namespace. The test's code never enters the student's process;
3. when the student's process dies or does not answer in time, the test (or cell) that was running fails, a new
   process replays the cells before the next test (skipping the cell that killed it), and grading goes on.

``python -m course_lib.grading.engine`` is the trusted process the grader starts for each submission: the job
(plan, settings) arrives as JSON on stdin, the report leaves as JSON on stdout (the tests' own prints go to
stderr). It runs only the instructor's code: the student's code runs in the sandbox it starts.
"""
from __future__ import annotations

import ast
import builtins
import contextlib
import io
import json
import os
import sys
import threading
import time
import warnings
from dataclasses import dataclass, field

from .. import checks
from ..checks import ExerciseCheckFailed, last_line
from . import cells as C
from .remote import (MISSING, ProtocolViolation, StudentProcessError, StudentTimeout, Student)

MAX_STARTS = 4          # processes per notebook: the first and three restarts after a crash or a timeout
NOT_DONE = "not done yet: replace `raise NotImplementedError()` with your code"


# ---------------------------------------------------------------- the plan
def python_code(source: str) -> str:
    """A cell's text as Python (``%magic`` and ``!shell`` lines become IPython calls)."""
    from IPython.core.inputtransformer2 import TransformerManager
    return TransformerManager().transform_cell(source)


#: The grader plans several submissions at once in threads, and CPython 3.11's ast module is not safe for that
#: (gh-106905: "SystemError: AST constructor recursion depth mismatch"): one parse at a time.
_PARSE_LOCK = threading.Lock()


def _tree(source: str):
    with _PARSE_LOCK:
        try:
            return ast.parse(python_code(source))
        except SyntaxError:
            return ast.Module(body=[], type_ignores=[])


def defined_names(solution_cells) -> set:
    """Names the solution cells define at top level: ``def``, ``class``, ``name = ...`` (the student's names)."""
    names = set()
    for cell in solution_cells:
        for node in _tree(C.text(cell)).body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                names.add(node.name)
            elif isinstance(node, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def import_statements(cells) -> list[tuple[str, set]]:
    """``(code, names bound)`` of every ``import`` statement in ``cells``."""
    out = []
    for cell in cells:
        for node in ast.walk(_tree(C.text(cell))):
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                bound = {a.asname or a.name.split(".")[0] for a in node.names}
                out.append((ast.unparse(node), bound))
    return out


def used_names(code: str) -> set:
    return {n.id for n in ast.walk(_tree(code)) if isinstance(n, ast.Name)}


def make_plan(nb, source=None, hidden: bool = True) -> dict:
    """The plan for ``nb`` (a restored submission, or the notebook itself), its tests and names from ``source``
    (default: ``nb``). Cells after the last test cell are left out (no test needs them)."""
    source = source if source is not None else nb
    src_tests = {C.grade_id(c): c for c in source.cells if C.is_test(c)}
    lesson = [c for c in source.cells if c.get("cell_type") == "code" and not C.is_solution(c) and not C.is_test(c)
              and "raises-exception" not in c.get("metadata", {}).get("tags", [])]
    student_names = defined_names(c for c in source.cells if C.is_solution(c))
    items, needed = [], set()
    for index, cell in enumerate(nb.cells):
        if cell.get("cell_type") != "code":
            continue
        if C.is_test(cell) and C.grade_id(cell) in src_tests:
            test = src_tests[C.grade_id(cell)]
            visible, hidden_code = C.split_hidden(C.text(test))
            visible, hidden_code = python_code(visible), python_code(hidden_code) if hidden else ""
            used = used_names(visible + "\n" + hidden_code)
            needed |= used
            items.append({"kind": "test", "index": index, "grade_id": C.grade_id(test), "points": C.points(test),
                          "visible": visible, "hidden": hidden_code, "names": sorted(used & student_names)})
        else:
            tags = cell.get("metadata", {}).get("tags", [])
            items.append({"kind": "code", "index": index, "code": C.text(cell), "exercise": C.is_solution(cell),
                          "expected_error": "raises-exception" in tags or C.is_solution(cell)})
    last = max((i for i, it in enumerate(items) if it["kind"] == "test"), default=-1)
    imports = [code for code, bound in import_statements(lesson) if bound & needed and not bound & student_names]
    return {"items": items[: last + 1], "imports": imports, "student_names": sorted(student_names)}


# ---------------------------------------------------------------- running it
@dataclass
class Report:
    tests: list = field(default_factory=list)
    cells: list = field(default_factory=list)       # code cells that raised, timed out or crashed
    flags: set = field(default_factory=set)
    diagnostics: list = field(default_factory=list)

    def as_dict(self) -> dict:
        return {"tests": self.tests, "cells": self.cells, "flags": sorted(self.flags), "diagnostics": self.diagnostics}


def _short(text, limit: int = 300) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def judge(error: BaseException | None, hidden: bool, student_names=()) -> tuple[str, str, str]:
    """``(status, message for the student, detail for the instructor)`` of a test part that raised ``error``.

    A hidden part's message never quotes the test: a check's requirement and hint, an assert's first line."""
    if error is None:
        return "passed", "", ""
    detail = _short(f"{type(error).__name__}: {error}", 1000)
    if isinstance(error, ExerciseCheckFailed):
        status = "not_done" if error.raised == "NotImplementedError" else "failed"
        return status, _short(error.message(with_detail=not hidden), 600), detail
    if isinstance(error, NotImplementedError):
        return "not_done", NOT_DONE, detail
    if getattr(error, "from_student", False):
        return "failed", f"your code raised {last_line(error)}", detail
    if type(error) is AssertionError:
        lines = [line for line in str(error).strip().splitlines() if line.strip()]
        if hidden:
            return "failed", _short(lines[0], 200) if lines else "a hidden check failed", detail
        return "failed", _short(" ".join(lines), 600) if lines else "a check failed", detail
    if isinstance(error, NameError) and getattr(error, "name", None) in student_names:
        return "failed", f"`{error.name}` is not defined: run the cell that defines it (without errors)", detail
    if hidden:
        return "failed", f"a hidden check could not use your result ({type(error).__name__})", detail
    return "failed", f"the check could not use your result: {last_line(error)}", detail


def run_part(code: str, ns: dict, name: str) -> BaseException | None:
    """Run a test's code in ``ns``; the exception it raised (``StudentProcessError`` propagates)."""
    compiled = compile(code, f"<test {name}>", "exec", optimize=0)   # keep the asserts, whatever -O says
    with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()):
        warnings.simplefilter("ignore")
        import numpy as np
        with np.errstate():
            try:
                exec(compiled, ns)
            except StudentProcessError:
                raise
            except BaseException as e:  # noqa: BLE001 -- the outcome of the test
                return e
    return None


def run_plan(plan: dict, start, timeout: float = 60.0, hidden: bool = True, startup_timeout: float = 120.0) -> Report:
    """Run ``plan`` (``make_plan``): its cells through ``start()`` (a new worker process), its tests here."""
    return NotebookRun(plan, start, timeout, hidden, startup_timeout).run()


class NotebookRun:
    """One run of a plan: the student's process (restarted when it dies), the imports, the report."""

    def __init__(self, plan: dict, start, timeout: float, hidden: bool, startup_timeout: float):
        self.items, self.start, self.timeout, self.hidden = plan["items"], start, timeout, hidden
        self.startup_timeout = startup_timeout
        self.report = Report()
        self.student, self.starts, self.fatal = None, 0, set()   # fatal: cells that killed the process
        self.imports = {"__builtins__": builtins, "__name__": "__main__"}
        for code in plan["imports"]:
            try:
                exec(compile(code, "<imports>", "exec"), self.imports)
            except Exception as e:  # noqa: BLE001 -- a test that needs it fails, and says so
                self.report.diagnostics.append(f"import failed: {code}: {last_line(e)}")

    def run(self) -> Report:
        for pos, item in enumerate(self.items):
            if item["kind"] == "code":
                self.code_cell(pos)
            else:
                self.test_cell(pos)
        if self.student is not None:
            self.memory_check(self.student)
            self.student.kill()
        return self.report

    # ------------------------------------------------------------ the student's process
    def died(self, error: StudentProcessError, pos: int) -> str:
        """The process died or was killed while item ``pos`` ran: forget it, remember why."""
        self.memory_check(self.student)
        self.student = None
        self.fatal.add(pos)
        if isinstance(error, ProtocolViolation):
            self.report.flags.add("integrity")
            self.report.diagnostics.append(f"protocol violation: {error}")
        status = "timeout" if isinstance(error, StudentTimeout) else "crashed"
        self.report.flags.add(status)
        return status

    def memory_check(self, student) -> None:
        if student is not None and student.memory_error:
            self.report.flags.add("memory")

    def run_code(self, pos: int) -> dict:
        try:
            reply = self.student.run_cell(self.items[pos]["code"], self.timeout)
        except StudentProcessError as e:
            return {"status": self.died(e, pos)}
        if reply.get("re") == "timeout":
            self.report.flags.add("timeout")
            return {"status": "timeout"}
        if reply.get("re") == "err":
            err = reply.get("err") or {}
            return {"status": "error", "error": _short(f"{err.get('name', '')}: {err.get('text', '')}", 200)}
        return {"status": "ok"}

    def ready(self, pos: int) -> bool:
        """A process that has run every cell before ``pos``: a new one replays them (not those that killed one)."""
        while self.student is None:
            if self.starts >= MAX_STARTS:
                return False
            self.starts += 1
            try:
                self.student = Student(self.start(), startup_timeout=self.startup_timeout)
            except StudentProcessError as e:
                self.report.diagnostics.append(f"the student's process did not start: {e}")
                continue
            for j in range(pos):
                if self.items[j]["kind"] == "code" and j not in self.fatal:
                    self.run_code(j)
                    if self.student is None:
                        break
        return True

    # ------------------------------------------------------------ cells and tests
    def code_cell(self, pos: int) -> None:
        item = self.items[pos]
        result = self.run_code(pos) if self.ready(pos) else {"status": "not_run"}
        if result["status"] != "ok":
            lines = item["code"].strip().splitlines()
            self.report.cells.append({"index": item["index"], "expected": item["expected_error"],
                                      "first_line": _short(lines[0] if lines else "", 80), **result})

    def test_cell(self, pos: int) -> None:
        item = self.items[pos]
        test = {"grade_id": item["grade_id"], "points": 0.0, "max_points": item["points"], "status": "not_run",
                "part": "visible", "message": "", "detail": ""}
        self.report.tests.append(test)
        if not self.ready(pos):
            test["message"] = "not run: the student's code crashed or timed out too often"
            return
        student = self.student
        try:
            student.deadline = time.monotonic() + self.timeout
            ns = dict(self.imports)
            for name in item["names"]:
                value = student.get(name)
                if value is not MISSING:
                    ns[name] = value
            for part in ("visible", "hidden"):
                if part == "hidden" and not (self.hidden and item["hidden"].strip()):
                    break
                student.deadline = time.monotonic() + self.timeout
                test["part"] = part
                checks.STUDENT_SIDE = student.make
                try:
                    outcome = run_part(item[part], ns, item["grade_id"])
                finally:
                    checks.STUDENT_SIDE = None
                status, message, detail = judge(outcome, part == "hidden", item["names"])
                test.update(status=status, message=message, detail=detail)
                if status != "passed":
                    break
        except StudentProcessError as e:
            status = self.died(e, pos)
            test.update(status=status, message="your code did not finish in time" if status == "timeout"
                        else "your code crashed the process it ran in (os._exit, a fatal error, or the memory limit)")
        if test["status"] == "passed":
            test["points"] = item["points"]
        self.memory_check(student)


# ---------------------------------------------------------------- the trusted process of one submission
def main() -> int:
    """Read a job from stdin, grade it, write the report to stdout. Everything else printed goes to stderr."""
    if sys.flags.optimize:
        print("the trusted process must not run with -O (it would strip the checks' asserts)", file=sys.stderr)
        return 2
    out = os.fdopen(os.dup(1), "w")
    os.dup2(2, 1)
    job = json.load(sys.stdin)
    import tempfile

    from . import sandbox
    limits = sandbox.Limits(**job["limits"])
    with open(os.devnull, "wb") as stderr, tempfile.TemporaryDirectory(prefix="grading-unsandboxed-") as workdir:
        if job["sandboxed"]:
            def start():
                return sandbox.start_sandboxed(limits, job["forbidden"], stderr=stderr, slot=job.get("slot", 0))
        else:
            def start():
                return sandbox.start_plain(workdir, limits, stderr=stderr)
        report = run_plan(job["plan"], start, timeout=job["timeout"], hidden=True)
    json.dump(report.as_dict(), out)
    out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
