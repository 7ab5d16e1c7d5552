"""The book's ``common/optimizer.py``: update rules with ``update(params, grads)`` (``course_lib.optimizers``)."""
import numpy as np  # in __all__: part of `from ... import *`, as in the book (optimizer_compare_mnist.py needs it)

from ..optimizers import SGD, AdaGrad, Adam, Momentum

__all__ = ["np", "SGD", "Momentum", "AdaGrad", "Adam"]
