"""Per-student feedback as a small, self-contained HTML page.

Shows, per exercise: the points, what happened, the student's own code and the *visible* tests.
Never shows hidden tests: not their code, not a traceback, not their output (a failure in the
hidden part is reported only as such). Deterministic (no dates), so grading twice gives the same files.
"""
from __future__ import annotations

import html

from . import cells as C

FLAG_TEXT = {
    "integrity": "Your code changed the testing environment (for example a library function or the notebook's "
                 "input handling) or gave different results when re-run from a clean start. Your instructor will "
                 "review this submission.",
    "timeout": "Some code did not finish within the time limit (an infinite loop, or far too slow).",
    "kernel_died": "Your code crashed the Python kernel (for example os._exit, or running out of memory).",
    "memory": "Your code tried to use more memory than allowed.",
    "missing_cells": "Some exercise or test cells had been deleted; the original cells were put back and graded.",
    "modified_cells": "Some locked cells (tests) had been edited; the original tests were used.",
    "missing_notebook": "This notebook was not found in your submission.",
    "unreadable": "This notebook could not be read (is it a valid .ipynb file?).",
    "grader_error": "The grader could not grade this notebook; your instructor has been told.",
}


def _message(t, timeout_note: str) -> str:
    if t.status == "passed":
        return "Passed: the visible and the hidden tests."
    if t.status == "failed_visible":
        return f"A visible test failed: {t.message}" if t.message else "A visible test failed."
    if t.status == "failed_hidden":
        return ("The visible tests passed, but a hidden test failed. Think about other inputs: other shapes, "
                "large or negative values, dtypes, not modifying the input. (Hidden tests are not shown.)")
    if t.status == "timeout":
        return f"The tests did not finish {timeout_note}: an infinite loop, or far too slow."
    if t.status == "died":
        return "Your code crashed the Python kernel while this exercise was tested."
    if t.status == "tampered":
        return "The testing environment was changed while these tests ran: no points."
    return "Not tested (the kernel could not be restarted after an earlier crash)."


def render_feedback(grade, source_nb, timeout_note: str = "in time") -> str:
    e = html.escape
    visible = {C.grade_id(c): C.split_hidden(C.text(c))[0] for c in source_nb.cells if C.is_test(c)}
    parts = [
        "<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
        f"<title>Feedback: {e(grade.notebook)} ({e(grade.student)})</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:60em;margin:2em auto;padding:0 1em;line-height:1.45}"
        "pre{background:#f5f5f5;padding:.6em;overflow-x:auto}table{border-collapse:collapse}"
        "td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}.passed{color:#1a7f37}"
        ".failed{color:#b42318}.note{background:#fff4e5;padding:.6em;border-left:4px solid #f79009}</style>",
        "</head><body>",
        f"<h1>{e(grade.notebook)}</h1>",
        f"<p>Student: <b>{e(grade.student)}</b></p>",
        f"<p>Score: <b>{e(_fmt(grade.score))} / {e(_fmt(grade.max_score))}</b></p>",
    ]
    for flag in grade.flags:
        if flag in FLAG_TEXT:
            parts.append(f'<p class="note">{e(FLAG_TEXT[flag])}</p>')
    if grade.tests:
        parts.append("<table><tr><th>exercise</th><th>points</th><th>result</th></tr>")
        for t in grade.tests:
            cls = "passed" if t.status == "passed" else "failed"
            parts.append(f'<tr><td>{e(t.grade_id)}</td><td>{e(_fmt(t.points))} / {e(_fmt(t.max_points))}</td>'
                         f'<td class="{cls}">{e(t.status.replace("_", " "))}</td></tr>')
        parts.append("</table>")
    for t in grade.tests:
        parts.append(f"<h2>{e(t.grade_id)}: {e(_fmt(t.points))} / {e(_fmt(t.max_points))}</h2>")
        parts.append(f"<p>{e(_message(t, timeout_note))}</p>")
        code = grade.solutions.get(t.grade_id, "")
        if code.strip():
            parts.append(f"<h3>Your code</h3><pre>{e(code)}</pre>")
        parts.append(f"<h3>Visible tests</h3><pre>{e(visible.get(t.grade_id, '').rstrip())}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _fmt(x) -> str:
    x = round(float(x), 2)
    return str(int(x)) if x == int(x) else f"{x:g}"
