"""Widgets and plots of notebook 01 (perceptron and logic gates).

Plain functions (callable and tested without a browser):

- ``show_gate(w1, w2, b, ax=None)`` -> dict: draws the decision line ``w1*x1 + w2*x2 + b = 0`` over the
  four inputs (each coloured by the perceptron's output) and returns the truth table and the name of the
  gate the weights implement (``'AND'``, ``'NAND'``, ``'OR'``, ``'NOR'``, or ``None``).
- ``format_truth_table(outputs)`` -> str: the four outputs as a small text table.
- ``plot_xor(ax=None)``: the XOR points with a few candidate lines, none of which separates them.

Builder: ``gate_widget(w1, w2, b)`` wires ``show_gate`` to three sliders. All gate logic comes from
``course_lib.perceptron``.
"""
from __future__ import annotations

import numpy as np

from ..perceptron import INPUTS, XOR, identify_gate, perceptron, truth_table
from ..plots import new_axes, plot_decision_boundary
from . import interact

__all__ = ["FUNCTION_NAMES", "function_name", "show_gate", "format_truth_table", "plot_xor", "gate_widget"]

#: A name for each of the 16 possible truth tables (outputs for ``INPUTS`` (0,0), (1,0), (0,1), (1,1)).
#: One perceptron can compute 14 of them -- all but XOR and XNOR.
FUNCTION_NAMES = {
    (0, 0, 0, 0): "always 0", (0, 0, 0, 1): "AND", (0, 1, 0, 0): "x1 AND NOT x2", (0, 1, 0, 1): "x1",
    (0, 0, 1, 0): "NOT x1 AND x2", (0, 0, 1, 1): "x2", (0, 1, 1, 0): "XOR", (0, 1, 1, 1): "OR",
    (1, 0, 0, 0): "NOR", (1, 0, 0, 1): "XNOR", (1, 0, 1, 0): "NOT x1", (1, 0, 1, 1): "NOT x1 OR x2",
    (1, 1, 0, 0): "NOT x2", (1, 1, 0, 1): "x1 OR NOT x2", (1, 1, 1, 0): "NAND", (1, 1, 1, 1): "always 1",
}


def function_name(outputs) -> str:
    """The name of the truth table ``outputs`` ``(4,)`` (0/1 for ``INPUTS``), e.g. ``'AND'``, ``'x1'``, ``'always 1'``."""
    key = tuple(int(v) for v in np.asarray(outputs).ravel())
    if key not in FUNCTION_NAMES:
        raise ValueError(f"function_name: expected 4 outputs of 0 or 1, got {key}")
    return FUNCTION_NAMES[key]


def format_truth_table(outputs) -> str:
    """The outputs ``(4,)`` for ``INPUTS`` (in truth-table order) as a text table ``x1 x2 | y``."""
    outputs = np.asarray(outputs)
    if outputs.shape != (4,):
        raise ValueError(f"format_truth_table: expected 4 outputs (shape (4,)), got shape {outputs.shape}")
    lines = ["x1 x2 | y", "------+--"]
    lines += [f" {int(x1)}  {int(x2)} | {int(y)}" for (x1, x2), y in zip(INPUTS, outputs)]
    return "\n".join(lines)


def show_gate(w1: float, w2: float, b: float, ax=None) -> dict:
    """Draw the perceptron ``(w1, w2, b)``: its decision line, the side where it outputs 1 (shaded), and
    the four inputs (filled = output 1, open = output 0). Returns what the picture shows:

    - ``w1``, ``w2``, ``b``: the weights (floats)
    - ``truth_table``: the outputs for ``INPUTS`` ``(0,0), (1,0), (0,1), (1,1)``: int array ``(4,)``
    - ``gate``: ``'AND'``, ``'NAND'``, ``'OR'``, ``'NOR'`` (see ``identify_gate``) or ``None``
    - ``function``: the name of whatever the truth table is (``function_name``), e.g. ``'x1'`` or ``'always 1'``
    - ``title``: the plot's title; ``ax``: the Axes it drew into
    """
    w1, w2, b = float(w1), float(w2), float(b)
    outputs = np.asarray(perceptron(INPUTS[:, 0], INPUTS[:, 1], w1, w2, b), dtype=np.int64)
    gate = identify_gate(w1, w2, b)
    function = function_name(outputs)
    title = f"w1={w1:g}, w2={w2:g}, b={b:g}: " + (gate if gate else f"not a gate ({function})")
    ax = plot_decision_boundary(w1, w2, b, x=INPUTS, t=outputs, ax=ax, title=title)
    return {"ax": ax, "w1": w1, "w2": w2, "b": b, "truth_table": outputs, "gate": gate, "function": function,
            "title": title}


def plot_xor(ax=None, lines=((1.0, 1.0, -0.5), (1.0, 1.0, -1.5), (1.0, -1.0, -0.5))):
    """The four XOR points (filled = 1) and the candidate lines ``w1*x1 + w2*x2 + b = 0`` in ``lines``.

    Returns ``{'ax', 'mistakes'}``: ``mistakes[i]`` is how many of the four points line ``i`` gets wrong
    (at least one for every line: XOR is not linearly separable)."""
    ax = new_axes(ax, figsize=(4, 4))
    t = truth_table(XOR)
    g = np.linspace(-0.5, 1.5, 201)
    mistakes = []
    for i, (w1, w2, b) in enumerate(lines):
        out = np.asarray(perceptron(INPUTS[:, 0], INPUTS[:, 1], w1, w2, b))
        wrong = int(min(np.sum(out != t), np.sum((1 - out) != t)))  # either side may be the "1" side
        mistakes.append(wrong)
        if abs(w2) > 1e-12:
            ax.plot(g, -(w1 * g + b) / w2, color=f"C{i + 1}", lw=1.5, ls="--", label=f"line {i + 1}: {wrong} wrong")
        else:
            ax.axvline(-b / w1, color=f"C{i + 1}", lw=1.5, ls="--", label=f"line {i + 1}: {wrong} wrong")
    ax.scatter(INPUTS[t == 0, 0], INPUTS[t == 0, 1], s=120, facecolors="white", edgecolors="k", zorder=3)
    ax.scatter(INPUTS[t == 1, 0], INPUTS[t == 1, 1], s=120, color="k", zorder=3)
    ax.set_xlim(-0.5, 1.5)
    ax.set_ylim(-0.5, 1.5)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title("XOR: no line separates ● from ○")
    ax.legend(loc="upper left", fontsize=8)
    return {"ax": ax, "mistakes": mistakes}


def gate_widget(w1: float = 0.5, w2: float = 0.5, b: float = -0.7):
    """Sliders for ``w1``, ``w2``, ``b`` above the picture of ``show_gate``, redrawn on every move, with the
    truth table and the gate's name under it. Returns the ipywidgets ``VBox``."""
    import ipywidgets as widgets

    def slider(value, name):
        return widgets.FloatSlider(value=value, min=-1.0, max=1.0, step=0.1, description=name,
                                   continuous_update=True, readout_format=".1f")

    def caption(shown):
        name = shown["gate"] or f"none of AND / NAND / OR / NOR -- this computes: {shown['function']}"
        return f"{format_truth_table(shown['truth_table'])}\ngate: {name}"

    controls = {"w1": slider(w1, "w1"), "w2": slider(w2, "w2"), "b": slider(b, "b")}
    return interact(show_gate, controls, caption=caption)
