# The essential lines of the book's ch07/train_convnet.py, with the imports pointed at course_lib.
# Changes: less data and one epoch (the book's own comment suggests cutting the data); max_epochs and the
# accuracy lists, which the book's plotting lines use without defining, are taken from the trainer.
import numpy as np
import matplotlib.pyplot as plt
from course_lib.data import load_mnist
from course_lib.simple_convnet import SimpleConvNet
from course_lib.common.trainer import Trainer

# データの読み込み (load the data)
(x_train, t_train), (x_test, t_test) = load_mnist(flatten=False)

# 処理に時間のかかる場合はデータを削減 (less data when it takes too long)
x_train, t_train = x_train[:500], t_train[:500]
x_test, t_test = x_test[:100], t_test[:100]

max_epochs = 1

network = SimpleConvNet(input_dim=(1,28,28),
                        conv_param = {'filter_num': 30, 'filter_size': 5, 'pad': 0, 'stride': 1},
                        hidden_size=100, output_size=10, weight_init_std=0.01)

trainer = Trainer(network, x_train, t_train, x_test, t_test,
                  epochs=max_epochs, mini_batch_size=100,
                  optimizer='Adam', optimizer_param={'lr': 0.001},
                  evaluate_sample_num_per_epoch=1000)
trainer.train()

# パラメータの保存 (save the parameters: course_lib writes params.npz, never a pickle)
network.save_params("params.pkl")
print("Saved Network Parameters!")

# グラフの描画 (the plot)
train_acc_list, test_acc_list = trainer.train_acc_list, trainer.test_acc_list
markers = {'train': 'o', 'test': 's'}
x = np.arange(max_epochs)
plt.plot(x, train_acc_list, marker='o', label='train', markevery=2)
plt.plot(x, test_acc_list, marker='s', label='test', markevery=2)
plt.xlabel("epochs")
plt.ylabel("accuracy")
plt.ylim(0, 1.0)
plt.legend(loc='lower right')
plt.show()
