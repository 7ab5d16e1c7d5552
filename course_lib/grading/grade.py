"""Grade a folder of submissions: ``DIR/<student>/**/<notebook>.ipynb`` -> ``DIR/grades.csv`` and feedback.

1. **Find** the submissions (``find_submissions``): a notebook is recognised by its source's file name anywhere
   in a student's folder; it must be a regular file reached without symbolic links (else its row is flagged
   ``not_a_regular_file``, ungraded). Hidden folders, ``.ipynb_checkpoints``, unknown files, second copies:
   skipped, and listed in the summary and in ``grading_details.json``.
2. **Calibrate**: each source notebook is graded as if it were a submission, through the same sandbox; it must
   get full marks with no flag, else grading stops with the reason (a test that needs a demo cell's variable, a
   broken environment) instead of giving everyone wrong marks.
3. **Grade** every submission in its own trusted process (``python -m course_lib.grading.engine``), ``jobs`` at a
   time: the submission is restored against its source (``cells.restore``: original tests and metadata back;
   flags ``missing_cells``, ``modified_cells``), its cells run in a bubblewrap sandbox, the source's tests run in
   the trusted process. Without a usable sandbox grading refuses, unless ``sandboxed=False`` (``--unsandboxed``):
   then every row is flagged ``unsandboxed``.
4. **Write** ``grades.csv`` (cells escaped against formula injection), ``grading_details.json`` (for the
   instructor) and one feedback page per row, first into a fresh temporary folder, then renamed into place.
"""
from __future__ import annotations

import csv
import io
import json
import os
import queue
import shutil
import stat
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import cells as C
from . import sandbox
from .engine import MAX_STARTS, make_plan
from .feedback import fmt, render
from .remote import GRACE

COLUMNS = ["student", "notebook", "score", "max_score", "flags"]
FLAG_ORDER = ["integrity", "timeout", "crashed", "memory", "missing_cells", "modified_cells", "missing_notebook",
              "not_a_regular_file", "unreadable", "grader_error", "unsandboxed"]
OUTPUTS = ("grades.csv", "grading_details.json")
MAX_NOTEBOOK_BYTES = 20 * 2**20
NBGRADER_EXTRAS = ("timestamp.txt", "submission_secret.txt")


class CalibrationError(RuntimeError):
    """A source notebook does not get full marks through the grader: the environment (or a test) is broken."""


class SandboxUnavailable(RuntimeError):
    """Bubblewrap cannot be used here; grade with ``sandboxed=False`` (``--unsandboxed``) only knowingly."""


@dataclass
class Settings:
    timeout: float = 60          # seconds per cell and per test part
    memory_mb: int = 2048        # address space of the student's process
    jobs: int = os.cpu_count() or 1
    sandboxed: bool = True


@dataclass
class Grade:
    student: str
    notebook: str
    max_score: float = 0.0
    score: float = 0.0
    flags: list = field(default_factory=list)
    tests: list = field(default_factory=list)        # dicts: grade_id, points, max_points, status, part, message, detail
    details: dict = field(default_factory=dict)      # for the instructor: restored cells, cell errors, diagnostics
    solutions: dict = field(default_factory=dict)    # test grade_id -> the student's code for it (feedback)
    folder: tuple = ()                               # the notebook's folder inside the student's (nbgrader layout)
    extras: tuple = ()                               # (name, bytes) of nbgrader's timestamp.txt etc. beside it

    def add_flag(self, *flags) -> None:
        for flag in flags:
            if flag not in self.flags:
                self.flags.append(flag)
        self.flags.sort(key=lambda f: FLAG_ORDER.index(f) if f in FLAG_ORDER else len(FLAG_ORDER))

    def row(self) -> dict:
        return {"student": self.student, "notebook": self.notebook, "score": fmt(self.score),
                "max_score": fmt(self.max_score), "flags": ";".join(self.flags)}


@dataclass
class Submission:
    student: str
    notebook: str
    path: Path
    problem: str = ""            # a flag when the file cannot be graded


