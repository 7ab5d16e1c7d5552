"""Every layer's backward pass against numerical gradients; shapes; no mutation of dout."""
import numpy as np
import pytest

from course_lib.functions import cross_entropy_error, sigmoid, softmax
from course_lib.gradient import GRADIENT_CHECK_TOL, numerical_gradient, relative_error
from course_lib.layers import Affine, AddLayer, MulLayer, Relu, ShapeError, Sigmoid, SoftmaxWithLoss

TOL = 1e-7  # layers without the loss's delta agree with central differences to about 1e-9


def check_input_grad(layer, x, dout):
    """d(sum(forward(x) * dout))/dx by backprop vs central differences."""
    layer.forward(x)
    dx = layer.backward(dout)
    num = numerical_gradient(lambda z: float(np.sum(layer.forward(z) * dout)), x.copy())
    return relative_error(dx, num)


def test_shopping_example_book_values():
    apple, apple_num, orange, orange_num, tax = 100, 2, 150, 3, 1.1
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    price = mul_tax.forward(add.forward(mul_apple.forward(apple, apple_num), mul_orange.forward(orange, orange_num)), tax)
    assert price == pytest.approx(715.0)
    dall, dtax = mul_tax.backward(1)
    da, do = add.backward(dall)
    dapple, dapple_num = mul_apple.backward(da)
    dorange, dorange_num = mul_orange.backward(do)
    assert (dapple_num, dapple, dorange, dorange_num, dtax) == pytest.approx((110, 2.2, 3.3, 165, 650))


def test_relu_backward_matches_numerical_and_does_not_mutate_dout(rng):
    x = rng.standard_normal((4, 5))
    x[np.abs(x) < 0.05] = 0.5  # stay away from the kink
    dout = rng.standard_normal((4, 5))
    dout0 = dout.copy()
    assert check_input_grad(Relu(), x, dout) < TOL
    assert np.array_equal(dout, dout0)


def test_relu_is_the_books_masking_exactly(rng):
    # The book: out = x.copy(); out[mask] = 0 and dout[mask] = 0 with mask = (x <= 0). course_lib uses
    # np.maximum and multiplies by ~mask; the results must be the same numbers (a masked negative becomes
    # -0.0, which equals 0.0), same dtype, and the gradient at x == 0 is 0 as in the book.
    x = rng.standard_normal((100, 50)).astype(np.float32)
    x[0, :5] = 0.0
    dout = rng.standard_normal((100, 50)).astype(np.float32)
    relu = Relu()
    out = relu.forward(x)
    book_out = x.copy()
    book_out[x <= 0] = 0
    assert out.dtype == np.float32 and np.array_equal(out, book_out)
    dx = relu.backward(dout)
    book = dout.copy()
    book[x <= 0] = 0
    assert dx.dtype == np.float32 and dx.shape == x.shape
    assert np.array_equal(dx, book)
    assert np.all(dx[0, :5] == 0)


def test_relu_forward_does_not_mutate_x(rng):
    x = rng.standard_normal((3, 3))
    x0 = x.copy()
    Relu().forward(x)
    assert np.array_equal(x, x0)


