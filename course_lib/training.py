"""Mini-batch training (book chapters 4-6, ``common/trainer.py``).

``Trainer`` runs epochs: each epoch shuffles the training set once and walks
through it in mini-batches *without replacement*, so every image is seen once
per epoch. After each epoch it records the loss and the train/test accuracy
and calls the hooks you give it (e.g. to redraw a live plot).

Speed, in ways you can read below: the shuffled order is one permutation per
epoch, and each step gathers only its own mini-batch (``x_train[idx]``, 100
rows) instead of copying the whole training set; labels stay integer indices.
"""
from __future__ import annotations

import math
import time
from typing import Callable, Iterable

import numpy as np

from .functions import labels_to_indices
from .optimizers import make_optimizer

__all__ = ["Trainer"]


class Trainer:
    """Train ``network`` (anything with ``params``, ``gradient``, ``loss``, ``accuracy``) with an optimizer.

    x_train ``(N, D)``, t_train ``(N,)`` or ``(N, C)``; x_test, t_test likewise.
    epochs: passes over the training set. mini_batch_size: samples per step;
    the last batch of an epoch may be smaller. iters_num: stop after this many
    steps instead (the book counts iterations: 10,000 steps of 100 images are
    16.7 epochs; the last epoch is then cut short and still evaluated).
    optimizer: ``'SGD'``, ``'Momentum'``, ``'AdaGrad'``, ``'Adam'`` or an optimizer object;
    optimizer_param: e.g. ``{'lr': 0.1}``.
    evaluate_sample_num_per_epoch: evaluate accuracy on the first this-many
    samples only (faster); None = all.
    seed: seeds the shuffling. progress: show a tqdm bar (works in notebooks and terminals).
    callbacks: functions ``f(trainer)`` called after every epoch (live plots).

    After ``train()``: ``history`` = ``{'loss': [per iteration], 'epoch_loss':
    [mean per epoch], 'train_acc': [...], 'test_acc': [...], 'time': [seconds
    since start, per epoch]}``; also ``train_loss_list``, ``train_acc_list``,
    ``test_acc_list`` as in the book.
    """

    def __init__(self, network, x_train, t_train, x_test=None, t_test=None, epochs: int = 20,
                 mini_batch_size: int = 100, optimizer="SGD", optimizer_param: dict | None = None,
                 evaluate_sample_num_per_epoch: int | None = None, seed=None, progress: bool = True,
                 callbacks: Iterable[Callable[["Trainer"], None]] = (), verbose: bool = False,
                 iters_num: int | None = None):
        self.network = network
        self.x_train = np.asarray(x_train)
        self.x_test = None if x_test is None else np.asarray(x_test)
        weights = [k for k in network.params if k.startswith("W") and k[1:].isdigit()]
        C = network.params[max(weights, key=lambda k: int(k[1:]))].shape[1]  # classes = outputs of the last layer
        # Keep labels as indices: a gather of ints per batch is cheaper than one-hot rows.
        self.t_train = labels_to_indices(t_train, (len(self.x_train), C))
        self.t_test = None if t_test is None else labels_to_indices(t_test, (len(self.x_test), C))
        self.epochs = int(epochs)
        self.batch_size = int(mini_batch_size)
        if self.batch_size < 1:
            raise ValueError(f"mini_batch_size must be >= 1, got {mini_batch_size}")
        self.optimizer = make_optimizer(optimizer, **(optimizer_param or {"lr": 0.01}))
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        self.rng = np.random.default_rng(seed)
        self.progress = progress
        self.callbacks = list(callbacks)
        self.verbose = verbose
        self.iter_per_epoch = math.ceil(len(self.x_train) / self.batch_size)
        if iters_num is not None:
            if int(iters_num) < 1:
                raise ValueError(f"iters_num must be >= 1, got {iters_num}")
            self.max_iter = int(iters_num)
            self.epochs = math.ceil(self.max_iter / self.iter_per_epoch)
        else:
            self.max_iter = self.epochs * self.iter_per_epoch
        self.current_iter = 0
        self.current_epoch = 0
        self.history = {"loss": [], "epoch_loss": [], "train_acc": [], "test_acc": [], "time": []}

    # the book's names for the histories
    @property
    def train_loss_list(self):
        return self.history["loss"]

    @property
    def train_acc_list(self):
        return self.history["train_acc"]

    @property
    def test_acc_list(self):
        return self.history["test_acc"]

    def _evaluate(self):
        n = self.evaluate_sample_num_per_epoch
        train_acc = self.network.accuracy(self.x_train[:n], self.t_train[:n])
        test_acc = None
        if self.x_test is not None:
            test_acc = self.network.accuracy(self.x_test[:n], self.t_test[:n])
        return train_acc, test_acc

    def train_step(self, x_batch, t_batch) -> float:
        """One optimizer step on one mini-batch; returns the batch loss before the step."""
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        loss = self.network.last_layer.loss if hasattr(self.network, "last_layer") else self.network.loss(x_batch, t_batch)
        self.current_iter += 1
        return float(loss)

    def train(self) -> dict:
        """Run all epochs; returns ``history``."""
        from tqdm.auto import tqdm

        N = len(self.x_train)
        bar = tqdm(total=self.max_iter, desc="training", unit="it", disable=not self.progress, leave=True)
        start = time.perf_counter()
        first_iter = self.current_iter  # train() may be called again to train further
        try:
            for epoch in range(self.epochs):
                order = self.rng.permutation(N)
                epoch_losses = []
                for i in range(0, N, self.batch_size):
                    if self.current_iter - first_iter >= self.max_iter:  # iters_num reached
                        break
                    idx = order[i:i + self.batch_size]  # the next batch of the shuffled order
                    loss = self.train_step(self.x_train[idx], self.t_train[idx])
                    self.history["loss"].append(loss)
                    epoch_losses.append(loss)
                    bar.update(1)
                self.current_epoch = epoch + 1
                train_acc, test_acc = self._evaluate()
                self.history["epoch_loss"].append(float(np.mean(epoch_losses)))
                self.history["train_acc"].append(train_acc)
                self.history["test_acc"].append(test_acc)
                self.history["time"].append(time.perf_counter() - start)
                postfix = {"loss": f"{self.history['epoch_loss'][-1]:.3f}", "train": f"{train_acc:.4f}"}
                if test_acc is not None:
                    postfix["test"] = f"{test_acc:.4f}"
                bar.set_postfix(postfix)
                if self.verbose:
                    print(f"epoch {epoch + 1}: loss {postfix['loss']}, train acc {train_acc:.4f}"
                          + (f", test acc {test_acc:.4f}" if test_acc is not None else ""))
                for cb in self.callbacks:
                    cb(self)
        finally:
            bar.close()
        return self.history
