"""The book's chapter-7 convolutional network (``ch07/simple_convnet.py``).

    conv - relu - pool - affine - relu - affine - softmax

``params`` / ``grads`` are keyed ``'W1'`` ... ``'b3'`` as in the book: ``W1`` ``(FN, C, FS, FS)`` and
``b1`` ``(FN,)`` are the filters; ``W2``, ``b2``, ``W3``, ``b3`` the two fully connected layers.
Inputs are images ``x`` ``(N, C, H, W)`` (MNIST: ``load_mnist(flatten=False)``, ``(N, 1, 28, 28)``);
labels ``t`` are class indices ``(N,)`` or one-hot ``(N, C)``.

Weights are saved as NumPy ``.npz`` files (plain arrays), never as pickles: a pickle can run any code
when it is loaded. ``data/simple_convnet.npz`` holds weights trained by ``scripts/train_simple_convnet.py``
(``shipped_params()``).
"""
from __future__ import annotations

import os
import warnings
from collections import OrderedDict
from pathlib import Path

import numpy as np

from .convolution import Convolution, Pooling, ShapeError, conv_output_size
from .gradient import numerical_gradient
from .layers import Affine, Relu, SoftmaxWithLoss
from .networks import init_std

__all__ = ["SimpleConvNet", "shipped_params", "npz_path"]

#: Weights trained by ``scripts/train_simple_convnet.py`` (float32; test accuracy in its docstring).
def shipped_params() -> Path:
    """The path of the shipped weights (``data/simple_convnet.npz``)."""
    from .data import shipped_file

    return shipped_file("simple_convnet.npz")

_BOOK_CONV_PARAM = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}


def npz_path(file_name) -> Path:
    """The ``.npz`` file that ``save_params`` / ``load_params`` use for ``file_name``.

    ``'params.npz'`` stays as it is; any other ending is replaced (``'params.pkl'`` -> ``'params.npz'``), and
    a name without one gets ``.npz``: the book's ``params.pkl`` names a pickle, and pickles are never written
    or read here.
    """
    path = Path(file_name)
    return path if path.suffix == ".npz" else path.with_suffix(".npz")


