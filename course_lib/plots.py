"""Plot helpers shared by the notebooks (matplotlib).

Every helper draws into an ``ax`` you pass (or a new figure) and returns the
``Axes`` (or ``Figure``), so notebooks and widget callbacks can reuse them.
"""
from __future__ import annotations

import numpy as np

__all__ = ["plot_activation", "plot_decision_boundary", "show_digits", "plot_training_curves", "new_axes"]


def new_axes(ax=None, figsize=(5, 3.5)):
    """``ax`` itself, or the axes of a new figure of ``figsize``."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_activation(f, ax=None, x_range=(-6.0, 6.0), num: int = 601, label: str | None = None,
                    derivative=None, ylim=None, **kwargs):
    """Draw ``y = f(x)`` over ``x_range`` (and ``derivative(x)`` dashed, if given). Returns the Axes."""
    ax = new_axes(ax)
    x = np.linspace(*x_range, num)
    name = label or getattr(f, "__name__", "f")
    ax.plot(x, f(x), label=name, **kwargs)
    if derivative is not None:
        ax.plot(x, derivative(x), linestyle="--", label=f"{name}'")
    ax.axhline(0, color="0.8", lw=0.8, zorder=0)
    ax.axvline(0, color="0.8", lw=0.8, zorder=0)
    if ylim is not None:
        ax.set_ylim(*ylim)
    ax.set_xlabel("x")
    ax.legend(loc="upper left")
    return ax


def plot_decision_boundary(w1: float, w2: float, b: float, x=None, t=None, ax=None,
                           lim=(-0.5, 1.5), title: str | None = None):
    """Draw the line ``w1*x1 + w2*x2 + b = 0``, shade the side where the perceptron outputs 1,
    and scatter the points ``x`` ``(N, 2)`` coloured by ``t`` ``(N,)`` (0 = open circle, 1 = filled)."""
    ax = new_axes(ax, figsize=(4, 4))
    g = np.linspace(*lim, 201)
    X1, X2 = np.meshgrid(g, g)
    Z = (w1 * X1 + w2 * X2 + b > 0).astype(float)
    ax.contourf(X1, X2, Z, levels=[-0.5, 0.5, 1.5], colors=["#f4f4f4", "#cfe3ff"])
    if abs(w2) > 1e-12:
        ax.plot(g, -(w1 * g + b) / w2, color="C0", lw=2)
    elif abs(w1) > 1e-12:
        ax.axvline(-b / w1, color="C0", lw=2)
    if x is not None:
        x = np.asarray(x)
        t = np.zeros(len(x)) if t is None else np.asarray(t)
        ax.scatter(x[t == 0, 0], x[t == 0, 1], s=120, facecolors="white", edgecolors="k", zorder=3, label="0")
        ax.scatter(x[t == 1, 0], x[t == 1, 1], s=120, color="k", zorder=3, label="1")
    ax.set_xlim(*lim)
    ax.set_ylim(*lim)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_aspect("equal")
    if title:
        ax.set_title(title)
    return ax


def show_digits(images, labels=None, predictions=None, ncols: int = 10, size: float = 1.0, fig=None):
    """A grid of digits. images: ``(N, 784)`` or ``(N, 28, 28)`` or ``(N, 1, 28, 28)``;
    labels / predictions: ``(N,)`` (shown as titles; a wrong prediction in red). Returns the Figure."""
    import matplotlib.pyplot as plt

    images = np.asarray(images).reshape(len(images), 28, 28)
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    if fig is None:
        fig = plt.figure(figsize=(size * ncols, size * nrows * 1.15))
    for i in range(n):
        ax = fig.add_subplot(nrows, ncols, i + 1)
        ax.imshow(images[i], cmap="gray_r")
        ax.set_xticks([])
        ax.set_yticks([])
        if labels is not None and predictions is not None:
            ok = int(labels[i]) == int(predictions[i])
            ax.set_title(f"{int(predictions[i])} ({int(labels[i])})" if not ok else f"{int(predictions[i])}",
                         color="k" if ok else "red", fontsize=9)
        elif labels is not None:
            ax.set_title(str(int(labels[i])), fontsize=9)
    return fig


def plot_training_curves(history: dict, axes=None):
    """Loss per iteration (left) and train/test accuracy per epoch (right) from ``Trainer.history``.

    Returns the two Axes."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    ax_loss, ax_acc = axes
    ax_loss.clear()
    ax_acc.clear()
    loss = np.asarray(history.get("loss", []), dtype=float)
    if loss.size:
        ax_loss.plot(loss, color="0.7", lw=0.6, label="per iteration")
        k = max(1, loss.size // 50)
        if loss.size >= k * 2:
            smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
            ax_loss.plot(np.arange(k - 1, loss.size), smooth, color="C0", label=f"mean of {k}")
    ax_loss.set_xlabel("iteration")
    ax_loss.set_ylabel("loss")
    ax_loss.legend(loc="upper right")
    epochs = np.arange(1, len(history.get("train_acc", [])) + 1)
    if epochs.size:
        ax_acc.plot(epochs, history["train_acc"], "o-", label="train")
        test = [a for a in history.get("test_acc", []) if a is not None]
        if test:
            ax_acc.plot(epochs[:len(test)], test, "s--", label="test")
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend(loc="lower right")
    return ax_loss, ax_acc
