"""Publish the student edition into the git repository that the nbgitpuller link clones.

The repository holds nbgrader's release layout: ``<notebook>/<notebook>.ipynb`` for every notebook of the course
(the same layout as ``release/`` and the same bytes as ``course_lib.workspace.student_edition``: solutions
replaced by ``raise NotImplementedError()``, hidden tests removed). So each lesson folder is also the nbgrader
assignment of that name: the Assignments tab submits the notebook the student worked in.

A publication is one commit on ``main``, made only when something changed; the bare repository is readable by
everyone and writable by root only. nbgitpuller merges a new publication into each student's clone on their next
click without overwriting their edits.
"""
from __future__ import annotations

import os
import shutil
import subprocess
from datetime import datetime, timezone
from pathlib import Path

BRANCH = "main"
AUTHOR = ["-c", "user.name=nn-from-scratch hub", "-c", "user.email=hub@nn-from-scratch.invalid"]


def _git(*args, cwd=None, check=True) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, check=check, capture_output=True, text=True)


def release_tree(notebooks: list[Path]) -> dict[str, bytes]:
    """``{"01_perceptron/01_perceptron.ipynb": bytes, ...}``: the student edition in nbgrader's release layout."""
    from course_lib.workspace import student_edition

    return {f"{p.stem}/{p.name}": student_edition(p) for p in sorted(notebooks)}


def write_tree(tree: dict[str, bytes], folder: Path) -> None:
    """Make ``folder`` hold exactly ``tree`` (besides ``.git``): write changed files, delete the others."""
    folder = Path(folder)
    wanted = {folder / rel for rel in tree}
    for path in sorted(folder.rglob("*"), reverse=True):
        if ".git" in path.relative_to(folder).parts:
            continue
        if path.is_file() and path not in wanted:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    for rel, data in tree.items():
        path = folder / rel
        if path.is_file() and path.read_bytes() == data:
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)


def ensure_repository(bare: Path, work: Path) -> None:
    """The bare repository (world-readable) and root's working copy of it."""
    bare, work = Path(bare), Path(work)
    if not (bare / "HEAD").is_file():
        bare.parent.mkdir(parents=True, exist_ok=True)
        _git("init", "--quiet", "--bare", f"--initial-branch={BRANCH}", str(bare))
    if not (work / ".git").is_dir():
        if work.exists():
            shutil.rmtree(work)
        work.parent.mkdir(parents=True, exist_ok=True)
        _git("init", "--quiet", f"--initial-branch={BRANCH}", str(work))
        _git("remote", "add", "origin", str(bare), cwd=work)
        if _git("ls-remote", "--heads", "origin", BRANCH, cwd=work).stdout.strip():
            _git("fetch", "--quiet", "origin", BRANCH, cwd=work)
            _git("reset", "--quiet", "--hard", f"origin/{BRANCH}", cwd=work)
    os.chmod(work, 0o700)


def publish(notebooks: list[Path], bare: Path, work: Path) -> tuple[str, list[str]]:
    """Publish the student edition of ``notebooks``. Returns (commit, changed paths); no new commit (and no
    changed paths) when the published course is already up to date."""
    ensure_repository(bare, work)
    write_tree(release_tree(notebooks), work)
    _git("add", "--all", cwd=work)
    changed = [line[3:] for line in _git("status", "--porcelain", cwd=work).stdout.splitlines()]
    if changed:
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        _git(*AUTHOR, "commit", "--quiet", "-m", f"Course update {stamp}", "-m", "\n".join(changed), cwd=work)
        _git("push", "--quiet", "origin", f"HEAD:{BRANCH}", cwd=work)
    # readable by every user (nbgitpuller clones as the student), writable by root only
    for path in [bare, *Path(bare).rglob("*")]:
        os.chmod(path, 0o755 if path.is_dir() else 0o644)
    commit = _git("rev-parse", "HEAD", cwd=work).stdout.strip()
    return commit, changed
