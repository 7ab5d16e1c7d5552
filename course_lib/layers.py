"""Layers with ``forward`` / ``backward`` (book chapter 5, ``common/layers.py``).

Each layer remembers what its backward pass needs during ``forward`` and
returns, in ``backward(dout)``, the gradient of the loss with respect to its
input. ``dout`` is the gradient at the layer's *output*; it is never modified
(the book's ``Relu.backward`` writes into ``dout``; this one does not).

Shapes: ``N`` samples per batch, ``D`` inputs, ``H`` outputs, ``C`` classes.
"""
from __future__ import annotations

import numpy as np

from .functions import cross_entropy_error, labels_to_indices, sigmoid, softmax

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

    ``mask`` remembers where the input was <= 0: there the output is 0 and no gradient flows back.
    """

    def __init__(self):
        self.mask = None

    def forward(self, x):
        x = np.asarray(x)
        self.mask = (x <= 0)
        out = np.maximum(x, 0)  # the book: out = x.copy(); out[self.mask] = 0
        return out

    def backward(self, dout):
        _check_same_shape("Relu", "dout", dout, self.mask.shape)
        # dx = dout * relu'(x), where relu'(x) is 0 where x <= 0 and 1 elsewhere (~mask).
        # The book writes dout[self.mask] = 0, which changes the caller's dout; this makes a new array.
        dx = dout * ~self.mask
        return dx


class Sigmoid:
    """Sigmoid layer. forward: ``x`` (any shape) -> ``out`` (same shape).

    backward: ``dx = dout * (1 - out) * out`` -- the sigmoid's derivative, from the forward output.
    """

    def __init__(self):
        self.out = None

    def forward(self, x):
        out = sigmoid(x)
        self.out = out
        return out

    def backward(self, dout):
        _check_same_shape("Sigmoid", "dout", dout, self.out.shape)
        dx = dout * (1.0 - self.out) * self.out
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

    needs_dx=False makes ``backward`` return None instead of ``dx``: a network's *first* layer
    has nothing below it that needs ``dx`` (the input images are not trained), and ``dout @ W.T``
    costs as much as the forward product.
    """

    def __init__(self, W, b, name: str = "Affine", needs_dx: bool = True):
        W = np.asarray(W)
        b = np.asarray(b)
        if W.ndim != 2 or b.shape != (W.shape[1],):
            raise ShapeError(f"{name}: W must be (D, H) and b (H,); got W {W.shape} and b {b.shape}")
        self.W = W
        self.b = b
        self.name = name
        self.needs_dx = needs_dx
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
        out = self.x @ self.W + self.b
        return out

    def backward(self, dout):
        _check_same_shape(self.name, "dout", dout, (self.x.shape[0], self.W.shape[1]))
        self.dW = self.x.T @ dout
        self.db = np.sum(dout, axis=0)
        if not self.needs_dx:  # the first layer of a network: nobody uses dx
            return None
        dx = dout @ self.W.T
        dx = dx.reshape(*self.original_x_shape)
        return dx


class SoftmaxWithLoss:
    """Softmax followed by cross-entropy, as one layer.

    forward(x, t): scores ``x`` ``(N, C)`` and labels ``t`` -- indices ``(N,)``
    or one-hot ``(N, C)`` -> the mean loss, ``cross_entropy_error(softmax(x), t)`` (a float).
    backward(dout=1): -> ``dx = dout * (y - t_one_hot) / N`` of shape ``(N, C)``.
    Softmax and cross-entropy were designed for each other: together their
    gradient is simply "prediction minus truth", averaged over the batch.

    (The ``delta`` in ``cross_entropy_error``'s ``log(y + delta)`` makes the loss's exact gradient differ
    from ``(y - t) / N`` by the factor ``y_t / (y_t + delta)`` per sample, ``y_t`` being the right class's
    probability: about ``1e-6`` relative at ``y_t = 0.1``. A gradient check sees it; see
    ``gradient.gradient_check``.)
    """

    def __init__(self):
        self.loss = None
        self.y = None  # softmax output (N, C)
        self.t = None  # labels as class indices (N,); one-hot labels are converted in forward

    def forward(self, x, t):
        x = np.asarray(x)
        if x.ndim != 2:
            raise ShapeError(f"SoftmaxWithLoss: x has shape {x.shape}, expected scores of shape (N, C)")
        try:
            self.t = labels_to_indices(t, x.shape)
        except ValueError as e:
            raise ShapeError(f"SoftmaxWithLoss: {e}") from None
        self.y = softmax(x)
        self.loss = cross_entropy_error(self.y, self.t)
        return self.loss

    def backward(self, dout=1):
        batch_size = self.t.shape[0]
        dx = self.y.copy()
        dx[np.arange(batch_size), self.t] -= 1  # dx = y - t: t is 1 at the right class, 0 elsewhere
        dx = dx * (dout / batch_size)
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
