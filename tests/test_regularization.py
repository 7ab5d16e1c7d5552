"""Chapter 6's parts of course_lib: Dropout, BatchNormalization, weight decay, MultiLayerNetExtend, the util
helpers and the Trainer's validation set and early stopping. Every gradient is checked numerically."""
from __future__ import annotations

import numpy as np
import pytest

from course_lib.functions import cross_entropy_error, softmax
from course_lib.gradient import GRADIENT_CHECK_TOL, numerical_gradient, relative_error
from course_lib.layers import BatchNormalization, Dropout, ShapeError
from course_lib.networks import MultiLayerNet
from course_lib.networks_extend import MultiLayerNetExtend
from course_lib.training import Trainer
from course_lib.util import shuffle_dataset, smooth_curve, split_validation

N, D, H, C = 7, 5, 4, 3  # all different: a wrong axis cannot pass by luck


def _layer_gradient(layer, x, dout, seed=None):
    """Numerical gradient of ``sum(layer.forward(x) * dout)`` w.r.t. ``x`` (re-seeding a dropout layer every call)."""
    def f(_):
        if seed is not None:
            layer.rng = np.random.default_rng(seed)
        return float(np.sum(layer.forward(x) * dout))
    return numerical_gradient(f, x)


# ---------------------------------------------------------------- Dropout
def test_dropout_drops_the_given_fraction_and_keeps_the_rest_unchanged(rng):
    x = rng.standard_normal((400, 250)).astype(np.float32)
    x_before = x.copy()
    layer = Dropout(0.3, seed=0)
    out = layer.forward(x, train_flg=True)
    assert out.dtype == np.float32 and out.shape == x.shape
    assert np.array_equal(x, x_before)  # the input is not modified
    dropped = out == 0
    assert abs(dropped.mean() - 0.3) < 0.01
    assert np.array_equal(out[~dropped], x[~dropped])  # kept units pass unchanged (the book's dropout)
    assert np.array_equal(layer.mask, ~dropped)


def test_dropout_at_test_time_scales_by_the_kept_fraction_so_the_expectation_matches(rng):
    x = rng.random((3, 4)) + 1
    layer = Dropout(0.25, seed=1)
    test_out = layer.forward(x, train_flg=False)
    assert np.allclose(test_out, 0.75 * x)
    mean_train = np.mean([layer.forward(x, train_flg=True) for _ in range(4000)], axis=0)
    assert np.allclose(mean_train, test_out, rtol=0.03)


def test_dropout_masks_are_seeded_and_change_from_call_to_call(rng):
    x = rng.standard_normal((20, 30))
    a, b = Dropout(0.5, seed=3), Dropout(0.5, seed=3)
    first = a.forward(x)
    assert np.array_equal(first, b.forward(x))  # same seed, same masks
    assert not np.array_equal(first, a.forward(x))  # a new mask at every training call
    shared = np.random.default_rng(5)
    c, d = Dropout(0.5, rng=shared), Dropout(0.5, rng=shared)
    assert not np.array_equal(c.forward(x), d.forward(x))  # one generator, successive draws


def test_dropout_backward_is_the_numerical_gradient(rng):
    x = rng.standard_normal((N, D))
    dout = rng.standard_normal((N, D))
    dout_before = dout.copy()
    layer = Dropout(0.4, rng=np.random.default_rng(7))
    layer.forward(x)
    dx = layer.backward(dout)
    assert np.array_equal(dout, dout_before)
    layer.rng = np.random.default_rng(7)
    num = _layer_gradient(layer, x.copy(), dout, seed=7)
    assert relative_error(dx, num) < 1e-8
    assert np.all(dx[~layer.mask] == 0)


def test_dropout_errors_name_the_layer_and_the_fix(rng):
    with pytest.raises(ValueError, match=r"Dropout.*\[0, 1\)"):
        Dropout(1.0)
    layer = Dropout(0.5, seed=0)
    with pytest.raises(RuntimeError, match="train_flg=True"):
        layer.backward(np.ones((2, 3)))
    layer.forward(np.ones((2, 3)))
    with pytest.raises(ShapeError, match=r"Dropout.backward: dout has shape \(3, 2\).*\(2, 3\)"):
        layer.backward(np.ones((3, 2)))


# ---------------------------------------------------------------- BatchNormalization
def _bn(D_, rng, dtype=np.float64):
    return BatchNormalization((1 + rng.random(D_)).astype(dtype), rng.standard_normal(D_).astype(dtype))


