"""Trainer: epochs shuffled without replacement, history, hooks, reproducibility, real learning."""
import numpy as np
import pytest

from course_lib.networks import TwoLayerNet
from course_lib.training import Trainer


class RecordingNet:
    """A stand-in network that records which samples each mini-batch holds."""

    def __init__(self):
        self.params = {"W1": np.zeros((1, 2)), "b1": np.zeros(2)}
        self.batches = []

        class _Last:
            loss = 0.0

        self.last_layer = _Last()

    def gradient(self, x, t):
        self.batches.append(x[:, 0].astype(int).tolist())
        return {k: np.zeros_like(v) for k, v in self.params.items()}

    def loss(self, x, t):
        return 0.0

    def accuracy(self, x, t):
        return 0.5


def test_every_sample_once_per_epoch_in_a_new_order():
    N, batch = 23, 5
    x = np.arange(N, dtype=float).reshape(N, 1)
    t = np.zeros(N, dtype=int)
    net = RecordingNet()
    tr = Trainer(net, x, t, x, t, epochs=3, mini_batch_size=batch, seed=0, progress=False)
    tr.train()
    per_epoch = int(np.ceil(N / batch))
    assert tr.iter_per_epoch == per_epoch and len(net.batches) == 3 * per_epoch
    epochs = [sum(net.batches[i * per_epoch:(i + 1) * per_epoch], []) for i in range(3)]
    for order in epochs:
        assert sorted(order) == list(range(N))  # without replacement: each sample exactly once
    assert epochs[0] != epochs[1] and epochs[0] != list(range(N))  # reshuffled every epoch


def test_history_and_callbacks():
    N = 40
    x = np.arange(N, dtype=float).reshape(N, 1)
    t = np.zeros(N, dtype=int)
    seen = []
    tr = Trainer(RecordingNet(), x, t, x, t, epochs=4, mini_batch_size=10, seed=1, progress=False,
                 callbacks=[lambda trainer: seen.append(trainer.current_epoch)])
    h = tr.train()
    assert seen == [1, 2, 3, 4]
    assert len(h["loss"]) == 16 and len(h["train_acc"]) == 4 and len(h["test_acc"]) == 4
    assert len(h["epoch_loss"]) == 4 and h["time"] == sorted(h["time"])
    assert tr.train_acc_list is h["train_acc"]  # the book's names


def test_trainer_learns_a_separable_problem_and_is_reproducible():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((400, 2))
    t = (x[:, 0] + 2 * x[:, 1] > 0).astype(int)

    def run():
        net = TwoLayerNet(2, 16, 2, weight_init_std=0.5, seed=3)
        Trainer(net, x, t, x, np.eye(2)[t], epochs=15, mini_batch_size=20, optimizer="SGD",
                optimizer_param={"lr": 0.2}, seed=4, progress=False).train()
        return net

    a, b = run(), run()
    assert a.accuracy(x, t) > 0.95
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)


def test_progress_bar_runs(capsys):
    x = np.zeros((10, 1))
    Trainer(RecordingNet(), x, np.zeros(10, dtype=int), epochs=1, mini_batch_size=5, progress=True).train()
    assert "training" in capsys.readouterr().err


def test_bad_settings_are_rejected():
    with pytest.raises(ValueError, match="mini_batch_size"):
        Trainer(RecordingNet(), np.zeros((4, 1)), np.zeros(4, dtype=int), mini_batch_size=0)
    with pytest.raises(ValueError, match="unknown optimizer"):
        Trainer(RecordingNet(), np.zeros((4, 1)), np.zeros(4, dtype=int), optimizer="sgdd")


def test_iters_num_stops_after_that_many_steps_and_evaluates_the_partial_epoch():
    N = 23
    x = np.arange(N, dtype=float).reshape(N, 1)
    t = np.zeros(N, dtype=int)
    net = RecordingNet()
    tr = Trainer(net, x, t, x, t, mini_batch_size=5, iters_num=7, seed=0, progress=False)
    h = tr.train()
    assert len(net.batches) == 7 and tr.current_iter == 7
    assert tr.epochs == 2 and len(h["train_acc"]) == 2  # 5 steps in epoch 1, 2 in the cut-short epoch 2
    with pytest.raises(ValueError, match="iters_num"):
        Trainer(net, x, t, iters_num=0)