class SimpleConvNet:
    """conv - relu - pool - affine - relu - affine - softmax (the book's ``SimpleConvNet``).

    input_dim: ``(C, H, W)`` of one image. conv_param: ``{'filter_num', 'filter_size', 'pad', 'stride'}``
    (keys left out keep the book's values 30, 5, 0, 1). hidden_size: units of the hidden affine layer.
    output_size: classes. weight_init_std: a number (the book's 0.01) or ``'he'`` / ``'xavier'``
    (scaled to each layer's inputs). seed: makes the initial weights reproducible. dtype: ``np.float32``
    for speed; keep float64 for gradient checks.

    The pooling layer is 2x2 with stride 2: it halves the height and width of the convolution's output.
    params: ``W1`` ``(FN, C, FS, FS)``, ``b1`` ``(FN,)``, ``W2`` ``(FN*pool_h*pool_w, hidden_size)``, ``b2``
    ``(hidden_size,)``, ``W3`` ``(hidden_size, output_size)``, ``b3`` ``(output_size,)``.
    """

    def __init__(self, input_dim=(1, 28, 28),
                 conv_param={"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1},  # noqa: B006 -- never modified
                 hidden_size: int = 100, output_size: int = 10, weight_init_std=0.01, seed=None, dtype=np.float64):
        unknown = set(conv_param) - set(_BOOK_CONV_PARAM)
        if unknown:
            raise ValueError(f"SimpleConvNet: unknown conv_param keys {sorted(unknown)}; "
                             f"the keys are {sorted(_BOOK_CONV_PARAM)}")
        conv_param = {**_BOOK_CONV_PARAM, **conv_param}
        filter_num = conv_param["filter_num"]
        filter_size = conv_param["filter_size"]
        filter_pad = conv_param["pad"]
        filter_stride = conv_param["stride"]
        if len(input_dim) != 3:
            raise ShapeError(f"SimpleConvNet: input_dim is {tuple(input_dim)}, expected (C, H, W) of one image, "
                             f"e.g. (1, 28, 28) for MNIST")
        C, H, W = input_dim
        try:
            conv_h = conv_output_size(H, filter_size, filter_stride, filter_pad)
            conv_w = conv_output_size(W, filter_size, filter_stride, filter_pad)
            pool_h = conv_output_size(conv_h, 2, 2)  # the 2x2 pooling with stride 2
            pool_w = conv_output_size(conv_w, 2, 2)
        except ShapeError as e:
            raise ShapeError(f"SimpleConvNet(input_dim={tuple(input_dim)}, conv_param={conv_param}): {e} "
                             f"(the convolution's output must have an even height and width for the 2x2 "
                             f"pooling)") from None
        pool_output_size = filter_num * pool_h * pool_w

        # initial weights
        rng = np.random.default_rng(seed)

        def weights(shape, fan_in):
            return (init_std(weight_init_std, fan_in) * rng.standard_normal(shape)).astype(dtype)

        self.params = {}
        self.params["W1"] = weights((filter_num, C, filter_size, filter_size), C * filter_size * filter_size)
        self.params["b1"] = np.zeros(filter_num, dtype=dtype)
        self.params["W2"] = weights((pool_output_size, hidden_size), pool_output_size)
        self.params["b2"] = np.zeros(hidden_size, dtype=dtype)
        self.params["W3"] = weights((hidden_size, output_size), hidden_size)
        self.params["b3"] = np.zeros(output_size, dtype=dtype)

        # layers
        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"], filter_stride, filter_pad,
                                           needs_dx=False)  # the images are not trained: no dx needed
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])

        self.last_layer = SoftmaxWithLoss()
        self.input_dim = tuple(input_dim)

    def predict(self, x):
        """Scores before softmax. x: images ``(N, C, H, W)`` -> ``(N, output_size)``."""
        x = np.asarray(x)
        if x.ndim != 4 or x.shape[1:] != self.input_dim:
            C, H, W = self.input_dim
            fix = ""
            if x.ndim == 2 and x.shape[1] == C * H * W:
                fix = (f"; rows of {x.shape[1]} pixels become images with x.reshape(-1, *{self.input_dim}) "
                       f"(MNIST: load_mnist(flatten=False))")
            elif x.ndim == 4 and x.shape[1:] == (H, W, C):
                fix = "; images stored channels-last (N, H, W, C) become (N, C, H, W) with x.transpose(0, 3, 1, 2)"
            raise ShapeError(f"SimpleConvNet: x has shape {x.shape}, expected images (N, {', '.join(map(str, self.input_dim))})"
                             + fix)
        for layer in self.layers.values():
            x = layer.forward(x)
        return x

    def loss(self, x, t):
        """Mean cross-entropy of softmax(predict(x)) against ``t`` (indices ``(N,)`` or one-hot ``(N, C)``)."""
        y = self.predict(x)
        return self.last_layer.forward(y, t)

    def accuracy(self, x, t, batch_size: int = 100) -> float:
        """Fraction of images whose highest score is the right class, predicted ``batch_size`` images at a time
        (all of them, also the last, shorter batch). x: ``(N, C, H, W)``; t: ``(N,)`` or one-hot ``(N, C)``."""
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)

        acc = 0
        for i in range(0, x.shape[0], batch_size):
            tx = x[i:i + batch_size]
            tt = t[i:i + batch_size]
            y = self.predict(tx)
            y = np.argmax(y, axis=1)
            acc += int(np.sum(y == tt))

        return acc / x.shape[0]

    def numerical_gradient(self, x, t) -> dict:
        """Gradients by central differences (slow: two losses per parameter); keys and shapes as ``params``.
        Use float64 parameters: with float32, ``h = 1e-4`` drowns in rounding error."""
        loss_w = lambda w: self.loss(x, t)  # noqa: E731 -- the parameter is changed in place by numerical_gradient

        grads = {}
        for idx in (1, 2, 3):
            grads["W" + str(idx)] = numerical_gradient(loss_w, self.params["W" + str(idx)])
            grads["b" + str(idx)] = numerical_gradient(loss_w, self.params["b" + str(idx)])

        return grads

    def gradient(self, x, t) -> dict:
        """Gradients by backpropagation: ``{'W1': (FN, C, FS, FS), 'b1': (FN,), ..., 'b3': (output_size,)}``."""
        # forward
        self.loss(x, t)

        # backward
        dout = 1
        dout = self.last_layer.backward(dout)

        layers = list(self.layers.values())
        layers.reverse()
        for layer in layers:
            dout = layer.backward(dout)  # the last one, Conv1, returns None (needs_dx=False)

        grads = {}
        grads["W1"], grads["b1"] = self.layers["Conv1"].dW, self.layers["Conv1"].db
        grads["W2"], grads["b2"] = self.layers["Affine1"].dW, self.layers["Affine1"].db
        grads["W3"], grads["b3"] = self.layers["Affine2"].dW, self.layers["Affine2"].db

        return grads

    def save_params(self, file_name="params.pkl") -> Path:
        """Save ``params`` as a NumPy ``.npz`` file (plain arrays) and return the path written.

        The book saves a pickle called ``params.pkl``; given that name (or any name not ending in ``.npz``) this
        writes ``params.npz`` instead and warns which file it wrote. The file appears complete or not at all
        (written to a temporary file, then renamed).
        """
        path = npz_path(file_name)
        if path != Path(file_name):
            warnings.warn(f"SimpleConvNet.save_params: wrote {path} (NumPy .npz, not a pickle) instead of "
                          f"{file_name}", stacklevel=2)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            with open(tmp, "wb") as f:
                np.savez(f, **self.params)
            os.replace(tmp, path)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return path

    def load_params(self, file_name="params.pkl") -> Path:
        """Load ``params`` from a ``.npz`` file written by ``save_params`` (``'params.pkl'`` means ``'params.npz'``:
        pickles are never loaded). Returns the path read.

        The values are copied into the arrays the layers already hold (cast to this network's dtype), so the
        layers and any optimizer keep working with them. Every key ``W1`` ... ``b3`` must be there, with the
        shapes of this network.
        """
        path = npz_path(file_name)
        if not path.is_file():
            also = (f" ({file_name} is a pickle, which is never loaded here: save the weights again with "
                    f"save_params, which writes .npz)" if Path(file_name).suffix == ".pkl" and Path(file_name).is_file()
                    else "")
            raise FileNotFoundError(f"SimpleConvNet.load_params: no file {path}{also}")
        with np.load(path, allow_pickle=False) as f:
            missing = sorted(set(self.params) - set(f.files))
            if missing:
                raise KeyError(f"SimpleConvNet.load_params: {path} has no {', '.join(missing)} "
                               f"(it holds {', '.join(f.files)})")
            loaded = {key: f[key] for key in self.params}
        for key, val in loaded.items():
            if val.shape != self.params[key].shape:
                raise ShapeError(f"SimpleConvNet.load_params: {key} in {path} has shape {val.shape}, but this "
                                 f"network's {key} has shape {self.params[key].shape}; build the network with the "
                                 f"input_dim, conv_param and sizes the weights were trained with")
        for key, val in loaded.items():
            self.params[key][...] = val  # in place: the layers hold these arrays
        return path
