"""The book's ``common/util.py``: smoothing and shuffling (``course_lib.util``)."""
import numpy as np  # noqa: F401 -- part of `from ... import *`, as in the book

from ..util import shuffle_dataset, smooth_curve

__all__ = ["np", "smooth_curve", "shuffle_dataset"]
