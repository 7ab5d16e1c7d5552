"""Widget callbacks of notebook 03 draw and return what the network really computes."""
import ipywidgets as widgets
import numpy as np
import pytest

from course_lib import functions as F
from course_lib.interactive import forward as FW
from course_lib.networks import predict_with_weights


@pytest.fixture
def small_net(rng):
    """A random 784-5-10 sigmoid network and 20 random 'images' with labels."""
    net = {"W1": rng.normal(0, 0.1, (784, 5)), "b1": rng.normal(0, 0.1, 5),
           "W2": rng.normal(0, 1.0, (5, 10)), "b2": rng.normal(0, 1.0, 10)}
    x = rng.random((20, 784))
    t = rng.integers(0, 10, 20)
    return net, x, t


def test_show_digit_prediction_returns_and_draws_the_network_output(small_net):
    net, x, t = small_net
    r = FW.show_digit_prediction(3, x, t, net)
    expected = F.softmax(F.sigmoid(x[3] @ net["W1"] + net["b1"]) @ net["W2"] + net["b2"])
    assert np.allclose(r["probabilities"], expected)
    assert np.isclose(r["probabilities"].sum(), 1.0)
    assert r["label"] == t[3] and r["prediction"] == int(np.argmax(expected))
    assert r["correct"] == (r["label"] == r["prediction"])
    ax_img, ax_bar = r["axes"]
    assert np.allclose(ax_img.images[0].get_array(), x[3].reshape(28, 28))
    heights = [p.get_height() for p in ax_bar.patches]
    assert np.allclose(heights, expected)
    pred_color = ax_bar.patches[r["prediction"]].get_facecolor()
    want = "tab:green" if r["correct"] else "tab:red"
    import matplotlib.colors as mcolors
    assert np.allclose(pred_color, mcolors.to_rgba(want))
    assert f"label {t[3]}" in ax_img.get_title()


def test_show_digit_prediction_rejects_a_bad_index(small_net):
    net, x, t = small_net
    with pytest.raises(IndexError, match="outside 0..19"):
        FW.show_digit_prediction(20, x, t, net)


def test_show_digit_prediction_defaults_to_mnist_and_the_sample_weights(mnist):
    from course_lib.data import load_sample_weights

    _, (x_test, t_test) = mnist
    r = FW.show_digit_prediction(0)
    assert r["label"] == t_test[0] == 7
    assert np.allclose(r["probabilities"], predict_with_weights(load_sample_weights(), x_test[0]), atol=1e-6)
    assert r["prediction"] == 7  # the shipped network gets the first test image right


def test_digit_browser_button_jumps_to_the_next_mistake(small_net):
    net, x, t = small_net
    wrong = np.flatnonzero(np.argmax(predict_with_weights(net, x), axis=1) != t)
    assert len(wrong) >= 2  # random weights: most are wrong
    ui = FW.digit_browser(x, t, net)
    (button, info), browser = ui.children[0].children, ui.children[1]
    slider = browser.children[0]
    assert isinstance(slider, widgets.IntSlider) and slider.max == len(x) - 1
    assert isinstance(button, widgets.Button) and f"{len(wrong)} of {len(x)}" in info.value
    button.click()
    assert slider.value == wrong[wrong > 0][0]
    slider.value = int(wrong[-1])
    button.click()  # past the last mistake: wrap around to the first
    assert slider.value == wrong[0]
    assert browser.result["index"] == wrong[0] and not browser.result["correct"]  # and it was redrawn


def test_softmax_with_temperature():
    a = FW.BOOK_SCORES
    assert np.allclose(FW.softmax_with_temperature(a, 1.0), F.softmax(a))
    hot = FW.softmax_with_temperature(a, 100.0)
    cold = FW.softmax_with_temperature(a, 0.01)
    assert np.allclose(hot, 1 / 3, atol=0.01)  # high temperature: nearly uniform
    assert np.allclose(cold, [0, 0, 1], atol=1e-6)  # low temperature: nearly one-hot
    for T in (0.1, 0.5, 2.0, 10.0):
        y = FW.softmax_with_temperature(a, T)
        assert np.argmax(y) == np.argmax(a) and np.isclose(y.sum(), 1)
    with pytest.raises(ValueError):
        FW.softmax_with_temperature(a, 0.0)


def test_show_softmax_temperature_draws_its_probabilities():
    r = FW.show_softmax_temperature(0.5)
    assert np.allclose(r["probabilities"], F.softmax(FW.BOOK_SCORES / 0.5))
    assert np.allclose([p.get_height() for p in r["ax"].patches], r["probabilities"])
    assert r["argmax"] == 2


def test_softmax_temperature_widget_redraws_on_change(monkeypatch):
    calls = []
    real = FW.show_softmax_temperature
    monkeypatch.setattr(FW, "show_softmax_temperature",
                        lambda temperature, a: calls.append(temperature) or real(temperature, a))
    ui = FW.softmax_temperature_widget()
    slider, out = ui.children
    assert isinstance(slider, widgets.FloatLogSlider) and isinstance(out, widgets.Output)
    assert calls == [1.0]  # drawn once when built
    slider.value = 2.0
    assert calls == [1.0, 2.0]  # and again, with the new temperature, when the slider moves


def test_digit_browser_slider_redraws_the_chosen_image(small_net, monkeypatch):
    net, x, t = small_net
    shown = []
    real = FW.show_digit_prediction
    monkeypatch.setattr(FW, "show_digit_prediction", lambda index, **kw: shown.append(index) or real(index, **kw))
    ui = FW.digit_browser(x, t, net, start=4)
    slider = ui.children[1].children[0]
    slider.value = 11
    assert shown == [4, 11]


def test_draw_network_draws_one_line_per_weight():
    net = {"W1": np.array([[0.1, 0.3, 0.5], [0.2, 0.4, 0.6]]), "b1": np.array([0.1, 0.2, 0.3]),
           "W2": np.array([[0.1, 0.4], [0.2, 0.5], [0.3, 0.6]]), "b2": np.array([0.1, 0.2]),
           "W3": np.array([[0.1, -0.3], [0.2, 0.4]]), "b3": np.array([0.1, 0.2])}
    r = FW.draw_network(net)
    assert r["layer_sizes"] == [2, 3, 2, 2]
    assert r["n_edges"] == 2 * 3 + 3 * 2 + 2 * 2
    lines = r["ax"].get_lines()
    assert len(lines) == r["n_edges"]
    widths = [line.get_linewidth() for line in lines]
    assert np.argmax(widths) == 5 and np.argmin(widths) == 0  # W1[1, 2] = 0.6 is the largest |w|, W1[0, 0] among the smallest
    import matplotlib.colors as mcolors
    assert np.allclose(mcolors.to_rgba(lines[-3].get_color()), mcolors.to_rgba("tab:red"))  # W3[0, 1] < 0
    texts = [t.get_text() for t in r["ax"].texts]
    assert "b=0.3" in texts and "x1" in texts and "y2" in texts
    with pytest.raises(ValueError, match="W2 has shape"):
        FW.draw_network({"W1": np.ones((2, 3)), "W2": np.ones((4, 2))})
