"""The book's ``common/gradient.py``: the central-difference gradient (``course_lib.gradient``)."""
import numpy as np  # in __all__: part of `from ... import *`, as in the book

from ..gradient import numerical_gradient

__all__ = ["np", "numerical_gradient"]
