"""The facts that notebooks 00b, 01 and 02 state in their text, checked against NumPy and course_lib.

Each test names the notebook, finds the sentence that states the fact (so that a reworded claim is looked at
again) and checks the fact itself. Numbers the notebooks print are computed in the notebooks; these tests guard
the sentences around them.
"""
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib import functions as F
from course_lib.layers import Relu
from course_lib.perceptron import INPUTS, identify_gate, perceptron

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _markdown(stem: str) -> str:
    nb = nbformat.read(NOTEBOOKS / f"{stem}.ipynb", as_version=4)
    return " ".join(" ".join(c.source.split()) for c in nb.cells if c.cell_type == "markdown")


def _states(stem: str, *phrases: str) -> None:
    text = _markdown(stem)
    for phrase in phrases:
        assert phrase in text, f"{stem} no longer says {phrase!r}: re-check the claim and this test"


def _outputs(w1, w2, b):
    return tuple(int(v) for v in perceptron(INPUTS[:, 0], INPUTS[:, 1], w1, w2, b))


# ---------------------------------------------------------------- 00b_numpy
def test_00b_a_float_written_into_an_int_array_is_cut_and_a_float_add_in_place_fails():
    _states("00b_numpy", "**writing** a float into an integer array cuts it down to an integer, silently",
            "an in-place `+=` with a float refuses to run")
    a = np.array([1, 2, 3])
    a[0] = 0.7
    assert a[0] == 0 and a.dtype.kind == "i"
    with pytest.raises(TypeError):  # numpy's UFuncTypeError is a TypeError
        a += 0.5


def test_00b_broadcasting_table():
    _states("00b_numpy", "`(2, 3) + (2,)` fails", "`(3,) + (3, 1)` *works* and gives `(3, 3)`")
    assert (np.zeros((2, 3)) + np.zeros((3,))).shape == (2, 3)
    assert (np.zeros((2, 3)) + np.zeros((2, 1))).shape == (2, 3)
    assert (np.zeros((3,)) + np.zeros((3, 1))).shape == (3, 3)
    with pytest.raises(ValueError):
        np.zeros((2, 3)) + np.zeros((2,))


def test_00b_slices_are_views_fancy_indexing_and_masks_copy():
    _states("00b_numpy", "A **slice** (`a[1:3]`, `x[:, 0]`) is a **view**", "Fancy indexing and masks make **copies**")
    a = np.arange(6.0).reshape(2, 3)
    assert np.shares_memory(a, a[:, 0]) and np.shares_memory(a, a[1:])
    assert not np.shares_memory(a, a[[0, 1]]) and not np.shares_memory(a, a[a > 2])


def test_00b_y_colon_t_is_n_by_n():
    _states("00b_numpy", "an `(N, N)` array instead of one score per sample")
    y, t = np.arange(12.0).reshape(4, 3), np.array([2, 0, 1, 1])
    assert y[:, t].shape == (4, 4)
    np.testing.assert_array_equal(y[np.arange(4), t], [2.0, 3.0, 7.0, 10.0])


# ---------------------------------------------------------------- 01_perceptron
def test_01_positive_weights_and_a_positive_bias_fire_for_every_input():
    _states("01_perceptron", "with positive weights *and* a positive bias, every weighted sum is at least $b > 0$",
            "A positive bias alone is fine — NAND's is $+0.7$")
    grid = np.linspace(0.0, 1.0, 11)
    for w1 in grid:
        for w2 in grid:
            for b in grid[1:]:
                assert _outputs(w1, w2, b) == (1, 1, 1, 1), (w1, w2, b)
    assert identify_gate(-0.5, -0.5, 0.7) == "NAND"


def test_01_w2_zero_copies_x1_exactly_for_b_in_minus_w1_to_zero():
    _states("01_perceptron", "for $w_1 = 0.5$ that means $-0.5 < b \\le 0$, e.g. $b = -0.2$",
            "From AND's $b = -0.7$ the line lies to the right of all four points and the output is always 0")
    copies_x1 = (0, 1, 0, 1)
    for b in np.round(np.linspace(-1.0, 1.0, 201), 10):
        assert (_outputs(0.5, 0.0, b) == copies_x1) == (-0.5 < b <= 0.0), b
    assert _outputs(0.5, 0.0, -0.7) == (0, 0, 0, 0)


