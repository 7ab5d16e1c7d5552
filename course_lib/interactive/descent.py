"""Widgets and plots of notebook 05 (numerical gradient and gradient descent).

Plain functions that draw and return what they show (the tests call these):

- ``function_2(x)`` -- the book's bowl ``x0**2 + x1**2`` for ``x`` of shape ``(2,)``.
- ``show_descent(lr, step_num, init_x=(-3, 4))`` -- gradient descent on the bowl, its path drawn on a
  contour plot. The path is ``course_lib.gradient.gradient_descent``'s history.
- ``diff_errors(f, df, x, hs)`` / ``show_diff_errors(...)`` -- the error of the forward and the central
  difference against ``h``, on log-log axes (truncation error on the right, rounding error on the left).

Builder: ``descent_widget(...)``: sliders for the learning rate and the number of steps.
"""
from __future__ import annotations

import numpy as np

from ..gradient import gradient_descent
from ..plots import new_axes
from . import interact

__all__ = ["function_2", "descent_path", "show_descent", "descent_widget", "diff_errors", "show_diff_errors"]

#: The book's starting point for gradient descent on ``function_2``.
INIT_X = (-3.0, 4.0)


def function_2(x):
    """The book's ``f(x0, x1) = x0**2 + x1**2``. x: ``(2,)`` (or ``(2, ...)``, element-wise) -> a number."""
    x = np.asarray(x)
    if x.shape[:1] != (2,):
        raise ValueError(f"function_2: x has shape {x.shape}, expected (2,)")
    return x[0] ** 2 + x[1] ** 2


def descent_path(lr: float, step_num: int, init_x=INIT_X, f=function_2):
    """Every point gradient descent visits: an array ``(step_num + 1, 2)`` starting at ``init_x``."""
    step_num = int(step_num)
    if step_num < 0:
        raise ValueError(f"step_num must be >= 0, got {step_num}")
    _, path = gradient_descent(f, np.asarray(init_x, dtype=np.float64), lr=lr, step_num=step_num,
                               return_history=True)
    return path


def show_descent(lr: float, step_num: int, init_x=INIT_X, ax=None, lim: float = 5.0) -> dict:
    """Contour plot of ``function_2`` with the path of ``step_num`` steps of gradient descent at ``lr``.

    Returns ``{'ax', 'lr', 'step_num', 'path' (step_num + 1, 2), 'final' (2,), 'f_final', 'diverged'}``.
    ``diverged`` is True when the last point lies farther from the minimum than the start.
    Points outside the plotted square ``[-lim, lim]^2`` are not visible; the title says where the path ended.
    """
    path = descent_path(lr, step_num, init_x)
    final = path[-1]
    with np.errstate(over="ignore", invalid="ignore"):
        f_final = float(function_2(final))
        diverged = bool(not np.all(np.isfinite(final)) or np.linalg.norm(final) > np.linalg.norm(path[0]))

    ax = new_axes(ax, figsize=(5, 4.6))
    g = np.linspace(-lim, lim, 61)
    X0, X1 = np.meshgrid(g, g)
    ax.contour(X0, X1, X0 ** 2 + X1 ** 2, levels=[0.5, 2, 4.5, 8, 12.5, 18, 24.5, 32, 40.5], colors="0.7",
               linewidths=0.8)
    ax.plot(0, 0, "+", color="k", ms=10)
    ax.plot(path[:, 0], path[:, 1], "o-", color="tab:blue", ms=3, lw=1)
    ax.plot(path[0, 0], path[0, 1], "o", color="tab:green", ms=8, label="start")
    if np.all(np.abs(final) <= lim):
        ax.plot(final[0], final[1], "*", color="tab:red", ms=14, label="end")
    ax.set_xlim(-lim, lim)
    ax.set_ylim(-lim, lim)
    ax.set_aspect("equal")
    ax.set_xlabel("$x_0$")
    ax.set_ylabel("$x_1$")
    where = "diverged to" if diverged else "ended at"
    ax.set_title(f"lr = {lr:.3g}, {step_num} steps: {where}\n({final[0]:.3g}, {final[1]:.3g}), f = {f_final:.3g}",
                 fontsize=10)
    ax.legend(loc="lower right", fontsize=8)
    return {"ax": ax, "lr": float(lr), "step_num": int(step_num), "path": path, "final": final,
            "f_final": f_final, "diverged": diverged}


def descent_widget(lr: float = 0.1, step_num: int = 20, init_x=INIT_X):
    """Sliders for the learning rate (log scale, 0.001 to ~1.26) and the number of steps that redraw
    ``show_descent``. Returns the ipywidgets ``VBox``."""
    import ipywidgets as widgets

    controls = {
        "lr": widgets.FloatLogSlider(value=lr, base=10, min=-3, max=0.1, step=0.05, description="lr",
                                     readout_format=".3f", continuous_update=False),
        "step_num": widgets.IntSlider(value=step_num, min=0, max=100, description="steps", continuous_update=False),
    }
    return interact(show_descent, controls, init_x=init_x)


def diff_errors(f, df, x: float, hs) -> dict:
    """Errors of the forward and the central difference of ``f`` at ``x`` for every step ``h`` in ``hs``.

    f: a function of one float; df: its exact derivative. Returns
    ``{'h' (K,), 'forward' (K,), 'central' (K,)}`` with absolute errors ``|estimate - df(x)|``.
    """
    hs = np.asarray(hs, dtype=np.float64)
    exact = df(x)
    forward = np.array([abs((f(x + h) - f(x)) / h - exact) for h in hs])
    central = np.array([abs((f(x + h) - f(x - h)) / (2 * h) - exact) for h in hs])
    return {"h": hs, "forward": forward, "central": central}


def show_diff_errors(f, df, x: float, hs=None, ax=None) -> dict:
    """Plot ``diff_errors`` on log-log axes. Errors of exactly 0 are drawn at 1e-15 (the bottom of the plot).

    Returns the dict of ``diff_errors`` plus ``'best_h_forward'``, ``'best_h_central'`` and ``'ax'``.
    """
    if hs is None:
        hs = np.logspace(-16, 0, 65)
    r = diff_errors(f, df, x, hs)
    ax = new_axes(ax, figsize=(6, 3.8))
    floor = 1e-15
    ax.loglog(r["h"], np.maximum(r["forward"], floor), "o-", ms=3, label="forward  (f(x+h) - f(x)) / h")
    ax.loglog(r["h"], np.maximum(r["central"], floor), "o-", ms=3, label="central  (f(x+h) - f(x-h)) / 2h")
    ax.axvline(1e-4, color="0.6", ls="--", lw=1)
    ax.text(1e-4, 1e-1, " h = 1e-4", color="0.4", fontsize=8)
    ax.set_xlabel("step h")
    ax.set_ylabel("|error|")
    ax.set_ylim(floor / 2, 1e2)
    ax.legend(loc="upper left", fontsize=8)
    r["best_h_forward"] = float(r["h"][np.argmin(r["forward"])])
    r["best_h_central"] = float(r["h"][np.argmin(r["central"])])
    r["ax"] = ax
    return r
