"""The book's ``common/layers.py``: layers with ``forward`` / ``backward`` (``course_lib.layers``)."""
import numpy as np  # noqa: F401 -- part of `from ... import *`, as in the book

from ..layers import Affine, BatchNormalization, Dropout, Relu, Sigmoid, SoftmaxWithLoss

__all__ = ["np", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout", "BatchNormalization"]
