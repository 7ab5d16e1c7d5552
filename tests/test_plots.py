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
    fig = plots.show_digits(images, labels=[1, 2, 3], predictions=[1, 5, 3], ncols=3)
    axes = fig.get_axes()
    assert len(axes) == 3
    assert axes[0].get_title() == "1" and axes[1].get_title() == "5 (2)"
    assert axes[1].title.get_color() == "red" and axes[0].title.get_color() == "k"
    assert axes[2].images[0].get_array().shape == (28, 28)


def test_training_curves_plot_history():
    history = {"loss": list(np.linspace(2, 0.1, 200)), "train_acc": [0.8, 0.9, 0.95], "test_acc": [0.79, 0.88, 0.93]}
    ax_loss, ax_acc = plots.plot_training_curves(history)
    assert len(ax_loss.get_lines()[0].get_ydata()) == 200
    acc_lines = ax_acc.get_lines()
    assert [list(line.get_ydata()) for line in acc_lines] == [[0.8, 0.9, 0.95], [0.79, 0.88, 0.93]]
    # redrawing into the same axes replaces the curves (live plots)
    plots.plot_training_curves(history, axes=(ax_loss, ax_acc))
    assert len(ax_acc.get_lines()) == 2
    plt.close("all")
