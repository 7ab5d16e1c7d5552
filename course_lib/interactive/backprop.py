"""Widgets and plots of notebook 06 (backpropagation).

Plain functions that draw and return what they show (the tests call these):

- ``shopping_graph(...)`` -- the book's shopping example (2 apples at 100, 3 oranges at 150, 10 % tax)
  computed forward and backward with ``course_lib.layers.MulLayer`` / ``AddLayer``.
- ``draw_shopping_graph(step)`` -- the computational graph drawn with matplotlib: forward values above the
  edges (black), gradients below them (red), revealed step by step (``step`` 0..9, see ``GRAPH_STEPS``).
- ``broken_network(bug)`` / ``check_bug(bug)`` / ``show_bug_check(bug)`` -- a small ``TwoLayerNet`` in which
  one layer's backward has a typical bug (``BUGS``), and the gradient check that catches it.

Builders: ``shopping_graph_widget()`` (a step slider) and ``bug_check_widget()`` (a dropdown of bugs).
"""
from __future__ import annotations

import numpy as np

from ..gradient import GRADIENT_CHECK_TOL, gradient_check
from ..layers import Affine, AddLayer, MulLayer, Relu, Sigmoid, SoftmaxWithLoss
from ..networks import TwoLayerNet
from ..plots import new_axes
from . import interact

__all__ = ["shopping_graph", "GRAPH_STEPS", "draw_shopping_graph", "shopping_graph_widget",
           "BUGS", "broken_network", "check_bug", "show_bug_check", "bug_check_widget"]


# --------------------------------------------------------------------------
# the shopping graph
# --------------------------------------------------------------------------
def shopping_graph(apple: float = 100, apple_num: float = 2, orange: float = 150, orange_num: float = 3,
                   tax: float = 1.1) -> dict:
    """Forward and backward pass of ``price = (apple * apple_num + orange * orange_num) * tax``.

    Returns ``{'values': {name: value}, 'grads': {name: d price / d name}}`` for the names
    ``apple apple_num orange orange_num tax apple_price orange_price all_price price``.
    Every number comes from a ``MulLayer`` / ``AddLayer`` forward or backward call.
    """
    mul_apple, mul_orange, add_fruit, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    apple_price = mul_apple.forward(apple, apple_num)
    orange_price = mul_orange.forward(orange, orange_num)
    all_price = add_fruit.forward(apple_price, orange_price)
    price = mul_tax.forward(all_price, tax)

    dprice = 1
    dall_price, dtax = mul_tax.backward(dprice)
    dapple_price, dorange_price = add_fruit.backward(dall_price)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    values = {"apple": apple, "apple_num": apple_num, "orange": orange, "orange_num": orange_num, "tax": tax,
              "apple_price": apple_price, "orange_price": orange_price, "all_price": all_price, "price": price}
    grads = {"apple": dapple, "apple_num": dapple_num, "orange": dorange, "orange_num": dorange_num,
             "tax": dtax, "apple_price": dapple_price, "orange_price": dorange_price,
             "all_price": dall_price, "price": dprice}
    return {"values": values, "grads": grads}


#: What each step of ``draw_shopping_graph`` adds (step 0 shows the inputs).
GRAPH_STEPS = [
    "inputs: 2 apples at 100, 3 oranges at 150, tax 1.1",
    "forward: apple node  100 * 2 = 200",
    "forward: orange node  150 * 3 = 450",
    "forward: add node  200 + 450 = 650",
    "forward: tax node  650 * 1.1 = 715",
    "backward: start with d price / d price = 1",
    "backward: tax node (x): each input gets dout times the OTHER input",
    "backward: add node (+): passes dout on unchanged to both inputs",
    "backward: orange node (x): swap the inputs",
    "backward: apple node (x): swap the inputs -- done",
]

# node name -> (x, y, label); the value nodes are drawn as text, the operations as circles
_NODES = {
    "apple": (0.0, 5.0, "apple"), "apple_num": (0.0, 3.4, "apples"),
    "orange": (0.0, 2.4, "orange"), "orange_num": (0.0, 0.8, "oranges"),
    "tax": (3.0, -0.2, "tax"),
    "mul_apple": (1.6, 4.2, "×"), "mul_orange": (1.6, 1.6, "×"),
    "add": (3.0, 2.9, "+"), "mul_tax": (4.4, 1.4, "×"), "out": (6.0, 1.4, "price"),
}
# (from, to, quantity on the edge, forward step, backward step)
_EDGES = [
    ("apple", "mul_apple", "apple", 0, 9), ("apple_num", "mul_apple", "apple_num", 0, 9),
    ("orange", "mul_orange", "orange", 0, 8), ("orange_num", "mul_orange", "orange_num", 0, 8),
    ("tax", "mul_tax", "tax", 0, 6),
    ("mul_apple", "add", "apple_price", 1, 7), ("mul_orange", "add", "orange_price", 2, 7),
    ("add", "mul_tax", "all_price", 3, 6), ("mul_tax", "out", "price", 4, 5),
]


