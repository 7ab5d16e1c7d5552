"""Measurements and the widget of the appendix A1 (speed): where the time of one training step goes.

Plain functions (the tests call them):

- ``best_time(f, number=10, repeat=20)`` -> seconds per call of ``f()``: the best of ``repeat`` short rounds of
  ``number`` calls. A busy machine only ever *adds* time, so the best round is the fairest figure.
- ``step_parts(x, t, batch_size, hidden_size, dtype, threads, ...)`` -> ``{part: microseconds per step}``:
  one training step of a ``TwoLayerNet`` with SGD, timed part by part in the order the step runs them
  (gather the batch, every layer's ``forward``, the loss, every ``backward`` in reverse, the update); each
  part's median over many steps.
- ``show_step_parts(batch_size, threads, dtype, x, t, ax=None)`` -> dict: the parts as horizontal bars.

Builder: ``speed_widget(x, t)``: batch size, BLAS threads and dtype drop-downs; every change measures again.
"""
from __future__ import annotations

import os
import time
import timeit

import numpy as np

from ..networks import TwoLayerNet
from ..optimizers import SGD
from ..plots import new_axes
from . import interact

__all__ = ["BATCH_SIZES", "best_time", "step_parts", "show_step_parts", "speed_widget"]

#: The batch sizes of the widget's drop-down.
BATCH_SIZES = (1, 10, 32, 100, 300, 1000)


def best_time(f, number: int = 10, repeat: int = 20) -> float:
    """Seconds per call of ``f()``: the best of ``repeat`` rounds of ``number`` calls each.

    Keep a round short (a millisecond or two): a round that another program interrupts is simply not the best one.
    """
    return min(timeit.repeat(f, number=number, repeat=repeat)) / number


