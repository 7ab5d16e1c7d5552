"""Convolution and pooling (book chapter 7: ``common/util.py`` and ``common/layers.py``).

Images are 4-D arrays ``(N, C, H, W)``: ``N`` images of ``C`` channels, ``H`` pixels high and ``W`` wide
(the book's order; MNIST as ``load_mnist(flatten=False)`` is ``(N, 1, 28, 28)``). Filters are
``(FN, C, FH, FW)``: ``FN`` filters, each with one ``FH x FW`` kernel per input channel.

``im2col`` cuts every patch a filter visits into one row of a matrix, so that a convolution becomes one
matrix product; ``col2im`` adds such rows back into an image (the backward pass).

The output size, for the height (the width likewise)::

    out_h = (H + 2*pad - FH) // stride + 1

Where ``H + 2*pad - FH`` is not a multiple of ``stride`` the last stride would run past the edge, and
where the filter is larger than the padded image there is no position at all: both raise ``ShapeError``
naming the layer and the numbers (the book's code silently drops the rest of the image instead).
"""
from __future__ import annotations

import numbers

import numpy as np

from .layers import ShapeError

__all__ = ["conv_output_size", "im2col", "col2im", "Convolution", "Pooling", "ShapeError"]


def _check_settings(who: str, stride, pad) -> None:
    if not isinstance(stride, numbers.Integral) or stride < 1:
        raise ValueError(f"{who}: stride must be a whole number >= 1, got {stride!r}")
    if not isinstance(pad, numbers.Integral) or pad < 0:
        raise ValueError(f"{who}: pad must be a whole number >= 0, got {pad!r}")


def _size(who: str, side: str, input_size: int, filter_size: int, stride: int, pad: int,
          names=("input_size", "filter_size")) -> int:
    """``(input_size + 2*pad - filter_size) // stride + 1``, or a ShapeError that says why it does not fit.

    side: ``'height'`` or ``'width'``; names: how the message calls the input and filter sizes (``('H', 'FH')``).
    """
    padded = input_size + 2 * pad
    I, F = names
    if filter_size > padded:
        raise ShapeError(f"{who}: the filter ({F} = {filter_size}) is larger than the padded input's {side} "
                         f"({I} + 2*pad = {input_size} + 2*{pad} = {padded}); use a smaller filter or more padding")
    if (padded - filter_size) % stride:
        raise ShapeError(f"{who}: the {side} does not fit: {I} + 2*pad - {F} = {input_size} + 2*{pad} - {filter_size} "
                         f"= {padded - filter_size} is not a multiple of the stride {stride} (the output would be "
                         f"{(padded - filter_size) / stride + 1:g} pixels); change pad, stride or the filter size")
    return (padded - filter_size) // stride + 1


def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> int:
    """Output size of a convolution or pooling along one side: ``(input_size + 2*pad - filter_size) // stride + 1``.

    Raises ``ShapeError`` when the filter does not fit: larger than the padded input, or
    ``input_size + 2*pad - filter_size`` not a multiple of ``stride``. Example: 28, 5, stride 1, pad 0 -> 24.
    """
    _check_settings("conv_output_size", stride, pad)
    return _size("conv_output_size", "size", int(input_size), int(filter_size), stride, pad)


def _check_images(who: str, x, what: str = "x") -> np.ndarray:
    x = np.asarray(x)
    if x.ndim != 4:
        fix = ("; MNIST rows (N, 784) become images with x.reshape(-1, 1, 28, 28) or load_mnist(flatten=False)"
               if x.ndim == 2 else "; one image (C, H, W) becomes a batch with x[np.newaxis]" if x.ndim == 3 else "")
        raise ShapeError(f"{who}: {what} has shape {x.shape}, expected images (N, C, H, W){fix}")
    return x


def _output_hw(who: str, x_shape, filter_h: int, filter_w: int, stride: int, pad: int, names=("FH", "FW")):
    """``(out_h, out_w)`` for images of ``x_shape`` ``(N, C, H, W)``; names: what the messages call the filter sizes."""
    _, _, H, W = x_shape
    return (_size(who, "height", H, filter_h, stride, pad, ("H", names[0])),
            _size(who, "width", W, filter_w, stride, pad, ("W", names[1])))


