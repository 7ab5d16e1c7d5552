"""The book's ``common/functions.py``: activation, output and loss functions (``course_lib.functions``)."""
import numpy as np  # in __all__: part of `from ... import *`, as in the book

from ..functions import (cross_entropy_error, identity_function, mean_squared_error, relu, relu_grad, sigmoid,
                         sigmoid_grad, softmax, step_function)

__all__ = ["np", "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu", "relu_grad", "softmax",
           "mean_squared_error", "cross_entropy_error"]