def step_parts(x, t, batch_size: int = 100, hidden_size: int = 50, dtype=np.float32, threads: int = 1,
               steps: int | None = None, seed: int = 0) -> dict:
    """Microseconds per training step, part by part, for ``TwoLayerNet(D, hidden_size, C)`` and SGD (lr 0.1).

    x: ``(N, D)`` training images, t: ``(N,)`` labels (indices 0..C-1; ``C = t.max() + 1``).
    Batches are gathered from one shuffled order (``x[idx]``, as ``Trainer`` does), cast to ``dtype``.
    threads: the BLAS thread count during the measurement (``threadpoolctl.threadpool_limits``).
    steps: how many steps to time (default: 20,000 images' worth, at least 50 and at most 300), after 5 steps
    of warm-up. Each part's figure is its **median** over the steps: a step that another program interrupted
    is one odd step, not a slower average. Returns ``{part: us}`` in the order the step runs them; the part
    names are the network's layer names (``'Affine1.forward'``, ...) plus ``'gather the batch'`` and ``'SGD.update'``.
    """
    from threadpoolctl import threadpool_limits

    x, t = np.asarray(x), np.asarray(t)
    N, D = x.shape
    batch_size = int(batch_size)
    if not 1 <= batch_size <= N:
        raise ValueError(f"step_parts: batch_size must be between 1 and N = {N}, got {batch_size}")
    steps = max(50, min(300, 20000 // batch_size)) if steps is None else int(steps)
    net = TwoLayerNet(D, hidden_size, int(t.max()) + 1, weight_init_std="he", seed=seed, dtype=dtype)
    layers = list(net.layers.items())
    affines = [layer for _, layer in layers if hasattr(layer, "dW")]
    optimizer = SGD(lr=0.1)
    rng = np.random.default_rng(seed)
    order, start = rng.permutation(N), 0
    clock = time.perf_counter
    laps = []  # one list of (part, seconds) per step
    with threadpool_limits(limits=int(threads)):
        for _ in range(5 + steps):  # the first 5 steps warm up (first calls allocate, caches are cold)
            if start + batch_size > N:  # a new epoch: a new order
                order, start = rng.permutation(N), 0
            t0 = clock()
            idx = order[start:start + batch_size]
            x_batch, t_batch = x[idx].astype(dtype, copy=False), t[idx]
            start += batch_size
            lap = [("gather the batch", clock())]
            out = x_batch
            for name, layer in layers:
                out = layer.forward(out)
                lap.append((f"{name}.forward", clock()))
            net.last_layer.forward(out, t_batch)
            lap.append(("SoftmaxWithLoss.forward", clock()))
            dout = net.last_layer.backward(1)
            lap.append(("SoftmaxWithLoss.backward", clock()))
            for name, layer in reversed(layers):
                dout = layer.backward(dout)
                lap.append((f"{name}.backward", clock()))
            grads = {}
            for i, affine in enumerate(affines, start=1):
                grads[f"W{i}"], grads[f"b{i}"] = affine.dW, affine.db
            optimizer.update(net.params, grads)
            lap.append(("SGD.update", clock()))
            laps.append([(part, when - before) for (part, when), before in zip(lap, [t0] + [w for _, w in lap[:-1]])])
    parts = [part for part, _ in laps[0]]
    seconds = np.array([[s for _, s in step] for step in laps[5:]])  # (steps, parts)
    return {part: float(us) for part, us in zip(parts, np.median(seconds, axis=0) * 1e6)}


def _is_product(part: str) -> bool:
    """The parts whose work is mostly matrix products: the Affine layers'."""
    return part.startswith("Affine")


def show_step_parts(batch_size: int = 100, threads: int = 1, dtype: str = "float32", x=None, t=None,
                    hidden_size: int = 50, ax=None, **kwargs) -> dict:
    """Measure one training step (``step_parts``) and draw its parts as horizontal bars (microseconds).

    x, t: the training set to gather from (MNIST's ``x_train``, ``t_train``). dtype: ``'float32'`` or
    ``'float64'``. kwargs go to ``step_parts`` (``steps``, ``seed``).
    Returns ``ax``, ``parts`` (``{part: us}``), ``total_us``, ``per_image_us``, ``products_us`` (the
    Affine layers' parts: mostly matrix products) and ``settings``.
    """
    if x is None or t is None:
        raise ValueError("show_step_parts: pass the training set as x=... and t=...")
    parts = step_parts(x, t, batch_size, hidden_size, np.dtype(dtype).type, threads, **kwargs)
    total = sum(parts.values())
    products = sum(us for part, us in parts.items() if _is_product(part))
    ax = new_axes(ax, figsize=(7, 3.8))
    names = list(parts)[::-1]  # the first part on top
    ax.barh(names, [parts[n] for n in names], color=["C1" if _is_product(n) else "C0" for n in names])
    for i, n in enumerate(names):
        ax.text(parts[n], i, f" {parts[n]:.1f}", va="center", fontsize=8)
    ax.set_xlabel("microseconds per step (orange: the Affine layers, mostly matrix products)")
    ax.set_xlim(0, max(parts.values()) * 1.2)
    ax.set_title(f"784-{hidden_size}-10, batch {batch_size}, {dtype}, {threads} BLAS thread(s): "
                 f"{total:.0f} µs per step", fontsize=10)
    ax.tick_params(axis="y", labelsize=8)
    ax.figure.tight_layout()
    return {"ax": ax, "parts": parts, "total_us": total, "per_image_us": total / int(batch_size),
            "products_us": products,
            "settings": {"batch_size": int(batch_size), "threads": int(threads), "dtype": dtype}}


def speed_widget(x, t, batch_size: int = 100, threads: int = 1, dtype: str = "float32"):
    """Drop-downs for the batch size, the BLAS thread count (1 .. the number of cores, at most 4) and the dtype.

    Every change measures a step again (a fraction of a second) and redraws its parts.
    """
    import ipywidgets as widgets

    cores = max(1, min(4, os.cpu_count() or 1))
    controls = {
        "batch_size": widgets.Dropdown(options=list(BATCH_SIZES), value=batch_size, description="batch"),
        "threads": widgets.Dropdown(options=list(range(1, cores + 1)), value=min(threads, cores),
                                    description="threads"),
        "dtype": widgets.Dropdown(options=["float32", "float64"], value=dtype, description="dtype"),
    }

    def caption(shown):
        return (f"{shown['total_us']:.0f} µs per step = {shown['per_image_us']:.2f} µs per image; "
                f"the Affine layers (matrix products) {shown['products_us'] / shown['total_us']:.0%} of it")

    return interact(show_step_parts, controls, caption=caption, x=x, t=t)
