"""The book's extended network (chapter 6, ``common/multi_layer_net_extend.py``): weight decay, Dropout and
Batch Normalization on top of a fully connected network of any depth.

``MultiLayerNetExtend`` keeps the book's names -- including ``dropout_ration`` (sic) and ``use_batchnorm`` --
so that the book's chapter-6 scripts run unchanged. Its ``predict`` and ``loss`` take ``train_flg``:
``True`` while training (Dropout drops units, BatchNormalization uses the batch's statistics), ``False``
(the default) for evaluation.
"""
from __future__ import annotations

from collections import OrderedDict

import numpy as np

from .functions import labels_to_indices
from .gradient import numerical_gradient
from .layers import Affine, BatchNormalization, Dropout, Relu, ShapeError, Sigmoid, SoftmaxWithLoss
from .networks import init_std

__all__ = ["MultiLayerNetExtend"]


class MultiLayerNetExtend:
    """(Affine -> [BatchNorm] -> activation -> [Dropout]) x L -> Affine -> Softmax-with-loss.

    input_size, hidden_size_list (e.g. ``[100, 100, 100]``), output_size: the layer sizes.
    activation: ``'relu'`` or ``'sigmoid'``. weight_init_std: a number, ``'he'``/``'relu'`` or
    ``'xavier'``/``'sigmoid'`` (see ``networks.init_std``).
    weight_decay_lambda: the L2 penalty ``0.5 * lambda * sum(W**2)`` over every weight matrix is added to
    the loss, and ``lambda * W`` to each weight's gradient (biases, gamma and beta are not decayed).
    use_dropout, dropout_ration: a ``Dropout(dropout_ration)`` after every hidden activation.
    use_batchnorm: a ``BatchNormalization`` between every hidden ``Affine`` and its activation, with
    parameters ``gamma{i}`` (ones) and ``beta{i}`` (zeros) in ``params``.
    seed: seeds the initial weights and the dropout masks. dtype: of the parameters (float64 for
    gradient checks, float32 for speed).

    params: ``W1 b1 [gamma1 beta1] ... W{L+1} b{L+1}``; ``Wi`` is ``(fan_in, fan_out)``.
    x: ``(N, input_size)``; t: indices ``(N,)`` or one-hot ``(N, output_size)``.
    """

    def __init__(self, input_size: int, hidden_size_list, output_size: int, activation: str = "relu",
                 weight_init_std="relu", weight_decay_lambda: float = 0.0, use_dropout: bool = False,
                 dropout_ration: float = 0.5, use_batchnorm: bool = False, seed=None, dtype=np.float64):
        activation_layer = {"sigmoid": Sigmoid, "relu": Relu}
        if activation not in activation_layer:
            raise ValueError(f"activation must be one of {sorted(activation_layer)}, got {activation!r}")
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.use_dropout = use_dropout
        self.weight_decay_lambda = float(weight_decay_lambda)  # a NumPy float64 would turn float32 gradients into float64
        self.use_batchnorm = use_batchnorm
        rng = np.random.default_rng(seed)

        # initial weights
        self.params = {}
        all_size_list = [input_size, *self.hidden_size_list, output_size]
        for idx in range(1, len(all_size_list)):
            fan_in, fan_out = all_size_list[idx - 1], all_size_list[idx]
            scale = init_std(weight_init_std, fan_in)
            self.params[f"W{idx}"] = (scale * rng.standard_normal((fan_in, fan_out))).astype(dtype)
            self.params[f"b{idx}"] = np.zeros(fan_out, dtype=dtype)

        # layers
        self.layers = OrderedDict()
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{idx}"] = Affine(self.params[f"W{idx}"], self.params[f"b{idx}"], name=f"Affine{idx}")
            if self.use_batchnorm:
                self.params[f"gamma{idx}"] = np.ones(self.hidden_size_list[idx - 1], dtype=dtype)
                self.params[f"beta{idx}"] = np.zeros(self.hidden_size_list[idx - 1], dtype=dtype)
                self.layers[f"BatchNorm{idx}"] = BatchNormalization(self.params[f"gamma{idx}"], self.params[f"beta{idx}"])
            self.layers[f"Activation_function{idx}"] = activation_layer[activation]()
            if self.use_dropout:
                self.layers[f"Dropout{idx}"] = Dropout(dropout_ration, rng=rng)
        idx = self.hidden_layer_num + 1
        self.layers[f"Affine{idx}"] = Affine(self.params[f"W{idx}"], self.params[f"b{idx}"], name=f"Affine{idx}")
        self.last_layer = SoftmaxWithLoss()

    def predict(self, x, train_flg: bool = False):
        """Scores before softmax. x: ``(N, input_size)`` -> ``(N, output_size)``.

        train_flg: True while training (Dropout drops, BatchNorm uses the batch's statistics and updates its
        running averages); False (the default) to evaluate.
        """
        x = np.asarray(x)
        if x.ndim != 2 or x.shape[1] != self.input_size:
            raise ShapeError(f"MultiLayerNetExtend: x has shape {x.shape}, expected (N, {self.input_size})"
                             + ("; for one sample use x.reshape(1, -1)" if x.ndim == 1 else ""))
        for key, layer in self.layers.items():
            if "Dropout" in key or "BatchNorm" in key:
                x = layer.forward(x, train_flg)
            else:
                x = layer.forward(x)
        return x

    def loss(self, x, t, train_flg: bool = False) -> float:
        """Mean cross-entropy of softmax(predict(x)) against ``t``, plus the weight-decay penalty."""
        y = self.predict(x, train_flg)
        weight_decay = 0.0
        for idx in range(1, self.hidden_layer_num + 2):
            W = self.params[f"W{idx}"]
            weight_decay += 0.5 * self.weight_decay_lambda * float(np.sum(W**2))
        return self.last_layer.forward(y, t) + weight_decay

    def accuracy(self, x, t, batch_size: int = 1000) -> float:
        """Fraction of samples whose highest score (``train_flg=False``) is the right class, in batches."""
        x = np.asarray(x)
        t_idx = labels_to_indices(t, (x.shape[0], self.output_size))
        correct = 0
        for i in range(0, x.shape[0], batch_size):
            y = self.predict(x[i:i + batch_size], train_flg=False)
            correct += int(np.sum(np.argmax(y, axis=1) == t_idx[i:i + batch_size]))
        return correct / x.shape[0]

    def numerical_gradient(self, x, t) -> dict:
        """Gradients by central differences of ``loss(x, t, train_flg=True)``; same keys and shapes as ``params``.

        Use float64 parameters. With dropout the masks must be the same in every call (re-seed the
        layers' generator in the loss), or the differences measure the masks, not the weights.
        """
        loss_W = lambda W: self.loss(x, t, train_flg=True)  # noqa: E731 -- W is changed in place
        return {key: numerical_gradient(loss_W, self.params[key]) for key in self.params}

    def gradient(self, x, t) -> dict:
        """Gradients by backpropagation (a training forward pass, then every layer backwards).

        Returns ``{'W1': ..., 'b1': ..., ['gamma1': ..., 'beta1': ...,] ...}`` like ``params``.
        """
        # forward
        self.loss(x, t, train_flg=True)

        # backward
        dout = 1
        dout = self.last_layer.backward(dout)
        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)

        grads = {}
        for idx in range(1, self.hidden_layer_num + 2):
            affine = self.layers[f"Affine{idx}"]
            grads[f"W{idx}"] = affine.dW + self.weight_decay_lambda * self.params[f"W{idx}"]
            grads[f"b{idx}"] = affine.db
            if self.use_batchnorm and idx != self.hidden_layer_num + 1:
                grads[f"gamma{idx}"] = self.layers[f"BatchNorm{idx}"].dgamma
                grads[f"beta{idx}"] = self.layers[f"BatchNorm{idx}"].dbeta
        return grads
