"""Optimizers (book chapter 6, ``common/optimizer.py``).

Each has ``update(params, grads)``: ``params`` and ``grads`` are dicts with the
same keys (``'W1'``, ``'b1'``, ...) and shapes. Parameters are updated *in
place* (``-=``, ``+=``), so layers that hold the same arrays see the change;
``grads`` are never modified.
"""
from __future__ import annotations

import numpy as np

__all__ = ["SGD", "Momentum", "AdaGrad", "Adam", "make_optimizer"]


class SGD:
    """Stochastic gradient descent: ``W -= lr * dW``."""

    def __init__(self, lr: float = 0.01):
        self.lr = lr

    def update(self, params: dict, grads: dict) -> None:
        for key in params:
            params[key] -= self.lr * grads[key]


class Momentum:
    """SGD with momentum: ``v = momentum * v - lr * dW``; ``W += v``. ``v`` starts at 0."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9):
        self.lr = lr
        self.momentum = momentum
        self.v = None

    def update(self, params: dict, grads: dict) -> None:
        if self.v is None:
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params:
            self.v[key] = self.momentum * self.v[key] - self.lr * grads[key]
            params[key] += self.v[key]


class AdaGrad:
    """AdaGrad: ``h += dW**2``; ``W -= lr * dW / (sqrt(h) + 1e-7)`` -- big past gradients shrink the step."""

    def __init__(self, lr: float = 0.01):
        self.lr = lr
        self.h = None

    def update(self, params: dict, grads: dict) -> None:
        if self.h is None:
            self.h = {key: np.zeros_like(val) for key, val in params.items()}
        for key in params:
            self.h[key] += grads[key] * grads[key]
            params[key] -= self.lr * grads[key] / (np.sqrt(self.h[key]) + 1e-7)


class Adam:
    """Adam (Kingma & Ba, 2015), in the book's form with bias correction folded into the step size.

    ``m += (1 - beta1) * (dW - m)``; ``v += (1 - beta2) * (dW**2 - v)``;
    ``W -= lr_t * m / (sqrt(v) + 1e-7)`` with
    ``lr_t = lr * sqrt(1 - beta2**iter) / (1 - beta1**iter)``.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999):
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m = None
        self.v = None

    def update(self, params: dict, grads: dict) -> None:
        if self.m is None:
            self.m = {key: np.zeros_like(val) for key, val in params.items()}
            self.v = {key: np.zeros_like(val) for key, val in params.items()}
        self.iter += 1
        # float(): np.sqrt returns a NumPy float64, and a NumPy float64 times a float32 array is a float64 array
        # (NumPy 2) -- slower, twice the memory. A Python float keeps float32 arrays float32.
        lr_t = float(self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter))
        for key in params:
            self.m[key] += (1 - self.beta1) * (grads[key] - self.m[key])
            self.v[key] += (1 - self.beta2) * (grads[key] ** 2 - self.v[key])
            params[key] -= lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7)


_OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adagrad": AdaGrad, "adam": Adam}


def make_optimizer(name, **kwargs):
    """An optimizer by name (``'SGD'``, ``'Momentum'``, ``'AdaGrad'``, ``'Adam'``, any case) or pass one through."""
    if not isinstance(name, str):
        return name
    try:
        return _OPTIMIZERS[name.lower()](**kwargs)
    except KeyError:
        raise ValueError(f"unknown optimizer {name!r}; choose one of SGD, Momentum, AdaGrad, Adam") from None
