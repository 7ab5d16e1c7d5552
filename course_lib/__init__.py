"""course_lib: the shared NumPy code of the nn-from-scratch course.

Modules (names follow "Deep Learning from Scratch"):

- ``functions``       -- step_function, sigmoid, relu, tanh, softmax, the losses, labels_to_indices
- ``gradient``        -- numerical_diff, numerical_gradient, gradient_descent, gradient_check
- ``perceptron``      -- AND, NAND, OR, XOR
- ``layers``          -- MulLayer, AddLayer, Relu, Sigmoid, Affine, SoftmaxWithLoss, Dropout, BatchNormalization
- ``networks``        -- TwoLayerNet, MultiLayerNet
- ``networks_extend`` -- MultiLayerNetExtend: weight decay, Dropout, Batch Normalization (chapter 6)
- ``optimizers``      -- SGD, Momentum, AdaGrad, Adam
- ``training``        -- Trainer
- ``util``            -- smooth_curve, shuffle_dataset, split_validation (the book's ``common/util.py``)
- ``convolution``     -- conv_output_size, im2col, col2im, Convolution, Pooling (chapter 7)
- ``simple_convnet``  -- SimpleConvNet, the chapter-7 network, and its shipped weights
- ``data``            -- load_mnist, load_fashion_mnist, missing_files, toy datasets, the shipped sample weights
- ``plots``           -- activation curves, decision boundaries, digit grids, training curves (``TrainingCurves``)
- ``interactive``     -- the notebooks' widgets (``interact``) and the ``show_*`` functions they redraw
- ``common``          -- the book's ``common/`` package as names, so the book's scripts run on this code
- ``checks``          -- what the exercises' test cells use: requirement, expect_close, expect_shape, ...
- ``grading``         -- the student edition, the self-check and the sandboxed grader
- ``workspace``       -- the student's working copies of the notebooks (``work/``)

``from course_lib import *`` brings the names below and these modules.
"""
from .functions import (cross_entropy_error, identity_function, mean_squared_error, relu, relu_grad, sigmoid,
                        sigmoid_grad, softmax, step_function, tanh)
from .gradient import gradient_check, gradient_descent, numerical_diff, numerical_gradient
from .layers import Affine, AddLayer, MulLayer, Relu, ShapeError, Sigmoid, SoftmaxWithLoss
from .networks import MultiLayerNet, TwoLayerNet
from .optimizers import SGD, AdaGrad, Adam, Momentum
from .perceptron import AND, NAND, OR, XOR

__all__ = [
    "cross_entropy_error", "identity_function", "mean_squared_error", "relu", "relu_grad", "sigmoid", "sigmoid_grad",
    "softmax", "step_function", "tanh",
    "gradient_check", "gradient_descent", "numerical_diff", "numerical_gradient",
    "Affine", "AddLayer", "MulLayer", "Relu", "ShapeError", "Sigmoid", "SoftmaxWithLoss",
    "MultiLayerNet", "TwoLayerNet",
    "SGD", "AdaGrad", "Adam", "Momentum",
    "AND", "NAND", "OR", "XOR",
    # the modules
    "functions", "gradient", "perceptron", "layers", "networks", "networks_extend", "optimizers", "training", "util",
    "convolution", "simple_convnet", "data", "plots", "interactive", "common", "checks", "grading", "workspace",
]
__version__ = "0.1.0"