def im2col(input_data, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0):
    """Unroll the patches a filter visits into the rows of a matrix.

    input_data: images ``(N, C, H, W)`` (not modified). Returns ``col`` of shape
    ``(N*out_h*out_w, C*filter_h*filter_w)``: one row per output pixel -- image by image, then row by row of
    the output -- holding the ``C`` patches of ``filter_h x filter_w`` pixels under the filter, channel by
    channel, each read row by row (so ``col @ W.reshape(FN, -1).T`` is the convolution). Same dtype as the input.
    """
    _check_settings("im2col", stride, pad)
    input_data = _check_images("im2col", input_data, "input_data")
    N, C, H, W = input_data.shape
    out_h, out_w = _output_hw("im2col", input_data.shape, filter_h, filter_w, stride, pad)

    img = np.pad(input_data, [(0, 0), (0, 0), (pad, pad), (pad, pad)], "constant")
    col = np.zeros((N, C, filter_h, filter_w, out_h, out_w), dtype=img.dtype)

    # One slice per position (y, x) inside the filter: the pixels that position sees, for all outputs at once.
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            col[:, :, y, x, :, :] = img[:, :, y:y_max:stride, x:x_max:stride]

    # (N, C, FH, FW, out_h, out_w) -> (N, out_h, out_w, C, FH, FW): a transpose, then one row per output pixel
    col = col.transpose(0, 4, 5, 1, 2, 3).reshape(N * out_h * out_w, -1)
    return col


def col2im(col, input_shape, filter_h: int, filter_w: int, stride: int = 1, pad: int = 0):
    """The backward of ``im2col``: add each row of ``col`` back into the pixels its patch came from.

    col: ``(N*out_h*out_w, C*filter_h*filter_w)`` as ``im2col`` makes it; input_shape: ``(N, C, H, W)``.
    Returns images ``(N, C, H, W)`` (dtype of ``col``). A pixel under several patches gets the sum of
    their values -- which is what the gradient needs. ``col`` is not modified.
    """
    _check_settings("col2im", stride, pad)
    if len(input_shape) != 4:
        raise ShapeError(f"col2im: input_shape is {tuple(input_shape)}, expected (N, C, H, W)")
    N, C, H, W = input_shape
    out_h, out_w = _output_hw("col2im", input_shape, filter_h, filter_w, stride, pad)
    col = np.asarray(col)
    expected = (N * out_h * out_w, C * filter_h * filter_w)
    if col.shape != expected:
        raise ShapeError(f"col2im: col has shape {col.shape}, but images {tuple(input_shape)} with a "
                         f"{filter_h}x{filter_w} filter, stride {stride} and pad {pad} give {expected}")
    col = col.reshape(N, out_h, out_w, C, filter_h, filter_w).transpose(0, 3, 4, 5, 1, 2)

    img = np.zeros((N, C, H + 2 * pad + stride - 1, W + 2 * pad + stride - 1), dtype=col.dtype)
    for y in range(filter_h):
        y_max = y + stride * out_h
        for x in range(filter_w):
            x_max = x + stride * out_w
            img[:, :, y:y_max:stride, x:x_max:stride] += col[:, :, y, x, :, :]

    return img[:, :, pad:H + pad, pad:W + pad]