# ---------------------------------------------------------------- 1. find
def find_submissions(root: Path, names: set, reserved=()) -> tuple[list[Submission], list[dict]]:
    """The submissions under ``root`` and the skipped entries ``{"path", "reason"}``."""
    root = Path(root)
    found: dict = {}
    skipped: list = []

    def skip(path: Path, reason: str):
        skipped.append({"path": str(path.relative_to(root)), "reason": reason})

    for entry in sorted(os.scandir(root), key=lambda e: e.name):
        path = Path(entry.path)
        if entry.name in OUTPUTS or entry.name in reserved:
            continue
        if entry.name.startswith("."):
            skip(path, "hidden folder or file")
        elif entry.is_symlink():
            skip(path, "symbolic link (not followed)")
        elif not entry.is_dir(follow_symlinks=False):
            skip(path, "not a student folder")
        else:
            _walk_student(root, path, names, found, skip)
    subs = []
    for (student, notebook), candidates in sorted(found.items()):
        regular = sorted((c for c in candidates if not c.problem), key=lambda c: (len(c.path.parts), str(c.path)))
        chosen = regular[0] if regular else candidates[0]
        for other in candidates:
            if other is not chosen:
                skip(other.path, f"a second copy of {notebook}.ipynb for {student}")
        subs.append(chosen)
    return subs, sorted(skipped, key=lambda s: s["path"])


def _walk_student(root: Path, folder: Path, names: set, found: dict, skip) -> None:
    student = folder.name
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=False):
        here = Path(dirpath)
        for d in sorted(dirnames):
            if d.startswith(".") or (here / d).is_symlink():
                skip(here / d, ".ipynb_checkpoints (autosaves)" if d == ".ipynb_checkpoints" else
                     "hidden folder" if d.startswith(".") else "symbolic link (not followed)")
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".") and not (here / d).is_symlink())
        for name in sorted(filenames):
            path = here / name
            if not name.endswith(".ipynb"):
                if name not in NBGRADER_EXTRAS:
                    skip(path, "not a notebook")
                continue
            if name.startswith(".") or path.stem not in names:
                skip(path, "not a notebook of the course" if not name.startswith(".") else "hidden file")
                continue
            sub = Submission(student, path.stem, path)
            if not stat.S_ISREG(os.lstat(path).st_mode):
                sub.problem = "not_a_regular_file"
            found.setdefault((student, path.stem), []).append(sub)


