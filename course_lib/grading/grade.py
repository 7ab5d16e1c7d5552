"""Autograde a folder of submissions: ``DIR/<student>/<notebook>.ipynb`` -> ``DIR/grades.csv``.

For every student and notebook:

1. **restore** the submission against the instructor's source (``cells.restore``): original test
   cells and metadata back, deleted cells re-inserted (flags ``modified_cells``, ``missing_cells``);
2. **normal run** -- the restored notebook in a fresh bounded kernel, as nbgrader's autograde does;
3. **clean run** -- a fresh kernel with only the student's definitions, then the original tests,
   each between probes that restore and check modules and the IPython shell (``program``);
4. **static checks** of the student's code (``static``);
5. score = the clean run's; flags for anything suspicious; feedback HTML without hidden tests.

Kernels are separate, resource-bounded processes; all files are written by this process after the
kernels have finished, from tests read into memory before any student code ran. Submissions are
graded concurrently (``jobs`` kernels at a time). Before grading, each source notebook is graded as
if it were a submission (*calibration*): it must get full marks with no flag, else the grading
environment is broken and grading stops instead of giving everyone wrong marks.
"""
from __future__ import annotations

import asyncio
import csv
import io
import json
import secrets
import shutil
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from . import cells as C
from .feedback import render_feedback
from .harness import MARKER, parse_probe
from .kernel import DIED, ERROR, NOT_RUN, OK, TIMEOUT, KernelRunner, StepResult
from .program import clean_program, normal_program
from .static import findings as static_findings

COLUMNS = ["student", "notebook", "score", "max_score", "flags"]
FLAG_ORDER = ["integrity", "timeout", "kernel_died", "memory", "missing_cells", "modified_cells",
              "missing_notebook", "unreadable", "grader_error"]
RESERVED = {"feedback"}


class CalibrationError(RuntimeError):
    """A source notebook does not get full marks through the grader: the environment is broken."""


@dataclass
class Settings:
    timeout: float = 60          # seconds per cell
    memory_mb: int = 2048        # address-space limit per kernel
    jobs: int = 2                # kernels at a time


@dataclass
class TestResult:
    grade_id: str
    points: float
    max_points: float
    status: str                  # passed, failed_visible, failed_hidden, timeout, died, tampered, not_run
    message: str = ""            # safe to show the student (never hidden-test content)
    hidden_part: bool = False    # the problem happened in the hidden part


@dataclass
class Grade:
    student: str
    notebook: str
    score: float = 0.0
    max_score: float = 0.0
    flags: list = field(default_factory=list)
    tests: list = field(default_factory=list)
    normal_score: float | None = None
    details: dict = field(default_factory=dict)
    solutions: dict = field(default_factory=dict)   # test grade_id -> the student's code for it
    folder: tuple = ()           # the notebook's folder inside the student's folder (nbgrader: ("notebooks",))
    extras: tuple = ()           # nbgrader's timestamp.txt / submission_secret.txt next to the submission

    def add_flag(self, flag: str) -> None:
        if flag not in self.flags:
            self.flags.append(flag)
        self.flags.sort(key=lambda f: FLAG_ORDER.index(f) if f in FLAG_ORDER else len(FLAG_ORDER))

    def row(self) -> dict:
        return {"student": self.student, "notebook": self.notebook, "score": fmt(self.score),
                "max_score": fmt(self.max_score), "flags": ";".join(self.flags)}


def fmt(x: float) -> str:
    x = round(float(x), 2)
    return str(int(x)) if x == int(x) else f"{x:g}"


def _short(s: str, n: int = 400) -> str:
    s = " ".join(str(s).split())
    return s if len(s) <= n else s[: n - 3] + "..."


def _solutions_for_tests(nb) -> dict:
    """For each test cell, the code of the solution cells since the previous test cell."""
    out, acc = {}, []
    for cell in nb.cells:
        if C.is_test(cell):
            out[C.grade_id(cell)] = "\n\n".join(acc)
            acc = []
        elif C.is_solution(cell) and cell.get("cell_type") == "code":
            acc.append(C.text(cell))
    return out


