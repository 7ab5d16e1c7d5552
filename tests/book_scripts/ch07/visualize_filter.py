# The book's ch07/visualize_filter.py, with the import pointed at course_lib; unchanged otherwise.
# load_params("params.pkl") reads params.npz (course_lib never loads pickles).
import numpy as np
import matplotlib.pyplot as plt
from course_lib.simple_convnet import SimpleConvNet

def filter_show(filters, nx=8, margin=3, scale=10):
    """
    c.f. https://gist.github.com/aidiary/07d530d5e08011832b12#file-draw_weight-py
    """
    FN, C, FH, FW = filters.shape
    ny = int(np.ceil(FN / nx))

    fig = plt.figure()
    fig.subplots_adjust(left=0, right=1, bottom=0, top=1, hspace=0.05, wspace=0.05)

    for i in range(FN):
        ax = fig.add_subplot(ny, nx, i+1, xticks=[], yticks=[])
        ax.imshow(filters[i, 0], cmap=plt.cm.gray_r, interpolation='nearest')
    plt.show()


network = SimpleConvNet()
# ランダム初期化後の重み (the weights after random initialisation)
filter_show(network.params['W1'])

# 学習後の重み (the weights after training)
network.load_params("params.pkl")
filter_show(network.params['W1'])
