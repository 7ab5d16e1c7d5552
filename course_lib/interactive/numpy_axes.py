"""Notebook 00b's widget: which cells ``sum`` / ``max`` / ``mean`` over an axis combine, with and without ``keepdims``.

Plain functions (callable and tested without a browser):

- ``reduction_groups(shape, axis)`` -> int array of ``shape``: for each cell of a 2-D array, the position (flat
  index) of the result entry it goes into when the array is reduced over ``axis``.
- ``show_reduction(op, axis, keepdims, x=EXAMPLE, ax=None)`` -> dict: draws ``x`` with the cells that each result
  entry combines in one colour, and the result, in its own shape, next to them (below ``x`` for ``axis=0``:
  one entry per column; to the right for ``axis=1``: one entry per row); returns the result and its shape.

Builder: ``reduction_widget(op, axis, keepdims, x)`` wires ``show_reduction`` to two drop-downs and a check box.
"""
from __future__ import annotations

import numpy as np

from ..plots import new_axes
from . import interact

__all__ = ["EXAMPLE", "OPS", "reduction_groups", "expression", "describe", "show_reduction", "reduction_widget"]

#: The array the widget shows: 3 rows and 4 columns (N != D, so the two axes cannot be mixed up); no row or
#: column has a tie for its maximum, and the rows have theirs in three different columns.
EXAMPLE = np.array([[3, 8, 1, 6],
                    [7, 2, 9, 4],
                    [9, 0, 5, 2]])

#: The reductions the widget offers: name -> NumPy function.
OPS = {"sum": np.sum, "max": np.max, "mean": np.mean}


def reduction_groups(shape, axis) -> np.ndarray:
    """For every cell of an array of ``shape`` ``(N, D)``, the flat index of the result entry it goes into
    when the array is reduced over ``axis`` (``0``: its column ``j``; ``1``: its row ``i``; ``None``: ``0``).

    Returns an int array of ``shape``. (``keepdims`` does not change the grouping, only the result's shape.)
    """
    n, d = shape
    rows, cols = np.indices((n, d))
    if axis == 0:
        return cols
    if axis == 1:
        return rows
    if axis is None:
        return np.zeros((n, d), dtype=np.int64)
    raise ValueError(f"reduction_groups: axis must be 0, 1 or None for a 2-D array, got {axis!r}")


def expression(op: str, axis, keepdims: bool) -> str:
    """The NumPy call being shown, e.g. ``'x.sum(axis=1, keepdims=True)'``."""
    args = f"axis={axis}" + (", keepdims=True" if keepdims else "")
    return f"x.{op}({args})"


def _check(op, axis, x):
    if op not in OPS:
        raise ValueError(f"show_reduction: op must be one of {sorted(OPS)}, got {op!r}")
    if axis not in (0, 1, None):
        raise ValueError(f"show_reduction: axis must be 0, 1 or None, got {axis!r}")
    x = np.asarray(x)
    if x.ndim != 2 or x.size == 0 or not np.issubdtype(x.dtype, np.number):
        raise ValueError(f"show_reduction: x must be a non-empty 2-D array of numbers, got shape {x.shape} "
                         f"and dtype {x.dtype}")
    return x


def describe(shape) -> str:
    """A shape in words: ``()`` -> ``'one number'``, ``(4,)`` -> ``'1-D, 4 entries'``, ``(3, 1)`` -> ``'2-D, 3 × 1'``."""
    if len(shape) == 0:
        return "one number"
    if len(shape) == 1:
        return f"1-D, {shape[0]} entries"
    return f"{len(shape)}-D, " + " × ".join(map(str, shape))


def _fmt(v) -> str:
    return f"{v:.3g}" if isinstance(v, (float, np.floating)) and not float(v).is_integer() else f"{v:g}"


