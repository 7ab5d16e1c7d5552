"""Widgets and plots of notebook 04 (loss functions).

Plain functions that draw and return what they show (the tests call these):

- ``prediction_with_p(p_correct, correct, num_classes)`` -- a probability vector whose right class has
  probability ``p_correct`` and whose other classes share the rest equally.
- ``show_losses(p_correct, ...)`` -- that prediction as bars, and cross-entropy and MSE as curves over
  ``p_correct`` with the current value marked.
- ``sweep_weight(x, t, W, b, index, values)`` / ``plot_loss_and_accuracy(sweep)`` -- loss and accuracy of
  a softmax model while one weight moves: accuracy is a staircase, the loss is smooth.

Builder: ``loss_widget(...)``. All losses come from ``course_lib.functions``.
"""
from __future__ import annotations

import numpy as np

from ..functions import cross_entropy_error, mean_squared_error, softmax
from ..plots import new_axes_grid
from . import interact

__all__ = ["prediction_with_p", "show_losses", "loss_widget", "sweep_weight", "plot_loss_and_accuracy"]


def prediction_with_p(p_correct: float, correct: int = 2, num_classes: int = 10):
    """A prediction ``(num_classes,)`` with ``p_correct`` on class ``correct`` and ``(1 - p_correct)``
    spread evenly over the other classes. Sums to 1."""
    if not 0.0 <= p_correct <= 1.0:
        raise ValueError(f"p_correct must lie in [0, 1], got {p_correct}")
    if not 0 <= correct < num_classes:
        raise ValueError(f"correct must lie in [0, {num_classes}), got {correct}")
    y = np.full(num_classes, (1.0 - p_correct) / (num_classes - 1))
    y[correct] = p_correct
    return y


def show_losses(p_correct: float, correct: int = 2, num_classes: int = 10, axes=None) -> dict:
    """Draw the prediction of ``prediction_with_p`` and both losses against ``p_correct``.

    axes: two Axes (bars, loss curves); default a new figure.
    Returns ``{'axes', 'p_correct', 'y' (num_classes,), 'cross_entropy', 'mean_squared_error'}``
    (losses of that one sample against the label ``correct``, from ``course_lib.functions``).
    """
    y = prediction_with_p(p_correct, correct, num_classes)
    ce = cross_entropy_error(y, correct)
    mse = mean_squared_error(y, correct)

    ps = np.linspace(0.0, 1.0, 201)
    ce_curve = [cross_entropy_error(prediction_with_p(p, correct, num_classes), correct) for p in ps]
    mse_curve = [mean_squared_error(prediction_with_p(p, correct, num_classes), correct) for p in ps]

    ax_bar, ax_loss = new_axes_grid(axes, 1, 2, figsize=(10, 3.2))
    colors = ["0.75"] * num_classes
    colors[correct] = "tab:green"
    ax_bar.bar(np.arange(num_classes), y, color=colors)
    ax_bar.set_xticks(np.arange(num_classes))
    ax_bar.set_ylim(0, 1.05)
    ax_bar.set_xlabel(f"class (green: the right one, {correct})")
    ax_bar.set_ylabel("predicted probability")
    ax_bar.set_title(f"y[{correct}] = {p_correct:.2f}")

    ax_loss.plot(ps, ce_curve, color="tab:blue", label="cross-entropy")
    ax_loss.plot(ps, mse_curve, color="tab:orange", label="mean squared error")
    ax_loss.plot([p_correct], [ce], "o", color="tab:blue")
    ax_loss.plot([p_correct], [mse], "o", color="tab:orange")
    ax_loss.set_xlabel("predicted probability of the right class")
    ax_loss.set_ylabel("loss")
    ax_loss.set_ylim(0, 5)
    ax_loss.set_title(f"cross-entropy {ce:.3f}   MSE {mse:.3f}")
    ax_loss.legend(loc="upper right")
    if axes is None:
        ax_bar.figure.subplots_adjust(left=0.07, right=0.98, bottom=0.17, top=0.9, wspace=0.25)
    return {"axes": (ax_bar, ax_loss), "p_correct": float(p_correct), "y": y, "cross_entropy": ce,
            "mean_squared_error": mse}


def loss_widget(correct: int = 2, num_classes: int = 10, start: float = 0.6):
    """A slider for the probability of the right class that redraws ``show_losses``. Returns the widget."""
    import ipywidgets as widgets

    slider = widgets.FloatSlider(value=start, min=0.0, max=1.0, step=0.01, description="p(right)",
                                 continuous_update=False, readout_format=".2f")
    return interact(show_losses, {"p_correct": slider}, correct=correct, num_classes=num_classes)


def sweep_weight(x, t, W, b, index, values) -> dict:
    """Loss and accuracy of the model ``softmax(x @ W + b)`` while ``W[index]`` takes each of ``values``.

    x: ``(N, D)``; t: class indices ``(N,)``; W: ``(D, C)``; b: ``(C,)``; index: a tuple into ``W``.
    ``W`` is not modified. Returns ``{'values' (K,), 'loss' (K,), 'accuracy' (K,)}``.
    """
    x = np.asarray(x, dtype=np.float64)
    t = np.asarray(t)
    W = np.array(W, dtype=np.float64)  # a copy: the caller's W stays as it was
    b = np.asarray(b, dtype=np.float64)
    values = np.asarray(values, dtype=np.float64)
    loss = np.empty(len(values))
    accuracy = np.empty(len(values))
    for k, v in enumerate(values):
        W[index] = v
        y = softmax(x @ W + b)
        loss[k] = cross_entropy_error(y, t)
        accuracy[k] = np.mean(np.argmax(y, axis=1) == t)
    return {"values": values, "loss": loss, "accuracy": accuracy}


def plot_loss_and_accuracy(sweep: dict, name: str = "w", axes=None) -> dict:
    """Accuracy (left) and loss (right) against the swept weight, from ``sweep_weight``.

    Returns ``{'axes': (ax_acc, ax_loss)}`` (the numbers it shows are ``sweep``'s).
    """
    ax_acc, ax_loss = new_axes_grid(axes, 1, 2, figsize=(10, 3.2))
    ax_acc.plot(sweep["values"], sweep["accuracy"], color="tab:green")
    ax_acc.set_xlabel(name)
    ax_acc.set_ylabel("accuracy")
    ax_acc.set_ylim(-0.05, 1.05)
    ax_acc.set_title("accuracy: flat steps, slope 0 almost everywhere", fontsize=10)
    ax_loss.plot(sweep["values"], sweep["loss"], color="tab:blue")
    ax_loss.set_xlabel(name)
    ax_loss.set_ylabel("cross-entropy")
    ax_loss.set_title("loss: smooth, its slope says which way to go", fontsize=10)
    return {"axes": (ax_acc, ax_loss)}