def _fmt(v) -> str:
    return f"{float(v):.4g}"


def draw_shopping_graph(step: int = len(GRAPH_STEPS) - 1, ax=None, **prices) -> dict:
    """Draw the shopping graph after ``step`` steps (0 = inputs only, 4 = forward done, 9 = backward done).

    prices: keyword arguments of ``shopping_graph`` (``apple``, ``apple_num``, ...).
    Forward values are written above the edges in black, gradients ``d price / d edge`` below in red.
    Returns ``{'ax', 'step', 'description', 'values' {name: shown value}, 'grads' {name: shown gradient}}``
    with only the numbers visible at this step.
    """
    from matplotlib.patches import Circle

    step = int(step)
    if not 0 <= step < len(GRAPH_STEPS):
        raise ValueError(f"draw_shopping_graph: step must lie in 0..{len(GRAPH_STEPS) - 1}, got {step}")
    g = shopping_graph(**prices)
    ax = new_axes(ax, figsize=(9, 5.2))
    shown_values, shown_grads = {}, {}
    for start, end, name, fwd, bwd in _EDGES:
        x0, y0, _ = _NODES[start]
        x1, y1, _ = _NODES[end]
        active = step == fwd or step == bwd
        ax.annotate("", xy=(x1 - 0.25 if end != "out" else x1 - 0.45, y1), xytext=(x0 + 0.3, y0),
                    arrowprops=dict(arrowstyle="->", color="tab:orange" if active else "0.4", lw=2 if active else 1.2))
        mx, my = (x0 + x1) / 2 + 0.05, (y0 + y1) / 2
        if step >= fwd:
            shown_values[name] = g["values"][name]
            ax.text(mx, my + 0.13, _fmt(g["values"][name]), ha="center", va="bottom", fontsize=11)
        if step >= bwd:
            shown_grads[name] = g["grads"][name]
            ax.text(mx, my - 0.13, _fmt(g["grads"][name]), ha="center", va="top", fontsize=11, color="tab:red",
                    fontweight="bold")
    for name, (x, y, label) in _NODES.items():
        if name.startswith(("mul", "add")):
            ax.add_patch(Circle((x, y), 0.25, facecolor="white", edgecolor="k", lw=1.5, zorder=3))
            ax.text(x, y, label, ha="center", va="center", fontsize=15, zorder=4)
        else:
            ax.text(x, y, label, ha="center", va="center", fontsize=10,
                    bbox=dict(boxstyle="round", facecolor="#eef4ff", edgecolor="0.6"))
    ax.set_xlim(-0.6, 6.6)
    ax.set_ylim(-0.7, 5.5)
    ax.set_aspect("equal")
    ax.axis("off")
    ax.set_title(f"step {step}: {GRAPH_STEPS[step]}\n(black: forward value, red: d price / d that value)",
                 fontsize=10)
    return {"ax": ax, "step": step, "description": GRAPH_STEPS[step], "values": shown_values,
            "grads": shown_grads}


def shopping_graph_widget(start: int = 0, **prices):
    """A slider over the steps of ``draw_shopping_graph`` (forward, then backward), with a play button that
    moves it. Returns the widget."""
    import ipywidgets as widgets

    slider = widgets.IntSlider(value=start, min=0, max=len(GRAPH_STEPS) - 1, description="step",
                               continuous_update=True)
    play = widgets.Play(value=start, min=0, max=len(GRAPH_STEPS) - 1, interval=1200, description="play")
    widgets.jslink((play, "value"), (slider, "value"))
    return widgets.VBox([play, interact(draw_shopping_graph, {"step": slider}, **prices)])


# --------------------------------------------------------------------------
# break one layer's backward
# --------------------------------------------------------------------------
class _ReluNoMask(Relu):
    def backward(self, dout):
        return np.array(dout, copy=True)  # bug: lets the gradient through where the input was <= 0


class _SigmoidNoOneMinus(Sigmoid):
    def backward(self, dout):
        return dout * self.out  # bug: forgets the factor (1 - out)


