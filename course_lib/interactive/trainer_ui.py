"""Widgets and plots of notebook 07 (training on MNIST).

Plain functions that draw and return what they show (the tests call these):

- ``train_and_plot(hidden_size, lr, batch_size, optimizer, epochs, ...)`` -- train a ``TwoLayerNet`` on a
  subset of MNIST with ``course_lib.training.Trainer`` and draw the loss and the accuracy curves
  (``course_lib.plots.TrainingCurves``). Returns the ``Trainer.history`` plus the final accuracies, the
  settings and the axes.
- ``compare_runs(runs, ...)`` -- several trainings on the same data, their loss curves on one plot.

Builder: ``trainer_widget(...)``: hidden size, learning rate, batch size, optimizer and epochs, a "Train"
button, and curves that are redrawn after every epoch while the network trains.
"""
from __future__ import annotations

import numpy as np

from ..networks import TwoLayerNet
from ..plots import TrainingCurves, new_axes, new_axes_grid
from ..training import Trainer
from . import interact

__all__ = ["OPTIMIZERS", "BATCH_SIZES", "mnist_subset", "train_and_plot", "compare_runs", "trainer_widget"]

#: The optimizers of the widget's dropdown (names understood by ``course_lib.optimizers.make_optimizer``).
OPTIMIZERS = ("SGD", "Momentum", "AdaGrad", "Adam")
#: The batch sizes of the widget's dropdown.
BATCH_SIZES = (10, 32, 100, 300, 1000)


def mnist_subset(n_train: int = 10000, n_test: int = 2000):
    """The first ``n_train`` training and ``n_test`` test images of MNIST (float32, flattened, labels as indices).

    Returns ``(x_train (n_train, 784), t_train (n_train,)), (x_test (n_test, 784), t_test (n_test,))``.
    """
    from ..data import load_mnist

    (x_train, t_train), (x_test, t_test) = load_mnist()
    return (x_train[:n_train], t_train[:n_train]), (x_test[:n_test], t_test[:n_test])


