"""The facts notebooks 05 and 06 state in their text, checked against the code they describe.

Each test is named after the notebook and the claim; where the text quotes a number, the test computes it.
"""
from __future__ import annotations

import inspect
import re
from fractions import Fraction
from pathlib import Path

import nbformat
import numpy as np
import pytest

from course_lib import gradient, layers, networks
from course_lib.functions import cross_entropy_error, softmax
from course_lib.gradient import GRADIENT_CHECK_TOL
from course_lib.interactive import backprop
from course_lib.interactive.descent import descent_path, function_2

ROOT = Path(__file__).resolve().parent.parent
H = 1e-4


def _markdown(stem: str) -> str:
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")


def _code(stem: str) -> str:
    nb = nbformat.read(ROOT / "notebooks" / f"{stem}.ipynb", as_version=4)
    return "\n".join(c.source for c in nb.cells if c.cell_type == "code")


# ------------------------------------------------------------------ 05
def _function_1(x):
    return 0.01 * x ** 2 + 0.1 * x


def test_05_the_central_difference_of_the_quadratic_is_exact_and_its_error_is_rounding():
    f = lambda x: Fraction(1, 100) * x ** 2 + Fraction(1, 10) * x  # noqa: E731
    h = Fraction(1, 10_000)
    assert (f(5 + h) - f(5 - h)) / (2 * h) == Fraction(1, 5)  # exactly 0.2: no truncation error at all
    central = (_function_1(5.0 + H) - _function_1(5.0 - H)) / (2 * H)
    error = abs(central - 0.2)
    rounding = np.finfo(np.float64).eps * _function_1(5.0) / (2 * H)
    assert 0 < error < 10 * rounding  # what is left is rounding: about eps * |f| / (2h) ~ 1e-12


def test_05_the_forward_difference_is_off_by_h_over_2_times_f2():
    forward = (_function_1(5.0 + H) - _function_1(5.0)) / H
    assert abs((forward - 0.2) - H / 2 * 0.02) < 1e-9  # 1e-6, the printed error


def test_05_lr_10_freezes_after_about_ten_steps_far_below_exact_divergence():
    path = descent_path(10.0, 100)
    last_moves = [max(k for k in range(1, len(path)) if path[k, i] != path[k - 1, i]) for i in (0, 1)]
    assert max(last_moves) <= 11  # "after about ten steps"
    end = path[-1]
    assert np.all(end + 1e-4 == end) and np.all(end - 1e-4 == end)  # x ± h rounds back to x
    assert np.all(np.spacing(np.abs(end)) > 2e-4)  # "more than 2e-4 apart"
    assert np.all(gradient.numerical_gradient(function_2, end.copy()) == 0.0)  # the gradient is exactly 0
    assert 1e12 <= np.max(np.abs(end)) <= 1e14  # "|x| passes 10^12", "≈ 10^13"
    exact = (1 - 2 * 10.0) ** 100 * np.array([-3.0, 4.0])
    assert 127 <= np.log10(np.max(np.abs(exact))) <= 129  # "about 10^128"
    assert np.sign(end[1]) != np.sign(exact[1])  # the frozen x1 has the wrong sign ...
    assert last_moves[1] % 2 == 1  # ... because it froze after an odd number of sign flips


def test_05_lr_between_half_and_one_jumps_over_the_minimum_and_lr_half_lands_on_it():
    path = descent_path(0.75, 6)
    assert np.all(np.sign(path[1:, 0]) == -np.sign(path[:-1, 0]))  # each step lands on the other side
    assert np.all(np.abs(path[1:]) < np.abs(path[:-1]))  # ... a little closer
    assert np.allclose(descent_path(0.5, 1)[-1], 0.0, atol=1e-8)  # lr = 0.5: one step to the minimum


def test_05_each_row_of_dW_is_the_input_times_the_same_vector_y_minus_t():
    W = np.random.default_rng(0).standard_normal((2, 3))
    x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    dW = gradient.numerical_gradient(lambda _: cross_entropy_error(softmax(x @ W), t), W)
    assert np.allclose(dW, np.outer(x, softmax(x @ W) - t), atol=1e-8)


def test_05_and_06_quote_the_parameter_and_loss_evaluation_counts_they_compute():
    full = networks.TwoLayerNet(784, 50, 10)
    n = sum(p.size for p in full.params.values())
    assert n == 39_760
    assert f"{2 * n:,}" in _markdown("05_numerical_gradient")  # 79,520 in §6 and the summary
    text06 = _markdown("06_backpropagation")
    assert f"{n:,}" in text06 and f"{2 * n:,}" in text06
    assert sum(full.params[k].size for k in ("b1", "W2", "b2")) == 560 and "560" in text06


