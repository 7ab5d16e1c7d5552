"""Activation, softmax and loss functions: values, stability, label forms, no mutation."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from course_lib import functions as F


def test_step_function_works_on_numpy2_arrays():
    x = np.array([-1.0, 0.0, 0.5, 3.0])
    y = F.step_function(x)
    assert y.tolist() == [0, 0, 1, 1]
    assert np.issubdtype(y.dtype, np.integer)
    assert not hasattr(np, "int") or np.__version__.startswith("1.")  # the alias learners use is gone in NumPy 2


def test_sigmoid_values_and_symmetry():
    x = np.linspace(-8, 8, 33)
    s = F.sigmoid(x)
    assert np.allclose(s, 1 / (1 + np.exp(-x)))
    assert np.allclose(s + F.sigmoid(-x), 1.0)
    assert F.sigmoid(0.0) == pytest.approx(0.5)


@pytest.mark.parametrize("fn", [F.sigmoid, F.sigmoid_grad, F.softmax, F.tanh, F.tanh_grad])
def test_no_overflow_warnings_at_plus_minus_1000(fn):
    x = np.array([-1000.0, -1.0, 0.0, 1.0, 1000.0])
    with np.errstate(over="raise", invalid="raise", divide="raise"), warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        y = fn(x)
    assert np.all(np.isfinite(y))


def test_sigmoid_extremes():
    y = F.sigmoid(np.array([-1000.0, 1000.0]))
    assert y[0] == pytest.approx(0.0, abs=1e-300) and y[1] == pytest.approx(1.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_keeps_its_relative_precision_for_negative_inputs_and_the_dtype(dtype):
    """exp(-|x|) keeps every digit of small values (0.5 * (1 + tanh(x / 2)) would lose them to cancellation)."""
    x = np.array([-700.0, -80.0, -40.0, -17.0, -3.0, 0.0, 3.0, 17.0, 40.0]).astype(dtype)
    y = F.sigmoid(x)
    assert y.dtype == dtype
    exact = np.array([1 / (1 + np.exp(np.float64(-v))) if v >= 0 else np.exp(np.float64(v)) / (1 + np.exp(np.float64(v)))
                      for v in x.astype(np.float64)])
    tiny = np.finfo(dtype).tiny
    normal = exact > tiny  # values that underflow to subnormals or 0 cannot keep their digits
    np.testing.assert_allclose(y[normal], exact[normal], rtol=4 * np.finfo(dtype).eps)


def test_integer_inputs_give_float_outputs():
    assert F.sigmoid(np.array([0, 1])).dtype == np.float64
    assert F.softmax(np.array([1, 2, 3])).dtype == np.float64


def test_relu_and_grad():
    x = np.array([[-2.0, 0.0, 3.0]])
    assert F.relu(x).tolist() == [[0.0, 0.0, 3.0]]
    assert F.relu_grad(x).tolist() == [[0.0, 0.0, 1.0]]


@pytest.mark.parametrize("fn,grad", [(F.sigmoid, F.sigmoid_grad), (F.tanh, F.tanh_grad), (F.relu, F.relu_grad)])
def test_activation_derivatives_match_central_differences(fn, grad):
    x = np.array([-3.1, -0.7, 0.3, 2.2])  # away from ReLU's kink
    h = 1e-5
    assert np.allclose(grad(x), (fn(x + h) - fn(x - h)) / (2 * h), atol=1e-7)


def test_identity_returns_input_values():
    x = np.array([1.0, -2.0])
    assert np.array_equal(F.identity_function(x), x)


def test_softmax_overflow_example_from_the_book():
    y = F.softmax(np.array([1010.0, 1000.0, 990.0]))
    assert np.all(np.isfinite(y))
    assert y.sum() == pytest.approx(1.0)
    assert np.allclose(y, [9.99954600e-01, 4.53978686e-05, 2.06106005e-09])


def test_softmax_batch_is_row_by_row():
    x = np.array([[1010.0, 1000.0, 990.0], [1.0, 2.0, 3.0], [-1000.0, -1000.0, -999.0]])
    y = F.softmax(x)
    for i in range(3):
        assert np.allclose(y[i], F.softmax(x[i]))
    assert np.allclose(y.sum(axis=1), 1.0)


def test_softmax_rejects_scalars():
    with pytest.raises(ValueError, match="shape"):
        F.softmax(3.0)


finite = st.floats(-1e4, 1e4, allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 8)), elements=finite))
def test_softmax_properties(x):
    y = F.softmax(x)
    assert np.all(np.isfinite(y))
    assert np.all((y >= 0) & (y <= 1))
    assert np.allclose(y.sum(axis=1), 1.0)
    # shift invariance per row, order preserved
    assert np.allclose(F.softmax(x + 123.0), y, atol=1e-12)
    # the most probable class is a highest-scoring one (softmax keeps the order)
    picked = x[np.arange(len(x)), np.argmax(y, axis=1)]
    assert np.all(picked >= x.max(axis=1) - 1e-9 * (1 + np.abs(x.max(axis=1))))


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(2, 8)), elements=finite), st.data())
def test_cross_entropy_properties(x, data):
    y = F.softmax(x)
    N, C = y.shape
    t = np.array(data.draw(st.lists(st.integers(0, C - 1), min_size=N, max_size=N)))
    loss_idx = F.cross_entropy_error(y, t)
    loss_onehot = F.cross_entropy_error(y, np.eye(C)[t])
    # >= 0 up to the delta: a certain right answer gives -log(1 + 1e-7) = -1e-7 (the book's formula)
    assert np.isfinite(loss_idx) and loss_idx >= -1.01e-7
    assert loss_idx == pytest.approx(loss_onehot, rel=1e-9, abs=1e-12)
    assert loss_idx <= -np.log(1e-7) + 1e-9  # the delta bounds it


def test_cross_entropy_is_finite_when_a_probability_is_zero():
    y = np.array([[0.0, 1.0], [1.0, 0.0]])
    t = np.array([0, 0])
    loss = F.cross_entropy_error(y, t)
    assert np.isfinite(loss)
    assert loss == pytest.approx((-np.log(1e-7) - np.log(1 + 1e-7)) / 2)


def test_cross_entropy_book_example_single_sample():
    t = [0, 0, 1, 0, 0, 0, 0, 0, 0, 0]
    y = [0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0]
    assert F.cross_entropy_error(np.array(y), np.array(t)) == pytest.approx(0.510825457099338)
    assert F.cross_entropy_error(np.array(y), 2) == pytest.approx(0.510825457099338)
    y2 = [0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0]
    assert F.cross_entropy_error(np.array(y2), np.array(t)) == pytest.approx(2.302584092994546)


def test_mean_squared_error_book_example_and_batch():
    t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0])
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    assert F.mean_squared_error(y, t) == pytest.approx(0.0975)
    assert F.mean_squared_error(y, 2) == pytest.approx(0.0975)
    yb = np.stack([y, y[::-1]])
    tb = np.stack([t, t])
    per = [F.mean_squared_error(yb[i], tb[i]) for i in range(2)]
    assert F.mean_squared_error(yb, tb) == pytest.approx(np.mean(per))
    assert F.mean_squared_error(yb, np.array([2, 2])) == pytest.approx(np.mean(per))


def test_batch_cross_entropy_is_mean_of_samples():
    rng = np.random.default_rng(1)
    y = F.softmax(rng.standard_normal((5, 4)))
    t = rng.integers(0, 4, 5)
    per = [F.cross_entropy_error(y[i], t[i]) for i in range(5)]
    assert F.cross_entropy_error(y, t) == pytest.approx(np.mean(per))


def test_label_shape_mismatch_names_both_shapes():
    y = np.full((3, 4), 0.25)
    with pytest.raises(ValueError, match=r"\(5,\).*\(3, 4\)"):
        F.cross_entropy_error(y, np.zeros(5, dtype=int))
    with pytest.raises(ValueError, match=r"\[0, 4\)"):
        F.cross_entropy_error(y, np.array([0, 1, 4]))


def test_to_one_hot_roundtrip():
    t = np.array([3, 0, 2])
    oh = F.to_one_hot(t, 4)
    assert oh.shape == (3, 4)
    assert np.array_equal(F.labels_to_indices(oh, (3, 4)), t)


@pytest.mark.parametrize("bad, message", [
    (np.array([0.5, 1.0]), r"integers, got dtype float64"),
    (np.array([True, False]), r"integers, got dtype bool"),
    (np.array([0, 4]), r"\[0, 4\), got min 0 and max 4"),
    (np.array([-1, 2]), r"\[0, 4\), got min -1 and max 2"),
])
def test_one_set_of_label_checks(bad, message):
    """to_one_hot, labels_to_indices and the losses reject bad class indices with the same message."""
    with pytest.raises(ValueError, match=message):
        F.to_one_hot(bad, 4)
    with pytest.raises(ValueError, match=message):
        F.labels_to_indices(bad, (2, 4))
    with pytest.raises(ValueError, match=message):
        F.cross_entropy_error(np.full((2, 4), 0.25), bad)
    with pytest.raises(ValueError, match=message):
        F.mean_squared_error(np.full((2, 4), 0.25), bad)


def test_whole_float_indices_are_accepted():
    assert np.array_equal(F.labels_to_indices(np.array([2.0, 0.0]), (2, 3)), [2, 0])
    assert np.array_equal(F.to_one_hot(np.array([1.0]), 2), [[0.0, 1.0]])


@pytest.mark.parametrize("fn", [F.sigmoid, F.sigmoid_grad, F.relu, F.relu_grad, F.tanh, F.softmax, F.step_function])
def test_functions_do_not_modify_their_input(fn):
    x = np.array([[-1000.0, -1.0, 0.0], [2.0, 5.0, 1000.0]])
    before = x.copy()
    fn(x)
    assert np.array_equal(x, before)


def test_losses_do_not_modify_their_inputs():
    y = np.array([[0.0, 1.0], [0.5, 0.5]])
    t = np.array([[1.0, 0.0], [0.0, 1.0]])
    y0, t0 = y.copy(), t.copy()
    F.cross_entropy_error(y, t)
    F.mean_squared_error(y, t)
    assert np.array_equal(y, y0) and np.array_equal(t, t0)