def train_and_plot(hidden_size: int = 50, lr: float = 0.1, batch_size: int = 100, optimizer: str = "SGD",
                   epochs: int = 5, data=None, weight_init_std="he", activation: str = "relu", seed: int = 0,
                   axes=None, callbacks=(), progress: bool = False, live: bool = False) -> dict:
    """Train a 784-``hidden_size``-10 ``TwoLayerNet`` (float32) and draw its curves.

    data: ``((x_train, t_train), (x_test, t_test))``; default ``mnist_subset()`` (10,000 / 2,000 images).
    optimizer: ``'SGD'``, ``'Momentum'``, ``'AdaGrad'`` or ``'Adam'``, with learning rate ``lr``.
    seed: seeds both the initial weights and the shuffling, so equal settings give equal curves.
    axes: two Axes (loss, accuracy) to draw into; default a new figure.
    callbacks: extra ``f(trainer)`` hooks called after every epoch.
    live: redraw the curves after every epoch, clearing the current output first (the widget's ``Output``);
        otherwise they are drawn once, at the end.

    Returns ``Trainer.history`` (``'loss'`` per iteration, ``'epoch_loss'``, ``'train_acc'``, ``'test_acc'``,
    ``'time'`` per epoch) plus ``'axes'``, ``'final_train_acc'``, ``'final_test_acc'``, ``'iterations'``,
    ``'settings'`` (a dict of the arguments) and ``'network'``.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    hidden_size, batch_size, epochs = int(hidden_size), int(batch_size), int(epochs)
    if hidden_size < 1 or epochs < 1:
        raise ValueError(f"hidden_size and epochs must be >= 1, got {hidden_size} and {epochs}")
    (x_train, t_train), (x_test, t_test) = mnist_subset() if data is None else data
    network = TwoLayerNet(x_train.shape[1], hidden_size, 10, weight_init_std=weight_init_std,
                          activation=activation, seed=seed, dtype=np.float32)
    settings = {"hidden_size": hidden_size, "lr": float(lr), "batch_size": batch_size, "optimizer": optimizer,
                "epochs": epochs}
    curves = TrainingCurves(new_axes_grid(axes, 1, 2, figsize=(10, 3.5)), clear=True,
                            title=f"784-{hidden_size}-10, {optimizer}, lr {lr:.3g}, batch {batch_size}")
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=epochs, mini_batch_size=batch_size,
                      optimizer=optimizer, optimizer_param={"lr": float(lr)}, seed=seed, progress=progress,
                      callbacks=[*([curves] if live else []), *callbacks])
    history = dict(trainer.train())
    curves.draw(trainer)
    history.update(axes=curves.axes, final_train_acc=history["train_acc"][-1],
                   final_test_acc=history["test_acc"][-1], iterations=trainer.current_iter, settings=settings,
                   network=network)
    return history


def compare_runs(runs: dict, data=None, epochs: int = 3, ax=None, seed: int = 0) -> dict:
    """Train one network per entry of ``runs`` on the same data and draw their loss curves on one plot.

    runs: ``{label: kwargs for train_and_plot}``, e.g. ``{'SGD': {'optimizer': 'SGD', 'lr': 0.1}}``.
    Returns ``{'ax': the plot, 'runs': {label: history}}`` (see ``train_and_plot``; without its axes).
    The losses are smoothed over 20 iterations so that the curves can be told apart.
    """
    import matplotlib.pyplot as plt

    data = mnist_subset() if data is None else data
    ax = new_axes(ax, figsize=(6, 3.8))
    results = {}
    for i, (label, kwargs) in enumerate(runs.items()):
        h = train_and_plot(data=data, **{"epochs": epochs, "seed": seed, **kwargs})
        plt.close(h.pop("axes")[0].figure)  # we keep only the numbers of each run
        loss = np.asarray(h["loss"])
        k = min(20, len(loss))
        smooth = np.convolve(loss, np.ones(k) / k, mode="valid")
        ax.plot(np.arange(k - 1, len(loss)), smooth, color=f"C{i}",
                label=f"{label}: test {h['final_test_acc']:.3f}")
        results[label] = h
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss (mean of 20 iterations)")
    ax.set_ylim(0, None)
    ax.legend(fontsize=8)
    return {"ax": ax, "runs": results}


def trainer_widget(data=None, hidden_size: int = 50, lr: float = 0.1, batch_size: int = 100,
                   optimizer: str = "SGD", epochs: int = 5, seed: int = 0):
    """Sliders (hidden size, learning rate, epochs), dropdowns (batch size, optimizer) and a "Train" button.

    Nothing trains while you move the controls; "Train" runs ``train_and_plot`` with the current settings
    and redraws the curves after every epoch. One training with the initial settings is drawn at once.
    Returns the ipywidgets ``VBox``; its ``.result`` holds the latest ``train_and_plot`` result.
    """
    import ipywidgets as widgets

    data = mnist_subset() if data is None else data
    controls = {
        "hidden_size": widgets.IntSlider(value=hidden_size, min=10, max=300, step=10, description="hidden",
                                         continuous_update=False),
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-4, max=0.5, step=0.1, description="lr",
                                     readout_format=".4f", continuous_update=False),
        "epochs": widgets.IntSlider(value=epochs, min=1, max=20, description="epochs", continuous_update=False),
        "batch_size": widgets.Dropdown(options=list(BATCH_SIZES), value=batch_size, description="batch"),
        "optimizer": widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer, description="optimizer"),
    }

    def caption(h):
        return f"{h['iterations']} iterations in {h['time'][-1]:.1f} s: test accuracy {h['final_test_acc']:.3f}"

    return interact(train_and_plot, controls, caption=caption, manual="Train", data=data, seed=seed, live=True)