async def _run(steps, settings: Settings, sem: asyncio.Semaphore, restart: bool):
    async with sem:
        with tempfile.TemporaryDirectory(prefix="grading-", ignore_cleanup_errors=True) as cwd:
            runner = KernelRunner(timeout=settings.timeout, memory_mb=settings.memory_mb, cwd=cwd,
                                  restart=restart)
            return await runner.run(steps)


def _memory(results) -> bool:
    return any(r.ename == "MemoryError" for r in results)


async def grade_notebook(source_nb, submission_nb, student: str, notebook: str, settings: Settings,
                         sem: asyncio.Semaphore, normal_run: bool = True) -> Grade:
    """Grade one submission (already read) against its source notebook.

    ``normal_run=False`` skips the run of the whole notebook (only the clean re-run scores it): a
    quick check used by the tests on the real notebooks."""
    g = Grade(student=student, notebook=notebook, max_score=C.max_score(source_nb))
    restored = C.restore(source_nb, submission_nb)
    nb = restored.nb
    if restored.missing:
        g.add_flag("missing_cells")
    if restored.modified:
        g.add_flag("modified_cells")
    g.details.update(missing_cells=restored.missing, modified_cells=restored.modified,
                     foreign_ids=restored.stripped)
    g.solutions = _solutions_for_tests(nb)

    # static checks on the student's code: unlocked code cells that differ from every source cell
    source_texts = {C._norm(C.text(c)) for c in source_nb.cells if c.get("cell_type") == "code"}
    student_cells = [(i, C.text(c)) for i, c in enumerate(nb.cells)
                     if c.get("cell_type") == "code" and not C.is_locked(c) and C._norm(C.text(c)) not in source_texts]
    found = static_findings(student_cells, context=[C.text(c) for c in nb.cells if c.get("cell_type") == "code"])
    g.details["static"] = found

    nonce_n, nonce_c = secrets.token_hex(8), secrets.token_hex(8)
    normal, clean = normal_program(nb, nonce_n), clean_program(nb, nonce_c, source_texts)
    if normal_run:
        res_n, res_c = await asyncio.gather(_run(normal.steps, settings, sem, restart=False),
                                            _run(clean.steps, settings, sem, restart=True))
    else:
        res_c = await _run(clean.steps, settings, sem, restart=True)
        res_n = [StepResult(status=OK, outputs=[{"output_type": "stream", "name": "stdout",
                                                 "text": f"{MARKER} {nonce_n} " + '{"problems": []}'}])]
        normal.tests = []
    problems = []

    # normal run: nbgrader's rule (a test cell passes when it raises nothing)
    g.normal_score = sum(t["points"] for t in normal.tests if res_n[t["steps"]["cell"]].status == OK)
    normal_broken = any(r.status in (TIMEOUT, DIED) for r in res_n) or res_n[0].status == NOT_RUN
    if not normal_broken:
        report = parse_probe(res_n[-1].stdout, nonce_n)
        if report is None:
            problems.append("normal run: the final probe's output was suppressed")
        else:
            problems += [f"normal run: {p}" for p in report["problems"]]

    # clean run: the score
    clean_broken = False
    for t in clean.tests:
        st = t["steps"]
        vis, hid = res_c[st["visible"]], res_c[st["hidden"]] if "hidden" in st else None
        before, after = res_c[st["before"]], res_c[st["after"]]
        tr = TestResult(grade_id=t["grade_id"], points=0.0, max_points=t["points"], status="not_run")
        tampered = []
        for probe in (before, after):
            if probe.status == OK:
                report = parse_probe(probe.stdout, nonce_c)
                if report is None:
                    tampered.append("a probe's output was suppressed")
                else:
                    tampered += report["problems"]
        parts = [(vis, False)] + ([(hid, True)] if hid is not None else [])
        for r, hidden in parts:
            if r.status == OK:
                continue
            tr.hidden_part = hidden
            if r.status == ERROR:
                tr.status = "failed_hidden" if hidden else "failed_visible"
                if not hidden:
                    tr.message = _short(f"{r.ename}: {r.evalue}" if r.evalue else r.ename)
                    if r.ename == "NotImplementedError":
                        tr.message += " (the exercise was not answered)"
                    elif r.ename == "NameError":
                        tr.message += " (is it defined in a def, import or assignment, in a cell without errors?)"
            elif r.status == TIMEOUT:
                tr.status = "timeout"
                clean_broken = True
            elif r.status == DIED:
                tr.status = "died"
                clean_broken = True
            else:
                tr.status = "not_run"
            break
        else:
            tr.status, tr.points = "passed", t["points"]
        if tampered:
            problems += [f"clean run, {t['grade_id']}: {p}" for p in tampered]
            if tr.status == "passed":
                tr.status, tr.points = "tampered", 0.0
        g.tests.append(tr)
    g.score = sum(t.points for t in g.tests)

    # flags
    all_results = list(res_n) + list(res_c)
    if any(r.status == TIMEOUT for r in all_results):
        g.add_flag("timeout")
    if any(r.status == DIED for r in all_results):
        g.add_flag("kernel_died")
    if _memory(all_results):
        g.add_flag("memory")
    if found or problems:
        g.add_flag("integrity")
    for name, res in (("normal", res_n), ("clean", res_c)):
        if res[0].status != OK:  # our own first cell failed: not the student's doing
            g.add_flag("grader_error")
            problems.append(f"{name} run: the grading harness did not start ({res[0].status} {res[0].ename})")
    if not normal_run:
        g.normal_score = None
    elif not normal_broken and not clean_broken and abs(g.normal_score - g.score) > 1e-9:
        g.add_flag("integrity")
        problems.append(f"score {fmt(g.normal_score)} in the normal run but {fmt(g.score)} in the clean re-run")
    g.details["problems"] = problems
    return g


