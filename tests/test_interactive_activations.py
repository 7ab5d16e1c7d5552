"""Notebook 02's widget callbacks (course_lib.interactive.activations), without a browser."""
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402

from course_lib import functions as F  # noqa: E402
from course_lib.interactive import activations as A  # noqa: E402

REFERENCE = {"step": F.step_function, "sigmoid": F.sigmoid, "relu": F.relu, "tanh": F.tanh,
             "identity": F.identity_function}


@pytest.fixture
def ax():
    fig, ax = plt.subplots()
    yield ax
    plt.close(fig)


@pytest.mark.parametrize("name", sorted(REFERENCE))
@pytest.mark.parametrize("w, b", [(1.0, 0.0), (2.5, -1.0), (-0.5, 3.0)])
def test_curve_matches_course_lib(name, w, b, ax):
    shown = A.show_activation(name, w, b, ax=ax)
    x = shown["x"]
    np.testing.assert_allclose(shown["y"], REFERENCE[name](w * x + b))
    assert shown["y"].shape == shown["dy_dx"].shape == x.shape
    drawn = [ln for ln in ax.get_lines() if len(ln.get_ydata()) == len(x)]
    assert any(np.allclose(ln.get_ydata(), shown["y"]) for ln in drawn)
    assert any(np.allclose(ln.get_ydata(), shown["dy_dx"]) for ln in drawn)


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "identity", "step"])
@pytest.mark.parametrize("w, b", [(1.0, 0.0), (2.0, 0.7), (-1.5, -0.3)])
def test_derivative_matches_central_differences(name, w, b, ax):
    shown = A.show_activation(name, w, b, ax=ax, num=241)
    x = shown["x"]
    h = 1e-5
    f = REFERENCE[name]
    numeric = (np.asarray(f(w * (x + h) + b), float) - np.asarray(f(w * (x - h) + b), float)) / (2 * h)
    away = np.abs(w * x + b) > 1e-3  # ReLU and step have a kink / jump where w*x + b = 0
    np.testing.assert_allclose(shown["dy_dx"][away], numeric[away], atol=1e-6)


def test_crossing_and_max_slope(ax):
    shown = A.show_activation("sigmoid", 2.0, -1.0, ax=ax)
    assert shown["crossing"] == pytest.approx(0.5)
    assert shown["max_slope"] == pytest.approx(2.0 * 0.25, rel=1e-3)  # w * sigmoid'(0)
    assert A.show_activation("relu", 0.0, 1.0, ax=ax)["crossing"] is None
    # the weight scales the slope: a steeper sigmoid
    assert A.show_activation("sigmoid", 4.0, 0.0, ax=ax)["max_slope"] > shown["max_slope"]


def test_unknown_activation_is_a_clear_error(ax):
    with pytest.raises(ValueError, match="softplus"):
        A.show_activation("softplus", ax=ax)


def test_linear_stack_is_a_straight_line_and_relu_stack_is_not():
    x = np.linspace(-3, 3, 61)
    y_lin = A.stacked_layers(x, n_layers=4, activation="identity", seed=1)
    slope, icept = np.polyfit(x, y_lin, 1)
    np.testing.assert_allclose(y_lin, slope * x + icept, atol=1e-10)
    y_relu = A.stacked_layers(x, n_layers=4, activation="relu", seed=1)
    slope, icept = np.polyfit(x, y_relu, 1)
    assert np.max(np.abs(y_relu - (slope * x + icept))) > 1e-2
    np.testing.assert_array_equal(A.stacked_layers(x, seed=3), A.stacked_layers(x, seed=3))  # seeded


def test_plot_all_activations_draws_five_panels():
    axes = A.plot_all_activations()["axes"]
    assert [a.get_title() for a in axes] == list(A.ACTIVATIONS)
    plt.close("all")


def test_activation_widget_builds_and_reacts():
    pytest.importorskip("ipywidgets")
    ui = A.activation_widget("sigmoid", 1.0, 0.0)
    w_slider, b_slider, choice = ui.children[:3]
    assert (w_slider.description, b_slider.description, choice.description) == ("w", "b", "h")
    assert set(choice.options) == set(REFERENCE)
    choice.value = "relu"
    w_slider.value = 2.0
    assert (ui.result["name"], ui.result["w"]) == ("relu", 2.0)  # redrawn with the new values
    assert plt.get_fignums() == []  # the widget closes the figures it showed


def test_crossing_is_never_negative_zero(ax):
    assert str(A.show_activation("sigmoid", 1.75, 0.0, ax=ax)["crossing"]) == "0.0"
