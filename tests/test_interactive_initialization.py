"""Notebook 07's initial-weights picture: the spread of a signal through layers for 0.01, Xavier and He."""
import numpy as np
import pytest

from course_lib.interactive import initialization as I


def test_rms_has_one_value_per_layer_and_is_reproducible():
    a = I.activation_rms("relu", "he", layers=5)
    b = I.activation_rms("relu", "he", layers=5)
    assert a.shape == (5,) and np.array_equal(a, b)
    assert not np.array_equal(a, I.activation_rms("relu", "he", layers=5, seed=1))


def test_the_first_layer_sees_the_weights_scale():
    # a = h @ W with h standard normal and W of standard deviation s: the RMS of a is about s * sqrt(width)
    for std, expected in ((0.01, 0.01 * np.sqrt(200)), ("xavier", 1.0), ("he", np.sqrt(2.0))):
        assert I.activation_rms("relu", std, layers=1)[0] == pytest.approx(expected, rel=0.05)


def test_per_layer_factor_is_the_geometric_mean_of_the_ratios():
    assert I.per_layer_factor([8.0, 4.0, 2.0, 1.0]) == pytest.approx(0.5)
    assert I.per_layer_factor([3.0]) == 1.0


def test_bad_arguments_are_rejected():
    with pytest.raises(ValueError, match="activation"):
        I.activation_rms("softplus", "he")
    with pytest.raises(ValueError, match="layers"):
        I.activation_rms("relu", "he", layers=0)
    with pytest.raises(ValueError, match="weight_init_std"):
        I.show_init_spread("relu", "glorot")


def test_show_init_spread_draws_the_three_inits_on_a_log_scale():
    shown = I.show_init_spread("tanh", "He", layers=6)
    ax = shown["ax"]
    assert ax.get_yscale() == "log" and len(ax.lines) == 3
    assert shown["chosen"] == "He" and set(shown["rms"]) == set(I.INITS) == set(shown["factor"])
    for line, (label, rms) in zip(ax.lines, shown["rms"].items()):
        assert np.allclose(line.get_ydata(), rms) and len(rms) == 6
        assert line.get_linewidth() == (2.5 if label == "He" else 1)
        assert f"×{shown['factor'][label]:.2f}" in line.get_label()


def test_the_widget_redraws_for_another_activation_and_init():
    pytest.importorskip("ipywidgets")
    box = I.init_spread_widget()
    assert box.result["chosen"] == "Xavier"
    activation, init, layers = box.children[:3]
    init.value = "He"
    assert box.result["chosen"] == "He"
    activation.value = "tanh"
    assert "tanh" in box.result["ax"].get_title()
    layers.value = 4
    assert len(box.result["rms"]["He"]) == 4