def test_05_06_backprop_costs_about_two_loss_evaluations_so_the_numerical_gradient_is_10_4_times_slower():
    """Counted in multiply-adds of the affine layers' matrix products (which dominate), not timed."""
    net = networks.TwoLayerNet(784, 50, 10, seed=0)
    madds = {"forward": 0, "backward": 0}
    for layer in (net.layers["Affine1"], net.layers["Affine2"]):
        def forward(x, _layer=layer, _forward=layer.forward):
            madds["forward"] += np.shape(x)[0] * _layer.W.shape[0] * _layer.W.shape[1]
            return _forward(x)

        def backward(dout, _layer=layer, _backward=layer.backward, **kwargs):
            dx = _backward(dout, **kwargs)
            one = np.shape(dout)[0] * _layer.W.shape[0] * _layer.W.shape[1]
            madds["backward"] += one * (2 if dx is not None else 1)  # dW = x.T @ dout, and dx = dout @ W.T
            return dx

        layer.forward, layer.backward = forward, backward
    x = np.random.default_rng(0).random((100, 784))
    t = np.arange(100) % 10
    net.loss(x, t)
    loss_madds = madds["forward"]
    madds.update(forward=0, backward=0)
    net.gradient(x, t)
    ratio = (madds["forward"] + madds["backward"]) / loss_madds
    assert 1.9 <= ratio <= 2.1, ratio  # "about two loss evaluations": the first layer skips dx
    W1, W2 = net.params["W1"].shape, net.params["W2"].shape  # multiply-adds per image: W1's size, W2's size
    assert f"{W1[0]} · {W1[1]} of the {W1[0]} · {W1[1]} + {W2[0]} · {W2[1]} multiply-adds" in " ".join(
        _markdown("05_numerical_gradient").split())
    assert np.prod(W1) / (np.prod(W1) + np.prod(W2)) > 0.98  # "the first layer holds almost all the work"
    assert 2 * 39_760 / ratio > 1e4  # "10^4 times faster (or more)"
    for stem in ("05_numerical_gradient", "06_backpropagation"):
        text = _markdown(stem)
        assert "about two loss evaluations" in text and "two to three" not in text, stem


# ------------------------------------------------------------------ 06
def test_06_one_gradient_check_threshold_everywhere_and_the_text_states_it():
    assert GRADIENT_CHECK_TOL == 1e-4
    for f in (gradient.gradient_check, gradient.check_network_gradients, backprop.check_bug, backprop.show_bug_check):
        assert "tol" not in inspect.signature(f).parameters, f.__name__  # no second threshold to pass around
    text = _markdown("06_backpropagation")
    assert "GRADIENT_CHECK_TOL" in text and "10^{-4}" in text
    for stale in ("below `1e-6`", "below $10^{-6}$", "10^{-8}", "1e-8", "below about"):
        assert stale not in text, stale  # the old thresholds and the old "correct gives 1e-8" are gone
    code = _code("06_backpropagation")  # demo cells and test cells
    assert "from course_lib.gradient import GRADIENT_CHECK_TOL" in code
    comparisons = [line for line in code.splitlines()
                   if "relative" in line and re.search(r"[<>]", line) and "1e-2" not in line]
    assert comparisons and all("GRADIENT_CHECK_TOL" in line for line in comparisons), comparisons


def test_06_the_first_affine_of_course_libs_network_skips_dx():
    net = networks.TwoLayerNet(784, 50, 10, seed=0)
    assert {k: v.needs_dx for k, v in net.layers.items() if k.startswith("Affine")} == {"Affine1": False, "Affine2": True}
    x = np.random.default_rng(0).random((7, 784))
    net.loss(x, np.arange(7))
    dout = net.last_layer.backward(1)
    for name in ("Affine2", "Activation1"):
        dout = net.layers[name].backward(dout)
    assert net.layers["Affine1"].backward(dout) is None  # "... and returns None"
    assert net.layers["Affine1"].dW.shape == (784, 50) and net.layers["Affine1"].db.shape == (50,)


def _check_setup(mnist, dtype=np.float64):
    """Section 8's check: a 784-2-10 net (weight std 0.1, seed 0) on the first 3 test images."""
    (_, _), (x_test, t_test) = mnist
    net = networks.TwoLayerNet(784, 2, 10, weight_init_std=0.1, seed=0, dtype=dtype)
    return net, x_test[:3].astype(dtype), t_test[:3].copy()


