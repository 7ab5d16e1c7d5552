"""Widget callbacks and plots of notebook 04 compute the real losses (course_lib.functions)."""
import ipywidgets as widgets
import numpy as np
import pytest

from course_lib import functions as F
from course_lib.data import nine_point_dataset
from course_lib.interactive import losses as L


@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.99, 1.0])
def test_prediction_with_p_is_a_distribution(p):
    y = L.prediction_with_p(p, correct=3, num_classes=10)
    assert y.shape == (10,) and np.isclose(y.sum(), 1.0)
    assert y[3] == p and np.allclose(np.delete(y, 3), (1 - p) / 9)


def test_prediction_with_p_rejects_bad_input():
    with pytest.raises(ValueError):
        L.prediction_with_p(1.5)
    with pytest.raises(ValueError):
        L.prediction_with_p(0.5, correct=10, num_classes=10)


@pytest.mark.parametrize("p", [0.0, 0.05, 0.6, 1.0])
def test_show_losses_matches_the_formulas(p):
    r = L.show_losses(p, correct=2, num_classes=10)
    assert np.isclose(r["cross_entropy"], -np.log(p + 1e-7))  # only the right class counts
    mse = 0.5 * ((1 - p) ** 2 + 9 * ((1 - p) / 9) ** 2)
    assert np.isclose(r["mean_squared_error"], mse)
    t = F.to_one_hot(2, 10)
    assert np.isclose(r["cross_entropy"], F.cross_entropy_error(r["y"], t))
    assert np.isclose(r["mean_squared_error"], F.mean_squared_error(r["y"], t))
    assert np.isfinite(r["cross_entropy"])  # even at p = 0: the delta inside the log


def test_show_losses_draws_both_curves_and_marks_the_current_point():
    r = L.show_losses(0.3)
    ax_bar, ax_loss = r["axes"]
    assert np.allclose([b.get_height() for b in ax_bar.patches], r["y"])
    ce_line, mse_line, ce_dot, mse_dot = ax_loss.get_lines()
    ps = ce_line.get_xdata()
    assert np.allclose(ce_line.get_ydata(), -np.log(ps + 1e-7))
    assert np.all(np.diff(ce_line.get_ydata()) < 0)  # more probability on the right class: lower loss
    assert np.all(np.diff(mse_line.get_ydata()) <= 1e-12)
    assert np.isclose(ce_dot.get_ydata()[0], r["cross_entropy"]) and ce_dot.get_xdata()[0] == 0.3
    assert np.isclose(mse_dot.get_ydata()[0], r["mean_squared_error"])


def test_cross_entropy_punishes_confident_mistakes_much_more_than_mse():
    lo, hi = L.show_losses(0.01), L.show_losses(0.5)
    assert lo["cross_entropy"] / hi["cross_entropy"] > 6
    assert lo["mean_squared_error"] / hi["mean_squared_error"] < 4.5


def test_loss_widget_slider_redraws(monkeypatch):
    calls = []
    real = L.show_losses
    monkeypatch.setattr(L, "show_losses", lambda p_correct, correct, num_classes:
                        calls.append(p_correct) or real(p_correct, correct, num_classes))
    ui = L.loss_widget()
    slider, out = ui.children
    assert isinstance(slider, widgets.FloatSlider) and isinstance(out, widgets.Output)
    assert calls == [0.6]
    slider.value = 0.2
    assert calls == [0.6, 0.2]
    assert ui.result["p_correct"] == 0.2


def _toy():
    x, t = nine_point_dataset()
    W = np.array([[0.0, 2.0], [0.0, 2.0]])
    b = np.array([0.0, -2.5])
    return x, t, W, b


def test_sweep_weight_computes_loss_and_accuracy_without_touching_W():
    x, t, W, b = _toy()
    W0 = W.copy()
    values = np.linspace(-4, 8, 25)
    s = L.sweep_weight(x, t, W, b, (0, 1), values)
    assert np.array_equal(W, W0)
    for k in (0, 12, 24):
        Wk = W0.copy()
        Wk[0, 1] = values[k]
        y = F.softmax(x @ Wk + b)
        assert np.isclose(s["loss"][k], F.cross_entropy_error(y, t))
        assert np.isclose(s["accuracy"][k], np.mean(y.argmax(axis=1) == t))


def test_accuracy_is_flat_where_the_loss_has_a_slope():
    x, t, W, b = _toy()
    values = np.linspace(-4, 8, 1201)
    s = L.sweep_weight(x, t, W, b, (0, 1), values)
    d_acc = np.diff(s["accuracy"])
    d_loss = np.diff(s["loss"])
    assert np.mean(d_acc == 0) > 0.99  # accuracy only jumps at a handful of points
    assert np.mean(np.abs(d_loss) > 1e-6) > 0.99  # the loss moves almost everywhere
    assert 0.5 < values[np.argmax(s["accuracy"])] < 3 and s["accuracy"].max() == 1.0


def test_sweep_loss_slope_matches_the_analytic_gradient():
    """Numerical check: d loss / d W[0, 1] from the sweep equals x.T @ (y - t_one_hot) / N."""
    x, t, W, b = _toy()
    h = 1e-4
    for w in (-2.0, 0.5, 4.0):
        s = L.sweep_weight(x, t, W, b, (0, 1), [w - h, w + h])
        numeric = (s["loss"][1] - s["loss"][0]) / (2 * h)
        Ww = W.copy()
        Ww[0, 1] = w
        y = F.softmax(x @ Ww + b)
        analytic = (x.T @ (y - F.to_one_hot(t, 2)) / len(x))[0, 1]
        assert np.isclose(numeric, analytic, rtol=1e-5, atol=1e-6)


def test_plot_loss_and_accuracy_draws_the_sweep():
    x, t, W, b = _toy()
    s = L.sweep_weight(x, t, W, b, (0, 1), np.linspace(-1, 1, 11))
    ax_acc, ax_loss = L.plot_loss_and_accuracy(s, name="W[0, 1]")["axes"]
    assert np.allclose(ax_acc.get_lines()[0].get_ydata(), s["accuracy"])
    assert np.allclose(ax_loss.get_lines()[0].get_ydata(), s["loss"])
    assert ax_loss.get_xlabel() == "W[0, 1]"
