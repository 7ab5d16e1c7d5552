"""The book's ``common/multi_layer_net.py``: a fully connected network of any depth (``course_lib.networks``)."""
from ..networks import MultiLayerNet

__all__ = ["MultiLayerNet"]
