"""Widget callbacks of notebook 05 draw and return what gradient descent really does."""
import numpy as np
import pytest

from course_lib.gradient import gradient_descent
from course_lib.interactive import descent as D


def test_function_2_is_the_bowl():
    assert D.function_2(np.array([-3.0, 4.0])) == 25.0
    with pytest.raises(ValueError, match=r"function_2: x has shape \(3,\)"):
        D.function_2(np.zeros(3))


def test_show_descent_path_matches_course_lib_gradient_descent():
    r = D.show_descent(0.1, 20)
    final, history = gradient_descent(D.function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=20, return_history=True)
    assert r["path"].shape == (21, 2)
    assert np.allclose(r["path"], history) and np.allclose(r["final"], final)
    assert np.allclose(r["path"][0], [-3.0, 4.0])
    # each step multiplies x by (1 - 2 lr) = 0.8 on this bowl
    assert np.allclose(r["final"], np.array([-3.0, 4.0]) * 0.8 ** 20, rtol=1e-6)
    assert not r["diverged"] and np.isclose(r["f_final"], D.function_2(r["final"]))
    # the drawn line is the path
    line = [ln for ln in r["ax"].get_lines() if len(ln.get_xdata()) == 21][0]
    assert np.allclose(line.get_xdata(), r["path"][:, 0]) and np.allclose(line.get_ydata(), r["path"][:, 1])


def test_show_descent_learning_rates_too_large_and_too_small():
    big = D.show_descent(10.0, 100)
    assert big["diverged"] and np.abs(big["final"]).max() > 1e10   # the book: about -2.6e13
    tiny = D.show_descent(1e-10, 100)
    assert not tiny["diverged"] and np.allclose(tiny["final"], [-3.0, 4.0], atol=1e-6)   # hardly moves
    good = D.show_descent(0.1, 100)
    assert np.allclose(good["final"], 0.0, atol=1e-8)
    assert "diverged" in big["ax"].get_title() and "ended" in good["ax"].get_title()


def test_show_descent_zero_steps_is_the_start():
    r = D.show_descent(0.5, 0)
    assert r["path"].shape == (1, 2) and np.allclose(r["final"], [-3.0, 4.0])
    with pytest.raises(ValueError):
        D.descent_path(0.1, -1)


def test_diff_errors_central_beats_forward_at_1e_4_and_tiny_h_gives_zero_derivative():
    r = D.diff_errors(np.sin, np.cos, 1.0, [1e-4, 1e-50])
    assert r["central"][0] < 1e-8 < r["forward"][0] < 1e-4   # O(h^2) vs O(h)
    # h = 1e-50: 1 + 1e-50 == 1 in float64, so both estimates are 0 and the error is |cos(1)|
    assert np.isclose(r["forward"][1], np.cos(1.0)) and np.isclose(r["central"][1], np.cos(1.0))


def test_show_diff_errors_best_h_is_rounding_vs_truncation_tradeoff():
    r = D.show_diff_errors(np.sin, np.cos, 1.0)
    assert 1e-10 < r["best_h_forward"] < 1e-6     # around sqrt(eps) ~ 1e-8
    assert 1e-7 < r["best_h_central"] < 1e-3      # around eps^(1/3) ~ 1e-5
    assert len(r["ax"].get_lines()) >= 2 and r["ax"].get_xscale() == "log"


def test_descent_widget_redraws_when_a_slider_moves(monkeypatch):
    import ipywidgets as widgets

    calls = []
    real = D.show_descent
    monkeypatch.setattr(D, "show_descent", lambda lr, step_num, init_x: calls.append((lr, step_num)) or
                        real(lr, step_num, init_x))
    ui = D.descent_widget(lr=0.1, step_num=20)
    lr_slider, steps_slider, out = ui.children
    assert isinstance(lr_slider, widgets.FloatLogSlider) and isinstance(out, widgets.Output)
    assert calls == [(0.1, 20)]                      # drawn once when built
    steps_slider.value = 5
    lr_slider.value = 0.5
    assert calls[1:] == [(0.1, 5), (0.5, 5)]         # and again with the new values on every change
