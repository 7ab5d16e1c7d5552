"""Widget callbacks and builders used by the notebooks.

Each module holds plain functions that draw (and return what they show), plus a
function that wires them to ipywidgets. The plain functions are what the tests call.

Every widget callback draws inside ``drawing(out)``. With ipykernel 7, JupyterLab may
deliver widget messages on *subshell threads*, so two callbacks can run at the same
time -- and pyplot (one global "current figure") is not thread-safe. ``drawing`` holds
one lock shared by all widgets while a callback draws; a second callback waits its turn.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

__all__ = ["DRAW_LOCK", "drawing"]

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
