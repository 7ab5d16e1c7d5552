"""Command line: ``python -m course_lib.grading {release,check,grade,gradebook}``.

    python -m course_lib.grading release   [NOTEBOOK ...] [--out release] [--source-links source]
    python -m course_lib.grading check     NOTEBOOK|NUMBER [--timeout S] [--json]
    python -m course_lib.grading grade     DIR [--source notebooks] [--feedback-dir DIR/feedback] [--jobs N]
                                               [--timeout S] [--memory-mb MB] [--unsandboxed] [--no-calibrate]
    python -m course_lib.grading gradebook DIR [--source notebooks] [--db gradebook.db] [--course-id ID]

Exit status: 0 success; 1 ``check``: an exercise fails or is not done; 2 usage error, unreadable input, no
usable sandbox, or source notebooks that do not get full marks through the grader (calibration).
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m course_lib.grading", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("release", help="the student edition of the notebooks (nbgrader's layout)")
    r.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    r.add_argument("--out", type=Path, default=ROOT / "release", help="writes OUT/<notebook>/<notebook>.ipynb")
    r.add_argument("--source-links", type=Path, default=ROOT / "source",
                   help="links SOURCE_LINKS/<notebook>/<notebook>.ipynb to the notebook, for nbgrader's formgrader")
    c = sub.add_parser("check", help="self-check a notebook's exercises (visible tests): exit 1 unless all pass")
    c.add_argument("notebook", help="a path, or a number (03) for your working copy work/03_*.ipynb")
    c.add_argument("--timeout", type=float, default=60, help="seconds per cell and per test (default 60)")
    c.add_argument("--json", action="store_true", help="print the result as JSON (for the notebook's button)")
    g = sub.add_parser("grade", help="grade DIR/<student>/<notebook>.ipynb into DIR/grades.csv and feedback")
    g.add_argument("dir", type=Path)
    g.add_argument("--source", type=Path, default=NOTEBOOKS, help="the instructor's notebooks (default notebooks/)")
    g.add_argument("--feedback-dir", type=Path, default=None,
                   help="where the feedback goes (default DIR/feedback; nbgrader's exchange: feedback)")
    g.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="submissions at a time (default: CPUs)")
    g.add_argument("--timeout", type=float, default=60, help="seconds per cell and per test (default 60)")
    g.add_argument("--memory-mb", type=int, default=2048, help="memory of the student's process (default 2048)")
    g.add_argument("--unsandboxed", action="store_true",
                   help="grade without bubblewrap (only for trusted code, or where no sandbox exists): "
                        "every row is flagged 'unsandboxed'")
    g.add_argument("--no-calibrate", action="store_true", help="skip grading the source notebooks first")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    b = sub.add_parser("gradebook", help="load DIR/grades.csv (per exercise) into nbgrader's gradebook")
    b.add_argument("dir", type=Path, help="the folder that `grade` wrote grades.csv and grading_details.json into")
    b.add_argument("--source", type=Path, default=NOTEBOOKS)
    b.add_argument("--db", default=str(ROOT / "gradebook.db"), help="an SQLite file or a database URL")
    b.add_argument("--course-id", default=os.environ.get("COURSE_ID", "nn-from-scratch"))
    args = ap.parse_args(argv)

    if args.cmd == "check":
        from .selfcheck import main as check
        return check(args.notebook, timeout=args.timeout, as_json=args.json)

    if args.cmd == "release":
        from .cells import has_tests, read
        from .release import link_sources, release
        paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
        if not paths:
            print("no notebooks to release", file=sys.stderr)
            return 2
        for dest in release(paths, args.out):
            kind = "exercises" if has_tests(read(dest)) else "no exercises"
            print(f"{_rel(dest)}  ({kind})")
        if args.source_links:
            link_sources(paths, args.source_links)
            print(f"{_rel(args.source_links)}/<notebook>/: links to the sources (nbgrader's source layout)")
        return 0

    if args.cmd == "gradebook":
        from .gradebook import load
        try:
            n = load(args.dir, args.source, args.db, course_id=args.course_id)
        except (OSError, ValueError) as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"{n} grades loaded into {args.db}")
        return 0

    from .grade import CalibrationError, SandboxUnavailable, Settings, grade_folder
    if not args.dir.is_dir():
        print(f"{args.dir}: not a folder", file=sys.stderr)
        return 2
    settings = Settings(timeout=args.timeout, memory_mb=args.memory_mb, jobs=args.jobs,
                        sandboxed=not args.unsandboxed)
    try:
        grades, skipped = grade_folder(args.dir, args.source, settings, feedback_dir=args.feedback_dir,
                                       calibrate=not args.no_calibrate, progress=not args.quiet)
    except SandboxUnavailable as e:
        print(f"error: no sandbox for the students' code: {e}.\nInstall bubblewrap, or grade anyway with "
              "--unsandboxed (the students' code then runs as you, with your files: only for code you trust; "
              "every row is flagged 'unsandboxed').", file=sys.stderr)
        return 2
    except CalibrationError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    flagged = [g for g in grades if g.flags]
    print(f"{len(grades)} notebooks graded -> {_rel(args.dir / 'grades.csv')}; feedback in "
          f"{_rel(args.feedback_dir or args.dir / 'feedback')}/; {len(flagged)} flagged "
          f"(see {_rel(args.dir / 'grading_details.json')})")
    if skipped:
        print(f"skipped {len(skipped)}:")
        for s in skipped:
            print(f"  {s['path']}: {s['reason']}")
    return 0


def _rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)
