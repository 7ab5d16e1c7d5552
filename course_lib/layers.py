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


# --------------------------------------------------------------------------
# Chapter 6: layers that behave differently in training and at test time (``train_flg``)
# --------------------------------------------------------------------------
__all__ += ["Dropout", "BatchNormalization"]


def _check_dout(layer: str, dout, expected) -> None:
    if np.shape(dout) != tuple(expected):
        raise ShapeError(f"{layer}.backward: dout has shape {np.shape(dout)}, but the forward output had shape "
                         f"{tuple(expected)}; they must be equal")


class Dropout:
    """Dropout (Srivastava et al., 2014; the book's chapter 6).

    forward(x, train_flg=True): ``x`` (any shape) -> the same shape. In training every unit is dropped
    (set to 0) with probability ``dropout_ratio``, a new random choice at every call; at test time
    (``train_flg=False``) every unit is kept and scaled by ``1 - dropout_ratio``, so that each unit's
    expected output is the same in both modes.
    backward(dout): ``dout`` (the forward output's shape) -> ``dx``: the gradient flows only through the
    units the last training forward kept.

    seed / rng: the masks come from ``np.random.default_rng(seed)``, or from the generator ``rng``
    (a network can give all its Dropout layers one seeded generator), so a run can be repeated.
    The book draws them with ``np.random.rand``.
    """

    def __init__(self, dropout_ratio: float = 0.5, seed=None, rng=None):
        if not 0.0 <= dropout_ratio < 1.0:
            raise ValueError(f"Dropout: dropout_ratio is the probability of dropping a unit, in [0, 1); "
                             f"got {dropout_ratio}")
        self.dropout_ratio = dropout_ratio
        self.rng = rng if rng is not None else np.random.default_rng(seed)
        self.mask = None

    def forward(self, x, train_flg: bool = True):
        x = np.asarray(x)
        if train_flg:
            self.mask = self.rng.random(x.shape) > self.dropout_ratio  # True = kept
            return x * self.mask
        else:
            return x * (1.0 - self.dropout_ratio)

    def backward(self, dout):
        if self.mask is None:
            raise RuntimeError("Dropout.backward: no mask yet -- call forward(x, train_flg=True) first")
        _check_dout("Dropout", dout, self.mask.shape)
        return dout * self.mask


class BatchNormalization:
    """Batch normalization (Ioffe & Szegedy, 2015; the book's chapter 6).

    gamma, beta: ``(D,)`` -- the scale and shift learned after normalizing (held by reference, like
    ``Affine``'s ``W`` and ``b``, so an optimizer that updates ``params['gamma1']`` in place updates the layer).
    momentum: how slowly the running averages move. running_mean, running_var: ``(D,)`` or None (zeros,
    made at the first forward pass).

    forward(x, train_flg=True): ``x`` ``(N, D)`` (or ``(N, C, H, W)``, flattened per sample to
    ``(N, C*H*W)`` as in the book) -> the same shape.
    In training each feature is normalized with the mean and variance of *this batch*, and the running
    averages are updated; at test time (``train_flg=False``) it is normalized with the running averages,
    which are left as they are -- a test batch must not change the network.
    backward(dout): ``dout`` (x's shape) -> ``dx``; sets ``dgamma`` and ``dbeta`` ``(D,)``.
    """

    eps = 1e-6  # keeps the division finite when a feature does not vary in a batch (the book writes 10e-7)

    def __init__(self, gamma, beta, momentum: float = 0.9, running_mean=None, running_var=None):
        gamma = np.asarray(gamma)
        beta = np.asarray(beta)
        if gamma.ndim != 1 or beta.shape != gamma.shape:
            raise ShapeError(f"BatchNormalization: gamma and beta must both be (D,); got gamma {gamma.shape} "
                             f"and beta {beta.shape}")
        self.gamma = gamma
        self.beta = beta
        self.momentum = momentum
        self.input_shape = None  # (N, D) for a fully connected layer, (N, C, H, W) after a convolution

        # the averages used at test time
        self.running_mean = running_mean
        self.running_var = running_var

        # what backward needs
        self.batch_size = None
        self.xc = None
        self.xn = None
        self.std = None
        self.dgamma = None
        self.dbeta = None

    def forward(self, x, train_flg: bool = True):
        x = np.asarray(x)
        self.input_shape = x.shape
        if x.ndim < 2:
            raise ShapeError(f"BatchNormalization: x has shape {x.shape}, expected a batch (N, {self.gamma.shape[0]}); "
                             "for one sample use x.reshape(1, -1)")
        x = x.reshape(x.shape[0], -1)
        if x.shape[1] != self.gamma.shape[0]:
            raise ShapeError(f"BatchNormalization: x has shape {self.input_shape} ({x.shape[1]} features per "
                             f"sample) but gamma has shape {self.gamma.shape}; they must match")
        if self.running_mean is None:
            D = x.shape[1]
            self.running_mean = np.zeros(D, dtype=x.dtype)
            self.running_var = np.zeros(D, dtype=x.dtype)

        if train_flg:
            mu = x.mean(axis=0)
            xc = x - mu
            var = np.mean(xc**2, axis=0)
            std = np.sqrt(var + self.eps)
            xn = xc / std

            self.batch_size = x.shape[0]
            self.xc = xc
            self.xn = xn
            self.std = std
            self.running_mean = self.momentum * self.running_mean + (1 - self.momentum) * mu
            self.running_var = self.momentum * self.running_var + (1 - self.momentum) * var
        else:
            xc = x - self.running_mean
            xn = xc / np.sqrt(self.running_var + self.eps)

        out = self.gamma * xn + self.beta
        return out.reshape(self.input_shape)

    def backward(self, dout):
        if self.xc is None:
            raise RuntimeError("BatchNormalization.backward: call forward(x, train_flg=True) first")
        _check_dout("BatchNormalization", dout, self.input_shape)
        dout = np.asarray(dout).reshape(self.xc.shape)

        dbeta = dout.sum(axis=0)
        dgamma = np.sum(self.xn * dout, axis=0)
        dxn = self.gamma * dout
        dxc = dxn / self.std
        dstd = -np.sum((dxn * self.xc) / (self.std * self.std), axis=0)
        dvar = 0.5 * dstd / self.std
        dxc += (2.0 / self.batch_size) * self.xc * dvar  # dxc is a new array: dout is left as it was
        dmu = np.sum(dxc, axis=0)
        dx = dxc - dmu / self.batch_size

        self.dgamma = dgamma
        self.dbeta = dbeta
        return dx.reshape(self.input_shape)