def test_batchnorm_training_output_has_the_mean_beta_and_the_spread_gamma(rng):
    x = 3 + 5 * rng.standard_normal((64, D))
    layer = _bn(D, rng)
    out = layer.forward(x, train_flg=True)
    assert out.shape == (64, D)
    assert np.allclose(out.mean(axis=0), layer.beta)
    assert np.allclose(out.std(axis=0), layer.gamma, rtol=1e-4)


def test_batchnorm_running_averages_update_in_training_only(rng):
    layer = _bn(D, rng)
    x = 2 + rng.standard_normal((50, D))
    layer.forward(x, train_flg=True)
    assert np.allclose(layer.running_mean, 0.1 * x.mean(axis=0))  # momentum 0.9, started at 0
    assert np.allclose(layer.running_var, 0.1 * x.var(axis=0))
    mean, var = layer.running_mean.copy(), layer.running_var.copy()
    test_batch = 100 + rng.standard_normal((3, D))
    out = layer.forward(test_batch, train_flg=False)
    assert np.array_equal(layer.running_mean, mean) and np.array_equal(layer.running_var, var)
    expected = layer.gamma * (test_batch - mean) / np.sqrt(var + layer.eps) + layer.beta
    assert np.allclose(out, expected)
    single = layer.forward(test_batch[:1], train_flg=False)  # one sample works at test time
    assert np.allclose(single, expected[:1])


def test_batchnorm_keeps_float32_in_both_modes(rng):
    layer = _bn(D, rng, np.float32)
    x = rng.standard_normal((10, D)).astype(np.float32)
    assert layer.forward(x, train_flg=True).dtype == np.float32
    assert layer.forward(x, train_flg=False).dtype == np.float32
    assert layer.running_mean.dtype == np.float32
    assert layer.backward(np.ones((10, D), np.float32)).dtype == np.float32


@pytest.mark.parametrize("shape", [(N, D), (N, 2, 3, 1)])
def test_batchnorm_gradients_are_the_numerical_ones(rng, shape):
    Dflat = int(np.prod(shape[1:]))
    layer = _bn(Dflat, rng)
    x = rng.standard_normal(shape) * 2 + 1
    dout = rng.standard_normal(shape)
    dout_before = dout.copy()
    layer.forward(x, train_flg=True)
    dx = layer.backward(dout)
    assert dx.shape == shape and np.array_equal(dout, dout_before)
    dgamma, dbeta = layer.dgamma, layer.dbeta

    def f(_):
        return float(np.sum(layer.forward(x, train_flg=True) * dout))
    assert relative_error(dx, numerical_gradient(f, x)) < 1e-7
    assert relative_error(dgamma, numerical_gradient(f, layer.gamma)) < 1e-7
    assert relative_error(dbeta, numerical_gradient(f, layer.beta)) < 1e-7


def test_batchnorm_errors_name_the_layer_and_both_shapes(rng):
    layer = _bn(D, rng)
    with pytest.raises(ShapeError, match=rf"BatchNormalization: x has shape \({N}, {D + 1}\).*gamma has shape \({D},\)"):
        layer.forward(np.ones((N, D + 1)))
    with pytest.raises(ShapeError, match="x.reshape"):
        layer.forward(np.ones(D))
    with pytest.raises(RuntimeError, match="train_flg=True"):
        layer.backward(np.ones((N, D)))
    layer.forward(np.ones((N, D)))
    with pytest.raises(ShapeError, match="BatchNormalization.backward"):
        layer.backward(np.ones((N, D + 1)))
    with pytest.raises(ShapeError, match="gamma and beta"):
        BatchNormalization(np.ones(3), np.zeros(4))


# ---------------------------------------------------------------- weight decay
def _data(rng, n=N, d=D, c=C):
    return rng.standard_normal((n, d)), rng.integers(0, c, n)


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
def test_multilayernet_weight_decay_loss_and_gradient(rng, activation):
    x, t = _data(rng)
    lam = 0.3
    net = MultiLayerNet(D, [H, 6], C, activation=activation, weight_decay_lambda=lam, seed=1)
    plain = MultiLayerNet(D, [H, 6], C, activation=activation, seed=1)
    penalty = 0.5 * lam * sum(np.sum(net.params[f"W{i}"] ** 2) for i in (1, 2, 3))
    assert np.isclose(net.loss(x, t), plain.loss(x, t) + penalty)
    grads, num = net.gradient(x, t), net.numerical_gradient(x, t)
    for key in net.params:
        assert relative_error(grads[key], num[key]) < GRADIENT_CHECK_TOL, key
    plain_grads = plain.gradient(x, t)
    assert np.allclose(grads["W2"], plain_grads["W2"] + lam * net.params["W2"])
    assert np.allclose(grads["b2"], plain_grads["b2"])  # biases are not decayed