def find_submissions(root: Path, names: set[str]) -> tuple[dict, list[str]]:
    """``{(student, notebook): path}`` for ``root/<student>/**/<notebook>.ipynb``, and warnings."""
    found, warnings = {}, []
    for sdir in sorted(p for p in root.iterdir() if p.is_dir()):
        if sdir.name.startswith(".") or sdir.name in RESERVED:
            continue
        for p in sorted(sdir.rglob("*.ipynb"), key=lambda p: (len(p.parts), str(p))):
            if ".ipynb_checkpoints" in p.parts:
                continue
            if p.stem not in names:
                warnings.append(f"{p.relative_to(root)}: not a course notebook, skipped")
                continue
            key = (sdir.name, p.stem)
            if key in found:
                warnings.append(f"{p.relative_to(root)}: a second copy of {p.name} for {sdir.name}, skipped")
                continue
            found[key] = p
    return found, warnings


async def _grade_all(sources: dict, subs: dict, students: list, notebooks: list, settings: Settings,
                     progress: bool, calibrate: bool, root: Path) -> list[Grade]:
    sem = asyncio.Semaphore(max(1, settings.jobs))
    if calibrate:
        checks = await asyncio.gather(*(grade_notebook(sources[n], sources[n], "(source)", n, settings, sem)
                                        for n in notebooks))
        bad = [g for g in checks if g.score != g.max_score or g.flags]
        if bad:
            lines = [f"{g.notebook}: {fmt(g.score)}/{fmt(g.max_score)} flags={';'.join(g.flags)} "
                     f"{[(t.grade_id, t.status, t.message) for t in g.tests if t.status != 'passed']} "
                     f"{g.details.get('problems')} {g.details.get('static')}" for g in bad]
            raise CalibrationError("the source notebooks do not get full marks through the grader "
                                   "(is the environment complete?):\n  " + "\n  ".join(lines))

    bar = None
    if progress:
        from tqdm.auto import tqdm
        bar = tqdm(total=len(students) * len(notebooks), desc="grading", unit="notebook", file=sys.stderr)

    async def one(student, notebook):
        try:
            path = subs.get((student, notebook))
            if path is None:
                g = Grade(student, notebook, max_score=C.max_score(sources[notebook]))
                g.add_flag("missing_notebook")
                return g
            try:
                sub = C.read(path)
            except Exception as e:
                g = Grade(student, notebook, max_score=C.max_score(sources[notebook]))
                g.add_flag("unreadable")
                g.details["problems"] = [f"cannot read {path.name}: {_short(e, 200)}"]
                return g
            g = await grade_notebook(sources[notebook], sub, student, notebook, settings, sem)
            g.folder = path.relative_to(root).parts[1:-1]
            g.extras = tuple(str(p) for p in (path.parent / "timestamp.txt", path.parent / "submission_secret.txt")
                             if p.is_file())
            return g
        except Exception as e:  # a bug or an unexpected state: never a silent zero
            g = Grade(student, notebook, max_score=C.max_score(sources[notebook]))
            g.add_flag("grader_error")
            g.details["problems"] = [f"{type(e).__name__}: {_short(e, 300)}"]
            return g
        finally:
            if bar is not None:
                bar.update(1)

    try:
        return list(await asyncio.gather(*(one(s, n) for s in students for n in notebooks)))
    finally:
        if bar is not None:
            bar.close()


