"""Every drawing function of the widgets follows one convention, and ``interact`` wires them all the same way.

The convention (``course_lib.interactive``): ``show_*`` / ``plot_*`` / ``draw_*`` take ``ax=None`` (one Axes) or
``axes=None`` (several), draw into a new figure when it is None, and return a dict with ``"ax"`` or ``"axes"``
plus the numbers they show. Each is called here the same way, with its ``ax``/``axes`` left at None, and then
with Axes it is given. Every module of ``course_lib.interactive`` is searched for drawing functions, so a new
function -- or a new module -- cannot be left out of ``CALLS``.
"""
import importlib
import inspect
import pkgutil

import matplotlib.pyplot as plt
import numpy as np
import pytest

widgets = pytest.importorskip("ipywidgets")

from course_lib import interactive, plots  # noqa: E402
from course_lib.data import nine_point_dataset  # noqa: E402
from course_lib.interactive import (activations, backprop, convolution, descent, figure_of, forward,  # noqa: E402
                                    gates, initialization, interact, losses, numpy_axes, regularization, speed,
                                    start, trainer_ui)

_rng = np.random.default_rng(0)
_NET = {"W1": _rng.normal(0, 0.1, (784, 5)), "b1": np.zeros(5), "W2": _rng.normal(0, 1.0, (5, 10)), "b2": np.zeros(10)}
_X, _T = _rng.random((20, 784)), _rng.integers(0, 10, 20)
_FILTERS = _rng.standard_normal((5, 1, 3, 3))
_RUN = {"train_acc": [0.5, 0.8, 0.9], "test_acc": [0.4, 0.6, 0.65], "train_loss": [2.0, 1.0, 0.5],
        "test_loss": [2.1, 1.5, 1.4]}


def _tiny_data():
    x = _rng.random((60, 784)).astype(np.float32)
    t = _rng.integers(0, 10, 60)
    return (x[:40], t[:40]), (x[40:], t[40:])


def _sweep():
    x, t = nine_point_dataset()
    return losses.sweep_weight(x, t, np.array([[0.0, 2.0], [0.0, 2.0]]), np.array([0.0, -2.5]), (0, 1),
                               np.linspace(-1, 1, 5))


