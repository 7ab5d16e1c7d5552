"""The student's self-check: the notebook's visible tests, the same engine as the grader, no sandbox.

    python -m course_lib.grading check work/03_forward_pass.ipynb     (or: make check NB=03)

runs the saved notebook's cells in a fresh process (in the notebook's folder) and its visible tests in this one,
and prints one line per exercise -- PASS, FAIL with the requirement and the hint, NOT DONE -- plus a note about
any other cell that raised an error it was not meant to (a cell outside the exercises, not tagged
``raises-exception``), by number and first line. Exit status: 0 all pass, 1 a test fails or is not done,
2 the notebook cannot be read. Hidden tests are not in the student's copy: passing here is necessary, not
sufficient.

Inside JupyterLab, ``check_my_work("03_forward_pass.ipynb")`` shows a button that runs the same check in a new
process on the **saved** file (it saves nothing) and shows the table; ``table_html(result)`` builds that table
(a plain function, tested without a browser). No nbgrader needed.
"""
from __future__ import annotations

import datetime
import html
import json
import os
import subprocess
import sys
from pathlib import Path

from . import cells as C

LABELS = {"passed": "PASS", "failed": "FAIL", "not_done": "NOT DONE", "timeout": "TIMEOUT", "crashed": "CRASHED",
          "not_run": "NOT RUN"}


def check(path, timeout: float = 60) -> dict:
    """Check the saved notebook at ``path``: ``{"notebook", "saved", "rows", "notes", "error"}``.

    ``rows``: per test cell ``{"grade_id", "points", "status", "message"}``; ``notes``: other cells that
    failed unexpectedly, edited locked cells; ``error``: why the notebook could not be checked (else ``None``)."""
    from . import engine, sandbox

    path = Path(path)
    result = {"notebook": path.name, "saved": None, "rows": [], "notes": [], "error": None}
    try:
        result["saved"] = datetime.datetime.fromtimestamp(path.stat().st_mtime).strftime("%Y-%m-%d %H:%M:%S")
        nb = C.read(path)
    except Exception as e:  # noqa: BLE001 -- a missing file, broken JSON, not a notebook
        result["error"] = f"cannot read {path}: {type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
        return result
    plan = engine.make_plan(nb, hidden=False)
    report = engine.run_plan(plan, lambda: sandbox.start_plain(path.resolve().parent), timeout=timeout, hidden=False)
    for t in report.tests:
        result["rows"].append({"grade_id": t["grade_id"], "points": t["max_points"], "status": t["status"],
                               "message": t["message"]})
    numbers = {id(c): i + 1 for i, c in enumerate(nb.cells)}
    for cell in report.cells:
        if not cell["expected"]:
            what = "did not finish in time" if cell["status"] == "timeout" else \
                "crashed" if cell["status"] == "crashed" else f"raised {cell.get('error', '')}"
            result["notes"].append(f"cell {numbers[id(nb.cells[cell['index']])]} (`{cell['first_line']}`) {what}: "
                                   "the exercises after it may fail because of it")
    for gid in C.edited_locked_cells(nb):
        result["notes"].append(f"you edited the locked cell {gid}: the grader will use the original")
    return result


def exit_code(result: dict) -> int:
    if result["error"]:
        return 2
    return 0 if all(r["status"] == "passed" for r in result["rows"]) else 1


def _points(p) -> str:
    p = float(p)
    return f"{p:g} point{'' if p == 1 else 's'}"


def format_table(result: dict) -> str:
    """The check as text, for a terminal."""
    if result["error"]:
        return result["error"]
    if not result["rows"]:
        return f"{result['notebook']}: no graded exercises in this notebook."
    lines = []
    for r in result["rows"]:
        line = f"  {LABELS.get(r['status'], r['status']):<8}  {r['grade_id']} ({_points(r['points'])})"
        if r["status"] != "passed" and r["message"]:
            line += f": {r['message']}"
        lines.append(line)
    lines += [f"  note: {n}" for n in result["notes"]]
    done = sum(r["points"] for r in result["rows"] if r["status"] == "passed")
    total = sum(r["points"] for r in result["rows"])
    failing = sum(r["status"] != "passed" for r in result["rows"])
    summary = (f"all {len(result['rows'])} exercises pass their visible tests" if not failing else
               f"{failing} of {len(result['rows'])} exercises do not pass yet")
    lines.append(f"{result['notebook']} (saved {result['saved']}): {summary} ({done:g}/{total:g} points from the "
                 "visible tests; the hidden tests are checked when your work is graded).")
    return "\n".join(lines)


