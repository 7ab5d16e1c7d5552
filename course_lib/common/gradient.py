"""The book's ``common/gradient.py``: the central-difference gradient (``course_lib.gradient``)."""
import numpy as np  # noqa: F401 -- part of `from ... import *`, as in the book

from ..gradient import numerical_gradient

__all__ = ["np", "numerical_gradient"]