#: name -> (function, a call with everything but ax / axes)
CALLS = {
    "activations.show_activation": (activations.show_activation, lambda f: f("relu", 2.0, -1.0)),
    "activations.plot_all_activations": (activations.plot_all_activations, lambda f: f()),
    "gates.show_gate": (gates.show_gate, lambda f: f(0.5, 0.5, -0.7)),
    "gates.plot_xor": (gates.plot_xor, lambda f: f()),
    "forward.show_digit_prediction": (forward.show_digit_prediction, lambda f: f(3, _X, _T, _NET)),
    "forward.show_softmax_temperature": (forward.show_softmax_temperature, lambda f: f(0.5)),
    "forward.draw_network": (forward.draw_network, lambda f: f({"W1": np.ones((2, 3)), "b1": np.zeros(3)})),
    "losses.show_losses": (losses.show_losses, lambda f: f(0.3)),
    "losses.plot_loss_and_accuracy": (losses.plot_loss_and_accuracy, lambda f: f(_sweep())),
    "descent.show_descent": (descent.show_descent, lambda f: f(0.1, 5)),
    "descent.show_diff_errors": (descent.show_diff_errors, lambda f: f(np.sin, np.cos, 1.0, hs=[1e-4, 1e-2])),
    "backprop.draw_shopping_graph": (backprop.draw_shopping_graph, lambda f: f(6)),
    "backprop.show_bug_check": (backprop.show_bug_check, lambda f: f("Affine2: dW forgets x")),
    "start.sigmoid_steepness": (start.sigmoid_steepness, lambda f: f(2.0)),
    "trainer_ui.train_and_plot": (trainer_ui.train_and_plot, lambda f: f(5, 0.1, 20, "SGD", 1, data=_tiny_data())),
    "trainer_ui.compare_runs": (trainer_ui.compare_runs,
                                lambda f: f({"a": {"lr": 0.1}, "b": {"lr": 0.01}}, data=_tiny_data(), epochs=1)),
    "plots.show_digits": (plots.show_digits, lambda f: f(_X[:5], labels=_T[:5], predictions=[0, 1, 2, 3, 4], ncols=3)),
    "numpy_axes.show_reduction": (numpy_axes.show_reduction, lambda f: f("max", 1, True)),
    "initialization.show_init_spread": (initialization.show_init_spread, lambda f: f("tanh", "He", layers=3)),
    "speed.show_step_parts": (speed.show_step_parts,
                              lambda f: f(10, 1, "float32", x=_X.astype(np.float32), t=_T, steps=3)),
    "regularization.plot_curves": (regularization.plot_curves, lambda f: f(_RUN, "loss")),
    "regularization.show_weight_decay": (regularization.show_weight_decay, lambda f: f(0.1, epochs=1)),
    "regularization.draw_dropout_diagram": (regularization.draw_dropout_diagram, lambda f: f(0.5, 1)),
    "regularization.show_dropout": (regularization.show_dropout, lambda f: f(0.5, epochs=1)),
    "regularization.show_examples": (regularization.show_examples,
                                     lambda f: f(_X, np.arange(20) % 3, ["a", "b", "c"], per_class=2)),
    "regularization.show_confusion_matrix": (regularization.show_confusion_matrix,
                                             lambda f: f(_T, (_T + 1) % 10, [str(c) for c in range(10)])),
    "convolution.show_convolution_step": (convolution.show_convolution_step,
                                          lambda f: f(np.arange(16).reshape(4, 4), np.eye(3), 0, 1)),
    "convolution.show_output_size": (convolution.show_output_size, lambda f: f(7, 3, 2, 1)),
    "convolution.show_feature_map": (convolution.show_feature_map, lambda f: f("blur", _X[0])),
    "convolution.show_im2col": (convolution.show_im2col, lambda f: f(np.arange(12).reshape(3, 4))),
    "convolution.show_pooling": (convolution.show_pooling, lambda f: f(np.arange(16).reshape(4, 4))),
    "convolution.show_filters": (convolution.show_filters, lambda f: f(_FILTERS, nx=3, title="five filters")),
    "convolution.show_feature_maps": (convolution.show_feature_maps,
                                      lambda f: f(_FILTERS, np.zeros(5), _X[0].reshape(28, 28), nx=3)),
}

#: the calls that train on MNIST's first images (notebook 08's overfitting runs)
NEEDS_MNIST = {"regularization.show_weight_decay", "regularization.show_dropout"}


@pytest.fixture
def call(request):
    """``call(name)``: make ``CALLS[name]``'s call, with MNIST loaded first when it needs it (else skipped)."""
    def run(name, **ax_or_axes):
        if name in NEEDS_MNIST:
            request.getfixturevalue("mnist")
        function, make_call = CALLS[name]
        return make_call(lambda *args, **kwargs: function(*args, **kwargs, **ax_or_axes))
    return run


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_drawing_function_returns_its_axes_and_leaves_no_other_figure(name, call):
    function = CALLS[name][0]
    plt.close("all")
    result = call(name)
    assert isinstance(result, dict), f"{name} returns {type(result).__name__}, not a dict"
    key = "ax" if "ax" in result else "axes"
    assert key in result, f"{name}'s result has neither 'ax' nor 'axes': {sorted(result)}"
    assert key in inspect.signature(function).parameters, f"{name} returns {key!r} but takes no {key}= argument"
    figure = figure_of(result)
    assert isinstance(figure, plt.Figure)
    axes = [result["ax"]] if key == "ax" else list(result["axes"])
    assert len(axes) >= 2 or key == "ax", f"{name}: one Axes is returned as 'ax'"
    assert all(ax.figure is figure for ax in axes)
    assert plt.get_fignums() == [figure.number], f"{name} left other figures open"


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_drawing_function_draws_into_the_axes_it_is_given(name, call):
    function = CALLS[name][0]
    takes = "ax" if "ax" in inspect.signature(function).parameters else "axes"
    if takes == "ax":
        given = plots.new_axes()
    else:  # as many Axes as it draws into on its own
        n = len(call(name)["axes"])
        plt.close("all")
        given = plots.new_axes_grid(nrows=1, ncols=n)
    result = call(name, **{takes: given})
    assert figure_of(result) is (given if takes == "ax" else given[0]).figure
    if takes == "axes":
        assert all(ax.figure is given[0].figure for ax in result["axes"])
    assert len(plt.get_fignums()) == 1


