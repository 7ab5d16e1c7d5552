"""im2col / col2im, Convolution and Pooling (course_lib.convolution) against plain loops and numerical gradients.

Shapes are chosen so that no axis can be mistaken for another: N != C != FN, H != W, FH != FW.
"""
import numpy as np
import pytest

from course_lib.convolution import Convolution, Pooling, ShapeError, col2im, conv_output_size, im2col
from course_lib.gradient import numerical_gradient, relative_error


def naive_patches(x, fh, fw, stride, pad):
    """One row per output pixel (image, then output row, then output column): the patch, channel by channel."""
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out_h, out_w = (H + 2 * pad - fh) // stride + 1, (W + 2 * pad - fw) // stride + 1
    rows = [xp[n, :, i * stride:i * stride + fh, j * stride:j * stride + fw].ravel()
            for n in range(N) for i in range(out_h) for j in range(out_w)]
    return np.array(rows)


def naive_conv(x, W, b, stride, pad):
    N, C, H, Wd = x.shape
    FN, _, FH, FW = W.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    out_h, out_w = (H + 2 * pad - FH) // stride + 1, (Wd + 2 * pad - FW) // stride + 1
    out = np.zeros((N, FN, out_h, out_w))
    for n in range(N):
        for f in range(FN):
            for i in range(out_h):
                for j in range(out_w):
                    out[n, f, i, j] = np.sum(xp[n, :, i * stride:i * stride + FH, j * stride:j * stride + FW] * W[f]) + b[f]
    return out


