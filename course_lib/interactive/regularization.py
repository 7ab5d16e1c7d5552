"""Widgets and plots of notebook 08 (overfitting and its remedies).

Plain functions (callable and tested without a browser):

- ``train_overfit_setup(weight_decay_lambda=0.0, dropout_ratio=0.0, epochs=40, seed=0)`` -> dict: the book's
  overfitting set-up -- 300 training images, a 784-100x6-10 ReLU network (``MultiLayerNetExtend``) -- trained
  with Adam; the accuracy and the loss on the training images and on 1,000 test images after every epoch,
  and the trained network. ``overfit_run(...)``: the same, computed once per set of arguments (a small cache,
  so that the widgets and the notebook share their runs).
- ``plot_curves(run, what, ax=None)`` -> dict: the train and test curves of such a run.
- ``show_weight_decay(weight_decay_lambda, ...)`` -> dict: accuracy and loss curves of that run, and the
  histogram of its weights next to the weights of the run without weight decay.
- ``show_dropout(dropout_ratio, ...)`` -> dict: which units dropout drops in one step of a small network, and
  the accuracy curves of the overfitting set-up with that dropout ratio.
- ``draw_dropout_diagram(dropout_ratio, seed, ax=None)`` -> dict: a small network with the units of one dropout
  step crossed out.
- ``show_examples(x, t, class_names, ...)`` -> dict: a mosaic of images, one row per class.
- ``confusion_matrix(t, y, num_classes)`` and ``show_confusion_matrix(t, y, class_names, ...)``.

Each drawing function takes ``ax=None`` (one Axes) or ``axes=None`` (several), makes a new figure with
``course_lib.plots`` when it is None, and returns a dict with ``"ax"`` or ``"axes"`` and the numbers it shows.

Builders: ``weight_decay_widget()`` and ``dropout_widget()`` wire the two ``show_*`` functions to sliders with
``course_lib.interactive.interact``.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..layers import SoftmaxWithLoss
from ..networks_extend import MultiLayerNetExtend
from ..plots import new_axes, new_axes_grid
from ..training import Trainer
from . import interact

__all__ = ["OVERFIT", "data_loss", "train_overfit_setup", "overfit_run", "plot_curves", "show_weight_decay",
           "draw_dropout_diagram", "show_dropout", "show_examples", "confusion_matrix", "show_confusion_matrix",
           "weight_decay_widget", "dropout_widget"]

#: The overfitting set-up of the notebook (the book's network and data; Adam instead of SGD, to be quick).
OVERFIT = {"n_train": 300, "n_test": 1000, "hidden": [100] * 6, "lr": 0.001, "batch": 100}
WEIGHT_DECAY_VALUES = (0.0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3)
DROPOUT_VALUES = (0.0, 0.1, 0.2, 0.3, 0.5)


def data_loss(network, x, t) -> float:
    """Cross-entropy of ``network.predict(x)`` (test mode) against ``t``, without the weight-decay penalty."""
    return SoftmaxWithLoss().forward(network.predict(x), t)


def train_overfit_setup(weight_decay_lambda: float = 0.0, dropout_ratio: float = 0.0, epochs: int = 40,
                        seed: int = 0) -> dict:
    """Train the overfitting set-up (``OVERFIT``) with weight decay ``weight_decay_lambda`` and a dropout ratio.

    Returns ``{'train_acc', 'test_acc', 'train_loss', 'test_loss'}`` (lists, one value per epoch; the losses are
    the cross-entropy without the penalty, in test mode) and ``'network'`` (the trained ``MultiLayerNetExtend``).
    """
    from ..data import load_mnist

    (x_train, t_train), (x_test, t_test) = load_mnist()
    x, t = x_train[:OVERFIT["n_train"]], t_train[:OVERFIT["n_train"]]
    x_te, t_te = x_test[:OVERFIT["n_test"]], t_test[:OVERFIT["n_test"]]
    network = MultiLayerNetExtend(784, OVERFIT["hidden"], 10, weight_decay_lambda=weight_decay_lambda,
                                  use_dropout=dropout_ratio > 0, dropout_ration=dropout_ratio, seed=seed,
                                  dtype=np.float32)
    curves = {"test_acc": [], "train_loss": [], "test_loss": []}

    def record(trainer):  # after every epoch (Trainer records the training accuracy itself)
        scores = network.predict(x_te)  # test mode; one pass gives the test accuracy and the test loss
        curves["test_acc"].append(float(np.mean(scores.argmax(axis=1) == t_te)))
        curves["test_loss"].append(SoftmaxWithLoss().forward(scores, t_te))
        curves["train_loss"].append(data_loss(network, x, t))

    trainer = Trainer(network, x, t, epochs=epochs, mini_batch_size=OVERFIT["batch"], optimizer="Adam",
                      optimizer_param={"lr": OVERFIT["lr"]}, seed=seed, progress=False, callbacks=[record])
    history = trainer.train()
    return {"train_acc": list(history["train_acc"]), **curves, "network": network}


_cached_run = lru_cache(maxsize=16)(train_overfit_setup)


def overfit_run(weight_decay_lambda: float = 0.0, dropout_ratio: float = 0.0, epochs: int = 40, seed: int = 0) -> dict:
    """``train_overfit_setup(...)``, computed once per set of arguments; later calls return the same run
    (the lists are copies; the network is the same object -- do not train it further)."""
    run = _cached_run(float(weight_decay_lambda), float(dropout_ratio), int(epochs), int(seed))
    return {key: (list(value) if isinstance(value, list) else value) for key, value in run.items()}


def _weights(network) -> np.ndarray:
    return np.concatenate([p.ravel() for key, p in network.params.items() if key.startswith("W")])


def plot_curves(run: dict, what: str = "acc", ax=None) -> dict:
    """Draw ``run['train_<what>']`` and ``run['test_<what>']`` per epoch (``what``: ``'acc'`` or ``'loss'``).
    Returns ``{'ax', 'train', 'test'}`` (the two curves' values, one per epoch)."""
    if what not in ("acc", "loss"):
        raise ValueError(f"plot_curves: what must be 'acc' or 'loss', got {what!r}")
    ax = new_axes(ax)
    train, test = list(run[f"train_{what}"]), list(run[f"test_{what}"])
    epochs = np.arange(1, len(train) + 1)
    ax.plot(epochs, train, color="C0", label="train")
    ax.plot(epochs, test, color="C1", label="test")
    ax.set_xlabel("epoch")
    if what == "acc":
        ax.set_ylabel("accuracy")
        ax.set_ylim(0, 1.02)
        ax.legend(loc="lower right")
    else:
        ax.set_ylabel("loss (cross-entropy)")
        ax.set_ylim(0, max(2.5, min(4.0, max(test))))
        ax.legend(loc="upper right")
    return {"ax": ax, "train": train, "test": test}


def show_weight_decay(weight_decay_lambda: float = 0.1, epochs: int = 40, seed: int = 0, axes=None) -> dict:
    """Accuracy and loss curves of ``overfit_run(weight_decay_lambda)``, and its weights' histogram next to the
    weights of the same network trained without weight decay (grey).

    Returns ``{'axes': (ax_acc, ax_loss, ax_hist), 'train_acc', 'test_acc', 'gap', 'test_loss',
    'min_test_loss', 'weight_norm', 'weight_norm_without'}`` (final values; ``gap`` = train - test accuracy;
    ``weight_norm`` = the sum of all squared weights).
    """
    run = overfit_run(weight_decay_lambda, 0.0, epochs, seed)
    plain = overfit_run(0.0, 0.0, epochs, seed)
    axes = new_axes_grid(axes, 1, 3, figsize=(13, 3.4), gridspec_kw={"wspace": 0.32})
    ax_acc, ax_loss, ax_hist = axes
    plot_curves(run, "acc", ax_acc)
    ax_acc.set_title(f"λ = {weight_decay_lambda:g}: train {run['train_acc'][-1]:.2f}, test {run['test_acc'][-1]:.2f}")
    plot_curves(run, "loss", ax_loss)
    ax_loss.set_title(f"test loss: lowest {min(run['test_loss']):.2f}, last {run['test_loss'][-1]:.2f}")
    w, w0 = _weights(run["network"]), _weights(plain["network"])
    bins = np.linspace(-0.6, 0.6, 61)
    ax_hist.hist(w0, bins=bins, color="0.75", label="λ = 0")
    ax_hist.hist(w, bins=bins, histtype="step", color="C2", lw=1.5, label=f"λ = {weight_decay_lambda:g}")
    ax_hist.set_yscale("log")
    ax_hist.set_xlabel("weight value")
    ax_hist.set_ylabel("number of weights")
    ax_hist.legend(loc="upper right")
    norm, norm0 = float(np.sum(w.astype(np.float64) ** 2)), float(np.sum(w0.astype(np.float64) ** 2))
    ax_hist.set_title(f"sum of squared weights: {norm:.0f} (λ = 0: {norm0:.0f})")
    return {"axes": axes, "train_acc": run["train_acc"][-1], "test_acc": run["test_acc"][-1],
            "gap": run["train_acc"][-1] - run["test_acc"][-1], "test_loss": run["test_loss"][-1],
            "min_test_loss": min(run["test_loss"]), "weight_norm": norm, "weight_norm_without": norm0}


def draw_dropout_diagram(dropout_ratio: float = 0.2, seed: int = 0, sizes=(6, 9, 9, 9, 4), ax=None) -> dict:
    """A small network of layers of ``sizes`` units; the hidden units dropped in one training step (each with
    probability ``dropout_ratio``, as in ``Dropout.forward``) are crossed out.

    Returns ``{'ax', 'kept' (one bool array per layer), 'dropped_fraction' (of the hidden units)}``.
    """
    ax = new_axes(ax, figsize=(5, 3.4))
    rng = np.random.default_rng(seed)
    xs = np.arange(len(sizes))
    kept = [np.ones(n, dtype=bool) for n in sizes]
    for i in range(1, len(sizes) - 1):  # the hidden layers: the same rule as Dropout.forward
        kept[i] = rng.random(sizes[i]) > dropout_ratio
    ys = [np.linspace(0, 1, n) if n > 1 else np.array([0.5]) for n in sizes]
    for i in range(len(sizes) - 1):
        for a in range(sizes[i]):
            for b in range(sizes[i + 1]):
                alive = kept[i][a] and kept[i + 1][b]
                ax.plot([xs[i], xs[i + 1]], [ys[i][a], ys[i + 1][b]], color="0.55" if alive else "0.93",
                        lw=0.6 if alive else 0.4, zorder=1)
    for i, n in enumerate(sizes):
        ax.scatter(np.full(n, xs[i]), ys[i], s=110, c=np.where(kept[i], "white", "0.85"),
                   edgecolors=np.where(kept[i], "k", "0.6"), zorder=2)
        dropped = ~kept[i]
        ax.scatter(np.full(dropped.sum(), xs[i]), ys[i][dropped], marker="x", s=60, color="C3", zorder=3)
    ax.set_xticks(xs, ["input"] + [f"hidden {i}" for i in range(1, len(sizes) - 1)] + ["output"], fontsize=8)
    ax.set_yticks([])
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    hidden = np.concatenate(kept[1:-1])
    return {"ax": ax, "kept": kept, "dropped_fraction": float(1 - hidden.mean())}


def show_dropout(dropout_ratio: float = 0.2, epochs: int = 40, seed: int = 0, axes=None) -> dict:
    """Left: one training step of a small network with dropout (crossed-out units are dropped: they pass
    nothing on, and get no gradient). Right: accuracy curves of ``overfit_run(dropout_ratio=...)`` (solid)
    and of the run without dropout (thin).

    Returns ``{'axes': (ax_net, ax_acc), 'dropped_fraction' (in the picture), 'train_acc', 'test_acc', 'gap'}``.
    """
    run = overfit_run(0.0, dropout_ratio, epochs, seed)
    plain = overfit_run(0.0, 0.0, epochs, seed)
    axes = new_axes_grid(axes, 1, 2, figsize=(11, 3.4), width_ratios=[1, 1.3])
    ax_net, ax_acc = axes
    dropped = draw_dropout_diagram(dropout_ratio, seed, ax=ax_net)["dropped_fraction"]
    ax_net.set_title(f"one training step, dropout ratio {dropout_ratio:g}: {dropped:.0%} of the hidden units dropped",
                     fontsize=9)
    epochs_ = np.arange(1, len(run["train_acc"]) + 1)
    ax_acc.plot(epochs_, plain["train_acc"], color="C0", lw=0.8, alpha=0.5, label="train, no dropout")
    ax_acc.plot(epochs_, plain["test_acc"], color="C1", lw=0.8, alpha=0.5, label="test, no dropout")
    ax_acc.plot(epochs_, run["train_acc"], color="C0", lw=2, label="train")
    ax_acc.plot(epochs_, run["test_acc"], color="C1", lw=2, label="test")
    ax_acc.set_ylim(0, 1.02)
    ax_acc.set_xlabel("epoch")
    ax_acc.set_ylabel("accuracy")
    ax_acc.legend(loc="lower right", fontsize=8)
    gap = run["train_acc"][-1] - run["test_acc"][-1]
    ax_acc.set_title(f"train {run['train_acc'][-1]:.2f}, test {run['test_acc'][-1]:.2f}, gap {gap:.2f}")
    return {"axes": axes, "dropped_fraction": dropped, "train_acc": run["train_acc"][-1],
            "test_acc": run["test_acc"][-1], "gap": gap}


def show_examples(x, t, class_names, per_class: int = 8, ax=None) -> dict:
    """A mosaic of images, one row per class: the first ``per_class`` images of each class in ``(x, t)``.

    x: ``(N, 784)`` (or ``(N, 1, 28, 28)``); t: indices ``(N,)``; class_names: the C names (row labels).
    Returns ``{'ax', 'indices': (C, per_class) the images shown, row by row, 'mosaic': (C*28, per_class*28)}``.
    """
    x = np.asarray(x).reshape(len(x), 28, 28)
    t = np.asarray(t)
    C = len(class_names)
    indices = np.array([np.flatnonzero(t == c)[:per_class] for c in range(C)])
    # one image: row c holds the images of class c side by side
    mosaic = x[indices].transpose(0, 2, 1, 3).reshape(C * 28, per_class * 28)
    ax = new_axes(ax, figsize=(per_class * 0.75 + 1.5, C * 0.75))
    ax.imshow(mosaic, cmap="gray_r")
    ax.set_yticks(np.arange(C) * 28 + 13.5, class_names, fontsize=9)
    ax.set_xticks([])
    for row in range(1, C):
        ax.axhline(row * 28 - 0.5, color="0.8", lw=0.5)
    return {"ax": ax, "indices": indices, "mosaic": mosaic}


def confusion_matrix(t, y, num_classes: int = 10) -> np.ndarray:
    """Counts ``M[i, j]`` = number of samples of true class ``i`` predicted as ``j``.

    t: true labels ``(N,)``; y: predicted labels ``(N,)`` -> int ``(num_classes, num_classes)``; each row sums to
    the number of samples of that class, the diagonal holds the correct predictions.
    """
    t, y = np.asarray(t), np.asarray(y)
    if t.shape != y.shape or t.ndim != 1:
        raise ValueError(f"confusion_matrix: t and y must be label indices of the same shape (N,); "
                         f"got {t.shape} and {y.shape}")
    M = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(M, (t, y), 1)
    return M


def show_confusion_matrix(t, y, class_names, ax=None) -> dict:
    """Draw the confusion matrix of labels ``t`` and predictions ``y`` (rows: true class, columns: predicted).

    Returns ``{'ax', 'matrix' (C, C), 'per_class_accuracy' (C,), 'worst_pair' (true, predicted, count)}``: the
    most frequent mistake.
    """
    C = len(class_names)
    M = confusion_matrix(t, y, C)
    ax = new_axes(ax, figsize=(6.2, 5.2))
    ax.imshow(M, cmap="Blues")
    for i in range(C):
        for j in range(C):
            if M[i, j]:
                ax.text(j, i, M[i, j], ha="center", va="center", fontsize=7,
                        color="white" if M[i, j] > M.max() / 2 else "black")
    ax.set_xticks(range(C), class_names, rotation=45, ha="right", fontsize=8)
    ax.set_yticks(range(C), class_names, fontsize=8)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true class")
    off = M - np.diag(np.diag(M))
    i, j = np.unravel_index(np.argmax(off), off.shape)
    per_class = np.diag(M) / np.maximum(M.sum(axis=1), 1)
    return {"ax": ax, "matrix": M, "per_class_accuracy": per_class, "worst_pair": (int(i), int(j), int(off[i, j]))}


def weight_decay_widget(epochs: int = 40):
    """A slider for λ -> ``show_weight_decay`` (each new λ trains the set-up once, a second or two)."""
    import ipywidgets as widgets

    slider = widgets.SelectionSlider(options=WEIGHT_DECAY_VALUES, value=0.03, description="λ",
                                     continuous_update=False)
    return interact(show_weight_decay, {"weight_decay_lambda": slider},
                    caption=lambda r: f"gap between train and test accuracy: {r['gap']:.2f}; "
                                      f"lowest test loss {r['min_test_loss']:.2f}", epochs=epochs)


def dropout_widget(epochs: int = 40):
    """A slider for the dropout ratio -> ``show_dropout``."""
    import ipywidgets as widgets

    slider = widgets.SelectionSlider(options=DROPOUT_VALUES, value=0.2, description="dropout",
                                     continuous_update=False)
    return interact(show_dropout, {"dropout_ratio": slider},
                    caption=lambda r: f"gap between train and test accuracy: {r['gap']:.2f}", epochs=epochs)
