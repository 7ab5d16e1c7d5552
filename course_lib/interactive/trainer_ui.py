"""Widgets and plots of notebook 07 (training on MNIST).

Plain functions that draw and return what they show (the tests call these):

- ``train_and_plot(hidden_size, lr, batch_size, optimizer, epochs, ...)`` -- train a ``TwoLayerNet`` on a
  subset of MNIST with ``course_lib.training.Trainer`` and draw the loss and the accuracy curves.
  Returns the ``Trainer.history`` plus the final accuracies, the settings and the axes.
- ``compare_runs(runs, ...)`` -- several trainings on the same data, their loss curves on one plot.

Builder: ``trainer_widget(...)``: hidden size, learning rate, batch size and optimizer, a "Train" button,
and curves that are redrawn after every epoch while the network trains.
"""
from __future__ import annotations

import numpy as np

from ..networks import TwoLayerNet
from ..plots import plot_training_curves
from ..training import Trainer
from . import drawing

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


def _curves_figure():
    """A new figure with the loss (left) and accuracy (right) axes side by side: ``(fig, (ax_loss, ax_acc))``."""
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.5))
    fig.subplots_adjust(wspace=0.3)  # room for the accuracy axis label between the two plots
    return fig, axes


def train_and_plot(hidden_size: int = 50, lr: float = 0.1, batch_size: int = 100, optimizer: str = "SGD",
                   epochs: int = 5, data=None, weight_init_std="he", activation: str = "relu", seed: int = 0,
                   axes=None, callbacks=(), progress: bool = False) -> dict:
    """Train a 784-``hidden_size``-10 ``TwoLayerNet`` (float32) and draw its curves.

    data: ``((x_train, t_train), (x_test, t_test))``; default ``mnist_subset()`` (10,000 / 2,000 images).
    optimizer: ``'SGD'``, ``'Momentum'``, ``'AdaGrad'`` or ``'Adam'``, with learning rate ``lr``.
    seed: seeds both the initial weights and the shuffling, so equal settings give equal curves.
    axes: two Axes (loss, accuracy) to draw into; default a new figure.
    callbacks: extra ``f(trainer)`` hooks called after every epoch (e.g. to redraw a widget's output).

    Returns ``Trainer.history`` (``'loss'`` per iteration, ``'epoch_loss'``, ``'train_acc'``, ``'test_acc'``,
    ``'time'`` per epoch) plus ``'final_train_acc'``, ``'final_test_acc'``, ``'iterations'``,
    ``'settings'`` (a dict of the arguments) and ``'axes'``.
    """
    if optimizer not in OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {OPTIMIZERS}, got {optimizer!r}")
    hidden_size, batch_size, epochs = int(hidden_size), int(batch_size), int(epochs)
    if hidden_size < 1 or epochs < 1:
        raise ValueError(f"hidden_size and epochs must be >= 1, got {hidden_size} and {epochs}")
    (x_train, t_train), (x_test, t_test) = mnist_subset() if data is None else data
    network = TwoLayerNet(x_train.shape[1], hidden_size, 10, weight_init_std=weight_init_std,
                          activation=activation, seed=seed, dtype=np.float32)
    if axes is None:
        _, axes = _curves_figure()
    settings = {"hidden_size": hidden_size, "lr": float(lr), "batch_size": batch_size, "optimizer": optimizer,
                "epochs": epochs}

    def draw(trainer):
        plot_training_curves(trainer.history, axes=axes)
        axes[0].set_title(f"784-{hidden_size}-10, {optimizer}, lr {lr:.3g}, batch {batch_size}", fontsize=10)
        test = trainer.history["test_acc"][-1]
        axes[1].set_title(f"epoch {trainer.current_epoch}/{epochs}: test accuracy {test:.3f}", fontsize=10)
        # every point visible: the lowest accuracy so far (train or test), and never a scale above 0.8
        lowest = min(0.8, *trainer.history["train_acc"], *(a for a in trainer.history["test_acc"] if a is not None))
        axes[1].set_ylim(lowest - 0.02, 1.0)

    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=epochs, mini_batch_size=batch_size,
                      optimizer=optimizer, optimizer_param={"lr": float(lr)}, seed=seed, progress=progress,
                      callbacks=[draw, *callbacks])
    history = dict(trainer.train())
    history.update(final_train_acc=history["train_acc"][-1], final_test_acc=history["test_acc"][-1],
                   iterations=trainer.current_iter, settings=settings, axes=axes, network=network)
    return history


