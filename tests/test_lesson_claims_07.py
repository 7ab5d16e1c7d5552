"""The claims the text of notebook 07 and its appendix A1 state, one test each.

Notebook 07 prints every figure it quotes, and its checked cells (compared by nbval on every run) print the claims
that need a trained network (97 %, the gap, the update rules' order, the initialisations' order, the shift and the
shuffled pixels). The tests here guard the claims that are cheap to recompute with the same ``course_lib`` code, and
that A1's quoted benchmark figures are the README's.
"""
import math
import re
from pathlib import Path

import numpy as np
import pytest

from course_lib.interactive.initialization import activation_rms, per_layer_factor
from course_lib.networks import TwoLayerNet
from course_lib.training import Trainer

ROOT = Path(__file__).resolve().parent.parent


def test_07_sampling_with_replacement_misses_about_a_third():
    """§1: 'about a third (e^-1 ≈ 37 %) not at all'; one shuffle per epoch uses every image."""
    rng = np.random.default_rng(0)
    seen = len(np.unique(rng.choice(60000, size=60000))) / 60000
    assert seen == pytest.approx(1 - math.exp(-1), abs=0.01)
    assert len(np.unique(rng.permutation(60000))) == 60000


def test_07_one_hundredth_shrinks_the_signal_tenfold_per_layer():
    """§6: '0.01 shrinks the signal about tenfold at every layer' (ReLU, 200 units)."""
    assert per_layer_factor(activation_rms("relu", 0.01)) == pytest.approx(0.1, abs=0.02)


def test_07_xavier_loses_sqrt2_per_relu_layer_and_he_keeps_the_spread():
    """§6: 'with ReLU it shrinks by about √2 per layer' (Xavier); 'with ReLU the spread stays level' (He)."""
    assert per_layer_factor(activation_rms("relu", "xavier")) == pytest.approx(1 / math.sqrt(2), abs=0.04)
    assert per_layer_factor(activation_rms("relu", "he")) == pytest.approx(1.0, abs=0.05)


def test_07_xavier_keeps_the_spread_for_tanh_shrinking_less_with_every_layer():
    """§6: 'Xavier keeps the spread for tanh: it shrinks a little in the first layers ... and less with every layer'."""
    rms = activation_rms("tanh", "xavier", layers=8)
    ratios = rms[1:] / rms[:-1]
    assert ratios[-1] > 0.9 and ratios[0] < ratios[-1]
    assert np.all(np.diff(ratios[:4]) > 0)  # the shrinking slows down layer after layer
    assert per_layer_factor(rms) > per_layer_factor(activation_rms("relu", "xavier", layers=8)) + 0.1


def test_07_big_batches_need_four_times_fewer_iterations():
    """§7: batch 32 for 10 epochs is 18,750 iterations, batch 128 is 4,690: 'four times fewer iterations'."""
    x, t = np.zeros((60000, 2), dtype=np.float32), np.arange(60000) % 2
    net = TwoLayerNet(2, 3, 2, seed=0)
    notes, fast = (Trainer(net, x, t, epochs=10, mini_batch_size=b, progress=False).max_iter for b in (32, 128))
    assert (notes, fast) == (18750, 4690)
    assert round(notes / fast) == 4


def test_07_update_rules_momentum_and_adagrad_start_fastest(mnist):
    """§5 and the summary: after two epochs on 10,000 images Momentum and AdaGrad are ahead of SGD, and Adam at
    lr 0.001 is level with SGD at lr 0.1 (within 2 points)."""
    from course_lib.interactive.trainer_ui import compare_runs

    (x_train, t_train), (x_test, t_test) = mnist
    data = ((x_train[:10000], t_train[:10000]), (x_test[:2000], t_test[:2000]))
    runs = {"SGD": {"optimizer": "SGD", "lr": 0.1}, "Momentum": {"optimizer": "Momentum", "lr": 0.05},
            "AdaGrad": {"optimizer": "AdaGrad", "lr": 0.05}, "Adam": {"optimizer": "Adam", "lr": 0.001}}
    acc = {name: r["final_test_acc"] for name, r in compare_runs(runs, data=data, epochs=2)["runs"].items()}
    assert acc["Momentum"] > acc["SGD"] and acc["AdaGrad"] > acc["SGD"]
    assert abs(acc["Adam"] - acc["SGD"]) < 0.02


def test_A1_quotes_the_readme_speed_figures():
    """A1 §10 quotes the README's "Speed" table: every figure it quotes is there (a rerun of the benchmark that
    changes the README must change the appendix too)."""
    import nbformat

    readme = (ROOT / "README.md").read_text()
    nb = nbformat.read(ROOT / "notebooks" / "A1_speed.ipynb", as_version=4)
    table = next(c.source for c in nb.cells if c.cell_type == "markdown" and "| benchmark |" in c.source)
    figures = re.findall(r"\d+\.\d+–\d+\.\d+ s|\d+\.\d+ s|0\.\d{4}|\d\.\d+ ×", table)
    assert len(figures) >= 10, figures
    missing = [f for f in figures if f.replace(" ×", "×") not in readme.replace(" ×", "×")]
    assert not missing, f"A1 quotes figures that the README's Speed table does not have: {missing}"
