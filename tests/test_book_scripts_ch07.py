"""The book's chapter-7 scripts run with only their imports pointed at course_lib (tests/book_scripts/ch07/).

The files are the course's copies of the scripts' essential lines; each file's header says what else changed
(smaller data, a stand-in for a photo the course does not ship). Each runs in a temporary folder, as the book's
scripts run in ch07/, where the book ships ``params.pkl``: here the course's trained weights, as ``params.npz``.
"""
import importlib.util
import runpy
import shutil
import warnings
from pathlib import Path

import numpy as np
import pytest

from course_lib.convolution import Convolution
from course_lib.simple_convnet import shipped_params

SCRIPTS = Path(__file__).resolve().parent / "book_scripts" / "ch07"


def run_script(name: str, folder: Path, monkeypatch) -> dict:
    monkeypatch.chdir(folder)
    return runpy.run_path(str(SCRIPTS / name), run_name="__main__")


@pytest.fixture
def ch07(tmp_path):
    """A folder like the book's ch07/: the trained weights under the book's name (as .npz)."""
    shutil.copy(shipped_params(), tmp_path / "params.npz")
    return tmp_path


def test_gradient_check(ch07, monkeypatch):
    """The script draws its weights and input at random. With weights of 0.01, some ReLU inputs and some pooling
    windows' two largest values lie within h = 1e-4 of each other for many draws, and central differences across
    such a kink are off by up to 1e-5 (the book's check has the same weakness). Seed 0 has no kink, so the printed
    differences must all be rounding-sized."""
    default_rng = np.random.default_rng
    monkeypatch.setattr(np.random, "default_rng", lambda seed=None: default_rng(0 if seed is None else seed))
    np.random.seed(0)
    g = run_script("gradient_check.py", ch07, monkeypatch)
    assert set(g["grad"]) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    for key in g["grad"]:
        # the loss's delta (as in the book) leaves ~1e-7 between the two: course_lib.gradient.GRADIENT_CHECK_TOL
        assert np.abs(g["grad_num"][key] - g["grad"][key]).mean() < 1e-6, key


def test_visualize_filter_loads_the_trained_weights(ch07, monkeypatch):
    g = run_script("visualize_filter.py", ch07, monkeypatch)
    with np.load(ch07 / "params.npz", allow_pickle=False) as f:
        assert np.array_equal(g["network"].params["W1"], f["W1"])


def test_apply_filter(ch07, monkeypatch, mnist):
    g = run_script("apply_filter.py", ch07, monkeypatch)
    W1, img = g["network"].params["W1"], g["img"]
    assert img.shape == (1, 1, 28, 28) and len(g["outputs"]) == 16
    for i in (0, 15):
        expected = Convolution(W1[i:i + 1], np.zeros(1)).forward(img)[0, 0]
        assert g["outputs"][i].shape == (24, 24) and np.allclose(g["outputs"][i], expected)


@pytest.mark.skipif(importlib.util.find_spec("course_lib.common.trainer") is None,
                    reason="course_lib.common.trainer (the book's common/trainer.py name) is not in this checkout")
def test_train_convnet_trains_and_saves_npz(ch07, monkeypatch, mnist):
    (ch07 / "params.npz").unlink()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        g = run_script("train_convnet.py", ch07, monkeypatch)
    assert (ch07 / "params.npz").is_file() and not (ch07 / "params.pkl").exists()
    assert any("wrote params.npz" in str(w.message) for w in caught)
    assert len(g["trainer"].train_acc_list) == 1 and g["trainer"].current_iter == 5
    with np.load(ch07 / "params.npz", allow_pickle=False) as f:
        assert np.array_equal(f["W1"], g["network"].params["W1"])