def compare_runs(runs: dict, data=None, epochs: int = 3, ax=None, seed: int = 0) -> dict:
    """Train one network per entry of ``runs`` on the same data and draw their loss curves on one plot.

    runs: ``{label: kwargs for train_and_plot}``, e.g. ``{'SGD': {'optimizer': 'SGD', 'lr': 0.1}}``.
    Returns ``{label: history}`` (see ``train_and_plot``) and ``'axes'``: the plot.
    The losses are smoothed over 20 iterations so that the curves can be told apart.
    """
    import matplotlib.pyplot as plt

    data = mnist_subset() if data is None else data
    if ax is None:
        _, ax = plt.subplots(figsize=(6, 3.8))
    results = {}
    for i, (label, kwargs) in enumerate(runs.items()):
        kw = {"epochs": epochs, "seed": seed, **kwargs}
        fig, scratch = plt.subplots(1, 2)  # train_and_plot draws here; we keep only the numbers
        h = train_and_plot(data=data, axes=scratch, **kw)
        plt.close(fig)
        h.pop("axes")
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
    results["axes"] = ax
    return results


def trainer_widget(data=None, hidden_size: int = 50, lr: float = 0.1, batch_size: int = 100,
                   optimizer: str = "SGD", epochs: int = 5, seed: int = 0):
    """Sliders (hidden size, learning rate), dropdowns (batch size, optimizer) and a "Train" button.

    Nothing trains while you move the controls; "Train" runs ``train_and_plot`` with the current settings
    and redraws the curves after every epoch. One training with the initial settings is drawn at once.
    Returns the ipywidgets ``VBox``; its ``.last`` attribute holds the latest ``train_and_plot`` result.
    """
    import ipywidgets as widgets
    import matplotlib.pyplot as plt
    from IPython.display import clear_output, display

    data = mnist_subset() if data is None else data
    hidden = widgets.IntSlider(value=hidden_size, min=10, max=300, step=10, description="hidden",
                               continuous_update=False)
    lr_slider = widgets.FloatLogSlider(value=lr, base=10, min=-4, max=0.5, step=0.1, description="lr",
                                       readout_format=".4f", continuous_update=False)
    batch = widgets.Dropdown(options=list(BATCH_SIZES), value=batch_size, description="batch")
    opt = widgets.Dropdown(options=list(OPTIMIZERS), value=optimizer, description="optimizer")
    n_epochs = widgets.IntSlider(value=epochs, min=1, max=20, description="epochs", continuous_update=False)
    button = widgets.Button(description="Train", button_style="primary", icon="play")
    status = widgets.Label()
    out = widgets.Output()
    wrap = widgets.Layout(flex_flow="row wrap")  # on a narrow screen the controls and the status move to a new line
    box = widgets.VBox([widgets.HBox([hidden, lr_slider, n_epochs], layout=wrap),
                        widgets.HBox([batch, opt, button, status], layout=wrap), out])

    def train(*_):
        # The whole run holds the drawing lock: plotting into `axes` after every epoch uses matplotlib.
        with drawing():
            button.disabled = True
            status.value = "training ..."
            fig, axes = _curves_figure()
            plt.close(fig)  # shown through display() below, not by the inline backend

            def show(trainer):
                with drawing(out):
                    clear_output(wait=True)
                    display(fig)

            try:
                box.last = train_and_plot(hidden.value, lr_slider.value, batch.value, opt.value, n_epochs.value,
                                          data=data, seed=seed, axes=axes, callbacks=[show])
                h = box.last
                status.value = (f"{h['iterations']} iterations in {h['time'][-1]:.1f} s: "
                                f"test accuracy {h['final_test_acc']:.3f}")
            finally:
                button.disabled = False

    button.on_click(train)
    box.last = None
    train()
    return box
