"""The book's ``common/layers.py``: layers with ``forward`` / ``backward`` (``course_lib.layers``, ``course_lib.convolution``)."""
import numpy as np  # in __all__: part of `from ... import *`, as in the book

from ..convolution import Convolution, Pooling
from ..layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss

__all__ = ["np", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization", "Convolution",
           "Pooling"]
