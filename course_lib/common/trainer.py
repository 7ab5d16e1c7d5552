"""The book's ``common/trainer.py``: epochs of mini-batch training (``course_lib.training``)."""
from ..training import Trainer

__all__ = ["Trainer"]