def test_a_numpy_lambda_keeps_float32_gradients_float32(rng):
    x, t = _data(rng)
    for net in (MultiLayerNet(D, [H], C, weight_decay_lambda=np.float64(0.1), seed=0, dtype=np.float32),
                MultiLayerNetExtend(D, [H], C, weight_decay_lambda=10 ** np.random.default_rng(0).uniform(-4, -2),
                                    seed=0, dtype=np.float32)):
        grads = net.gradient(x.astype(np.float32), t)
        assert {g.dtype for g in grads.values()} == {np.dtype(np.float32)}, type(net).__name__


# ---------------------------------------------------------------- MultiLayerNetExtend
def test_extend_without_extras_is_multilayernet(rng):
    """Same seed, same initial weights, same loss and gradients: one formula, two classes."""
    x, t = _data(rng)
    a = MultiLayerNetExtend(D, [H, 6], C, weight_decay_lambda=0.05, seed=4)
    b = MultiLayerNet(D, [H, 6], C, weight_decay_lambda=0.05, seed=4)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in b.params) and a.params.keys() == b.params.keys()
    assert np.isclose(a.loss(x, t), b.loss(x, t))
    ga, gb = a.gradient(x, t), b.gradient(x, t)
    assert all(np.allclose(ga[k], gb[k]) for k in gb)


def test_extend_with_batchnorm_and_weight_decay_passes_a_gradient_check(rng):
    x, t = _data(rng, n=8)
    net = MultiLayerNetExtend(D, [H, 6], C, weight_decay_lambda=0.1, use_batchnorm=True, seed=2)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3", "gamma1", "beta1", "gamma2", "beta2"]
    assert [k for k in net.layers] == ["Affine1", "BatchNorm1", "Activation_function1", "Affine2", "BatchNorm2",
                                       "Activation_function2", "Affine3"]
    grads, num = net.gradient(x, t), net.numerical_gradient(x, t)
    assert grads.keys() == num.keys() == net.params.keys()
    for key in ("b1", "b2"):  # batch norm subtracts the batch mean: a bias before it changes nothing
        assert np.abs(grads[key]).max() < 1e-12 and np.abs(num[key]).max() < 1e-9, key
    for key in grads.keys() - {"b1", "b2"}:
        assert relative_error(grads[key], num[key]) < GRADIENT_CHECK_TOL, key


def test_extend_with_dropout_passes_a_gradient_check_with_fixed_masks(rng):
    x, t = _data(rng)
    net = MultiLayerNetExtend(D, [H, 6], C, use_dropout=True, dropout_ration=0.3, seed=3)

    class Reseeded(type(net)):  # every forward pass draws the same masks
        def loss(self, x, t, train_flg=False):
            for key, layer in self.layers.items():
                if key.startswith("Dropout"):
                    layer.rng = np.random.default_rng(int(key[-1]))
            return super().loss(x, t, train_flg)

    net.__class__ = Reseeded
    for key in ("b1", "b2"):  # no pre-activation exactly at ReLU's kink (a sample whose units were all dropped)
        net.params[key][...] = 0.1 + rng.random(net.params[key].shape)
    grads, num = net.gradient(x, t), net.numerical_gradient(x, t)
    for key in grads:
        assert relative_error(grads[key], num[key]) < GRADIENT_CHECK_TOL, key


def test_extend_predicts_in_test_mode_by_default(rng):
    x, t = _data(rng, n=50)
    net = MultiLayerNetExtend(D, [20], C, use_dropout=True, dropout_ration=0.5, use_batchnorm=True, seed=0)
    net.gradient(x, t)  # one training pass sets the running averages
    assert np.array_equal(net.predict(x), net.predict(x))  # deterministic: no dropout, running averages
    assert not np.array_equal(net.predict(x, train_flg=True), net.predict(x, train_flg=True))
    assert net.accuracy(x, t) == net.accuracy(x, np.eye(C)[t])  # both label forms
    with pytest.raises(ShapeError, match=r"MultiLayerNetExtend: x has shape \(5,\).*reshape"):
        net.predict(np.ones(D))
    with pytest.raises(ValueError, match="activation"):
        MultiLayerNetExtend(D, [H], C, activation="tanh")


