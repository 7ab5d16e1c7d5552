"""The book's ``common/multi_layer_net_extend.py``: with weight decay, Dropout, BatchNormalization
(``course_lib.networks_extend``)."""
from ..networks_extend import MultiLayerNetExtend

__all__ = ["MultiLayerNetExtend"]
