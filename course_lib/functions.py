"""Activation, output and loss functions (book chapters 3 and 4).

Every function takes array-likes, returns new arrays and never modifies its
input. All of them are numerically stable: no overflow warnings for inputs like
+-1000, no ``log(0)``.

Shapes follow the book's row convention: a single sample is a vector of shape
``(D,)``, a batch is a matrix of shape ``(N, D)`` with one sample per row.
"""
from __future__ import annotations

import numpy as np

__all__ = [
    "step_function",
    "sigmoid",
    "sigmoid_grad",
    "relu",
    "relu_grad",
    "tanh",
    "tanh_grad",
    "identity_function",
    "softmax",
    "mean_squared_error",
    "cross_entropy_error",
    "to_one_hot",
    "labels_to_indices",
]


def _float_array(x) -> np.ndarray:
    """``x`` as a floating-point array (a new one if a conversion happens)."""
    x = np.asarray(x)
    if not np.issubdtype(x.dtype, np.floating):
        x = x.astype(np.float64)
    return x


# --------------------------------------------------------------------------
# activations
# --------------------------------------------------------------------------
def step_function(x):
    """Step function: 1 where ``x > 0``, else 0.

    x: array of any shape -> int array of the same shape (``np.int64``).
    Uses ``astype(np.int64)``: the alias ``np.int`` was removed in NumPy 1.24 and fails in every NumPy 2.
    """
    return (np.asarray(x) > 0).astype(np.int64)


def sigmoid(x):
    """Logistic sigmoid ``1 / (1 + exp(-x))``, computed without overflow.

    x: array of any shape -> float array of the same shape, values in [0, 1].

    ``exp(-x)`` overflows for ``x = -1000``, so we only ever exponentiate numbers <= 0:
    ``e = exp(-|x|)`` is ``exp(-x)`` where ``x >= 0`` and ``exp(x)`` where ``x < 0``, and
    ``1 / (1 + exp(-x)) == exp(x) / (1 + exp(x))`` (multiply top and bottom by ``exp(x)``).
    """
    x = _float_array(x)
    e = np.exp(-np.abs(x))                             # exp of a number <= 0: never overflows
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))  # x >= 0: 1 / (1 + exp(-x)); x < 0: exp(x) / (1 + exp(x))


def sigmoid_grad(x):
    """Derivative of the sigmoid at ``x``: ``s(x) * (1 - s(x))``.

    x: array of any shape -> float array of the same shape, values in [0, 0.25].
    """
    s = sigmoid(x)
    return s * (1.0 - s)


def relu(x):
    """Rectified linear unit ``max(0, x)``.

    x: array of any shape -> array of the same shape (and dtype).
    """
    x = np.asarray(x)
    return np.maximum(x, 0)


def relu_grad(x):
    """Derivative of ReLU: 1 where ``x > 0``, else 0 (we pick 0 at exactly 0).

    x: array of any shape -> float array of the same shape.
    """
    return (np.asarray(x) > 0).astype(np.float64)


def tanh(x):
    """Hyperbolic tangent (NumPy's ``np.tanh``, stable for large ``|x|``).

    x: array of any shape -> float array of the same shape, values in [-1, 1].
    """
    return np.tanh(_float_array(x))


def tanh_grad(x):
    """Derivative of tanh: ``1 - tanh(x)**2``. Same shape as ``x``."""
    return 1.0 - np.tanh(_float_array(x)) ** 2


def identity_function(x):
    """Identity output function (regression). Returns ``x`` unchanged (as an array)."""
    return np.asarray(x)


# --------------------------------------------------------------------------
# output layer
# --------------------------------------------------------------------------
def softmax(x):
    """Softmax over the last axis, stable for large inputs.

    x: shape ``(C,)`` (one sample) or ``(N, C)`` (a batch, one sample per row)
    -> float array of the same shape; each row sums to 1.

    Subtracting each row's own maximum does not change the result
    (``exp(a - c) / sum(exp(a - c)) == exp(a) / sum(exp(a))``) but keeps
    ``exp`` from overflowing: ``softmax([1010, 1000, 990])`` works.
    Subtracting *one* maximum for the whole batch would be wrong: a row far
    below the batch maximum would underflow to 0/0.
    """
    x = _float_array(x)
    if x.ndim == 0:
        raise ValueError("softmax expects a vector of shape (C,) or a batch of shape (N, C), got a scalar")
    z = x - np.max(x, axis=-1, keepdims=True)
    e = np.exp(z)
    return e / np.sum(e, axis=-1, keepdims=True)


