"""Widget callbacks and builders used by the notebooks.

Each module holds plain functions that draw (and return what they show), plus a
function that wires them to ipywidgets. The plain functions are what the tests call.
"""
