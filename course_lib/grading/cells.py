"""nbgrader cells: recognise them, split tests into visible and hidden parts, restore a submission.

The cell format is nbgrader's (see docs/style.md): solution cells (``solution: true``) with a
``### BEGIN SOLUTION`` / ``### END SOLUTION`` region, and locked test cells (``grade: true``,
``points``) whose ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS`` block is removed from the
student version. Nothing here imports nbgrader, nor -- for a notebook in the current format -- nbformat,
whose import costs seconds of CPU (its JSON-schema checkers): the grader reads every submission, and a
student's self-check reads one, with ``read``/``reads`` below.
"""
from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

BEGIN_SOLUTION, END_SOLUTION = "### BEGIN SOLUTION", "### END SOLUTION"
BEGIN_HIDDEN, END_HIDDEN = "### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"
#: what a solution region becomes in the student version (nbgrader's default stub)
STUB = "# YOUR CODE HERE\nraise NotImplementedError()"


def text(cell) -> str:
    src = cell.get("source", "")
    return src if isinstance(src, str) else "".join(src)


def meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {}) or {}


def grade_id(cell) -> str | None:
    return meta(cell).get("grade_id")


def is_solution(cell) -> bool:
    return bool(meta(cell).get("solution"))


def is_test(cell) -> bool:
    """An autograded test cell: a locked code cell with points (not a manually graded answer)."""
    m = meta(cell)
    return bool(m.get("grade")) and not m.get("solution") and cell.get("cell_type") == "code"


def is_locked(cell) -> bool:
    m = meta(cell)
    return bool(m.get("locked")) or is_test(cell)


def points(cell) -> float:
    return float(meta(cell).get("points", 0) or 0)


def test_cells(nb) -> list:
    return [c for c in nb.cells if is_test(c)]


def has_tests(nb) -> bool:
    return bool(test_cells(nb))


def max_score(nb) -> float:
    return sum(points(c) for c in test_cells(nb))


def split_hidden(source: str) -> tuple[str, str]:
    """``(visible, hidden)`` code of a test cell: the hidden block's lines and the rest."""
    visible, hidden, inside = [], [], False
    for line in source.splitlines():
        if BEGIN_HIDDEN in line:
            inside = True
        elif END_HIDDEN in line:
            inside = False
        elif inside:
            hidden.append(line)
        else:
            visible.append(line)
    return "\n".join(visible).rstrip() + "\n", "\n".join(hidden).rstrip() + ("\n" if hidden else "")


def stub_solution(source: str) -> str:
    """The student version of a solution cell's code: each solution region becomes ``raise NotImplementedError()``."""
    out, inside = [], False
    for line in source.splitlines():
        if BEGIN_SOLUTION in line:
            inside = True
            indent = line[: len(line) - len(line.lstrip())]
            out.extend(indent + stub_line for stub_line in STUB.splitlines())
        elif END_SOLUTION in line:
            inside = False
        elif not inside:
            out.append(line)
    return "\n".join(out)


def checksum(cell) -> str:
    """nbgrader's checksum of a cell (``nbgrader.utils.compute_checksum``, without importing nbgrader)."""
    m = hashlib.md5()
    for part in (text(cell), cell.get("cell_type", ""), str(bool(meta(cell).get("grade"))), str(is_solution(cell)),
                 str(bool(meta(cell).get("locked"))), grade_id(cell) or ""):
        m.update(part.encode("utf-8"))
    if meta(cell).get("grade"):
        m.update(str(float(meta(cell)["points"])).encode())
    return m.hexdigest()


def edited_locked_cells(nb) -> list[str]:
    """grade_ids of locked cells whose text no longer matches the checksum the release stored."""
    return [grade_id(c) for c in nb.cells
            if is_locked(c) and meta(c).get("checksum") and checksum(c) != meta(c)["checksum"]]


def _norm(source: str) -> str:
    return "\n".join(line.rstrip() for line in source.strip().splitlines())


@dataclass
class Restored:
    nb: object
    missing: list = field(default_factory=list)     # grade_ids put back because they were deleted
    modified: list = field(default_factory=list)    # grade_ids of locked cells whose edits were undone
    stripped: list = field(default_factory=list)    # nbgrader ids in the submission that the source does not have


