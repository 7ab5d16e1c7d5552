"""Networks: backprop gradients against numerical gradients, shapes, both label forms, errors."""
import numpy as np
import pytest

from course_lib.gradient import GRADIENT_CHECK_TOL, check_network_gradients
from course_lib.layers import Affine, ShapeError
from course_lib.networks import MultiLayerNet, TwoLayerNet, init_std, predict_with_weights


def _worst(errors):
    return max(e["relative"] for e in errors.values())


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("one_hot", [False, True])
def test_two_layer_net_gradient_matches_numerical(activation, one_hot):
    rng = np.random.default_rng(3)
    net = TwoLayerNet(input_size=6, hidden_size=5, output_size=4, weight_init_std=0.5, activation=activation, seed=1)
    x = rng.standard_normal((7, 6))
    t = rng.integers(0, 4, 7)
    if one_hot:
        t = np.eye(4)[t]
    errors = check_network_gradients(net, x, t, verbose=False)
    assert set(errors) == {"W1", "b1", "W2", "b2"}
    assert _worst(errors) < GRADIENT_CHECK_TOL, errors


def test_multi_layer_net_gradient_with_weight_decay():
    rng = np.random.default_rng(4)
    net = MultiLayerNet(5, [4, 3], 3, activation="sigmoid", weight_init_std="xavier", weight_decay_lambda=0.1, seed=2)
    x = rng.standard_normal((6, 5))
    t = rng.integers(0, 3, 6)
    errors = check_network_gradients(net, x, t, verbose=False)
    assert set(errors) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert _worst(errors) < GRADIENT_CHECK_TOL, errors


@pytest.mark.parametrize("make", [lambda: TwoLayerNet(5, 4, 3, seed=0),
                                  lambda: MultiLayerNet(5, [4, 4], 3, seed=0)])
def test_only_the_first_affine_layer_skips_dx(make):
    """gradient() is the book's reversed loop; the first layer, built with needs_dx=False, returns no dx."""
    net = make()
    affines = [layer for layer in net.layers.values() if isinstance(layer, Affine)]
    assert [a.needs_dx for a in affines] == [False] + [True] * (len(affines) - 1)
    calls = []
    for layer in net.layers.values():
        real = layer.backward
        layer.backward = lambda dout, real=real, layer=layer: calls.append(layer) or real(dout)
    net.gradient(np.ones((2, 5)), np.array([0, 2]))
    assert calls == list(net.layers.values())[::-1]  # every layer once, last to first


def test_a_float32_network_computes_in_float32():
    net = MultiLayerNet(6, [5], 3, seed=0, dtype=np.float32)
    x = np.random.default_rng(0).standard_normal((4, 6)).astype(np.float32)
    grads = net.gradient(x, np.array([0, 1, 2, 0]))
    assert all(g.dtype == np.float32 for g in grads.values())


def test_two_layer_net_shapes_and_book_interface():
    net = TwoLayerNet(784, 50, 10, seed=0)
    assert {k: v.shape for k, v in net.params.items()} == {"W1": (784, 50), "b1": (50,), "W2": (50, 10), "b2": (10,)}
    assert 0.005 < net.params["W1"].std() < 0.015 and not net.params["b1"].any()
    x = np.random.default_rng(0).random((3, 784))
    assert net.predict(x).shape == (3, 10)
    grads = net.gradient(x, np.array([1, 2, 3]))
    assert {k: v.shape for k, v in grads.items()} == {k: v.shape for k, v in net.params.items()}
    # ten classes, tiny weights: the loss starts near log(10)
    assert net.loss(x, np.array([1, 2, 3])) == pytest.approx(np.log(10), abs=0.05)


def test_seed_makes_init_reproducible_and_dtype_is_respected():
    a = TwoLayerNet(4, 3, 2, seed=7)
    b = TwoLayerNet(4, 3, 2, seed=7)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    c = TwoLayerNet(4, 3, 2, seed=7, dtype=np.float32)
    assert c.params["W1"].dtype == np.float32
    assert c.predict(np.ones((2, 4), dtype=np.float32)).dtype == np.float32


def test_accuracy_both_label_forms():
    net = TwoLayerNet(2, 3, 2, seed=0)
    x = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    pred = np.argmax(net.predict(x), axis=1)
    assert net.accuracy(x, pred) == 1.0
    assert net.accuracy(x, np.eye(2)[pred]) == 1.0
    assert net.accuracy(x, 1 - pred) == 0.0
    assert net.accuracy(x, pred, batch_size=2) == 1.0  # batching does not change the answer


def test_optimizer_updates_reach_the_layers():
    from course_lib.optimizers import SGD

    net = TwoLayerNet(3, 4, 2, weight_init_std=1.0, seed=0)
    x = np.random.default_rng(1).standard_normal((5, 3))
    t = np.array([0, 1, 0, 1, 1])
    before = net.loss(x, t)
    for _ in range(50):
        SGD(lr=0.5).update(net.params, net.gradient(x, t))
    assert net.loss(x, t) < before * 0.5  # the layers see the in-place updates


def test_network_shape_errors_are_clear():
    net = TwoLayerNet(784, 50, 10, seed=0)
    with pytest.raises(ShapeError, match=r"TwoLayerNet.*\(784,\).*\(N, 784\).*reshape"):
        net.predict(np.zeros(784))
    with pytest.raises(ShapeError, match=r"\(5, 28, 28\)"):
        net.predict(np.zeros((5, 28, 28)))
    with pytest.raises(ValueError, match=r"\(4,\).*\(2, 10\)"):
        net.loss(np.zeros((2, 784)), np.zeros(4, dtype=int))


def test_init_std_rules():
    assert init_std(0.01, 100) == 0.01
    assert init_std("xavier", 100) == pytest.approx(0.1)
    assert init_std("He", 50) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="xavier"):
        init_std("glorot-ish", 10)
    with pytest.raises(ValueError, match="activation"):
        TwoLayerNet(2, 2, 2, activation="tanhh")


def test_predict_with_weights_matches_multilayer_net():
    net = MultiLayerNet(6, [5, 4], 3, activation="sigmoid", weight_init_std="xavier", seed=5)
    x = np.random.default_rng(5).standard_normal((4, 6))
    from course_lib.functions import softmax

    assert np.allclose(predict_with_weights(net.params, x), softmax(net.predict(x)))
    assert np.allclose(predict_with_weights(net.params, x[0]), softmax(net.predict(x[:1]))[0])
    with pytest.raises(ShapeError, match=r"\(4, 7\)"):
        predict_with_weights(net.params, np.zeros((4, 7)))


def test_sample_weights_reach_book_accuracy(mnist):
    """The shipped 784-50-100-10 sigmoid network: at least the book's 93.52% on the test set."""
    from course_lib.data import load_sample_weights

    network = load_sample_weights()
    assert {k: v.shape for k, v in network.items()} == {
        "W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,), "W3": (100, 10), "b3": (10,)}
    (_, _), (x_test, t_test) = mnist
    acc = float(np.mean(np.argmax(predict_with_weights(network, x_test), axis=1) == t_test))
    assert acc >= 0.9352, acc
