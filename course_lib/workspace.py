"""The student's working copies: ``work/`` holds the student edition of every notebook, and it is theirs.

    python -m course_lib.workspace sync                # make or update work/ (what `make lab` runs)
    python -m course_lib.workspace solution 03         # the reference notebook, into work/solutions/

``sync`` writes the student edition (``course_lib.grading.release.student_version``: solutions replaced by
``raise NotImplementedError()``, hidden tests removed) of every notebook in ``notebooks/`` into ``work/``:

- a notebook that is not in ``work/`` yet is added (the first time: all of them);
- a notebook the student has not changed since it was written is replaced when the course changed it;
- a notebook the student *has* changed is never touched: when the course changed it too, the new version
  goes to ``work/course_updates/`` and ``sync`` says so.

Which files the student changed is told by ``work/.course_versions.json``: the SHA-256 of each file as
``sync`` wrote it. A student who deletes a notebook from ``work/`` gets a fresh copy on the next ``sync``.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "notebooks"
WORK = ROOT / "work"
MANIFEST = ".course_versions.json"
UPDATES = "course_updates"
SOLUTIONS = "solutions"

__all__ = ["sync", "solution"]


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def student_edition(path: Path) -> bytes:
    """The student edition of the notebook at ``path``, as the bytes written to ``work/``."""
    import nbformat

    from .grading import cells
    from .grading.release import student_version

    return nbformat.writes(student_version(cells.read(path))).encode() + b"\n"


def sync(source: Path = SOURCE, work: Path = WORK) -> list[str]:
    """Make or update the student's copies in ``work`` (see the module docstring). Returns what it did."""
    source, work = Path(source), Path(work)
    manifest_path = work / MANIFEST
    written = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    said = []
    for path in sorted(source.glob("*.ipynb")):
        new = student_edition(path)
        target = work / path.name
        if not target.exists():
            _write_atomic(target, new)
            written[path.name] = _sha256(new)
            said.append(f"new: {target.relative_to(work.parent)}")
            continue
        if _sha256(new) == written.get(path.name):
            continue  # the course did not change it since we wrote it
        current = _sha256(target.read_bytes())
        if current == written.get(path.name) or current == _sha256(new):
            _write_atomic(target, new)  # untouched by the student: take the course's new version
            written[path.name] = _sha256(new)
            said.append(f"updated: {target.relative_to(work.parent)} (you had not changed it)")
        else:
            update = work / UPDATES / path.name
            if not update.exists() or update.read_bytes() != new:
                _write_atomic(update, new)
                said.append(f"kept your {target.relative_to(work.parent)}: it has your work. The course changed "
                            f"it too; the new version is {update.relative_to(work.parent)}")
    _write_atomic(manifest_path, (json.dumps(written, indent=1, sort_keys=True) + "\n").encode())
    return said


def find_notebook(name: str, folder: Path = SOURCE) -> Path:
    """The notebook ``name`` names: a number (``03``, ``3``, ``00b``), a stem or a file name in ``folder``."""
    name = Path(name).name
    candidates = [p for p in sorted(Path(folder).glob("*.ipynb"))
                  if name in (p.name, p.stem) or p.stem.split("_")[0] in (name, name.zfill(2))]
    if len(candidates) != 1:
        known = ", ".join(p.stem for p in sorted(Path(folder).glob("*.ipynb")))
        what = "no notebook" if not candidates else "more than one notebook"
        raise FileNotFoundError(f"{what} called {name!r} in {folder}; the notebooks are: {known}")
    return candidates[0]


def solution(name: str, source: Path = SOURCE, work: Path = WORK) -> Path:
    """Copy the reference notebook (with the solutions and their outputs) to ``work/solutions/``."""
    path = find_notebook(name, source)
    target = work / SOLUTIONS / path.name
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(path, target)
    return target


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m course_lib.workspace", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    y = sub.add_parser("sync", help="make or update your working copies in work/")
    y.add_argument("--work", type=Path, default=WORK, help="the folder of the working copies (default: work/)")
    s = sub.add_parser("solution", help="the reference solutions of one notebook, into work/solutions/")
    s.add_argument("notebook", help="a number (03) or a name (03_forward_pass)")
    args = ap.parse_args(argv)
    if args.cmd == "sync":
        for line in sync(work=args.work):
            print(line)
        work = args.work.resolve()
        print(f"your notebooks are in {work.relative_to(Path.cwd()) if work.is_relative_to(Path.cwd()) else work}/")
        return 0
    try:
        target = solution(args.notebook)
    except FileNotFoundError as e:
        print(e, file=sys.stderr)
        return 2
    print(f"The reference solutions are in {target}.\n"
          "Try each exercise yourself first: you learn by getting it wrong and finding why. Then compare.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