def read_regular(path: Path, limit: int = MAX_NOTEBOOK_BYTES):
    """The bytes of ``path``; ``None`` for a symbolic link or anything but a regular file. ``ValueError`` when it
    is larger than ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    with os.fdopen(fd, "rb") as f:
        if not stat.S_ISREG(os.fstat(f.fileno()).st_mode):
            return None
        data = f.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"larger than {limit // 2**20} MB")
    return data


# ---------------------------------------------------------------- 3. grade one
def solutions_for_tests(nb) -> dict:
    """For each test cell, the code of the solution cells since the previous test cell."""
    out, acc = {}, []
    for cell in nb.cells:
        if C.is_test(cell):
            out[C.grade_id(cell)] = "\n\n".join(acc)
            acc = []
        elif C.is_solution(cell) and cell.get("cell_type") == "code":
            acc.append(C.text(cell))
    return out


def grade_one(source_nb, submission_nb, student: str, notebook: str, settings: Settings, forbidden=(),
              slot: int = 0) -> Grade:
    """Restore a submission (already read) against its source and grade it in a trusted process, in grading slot
    ``slot`` (each of the ``jobs`` submissions graded at the same time has its own: ``sandbox.SLOT_UIDS``)."""
    g = Grade(student=student, notebook=notebook, max_score=C.max_score(source_nb))
    restored = C.restore(source_nb, submission_nb)
    if restored.missing:
        g.add_flag("missing_cells")
    if restored.modified:
        g.add_flag("modified_cells")
    g.details.update(missing_cells=restored.missing, modified_cells=restored.modified, foreign_ids=restored.stripped)
    g.solutions = solutions_for_tests(restored.nb)
    plan = make_plan(restored.nb, source_nb)
    job = {"plan": plan, "timeout": settings.timeout, "sandboxed": settings.sandboxed,
           "limits": {"memory_mb": settings.memory_mb}, "forbidden": [str(f) for f in forbidden], "slot": slot}
    budget = (settings.timeout + GRACE) * (2 * len(plan["items"]) + 4) * MAX_STARTS + 300
    report = _run_trusted(job, budget, memory_mb=2 * settings.memory_mb + 2048)
    if report is None:
        g.add_flag("grader_error")
        g.details["diagnostics"] = ["the trusted process failed or did not finish"]
        g.tests = [{"grade_id": C.grade_id(c), "points": 0.0, "max_points": C.points(c), "status": "not_run",
                    "part": "visible", "message": "not graded (grader error)", "detail": ""}
                   for c in source_nb.cells if C.is_test(c)]
        return g
    g.tests = report["tests"]
    g.score = sum(t["points"] for t in g.tests)
    g.add_flag(*report["flags"])
    g.details.update(cells=report["cells"], diagnostics=report["diagnostics"])
    if not settings.sandboxed:
        g.add_flag("unsandboxed")
    return g


def _run_trusted(job: dict, budget: float, memory_mb: int):
    """Run the trusted process of one submission (bounded in memory and wall time too: the student's values pass
    through it); its report, or ``None`` when it failed."""
    env = {**os.environ, **{v: "1" for v in sandbox.THREAD_VARS}, "MPLBACKEND": "Agg"}
    env.pop("PYTHONOPTIMIZE", None)   # -O would strip the tests' assert statements
    cmd = [sys.executable, "-m", "course_lib.grading.engine"]
    if shutil.which("prlimit"):
        cmd = ["prlimit", f"--as={memory_mb * 2**20}", "--core=0", "--"] + cmd
    with tempfile.TemporaryFile() as err:
        proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                stdout=subprocess.PIPE, stderr=err, env=env, start_new_session=True)
        try:
            out, _ = proc.communicate(json.dumps(job).encode(), timeout=budget)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
            return None
        if proc.returncode != 0:
            err.seek(0)
            sys.stderr.write(err.read()[-3000:].decode(errors="replace"))
            return None
    try:
        return json.loads(out)
    except ValueError:
        return None


# ---------------------------------------------------------------- 2 + 3. everything
def grade_all(subs: list[Submission], sources: dict, settings: Settings, forbidden=(), calibrate: bool = True,
              progress: bool = True) -> list[Grade]:
    slots = queue.Queue()
    for slot in range(max(1, settings.jobs)):
        slots.put(slot)

    def in_a_slot(source, nb, student, notebook) -> Grade:
        slot = slots.get()
        try:
            return grade_one(source, nb, student, notebook, settings, forbidden, slot)
        finally:
            slots.put(slot)

    def one(sub: Submission) -> Grade:
        g = Grade(sub.student, sub.notebook, max_score=C.max_score(sources[sub.notebook]))
        if sub.problem:
            g.add_flag(sub.problem)
            return g
        try:
            data = read_regular(sub.path)
            if data is None:
                g.add_flag("not_a_regular_file")
                return g
            nb = C.reads(data.decode("utf-8"))
        except Exception as e:  # noqa: BLE001 -- any broken file
            g.add_flag("unreadable")
            g.details["diagnostics"] = [f"cannot read the notebook: {type(e).__name__}: {str(e)[:100]}"]
            return g
        try:
            return in_a_slot(sources[sub.notebook], nb, sub.student, sub.notebook)
        except Exception as e:  # noqa: BLE001 -- a bug or an unexpected state: never a silent zero
            g.add_flag("grader_error")
            g.details["diagnostics"] = [f"{type(e).__name__}: {str(e)[:300]}"]
            return g

    with ThreadPoolExecutor(max_workers=max(1, settings.jobs)) as pool:
        if calibrate:
            names = sorted({s.notebook for s in subs if not s.problem})
            checks = list(pool.map(lambda n: in_a_slot(sources[n], sources[n], "(source)", n), names))
            bad = [g for g in checks if g.score != g.max_score or set(g.flags) - {"unsandboxed"}]
            if bad:
                lines = [f"{g.notebook}: {fmt(g.score)}/{fmt(g.max_score)} flags={';'.join(g.flags)} " + "; ".join(
                         f"{t['grade_id']} {t['status']}: {t['detail'] or t['message']}" for t in g.tests
                         if t["status"] != "passed") + " " + " ".join(g.details.get("diagnostics", [])) for g in bad]
                raise CalibrationError("the source notebooks do not get full marks through the grader:\n  "
                                       + "\n  ".join(lines))
        bar = None
        if progress:
            from tqdm.auto import tqdm
            bar = tqdm(total=len(subs), desc="grading", unit="notebook", file=sys.stderr)
        grades = []
        for g in pool.map(one, subs):
            grades.append(g)
            if bar is not None:
                bar.update(1)
        if bar is not None:
            bar.close()
    return grades


# ---------------------------------------------------------------- 4. write
def csv_cell(value: str) -> str:
    """A CSV cell that a spreadsheet will not run as a formula."""
    value = str(value)
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def grades_csv(grades: list[Grade]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(COLUMNS)
    for g in sorted(grades, key=lambda g: (g.student, g.notebook)):
        w.writerow([csv_cell(g.row()[c]) for c in COLUMNS])
    return buf.getvalue()


def details_json(grades: list[Grade], skipped: list, sandboxed: bool) -> str:
    rows = [{**g.row(), "flags": g.flags, "tests": g.tests, **{k: v for k, v in sorted(g.details.items())}}
            for g in sorted(grades, key=lambda g: (g.student, g.notebook))]
    doc = {"sandbox": "bubblewrap" if sandboxed else "none (--unsandboxed)", "grades": rows, "skipped": skipped}
    return json.dumps(doc, indent=1) + "\n"


def _place(src: Path, dest: Path) -> None:
    """Move ``src`` to ``dest`` atomically (a copy and a rename when they are on different file systems)."""
    dest.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.replace(src, dest)
    except OSError:
        tmp = dest.with_name(f".{dest.name}.tmp")
        shutil.copyfile(src, tmp)
        os.replace(tmp, dest)


def write_outputs(root: Path, feedback_dir: Path, grades: list[Grade], skipped: list, sources: dict,
                  sandboxed: bool) -> None:
    staging = Path(tempfile.mkdtemp(prefix=".grading-", dir=root))
    try:
        files = {root / "grades.csv": grades_csv(grades),
                 root / "grading_details.json": details_json(grades, skipped, sandboxed)}
        copies = {}
        for g in grades:
            page = feedback_dir.joinpath(g.student, *g.folder, f"{g.notebook}.html")
            files[page] = render(g, sources[g.notebook])
            for name, data in g.extras:   # what `nbgrader release_feedback` needs beside the page
                copies[page.parent / name] = data
        staged = {}
        for i, (dest, text) in enumerate(files.items()):
            staged[dest] = staging / str(i)
            staged[dest].write_text(text, encoding="utf-8")
        for i, (dest, data) in enumerate(copies.items()):
            staged[dest] = staging / f"x{i}"
            staged[dest].write_bytes(data)
        for dest, src in staged.items():
            _place(src, dest)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _extras(path: Path) -> tuple:
    """nbgrader's small files beside a submission, as ``(name, bytes)``: regular files only."""
    out = []
    for name in NBGRADER_EXTRAS:
        p = path.parent / name
        try:
            data = read_regular(p, limit=4096)
        except ValueError:
            continue
        if data is not None:
            out.append((name, data))
    return tuple(out)


