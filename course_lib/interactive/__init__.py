"""Widget callbacks and builders used by the notebooks.

Each module holds plain ``show_*`` functions that draw and return what they show (the tests call them),
and builders that wire them to ipywidgets with the one helper below::

    def softmax_temperature_widget(a):
        T = widgets.FloatLogSlider(value=1.0, base=10, min=-1, max=1, description="T")
        return interact(show_softmax_temperature, {"temperature": T}, a=a)

The convention every drawing function here follows (``show_*``, ``plot_*``, ``draw_*``): it draws into
``ax=`` (one Axes) or ``axes=`` (several), or into a new figure made by ``course_lib.plots.new_axes`` /
``new_axes_grid`` when that is None, and returns a dict with ``"ax"`` (or ``"axes"``) plus the numbers it
shows. Builders show figures one way, with ``show_figure`` (through ``interact``).

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


def interact(show, controls: dict, caption=None, manual: str | None = None, **fixed):
    """Wire ipywidgets ``controls`` to a ``show_*`` function: the one widget pattern of the course.

    show: ``show(**values, **fixed) -> dict`` (see the module docstring); it makes its own figure.
    controls: ``{argument name: ipywidgets control}``, shown in this order above the plot.
    caption: optional ``caption(result) -> str``, printed under the figure.
    manual: a button label (e.g. ``"Train"``) for a ``show`` that takes seconds: then ``show`` runs when the
        button is clicked (the button is disabled meanwhile), not on every change of a control.
    fixed: further keyword arguments passed to ``show`` unchanged (data, a network, ...).

    On every change of a control (or click), and once at the start: under the drawing lock, call ``show``
    with the controls' current values, then clear the output, show the figure and print the caption (the
    old picture stays until the new one is ready). Returns the ``ipywidgets.VBox`` of the controls (and the
    button) and the output; its ``.result`` holds the last dict ``show`` returned.
    """
    import ipywidgets as widgets
    from IPython.display import clear_output

    out = widgets.Output()
    button = None if manual is None else widgets.Button(description=manual, button_style="primary")
    box = widgets.VBox([*controls.values(), *([button] if button else []), out])

    def redraw(*_):
        with drawing(out):
            if button is not None:
                button.disabled = True
            try:
                result = show(**{name: c.value for name, c in controls.items()}, **fixed)
            finally:
                if button is not None:
                    button.disabled = False
            clear_output(wait=True)
            show_figure(figure_of(result))
            if caption is not None:
                print(caption(result))
            box.result = result

    if button is None:
        for control in controls.values():
            control.observe(redraw, names="value")
    else:
        button.on_click(redraw)
    redraw()
    return box
