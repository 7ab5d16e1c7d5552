"""Plot helpers draw what they claim (checked on the Agg backend, no display needed)."""
import matplotlib.pyplot as plt
import numpy as np

from course_lib import functions as F
from course_lib import plots


def test_plot_activation_draws_the_function_and_its_derivative():
    ax = plots.plot_activation(F.sigmoid, derivative=F.sigmoid_grad, x_range=(-5, 5), num=101)
    lines = ax.get_lines()
    curve = next(line for line in lines if line.get_label() == "sigmoid")
    deriv = next(line for line in lines if line.get_label() == "sigmoid'")
    x = curve.get_xdata()
    assert x[0] == -5 and x[-1] == 5 and len(x) == 101
    assert np.allclose(curve.get_ydata(), F.sigmoid(x))
    assert np.allclose(deriv.get_ydata(), F.sigmoid_grad(x))


def test_decision_boundary_line_is_where_the_weighted_sum_is_zero():
    x = np.array([[0, 0], [1, 0], [0, 1], [1, 1]])
    ax = plots.plot_decision_boundary(0.5, 0.5, -0.7, x=x, t=np.array([0, 0, 0, 1]), title="AND")
    line = ax.get_lines()[0]
    xs, ys = line.get_xdata(), line.get_ydata()
    assert np.allclose(0.5 * xs + 0.5 * ys - 0.7, 0)
    assert ax.get_title() == "AND"
    assert len(ax.collections) >= 2  # the shaded regions and the points
    ax2 = plots.plot_decision_boundary(1.0, 0.0, -0.5)  # a vertical line when w2 = 0
    assert np.allclose(ax2.get_lines()[0].get_xdata(), 0.5)


def test_show_digits_marks_wrong_predictions_in_red():
    images = np.random.default_rng(0).random((3, 784))
    shown = plots.show_digits(images, labels=[1, 2, 3], predictions=[1, 5, 3], ncols=2)
    axes = shown["axes"]
    assert len(axes) == 3 and shown["wrong"] == [1]
    assert axes[0].get_title() == "1" and axes[1].get_title() == "5 (2)"
    assert axes[1].title.get_color() == "red" and axes[0].title.get_color() == "k"
    assert axes[2].images[0].get_array().shape == (28, 28)
    figure_axes = axes[0].figure.get_axes()
    assert len(figure_axes) == 4 and not figure_axes[3].axison  # 2 x 2 grid: the fourth cell stays empty


def test_new_axes_grid_passes_given_axes_through_or_makes_a_flat_grid():
    grid = plots.new_axes_grid(nrows=2, ncols=3, figsize=(6, 4), sharey=True)
    assert grid.shape == (6,) and len({ax.figure for ax in grid}) == 1
    given = grid[:2]
    assert plots.new_axes_grid(given) is given
    ax = plots.new_axes()
    assert plots.new_axes(ax) is ax


def test_training_curves_plot_history():
    history = {"loss": list(np.linspace(2, 0.1, 200)), "train_acc": [0.8, 0.9, 0.95], "test_acc": [0.79, 0.88, 0.93]}
    ax_loss, ax_acc = plots.plot_training_curves(history)
    assert len(ax_loss.get_lines()[0].get_ydata()) == 200
    acc_lines = ax_acc.get_lines()
    assert [list(line.get_ydata()) for line in acc_lines] == [[0.8, 0.9, 0.95], [0.79, 0.88, 0.93]]
    low, high = ax_acc.get_ylim()
    assert low <= 0.77 and high == 1.0  # every point visible
    # redrawing into the same axes replaces the curves (live plots)
    plots.plot_training_curves(history, axes=(ax_loss, ax_acc))
    assert len(ax_acc.get_lines()) == 2
    plt.close("all")


class _FakeTrainer:
    """What a Trainer callback reads: the history so far and where training is."""

    def __init__(self, epochs, iters_per_epoch=10):
        self.epochs, self.max_iter, self.iters_per_epoch = epochs, epochs * iters_per_epoch, iters_per_epoch
        self.current_epoch = self.current_iter = 0
        self.history = {"loss": [], "train_acc": [], "test_acc": []}

    def run(self, callback):
        for epoch in range(1, self.epochs + 1):
            self.history["loss"] += list(np.linspace(2.0, 1.0, self.iters_per_epoch) / epoch)
            self.history["train_acc"].append(0.5 + 0.1 * epoch)
            self.history["test_acc"].append(0.45 + 0.1 * epoch)
            self.current_epoch, self.current_iter = epoch, epoch * self.iters_per_epoch
            callback(self)


def test_training_curves_redraw_every_few_epochs_and_after_the_last(monkeypatch):
    shown = []
    curves = plots.TrainingCurves(every=2, title="784-50-10")
    monkeypatch.setattr(curves, "show", lambda: shown.append(len(curves.axes[1].lines[0].get_xdata())))
    assert plt.get_fignums() == []  # its own figure is shown by the callback, not again at the end of the cell
    _FakeTrainer(epochs=5).run(curves)
    assert shown == [2, 4, 5]  # epochs 2 and 4, and the last one
    ax_loss, ax_acc = curves.axes
    assert ax_loss.get_title() == "784-50-10"
    assert ax_acc.get_title() == "epoch 5/5: test accuracy 0.950"
    assert np.allclose(ax_acc.lines[1].get_ydata(), [0.55, 0.65, 0.75, 0.85, 0.95])


def test_training_curves_show_once_then_update_in_place_or_clear_in_a_widget(monkeypatch):
    import IPython.display as ipd

    events = []

    class Handle:
        def update(self, fig):
            events.append(("update", fig))

    monkeypatch.setattr(ipd, "display", lambda fig, display_id=False: events.append(("display", fig)) or Handle())
    monkeypatch.setattr(ipd, "clear_output", lambda wait=False: events.append(("clear", wait)))
    curves = plots.TrainingCurves()
    _FakeTrainer(epochs=3).run(curves)
    assert [e for e, _ in events] == ["display", "update", "update"]
    assert all(fig is curves.figure for _, fig in events)
    events.clear()
    widget_curves = plots.TrainingCurves(clear=True)
    _FakeTrainer(epochs=2).run(widget_curves)
    assert events == [("clear", True), ("display", widget_curves.figure)] * 2
