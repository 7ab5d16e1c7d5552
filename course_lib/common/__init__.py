"""The book's ``common/`` package, as names: run "Deep Learning from Scratch"'s scripts on the course's code.

Each module here has the name of one of the book's ``common/`` modules and re-exports the course's
implementation of what the book defines there (no copies). A script of the book runs after changing
only its imports::

    from common.multi_layer_net_extend import MultiLayerNetExtend   ->  from course_lib.common.multi_layer_net_extend import ...
    from dataset.mnist import load_mnist                             ->  from course_lib.data import load_mnist

(and deleting its ``sys.path.append(os.pardir)`` line). Like the book's modules, a ``from ... import *``
also brings ``np``: some of the book's scripts use ``np`` without importing NumPy themselves.

Differences from the book's code (the course's are deliberate): random numbers come from seeded
generators (``seed=`` arguments) instead of ``np.random``; ``Trainer`` shuffles once per epoch instead of
drawing batches with replacement; ``SoftmaxWithLoss`` accepts both label forms everywhere.
"""
