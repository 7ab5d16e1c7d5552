"""Execute and clean the course notebooks (our nbstripout + "restart and run all").

    python scripts/nbtool.py run   [NOTEBOOK ...]   # execute in a fresh kernel, in order, then clean
    python scripts/nbtool.py clean [NOTEBOOK ...]   # only clean (metadata, widget state)
    python scripts/nbtool.py check [NOTEBOOK ...]   # exit 1 if a notebook is not clean / not executed in order

Without arguments: every ``notebooks/*.ipynb``. "Clean" means: notebook
metadata reduced to the kernelspec and the language; cell metadata reduced
to ``nbgrader``, ``tags``, ``deletable`` and ``editable``; no stored widget
state; execution counts 1, 2, 3, ... in order; no machine paths in outputs.
"""
from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
NB_DIR = ROOT / "notebooks"
KEEP_CELL_META = ("nbgrader", "tags", "deletable", "editable")
NB_META = {
    "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
    "language_info": {"name": "python"},
}
MACHINE_PATH = re.compile(r"(/work/|/root/|/tmp/|/home/[^/\s]+/|\.venv/lib/)")


def clean(nb) -> "nbformat.NotebookNode":
    """A cleaned copy of ``nb`` (see the module docstring)."""
    nb = copy.deepcopy(nb)
    nb.metadata = nbformat.from_dict(copy.deepcopy(NB_META))
    count = 0
    for cell in nb.cells:
        cell.metadata = nbformat.from_dict({k: cell.metadata[k] for k in KEEP_CELL_META if k in cell.metadata})
        if cell.cell_type == "code":
            if cell.get("execution_count") is not None or cell.outputs:
                count += 1
                cell.execution_count = count
                for out in cell.outputs:
                    if "execution_count" in out:
                        out["execution_count"] = count
    return nb


def problems(path: Path) -> list[str]:
    """What is wrong with a committed notebook: not clean, not executed, machine paths."""
    nb = nbformat.read(path, as_version=4)
    found = []
    if nbformat.writes(clean(nb)) != nbformat.writes(nb):
        found.append("not clean (run: python scripts/nbtool.py clean)")
    code = [c for c in nb.cells if c.cell_type == "code"]
    if any(c.execution_count is None for c in code):
        found.append("has unexecuted code cells (run: python scripts/nbtool.py run)")
    for i, c in enumerate(code):
        text = json.dumps(c.outputs)
        if MACHINE_PATH.search(text):
            found.append(f"code cell {i} has a machine path in its output")
        tags = c.metadata.get("tags", [])
        if any(o.get("output_type") == "error" for o in c.outputs) and "raises-exception" not in tags:
            found.append(f"code cell {i} has an error output (tag it raises-exception if intended)")
    return found


def run(path: Path, timeout: int = 120) -> float:
    """Execute ``path`` in a fresh kernel (cwd = its folder), clean it, write it back. Returns seconds."""
    from nbclient import NotebookClient

    nb = nbformat.read(path, as_version=4)
    for cell in nb.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    t0 = time.perf_counter()
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    seconds = time.perf_counter() - t0
    nbformat.write(clean(nb), path)
    return seconds


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("cmd", choices=["run", "clean", "check"])
    ap.add_argument("notebooks", nargs="*", type=Path)
    args = ap.parse_args(argv)
    paths = args.notebooks or sorted(NB_DIR.glob("*.ipynb"))
    status = 0
    for p in paths:
        if args.cmd == "run":
            print(f"{p.name}: executed in {run(p):.1f} s")
            for msg in problems(p):
                print(f"{p.name}: {msg}")
                status = 1
        elif args.cmd == "clean":
            nb = nbformat.read(p, as_version=4)
            nbformat.write(clean(nb), p)
        else:
            for msg in problems(p):
                print(f"{p.name}: {msg}")
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
