"""Networks built from layers (book chapters 4-6).

``TwoLayerNet`` is the book's chapter 5 network; ``MultiLayerNet`` has any
depth. Both keep their weights in ``params`` (keys ``'W1'``, ``'b1'``,
``'W2'``, ...) and return gradients with the same keys from ``gradient``.
Inputs ``x`` are ``(N, D)``; labels ``t`` are indices ``(N,)`` or one-hot ``(N, C)``.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .functions import labels_to_indices, sigmoid, softmax
from .gradient import numerical_gradient
from .layers import Affine, Relu, ShapeError, Sigmoid, SoftmaxWithLoss

__all__ = ["TwoLayerNet", "MultiLayerNet", "predict_with_weights", "init_std"]

_ACTIVATIONS = {"relu": Relu, "sigmoid": Sigmoid}


def init_std(weight_init_std, fan_in: int) -> float:
    """Standard deviation of the initial weights of a layer with ``fan_in`` inputs.

    weight_init_std: a number (used as is), ``'xavier'``/``'sigmoid'``
    (``sqrt(1 / fan_in)``) or ``'he'``/``'relu'`` (``sqrt(2 / fan_in)``).
    """
    if isinstance(weight_init_std, str):
        key = weight_init_std.lower()
        if key in ("xavier", "sigmoid"):
            return float(np.sqrt(1.0 / fan_in))
        if key in ("he", "relu"):
            return float(np.sqrt(2.0 / fan_in))
        raise ValueError(f"weight_init_std must be a number, 'xavier' or 'he'; got {weight_init_std!r}")
    return float(weight_init_std)


class _LayerNet:
    """What every layer-based network shares. Subclasses fill ``params``, ``layers`` and ``last_layer``."""

    params: dict
    layers: "OrderedDict[str, object]"
    last_layer: SoftmaxWithLoss

    def _check_x(self, x):
        x = np.asarray(x)
        D = self.params["W1"].shape[0]
        if x.ndim != 2 or x.shape[1] != D:
            raise ShapeError(f"{type(self).__name__}: x has shape {x.shape}, expected (N, {D})"
                             + ("; for one sample use x.reshape(1, -1)" if x.ndim == 1 else ""))
        return x

    def predict(self, x):
        """Scores before softmax. x: ``(N, D)`` -> ``(N, C)``."""
        x = self._check_x(x)
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """Mean cross-entropy of softmax(predict(x)) against ``t`` (indices ``(N,)`` or one-hot ``(N, C)``)."""
        y = self.predict(x)
        return self.last_layer.forward(y, t) + self._regularization()

    weight_decay_lambda = 0.0

    def _regularization(self) -> float:
        """The L2 penalty ``0.5 * lambda * sum(W**2)`` over all weight matrices (0 without weight decay)."""
        if not self.weight_decay_lambda:
            return 0.0
        return 0.5 * self.weight_decay_lambda * sum(float(np.sum(self.params[f"W{i}"] ** 2))
                                                    for i in range(1, self._n_affine + 1))

    def accuracy(self, x, t, batch_size: int = 1000) -> float:
        """Fraction of samples whose highest score is the right class. Evaluated in batches to save memory."""
        x = self._check_x(x)
        t_idx = labels_to_indices(t, (x.shape[0], self.params[f"W{self._n_affine}"].shape[1]))
        correct = 0
        for i in range(0, x.shape[0], batch_size):
            y = self.predict(x[i:i + batch_size])
            correct += int(np.sum(np.argmax(y, axis=1) == t_idx[i:i + batch_size]))
        return correct / x.shape[0]

    def numerical_gradient(self, x, t) -> dict:
        """Gradients by central differences (slow: two losses per parameter). Same keys/shapes as ``params``.

        Use float64 parameters: with float32, ``h = 1e-4`` drowns in rounding error.
        """
        loss_W = lambda W: self.loss(x, t)  # noqa: E731 -- W is changed in place by numerical_gradient
        return {key: numerical_gradient(loss_W, self.params[key]) for key in self.params}


class TwoLayerNet(_LayerNet):
    """Affine -> ReLU (or Sigmoid) -> Affine -> Softmax-with-loss (the book's chapter 5 network).

    params: ``W1`` ``(input_size, hidden_size)``, ``b1`` ``(hidden_size,)``,
    ``W2`` ``(hidden_size, output_size)``, ``b2`` ``(output_size,)``.
    Weights start as ``weight_init_std * standard normal``, biases as 0.
    ``seed`` makes the initialisation reproducible; ``dtype`` may be
    ``np.float32`` for speed (keep float64 for gradient checks).
    """

    _n_affine = 2

    def __init__(self, input_size: int, hidden_size: int, output_size: int, weight_init_std=0.01,
                 activation: str = "relu", seed=None, dtype=np.float64):
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        rng = np.random.default_rng(seed)
        self.params = {
            "W1": (init_std(weight_init_std, input_size) * rng.standard_normal((input_size, hidden_size))).astype(dtype),
            "b1": np.zeros(hidden_size, dtype=dtype),
            "W2": (init_std(weight_init_std, hidden_size) * rng.standard_normal((hidden_size, output_size))).astype(dtype),
            "b2": np.zeros(output_size, dtype=dtype),
        }
        self.layers = OrderedDict()
        # The first layer's backward skips dx: nothing below it needs the gradient of the input images.
        self.layers["Affine1"] = Affine(self.params["W1"], self.params["b1"], name="Affine1", needs_dx=False)
        self.layers["Activation1"] = _ACTIVATIONS[activation]()
        self.layers["Affine2"] = Affine(self.params["W2"], self.params["b2"], name="Affine2")
        self.last_layer = SoftmaxWithLoss()

    def gradient(self, x, t) -> dict:
        """Gradients by backpropagation. Returns ``{'W1': (D, H), 'b1': (H,), 'W2': (H, C), 'b2': (C,)}``."""
        # forward
        self.loss(x, t)

        # backward
        dout = 1
        dout = self.last_layer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        grads = {}
        grads["W1"], grads["b1"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W2"], grads["b2"] = self.layers["Affine2"].dW, self.layers["Affine2"].db
        return grads


class MultiLayerNet(_LayerNet):
    """A fully connected network of any depth: (Affine -> activation) x L -> Affine -> Softmax-with-loss.

    hidden_size_list: e.g. ``[100, 100]``. activation: ``'relu'`` or ``'sigmoid'``.
    weight_init_std: a number, ``'xavier'`` or ``'he'`` (``'sigmoid'``/``'relu'`` as in the book).
    weight_decay_lambda: L2 penalty ``0.5 * lambda * sum(W**2)`` added to the loss.
    params: ``W1 b1 ... W{L+1} b{L+1}``; ``Wi`` is ``(fan_in, fan_out)``.
    """

    def __init__(self, input_size: int, hidden_size_list, output_size: int, activation: str = "relu",
                 weight_init_std="relu", weight_decay_lambda: float = 0.0, seed=None, dtype=np.float64):
        if activation not in _ACTIVATIONS:
            raise ValueError(f"activation must be one of {sorted(_ACTIVATIONS)}, got {activation!r}")
        rng = np.random.default_rng(seed)
        sizes = [input_size, *list(hidden_size_list), output_size]
        self._n_affine = len(sizes) - 1
        self.weight_decay_lambda = float(weight_decay_lambda)  # a NumPy float64 would make float32 gradients float64
        self.params = {}
        self.layers = OrderedDict()
        for i in range(1, len(sizes)):
            fan_in, fan_out = sizes[i - 1], sizes[i]
            self.params[f"W{i}"] = (init_std(weight_init_std, fan_in) * rng.standard_normal((fan_in, fan_out))).astype(dtype)
            self.params[f"b{i}"] = np.zeros(fan_out, dtype=dtype)
            # needs_dx=False for the first layer: nothing below it needs the gradient of the input images
            self.layers[f"Affine{i}"] = Affine(self.params[f"W{i}"], self.params[f"b{i}"], name=f"Affine{i}",
                                               needs_dx=i > 1)
            if i < len(sizes) - 1:
                self.layers[f"Activation{i}"] = _ACTIVATIONS[activation]()
        self.last_layer = SoftmaxWithLoss()

    def gradient(self, x, t) -> dict:
        """Gradients by backpropagation. Returns ``{'W1': (D, H1), 'b1': (H1,), ...}`` like ``params``.

        With weight decay, each ``dW`` gets the penalty's gradient ``lambda * W`` added.
        """
        # forward
        self.loss(x, t)

        # backward
        dout = 1
        dout = self.last_layer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        grads = {}
        for i in range(1, self._n_affine + 1):
            affine = self.layers[f"Affine{i}"]
            dW = affine.dW
            if self.weight_decay_lambda:  # the penalty 0.5 * lambda * sum(W**2) adds lambda * W
                dW = dW + self.weight_decay_lambda * affine.W
            grads[f"W{i}"] = dW
            grads[f"b{i}"] = affine.db
        return grads


def predict_with_weights(network: dict, x):
    """Forward pass with a dict of weights, as in the book's ``neuralnet_mnist.py``.

    network: ``{'W1': (D, H1), 'b1': (H1,), ..., 'Wk': (H_{k-1}, C), 'bk': (C,)}``.
    Hidden layers use the sigmoid, the output layer softmax.
    x: ``(D,)`` or ``(N, D)`` -> probabilities ``(C,)`` or ``(N, C)``.
    """
    k = 1
    while f"W{k + 1}" in network:
        k += 1
    a = np.asarray(x)
    D = network["W1"].shape[0]
    if a.shape[-1] != D:
        raise ShapeError(f"predict_with_weights: x has shape {a.shape}, expected (N, {D}) or ({D},)")
    for i in range(1, k + 1):
        a = a @ network[f"W{i}"] + network[f"b{i}"]
        if i < k:
            a = sigmoid(a)
    return softmax(a)
