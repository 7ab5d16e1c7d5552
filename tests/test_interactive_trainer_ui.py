"""Widget callbacks of notebook 07 train for real, draw what they trained and are reproducible."""
import ipywidgets as widgets
import numpy as np
import pytest

from course_lib.interactive import trainer_ui as TU


@pytest.fixture(scope="module")
def small(mnist):
    """1,000 training and 500 test images: a few hundred milliseconds per training."""
    (x_train, t_train), (x_test, t_test) = mnist
    return (x_train[:1000], t_train[:1000]), (x_test[:500], t_test[:500])


def test_train_and_plot_learns_and_draws_its_history(small):
    h = TU.train_and_plot(hidden_size=30, lr=0.1, batch_size=50, optimizer="SGD", epochs=3, data=small)
    assert h["iterations"] == 3 * 20 and len(h["loss"]) == 60
    assert len(h["train_acc"]) == len(h["test_acc"]) == 3
    assert h["final_test_acc"] == h["test_acc"][-1] > 0.6  # far above chance (0.1) after 60 steps
    assert np.mean(h["loss"][-10:]) < np.mean(h["loss"][:10])
    net = h["network"]
    assert net.params["W1"].shape == (784, 30) and net.params["W1"].dtype == np.float32
    assert h["final_test_acc"] == net.accuracy(*small[1])  # the curve shows the trained network
    ax_loss, ax_acc = h["axes"]
    assert np.allclose(ax_loss.lines[0].get_ydata(), h["loss"])
    assert np.allclose(ax_acc.lines[1].get_ydata(), h["test_acc"])
    assert "SGD" in ax_loss.get_title() and "784-30-10" in ax_loss.get_title()


def test_equal_settings_give_equal_curves_and_settings_matter(small):
    a = TU.train_and_plot(20, 0.05, 100, "Adam", 2, data=small)
    b = TU.train_and_plot(20, 0.05, 100, "Adam", 2, data=small)
    c = TU.train_and_plot(20, 0.05, 100, "SGD", 2, data=small)
    assert a["loss"] == b["loss"] and a["test_acc"] == b["test_acc"]
    assert a["loss"][1:] != c["loss"][1:]  # first loss is before any update: equal; then they differ
    assert a["settings"] == {"hidden_size": 20, "lr": 0.05, "batch_size": 100, "optimizer": "Adam", "epochs": 2}


def test_every_accuracy_point_is_inside_the_plot(small):
    # batch 300 and SGD: the first epoch's test accuracy is well below later ones (and below the train accuracy)
    h = TU.train_and_plot(80, 0.1, 300, "SGD", 3, data=small)
    low, high = h["axes"][1].get_ylim()
    points = [*h["train_acc"], *h["test_acc"]]
    assert min(points) < 0.8  # the case that was clipped: a point below the default scale
    assert all(low <= a <= high for a in points), (low, high, points)


def test_a_tiny_learning_rate_does_not_learn(small):
    h = TU.train_and_plot(20, 1e-6, 100, "SGD", 1, data=small)
    assert h["final_test_acc"] < 0.4


def test_bad_arguments_are_rejected(small):
    with pytest.raises(ValueError, match="optimizer"):
        TU.train_and_plot(optimizer="adamw", data=small)
    with pytest.raises(ValueError, match="hidden_size"):
        TU.train_and_plot(hidden_size=0, data=small)


def test_compare_runs_draws_one_curve_per_run(small):
    import matplotlib.pyplot as plt

    r = TU.compare_runs({"SGD": {"optimizer": "SGD", "lr": 0.1}, "Adam": {"optimizer": "Adam", "lr": 0.001}},
                        data=small, epochs=1)
    ax = r["ax"]
    assert len(ax.lines) == 2
    assert [line.get_label().split(":")[0] for line in ax.lines] == ["SGD", "Adam"]
    assert r["runs"]["Adam"]["settings"]["optimizer"] == "Adam"
    assert f"{r['runs']['SGD']['final_test_acc']:.3f}" in ax.lines[0].get_label()
    assert plt.get_fignums() == [ax.figure.number]  # the runs' own figures are closed


def test_widget_trains_at_once_and_again_on_click(small, capsys):
    import matplotlib.pyplot as plt

    ui = TU.trainer_widget(data=small, epochs=1)
    first = ui.result
    assert first is not None and first["settings"]["hidden_size"] == 50
    hidden, lr, epochs, batch, opt, button, out = ui.children
    assert isinstance(button, widgets.Button) and button.description == "Train"
    assert isinstance(out, widgets.Output) and list(opt.options) == list(TU.OPTIMIZERS)
    hidden.value = 20
    opt.value = "Adam"
    lr.value = 0.001
    assert ui.result is first  # moving a control does not train
    capsys.readouterr()
    button.click()
    assert ui.result is not first
    assert ui.result["settings"]["hidden_size"] == 20 and ui.result["settings"]["optimizer"] == "Adam"
    assert ui.result["network"].params["W1"].shape == (784, 20)
    assert not button.disabled and plt.get_fignums() == []
    # the caption under the curves (outside a notebook the Output prints to stdout)
    assert f"test accuracy {ui.result['final_test_acc']:.3f}" in capsys.readouterr().out


def test_the_live_curves_are_redrawn_after_every_epoch(small):
    seen = []

    def spy(trainer):  # runs after the live curves' callback of the same epoch
        ax_loss, ax_acc = h_axes
        seen.append((trainer.current_epoch, len(ax_acc.lines[0].get_xdata()), ax_acc.get_title()))

    from course_lib.plots import new_axes_grid

    h_axes = new_axes_grid()
    h = TU.train_and_plot(20, 0.1, 100, "SGD", 3, data=small, axes=h_axes, callbacks=[spy], live=True)
    assert [(e, n) for e, n, _ in seen] == [(1, 1), (2, 2), (3, 3)]
    assert seen[0][2].startswith("epoch 1/3: test accuracy")
    assert np.allclose(h_axes[1].lines[1].get_ydata(), h["test_acc"])