def restore(source_nb, submission_nb) -> Restored:
    """The submission with the instructor's locked cells and nbgrader metadata put back.

    - solution cells keep the student's code, with the source's metadata;
    - locked cells (tests, read-only cells) get the source's text back (``modified``);
    - deleted nbgrader cells are re-inserted after the nearest earlier nbgrader cell (``missing``):
      a deleted solution cell comes back as the unanswered stub;
    - nbgrader metadata that the source does not know (invented or duplicated ids) is removed, so a
      submission can neither add points nor change them.
    """
    src_cells = [c for c in source_nb.cells if grade_id(c)]
    by_id = {grade_id(c): c for c in src_cells}
    out = Restored(nb=copy.deepcopy(submission_nb))
    cells, seen = [], set()
    for cell in out.nb.cells:
        gid = grade_id(cell)
        if gid is None:
            cells.append(cell)
            continue
        if gid not in by_id or gid in seen:
            cell.metadata.pop("nbgrader", None)
            out.stripped.append(gid)
            cells.append(cell)
            continue
        seen.add(gid)
        orig = by_id[gid]
        new = copy.deepcopy(orig)
        if is_solution(orig) and not is_locked(orig):
            new.source = text(cell)
        elif _norm(text(cell)) not in (_norm(text(orig)), _norm(split_hidden(text(orig))[0])) \
                or cell.get("cell_type") != orig.get("cell_type"):
            out.modified.append(gid)
        if new.get("cell_type") == "code":
            new.outputs = []
            new.execution_count = None
        cells.append(new)
    # put deleted cells back, in the source's order, after the nearest earlier nbgrader cell
    order = [grade_id(c) for c in src_cells]
    for k, gid in enumerate(order):
        if gid in seen:
            continue
        new = copy.deepcopy(by_id[gid])
        if is_solution(new) and not is_locked(new):
            new.source = stub_solution(text(new))
        if new.get("cell_type") == "code":
            new.outputs = []
            new.execution_count = None
        pos = 0
        for prev in reversed(order[:k]):
            idx = next((i for i, c in enumerate(cells) if grade_id(c) == prev), None)
            if idx is not None:
                pos = idx + 1
                break
        else:
            nxt = [i for i, c in enumerate(cells) if grade_id(c) in order[k + 1:]]
            pos = nxt[0] if nxt else len(cells)
        cells.insert(pos, new)
        seen.add(gid)
        out.missing.append(gid)
    out.nb.cells = cells
    return out


class Node(dict):
    """A notebook, a cell or their metadata: a dict with attribute access, as nbformat's ``NotebookNode``."""

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name, value):
        self[name] = value

    def __delattr__(self, name):
        try:
            del self[name]
        except KeyError:
            raise AttributeError(name) from None


def _node(x):
    if isinstance(x, dict):
        return Node((k, _node(v)) for k, v in x.items())
    if isinstance(x, list):
        return [_node(v) for v in x]
    return x


def reads(text: str):
    """A notebook from its JSON text. Format 4 (what Jupyter writes) is read directly, every cell's ``source``
    joined into one string as nbformat does; anything older goes through nbformat. ``ValueError`` when the text
    is not a notebook."""
    data = json.loads(text)
    if not isinstance(data, dict) or "nbformat" not in data:
        raise ValueError("not a notebook (no 'nbformat' field)")
    if data["nbformat"] != 4:
        import nbformat
        return nbformat.reads(text, as_version=4)
    cells = data.get("cells")
    if not isinstance(cells, list) or not all(isinstance(c, dict) and isinstance(c.get("cell_type"), str)
                                              and isinstance(c.get("source", ""), (str, list)) for c in cells):
        raise ValueError("not a notebook: malformed cells")
    for cell in cells:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(map(str, cell["source"]))
        cell.setdefault("metadata", {})
        if not isinstance(cell["metadata"], dict):
            raise ValueError("not a notebook: malformed cell metadata")
    return _node(data)


def read(path):
    """The notebook at ``path`` (see ``reads``)."""
    return reads(Path(path).read_text(encoding="utf-8"))