# --------------------------------------------------------------------------
# labels
# --------------------------------------------------------------------------
def _class_indices(t, num_classes: int) -> np.ndarray:
    """The checks every label goes through: ``t`` as an int array of class indices in ``[0, num_classes)``.

    Floats that are whole numbers (``3.0``) are accepted; anything else raises a ``ValueError`` that says
    what was expected.
    """
    t = np.asarray(t)
    if not np.issubdtype(t.dtype, np.integer):
        if not (np.issubdtype(t.dtype, np.floating) and np.all(t == np.round(t))):
            raise ValueError(f"class indices must be integers, got dtype {t.dtype}")
        t = t.astype(np.int64)
    if t.size and (t.min() < 0 or t.max() >= num_classes):
        raise ValueError(f"class indices must lie in [0, {num_classes}), got min {t.min()} and max {t.max()}")
    return t


def to_one_hot(t, num_classes: int):
    """Class indices -> one-hot rows.

    t: int array of shape ``(N,)`` (or a scalar) -> float array ``(N, num_classes)``
    (or ``(num_classes,)``).
    """
    return np.eye(num_classes)[_class_indices(t, num_classes)]


def labels_to_indices(t, y_shape):
    """Accept labels in either form and return class indices.

    t: either indices of shape ``(N,)`` or one-hot of shape ``(N, C)``
    (for a single sample: a scalar index or a one-hot ``(C,)``).
    y_shape: the shape of the predictions the labels belong to, ``(N, C)`` or ``(C,)``.
    Returns an int array of shape ``(N,)`` (or a 0-d int array for one sample).
    Raises ``ValueError`` naming both shapes when they do not fit.
    """
    t = np.asarray(t)
    y_shape = tuple(y_shape)
    if t.shape == y_shape:  # one-hot rows: the class is where the 1 is
        return np.argmax(t, axis=-1)
    if t.shape == y_shape[:-1]:  # already indices
        return _class_indices(t, y_shape[-1])
    raise ValueError(
        f"labels t of shape {t.shape} do not fit predictions y of shape {y_shape}: expected "
        f"indices of shape {y_shape[:-1]} or one-hot labels of shape {y_shape}"
    )


# --------------------------------------------------------------------------
# losses
# --------------------------------------------------------------------------
def mean_squared_error(y, t):
    """Sum-of-squares error ``0.5 * sum((y - t)**2)``, averaged over the batch.

    y: predictions ``(C,)`` or ``(N, C)``.
    t: one-hot labels of the same shape, or class indices ``()`` / ``(N,)``.
    Returns a Python float. For a single sample this is the book's
    ``0.5 * np.sum((y - t)**2)``; for a batch it is divided by ``N``.
    """
    y = _float_array(y)
    t = np.asarray(t)
    if t.shape != y.shape:  # class indices: make them one-hot
        t = to_one_hot(labels_to_indices(t, y.shape), y.shape[-1])
    batch_size = 1 if y.ndim == 1 else y.shape[0]
    return float(0.5 * np.sum((y - t) ** 2) / batch_size)


def cross_entropy_error(y, t, delta: float = 1e-7):
    """Cross-entropy ``-log(y[right class] + delta)``, averaged over the batch (the book's version).

    y: predicted probabilities ``(C,)`` or ``(N, C)`` (rows from softmax).
    t: one-hot labels of the same shape, or class indices ``()`` / ``(N,)``.
    Returns a Python float.

    With one-hot ``t`` this is ``-sum(t * log(y + delta)) / N``: only the right class's term is not 0, so we
    pick it out by its index. ``delta`` keeps ``log(0) = -inf`` away: a probability of exactly 0 for the right
    class gives ``-log(1e-7) ~ 16.1``, the largest loss one sample can have.
    """
    y = _float_array(y)
    if y.ndim == 1:  # one sample: a batch of one
        y = y.reshape(1, -1)
        t = np.reshape(t, (1, -1)) if np.ndim(t) == 1 else np.reshape(t, (1,))
    t = labels_to_indices(t, y.shape)  # one-hot rows -> class indices (N,)
    batch_size = y.shape[0]
    return float(-np.sum(np.log(y[np.arange(batch_size), t] + delta)) / batch_size)