def table_html(result: dict) -> str:
    """The check as an HTML table (what the button shows)."""
    e = html.escape
    if result["error"]:
        return f'<p style="color:#b42318">{e(result["error"])}</p>'
    colors = {"passed": "#1a7f37", "not_done": "#9a6700"}
    parts = [f"<p>Checked <b>{e(result['notebook'])}</b> as saved at <b>{e(str(result['saved']))}</b> "
             "(save first, with Ctrl+S, to check your latest changes).</p>"]
    if not result["rows"]:
        return parts[0] + "<p>No graded exercises in this notebook.</p>"
    parts.append('<table><tr><th style="text-align:left">exercise</th><th>points</th><th>result</th>'
                 '<th style="text-align:left">what to do</th></tr>')
    for r in result["rows"]:
        label = LABELS.get(r["status"], r["status"])
        color = colors.get(r["status"], "#b42318")
        message = "" if r["status"] == "passed" else r["message"]
        points = f"{float(r['points']):g}"
        parts.append(f'<tr><td style="text-align:left">{e(r["grade_id"])}</td><td>{e(points)}</td>'
                     f'<td style="color:{color};font-weight:bold">{e(label)}</td>'
                     f'<td style="text-align:left">{e(message)}</td></tr>')
    parts.append("</table>")
    parts += [f"<p>Note: {e(n)}</p>" for n in result["notes"]]
    parts.append("<p>These are the visible tests; hidden tests with other inputs are checked when your work is "
                 "graded.</p>")
    return "\n".join(parts)


def run_check(notebook, timeout: float = 60) -> dict:
    """``check`` in a fresh process (``python -m course_lib.grading check NOTEBOOK --json``)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONOPTIMIZE"}   # -O would strip the checks' asserts
    proc = subprocess.run([sys.executable, "-m", "course_lib.grading", "check", str(notebook), "--json",
                           "--timeout", str(timeout)], capture_output=True, text=True, env=env)
    try:
        return json.loads(proc.stdout)
    except ValueError:
        tail = (proc.stderr or proc.stdout).strip().splitlines()[-1:] or ["no output"]
        return {"notebook": Path(notebook).name, "saved": None, "rows": [], "notes": [],
                "error": f"the check did not run: {tail[0]}"}


def check_my_work(notebook):
    """A button that checks the saved ``notebook`` (a path relative to the notebook's folder) and shows the table."""
    import ipywidgets as widgets
    from IPython.display import HTML, display

    button = widgets.Button(description="Check my work", icon="check", button_style="primary",
                            tooltip="runs the visible tests on the saved notebook, in a new process")
    out = widgets.Output()

    def on_click(_):
        out.clear_output()
        with out:
            display(HTML("<p>Checking the saved notebook (this takes a few seconds) ...</p>"))
        html_table = table_html(run_check(notebook))
        out.clear_output()
        with out:
            display(HTML(html_table))

    button.on_click(on_click)
    return widgets.VBox([widgets.HTML("<p>Save the notebook first (Ctrl+S): the check reads the saved file.</p>"),
                         button, out])


def main(target: str, timeout: float = 60, as_json: bool = False, out=print, work: Path | None = None) -> int:
    try:
        path = find_notebook(target, work)
    except FileNotFoundError as e:
        result = {"notebook": target, "saved": None, "rows": [], "notes": [],
                  "error": f"{e} (make lab makes your working copies there), or give the path of a notebook"}
    else:
        result = check(path, timeout=timeout)
    out(json.dumps(result) if as_json else format_table(result))
    return exit_code(result)


def find_notebook(target: str, work: Path | None = None) -> Path:
    """A path as given; a number (``03``, ``3``, ``00b``) or a name names the student's copy in ``work/``
    (``course_lib.workspace.find_notebook``: ``FileNotFoundError`` listing the notebooks there)."""
    from ..workspace import WORK, find_notebook as find_in

    path = Path(target)
    if path.suffix == ".ipynb" or path.exists() or any(sep in target for sep in "/\\"):
        return path
    return find_in(target, Path(work or WORK))
