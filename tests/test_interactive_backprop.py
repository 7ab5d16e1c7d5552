"""Widget callbacks of notebook 06: the shopping graph and the 'break one backward' gradient check."""
import numpy as np
import pytest

import ipywidgets as widgets

from course_lib.gradient import GRADIENT_CHECK_TOL, numerical_gradient
from course_lib.interactive import backprop as B


def test_shopping_graph_forward_and_backward_match_the_book():
    g = B.shopping_graph()
    assert np.isclose(g["values"]["price"], 715.0)
    assert np.isclose(g["values"]["all_price"], 650.0)
    expected = {"apple": 2.2, "apple_num": 110.0, "orange": 3.3, "orange_num": 165.0, "tax": 650.0,
                "apple_price": 1.1, "orange_price": 1.1, "all_price": 1.1, "price": 1.0}
    for name, value in expected.items():
        assert np.isclose(g["grads"][name], value), (name, g["grads"][name])


def test_shopping_graph_gradients_are_the_numerical_derivatives_for_other_prices():
    inputs = {"apple": 120.0, "apple_num": 4.0, "orange": 90.0, "orange_num": 5.0, "tax": 1.08}
    g = B.shopping_graph(**inputs)
    keys = list(inputs)

    def price(v):
        return B.shopping_graph(**dict(zip(keys, v)))["values"]["price"]

    numeric = numerical_gradient(price, np.array([inputs[k] for k in keys]))
    assert np.allclose([g["grads"][k] for k in keys], numeric, rtol=1e-6)


def test_draw_shopping_graph_reveals_values_then_gradients():
    start = B.draw_shopping_graph(0)
    assert set(start["values"]) == {"apple", "apple_num", "orange", "orange_num", "tax"} and start["grads"] == {}
    forward_done = B.draw_shopping_graph(4)
    assert np.isclose(forward_done["values"]["price"], 715) and forward_done["grads"] == {}
    done = B.draw_shopping_graph(len(B.GRAPH_STEPS) - 1)
    assert len(done["grads"]) == 9 and np.isclose(done["grads"]["apple_num"], 110)
    texts = [t.get_text() for t in done["ax"].texts]
    for shown in ("715", "650", "110", "2.2", "3.3", "165"):
        assert shown in texts, shown
    with pytest.raises(ValueError, match="step must lie in 0..9"):
        B.draw_shopping_graph(10)


def test_the_correct_network_passes_the_gradient_check():
    errors = B.check_bug("none (correct backward)")
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert max(e["relative"] for e in errors.values()) < GRADIENT_CHECK_TOL
    assert max(e["max_abs"] for e in errors.values()) < 1e-6


@pytest.mark.parametrize("bug, broken", [
    ("Relu: forgets the mask", {"W1", "b1"}),
    ("Sigmoid: dout * out (forgets 1 - out)", {"W1", "b1"}),
    ("Affine1: db = mean over the batch", {"b1"}),
    ("Affine2: db = dout[0] (first sample only)", {"b2"}),
    ("Affine2: dW forgets x", {"W2"}),
    ("SoftmaxWithLoss: forgets / N", {"W1", "b1", "W2", "b2"}),
])
def test_a_broken_backward_makes_the_relative_error_large_exactly_where_it_should(bug, broken):
    errors = B.check_bug(bug)
    assert {k for k, e in errors.items() if e["relative"] > 1e-2} == broken
    assert all(e["relative"] < GRADIENT_CHECK_TOL for k, e in errors.items() if k not in broken)


def test_show_bug_check_draws_one_bar_per_parameter():
    r = B.show_bug_check("SoftmaxWithLoss: forgets / N")
    assert not r["passed"] and r["failing"] == ["W1", "b1", "W2", "b2"]
    heights = [p.get_height() for p in r["ax"].patches]
    assert np.allclose(heights, [e["relative"] for e in r["errors"].values()])
    # N = 4: backprop is 4x too large, so the relative error is (4 - 1) / (4 + 1)
    assert np.allclose(heights, 0.6, atol=1e-4)
    threshold = [ln for ln in r["ax"].get_lines() if np.allclose(ln.get_ydata(), GRADIENT_CHECK_TOL)]
    assert threshold, "the threshold line is drawn at GRADIENT_CHECK_TOL"
    ok = B.show_bug_check("none (correct backward)")
    assert ok["passed"] and "agree" in ok["ax"].get_title()
    with pytest.raises(KeyError, match="unknown bug"):
        B.broken_network("no such bug")


def test_widgets_redraw_on_change(monkeypatch):
    calls = []
    real = B.show_bug_check
    monkeypatch.setattr(B, "show_bug_check", lambda bug: calls.append(bug) or real(bug))
    ui = B.bug_check_widget()
    dropdown = ui.children[0]
    dropdown.value = "Relu: forgets the mask"
    assert calls == ["none (correct backward)", "Relu: forgets the mask"]
    assert ui.result["failing"] == ["W1", "b1"]

    steps = []
    real_draw = B.draw_shopping_graph
    monkeypatch.setattr(B, "draw_shopping_graph", lambda step, **kw: steps.append(step) or real_draw(step, **kw))
    ui = B.shopping_graph_widget()
    play, graph = ui.children
    slider = graph.children[0]
    assert isinstance(play, widgets.Play) and slider.description == "step"
    slider.value = 7
    assert steps == [0, 7]
    assert graph.result["step"] == 7