def grade_folder(root, source_dir, settings: Settings | None = None, feedback_dir=None, calibrate: bool = True,
                 progress: bool = True) -> tuple[list[Grade], list[dict]]:
    """Grade ``root`` against the notebooks in ``source_dir``; write the CSV, the details and the feedback.

    Returns the grades and the skipped entries. Raises ``SandboxUnavailable`` or ``CalibrationError``."""
    settings = settings or Settings()
    root, source_dir = Path(root).resolve(), Path(source_dir).resolve()
    feedback_dir = Path(feedback_dir).resolve() if feedback_dir else root / "feedback"
    sources = {p.stem: C.read(p) for p in sorted(source_dir.glob("*.ipynb"))}
    sources = {k: nb for k, nb in sources.items() if C.has_tests(nb)}
    checkout_sources = sandbox.package_dir().parent / "notebooks"  # a checkout's own solutions (not when installed)
    forbidden = [source_dir, root, feedback_dir, *([checkout_sources] if checkout_sources.is_dir() else [])]
    if settings.sandboxed:
        why = sandbox.problem(forbidden)
        if why:
            raise SandboxUnavailable(why)
    reserved = {feedback_dir.relative_to(root).parts[0]} if feedback_dir.is_relative_to(root) else set()
    subs, skipped = find_submissions(root, set(sources), reserved)
    grades = grade_all(subs, sources, settings, forbidden, calibrate, progress)
    for g, sub in zip(grades, subs):
        g.folder = sub.path.relative_to(root).parts[1:-1]
        g.extras = _extras(sub.path)
    # a student who submitted some notebooks but not others: a row for each missing one
    students = sorted({g.student for g in grades})
    have = {(g.student, g.notebook) for g in grades}
    for student in students:
        for notebook in sorted({g.notebook for g in grades}):
            if (student, notebook) not in have:
                g = Grade(student, notebook, max_score=C.max_score(sources[notebook]))
                g.add_flag("missing_notebook")
                grades.append(g)
    write_outputs(root, feedback_dir, grades, skipped, sources, settings.sandboxed)
    return sorted(grades, key=lambda g: (g.student, g.notebook)), skipped
