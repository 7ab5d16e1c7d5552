"""Numerical differentiation, gradient descent and the gradient-check helper."""
import numpy as np
import pytest

from course_lib.gradient import (gradient_check, gradient_descent, numerical_diff, numerical_gradient,
                                 relative_error)


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
    assert errs["b1"] == 0.0 and 1e-11 < errs["W1"] < 1e-9
    assert "W1: relative error" in out and "should be <" in out and "ok" in out
    bad = gradient_check(a, {"W1": np.array([1.0, 3.0]), "b1": np.array([0.0])})
    assert bad["W1"] > 0.1 and "MISMATCH" in capsys.readouterr().out
    with pytest.raises(ValueError, match="shapes differ"):
        relative_error(np.zeros(2), np.zeros(3))
