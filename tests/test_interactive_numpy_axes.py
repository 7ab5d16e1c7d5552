"""Notebook 00b's widget callback (course_lib.interactive.numpy_axes), without a browser."""
import itertools

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402

from course_lib.interactive import numpy_axes as NA  # noqa: E402

COMBOS = list(itertools.product(["sum", "max", "mean"], [0, 1, None], [False, True]))


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


def _cells(ax):
    """The drawn squares as {(row, col): text}, read from the picture (patches and the text at their centres)."""
    texts = {(round(t.get_position()[1] - 0.5, 2), round(t.get_position()[0] - 0.5, 2)): t.get_text()
             for t in ax.texts}
    return {(round(p.get_y(), 2), round(p.get_x(), 2)): texts.get((round(p.get_y(), 2), round(p.get_x(), 2)))
            for p in ax.patches if isinstance(p, Rectangle)}


@pytest.mark.parametrize("op, axis, keepdims", COMBOS)
def test_the_result_is_numpys(op, axis, keepdims, ax):
    x = np.random.default_rng(0).integers(-5, 10, size=(2, 5))
    shown = NA.show_reduction(op, axis, keepdims, x=x, ax=ax)
    expected = getattr(x, op)(axis=axis, keepdims=keepdims)
    np.testing.assert_allclose(shown["result"], expected)
    assert shown["shape"] == np.shape(expected)
    assert shown["expression"] == NA.expression(op, axis, keepdims)
    assert str(np.shape(expected)) in shown["title"] and shown["title"] == ax.get_title()


@pytest.mark.parametrize("op, axis, keepdims", COMBOS)
def test_each_colour_group_is_what_its_result_entry_combines(op, axis, keepdims, ax):
    x = NA.EXAMPLE
    shown = NA.show_reduction(op, axis, keepdims, ax=ax)
    groups, flat = shown["groups"], shown["result"].reshape(-1)
    assert groups.shape == x.shape and sorted(set(groups.ravel())) == list(range(flat.size))
    for k in range(flat.size):
        assert flat[k] == pytest.approx(getattr(x[groups == k], op)())
    if op == "max":
        for k in range(flat.size):  # the thick cells of a group hold its maximum (twice, for a tie)
            picked = x[shown["picked"] & (groups == k)]
            assert picked.size >= 1 and np.all(picked == flat[k])
    else:
        assert shown["picked"] is None


def test_groups_are_columns_for_axis_0_and_rows_for_axis_1():
    np.testing.assert_array_equal(NA.reduction_groups((2, 3), 0), [[0, 1, 2], [0, 1, 2]])
    np.testing.assert_array_equal(NA.reduction_groups((2, 3), 1), [[0, 0, 0], [1, 1, 1]])
    np.testing.assert_array_equal(NA.reduction_groups((2, 3), None), np.zeros((2, 3)))


def test_the_picture_shows_x_and_the_result_in_its_shape(ax):
    x = NA.EXAMPLE
    n, d = x.shape
    shown = NA.show_reduction("sum", 1, True, ax=ax)
    assert shown["ax"] is ax and shown["shape"] == (n, 1)
    cells = _cells(ax)
    for i, j in np.ndindex(n, d):  # every entry of x, in its place
        assert cells[(i, j)] == str(x[i, j])
    extra = {pos: text for pos, text in cells.items() if pos not in {(i, j) for i, j in np.ndindex(n, d)}}
    # keepdims=True over axis 1: a column right of x, lined up with its rows
    assert sorted(extra) == [(i, d + 0.6) for i in range(n)]
    assert [extra[(i, d + 0.6)] for i in range(n)] == [str(v) for v in x.sum(axis=1)]
    assert any("shape (3, 1)" in t.get_text() for t in ax.texts)

    ax.clear()
    NA.show_reduction("sum", 1, False, ax=ax)  # without keepdims: a flat 1-D row, not lined up with the rows
    rows = {r for (r, c) in _cells(ax) if c >= d}
    assert rows == {n + 0.6}
    assert any("shape (3,)" in t.get_text() and "1-D" in t.get_text() for t in ax.texts)

    ax.clear()
    NA.show_reduction("max", 0, False, ax=ax)  # one entry per column, under x; the maxima drawn thick
    under = {c: t for (r, c), t in _cells(ax).items() if r == n + 0.6}
    assert [under[j] for j in range(d)] == [str(v) for v in x.max(axis=0)]
    thick = {(round(p.get_y()), round(p.get_x())) for p in ax.patches if p.get_linewidth() >= 3}
    assert thick == {(int(np.argmax(x[:, j])), j) for j in range(d)}


def test_different_settings_draw_different_pictures():
    def render(*args):
        fig, ax = plt.subplots(figsize=(5, 3))
        NA.show_reduction(*args, ax=ax)
        fig.canvas.draw()
        img = np.asarray(fig.canvas.buffer_rgba()).copy()
        plt.close(fig)
        return img

    same = render("sum", 0, False)
    np.testing.assert_array_equal(same, render("sum", 0, False))
    for other in [("sum", 1, False), ("max", 0, False), ("sum", 0, True), ("sum", 1, True)]:
        assert not np.array_equal(same, render(*other)), other


def test_x_is_not_modified(ax):
    x = np.array([[1.5, -2.0], [3.0, 0.0], [4.0, 1.0]])
    before = x.copy()
    NA.show_reduction("max", 0, True, x=x, ax=ax)
    np.testing.assert_array_equal(x, before)


@pytest.mark.parametrize("kwargs, match", [
    ({"op": "min"}, "op must be one of"),
    ({"axis": 2}, "axis must be 0, 1 or None"),
    ({"x": np.arange(4)}, r"2-D array of numbers, got shape \(4,\)"),
    ({"x": np.array([["a", "b"]])}, "dtype"),
])
def test_bad_input_is_a_clear_error(kwargs, match):
    with pytest.raises(ValueError, match=match):
        NA.show_reduction(**kwargs)
    plt.close("all")


def test_describe():
    assert NA.describe(()) == "one number"
    assert NA.describe((4,)) == "1-D, 4 entries"
    assert NA.describe((3, 1)) == "2-D, 3 × 1"


def test_the_widget_redraws_with_the_controls_values():
    widgets = pytest.importorskip("ipywidgets")
    box = NA.reduction_widget()
    op, axis, keepdims, out = box.children
    assert isinstance(op, widgets.Dropdown) and isinstance(keepdims, widgets.Checkbox)
    assert isinstance(out, widgets.Output)
    assert box.result["expression"] == "x.sum(axis=0)" and box.result["shape"] == (4,)
    axis.value = 1
    assert box.result["shape"] == (3,)
    keepdims.value = True
    assert box.result["shape"] == (3, 1)
    op.value = "max"
    np.testing.assert_array_equal(box.result["result"], NA.EXAMPLE.max(axis=1, keepdims=True))
    assert plt.get_fignums() == []  # every figure the widget drew is closed