def test_01_the_line_is_at_distance_b_over_norm_w_and_doubling_ands_weights_gives_or():
    _states("01_perceptron", "the line's distance from the origin is $|b| / \\lVert w \\rVert$",
            "Doubling AND's weights turns it into OR", "Multiplying all three numbers by the same positive factor")
    rng = np.random.default_rng(0)
    for w1, w2, b in rng.normal(size=(20, 3)):
        w = np.array([w1, w2])
        closest = -b * w / (w @ w)  # the point of the line nearest to the origin
        assert abs(w @ closest + b) < 1e-12
        assert np.linalg.norm(closest) == pytest.approx(abs(b) / np.linalg.norm(w))
    assert identify_gate(0.5, 0.5, -0.7) == "AND" and identify_gate(1.0, 1.0, -0.7) == "OR"
    for k in (2.0, 3.5, 10.0):
        assert identify_gate(0.5 * k, 0.5 * k, -0.7 * k) == "AND"


def test_01_one_perceptron_makes_14_of_the_16_truth_tables_all_but_xor_and_xnor():
    _states("01_perceptron", "one perceptron can produce 14 — all but XOR and its opposite, XNOR")
    grid = np.linspace(-1, 1, 41)
    W1, W2, B = np.meshgrid(grid, grid, grid, indexing="ij")
    out = np.stack([(W1 * x1 + W2 * x2 + B > 0) for x1, x2 in INPUTS], axis=-1).reshape(-1, 4).astype(int)
    tables = {tuple(r) for r in out}
    every = {tuple(int(c) for c in f"{k:04b}") for k in range(16)}
    assert every - tables == {(0, 1, 1, 0), (1, 0, 0, 1)}


# ---------------------------------------------------------------- 02_activation_functions
def test_02_float32_exp_overflows_at_minus_89_and_the_naive_sigmoid_gives_0_not_nan():
    _states("02_activation_functions", "so `np.exp` overflows already at $x = -89$",
            "The naive sigmoid still returns 0 there, not `nan`")
    with np.errstate(over="ignore", invalid="ignore"):
        e = np.exp(-np.array([-88.0, -89.0], dtype=np.float32))
        assert np.isfinite(e[0]) and np.isinf(e[1])
        naive = 1 / (1 + e)
        assert naive[1] == 0.0 and not np.isnan(naive).any()
        assert np.isnan((e / (1 + e) ** 2)[1])  # the slope formula: inf / inf
    assert F.sigmoid(np.float32(-89.0)) > 0  # the stable one: a tiny positive number


def test_02_the_sigmoid_factors_alone_shrink_a_signal_to_about_a_millionth():
    _states("02_activation_functions", "the **sigmoid factors alone** shrink the signal to at most $0.25^{10}$, "
                                       "about one millionth")
    x = np.linspace(-10, 10, 20001)
    assert F.sigmoid_grad(x).max() == pytest.approx(0.25) and F.sigmoid_grad(np.array(0.0)) == 0.25
    assert 0.9e-6 < 0.25 ** 10 < 1.0e-6


def test_02_relu_slope_at_zero_course_and_layer_use_0_the_books_relu_grad_gives_1():
    _states("02_activation_functions", "like the book's `Relu` *layer*",
            "The book's separate `relu_grad` function picks 1 at 0 instead")

    def books_relu_grad(x):  # common/functions.py of the book
        grad = np.zeros_like(x)
        grad[x >= 0] = 1
        return grad

    assert books_relu_grad(np.array([0.0]))[0] == 1.0
    assert F.relu_grad(np.array([0.0]))[0] == 0.0
    layer = Relu()
    layer.forward(np.array([0.0]))
    assert layer.backward(np.array([1.0]))[0] == 0.0


def test_02_w_squeezes_the_curve_and_the_sigmoids_largest_slope_is_w_over_4():
    _states("02_activation_functions", "The weight $w$ **squeezes** the curve", "The slope gets multiplied by $w$")
    from course_lib.interactive.activations import show_activation
    import matplotlib.pyplot as plt

    for w in (0.5, 1.0, 3.0):
        shown = show_activation("sigmoid", w=w, b=0.0)
        assert shown["max_slope"] == pytest.approx(w / 4, rel=1e-3)
        # squeezing: the rise from 0.1 to 0.9 happens over a stretch of x that shrinks as 1 / w
        inside = shown["x"][(shown["y"] > 0.1) & (shown["y"] < 0.9)]
        assert inside.max() - inside.min() == pytest.approx(2 * np.log(9) / w, abs=0.05)
        plt.close("all")
