"""Widget and measurement of notebook 07, section 6: how the scale of the initial weights carries through layers.

A batch of random inputs goes through a stack of fully connected layers (no biases, the same activation after
each layer), as in the book's ``ch06/weight_init_activation_histogram.py``. What we follow is the **spread** of
each layer's pre-activation ``a = h @ W``: its root mean square (RMS; ``a`` has mean 0 because ``W`` has).

Plain functions (the tests call them):

- ``activation_rms(activation, weight_init_std, layers, width, n, seed)`` -> ``(layers,)`` array: the RMS of
  ``a`` at every layer.
- ``show_init_spread(activation, weight_init_std, layers=8, ax=None)`` -> dict: draws the RMS per layer for the
  three initialisations (0.01, Xavier, He; the chosen one bold) on a log scale and returns the numbers.

Builder: ``init_spread_widget()``: an activation and an initialisation drop-down and a layers slider.
"""
from __future__ import annotations

import numpy as np

from ..functions import relu, tanh
from ..networks import init_std
from ..plots import new_axes
from . import interact

__all__ = ["ACTIVATIONS", "INITS", "activation_rms", "per_layer_factor", "show_init_spread", "init_spread_widget"]

#: activation name -> function (from ``course_lib.functions``)
ACTIVATIONS = {"relu": relu, "tanh": tanh}
#: label -> ``weight_init_std`` as ``course_lib.networks.init_std`` understands it
INITS = {"0.01": 0.01, "Xavier": "xavier", "He": "he"}


def activation_rms(activation: str = "relu", weight_init_std="xavier", layers: int = 8, width: int = 200,
                   n: int = 1000, seed: int = 0) -> np.ndarray:
    """RMS of the pre-activation ``a = h @ W`` of each of ``layers`` layers of ``width`` units.

    The input ``h`` is ``(n, width)`` standard normal (RMS 1); every ``W`` is ``(width, width)``, drawn with
    standard deviation ``init_std(weight_init_std, width)``; after each layer ``h = activation(a)``.
    Returns an array of shape ``(layers,)``; a constant RMS means the layers keep the spread.
    """
    if activation not in ACTIVATIONS:
        raise ValueError(f"activation_rms: activation must be one of {sorted(ACTIVATIONS)}, got {activation!r}")
    if int(layers) < 1:
        raise ValueError(f"activation_rms: layers must be >= 1, got {layers}")
    rng = np.random.default_rng(seed)
    h = rng.standard_normal((n, width))
    std = init_std(weight_init_std, width)
    rms = []
    for _ in range(int(layers)):
        a = h @ (std * rng.standard_normal((width, width)))
        rms.append(np.sqrt(np.mean(a ** 2)))
        h = ACTIVATIONS[activation](a)
    return np.array(rms)


def per_layer_factor(rms) -> float:
    """The mean factor by which the RMS changes from one layer to the next (geometric mean of the ratios)."""
    rms = np.asarray(rms, dtype=float)
    return float((rms[-1] / rms[0]) ** (1.0 / (len(rms) - 1))) if len(rms) > 1 else 1.0


def show_init_spread(activation: str = "relu", weight_init_std: str = "Xavier", layers: int = 8, ax=None) -> dict:
    """Draw the RMS of every layer's pre-activation for the three initialisations of ``INITS``.

    activation: a key of ``ACTIVATIONS``; weight_init_std: the key of ``INITS`` drawn bold.
    Returns ``ax``, ``rms`` (``{init label: (layers,) array}``), ``factor`` (``{init label: per-layer factor}``)
    and ``chosen`` (the bold label).
    """
    if weight_init_std not in INITS:
        raise ValueError(f"show_init_spread: weight_init_std must be one of {list(INITS)}, got {weight_init_std!r}")
    ax = new_axes(ax, figsize=(6, 3.6))
    rms = {label: activation_rms(activation, std, layers) for label, std in INITS.items()}
    factor = {label: per_layer_factor(r) for label, r in rms.items()}
    layer = np.arange(1, int(layers) + 1)
    for i, (label, r) in enumerate(rms.items()):
        bold = label == weight_init_std
        ax.plot(layer, r, "o-", color=f"C{i}", lw=2.5 if bold else 1, alpha=1.0 if bold else 0.45,
                label=f"{label}: ×{factor[label]:.2f} per layer")
    ax.set_yscale("log")
    ax.set_xlabel("layer")
    ax.set_ylabel("RMS of the layer's input a = h @ W")
    ax.set_title(f"{activation}, {int(layers)} layers of 200 units", fontsize=10)
    ax.legend(fontsize=8, loc="lower left")
    return {"ax": ax, "rms": rms, "factor": factor, "chosen": weight_init_std}


def init_spread_widget(activation: str = "relu", weight_init_std: str = "Xavier", layers: int = 8):
    """Drop-downs for the activation and the (bold) initialisation, a slider for the number of layers."""
    import ipywidgets as widgets

    controls = {
        "activation": widgets.Dropdown(options=list(ACTIVATIONS), value=activation, description="activation"),
        "weight_init_std": widgets.Dropdown(options=list(INITS), value=weight_init_std, description="init"),
        "layers": widgets.IntSlider(value=layers, min=2, max=15, description="layers", continuous_update=False),
    }

    def caption(shown):
        f = shown["factor"][shown["chosen"]]
        return f"{shown['chosen']}: the spread changes by a factor {f:.2f} per layer"

    return interact(show_init_spread, controls, caption=caption)
