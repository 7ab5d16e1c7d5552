"""Widget callbacks and builders used by the notebooks.

Each module holds plain ``show_*`` functions that draw and return what they show (the tests call them),
and builders that wire them to ipywidgets with the one helper below::

    def softmax_temperature_widget(a):
        T = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, description="T")
        return interact(show_softmax_temperature, {"T": T}, a=a)

The convention every ``show_*`` follows: ``show_x(..., ax=None)`` draws into ``ax`` (or into a new figure
made by ``course_lib.plots.new_axes`` / ``new_figure``) and returns a dict with ``"ax"`` (or ``"axes"``
for several) plus the numbers it shows.

Every widget callback draws while holding ``DRAW_LOCK``. With ipykernel 7, JupyterLab may deliver widget
messages on *subshell threads*, so two callbacks can run at the same time -- and pyplot (one global
"current figure") is not thread-safe. A second callback waits its turn.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

__all__ = ["DRAW_LOCK", "drawing", "figure_of", "show_figure", "interact"]

#: The lock every widget callback holds while it draws. Re-entrant: a callback that
#: calls another drawing function (the training UI redraws from a Trainer callback) does not deadlock.
DRAW_LOCK = threading.RLock()


@contextmanager
def drawing(out=None):
    """``with drawing(out):`` -- hold ``DRAW_LOCK`` and capture output into the ipywidgets ``Output`` ``out``."""
    with DRAW_LOCK:
        if out is None:
            yield
        else:
            with out:
                yield


def figure_of(shown: dict):
    """The matplotlib Figure a ``show_*`` result drew into (from its ``"ax"`` or ``"axes"``)."""
    ax = shown["ax"] if "ax" in shown else shown["axes"]
    first = ax if hasattr(ax, "figure") else next(iter(getattr(ax, "flat", ax)))
    return first.figure


def show_figure(fig) -> None:
    """The one way a widget shows a figure: display it, then close it (so pyplot keeps nothing alive)."""
    import matplotlib.pyplot as plt
    from IPython.display import display

    display(fig)
    plt.close(fig)


def interact(show, controls: dict, caption=None, **fixed):
    """Wire ipywidgets ``controls`` to a ``show_*`` function: the one widget pattern of the course.

    show: ``show(**values, **fixed) -> dict`` (see the module docstring); it makes its own figure.
    controls: ``{argument name: ipywidgets control}``, shown in this order above the plot.
    caption: optional ``caption(result) -> str``, printed under the figure.
    fixed: further keyword arguments passed to ``show`` unchanged (data, a network, ...).

    On every change of a control, and once at the start: under the drawing lock, clear the output, call
    ``show`` with the controls' current values, show the figure, print the caption. Returns the
    ``ipywidgets.VBox`` of the controls and the output; its ``.result`` holds the last dict ``show`` returned.
    """
    import ipywidgets as widgets
    from IPython.display import clear_output

    out = widgets.Output()
    box = widgets.VBox([*controls.values(), out])

    def redraw(*_):
        with drawing(out):
            clear_output(wait=True)
            box.result = show(**{name: c.value for name, c in controls.items()}, **fixed)
            show_figure(figure_of(box.result))
            if caption is not None:
                print(caption(box.result))

    for control in controls.values():
        control.observe(redraw, names="value")
    redraw()
    return box