def write_csv(grades: list[Grade], path: Path) -> None:
    buf = io.StringIO()
    w = csv.DictWriter(buf, fieldnames=COLUMNS, lineterminator="\n")
    w.writeheader()
    for g in sorted(grades, key=lambda g: (g.student, g.notebook)):
        w.writerow(g.row())
    path.write_text(buf.getvalue(), encoding="utf-8")


def details_json(grades: list[Grade]) -> str:
    out = []
    for g in sorted(grades, key=lambda g: (g.student, g.notebook)):
        out.append({**g.row(), "normal_run_score": None if g.normal_score is None else fmt(g.normal_score),
                    "tests": [{"grade_id": t.grade_id, "points": fmt(t.points), "max_points": fmt(t.max_points),
                               "status": t.status} for t in g.tests],
                    **{k: v for k, v in sorted(g.details.items())}})
    return json.dumps(out, indent=1, sort_keys=False) + "\n"


def grade_folder(root, source_dir, settings: Settings | None = None, progress: bool = True,
                 calibrate: bool = True, log=print, feedback_dir=None) -> list[Grade]:
    """Grade ``root/<student>/<notebook>.ipynb`` against ``source_dir/*.ipynb``; write the CSV,
    ``grading_details.json`` (for the instructor) and ``feedback/<student>/<notebook>.html``.

    Submissions may sit deeper in the student's folder (nbgrader's ``collect`` writes
    ``submitted/<student>/notebooks/<notebook>.ipynb``): the feedback mirrors that folder, with
    nbgrader's ``timestamp.txt`` and ``submission_secret.txt`` beside it, so that ``nbgrader
    release_feedback`` can hand it out when ``feedback_dir`` is the course's ``feedback/``."""
    settings = settings or Settings()
    root, source_dir = Path(root), Path(source_dir)
    sources = {}
    for p in sorted(source_dir.glob("*.ipynb")):
        nb = C.read(p)
        if C.has_tests(nb):
            sources[p.stem] = nb
    subs, warnings = find_submissions(root, set(sources))
    for w in warnings:
        log(f"warning: {w}")
    students = sorted({s for s, _ in subs})
    notebooks = sorted({n for _, n in subs})
    grades = asyncio.run(_grade_all(sources, subs, students, notebooks, settings, progress, calibrate, root))
    write_csv(grades, root / "grades.csv")
    (root / "grading_details.json").write_text(details_json(grades), encoding="utf-8")
    feedback_dir = Path(feedback_dir) if feedback_dir else root / "feedback"
    for g in grades:
        out = feedback_dir.joinpath(g.student, *g.folder, f"{g.notebook}.html")
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(render_feedback(g, sources[g.notebook]), encoding="utf-8")
        for extra in g.extras:  # what `nbgrader release_feedback` needs beside the HTML
            shutil.copyfile(extra, out.parent / Path(extra).name)
    return grades