def test_06_a_correct_backprop_lands_at_delta_over_2_y_t_and_below_1e_9_without_delta(mnist):
    net, x, t = _check_setup(mnist)
    g, n = net.gradient(x, t), net.numerical_gradient(x, t)
    errors = gradient.gradient_check(g, n, verbose=False)
    delta = inspect.signature(cross_entropy_error).parameters["delta"].default
    assert delta == 1e-7  # "with delta = 10^-7"
    y_right = softmax(net.predict(x))[np.arange(3), t]
    assert np.allclose(y_right, 0.1, atol=0.01)  # "y_t ≈ 0.1"
    predicted = float(np.mean(delta / (2 * y_right)))
    assert np.isclose(predicted, 5e-7, rtol=0.05)  # "delta / (2 y_t) = 5 · 10^-7"
    for name, err in errors.items():
        assert abs(err["relative"] / predicted - 1) < 0.05, (name, err)  # "every relative error is close to 5e-7"
        ratio = err["max_abs"] / np.max(np.abs(n[name]))
        assert 0.5e-6 < ratio < 2e-6, (name, ratio)  # "the worst entry is off by about 10^-6 of the largest entry"
    worst = max(err["relative"] for err in errors.values())
    assert 100 <= GRADIENT_CHECK_TOL / worst <= 400  # "a couple of hundred times above what a correct check shows"
    # the same check against the loss without delta: the numerical gradient's own error only
    loss_0 = lambda W: cross_entropy_error(softmax(net.predict(x)), t, delta=0)  # noqa: E731
    n0 = {k: gradient.numerical_gradient(loss_0, net.params[k]) for k in net.params}
    worst_0 = max(err["relative"] for err in gradient.gradient_check(g, n0, verbose=False).values())
    assert 0 < worst_0 < 1e-9 and worst / worst_0 > 1000  # "below 10^-9: more than a thousand times less"


def test_06_one_confidently_wrong_sample_alone_lands_in_the_grey_zone_through_delta():
    a = np.array([[0.0, 11.5, 0.0]])  # the right class 0 gets y_t ≈ 1e-5
    t = np.array([0])
    y = softmax(a)
    assert 0.5e-5 < y[0, 0] < 2e-5
    numeric = gradient.numerical_gradient(lambda s: cross_entropy_error(softmax(s), t), a.copy())
    y_t = y[0, 0]
    assert np.allclose(numeric, y_t / (y_t + 1e-7) * (y - np.eye(3)[t]), rtol=1e-6, atol=0)  # the text's formula
    error = gradient.relative_error(y - np.eye(3)[t], numeric)
    assert np.isclose(error, 1e-7 / (2 * y[0, 0]), rtol=0.05)  # "delta / (2 y_t) ≈ 5 · 10^-3"
    assert GRADIENT_CHECK_TOL < error < 1e-2  # above the threshold, below what a bug shows: the grey zone


def test_06_every_bug_of_the_widget_shows_a_relative_error_of_1e_2_or_more_where_it_breaks():
    rng = np.random.default_rng(0)
    x, t = rng.standard_normal((4, 6)), rng.integers(0, 3, 4)
    expected = {"none (correct backward)": set(), "Relu: forgets the mask": {"W1", "b1"},
                "Sigmoid: dout * out (forgets 1 - out)": {"W1", "b1"}, "Affine1: db = mean over the batch": {"b1"},
                "Affine2: db = dout[0] (first sample only)": {"b2"}, "Affine2: dW forgets x": {"W2"},
                "SoftmaxWithLoss: forgets / N": {"W1", "b1", "W2", "b2"}}
    assert set(expected) == set(backprop.BUGS)
    for bug, broken in expected.items():
        net = backprop.broken_network(bug)
        errors = {k: e["relative"] for k, e in
                  gradient.gradient_check(net.gradient(x, t), net.numerical_gradient(x, t), verbose=False).items()}
        assert {k for k, e in errors.items() if e > GRADIENT_CHECK_TOL} == broken, bug
        assert all(1e-2 <= errors[k] <= 1 for k in broken), (bug, errors)  # "a bug: 10^-2 to 1"
        assert all(100 * GRADIENT_CHECK_TOL <= errors[k] for k in broken)  # "a hundred times below what a bug shows"
        assert all(errors[k] < 1e-6 for k in set(errors) - broken), (bug, errors)
        if bug == "SoftmaxWithLoss: forgets / N":
            assert np.allclose(list(errors.values()), (4 - 1) / (4 + 1))  # (N - 1) / (N + 1), N = 4
        assert backprop.show_bug_check(bug)["failing"] == sorted(broken, key=list(errors).index), bug