class _AffineDbMean(Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = np.mean(dout, axis=0)  # bug: averages over the batch instead of summing
        return dx


class _AffineDbFirst(Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.db = np.array(dout[0], copy=True)  # bug: only the first sample's gradient
        return dx


class _AffineDWForgetsX(Affine):
    def backward(self, dout):
        dx = super().backward(dout)
        self.dW = np.ones_like(self.x).T @ dout  # bug: forgets x (as if the input were all ones)
        return dx


class _SoftmaxNoN(SoftmaxWithLoss):
    def backward(self, dout=1):
        return super().backward(dout) * self.y.shape[0]  # bug: forgets to divide by N


#: Typical mistakes, each as ``label -> (activation, layer name to replace, buggy class)``.
BUGS = {
    "none (correct backward)": ("relu", None, None),
    "Relu: forgets the mask": ("relu", "Activation1", _ReluNoMask),
    "Sigmoid: dout * out (forgets 1 - out)": ("sigmoid", "Activation1", _SigmoidNoOneMinus),
    "Affine1: db = mean over the batch": ("relu", "Affine1", _AffineDbMean),
    "Affine2: db = dout[0] (first sample only)": ("relu", "Affine2", _AffineDbFirst),
    "Affine2: dW forgets x": ("relu", "Affine2", _AffineDWForgetsX),
    "SoftmaxWithLoss: forgets / N": ("relu", "last_layer", _SoftmaxNoN),
}


def broken_network(bug: str, input_size: int = 6, hidden_size: int = 5, output_size: int = 3,
                   seed: int = 0) -> TwoLayerNet:
    """A ``TwoLayerNet`` (weight std 0.5) in which the layer named by ``bug`` (a key of ``BUGS``)
    has a broken backward. ``'none (correct backward)'`` gives the correct network."""
    if bug not in BUGS:
        raise KeyError(f"unknown bug {bug!r}; choose one of {list(BUGS)}")
    activation, where, cls = BUGS[bug]
    net = TwoLayerNet(input_size, hidden_size, output_size, weight_init_std=0.5, activation=activation, seed=seed)
    if where == "last_layer":
        net.last_layer = cls()
    elif where is not None:
        if issubclass(cls, Affine):
            i = where[-1]
            net.layers[where] = cls(net.params[f"W{i}"], net.params[f"b{i}"], name=where,
                                    needs_dx=net.layers[where].needs_dx)
        else:
            net.layers[where] = cls()
    return net


def check_bug(bug: str, N: int = 4, seed: int = 0, verbose: bool = False) -> dict:
    """Gradient check (backprop vs numerical, ``course_lib.gradient.gradient_check``) of ``broken_network(bug)``
    on ``N`` random samples. Returns ``{param name: {"relative": ..., "max_abs": ...}}``."""
    net = broken_network(bug, seed=seed)
    rng = np.random.default_rng(seed + 1)
    x = rng.standard_normal((N, net.params["W1"].shape[0]))
    t = rng.integers(0, net.params["W2"].shape[1], N)
    return gradient_check(net.gradient(x, t), net.numerical_gradient(x, t), verbose=verbose)


def show_bug_check(bug: str, ax=None) -> dict:
    """Bar chart (log scale) of the relative error per parameter for ``check_bug(bug)``, with the line at
    ``GRADIENT_CHECK_TOL``.

    Returns ``{'ax', 'bug', 'errors' (check_bug's result), 'passed' (every relative error below the
    threshold), 'failing' [names]}``.
    """
    errors = check_bug(bug)
    names = list(errors)
    values = np.array([errors[k]["relative"] for k in names])
    failing = [k for k, v in zip(names, values) if v >= GRADIENT_CHECK_TOL]
    ax = new_axes(ax, figsize=(6, 3.2))
    colors = ["tab:red" if v >= GRADIENT_CHECK_TOL else "tab:green" for v in values]
    ax.bar(names, np.maximum(values, 1e-16), color=colors)
    for i, v in enumerate(values):
        ax.text(i, max(v, 1e-16) * 1.8, f"{v:.1e}", ha="center", fontsize=9)
    ax.axhline(GRADIENT_CHECK_TOL, color="k", ls="--", lw=1)
    ax.text(len(names) - 0.5, GRADIENT_CHECK_TOL * 1.6, f"threshold {GRADIENT_CHECK_TOL:.0e}", ha="right",
            fontsize=8)
    ax.set_yscale("log")
    ax.set_ylim(1e-13, 10)
    ax.set_ylabel("relative error")
    verdict = "all gradients agree" if not failing else "MISMATCH in " + ", ".join(failing)
    ax.set_title(f"bug: {bug}\n{verdict}", fontsize=10)
    return {"ax": ax, "bug": bug, "errors": errors, "passed": not failing, "failing": failing}


def bug_check_widget(bug: str = "none (correct backward)"):
    """A dropdown of ``BUGS`` that reruns the gradient check and redraws ``show_bug_check``. Returns the widget."""
    import ipywidgets as widgets

    dropdown = widgets.Dropdown(options=list(BUGS), value=bug, description="bug",
                                layout=widgets.Layout(width="420px"))
    return interact(show_bug_check, {"bug": dropdown})