class Convolution:
    """Convolution layer: ``FN`` filters slide over the images; each output pixel is one filter's
    weighted sum of the patch under it, plus the filter's bias.

    W: filters ``(FN, C, FH, FW)``; b: biases ``(FN,)`` (a number is used for every filter). The arrays
    are held by reference, so an optimizer that updates ``params['W1']`` in place updates this layer too.
    forward: ``x`` ``(N, C, H, W)`` -> ``(N, FN, out_h, out_w)`` with ``out_h = (H + 2*pad - FH) // stride + 1``.
    backward: ``dout`` ``(N, FN, out_h, out_w)`` -> ``dx`` ``(N, C, H, W)``; sets ``dW`` ``(FN, C, FH, FW)``
    and ``db`` ``(FN,)``. needs_dx=False: backward returns None instead of ``dx`` -- for a network's first
    layer, whose input (the images) is not trained: ``col2im`` is then skipped.
    """

    def __init__(self, W, b, stride: int = 1, pad: int = 0, needs_dx: bool = True):
        W = np.asarray(W)
        if W.ndim != 4:
            raise ShapeError(f"Convolution: W has shape {W.shape}, expected filters (FN, C, FH, FW); one 2-D "
                             f"kernel k becomes k.reshape(1, 1, *k.shape)")
        b = np.asarray(b)
        if b.ndim == 0:  # one number for every filter (the book's apply_filter.py passes b = 0)
            b = np.full(W.shape[0], b, dtype=np.result_type(W.dtype, b.dtype))
        if b.shape != (W.shape[0],):
            raise ShapeError(f"Convolution: b has shape {b.shape} but W {W.shape} has {W.shape[0]} filters; "
                             f"b must be ({W.shape[0]},): one bias per filter")
        _check_settings("Convolution", stride, pad)
        self.W = W
        self.b = b
        self.stride = stride
        self.pad = pad
        self.needs_dx = needs_dx

        # kept by forward for backward
        self.x = None
        self.col = None
        self.col_W = None

        # gradients of the weights and biases
        self.dW = None
        self.db = None

    def _check_x(self, x):
        x = _check_images("Convolution", x)
        FN, C, FH, FW = self.W.shape
        if x.shape[1] != C:
            channels_last = x.shape[3] == C
            raise ShapeError(f"Convolution: x has shape {x.shape}, so {x.shape[1]} channel(s), but the filters W "
                             f"{self.W.shape} expect {C}; x must be (N, C, H, W) = (N, {C}, H, W)"
                             + ("; images stored channels-last (N, H, W, C) become (N, C, H, W) with "
                                "x.transpose(0, 3, 1, 2)" if channels_last else ""))
        return x

    def forward(self, x):
        """x ``(N, C, H, W)`` -> ``(N, FN, out_h, out_w)``."""
        x = self._check_x(x)
        FN, C, FH, FW = self.W.shape
        N, C, H, W = x.shape
        out_h, out_w = _output_hw("Convolution", x.shape, FH, FW, self.stride, self.pad)

        col = im2col(x, FH, FW, self.stride, self.pad)  # (N*out_h*out_w, C*FH*FW)
        col_W = self.W.reshape(FN, -1).T                 # (C*FH*FW, FN): one column per filter

        out = np.dot(col, col_W) + self.b                # (N*out_h*out_w, FN)
        out = out.reshape(N, out_h, out_w, -1).transpose(0, 3, 1, 2)
        out = np.ascontiguousarray(out)  # a copy in (N, FN, out_h, out_w) order: the next layers run faster on it

        self.x = x
        self.col = col
        self.col_W = col_W

        return out

    def backward(self, dout):
        """dout ``(N, FN, out_h, out_w)`` -> dx ``(N, C, H, W)``; sets ``dW`` and ``db``."""
        dout = np.asarray(dout)
        FN, C, FH, FW = self.W.shape
        N = self.x.shape[0]
        out_h, out_w = _output_hw("Convolution", self.x.shape, FH, FW, self.stride, self.pad)
        if dout.shape != (N, FN, out_h, out_w):
            raise ShapeError(f"Convolution.backward: dout has shape {dout.shape}, but the forward output had "
                             f"shape {(N, FN, out_h, out_w)}; they must be equal")
        dout = dout.transpose(0, 2, 3, 1).reshape(-1, FN)  # (N*out_h*out_w, FN), rows as in col

        self.db = np.sum(dout, axis=0)
        self.dW = np.dot(self.col.T, dout)
        self.dW = self.dW.transpose(1, 0).reshape(FN, C, FH, FW)

        if not self.needs_dx:
            return None
        dcol = np.dot(dout, self.col_W.T)
        dx = col2im(dcol, self.x.shape, FH, FW, self.stride, self.pad)

        return dx