def test_sigmoid_backward_matches_numerical(rng):
    x = rng.standard_normal((3, 4)) * 3
    dout = rng.standard_normal((3, 4))
    dout0 = dout.copy()
    assert check_input_grad(Sigmoid(), x, dout) < TOL
    assert np.array_equal(dout, dout0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sigmoid_layer_is_functions_sigmoid_and_keeps_the_dtype(rng, dtype):
    """One formula, one place: the layer's forward is course_lib.functions.sigmoid, also at +-1000."""
    x = (rng.standard_normal((5, 4)) * 10).astype(dtype)
    x[0, :2] = [-1000, 1000]
    x_before = x.copy()
    layer = Sigmoid()
    out = layer.forward(x)
    assert out.dtype == dtype and np.array_equal(out, sigmoid(x)) and np.array_equal(x, x_before)
    dout = np.ones_like(x)
    dx = layer.backward(dout)
    assert dx.dtype == dtype and np.array_equal(dx, dout * (1.0 - out) * out)


def test_affine_gradients_match_numerical(rng):
    N, D, H = 5, 4, 3
    W = rng.standard_normal((D, H))
    b = rng.standard_normal(H)
    x = rng.standard_normal((N, D))
    dout = rng.standard_normal((N, H))
    layer = Affine(W, b)
    out = layer.forward(x)
    assert out.shape == (N, H) and np.allclose(out, x @ W + b)
    dx = layer.backward(dout)
    f = lambda _: float(np.sum(layer.forward(x) * dout))  # noqa: E731
    assert relative_error(layer.dW, numerical_gradient(f, W)) < TOL
    assert relative_error(layer.db, numerical_gradient(f, b)) < TOL
    assert np.allclose(layer.db, dout.sum(axis=0))  # the bias gradient sums over the batch
    assert check_input_grad(Affine(W, b), x, dout) < TOL
    assert dx.shape == x.shape


def test_affine_needs_dx_false_sets_dW_and_db_and_returns_none(rng):
    W, b = rng.standard_normal((4, 3)), rng.standard_normal(3)
    x, dout = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    full, first = Affine(W, b), Affine(W, b, needs_dx=False)
    full.forward(x)
    first.forward(x)
    assert full.backward(dout).shape == (5, 4)
    assert first.backward(dout) is None
    assert np.array_equal(first.dW, full.dW) and np.array_equal(first.db, full.db)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_layers_keep_float32_float32(rng, dtype):
    """float32 in, float32 out, forward and backward (a float64 array would double the time and the memory)."""
    W, b = rng.standard_normal((6, 4)).astype(dtype), np.zeros(4, dtype=dtype)
    x = rng.standard_normal((5, 6)).astype(dtype)
    t = rng.integers(0, 4, 5)
    affine, relu, sig, loss = Affine(W, b), Relu(), Sigmoid(), SoftmaxWithLoss()
    h = sig.forward(relu.forward(affine.forward(x)))
    assert h.dtype == dtype
    loss.forward(h, t)
    dout = loss.backward()
    assert dout.dtype == dtype
    dx = affine.backward(relu.backward(sig.backward(dout)))
    assert dx.dtype == affine.dW.dtype == affine.db.dtype == dtype


def test_affine_accepts_image_shaped_input_and_returns_dx_in_that_shape(rng):
    x = rng.standard_normal((2, 1, 2, 3))
    layer = Affine(rng.standard_normal((6, 4)), np.zeros(4))
    out = layer.forward(x)
    assert out.shape == (2, 4)
    assert layer.backward(np.ones((2, 4))).shape == (2, 1, 2, 3)


def test_affine_shape_error_names_layer_and_both_shapes():
    layer = Affine(np.zeros((784, 50)), np.zeros(50), name="Affine1")
    with pytest.raises(ShapeError) as e:
        layer.forward(np.zeros((100, 785)))
    msg = str(e.value)
    assert "Affine1" in msg and "(100, 785)" in msg and "(784, 50)" in msg
    with pytest.raises(ShapeError, match=r"reshape\(1, -1\)"):
        layer.forward(np.zeros(784))
    layer.forward(np.zeros((3, 784)))
    with pytest.raises(ShapeError, match=r"Affine1.*\(3, 49\).*\(3, 50\)"):
        layer.backward(np.zeros((3, 49)))
    with pytest.raises(ShapeError, match=r"\(784, 50\).*\(49,\)"):
        Affine(np.zeros((784, 50)), np.zeros(49))


@pytest.mark.parametrize("one_hot", [False, True])
@pytest.mark.parametrize("scale", [1, 3, 10, 100])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_softmax_with_loss_is_cross_entropy_of_softmax(rng, one_hot, scale, dtype):
    """One formula, one place: the layer's loss is exactly what notebook 04's functions give, for every input."""
    N, C = 6, 5
    x = (rng.standard_normal((N, C)) * scale).astype(dtype)
    t_idx = rng.integers(0, C, N)
    t = np.eye(C)[t_idx] if one_hot else t_idx
    x_before = x.copy()
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    assert isinstance(loss, float) and loss == cross_entropy_error(softmax(x), t)
    assert loss == cross_entropy_error(softmax(x), t_idx)  # both label forms give the same number
    assert layer.y.dtype == dtype and np.array_equal(layer.y, softmax(x)) and np.array_equal(x, x_before)
    dx = layer.backward()
    assert dx.dtype == dtype
    np.testing.assert_allclose(dx, (softmax(x) - np.eye(C)[t_idx]) / N, rtol=1e-6, atol=1e-7)
    assert np.array_equal(layer.backward(), dx)  # backward leaves y as forward left it


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_backward_is_the_numerical_gradient_of_its_forward(rng, one_hot):
    N, C = 4, 5
    x = rng.standard_normal((N, C))
    t_idx = rng.integers(0, C, N)
    t = np.eye(C)[t_idx] if one_hot else t_idx
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward()
    num = numerical_gradient(lambda z: layer.forward(z, t), x.copy())
    assert relative_error(dx, num) < GRADIENT_CHECK_TOL
    layer.forward(x, t)
    assert np.allclose(layer.backward(2.0), 2 * dx)  # dout scales the gradient


@pytest.mark.parametrize("scale", [1, 3, 10, 100])
def test_softmax_with_loss_differs_from_the_numerical_gradient_only_by_the_delta(rng, scale):
    """The forward is -log(y_t + delta), backward the book's (y - t) / N, the gradient of -log(y_t): per sample
    they differ by the factor y_t / (y_t + delta) -- the only reason a gradient check of the layer is not ~1e-9."""
    N, C, delta = 5, 4, 1e-7
    x = rng.standard_normal((N, C)) * scale
    t = rng.integers(0, C, N)
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward()
    y_t = layer.y[np.arange(N), t][:, None]
    num = numerical_gradient(lambda z: layer.forward(z, t), x.copy())
    assert relative_error(dx * y_t / (y_t + delta), num) < 1e-6


def test_softmax_with_loss_is_finite_for_huge_scores():
    layer = SoftmaxWithLoss()
    loss = layer.forward(np.array([[1000.0, -1000.0], [0.0, 5000.0]]), np.array([1, 0]))
    # both right classes get probability 0: cross_entropy_error's delta caps each sample at -log(1e-7)
    assert np.isfinite(loss) and loss == pytest.approx(-np.log(1e-7))
    assert np.all(np.isfinite(layer.backward()))


def test_softmax_with_loss_label_shape_error():
    with pytest.raises(ShapeError, match=r"SoftmaxWithLoss.*\(3,\).*\(2, 4\)"):
        SoftmaxWithLoss().forward(np.zeros((2, 4)), np.array([0, 1, 2]))


def test_mul_and_add_layers_work_on_arrays(rng):
    x, y = rng.standard_normal(3), rng.standard_normal(3)
    mul = MulLayer()
    mul.forward(x, y)
    dx, dy = mul.backward(np.ones(3))
    assert np.array_equal(dx, y) and np.array_equal(dy, x)
    d1, d2 = AddLayer().backward(np.array([1.0, 2.0]))
    assert d1.tolist() == [1.0, 2.0] and d2.tolist() == [1.0, 2.0]