def test_extend_layers_hold_the_params_arrays(rng):
    net = MultiLayerNetExtend(D, [H], C, use_batchnorm=True, seed=0)
    assert net.layers["Affine1"].W is net.params["W1"]
    assert net.layers["BatchNorm1"].gamma is net.params["gamma1"]


# ---------------------------------------------------------------- util
def test_smooth_curve_keeps_the_length_and_removes_noise(rng):
    noisy = np.linspace(2, 0, 300) + 0.3 * rng.standard_normal(300)
    smooth = smooth_curve(noisy)
    assert smooth.shape == (300,)
    assert np.std(np.diff(smooth)) < 0.3 * np.std(np.diff(noisy))
    assert np.allclose(smooth_curve(np.full(50, 1.5)), 1.5)  # a constant stays put, also at the ends
    short = [1.0, 2.0, 3.0]
    assert smooth_curve(short).tolist() == short
    with pytest.raises(ValueError, match="1-d"):
        smooth_curve(np.ones((3, 20)))


def test_shuffle_dataset_keeps_pairs_together_and_is_seeded(rng):
    x = np.arange(24, dtype=float).reshape(6, 1, 2, 2)  # images: any number of dimensions
    t = np.arange(6) * 10
    x_before, t_before = x.copy(), t.copy()
    xs, ts = shuffle_dataset(x, t, seed=1)
    assert np.array_equal(x, x_before) and np.array_equal(t, t_before)
    assert np.array_equal(xs[:, 0, 0, 0] / 4 * 10, ts)  # each image still has its label
    assert sorted(ts.tolist()) == t.tolist() and ts.tolist() != t.tolist()
    assert np.array_equal(shuffle_dataset(x, t, seed=1)[1], ts)
    with pytest.raises(ValueError, match="same number of samples"):
        shuffle_dataset(x, t[:5])


def test_split_validation_is_a_seeded_partition_of_the_training_set():
    x = np.arange(50, dtype=float).reshape(25, 2)
    t = np.arange(25)
    (x_tr, t_tr), (x_val, t_val) = split_validation(x, t, validation_rate=0.2, seed=3)
    assert len(x_val) == 5 and len(x_tr) == 20
    assert sorted(t_tr.tolist() + t_val.tolist()) == list(range(25))  # disjoint, and nothing lost
    assert np.array_equal(x_val[:, 0] / 2, t_val) and np.array_equal(x_tr[:, 0] / 2, t_tr)
    assert t_val.tolist() != list(range(5))  # random, not the first five
    (_, _), (_, again) = split_validation(x, t, validation_rate=0.2, seed=3)
    assert np.array_equal(again, t_val)
    with pytest.raises(ValueError, match="validation_rate"):
        split_validation(x, t, validation_rate=0.01)


# ---------------------------------------------------------------- Trainer: validation and early stopping
class ScriptedNet:
    """A stand-in network with one parameter w that SGD (lr 1) moves by +1 per step. Its scores make the
    validation loss smallest at w = best; ``layer`` holds the parameter array, as an Affine layer would."""

    def __init__(self, best=3.0):
        self.params = {"W1": np.zeros((1, 2))}
        self.layer = self.params["W1"]
        self.best = best
        self.predict_flags = []

        class _Last:
            loss = 0.0
        self.last_layer = _Last()

    def gradient(self, x, t):
        return {"W1": -np.ones((1, 2))}

    def predict(self, x, train_flg=False):
        self.predict_flags.append(train_flg)
        w = self.params["W1"][0, 0]
        return np.tile([-(w - self.best) ** 2, -1.0], (len(x), 1))  # class 0 is right; most likely at w = best

    def accuracy(self, x, t):
        return float(self.params["W1"][0, 0])  # records w, so the history shows what was restored


def _trainer(net, epochs=10, **kw):
    x = np.zeros((4, 1))
    t = np.zeros(4, dtype=int)
    return Trainer(net, x, t, x_val=x, t_val=t, epochs=epochs, mini_batch_size=4, optimizer="SGD",
                   optimizer_param={"lr": 1.0}, seed=0, progress=False, **kw)


