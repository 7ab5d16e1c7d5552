"""Every layer's backward pass against numerical gradients; shapes; no mutation of dout."""
import numpy as np
import pytest

from course_lib.functions import softmax
from course_lib.gradient import numerical_gradient, relative_error
from course_lib.layers import Affine, AddLayer, MulLayer, Relu, ShapeError, Sigmoid, SoftmaxWithLoss

TOL = 1e-7


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


def test_relu_backward_is_the_books_masking_exactly(rng):
    # The book: dout[mask] = 0 with mask = (x <= 0). course_lib multiplies by ~mask instead (branch-free);
    # the result must be the same numbers (a masked negative becomes -0.0, which equals 0.0), same dtype,
    # and the gradient at x == 0 is 0 as in the book.
    x = rng.standard_normal((100, 50)).astype(np.float32)
    x[0, :5] = 0.0
    dout = rng.standard_normal((100, 50)).astype(np.float32)
    relu = Relu()
    relu.forward(x)
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


def test_affine_gradients_match_numerical(rng):
    N, D, H = 5, 4, 3
    W = rng.standard_normal((D, H))
    b = rng.standard_normal(H)
    x = rng.standard_normal((N, D))
    dout = rng.standard_normal((N, H))
    layer = Affine(W, b)
    out = layer.forward(x)
    assert out.shape == (N, H)
    dx = layer.backward(dout)
    f = lambda _: float(np.sum(layer.forward(x) * dout))  # noqa: E731
    assert relative_error(layer.dW, numerical_gradient(f, W)) < TOL
    assert relative_error(layer.db, numerical_gradient(f, b)) < TOL
    assert np.allclose(layer.db, dout.sum(axis=0))  # the bias gradient sums over the batch
    assert check_input_grad(Affine(W, b), x, dout) < TOL
    assert dx.shape == x.shape


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
def test_softmax_with_loss_gradient_is_y_minus_t_over_n(rng, one_hot):
    N, C = 4, 5
    x = rng.standard_normal((N, C)) * 2
    t_idx = rng.integers(0, C, N)
    t = np.eye(C)[t_idx] if one_hot else t_idx
    layer = SoftmaxWithLoss()
    layer.forward(x, t)
    dx = layer.backward()
    assert np.allclose(dx, (softmax(x) - np.eye(C)[t_idx]) / N)
    num = numerical_gradient(lambda z: layer.forward(z, t), x.copy())
    assert relative_error(dx, num) < TOL
    layer.forward(x, t)
    assert np.allclose(layer.backward(2.0), 2 * dx)


def test_softmax_with_loss_is_finite_for_huge_scores():
    layer = SoftmaxWithLoss()
    loss = layer.forward(np.array([[1000.0, -1000.0], [0.0, 5000.0]]), np.array([1, 0]))
    assert np.isfinite(loss) and loss == pytest.approx((2000.0 + 5000.0) / 2)
    assert np.all(np.isfinite(layer.backward()))


def test_softmax_with_loss_float32_batch_matches_a_float64_reference(rng):
    """The layer reads each row's max at its argmax: rows far apart, ties at the max and a row of equal scores
    must give the softmax and the loss a float64 reference gives; y stays float32 and backward leaves it alone."""
    N, C = 100, 10
    x = rng.standard_normal((N, C)) * 5 + rng.uniform(-3000, 3000, (N, 1))  # rows thousands apart
    x[3] = 7.0                                # every score equal
    x[4, [2, 5]] = x[4].max() + 1.0           # two classes tie at the max
    x = x.astype(np.float32)
    t = rng.integers(0, C, N)
    t[3], t[4] = 0, 5
    x_before = x.copy()
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    x64 = x.astype(np.float64)
    z = x64 - x64.max(axis=1, keepdims=True)
    log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))  # log-softmax, float64
    assert layer.y.dtype == np.float32 and np.array_equal(x, x_before)
    np.testing.assert_allclose(layer.y, np.exp(log_p), rtol=1e-5, atol=1e-7)
    assert layer.y[3] == pytest.approx(np.full(C, 0.1)) and layer.y[4, 2] == layer.y[4, 5]
    assert isinstance(loss, float) and loss == pytest.approx(-log_p[np.arange(N), t].mean(), rel=1e-5)
    dx = layer.backward()
    assert dx.dtype == np.float32
    np.testing.assert_allclose(dx, (np.exp(log_p) - np.eye(C)[t]) / N, rtol=1e-4, atol=1e-8)
    np.testing.assert_array_equal(layer.backward(), dx)  # y was not changed by the first backward


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
