"""Mini-batch training (book chapters 4-6, ``common/trainer.py``).

``Trainer`` runs epochs: each epoch shuffles the training set once and walks
through it in mini-batches *without replacement*, so every image is seen once
per epoch. After each epoch it records the loss and the train/test accuracy
and calls the hooks you give it (e.g. to redraw a live plot).

With a validation set (``x_val``, ``t_val``: split off the training set, see
``course_lib.util.split_validation``) it also records the validation loss and
accuracy per epoch, and with ``patience`` it stops early: when the validation
loss has not improved for ``patience`` epochs, training ends and the network
gets back the parameters of its best epoch (written into the same arrays, so
the layers that hold them see them).

Speed, in ways you can read below: the shuffled order is one permutation per
epoch, and each step gathers only its own mini-batch (``x_train[idx]``, 100
rows) instead of copying the whole training set; labels stay integer indices.
"""
from __future__ import annotations

import inspect
import math
import time
from typing import Callable, Iterable

import numpy as np

from .functions import labels_to_indices
from .layers import SoftmaxWithLoss
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
    callbacks: functions ``f(trainer)`` called after every epoch (live plots); a callback may set
    ``trainer.stop_training = True`` to end training after this epoch.
    x_val, t_val: a validation set (never the test set), evaluated completely after every epoch.
    patience: early stopping -- stop when the validation loss (``monitor='val_loss'``, or the validation
    accuracy with ``monitor='val_acc'``) has not improved for ``patience`` epochs in a row; the network
    then gets back the parameters of the best epoch (also the running averages of its BatchNormalization
    layers), in place. Needs a validation set.

    Networks whose ``predict`` takes ``train_flg`` (Dropout, BatchNormalization: ``MultiLayerNetExtend``)
    are evaluated with ``train_flg=False``; their ``gradient`` trains with ``train_flg=True``.

    After ``train()``: ``history`` = ``{'loss': [per iteration], 'epoch_loss':
    [mean per epoch], 'train_acc': [...], 'test_acc': [...], 'val_acc': [...],
    'val_loss': [...], 'time': [seconds since start, per epoch]}`` (``val_*`` stay
    empty without a validation set); ``loss`` is each batch's cross-entropy before
    its update (without a weight-decay penalty: the part that measures the fit), and
    ``val_loss`` the cross-entropy on the validation set. Also ``best_epoch`` (1-based,
    with a validation set) and ``stopped_epoch`` (None if training ran to the end),
    and ``train_loss_list``, ``train_acc_list``, ``test_acc_list`` as in the book.
    """

    def __init__(self, network, x_train, t_train, x_test=None, t_test=None, epochs: int = 20,
                 mini_batch_size: int = 100, optimizer="SGD", optimizer_param: dict | None = None,
                 evaluate_sample_num_per_epoch: int | None = None, seed=None, progress: bool = True,
                 callbacks: Iterable[Callable[["Trainer"], None]] = (), verbose: bool = False,
                 iters_num: int | None = None, x_val=None, t_val=None, patience: int | None = None,
                 monitor: str = "val_loss"):
        self.network = network
        self.x_train = np.asarray(x_train)
        self.x_test = None if x_test is None else np.asarray(x_test)
        self.x_val = None if x_val is None else np.asarray(x_val)
        weights = [k for k in network.params if k.startswith("W") and k[1:].isdigit()]
        C = network.params[max(weights, key=lambda k: int(k[1:]))].shape[1]  # classes = outputs of the last layer
        # Keep labels as indices: a gather of ints per batch is cheaper than one-hot rows.
        self.t_train = labels_to_indices(t_train, (len(self.x_train), C))
        self.t_test = None if t_test is None else labels_to_indices(t_test, (len(self.x_test), C))
        self.t_val = None if t_val is None else labels_to_indices(t_val, (len(self.x_val), C))
        if patience is not None:
            if self.x_val is None:
                raise ValueError("early stopping (patience) needs a validation set: pass x_val and t_val "
                                 "(split them off the training set with course_lib.util.split_validation)")
            if int(patience) < 1:
                raise ValueError(f"patience must be >= 1 epoch, got {patience}")
        if monitor not in ("val_loss", "val_acc"):
            raise ValueError(f"monitor must be 'val_loss' or 'val_acc', got {monitor!r}")
        self.patience = None if patience is None else int(patience)
        self.monitor = monitor
        # evaluate in test mode when the network has one (Dropout, BatchNormalization)
        predict = getattr(network, "predict", None)
        takes_flag = predict is not None and "train_flg" in inspect.signature(predict).parameters
        self._eval_kwargs = {"train_flg": False} if takes_flag else {}
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
        self.history = {"loss": [], "epoch_loss": [], "train_acc": [], "test_acc": [], "val_acc": [], "val_loss": [],
                        "time": []}
        self.stop_training = False
        self.best_epoch = None
        self.stopped_epoch = None
        self._best_score = None
        self._best_state = None

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
        if self.x_val is not None:
            self.history["val_acc"].append(self.network.accuracy(self.x_val, self.t_val))
            self.history["val_loss"].append(self.validation_loss())
        return train_acc, test_acc

    def validation_loss(self, batch_size: int = 1000) -> float:
        """Mean cross-entropy of the network's predictions (test mode) on the validation set, in batches."""
        total = 0.0
        for i in range(0, len(self.x_val), batch_size):
            scores = self.network.predict(self.x_val[i:i + batch_size], **self._eval_kwargs)
            t = self.t_val[i:i + batch_size]
            total += SoftmaxWithLoss().forward(scores, t) * len(t)  # a fresh layer: the network's keeps its state
        return total / len(self.x_val)

    def _state(self) -> dict:
        """Copies of the parameters and of the layers' running averages (BatchNormalization)."""
        layers = getattr(self.network, "layers", {})
        return {"params": {key: p.copy() for key, p in self.network.params.items()},
                "running": {name: (layer.running_mean.copy(), layer.running_var.copy())
                            for name, layer in layers.items() if getattr(layer, "running_mean", None) is not None}}

    def _restore(self, state: dict) -> None:
        """Put a saved state back *into* the network's arrays (the layers hold references to them)."""
        for key, saved in state["params"].items():
            self.network.params[key][...] = saved
        for name, (mean, var) in state["running"].items():
            self.network.layers[name].running_mean = mean.copy()
            self.network.layers[name].running_var = var.copy()

    def _early_stopping(self) -> None:
        """After an epoch's evaluation: remember the best epoch; stop after ``patience`` epochs without progress."""
        score = self.history["val_loss"][-1] if self.monitor == "val_loss" else -self.history["val_acc"][-1]
        if self._best_score is None or score < self._best_score:
            self._best_score = score
            self.best_epoch = self.current_epoch
            if self.patience is not None:
                self._best_state = self._state()
        elif self.patience is not None and self.current_epoch - self.best_epoch >= self.patience:
            self.stop_training = True

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
        # miniters: look at the clock every 1% of the run, not at every step (a notebook bar costs ~75 us a look)
        bar = tqdm(total=self.max_iter, desc="training", unit="it", disable=not self.progress, leave=True,
                   miniters=max(1, self.max_iter // 100))
        start = time.perf_counter()
        first_iter = self.current_iter  # train() may be called again to train further
        first_epoch = self.current_epoch
        self.stop_training = False
        try:
            for epoch in range(first_epoch, first_epoch + self.epochs):
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
                if self.x_val is not None:
                    self._early_stopping()
                postfix = {"loss": f"{self.history['epoch_loss'][-1]:.3f}", "train": f"{train_acc:.4f}"}
                if test_acc is not None:
                    postfix["test"] = f"{test_acc:.4f}"
                if self.x_val is not None:
                    postfix["val"] = f"{self.history['val_acc'][-1]:.4f}"
                bar.set_postfix(postfix)
                if self.verbose:
                    print(f"epoch {epoch + 1}: loss {postfix['loss']}, train acc {train_acc:.4f}"
                          + (f", test acc {test_acc:.4f}" if test_acc is not None else "")
                          + (f", val acc {postfix['val']}, val loss {self.history['val_loss'][-1]:.4f}"
                             if self.x_val is not None else ""))
                for cb in self.callbacks:
                    cb(self)
                if self.stop_training:
                    self.stopped_epoch = self.current_epoch
                    break
        finally:
            bar.close()
        if self._best_state is not None:  # early stopping: end with the best epoch's parameters
            self._restore(self._best_state)
        return self.history
