"""The book's ``common/util.py``: smoothing, shuffling, im2col (``course_lib.util``, ``course_lib.convolution``)."""
import numpy as np  # in __all__: part of `from ... import *`, as in the book

from ..convolution import col2im, conv_output_size, im2col
from ..util import shuffle_dataset, smooth_curve

__all__ = ["np", "smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"]
