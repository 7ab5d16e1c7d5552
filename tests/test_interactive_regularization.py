"""Notebook 08's widget callbacks and plots (course_lib.interactive.regularization), without a browser.

The overfitting runs are real (MNIST, the seven-layer network) but short: 2-3 epochs.
"""
import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.interactive import figure_of
from course_lib.interactive import regularization as R


def test_the_overfitting_setup_records_every_epoch(mnist):
    run = R.train_overfit_setup(epochs=3, seed=1)
    assert set(run) == {"train_acc", "test_acc", "train_loss", "test_loss", "network"}
    assert all(len(run[k]) == 3 for k in ("train_acc", "test_acc", "train_loss", "test_loss"))
    assert run["train_loss"][-1] < run["train_loss"][0]  # it learns
    (x_train, t_train), (x_test, t_test) = mnist
    net = run["network"]
    assert np.isclose(run["train_loss"][-1], R.data_loss(net, x_train[:300], t_train[:300]), rtol=1e-5)
    assert np.isclose(run["test_acc"][-1], net.accuracy(x_test[:1000], t_test[:1000]))
    assert net.params["W1"].dtype == np.float32 and list(net.params)[-1] == "b7"  # seven layers


def test_overfit_run_computes_each_setting_once_and_hands_out_copies(mnist):
    a = R.overfit_run(0.01, 0.0, epochs=2, seed=3)
    b = R.overfit_run(0.01, 0.0, epochs=2, seed=3)
    assert a["network"] is b["network"] and a["test_acc"] == b["test_acc"]
    a["test_acc"].append(99.0)  # a caller's change does not reach the cache
    assert R.overfit_run(0.01, 0.0, epochs=2, seed=3)["test_acc"] == b["test_acc"]
    c = R.overfit_run(0.01, 0.1, epochs=2, seed=3)
    assert c["network"] is not a["network"] and "Dropout1" in c["network"].layers


def test_show_weight_decay_draws_the_run_and_the_weights(mnist):
    r = R.show_weight_decay(0.3, epochs=3, seed=2)
    run, plain = R.overfit_run(0.3, 0.0, 3, 2), R.overfit_run(0.0, 0.0, 3, 2)
    ax_acc, ax_loss, ax_hist = r["axes"]
    assert figure_of(r) is ax_acc.figure
    train, test = ax_acc.get_lines()[:2]
    assert np.allclose(train.get_ydata(), run["train_acc"]) and np.allclose(test.get_ydata(), run["test_acc"])
    assert np.allclose(ax_loss.get_lines()[1].get_ydata(), run["test_loss"])
    weights = np.concatenate([p.ravel() for k, p in run["network"].params.items() if k.startswith("W")])
    assert np.isclose(r["weight_norm"], np.sum(weights.astype(np.float64) ** 2))
    assert r["weight_norm"] < r["weight_norm_without"]  # a strong decay shrinks the weights even in 3 epochs
    assert np.isclose(r["gap"], run["train_acc"][-1] - run["test_acc"][-1])
    assert r["min_test_loss"] == min(run["test_loss"]) and len(ax_hist.patches) > 0
    assert r["weight_norm_without"] == pytest.approx(sum(float(np.sum(p.astype(np.float64) ** 2))
                                                         for k, p in plain["network"].params.items() if k.startswith("W")))


@pytest.mark.parametrize("ratio", [0.0, 0.5])
def test_show_dropout_crosses_out_the_dropped_units(mnist, ratio):
    r = R.show_dropout(ratio, epochs=2, seed=4)
    ax_net, ax_acc = r["axes"]
    dropped_points = sum(len(c.get_offsets()) for c in ax_net.collections[1::2])  # per layer: units, then crosses
    assert np.isclose(r["dropped_fraction"], dropped_points / 27)  # 3 hidden layers of 9 units in the picture
    assert (r["dropped_fraction"] == 0) == (ratio == 0)
    run = R.overfit_run(0.0, ratio, 2, 4)
    assert np.allclose(ax_acc.get_lines()[2].get_ydata(), run["train_acc"])
    assert r["test_acc"] == run["test_acc"][-1]