def naive_maxpool(x, ph, pw, stride, pad):
    N, C, H, W = x.shape
    xp = np.pad(x, ((0, 0), (0, 0), (pad, pad), (pad, pad)), constant_values=-np.inf)
    out_h, out_w = (H + 2 * pad - ph) // stride + 1, (W + 2 * pad - pw) // stride + 1
    out = np.zeros((N, C, out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            out[:, :, i, j] = xp[:, :, i * stride:i * stride + ph, j * stride:j * stride + pw].max(axis=(2, 3))
    return out


# (x shape, filter h, filter w, stride, pad): all fit exactly
CASES = [((2, 3, 7, 5), 3, 2, 1, 0), ((3, 2, 7, 6), 3, 2, 2, 1), ((1, 1, 6, 6), 3, 3, 3, 0), ((2, 4, 5, 9), 1, 3, 2, 1)]


@pytest.mark.parametrize("shape,fh,fw,stride,pad", CASES)
def test_im2col_rows_are_the_patches(rng, shape, fh, fw, stride, pad):
    x = rng.standard_normal(shape)
    x0 = x.copy()
    col = im2col(x, fh, fw, stride, pad)
    assert np.array_equal(col, naive_patches(x, fh, fw, stride, pad))
    assert np.array_equal(x, x0)


@pytest.mark.parametrize("shape,fh,fw,stride,pad", CASES)
def test_col2im_is_the_adjoint_of_im2col(rng, shape, fh, fw, stride, pad):
    """<im2col(x), c> == <x, col2im(c)> for all x, c: exactly what the backward pass needs."""
    x = rng.standard_normal(shape)
    c = rng.standard_normal(im2col(x, fh, fw, stride, pad).shape)
    c0 = c.copy()
    back = col2im(c, shape, fh, fw, stride, pad)
    assert back.shape == shape
    assert np.isclose(np.sum(im2col(x, fh, fw, stride, pad) * c), np.sum(x * back))
    assert np.array_equal(c, c0)


def test_im2col_and_col2im_keep_float32_and_accept_integers():
    x = np.arange(2 * 3 * 4 * 5, dtype=np.float32).reshape(2, 3, 4, 5)
    assert im2col(x, 2, 3).dtype == np.float32
    assert col2im(im2col(x, 2, 3), x.shape, 2, 3).dtype == np.float32
    xi = np.arange(16).reshape(1, 1, 4, 4)
    assert np.array_equal(im2col(xi, 2, 2, 2), [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]])


def test_conv_output_size():
    assert conv_output_size(28, 5) == 24
    assert conv_output_size(28, 5, stride=1, pad=2) == 28          # "same" padding
    assert conv_output_size(7, 3, stride=2, pad=1) == 4
    assert conv_output_size(24, 2, stride=2) == 12                 # the 2x2 pooling
    assert isinstance(conv_output_size(28, 5), int)
    with pytest.raises(ShapeError, match=r"not a multiple of the stride 2"):
        conv_output_size(28, 5, stride=2)
    with pytest.raises(ShapeError, match=r"larger than the padded input"):
        conv_output_size(3, 5)
    with pytest.raises(ValueError, match="stride"):
        conv_output_size(28, 5, stride=0)
    with pytest.raises(ValueError, match="pad"):
        conv_output_size(28, 5, pad=-1)


@pytest.mark.parametrize("shape,fh,fw,stride,pad", CASES)
def test_convolution_forward_is_the_sum_over_each_patch(rng, shape, fh, fw, stride, pad):
    x = rng.standard_normal(shape)
    W = rng.standard_normal((5, shape[1], fh, fw))
    b = rng.standard_normal(5)
    x0, W0 = x.copy(), W.copy()
    out = Convolution(W, b, stride, pad).forward(x)
    assert np.allclose(out, naive_conv(x, W, b, stride, pad))
    assert np.array_equal(x, x0) and np.array_equal(W, W0)


def _conv_grads(layer, x, dout):
    """Numerical gradients of sum(forward(x) * dout) with respect to x, W and b."""
    f = lambda _: float(np.sum(layer.forward(x) * dout))  # noqa: E731
    return numerical_gradient(f, x), numerical_gradient(f, layer.W), numerical_gradient(f, layer.b)


@pytest.mark.parametrize("shape,fh,fw,stride,pad", CASES)
def test_convolution_backward_matches_numerical_gradients(rng, shape, fh, fw, stride, pad):
    x = rng.standard_normal(shape)
    layer = Convolution(rng.standard_normal((5, shape[1], fh, fw)), rng.standard_normal(5), stride, pad)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dout0 = dout.copy()
    dx = layer.backward(dout)
    dW, db = layer.dW, layer.db
    assert np.array_equal(dout, dout0), "backward must not modify dout"
    num_dx, num_dW, num_db = _conv_grads(layer, x, dout)
    assert dx.shape == x.shape and dW.shape == layer.W.shape and db.shape == layer.b.shape
    assert relative_error(dx, num_dx) < 1e-7
    assert relative_error(dW, num_dW) < 1e-7
    assert relative_error(db, num_db) < 1e-7


def test_convolution_without_dx_still_sets_the_weight_gradients(rng):
    x = rng.standard_normal((2, 3, 6, 5))
    W, b = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    full, first = Convolution(W, b, pad=1), Convolution(W, b, pad=1, needs_dx=False)
    dout = rng.standard_normal(full.forward(x).shape)
    first.forward(x)
    assert first.backward(dout) is None
    full.backward(dout)
    assert np.allclose(first.dW, full.dW) and np.allclose(first.db, full.db)


def test_convolution_holds_its_weights_by_reference_and_keeps_float32(rng):
    W = rng.standard_normal((2, 1, 3, 3)).astype(np.float32)
    b = np.zeros(2, dtype=np.float32)
    layer = Convolution(W, b)
    x = rng.random((3, 1, 5, 6), dtype=np.float32)
    before = layer.forward(x)
    assert before.dtype == np.float32 and before.shape == (3, 2, 3, 4)
    W += 1.0  # an optimizer's in-place update
    assert not np.allclose(layer.forward(x), before)
    layer.backward(np.ones((3, 2, 3, 4), dtype=np.float32))
    assert layer.dW.dtype == np.float32 and layer.db.dtype == np.float32


def test_convolution_accepts_one_bias_for_every_filter(rng):
    """The book's apply_filter.py passes b = 0."""
    W = rng.standard_normal((3, 1, 2, 2))
    x = rng.standard_normal((1, 1, 4, 4))
    assert np.allclose(Convolution(W, 0).forward(x), Convolution(W, np.zeros(3)).forward(x))


def test_convolution_errors_name_the_layer_the_shapes_and_the_fix(rng):
    W = rng.standard_normal((30, 1, 5, 5))
    layer = Convolution(W, np.zeros(30))
    with pytest.raises(ShapeError, match=r"Convolution: x has shape \(2, 28, 28, 1\).*\(30, 1, 5, 5\).*"
                                         r"transpose\(0, 3, 1, 2\)"):
        layer.forward(np.zeros((2, 28, 28, 1)))                         # channels last
    with pytest.raises(ShapeError, match=r"Convolution: x has shape \(2, 3, 28, 28\), so 3 channel"):
        layer.forward(np.zeros((2, 3, 28, 28)))
    with pytest.raises(ShapeError, match=r"Convolution: x has shape \(2, 784\).*reshape\(-1, 1, 28, 28\)"):
        layer.forward(np.zeros((2, 784)))                               # flat MNIST rows
    with pytest.raises(ShapeError, match=r"Convolution: the filter \(FH = 5\) is larger"):
        layer.forward(np.zeros((2, 1, 4, 28)))
    with pytest.raises(ShapeError, match=r"Convolution: the width does not fit: W \+ 2\*pad - FW = 28 \+ 2\*0 - 5"):
        Convolution(W, np.zeros(30), stride=2).forward(np.zeros((2, 1, 29, 28)))
    with pytest.raises(ShapeError, match=r"Convolution: b has shape \(5,\).*30 filters"):
        Convolution(W, np.zeros(5))
    with pytest.raises(ShapeError, match=r"Convolution: W has shape \(5, 5\)"):
        Convolution(np.zeros((5, 5)), 0)
    layer.forward(np.zeros((2, 1, 28, 28)))
    with pytest.raises(ShapeError, match=r"Convolution.backward: dout has shape \(2, 24, 24, 30\).*\(2, 30, 24, 24\)"):
        layer.backward(np.zeros((2, 24, 24, 30)))


POOL_CASES = [((2, 3, 4, 6), 2, 2, 2, 0), ((3, 2, 7, 5), 3, 2, 1, 0), ((2, 3, 5, 7), 3, 3, 2, 1),
              ((1, 4, 6, 4), 2, 2, 2, 1)]


@pytest.mark.parametrize("shape,ph,pw,stride,pad", POOL_CASES)
def test_pooling_forward_takes_each_windows_maximum(rng, shape, ph, pw, stride, pad):
    x = rng.standard_normal(shape)
    x0 = x.copy()
    out = Pooling(ph, pw, stride, pad).forward(x)
    assert np.array_equal(out, naive_maxpool(x, ph, pw, stride, pad))
    assert np.array_equal(x, x0)


def test_pooling_padding_never_wins_over_negative_inputs():
    x = -np.ones((1, 1, 2, 2))
    assert np.array_equal(Pooling(2, 2, stride=2, pad=1).forward(x), -np.ones((1, 1, 2, 2)))


@pytest.mark.parametrize("shape,ph,pw,stride,pad", POOL_CASES)
def test_pooling_backward_matches_numerical_gradients(rng, shape, ph, pw, stride, pad):
    x = rng.standard_normal(shape)  # distinct values: no ties, so max is differentiable at x
    layer = Pooling(ph, pw, stride, pad)
    out = layer.forward(x)
    dout = rng.standard_normal(out.shape)
    dout0 = dout.copy()
    dx = layer.backward(dout)
    assert np.array_equal(dout, dout0)
    num = numerical_gradient(lambda _: float(np.sum(layer.forward(x) * dout)), x)
    assert dx.shape == x.shape
    assert relative_error(dx, num) < 1e-7


def test_pooling_sends_each_gradient_to_its_windows_maximum():
    x = np.array([[[[1.0, 5.0, 2.0, 0.0], [3.0, 4.0, 8.0, 1.0]]]])   # (1, 1, 2, 4): two 2x2 windows
    layer = Pooling(2, 2, stride=2)
    assert np.array_equal(layer.forward(x), [[[[5.0, 8.0]]]])
    dx = layer.backward(np.array([[[[10.0, 20.0]]]]))
    assert np.array_equal(dx, [[[[0, 10, 0, 0], [0, 0, 20, 0]]]])


def test_pooling_keeps_float32_and_checks_its_settings(rng):
    x = rng.random((2, 3, 4, 4), dtype=np.float32)
    layer = Pooling(2, 2, stride=2)
    out = layer.forward(x)
    assert out.dtype == np.float32 and out.shape == (2, 3, 2, 2)
    assert layer.backward(np.ones_like(out)).dtype == np.float32
    with pytest.raises(ValueError, match=r"Pooling: pad 2 is more than half"):
        Pooling(2, 2, stride=2, pad=2)
    with pytest.raises(ShapeError, match=r"Pooling: the height does not fit: H \+ 2\*pad - pool_h = 7 \+ 2\*0 - 2 = 5"):
        Pooling(2, 2, stride=2).forward(np.zeros((1, 1, 7, 4)))
    with pytest.raises(ShapeError, match=r"Pooling.backward: dout has shape"):
        layer.backward(np.ones((2, 2, 2, 3)))


def test_the_book_names_are_importable_from_course_lib_common():
    from course_lib.common.layers import Convolution as C, Pooling as P
    from course_lib.common.util import col2im as c2i, im2col as i2c

    assert (C, P, i2c, c2i) == (Convolution, Pooling, im2col, col2im)