def test_validation_history_holds_the_cross_entropy_of_test_mode_predictions():
    net = ScriptedNet()
    tr = _trainer(net, epochs=3)
    h = tr.train()
    assert len(h["val_loss"]) == len(h["val_acc"]) == 3
    for epoch, loss in enumerate(h["val_loss"], start=1):
        scores = np.array([[-(epoch - 3.0) ** 2, -1.0]])
        assert np.isclose(loss, cross_entropy_error(softmax(scores), [0]))
    assert set(net.predict_flags) == {False}  # evaluated with train_flg=False
    assert tr.best_epoch == 3 and tr.stopped_epoch is None


def test_early_stopping_stops_after_patience_and_restores_the_best_epoch_in_place():
    net = ScriptedNet(best=3.0)
    array = net.params["W1"]
    tr = _trainer(net, epochs=20, patience=2)
    h = tr.train()
    assert tr.best_epoch == 3 and tr.stopped_epoch == 5  # epochs 4 and 5 did not improve
    assert len(h["val_loss"]) == 5 and h["train_acc"] == [1.0, 2.0, 3.0, 4.0, 5.0]
    assert net.params["W1"] is array and np.all(net.layer == 3.0)  # restored into the same array


def test_early_stopping_can_watch_the_validation_accuracy():
    class AccNet(ScriptedNet):
        def accuracy(self, x, t):  # best validation accuracy at w = 2
            return -abs(float(self.params["W1"][0, 0]) - 2.0)

    net = AccNet(best=100.0)  # the loss keeps falling, the accuracy peaks at epoch 2
    tr = _trainer(net, epochs=20, patience=3, monitor="val_acc")
    tr.train()
    assert tr.best_epoch == 2 and tr.stopped_epoch == 5 and np.all(net.params["W1"] == 2.0)


def test_early_stopping_restores_batchnorm_running_averages(rng):
    x, t = _data(rng, n=40)
    net = MultiLayerNetExtend(D, [H], C, use_batchnorm=True, seed=0)
    tr = Trainer(net, x, t, x_val=x[:10], t_val=t[:10], epochs=6, mini_batch_size=10, optimizer="SGD",
                 optimizer_param={"lr": 0.1}, seed=0, progress=False, patience=100)
    saved = {}

    def remember(trainer):
        saved[trainer.current_epoch] = (net.layers["BatchNorm1"].running_mean.copy(), net.params["W1"].copy())

    tr.callbacks.append(remember)
    tr.train()
    mean, W1 = saved[tr.best_epoch]
    assert np.array_equal(net.layers["BatchNorm1"].running_mean, mean) and np.array_equal(net.params["W1"], W1)


def test_a_callback_can_stop_training():
    def stop_at_2(trainer):
        trainer.stop_training = trainer.current_epoch == 2
    tr = _trainer(ScriptedNet(), epochs=10, callbacks=[stop_at_2])
    tr.train()
    assert tr.stopped_epoch == 2 and len(tr.history["train_acc"]) == 2


def test_early_stopping_settings_are_checked():
    x = np.zeros((4, 1))
    t = np.zeros(4, dtype=int)
    with pytest.raises(ValueError, match="validation set.*split_validation"):
        Trainer(ScriptedNet(), x, t, patience=3)
    with pytest.raises(ValueError, match="patience"):
        _trainer(ScriptedNet(), patience=0)
    with pytest.raises(ValueError, match="monitor"):
        _trainer(ScriptedNet(), monitor="test_acc")


def test_trainer_trains_extend_with_dropout_reproducibly(mnist):
    (x_train, t_train), _ = mnist
    (x_tr, t_tr), (x_val, t_val) = split_validation(x_train[:600], t_train[:600], 0.2, seed=0)

    def run():
        net = MultiLayerNetExtend(784, [50, 50], 10, use_dropout=True, dropout_ration=0.2, seed=1, dtype=np.float32)
        tr = Trainer(net, x_tr, t_tr, x_val=x_val, t_val=t_val, epochs=8, mini_batch_size=50, optimizer="Adam",
                     optimizer_param={"lr": 0.002}, seed=2, progress=False)
        return tr.train()

    a, b = run(), run()
    assert a["val_loss"] == b["val_loss"]
    assert a["val_acc"][-1] > 0.75 and a["val_loss"][-1] < a["val_loss"][0]
