"""Layers with ``forward`` / ``backward`` (book chapter 5, ``common/layers.py``).

Each layer remembers what its backward pass needs during ``forward`` and
returns, in ``backward(dout)``, the gradient of the loss with respect to its
input. ``dout`` is the gradient at the layer's *output*; it is never modified
(the book's ``Relu.backward`` writes into ``dout``; this one does not).

Shapes: ``N`` samples per batch, ``D`` inputs, ``H`` outputs, ``C`` classes.
"""
from __future__ import annotations

import numpy as np

from .functions import labels_to_indices, sigmoid, softmax

__all__ = ["MulLayer", "AddLayer", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "ShapeError"]


class ShapeError(ValueError):
    """A layer got an array whose shape does not fit. The message names the layer and both shapes."""


def _check_same_shape(layer: str, what: str, got, expected) -> None:
    got_shape = np.shape(got)
    if got_shape != tuple(expected):
        raise ShapeError(f"{layer}.backward: {what} has shape {got_shape}, but the forward output "
                         f"had shape {tuple(expected)}; they must be equal")


class MulLayer:
    """Multiplication node ``out = x * y`` (numbers or arrays of one shape).

    backward(dout) -> ``(dx, dy) = (dout * y, dout * x)``: each input's
    gradient is the upstream gradient times the *other* input.
    """

    def __init__(self):
        self.x = None
        self.y = None

    def forward(self, x, y):
        self.x = x
        self.y = y
        return x * y

    def backward(self, dout):
        dx = dout * self.y
        dy = dout * self.x
        return dx, dy


class AddLayer:
    """Addition node ``out = x + y``. backward(dout) -> ``(dout, dout)``: addition passes the gradient on."""

    def forward(self, x, y):
        return x + y

    def backward(self, dout):
        return dout * 1, dout * 1


class Relu:
    """ReLU layer. forward: ``x`` (any shape) -> same shape. backward: ``dout`` -> ``dx`` (same shape).

    backward multiplies ``dout`` by 0 where the input was <= 0 and by 1 elsewhere. A multiply
    takes the same time whatever the mask looks like; ``np.where(mask, 0, dout)`` or
    ``dout[mask] = 0`` decide element by element, and on a random-looking mask the CPU guesses
    those decisions wrong half the time (measured: about 3x slower on a 100 x 50 batch).
    Where ``dout`` is negative the product prints as ``-0.``; ``-0.0 == 0.0``, so nothing changes.
    """

    def __init__(self):
        self.mask = None

    def forward(self, x):
        x = np.asarray(x)
        self.mask = x <= 0
        return np.maximum(x, 0)  # same as np.where(self.mask, 0, x), one pass over x

    def backward(self, dout):
        _check_same_shape("Relu", "dout", dout, self.mask.shape)
        return dout * ~self.mask  # ~mask is True (1) where x > 0; a new array, dout is left as it was


class Sigmoid:
    """Sigmoid layer. forward: ``x`` (any shape) -> ``out`` (same shape).

    backward: ``dx = dout * out * (1 - out)`` -- it reuses the forward output.
    """

    def __init__(self):
        self.out = None

    def forward(self, x):
        # functions.sigmoid, rewritten as sigmoid(x) = (1 + tanh(x / 2)) / 2 (the same function;
        # tanh never overflows) and computed in place: one new array instead of several.
        x = np.asarray(x)
        if not np.issubdtype(x.dtype, np.floating):
            x = x.astype(np.float64)
        out = np.multiply(x, 0.5, dtype=x.dtype)  # out = x / 2 (a new array; x is left as it was)
        np.tanh(out, out=out)                      # out = tanh(x / 2)
        out += 1.0
        out *= 0.5                                 # out = (1 + tanh(x / 2)) / 2
        self.out = out
        return self.out

    def backward(self, dout):
        _check_same_shape("Sigmoid", "dout", dout, self.out.shape)
        dout = np.asarray(dout)
        # one new array, then in place: dx = (1 - out) * out * dout
        dx = np.subtract(1.0, self.out, dtype=np.result_type(self.out.dtype, dout.dtype))
        dx *= self.out
        dx *= dout
        return dx


