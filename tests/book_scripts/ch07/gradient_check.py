# The essential lines of the book's ch07/gradient_check.py, with the imports pointed at course_lib.
# One change: the book's label T = np.array([1]).reshape((1, 1)) has the shape of neither class indices (1,)
# nor one-hot labels (1, 10); course_lib's SoftmaxWithLoss rejects it, so the label is np.array([1]).
import numpy as np
from course_lib.simple_convnet import SimpleConvNet

network = SimpleConvNet(input_dim=(1,10, 10),
                        conv_param = {'filter_num':10, 'filter_size':3, 'pad':0, 'stride':1},
                        hidden_size=10, output_size=10, weight_init_std=0.01)

X = np.random.rand(100).reshape((1, 1, 10, 10))
T = np.array([1])

grad_num = network.numerical_gradient(X, T)
grad = network.gradient(X, T)

for key, val in grad_num.items():
    print(key, np.abs(grad_num[key] - grad[key]).mean())