def test_the_dropout_picture_drops_about_the_ratio():
    ax = plt.figure().gca()
    fractions = []
    for seed in range(30):
        ax.clear()
        shown = R.draw_dropout_diagram(0.3, seed, ax=ax)
        assert shown["ax"] is ax
        kept = shown["kept"]
        assert [len(k) for k in kept] == [6, 9, 9, 9, 4] and kept[0].all() and kept[-1].all()  # only hidden units
        assert shown["dropped_fraction"] == 1 - np.concatenate(kept[1:-1]).mean()
        fractions.append(shown["dropped_fraction"])
    assert abs(np.mean(fractions) - 0.3) < 0.05


def test_plot_curves_draws_and_returns_the_runs_curves():
    run = {"train_acc": [0.5, 0.9], "test_acc": [0.4, 0.7], "train_loss": [2.0, 0.3], "test_loss": [2.2, 1.1]}
    shown = R.plot_curves(run, "loss")
    assert shown["train"] == run["train_loss"] and shown["test"] == run["test_loss"]
    train, test = shown["ax"].get_lines()
    assert list(train.get_ydata()) == run["train_loss"] and list(test.get_ydata()) == run["test_loss"]
    assert shown["ax"].get_ylabel() == "loss (cross-entropy)"
    with pytest.raises(ValueError, match="what must be 'acc' or 'loss'"):
        R.plot_curves(run, "accuracy")


def test_confusion_matrix_counts_true_rows_and_predicted_columns():
    t = np.array([0, 0, 1, 2, 2, 2])
    y = np.array([0, 1, 1, 2, 0, 2])
    M = R.confusion_matrix(t, y, 3)
    assert M.tolist() == [[1, 1, 0], [0, 1, 0], [1, 0, 2]]
    assert M.sum() == 6 and np.array_equal(M.sum(axis=1), np.bincount(t))
    with pytest.raises(ValueError, match="same shape"):
        R.confusion_matrix(t, y[:5], 3)
    r = R.show_confusion_matrix(t, y, ["a", "b", "c"])
    assert np.array_equal(r["matrix"], M) and np.allclose(r["per_class_accuracy"], [0.5, 1.0, 2 / 3])
    assert r["worst_pair"] in ((0, 1, 1), (2, 0, 1))
    assert [tick.get_text() for tick in r["ax"].get_xticklabels()] == ["a", "b", "c"]


def test_show_examples_puts_each_class_in_its_row():
    rng = np.random.default_rng(0)
    x = rng.random((60, 784))
    t = rng.integers(0, 3, 60)
    r = R.show_examples(x, t, ["x", "y", "z"], per_class=4)
    assert r["indices"].shape == (3, 4) and r["mosaic"].shape == (3 * 28, 4 * 28)
    for c in range(3):
        assert np.all(t[r["indices"][c]] == c)
        for j in range(4):
            tile = r["mosaic"][c * 28:(c + 1) * 28, j * 28:(j + 1) * 28]
            assert np.array_equal(tile, x[r["indices"][c, j]].reshape(28, 28))
    assert np.array_equal(r["ax"].images[0].get_array(), r["mosaic"])
    assert [label.get_text() for label in r["ax"].get_yticklabels()] == ["x", "y", "z"]


def test_the_widgets_redraw_when_the_slider_moves(mnist):
    widgets = pytest.importorskip("ipywidgets")
    for builder, key in ((R.weight_decay_widget, "gap"), (R.dropout_widget, "gap")):
        box = builder(epochs=2)
        slider = next(c for c in box.children if isinstance(c, widgets.SelectionSlider))
        first = box.result
        slider.value = slider.options[-1]
        assert box.result is not first and key in box.result
    plt.close("all")