def test_06_float32_fails_through_cancellation_not_through_the_stored_nudge(mnist):
    results = {}
    for dtype in (np.float64, np.float32):
        net, x, t = _check_setup(mnist, dtype)
        W2 = net.params["W2"]
        tmp = W2[0, 0]
        W2[0, 0] = tmp + H
        stored = float(W2[0, 0] - tmp)
        f_plus = net.loss(x, t)
        W2[0, 0] = tmp - H
        f_minus = net.loss(x, t)
        W2[0, 0] = tmp
        exact = float(net.gradient(x, t)["W2"][0, 0])
        step = float(np.spacing(dtype(f_plus)))
        results[dtype] = dict(stored_off=abs(stored - H) / H, f=f_plus, diff=f_plus - f_minus, step=step,
                              exact_steps=2 * H * exact / step,
                              slope_off=abs((f_plus - f_minus) / (2 * H) - exact) / abs(exact))
    r64, r32 = results[np.float64], results[np.float32]
    assert 2.2 < r32["f"] < 2.4 and np.isclose(r32["step"], 2.4e-7, rtol=0.02)  # "about 2.3", "2.4 · 10^-7 apart"
    assert 1e-7 <= abs(r32["diff"]) / r32["f"] < 1e-6  # "differ only in the 7th digit"
    assert 1e-6 < r32["stored_off"] < 1e-4  # "the nudge is off by only about 10^-5 of itself" (5 digits)
    steps = r32["diff"] / r32["step"]
    assert steps == round(steps) and abs(r32["exact_steps"] - round(r32["exact_steps"])) > 0.05  # whole vs fraction
    assert r32["slope_off"] >= 1e-2  # "off by percents"
    assert 0.5e-6 < r64["slope_off"] < 2e-6  # "in float64 off by about 10^-6: that is delta again"
    net, x, t = _check_setup(mnist, np.float32)
    errors = gradient.gradient_check(net.gradient(x, t), net.numerical_gradient(x, t), verbose=False)
    assert all(1e-3 <= e["relative"] < 5e-2 for e in errors.values()), errors  # "between 10^-3 and a few 10^-2"


def test_06_the_sigmoid_graph_multiplies_out_to_y_times_1_minus_y():
    x = np.linspace(-6, 6, 25)
    b = np.exp(-x)
    c = 1.0 + b
    y = 1.0 / c
    node_by_node = (-1.0 / c ** 2) * 1.0 * b * -1.0
    assert np.allclose(node_by_node, y * (1 - y))
    assert np.isclose(np.max(y * (1 - y)), 0.25)
    sig = layers.Sigmoid()
    sig.forward(x)
    assert np.allclose(sig.backward(np.ones_like(x)), y * (1 - y))


def test_06_an_unsummed_db_breaks_the_in_place_update_also_for_one_sample_and_rebinding_unhooks_the_layer():
    for N in (4, 1):
        b = np.zeros(3)
        with pytest.raises(ValueError):
            b -= 0.1 * np.ones((N, 3))
    net = networks.TwoLayerNet(4, 3, 2, seed=0)
    net.params["b1"] = net.params["b1"] - 0.1 * np.ones((1, 3))
    assert net.params["b1"].shape == (1, 3)
    assert net.layers["Affine1"].b.shape == (3,) and np.all(net.layers["Affine1"].b == 0)


def test_06_softmax_with_loss_gradient_is_y_minus_t_over_n_times_dout_and_bounded():
    a = np.array([[2.0, 1.0, 0.1], [0.5, 2.5, 0.3], [1.0, 1.0, 1.0], [0.0, 3.0, -1.0]])
    t = np.array([0, 1, 2, 1])
    swl = layers.SoftmaxWithLoss()
    swl.forward(a, t)
    assert np.allclose(swl.backward(0.5), 0.5 * (softmax(a) - np.eye(3)[t]) / 4)
    assert np.all(np.abs(softmax(a) - np.eye(3)[t]) <= 1)


def test_06_the_shopping_graph_numbers():
    grads = backprop.shopping_graph()["grads"]
    assert np.allclose([grads[k] for k in ("apple", "apple_num", "orange", "orange_num", "tax")],
                       [2.2, 110, 3.3, 165, 650])


def test_06_the_text_of_the_lessons_states_no_timing_as_a_constant():
    """Timings are printed by the notebooks; the text quotes ratios and counts, never seconds."""
    for stem in ("05_numerical_gradient", "06_backpropagation"):
        text = _markdown(stem)
        assert not re.search(r"\b\d+(\.\d+)?\s*(s|ms|seconds|µs)\b(?! per)", text.replace("10,000 iterations", "")), stem