def _modules():
    """Every module of ``course_lib.interactive`` (imported)."""
    return [importlib.import_module(f"{interactive.__name__}.{m.name}")
            for m in pkgutil.iter_modules(interactive.__path__)]


def test_the_registry_covers_every_drawing_function_of_every_widget_module():
    modules = _modules()
    assert {"numpy_axes", "initialization", "speed", "regularization", "convolution"} \
        <= {module.__name__.rsplit(".", 1)[1] for module in modules}
    found = {f"{module.__name__.rsplit('.', 1)[1]}.{name}"
             for module in modules
             for name, obj in vars(module).items()
             if inspect.isfunction(obj) and obj.__module__ == module.__name__
             and name.startswith(("show_", "plot_", "draw_"))}
    assert found <= set(CALLS), f"add these to CALLS: {sorted(found - set(CALLS))}"


def test_no_widget_module_makes_a_figure_but_through_plots():
    """Figures are made one way: ``plots.new_axes`` / ``new_axes_grid`` (never ``plt.subplots`` / ``plt.figure``)."""
    import re

    for module in _modules():
        source = inspect.getsource(module)
        made = re.findall(r"\b(?:plt\.(?:subplots|figure|subplot_mosaic)|\.add_subplot|\.subplots)\(", source)
        assert not made, f"{module.__name__} makes a figure with {made}: use course_lib.plots.new_axes(_grid)"


# ------------------------------------------------------------------ interact
def _show_line(slope, offset=0.0, ax=None):
    ax = plots.new_axes(ax)
    ax.plot([0, 1], [offset, offset + slope])
    return {"ax": ax, "slope": slope, "end": offset + slope}


def test_interact_draws_at_once_and_on_every_change_with_the_fixed_arguments(capsys):
    slider = widgets.FloatSlider(value=1.0, min=-2, max=2, description="slope")
    box = interact(_show_line, {"slope": slider}, caption=lambda r: f"ends at {r['end']:g}", offset=0.5)
    assert list(box.children[:-1]) == [slider] and isinstance(box.children[-1], widgets.Output)
    assert box.result["end"] == 1.5
    slider.value = -1.0
    assert box.result["slope"] == -1.0 and box.result["end"] == -0.5
    printed = capsys.readouterr().out  # outside a notebook, the Output passes its text to stdout
    assert "ends at 1.5" in printed and "ends at -0.5" in printed
    assert plt.get_fignums() == []  # each figure was shown, then closed


def test_interact_manual_runs_on_click_only_and_disables_the_button_meanwhile():
    calls = []
    buttons = []  # filled once interact has returned
    slider = widgets.IntSlider(value=1, min=0, max=5)

    def slow(slope, ax=None):
        calls.append((slope, buttons[0].disabled if buttons else None))
        return _show_line(slope, ax=ax)

    box = interact(slow, {"slope": slider}, manual="Run")
    button = box.children[1]
    buttons.append(button)
    assert isinstance(button, widgets.Button) and button.description == "Run"
    assert box.result["slope"] == 1  # one run at the start
    slider.value = 3
    assert len(calls) == 1  # a change alone does not run it
    button.click()
    assert calls[1] == (3, True) and box.result["slope"] == 3  # disabled while it ran
    assert not button.disabled


def test_interact_shows_the_error_of_a_failing_show_and_keeps_working():
    slider = widgets.FloatSlider(value=1.0, min=-2, max=2)

    def picky(slope, ax=None):
        if slope < 0:
            raise ValueError("slope must be >= 0")
        return _show_line(slope, ax=ax)

    box = interact(picky, {"slope": slider})
    with pytest.raises(ValueError, match="slope must be"):  # in a notebook the Output shows the traceback
        slider.value = -1.0
    slider.value = 2.0
    assert box.result["slope"] == 2.0
