"""SimpleConvNet (course_lib.simple_convnet): the book's chapter-7 network, its gradients, its .npz weights."""
import warnings
import zipfile

import numpy as np
import pytest

from course_lib.convolution import ShapeError
from course_lib.functions import cross_entropy_error, softmax
from course_lib.gradient import relative_error
from course_lib.simple_convnet import SimpleConvNet, npz_path, shipped_params
from course_lib.training import Trainer

SMALL = dict(input_dim=(2, 8, 6), conv_param={"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1},
             hidden_size=7, output_size=4, weight_init_std=0.3)


def test_the_book_network_has_the_books_shapes():
    net = SimpleConvNet(seed=0)
    shapes = {k: v.shape for k, v in net.params.items()}
    assert shapes == {"W1": (30, 1, 5, 5), "b1": (30,), "W2": (30 * 12 * 12, 100), "b2": (100,), "W3": (100, 10),
                      "b3": (10,)}
    assert list(net.layers) == ["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"]
    assert np.isclose(net.params["W2"].std(), 0.01, rtol=0.05) and not net.params["b1"].any()


def test_the_seed_makes_the_weights_reproducible_and_dtype_sets_every_parameter():
    a, b, c = SimpleConvNet(seed=3), SimpleConvNet(seed=3), SimpleConvNet(seed=4)
    assert all(np.array_equal(a.params[k], b.params[k]) for k in a.params)
    assert not np.array_equal(a.params["W1"], c.params["W1"])
    f = SimpleConvNet(seed=3, dtype=np.float32)
    assert all(v.dtype == np.float32 for v in f.params.values())
    x = np.random.default_rng(0).random((3, 1, 28, 28), dtype=np.float32)
    assert f.predict(x).dtype == np.float32 and f.gradient(x, np.array([1, 2, 3]))["W1"].dtype == np.float32


def test_he_initialisation_scales_each_layer_by_its_inputs():
    net = SimpleConvNet(weight_init_std="he", seed=0)
    assert np.isclose(net.params["W1"].std(), np.sqrt(2 / 25), rtol=0.15)
    assert np.isclose(net.params["W2"].std(), np.sqrt(2 / 4320), rtol=0.05)


@pytest.mark.parametrize("input_dim,conv_param", [
    ((2, 8, 6), {"filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}),
    ((2, 13, 9), {"filter_num": 4, "filter_size": 3, "pad": 0, "stride": 2}),
    ((3, 11, 7), {"filter_num": 2, "filter_size": 3, "pad": 1, "stride": 2}),
])
def test_backprop_matches_the_numerical_gradient(input_dim, conv_param):
    rng = np.random.default_rng(1)
    net = SimpleConvNet(input_dim=input_dim, conv_param=conv_param, hidden_size=7, output_size=4,
                        weight_init_std=0.3, seed=1)
    x = rng.standard_normal((5, *input_dim))
    t = rng.integers(0, 4, 5)
    grads, num = net.gradient(x, t), net.numerical_gradient(x, t)
    assert set(grads) == set(num) == set(net.params)
    for key in net.params:
        assert grads[key].shape == net.params[key].shape
        assert relative_error(grads[key], num[key]) < 1e-6, key


def test_loss_is_softmax_cross_entropy_and_accepts_one_hot_labels():
    rng = np.random.default_rng(2)
    net = SimpleConvNet(**SMALL, seed=2)
    x, t = rng.standard_normal((6, 2, 8, 6)), rng.integers(0, 4, 6)
    expected = cross_entropy_error(softmax(net.predict(x)), t)
    assert np.isclose(net.loss(x, t), expected, rtol=1e-6)
    assert np.isclose(net.loss(x, np.eye(4)[t]), net.loss(x, t))


def test_accuracy_counts_every_image_also_the_last_short_batch():
    rng = np.random.default_rng(3)
    net = SimpleConvNet(**SMALL, seed=3)
    x = rng.standard_normal((25, 2, 8, 6))
    pred = np.argmax(net.predict(x), axis=1)
    t = pred.copy()
    t[:5] = (t[:5] + 1) % 4   # 5 wrong, 20 right
    assert net.accuracy(x, t, batch_size=10) == 20 / 25
    assert net.accuracy(x, np.eye(4)[t], batch_size=7) == 20 / 25
    t[-1] = (t[-1] + 1) % 4   # one more wrong, in the last (short) batch
    assert net.accuracy(x, t, batch_size=10) == 19 / 25


def test_bad_inputs_and_settings_give_clear_errors():
    net = SimpleConvNet(seed=0)
    with pytest.raises(ShapeError, match=r"SimpleConvNet: x has shape \(2, 784\).*reshape\(-1, \*\(1, 28, 28\)\)"):
        net.predict(np.zeros((2, 784)))
    with pytest.raises(ShapeError, match=r"SimpleConvNet: x has shape \(2, 28, 28, 1\), expected images \(N, 1, 28, 28\).*x.transpose\(0, 3, 1, 2\)"):
        net.predict(np.zeros((2, 28, 28, 1)))
    with pytest.raises(ShapeError, match=r"SimpleConvNet\(input_dim=\(1, 28, 28\).*'filter_size': 4.*even"):
        SimpleConvNet(conv_param={"filter_size": 4})   # 25 x 25 cannot be pooled 2x2
    with pytest.raises(ValueError, match="unknown conv_param keys"):
        SimpleConvNet(conv_param={"filter_nums": 10})


def test_conv_param_keys_left_out_keep_the_books_values():
    net = SimpleConvNet(conv_param={"filter_num": 8}, seed=0)
    assert net.params["W1"].shape == (8, 1, 5, 5) and net.params["W2"].shape == (8 * 12 * 12, 100)


def test_save_and_load_use_npz_never_pickle(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    net = SimpleConvNet(**SMALL, seed=5)
    with pytest.warns(UserWarning, match=r"wrote params.npz \(NumPy .npz, not a pickle\) instead of params.pkl"):
        written = net.save_params()                      # the book's default name, params.pkl
    assert written == npz_path("params.pkl") and written.name == "params.npz"
    assert not (tmp_path / "params.pkl").exists() and not list(tmp_path.glob(".*.tmp"))
    (tmp_path / "plain").write_bytes(b"")
    assert written.stat().st_mode == (tmp_path / "plain").stat().st_mode, "the permissions of any file one writes"
    with zipfile.ZipFile(written) as z:                   # an .npz: one .npy per parameter
        assert sorted(z.namelist()) == sorted(f"{k}.npy" for k in net.params)
    with np.load(written, allow_pickle=False) as f:
        assert all(np.array_equal(f[k], v) for k, v in net.params.items())

    other = SimpleConvNet(**SMALL, seed=6, dtype=np.float32)
    W2 = other.params["W2"]
    assert other.load_params("params.pkl") == written    # reads params.npz
    assert other.params["W2"] is W2 and other.layers["Affine1"].W is W2, "loaded in place: the layers see it"
    assert all(np.allclose(other.params[k], net.params[k]) for k in net.params)
    assert other.params["W1"].dtype == np.float32
    x = np.random.default_rng(0).standard_normal((3, 2, 8, 6))
    assert np.allclose(other.predict(x), net.predict(x), atol=1e-5)

    with warnings.catch_warnings():
        warnings.simplefilter("error")                    # a .npz name is used as it is, without a warning
        assert net.save_params(tmp_path / "sub" / "w.npz") == tmp_path / "sub" / "w.npz"


def test_load_params_refuses_pickles_missing_keys_and_other_shapes(tmp_path):
    net = SimpleConvNet(**SMALL, seed=5)
    (tmp_path / "book.pkl").write_bytes(b"\x80\x04not really a pickle")
    with pytest.raises(FileNotFoundError, match=r"book.npz.*book.pkl is a pickle, which is never loaded"):
        net.load_params(tmp_path / "book.pkl")
    np.savez(tmp_path / "partial.npz", W1=net.params["W1"])
    with pytest.raises(KeyError, match=r"has no W2, W3, b1, b2, b3"):
        net.load_params(tmp_path / "partial.npz")
    SimpleConvNet(seed=0).save_params(tmp_path / "big.npz")
    with pytest.raises(ShapeError, match=r"W1 in .*big.npz has shape \(30, 1, 5, 5\), but this network's W1 has "
                                         r"shape \(3, 2, 3, 3\)"):
        net.load_params(tmp_path / "big.npz")


def test_the_course_trainer_trains_it(mnist):
    (x_train, t_train), (x_test, t_test) = mnist
    x_train, x_test = x_train[:500].reshape(-1, 1, 28, 28), x_test[:200].reshape(-1, 1, 28, 28)
    net = SimpleConvNet(conv_param={"filter_num": 8}, hidden_size=32, weight_init_std="he", seed=0,
                        dtype=np.float32)
    trainer = Trainer(net, x_train, t_train[:500], x_test, t_test[:200], epochs=3, mini_batch_size=50,
                      optimizer="Adam", optimizer_param={"lr": 0.003}, seed=0, progress=False,
                      evaluate_sample_num_per_epoch=200)
    history = trainer.train()
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert history["test_acc"][-1] > 0.7


def test_the_shipped_weights_reach_98_5_percent_on_the_mnist_test_set(mnist):
    assert shipped_params().stat().st_size < 3 * 2**20
    with np.load(shipped_params(), allow_pickle=False) as f:
        assert sorted(f.files) == ["W1", "W2", "W3", "b1", "b2", "b3"]
        assert all(f[k].dtype == np.float32 for k in f.files)
    net = SimpleConvNet(dtype=np.float32)
    net.load_params(shipped_params())
    _, (x_test, t_test) = mnist
    assert net.accuracy(x_test.reshape(-1, 1, 28, 28), t_test, batch_size=1000) >= 0.985
