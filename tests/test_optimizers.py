"""Optimizers: one step by hand, convergence on a quadratic, in-place updates, no mutation of grads."""
import numpy as np
import pytest

from course_lib.optimizers import SGD, AdaGrad, Adam, Momentum, make_optimizer


def quad_grad(p):
    return {"W1": 2 * p["W1"], "b1": 2 * p["b1"]}


def test_sgd_step():
    p = {"W1": np.array([1.0, -2.0]), "b1": np.array([0.5])}
    W = p["W1"]
    SGD(lr=0.1).update(p, quad_grad(p))
    assert p["W1"] is W  # in place: layers holding W see the update
    assert np.allclose(p["W1"], [0.8, -1.6]) and np.allclose(p["b1"], [0.4])


def test_momentum_two_steps():
    p = {"W1": np.array([1.0]), "b1": np.array([0.0])}
    opt = Momentum(lr=0.1, momentum=0.9)
    opt.update(p, {"W1": np.array([1.0]), "b1": np.array([0.0])})
    assert np.allclose(p["W1"], 0.9)
    opt.update(p, {"W1": np.array([1.0]), "b1": np.array([0.0])})
    assert np.allclose(p["W1"], 0.9 - (0.9 * 0.1 + 0.1))


def test_adagrad_first_step_is_lr_sized():
    p = {"W1": np.array([1.0, -1.0]), "b1": np.array([0.0])}
    AdaGrad(lr=0.1).update(p, {"W1": np.array([4.0, -0.01]), "b1": np.array([0.0])})
    assert np.allclose(p["W1"], [0.9, -0.9], atol=1e-4)


def test_adam_matches_reference_formula():
    rng = np.random.default_rng(0)
    w = rng.standard_normal(3)
    p = {"W1": w.copy(), "b1": np.zeros(1)}
    opt = Adam(lr=0.01)
    m = np.zeros(3)
    v = np.zeros(3)
    ref = w.copy()
    for i in range(1, 6):
        g = 2 * ref
        m = 0.9 * m + 0.1 * g
        v = 0.999 * v + 0.001 * g * g
        m_hat = m / (1 - 0.9 ** i)
        v_hat = v / (1 - 0.999 ** i)
        # Kingma & Ba's bias-corrected step; the book folds the correction into lr, which moves
        # its epsilon to 1e-7 / sqrt(1 - beta2**i) in this form
        ref = ref - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-7 / np.sqrt(1 - 0.999 ** i))
        opt.update(p, {"W1": 2 * p["W1"], "b1": np.zeros(1)})
    assert np.allclose(p["W1"], ref, rtol=1e-4)


@pytest.mark.parametrize("name,lr", [("SGD", 0.1), ("Momentum", 0.05), ("AdaGrad", 0.5), ("Adam", 0.1)])
def test_all_optimizers_minimise_a_quadratic(name, lr):
    p = {"W1": np.array([3.0, -4.0]), "b1": np.array([1.0])}
    opt = make_optimizer(name, lr=lr)
    for _ in range(300):
        opt.update(p, quad_grad(p))
    assert np.linalg.norm(p["W1"]) < 0.05 and abs(p["b1"][0]) < 0.05


def test_optimizers_do_not_modify_grads():
    for opt in (SGD(), Momentum(), AdaGrad(), Adam()):
        p = {"W1": np.ones(2), "b1": np.ones(1)}
        g = {"W1": np.array([0.5, -0.5]), "b1": np.array([1.0])}
        g0 = {k: v.copy() for k, v in g.items()}
        opt.update(p, g)
        assert all(np.array_equal(g[k], g0[k]) for k in g)


def test_make_optimizer_errors():
    with pytest.raises(ValueError, match="unknown optimizer"):
        make_optimizer("RMSpropp")
    o = SGD()
    assert make_optimizer(o) is o


@pytest.mark.parametrize("name", ["SGD", "Momentum", "AdaGrad", "Adam"])
@pytest.mark.parametrize("lr", [0.01, np.float64(0.01)])
def test_updates_are_in_place_and_keep_float32(name, lr):
    """Layers hold the same arrays as params: an update must change them in place and keep their dtype
    (NumPy 2 turns float32 * NumPy float64 scalar into float64; the update must not leak that into params)."""
    rng = np.random.default_rng(0)
    p = {"W1": rng.standard_normal((4, 3)).astype(np.float32), "b1": np.zeros(3, dtype=np.float32)}
    held = dict(p)  # what a layer holds
    opt = make_optimizer(name, lr=lr)
    for _ in range(3):
        opt.update(p, {"W1": rng.standard_normal((4, 3)).astype(np.float32), "b1": np.ones(3, dtype=np.float32)})
    assert all(p[k] is held[k] for k in p)
    assert all(p[k].dtype == np.float32 for k in p)
    assert not np.array_equal(p["b1"], np.zeros(3))


def test_adam_is_the_books_update():
    """The book's three lines, step by step (common/optimizer.py)."""
    rng = np.random.default_rng(1)
    w = rng.standard_normal(4)
    p = {"W1": w.copy()}
    opt = Adam(lr=0.01, beta1=0.8, beta2=0.99)
    m, v, ref = np.zeros(4), np.zeros(4), w.copy()
    for i in range(1, 4):
        g = rng.standard_normal(4)
        lr_t = 0.01 * np.sqrt(1.0 - 0.99 ** i) / (1.0 - 0.8 ** i)
        m += (1 - 0.8) * (g - m)
        v += (1 - 0.99) * (g ** 2 - v)
        ref -= lr_t * m / (np.sqrt(v) + 1e-7)
        opt.update(p, {"W1": g})
    np.testing.assert_allclose(p["W1"], ref, rtol=1e-12)
    assert opt.iter == 3
