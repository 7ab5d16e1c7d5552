"""Command line: ``python -m course_lib.grading {release,validate,grade}``.

    python -m course_lib.grading release  [NOTEBOOK ...] [--out release/notebooks]
    python -m course_lib.grading validate NOTEBOOK [--timeout S]
    python -m course_lib.grading grade    DIR [--source notebooks] [--jobs N] [--timeout S] [--memory-mb MB]

Exit status: 0 success; 1 ``validate``: a test failed; 2 usage error, unreadable input, or a
grading environment that cannot give the source notebooks full marks.
"""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
RELEASE = ROOT / "release" / "notebooks"   # nbgrader's layout: release/<assignment>/


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m course_lib.grading", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("release", help="student versions of the notebooks")
    r.add_argument("notebooks", nargs="*", type=Path, help="default: every notebooks/*.ipynb")
    r.add_argument("--out", type=Path, default=RELEASE)
    v = sub.add_parser("validate", help="self-check a notebook: exit 1 when a graded test fails")
    v.add_argument("notebook", type=Path)
    v.add_argument("--timeout", type=float, default=120, help="seconds per cell (default 120)")
    v.add_argument("--memory-mb", type=int, default=2048)
    g = sub.add_parser("grade", help="autograde DIR/<student>/<notebook>.ipynb into DIR/grades.csv")
    g.add_argument("dir", type=Path)
    g.add_argument("--source", type=Path, default=NOTEBOOKS, help="the instructor's notebooks (default notebooks/)")
    g.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="kernels at a time (default: CPU count)")
    g.add_argument("--timeout", type=float, default=60, help="seconds per cell (default 60)")
    g.add_argument("--memory-mb", type=int, default=2048, help="memory limit per kernel (default 2048)")
    g.add_argument("--feedback-dir", type=Path, default=None,
                   help="where the feedback goes (default DIR/feedback; nbgrader's exchange: feedback)")
    g.add_argument("--no-calibrate", action="store_true", help="skip grading the source notebooks first")
    g.add_argument("--quiet", action="store_true", help="no progress bar")
    args = ap.parse_args(argv)

    if args.cmd == "release":
        from .cells import has_tests, read
        from .release import release
        paths = args.notebooks or sorted(NOTEBOOKS.glob("*.ipynb"))
        if not paths:
            print("no notebooks to release", file=sys.stderr)
            return 2
        for dest in release(paths, args.out):
            kind = "exercises" if has_tests(read(dest)) else "no exercises"
            print(f"{_rel(dest)}  ({kind})")
        return 0

    if args.cmd == "validate":
        from .validate import main as validate
        return validate(args.notebook, timeout=args.timeout, memory_mb=args.memory_mb)

    from .grade import CalibrationError, Settings, grade_folder
    if not args.dir.is_dir():
        print(f"{args.dir}: not a folder", file=sys.stderr)
        return 2
    settings = Settings(timeout=args.timeout, memory_mb=args.memory_mb, jobs=args.jobs)
    try:
        grades = grade_folder(args.dir, args.source, settings, progress=not args.quiet,
                              calibrate=not args.no_calibrate, feedback_dir=args.feedback_dir)
    except CalibrationError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    flagged = [g for g in grades if g.flags]
    print(f"{len(grades)} notebooks graded -> {_rel(args.dir / 'grades.csv')}; feedback in "
          f"{_rel(args.feedback_dir or args.dir / 'feedback')}/; {len(flagged)} flagged (see grading_details.json)")
    return 0


def _rel(p: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(p)
