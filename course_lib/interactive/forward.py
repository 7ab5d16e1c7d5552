"""Widgets of notebook 03 (the forward pass).

Plain functions that draw and return what they show (the tests call these):

- ``show_digit_prediction(index, x=None, t=None, network=None)`` -- one MNIST test digit and the
  probabilities the pretrained 784-50-100-10 network gives it, as a bar chart.
- ``show_softmax_temperature(temperature, a=BOOK_SCORES)`` -- ``softmax(a / temperature)`` as bars.
- ``draw_network(network)`` -- a small network with its weights.

Builders that wire them to ipywidgets: ``digit_browser(...)`` and ``softmax_temperature_widget(...)``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..functions import softmax
from ..networks import predict_with_weights
from ..plots import new_axes, new_axes_grid
from . import interact

__all__ = ["BOOK_SCORES", "show_digit_prediction", "digit_browser", "softmax_with_temperature", "draw_network",
           "show_softmax_temperature", "softmax_temperature_widget"]

#: The scores of the book's softmax example.
BOOK_SCORES = np.array([0.3, 2.9, 4.0])


@lru_cache(maxsize=1)
def _default_data():
    """MNIST test images ``(10000, 784)``, labels ``(10000,)`` and the shipped sample weights (loaded once)."""
    from ..data import load_mnist, load_sample_weights

    _, (x_test, t_test) = load_mnist()
    return x_test, t_test, load_sample_weights()


# --------------------------------------------------------------------------
# digit browser
# --------------------------------------------------------------------------
def _with_defaults(x, t, network):
    """Fill what is None with the MNIST test set and the shipped sample weights."""
    if x is None or t is None or network is None:
        dx, dt, dnet = _default_data()
        x = dx if x is None else x
        t = dt if t is None else t
        network = dnet if network is None else network
    return x, t, network


def show_digit_prediction(index: int, x=None, t=None, network=None, axes=None) -> dict:
    """Draw test image ``index`` next to the network's 10 probabilities.

    x: images ``(N, 784)``; t: labels ``(N,)``; network: a weight dict for
    ``predict_with_weights``. Defaults: the MNIST test set and ``load_sample_weights()``.
    axes: two Axes (image, bars); default a new figure.
    Returns ``{'axes', 'index', 'label', 'prediction', 'correct', 'probabilities' (10,)}``.
    """
    x, t, network = _with_defaults(x, t, network)
    x = np.asarray(x)
    index = int(index)
    if not 0 <= index < len(x):
        raise IndexError(f"show_digit_prediction: index {index} is outside 0..{len(x) - 1}")
    probabilities = np.asarray(predict_with_weights(network, x[index]))
    label = int(t[index])
    prediction = int(np.argmax(probabilities))

    ax_img, ax_bar = new_axes_grid(axes, 1, 2, figsize=(8, 2.8), width_ratios=[1, 2.2])
    ax_img.imshow(x[index].reshape(28, 28), cmap="gray_r")
    ax_img.set_xticks([])
    ax_img.set_yticks([])
    ax_img.set_title(f"test image {index}: label {label}")
    colors = ["0.75"] * len(probabilities)
    colors[prediction] = "tab:green" if prediction == label else "tab:red"
    bars = ax_bar.bar(np.arange(len(probabilities)), probabilities, color=colors)
    bars[label].set_edgecolor("k")
    bars[label].set_linewidth(2)
    ax_bar.set_xticks(np.arange(len(probabilities)))
    ax_bar.set_ylim(0, 1.05)
    ax_bar.set_xlabel("class (black edge: the right one)")
    ax_bar.set_ylabel("probability")
    verdict = "right" if prediction == label else "WRONG"
    ax_bar.set_title(f"prediction {prediction} ({verdict}), p = {probabilities[prediction]:.3f}")
    if axes is None:
        ax_img.figure.subplots_adjust(left=0.02, right=0.98, bottom=0.17, top=0.88, wspace=0.15)
    return {"axes": (ax_img, ax_bar), "index": index, "label": label, "prediction": prediction,
            "correct": prediction == label, "probabilities": probabilities}


def digit_browser(x=None, t=None, network=None, start: int = 0):
    """A slider over the test images that redraws ``show_digit_prediction``, and a "next mistake" button.

    Returns the ipywidgets ``VBox``; display it as the last expression of a cell.
    """
    import ipywidgets as widgets

    x, t, network = _with_defaults(x, t, network)
    x = np.asarray(x)
    t = np.asarray(t)
    wrong = np.flatnonzero(np.argmax(predict_with_weights(network, x), axis=1) != t)

    slider = widgets.IntSlider(value=start, min=0, max=len(x) - 1, description="image",
                               continuous_update=False, layout=widgets.Layout(width="420px"))
    button = widgets.Button(description="next mistake", tooltip="jump to the next image the network gets wrong")

    def next_mistake(_):  # moving the slider redraws
        later = wrong[wrong > slider.value]
        if len(later):
            slider.value = int(later[0])
        elif len(wrong):
            slider.value = int(wrong[0])

    button.on_click(next_mistake)
    info = widgets.HTML(f"The network gets {len(wrong)} of {len(x)} images wrong.")
    browser = interact(show_digit_prediction, {"index": slider}, x=x, t=t, network=network)
    return widgets.VBox([widgets.HBox([button, info]), browser])


# --------------------------------------------------------------------------
# softmax temperature
# --------------------------------------------------------------------------
def softmax_with_temperature(a, temperature: float):
    """``softmax(a / temperature)``. a: ``(C,)`` or ``(N, C)`` -> same shape. temperature > 0."""
    if temperature <= 0:
        raise ValueError(f"temperature must be positive, got {temperature}")
    return softmax(np.asarray(a, dtype=np.float64) / temperature)


def show_softmax_temperature(temperature: float, a=BOOK_SCORES, ax=None) -> dict:
    """Bar chart of ``softmax(a / temperature)`` for scores ``a`` ``(C,)``.

    Returns ``{'ax', 'temperature', 'probabilities' (C,), 'argmax'}``.
    """
    a = np.asarray(a, dtype=np.float64)
    y = softmax_with_temperature(a, temperature)
    ax = new_axes(ax, figsize=(5, 3))
    bars = ax.bar(np.arange(len(a)), y, color="tab:blue")
    for bar, p in zip(bars, y):
        ax.text(bar.get_x() + bar.get_width() / 2, p + 0.02, f"{p:.2f}", ha="center", fontsize=9)
    ax.set_xticks(np.arange(len(a)), [f"a={v:g}" for v in a])
    ax.set_ylim(0, 1.1)
    ax.set_ylabel("probability")
    ax.set_title(f"softmax(a / T), T = {temperature:.2f}")
    return {"ax": ax, "temperature": float(temperature), "probabilities": y, "argmax": int(np.argmax(y))}


def softmax_temperature_widget(a=BOOK_SCORES):
    """A log-scale temperature slider that redraws ``show_softmax_temperature``. Returns the widget."""
    import ipywidgets as widgets

    slider = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, step=0.05, description="T",
                                    continuous_update=False)
    return interact(show_softmax_temperature, {"temperature": slider}, a=a)


# --------------------------------------------------------------------------
# a picture of a small network
# --------------------------------------------------------------------------
def draw_network(network: dict, ax=None, activations=None):
    """Draw a small fully connected network from its weight dict (``W1`` ``(D, H1)``, ``W2``, ...).

    One column of circles per layer; the line from input ``i`` to neuron ``j`` of layer ``k`` is
    ``W{k}[i, j]``, drawn thicker for a larger ``|w|`` (blue positive, red negative). The bias
    ``b{k}[j]`` is written under each neuron. Returns ``{'ax', 'layer_sizes': [D, H1, ...], 'n_edges': int}``.
    """
    k = 1
    Ws = []
    while f"W{k}" in network:
        Ws.append(np.asarray(network[f"W{k}"]))
        k += 1
    if not Ws:
        raise ValueError("draw_network: the network has no 'W1'")
    sizes = [Ws[0].shape[0]] + [W.shape[1] for W in Ws]
    for i, W in enumerate(Ws, start=1):
        if W.shape[0] != sizes[i - 1]:
            raise ValueError(f"draw_network: W{i} has shape {W.shape}, expected ({sizes[i - 1]}, ...)")
    ax = new_axes(ax, figsize=(1.8 * len(sizes) + 1, 0.9 * max(sizes) + 1))

    def ys(n):
        return np.arange(n)[::-1] - (n - 1) / 2

    wmax = max(float(np.max(np.abs(W))) for W in Ws) or 1.0
    n_edges = 0
    for layer, W in enumerate(Ws):
        y0, y1 = ys(sizes[layer]), ys(sizes[layer + 1])
        for i in range(W.shape[0]):
            for j in range(W.shape[1]):
                w = W[i, j]
                ax.plot([layer, layer + 1], [y0[i], y1[j]], color="tab:blue" if w >= 0 else "tab:red",
                        lw=0.5 + 3.0 * abs(w) / wmax, alpha=0.7, zorder=1)
                n_edges += 1
    names = ["x"] + [f"z{i}" for i in range(1, len(Ws))] + ["y"]
    acts = activations or (["input"] + ["sigmoid"] * (len(Ws) - 1) + ["output"])
    for layer, n in enumerate(sizes):
        for j, y in enumerate(ys(n)):
            ax.scatter([layer], [y], s=600, color="white", edgecolors="k", zorder=2)
            ax.text(layer, y, f"{names[layer]}{j + 1}", ha="center", va="center", fontsize=8, zorder=3)
            b = network.get(f"b{layer}") if layer > 0 else None
            if b is not None:
                ax.text(layer, y - 0.32, f"b={float(np.asarray(b)[j]):g}", ha="center", va="top", fontsize=7)
        ax.text(layer, (max(sizes) - 1) / 2 + 0.7, f"{acts[layer]}\n({n})", ha="center", va="bottom", fontsize=8)
    ax.set_xlim(-0.5, len(sizes) - 0.5)
    ax.set_ylim(-(max(sizes) - 1) / 2 - 0.8, (max(sizes) - 1) / 2 + 1.3)
    ax.axis("off")
    return {"ax": ax, "layer_sizes": sizes, "n_edges": n_edges}
