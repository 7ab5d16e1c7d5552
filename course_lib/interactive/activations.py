"""Widgets and plots of notebook 02 (activation functions).

Plain functions (callable and tested without a browser):

- ``ACTIVATIONS``: name -> ``(h, h')`` for step, sigmoid, relu, tanh and identity, all from
  ``course_lib.functions`` (the step function's derivative is 0 wherever it exists).
- ``show_activation(name, w=1.0, b=0.0, ax=None)`` -> dict: draws ``y = h(w*x + b)`` and its derivative
  ``dy/dx = w * h'(w*x + b)`` (chain rule) and returns the curves it drew.
- ``plot_all_activations(axes=None)`` -> dict: the five functions and their derivatives side by side.
- ``stacked_layers(x, n_layers, hidden, activation, seed)`` -> array: a random 1-input/1-output network,
  to show that stacked *linear* layers stay a straight line while ReLU layers bend it.

Builder: ``activation_widget(name, w, b)`` wires ``show_activation`` to a drop-down and two sliders.
"""
from __future__ import annotations

import numpy as np

from ..functions import (identity_function, relu, relu_grad, sigmoid, sigmoid_grad, step_function, tanh,
                         tanh_grad)
from ..plots import new_axes, new_axes_grid, plot_activation
from . import interact

__all__ = ["ACTIVATIONS", "show_activation", "plot_all_activations", "stacked_layers", "activation_widget"]


def _step_grad(x):
    """Derivative of the step function: 0 everywhere except at 0, where it does not exist (we show 0)."""
    return np.zeros(np.shape(x))


def _identity_grad(x):
    """Derivative of the identity: 1 everywhere."""
    return np.ones(np.shape(x))


#: name -> (activation, its derivative); every function maps an array to an array of the same shape.
ACTIVATIONS = {
    "step": (step_function, _step_grad),
    "sigmoid": (sigmoid, sigmoid_grad),
    "relu": (relu, relu_grad),
    "tanh": (tanh, tanh_grad),
    "identity": (identity_function, _identity_grad),
}


def show_activation(name: str, w: float = 1.0, b: float = 0.0, ax=None, x_range=(-6.0, 6.0),
                    num: int = 601) -> dict:
    """Draw ``y = h(w*x + b)`` (solid) and ``dy/dx = w * h'(w*x + b)`` (dashed) for the activation ``name``
    (a key of ``ACTIVATIONS``) over ``x_range``. Returns what the picture shows:

    - ``ax``: the Axes it drew into; ``name``, ``w``, ``b``
    - ``x`` ``(num,)``, ``y`` ``(num,)``, ``dy_dx`` ``(num,)``: the two curves
    - ``crossing``: the ``x`` where ``w*x + b = 0`` (where the step jumps, the sigmoid is 0.5, ReLU bends),
      ``None`` when ``w == 0``
    - ``max_slope``: the largest ``|dy/dx|`` on the curve
    - ``title``: the plot's title
    """
    if name not in ACTIVATIONS:
        raise ValueError(f"show_activation: unknown activation {name!r}; choose one of {sorted(ACTIVATIONS)}")
    h, h_grad = ACTIVATIONS[name]
    w, b = float(w), float(b)
    x = np.linspace(*x_range, num)
    a = w * x + b
    y = np.asarray(h(a), dtype=np.float64)
    dy_dx = w * np.asarray(h_grad(a), dtype=np.float64)
    crossing = -b / w + 0.0 if w != 0 else None  # + 0.0 turns -0.0 into 0.0
    title = f"{name}({w:g}·x {'+' if b >= 0 else '−'} {abs(b):g})"

    ax = new_axes(ax, figsize=(6, 3.5))
    ax.axhline(0, color="0.85", lw=0.8, zorder=0)
    ax.axvline(0, color="0.85", lw=0.8, zorder=0)
    ax.plot(x, y, color="C0", lw=2.5, label="y = h(w·x + b)")
    ax.plot(x, dy_dx, color="C1", lw=1.8, ls="--", label="dy/dx")
    if crossing is not None and x_range[0] <= crossing <= x_range[1]:
        ax.axvline(crossing, color="C2", lw=1, ls=":", label=f"w·x + b = 0 at x = {crossing:.2f}")
    ax.set_xlim(*x_range)
    top = min(6.0, max(1.2, 1.1 * float(np.max(np.abs(np.concatenate([y, dy_dx]))))))
    ax.set_ylim(-top, top)
    ax.set_xlabel("x")
    ax.set_title(title)
    ax.legend(loc="upper left", fontsize=8)
    return {"ax": ax, "name": name, "w": w, "b": b, "x": x, "y": y, "dy_dx": dy_dx, "crossing": crossing,
            "max_slope": float(np.max(np.abs(dy_dx))), "title": title}


def plot_all_activations(axes=None, x_range=(-5.0, 5.0)) -> dict:
    """The five activations (solid) with their derivatives (dashed), one panel each. Returns ``{'axes'}``."""
    axes = new_axes_grid(axes, 1, len(ACTIVATIONS), figsize=(15, 2.8), sharey=True)
    for ax, (name, (h, h_grad)) in zip(axes, ACTIVATIONS.items()):
        plot_activation(h, ax=ax, x_range=x_range, label=name, derivative=h_grad, ylim=(-1.5, 1.5))
        ax.set_title(name)
        ax.legend(loc="upper left", fontsize=8)
    return {"axes": axes}


def stacked_layers(x, n_layers: int = 3, hidden: int = 16, activation: str = "identity", seed: int = 0,
                   scale: float = 2.0):
    """Push the numbers ``x`` ``(N,)`` through ``n_layers`` random layers ``a = z @ W + b``, each followed by
    ``activation`` (a key of ``ACTIVATIONS``) except the last. Sizes: 1 -> hidden -> ... -> hidden -> 1.

    The weights are normal with standard deviation ``scale / sqrt(fan_in)``, the biases with ``scale / 2``.
    Returns ``y`` ``(N,)``. With ``'identity'`` the whole stack is one straight line, whatever the weights."""
    h = ACTIVATIONS[activation][0]
    rng = np.random.default_rng(seed)
    sizes = [1] + [hidden] * (n_layers - 1) + [1]
    z = np.asarray(x, dtype=np.float64).reshape(-1, 1)
    for i in range(n_layers):
        W = rng.normal(0.0, scale / np.sqrt(sizes[i]), size=(sizes[i], sizes[i + 1]))
        b = rng.normal(0.0, scale / 2, size=sizes[i + 1])
        z = z @ W + b
        if i < n_layers - 1:
            z = np.asarray(h(z), dtype=np.float64)
    return z[:, 0]


def activation_widget(name: str = "sigmoid", w: float = 1.0, b: float = 0.0):
    """Sliders for ``w`` and ``b`` and a drop-down for the activation; ``show_activation`` redraws on every
    change. Returns the ipywidgets ``VBox``."""
    import ipywidgets as widgets

    controls = {
        "w": widgets.FloatSlider(value=w, min=-5.0, max=5.0, step=0.25, description="w", readout_format=".2f"),
        "b": widgets.FloatSlider(value=b, min=-5.0, max=5.0, step=0.25, description="b", readout_format=".2f"),
        "name": widgets.Dropdown(options=list(ACTIVATIONS), value=name, description="h"),
    }
    return interact(show_activation, controls, caption=lambda r: f"largest slope |dy/dx| = {r['max_slope']:.3f}")