def show_reduction(op: str = "sum", axis=0, keepdims: bool = False, x=None, ax=None) -> dict:
    """Draw ``x`` ``(N, D)`` and ``x.<op>(axis=axis, keepdims=keepdims)``: each result entry and the cells it
    combines share a colour; for ``max`` the cells holding each maximum get a thick border. The result is drawn
    in its own shape: a row under ``x`` for ``axis=0`` (one entry per column), a column to the right for
    ``axis=1, keepdims=True`` (one entry per row, lined up with them), a flat row for ``axis=1`` without
    ``keepdims`` (a 1-D array has no "column" form), one cell for ``axis=None``.

    op: ``'sum'``, ``'max'`` or ``'mean'``; axis: ``0``, ``1`` or ``None``; x: defaults to ``EXAMPLE`` (3, 4).
    Returns a dict: ``ax``; ``x``; ``op``, ``axis``, ``keepdims``; ``result`` (the NumPy result, an array);
    ``shape`` (its shape); ``groups`` (``reduction_groups``: which result entry each cell of ``x`` goes into);
    ``picked`` (bool ``(N, D)``: the cells equal to their group's maximum, for ``max``; ``None`` otherwise);
    ``expression`` (``'x.sum(axis=0)'``); ``title``. ``x`` is not modified.
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import to_rgba
    from matplotlib.patches import Rectangle

    x = _check(op, axis, EXAMPLE if x is None else x)
    n, d = x.shape
    result = np.asarray(OPS[op](x, axis=axis, keepdims=keepdims))
    groups = reduction_groups(x.shape, axis)
    flat = np.asarray(OPS[op](x, axis=axis)).reshape(-1)  # one value per group, in group order
    picked = (x == flat[groups]) if op == "max" else None
    colours = plt.get_cmap("tab10")

    def colour(k, alpha):
        return to_rgba(colours(k % 10) if axis is not None else colours(9), alpha)

    ax = new_axes(ax, figsize=(7, 3.6))
    for i in range(n):
        for j in range(d):
            thick = picked is not None and picked[i, j]
            ax.add_patch(Rectangle((j, i), 1, 1, facecolor=colour(groups[i, j], 0.35),
                                   edgecolor="k", lw=3 if thick else 0.8))
            ax.text(j + 0.5, i + 0.5, _fmt(x[i, j]), ha="center", va="center", fontsize=12,
                    fontweight="bold" if thick else "normal")

    # where the result goes: its cells (row, column) in the picture, one per result entry, in flat order
    k = result.size
    if axis == 0:
        where = [(n + 0.6, j) for j in range(k)]                        # under x, one per column
    elif axis == 1 and keepdims:
        where = [(i, d + 0.6) for i in range(k)]                        # right of x, one per row
    elif axis == 1:
        where = [(n + 0.6, d + 0.6 + j) for j in range(k)]              # a flat 1-D row: not lined up
    else:
        where = [(n + 0.6, d + 0.6)]                                    # one number
    for g, (r, c) in enumerate(where):
        ax.add_patch(Rectangle((c, r), 1, 1, facecolor=colour(g, 0.7), edgecolor="k", lw=1.2))
        ax.text(c + 0.5, r + 0.5, _fmt(result.reshape(-1)[g]), ha="center", va="center", fontsize=12)

    # the axis, as an arrow along the direction it runs
    if axis == 0:
        ax.annotate("", xy=(-0.35, n - 0.1), xytext=(-0.35, 0.1), arrowprops={"arrowstyle": "->", "lw": 2})
        ax.text(-0.5, n / 2, "axis 0\n(down the rows)", ha="right", va="center", fontsize=9)
    elif axis == 1:
        ax.annotate("", xy=(d - 0.1, -0.3), xytext=(0.1, -0.3), arrowprops={"arrowstyle": "->", "lw": 2})
        ax.text(d / 2, -0.45, "axis 1 (along each row)", ha="center", va="bottom", fontsize=9)
    name = expression(op, axis, keepdims)
    bottom = max(r for r, _ in where) + 1
    right = max(c for _, c in where) + 1
    ax.text(max(d, right) / 2, bottom + 0.45, f"{name}  ->  shape {result.shape}: {describe(result.shape)}", ha="center", va="top",
            fontsize=11, family="monospace")
    ax.set_xlim(-2.2 if axis == 0 else -0.3, max(d, right) + 0.3)
    ax.set_ylim(bottom + 1.1, -1.0)
    ax.set_aspect("equal")
    ax.axis("off")
    title = f"x has shape {x.shape}; {name} has shape {result.shape}"
    ax.set_title(title, fontsize=10)
    return {"ax": ax, "x": x, "op": op, "axis": axis, "keepdims": bool(keepdims), "result": result,
            "shape": result.shape, "groups": groups, "picked": picked, "expression": name, "title": title}


def _caption(shown: dict) -> str:
    return f"{shown['expression']} has shape {shown['shape']}:\n{shown['result']!r}"


def reduction_widget(op: str = "sum", axis=0, keepdims: bool = False, x=None):
    """Drop-downs for the reduction (``sum`` / ``max`` / ``mean``) and the axis (``0`` / ``1``) and a check
    box for ``keepdims``; ``show_reduction`` redraws on every change and the result is printed with its shape.
    Returns the ipywidgets ``VBox``."""
    import ipywidgets as widgets

    controls = {
        "op": widgets.Dropdown(options=list(OPS), value=op, description="x."),
        "axis": widgets.Dropdown(options=[0, 1], value=axis, description="axis"),
        "keepdims": widgets.Checkbox(value=keepdims, description="keepdims"),
    }
    return interact(show_reduction, controls, caption=_caption, x=EXAMPLE if x is None else x)
