"""Per-student feedback: one small, self-contained HTML page per notebook.

Per exercise: the points, what happened (a failed visible check's message; for a hidden check only its
requirement and hint, or an assert's first line), the student's own code and the visible tests. Never the
hidden tests' code, never a traceback of the grader; an error of the student's code as one short, escaped
line. Deterministic (no dates), so grading twice gives the same bytes.
"""
from __future__ import annotations

import html

from . import cells as C

FLAG_TEXT = {
    "timeout": "Some of your code did not finish within the time limit (an infinite loop, or far too slow).",
    "crashed": "Your code crashed the process it ran in (os._exit, a fatal error, or the memory limit).",
    "memory": "Your code tried to use more memory than allowed.",
    "integrity": "Your code interfered with the grader. Your instructor will review this submission.",
    "missing_cells": "Some exercise or test cells had been deleted; the original cells were put back and graded.",
    "modified_cells": "Some locked cells (tests) had been edited; the original tests were used.",
    "missing_notebook": "This notebook was not found in your submission.",
    "not_a_regular_file": "Your submission was not a regular file (for example a link), so it was not graded.",
    "unreadable": "This notebook could not be read (is it a valid .ipynb file?).",
    "grader_error": "The grader could not grade this notebook; your instructor has been told.",
}


def result_text(test: dict) -> str:
    status, message = test["status"], test.get("message", "")
    if status == "passed":
        return "Passed."
    if status == "not_done":
        return "Not done yet."
    if status == "failed" and test.get("part") == "hidden":
        return f"The visible checks pass, but a hidden check failed: {message}" if message else \
            "The visible checks pass, but a hidden check failed."
    if status == "failed":
        return f"A check failed: {message}" if message else "A check failed."
    if status == "timeout":
        return "Your code did not finish in time while this exercise was tested (an infinite loop, or far too slow)."
    if status == "crashed":
        return "Your code crashed the process it ran in while this exercise was tested."
    return message or "Not tested."


def render(grade, source_nb) -> str:
    """The feedback page of ``grade`` (a ``grade.Grade``) for the notebook ``source_nb``."""
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
        f"<p>Score: <b>{e(fmt(grade.score))} / {e(fmt(grade.max_score))}</b></p>",
    ]
    for flag in grade.flags:
        if flag in FLAG_TEXT:
            parts.append(f'<p class="note">{e(FLAG_TEXT[flag])}</p>')
    if grade.tests:
        parts.append("<table><tr><th>exercise</th><th>points</th><th>result</th></tr>")
        for t in grade.tests:
            cls = "passed" if t["status"] == "passed" else "failed"
            parts.append(f'<tr><td>{e(t["grade_id"])}</td><td>{e(fmt(t["points"]))} / {e(fmt(t["max_points"]))}</td>'
                         f'<td class="{cls}">{e(t["status"].replace("_", " "))}</td></tr>')
        parts.append("</table>")
    for t in grade.tests:
        parts.append(f'<h2>{e(t["grade_id"])}: {e(fmt(t["points"]))} / {e(fmt(t["max_points"]))}</h2>')
        parts.append(f"<p>{e(result_text(t))}</p>")
        code = grade.solutions.get(t["grade_id"], "")
        if code.strip():
            parts.append(f"<h3>Your code</h3><pre>{e(code)}</pre>")
        parts.append(f"<h3>Visible tests</h3><pre>{e(visible.get(t['grade_id'], '').rstrip())}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def fmt(x) -> str:
    x = round(float(x), 2)
    return str(int(x)) if x == int(x) else f"{x:g}"
