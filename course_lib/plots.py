"""Plot helpers shared by the notebooks (matplotlib).

Figures are made one way: ``new_axes`` (one Axes) or ``new_axes_grid`` (several). The ``plot_*`` helpers draw
into the ``ax`` / ``axes`` you pass (or a new figure) and return it, like matplotlib's own functions;
``show_digits`` returns a dict with ``"axes"`` like every ``show_*`` of the course. ``TrainingCurves`` is a
``Trainer`` callback that redraws the loss and accuracy curves after every epoch.
"""
from __future__ import annotations

import numpy as np

__all__ = ["new_axes", "new_axes_grid", "plot_activation", "plot_decision_boundary", "show_digits",
           "plot_training_curves", "TrainingCurves"]


def new_axes(ax=None, figsize=(5, 3.5)):
    """``ax`` itself, or the Axes of a new figure of ``figsize`` (inches)."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(figsize=figsize)
    return ax


def new_axes_grid(axes=None, nrows: int = 1, ncols: int = 2, figsize=(10, 3.5), **subplots_kw):
    """``axes`` itself, or the ``nrows * ncols`` Axes of a new figure as a flat array (row by row).

    subplots_kw: passed to ``plt.subplots``, e.g. ``sharey=True`` or ``width_ratios=[1, 2]``.
    """
    if axes is not None:
        return axes
    import matplotlib.pyplot as plt

    _, axes = plt.subplots(nrows, ncols, figsize=figsize, squeeze=False, **subplots_kw)
    return axes.ravel()


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
    and scatter the points ``x`` ``(N, 2)`` coloured by ``t`` ``(N,)`` (0 = open circle, 1 = filled).
    Returns the Axes."""
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


def show_digits(images, labels=None, predictions=None, ncols: int = 10, size: float = 1.0, axes=None) -> dict:
    """A grid of digits, ``ncols`` per row.

    images: ``(N, 784)``, ``(N, 28, 28)`` or ``(N, 1, 28, 28)``; labels / predictions: ``(N,)``, shown as
    titles (a wrong prediction in red, with the label in brackets). axes: at least ``N`` Axes to draw into.
    Returns ``{'axes': the N Axes, 'wrong': positions (in images) of the wrong predictions}``.
    """
    images = np.asarray(images).reshape(len(images), 28, 28)
    n = len(images)
    nrows = max(1, int(np.ceil(n / ncols)))
    grid = new_axes_grid(axes, nrows, ncols, figsize=(size * ncols, size * nrows * 1.15))
    wrong = []
    for i, ax in enumerate(grid):
        ax.set_xticks([])
        ax.set_yticks([])
        if i >= n:  # the rest of the last row stays empty
            ax.axis("off")
            continue
        ax.imshow(images[i], cmap="gray_r")
        if labels is not None and predictions is not None:
            ok = int(labels[i]) == int(predictions[i])
            if not ok:
                wrong.append(i)
            ax.set_title(f"{int(predictions[i])}" if ok else f"{int(predictions[i])} ({int(labels[i])})",
                         color="k" if ok else "red", fontsize=9)
        elif labels is not None:
            ax.set_title(str(int(labels[i])), fontsize=9)
    return {"axes": grid[:n], "wrong": wrong}


def plot_training_curves(history: dict, axes=None):
    """Loss per iteration (left) and train/test accuracy per epoch (right) from ``Trainer.history``.

    axes: two Axes (loss, accuracy); they are cleared first, so a live plot can redraw into them.
    The accuracy axis starts below the lowest accuracy so far (at the latest at 0.78): every point is visible.
    Returns the two Axes ``(ax_loss, ax_acc)``.
    """
    ax_loss, ax_acc = new_axes_grid(axes, 1, 2, figsize=(10, 3.5))
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
    train = history.get("train_acc", [])
    test = [a for a in history.get("test_acc", []) if a is not None]
    epochs = np.arange(1, len(train) + 1)
    if epochs.size:
        ax_acc.plot(epochs, train, "o-", label="train")
        if test:
            ax_acc.plot(epochs[:len(test)], test, "s--", label="test")
        ax_acc.set_ylim(min(0.8, *train, *test) - 0.02, 1.0)
    ax_acc.xaxis.get_major_locator().set_params(integer=True)  # epochs are whole numbers
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend(loc="lower right")
    ax_acc.figure.subplots_adjust(wspace=0.3)  # room for the accuracy axis label between the two plots
    return ax_loss, ax_acc


class TrainingCurves:
    """A ``Trainer`` callback that redraws the loss and accuracy curves after every epoch (like d2l's ``Animator``)::

        curves = TrainingCurves()
        Trainer(network, x_train, t_train, x_test, t_test, callbacks=[curves]).train()

    axes: two Axes (loss, accuracy) to draw into; default: a new figure.
    every: redraw after every ``every``-th epoch (and after the last one).
    title: the loss plot's title.
    clear: show each redraw by clearing the current output first -- for a widget's ``Output``, where a
        display handle cannot update. Default: the figure appears under the cell once and is updated in place.
    """

    def __init__(self, axes=None, every: int = 1, title: str | None = None, clear: bool = False):
        import matplotlib.pyplot as plt

        self.axes = new_axes_grid(axes, 1, 2, figsize=(10, 3.5))
        self.figure = self.axes[0].figure
        if axes is None:
            plt.close(self.figure)  # shown by this callback, not a second time when the cell ends
        self.every = every
        self.title = title
        self.clear = clear
        self._handle = None

    def __call__(self, trainer) -> None:
        last = trainer.current_epoch >= trainer.epochs or trainer.current_iter >= trainer.max_iter
        if trainer.current_epoch % self.every == 0 or last:
            self.draw(trainer)
            self.show()

    def draw(self, trainer) -> None:
        """Draw ``trainer.history``; the accuracy plot's title says the epoch and the latest test accuracy."""
        ax_loss, ax_acc = plot_training_curves(trainer.history, axes=self.axes)
        if self.title:
            ax_loss.set_title(self.title, fontsize=10)
        test = trainer.history["test_acc"][-1] if trainer.history["test_acc"] else None
        ax_acc.set_title(f"epoch {trainer.current_epoch}/{trainer.epochs}"
                         + (f": test accuracy {test:.3f}" if test is not None else ""), fontsize=10)

    def show(self) -> None:
        """Show the figure: the first time under the cell, then in the same place."""
        from IPython.display import clear_output, display

        if self.clear:
            clear_output(wait=True)
            display(self.figure)
        elif self._handle is None:
            self._handle = display(self.figure, display_id=True)
        else:
            self._handle.update(self.figure)