class Affine:
    """Fully connected layer ``out = x @ W + b`` (the book's ``X @ W`` row convention).

    W: ``(D, H)``, b: ``(H,)``. The arrays are held by reference, so an
    optimizer that updates ``params['W1']`` in place updates this layer too.
    forward: ``x`` of shape ``(N, D)`` (or ``(N, d1, d2, ...)`` with
    ``d1*d2*... == D``, flattened per sample) -> ``(N, H)``.
    backward: ``dout`` ``(N, H)`` -> ``dx`` with ``x``'s original shape; sets
    ``dW = x.T @ dout`` ``(D, H)`` and ``db = dout.sum(axis=0)`` ``(H,)``: the
    bias is added to every sample, so its gradient sums over the batch.
    """

    def __init__(self, W, b, name: str = "Affine"):
        W = np.asarray(W)
        b = np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ShapeError(f"{name}: W must be (D, H) and b (H,); got W {W.shape} and b {b.shape}")
        self.W = W
        self.b = b
        self.name = name
        self.x = None
        self.original_x_shape = None
        self.dW = None
        self.db = None

    def forward(self, x):
        x = np.asarray(x)
        self.original_x_shape = x.shape
        if x.ndim == 1:
            raise ShapeError(f"{self.name}: x has shape {x.shape}, expected a batch of shape (N, {self.W.shape[0]}); "
                             f"for one sample use x.reshape(1, -1)")
        x = x.reshape(x.shape[0], -1)
        if x.shape[1] != self.W.shape[0]:
            raise ShapeError(f"{self.name}: x has shape {self.original_x_shape} but W has shape {self.W.shape}; "
                             f"x must be (N, {self.W.shape[0]}) -- its last dimension must equal W's first. "
                             f"(Mixing up the x @ W and W @ x conventions? Then transpose.)")
        self.x = x
        out = x @ self.W
        out += self.b  # in place: no second (N, H) array
        return out

    def backward(self, dout, compute_dx: bool = True):
        """dout ``(N, H)`` -> dx (x's shape); sets ``dW`` ``(D, H)`` and ``db`` ``(H,)``.

        compute_dx=False skips ``dx`` and returns None: a network's *first*
        layer needs it for nothing (the input image is not trained), and
        ``dout @ W.T`` is as expensive as the forward product.
        """
        _check_same_shape(self.name, "dout", dout, (self.x.shape[0], self.W.shape[1]))
        dout = np.asarray(dout)
        self.dW = self.x.T @ dout
        self.db = dout.sum(axis=0)
        if not compute_dx:
            return None
        dx = dout @ self.W.T
        return dx.reshape(self.original_x_shape)


class SoftmaxWithLoss:
    """Softmax followed by cross-entropy, as one layer.

    forward(x, t): scores ``x`` ``(N, C)`` and labels ``t`` -- indices ``(N,)``
    or one-hot ``(N, C)`` -> the mean loss (a float).
    backward(dout=1): -> ``dx = dout * (y - t_onehot) / N`` of shape ``(N, C)``.
    Softmax and cross-entropy were designed for each other: together their
    gradient is simply "prediction minus truth", averaged over the batch.
    """

    def __init__(self):
        self.loss = None
        self.y = None
        self.t_idx = None
        self.rows = None  # np.arange(N), kept for backward

    def forward(self, x, t):
        x = np.asarray(x)
        if x.ndim != 2:
            raise ShapeError(f"SoftmaxWithLoss: x has shape {x.shape}, expected scores of shape (N, C)")
        try:
            self.t_idx = labels_to_indices(t, x.shape)
        except ValueError as e:
            raise ShapeError(f"SoftmaxWithLoss: {e}") from None
        N = x.shape[0]
        rows = np.arange(N)
        # softmax, stable: subtract each row's max (see functions.softmax), exponentiate once.
        # The row max is read as the score at each row's argmax: the same numbers as x.max(axis=1),
        # and about 3x faster on a (100, 10) batch (NumPy's max over many short rows is slow).
        z = x - x[rows, x.argmax(axis=1)][:, None]
        e = np.exp(z)
        s = e.sum(axis=1)
        e /= s[:, None]  # in place: e becomes the softmax y (no second (N, C) array)
        self.y = e
        self.rows = rows
        # -log(softmax) of the right class = log(s) - z[right class]: computed like this it stays
        # finite even when the right class's probability underflows to 0.
        self.loss = (float(np.log(s).sum()) - float(z[rows, self.t_idx].sum())) / N
        return self.loss

    def backward(self, dout=1):
        N = self.y.shape[0]
        dx = np.multiply(self.y, dout / N, dtype=self.y.dtype)  # a new array; y stays as forward left it
        dx[self.rows, self.t_idx] -= dout / N                   # minus the one-hot t, without building it
        return dx
