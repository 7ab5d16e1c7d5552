"""Numerical differentiation, gradient descent and the gradient-check helper."""
import numpy as np
import pytest

from course_lib.gradient import (GRADIENT_CHECK_TOL, check_network_gradients, gradient_check, gradient_descent,
                                 numerical_diff, numerical_gradient, relative_error)


def test_numerical_diff_book_example():
    f = lambda x: 0.01 * x ** 2 + 0.1 * x  # noqa: E731
    assert numerical_diff(f, 5.0) == pytest.approx(0.2, abs=1e-9)
    assert numerical_diff(f, 10.0) == pytest.approx(0.3, abs=1e-9)


@pytest.mark.parametrize("shape", [(2,), (3, 4), (2, 3, 2)])
def test_numerical_gradient_any_shape(shape):
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    A = rng.standard_normal(shape)
    f = lambda z: np.sum(A * z ** 2) + np.sum(z)  # noqa: E731
    g = numerical_gradient(f, x)
    assert g.shape == shape
    assert np.allclose(g, 2 * A * x + 1, atol=1e-6)


def test_numerical_gradient_book_values():
    f = lambda x: x[0] ** 2 + x[1] ** 2  # noqa: E731
    assert np.allclose(numerical_gradient(f, np.array([3.0, 4.0])), [6.0, 8.0])
    assert np.allclose(numerical_gradient(f, np.array([0.0, 2.0])), [0.0, 4.0])


def test_numerical_gradient_restores_input():
    x = np.array([[1.0, 2.0], [3.0, 4.0]])
    before = x.copy()
    numerical_gradient(lambda z: np.sum(z ** 3), x)
    assert np.array_equal(x, before)


def test_numerical_gradient_restores_input_when_f_raises():
    x = np.array([1.0, 2.0, 3.0])
    before = x.copy()
    calls = []

    def f(z):
        calls.append(1)
        if len(calls) == 4:  # fail in the middle of the second entry
            raise RuntimeError("boom")
        return float(np.sum(z))

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, x)
    assert np.array_equal(x, before)


def test_numerical_gradient_refuses_integer_arrays():
    with pytest.raises(TypeError, match="float"):
        numerical_gradient(lambda z: float(np.sum(z ** 2)), np.array([3, 4]))


def test_gradient_descent_book_example_and_no_mutation():
    f = lambda x: x[0] ** 2 + x[1] ** 2  # noqa: E731
    init = np.array([-3.0, 4.0])
    x = gradient_descent(f, init, lr=0.1, step_num=100)
    assert np.allclose(x, 0, atol=1e-8)
    assert np.array_equal(init, [-3.0, 4.0])
    # lr too large diverges, too small barely moves (the book's two warnings)
    assert np.linalg.norm(gradient_descent(f, init, lr=10.0, step_num=100)) > 1e10
    assert np.allclose(gradient_descent(f, init, lr=1e-10, step_num=100), init, atol=1e-6)


def test_gradient_descent_history():
    f = lambda x: x[0] ** 2 + x[1] ** 2  # noqa: E731
    x, hist = gradient_descent(f, np.array([-3.0, 4.0]), lr=0.1, step_num=5, return_history=True)
    assert hist.shape == (6, 2)
    assert np.array_equal(hist[0], [-3.0, 4.0])
    assert np.allclose(hist[1], [-3.0 * 0.8, 4.0 * 0.8])
    assert np.array_equal(hist[-1], x)


def test_relative_error_and_gradient_check_report(capsys):
    a = {"W1": np.array([1.0, 2.0]), "b1": np.array([0.0])}
    b = {"W1": np.array([1.0, 2.0 + 1e-9]), "b1": np.array([0.0])}
    errs = gradient_check(a, b)
    out = capsys.readouterr().out
    assert errs["b1"] == {"relative": 0.0, "max_abs": 0.0}
    assert 1e-11 < errs["W1"]["relative"] < 1e-9 and errs["W1"]["max_abs"] == pytest.approx(1e-9, rel=1e-6)
    assert "W1: relative error 2.2e-10, largest difference 1.0e-09  ok (should be < 1e-04)" in out
    bad = gradient_check(a, {"W1": np.array([1.0, 3.0]), "b1": np.array([0.0])})
    assert bad["W1"]["relative"] > 0.1 and bad["W1"]["max_abs"] == 1.0 and "MISMATCH" in capsys.readouterr().out
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(2), np.zeros(3))
    with pytest.raises(ValueError, match="different parameter names"):
        gradient_check(a, {"W1": a["W1"]})


def _network_check(dtype, seed, activation="relu"):
    from course_lib.networks import TwoLayerNet

    rng = np.random.default_rng(seed)
    net = TwoLayerNet(8, 6, 5, weight_init_std=0.1, activation=activation, seed=seed, dtype=dtype)
    x = rng.standard_normal((6, 8)).astype(dtype)
    t = rng.integers(0, 5, 6)
    return check_network_gradients(net, x, t, verbose=False)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_the_threshold_separates_correct_float64_checks_from_float32_ones(seed, activation):
    """What GRADIENT_CHECK_TOL's docstring claims: a correct float64 check of a fresh network with small weights
    lands well below 1e-4 (the loss's delta puts it near 1e-6, not 1e-9), the same check in float32 well above."""
    worst64 = max(e["relative"] for e in _network_check(np.float64, seed, activation).values())
    best32 = min(e["relative"] for e in _network_check(np.float32, seed, activation).values())
    assert worst64 < GRADIENT_CHECK_TOL / 5
    assert best32 > GRADIENT_CHECK_TOL * 5


def test_a_confidently_wrong_sample_alone_fails_a_correct_check():
    """The docstring's warning: large weights (or a trained network) give some sample a right-class probability
    near 1e-5, and the delta in log(y + delta) then moves the numerical gradient by ~1e-2 -- a false alarm."""
    from course_lib.networks import TwoLayerNet

    rng = np.random.default_rng(3)
    net = TwoLayerNet(8, 6, 5, weight_init_std="he", seed=3)
    x, t = rng.standard_normal((6, 8)), rng.integers(0, 5, 6)
    net.loss(x, t)
    assert net.last_layer.y[np.arange(6), t].min() < 1e-4  # a right class the network finds very unlikely
    assert max(e["relative"] for e in check_network_gradients(net, x, t, verbose=False).values()) > GRADIENT_CHECK_TOL


def test_check_network_gradients_prints_one_line_per_parameter(capsys):
    errors = _network_check(np.float64, 0)
    from course_lib.networks import TwoLayerNet

    net = TwoLayerNet(3, 2, 2, seed=0)
    check_network_gradients(net, np.ones((2, 3)), np.array([0, 1]))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(":")[0] for line in lines] == ["W1", "b1", "W2", "b2"]
    assert all("relative error" in line and "largest difference" in line and line.rstrip().endswith(
        f"(should be < {GRADIENT_CHECK_TOL:.0e})") for line in lines)
    assert set(errors) == {"W1", "b1", "W2", "b2"}