class Pooling:
    """Max pooling: each ``pool_h x pool_w`` window of each channel becomes its largest value.

    forward: ``x`` ``(N, C, H, W)`` -> ``(N, C, out_h, out_w)`` with ``out_h = (H + 2*pad - pool_h) // stride + 1``
    (the channels stay separate). backward: ``dout`` of that shape -> ``dx`` ``(N, C, H, W)``: each window's
    gradient goes to the pixel that was its maximum; the other pixels get 0.
    Padding adds cells that are never the maximum (``-inf``; the book's code pads with 0, which wins over
    negative inputs), so ``pad`` may be at most half the window.
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 1, pad: int = 0):
        _check_settings("Pooling", stride, pad)
        if not (isinstance(pool_h, numbers.Integral) and isinstance(pool_w, numbers.Integral)) \
                or pool_h < 1 or pool_w < 1:
            raise ValueError(f"Pooling: pool_h and pool_w must be whole numbers >= 1, got {pool_h!r}, {pool_w!r}")
        if 2 * pad > min(pool_h, pool_w):
            raise ValueError(f"Pooling: pad {pad} is more than half the {pool_h}x{pool_w} window, so a window "
                             f"could hold padding only; use pad <= {min(pool_h, pool_w) // 2}")
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

        self.x = None
        self.arg_max = None

    def forward(self, x):
        """x ``(N, C, H, W)`` -> ``(N, C, out_h, out_w)``."""
        x = _check_images("Pooling", x)
        N, C, H, W = x.shape
        out_h, out_w = _output_hw("Pooling", x.shape, self.pool_h, self.pool_w, self.stride, self.pad,
                                   ("pool_h", "pool_w"))

        img = x
        if self.pad:  # pad with -inf (a float), so that padding is never the maximum
            img = x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)
            p = self.pad
            img = np.pad(img, [(0, 0), (0, 0), (p, p), (p, p)], "constant", constant_values=-np.inf)
        col = im2col(img, self.pool_h, self.pool_w, self.stride)  # (N*out_h*out_w, C*pool_h*pool_w)
        col = col.reshape(-1, self.pool_h * self.pool_w)          # one window per row: (N*out_h*out_w*C, pool_h*pool_w)

        arg_max = np.argmax(col, axis=1)
        out = col[np.arange(arg_max.size), arg_max]  # the maximum of each row (np.max(col, axis=1), 10x faster)
        out = out.reshape(N, out_h, out_w, C).transpose(0, 3, 1, 2)

        self.x = x
        self.arg_max = arg_max

        return out

    def backward(self, dout):
        """dout ``(N, C, out_h, out_w)`` -> dx ``(N, C, H, W)``."""
        dout = np.asarray(dout)
        N, C, H, W = self.x.shape
        out_h, out_w = _output_hw("Pooling", self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad,
                                   ("pool_h", "pool_w"))
        if dout.shape != (N, C, out_h, out_w):
            raise ShapeError(f"Pooling.backward: dout has shape {dout.shape}, but the forward output had "
                             f"shape {(N, C, out_h, out_w)}; they must be equal")
        dout = dout.transpose(0, 2, 3, 1)  # (N, out_h, out_w, C): windows in the order of forward's rows

        pool_size = self.pool_h * self.pool_w
        dmax = np.zeros((dout.size, pool_size), dtype=np.result_type(dout.dtype, np.float32))
        dmax[np.arange(self.arg_max.size), self.arg_max.flatten()] = dout.flatten()
        dmax = dmax.reshape(dout.shape + (pool_size,))

        dcol = dmax.reshape(dmax.shape[0] * dmax.shape[1] * dmax.shape[2], -1)
        dx = col2im(dcol, self.x.shape, self.pool_h, self.pool_w, self.stride, self.pad)

        return dx
