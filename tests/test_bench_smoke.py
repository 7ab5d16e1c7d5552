"""bench/run.py: every row runs on tiny sizes and returns the keys that make up bench/results.json.

Timing targets live in the benchmark itself (make bench), never in tests.
"""
import importlib.util
import json
import os
import platform
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_course_and_floor_rows_on_tiny_sizes(bench, mnist):
    r = bench.row_twolayer_course(iters=30, n_train=1000)
    assert set(r) == {"course_s", "course_test_acc", "iterations"} and r["iterations"] == 30
    assert r["course_s"] > 0 and 0.3 < r["course_test_acc"] <= 1.0  # 30 SGD steps already learn something
    f = bench.row_twolayer_floor(iters=10)
    assert set(f) == {"floor_s"} and f["floor_s"] > 0
    k = bench.row_keras_setup(epochs=1, n_train=500)
    assert {"course_s", "course_test_acc", "faithful_s", "faithful_test_acc"} <= set(k)
    assert 0.1 < k["course_test_acc"] <= 1.0 and 0.1 < k["faithful_test_acc"] <= 1.0
    assert k["faithful_s"] > 0 and k["course_s"] > 0


def test_convolution_rows_on_tiny_sizes(bench, mnist, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # the torch halves are optional (the bench extra)
    r = bench.row_conv_layer(n_images=4, n_loop=1, repeats=1)
    assert r["loops_s"] > r["im2col_s"] > 0 and np.isclose(r["loops_over_im2col"], r["loops_s"] / r["im2col_s"])
    assert r["torch_s"] == "not installed"
    c = bench.row_convnet_train(epochs=1, n_train=300, n_test=200)
    assert c["iterations"] == 3 and c["course_s"] > 0 and 0 <= c["course_test_acc"] <= 1
    assert c["torch_s"] == c["torch_test_acc"] == "not installed"


def test_torch_row_says_not_installed_without_torch(bench, monkeypatch):
    monkeypatch.setitem(sys.modules, "torch", None)  # makes `import torch` raise ImportError
    assert bench.row_twolayer_torch(iters=5) == {"torch_s": "not installed", "torch_test_acc": "not installed"}


def test_gradients_row_scales_the_sampled_numerical_time(bench, mnist):
    g = bench.row_gradients(sample=10)
    assert g["params"] == 784 * 50 + 50 + 50 * 10 + 10 and g["numerical_params_timed"] == 10
    assert g["numerical_s"] > g["backprop_s"] > 0
    assert np.isclose(g["ratio"], g["numerical_s"] / g["backprop_s"])


def test_the_parent_runs_rows_in_children_and_writes_medians(bench, tmp_path, mnist):
    """Two cheap rows through child processes: medians, config and targets land in the JSON."""
    out = tmp_path / "results.json"
    assert bench.main(["--quick", "--repeats", "2", "--rows", "mnist,twolayer_floor", "--out", str(out)]) == 0
    res = json.loads(out.read_text())
    assert isinstance(res["mnist.cache_load_s"], float) and isinstance(res["twolayer.floor_s"], float)
    assert len(res["twolayer.floor_s_all"]) == 2  # two repeats, their median reported
    assert res["twolayer.floor_s"] == float(np.median(res["twolayer.floor_s_all"]))
    assert res["config"]["threads_requested"] == 1 and "cpu_count" in res["config"]
    assert res["targets"]["MNIST cache: <= 0.3 s"] == (res["mnist.cache_load_s"] <= 0.3)
    assert res["targets"]["twolayer: <= 0.5 x torch"] is None  # not measured in this run


def test_every_required_key_comes_from_some_row(bench):
    required = ["twolayer.course_s", "twolayer.course_test_acc", "twolayer.torch_s", "twolayer.torch_test_acc",
                "twolayer.floor_s", "keras_setup.course_s", "keras_setup.course_test_acc", "best.train_s",
                "best.test_acc", "gradients.numerical_s", "gradients.backprop_s", "suite.notebooks_s",
                "mnist.cache_load_s", "conv_layer.loops_s", "conv_layer.im2col_s", "conv_layer.torch_s",
                "convnet.course_s", "convnet.course_test_acc", "convnet.torch_s", "convnet.torch_test_acc"]
    for key in required:
        prefix, name = key.split(".")
        rows = [r for r, p in bench.KEY_PREFIX.items() if p == prefix]
        assert rows, key
        assert any(f'"{name}"' in __import__("inspect").getsource(bench.ROW_FUNCS[r]) for r in rows), key


def test_profile_step_times_every_part_of_a_training_step(mnist, capsys):
    spec = importlib.util.spec_from_file_location("bench_profile_step", ROOT / "bench" / "profile_step.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    us = mod.profile(steps=25, n_train=1000)  # 25 steps of 100 from 1,000 images: crosses two epoch boundaries
    parts = [k for k in us if k != "total"]
    assert len(parts) == 10 and all(us[k] > 0 for k in parts)
    assert np.isclose(us["total"], sum(us[k] for k in parts))
    assert mod.main(["--steps", "3"]) == 0
    out = capsys.readouterr().out
    assert "Relu.backward" in out and "s per 10,000 steps" in out


@pytest.mark.skipif(platform.machine() not in ("x86_64", "AMD64"), reason="OpenBLAS kernel names are for x86-64")
def test_the_configuration_names_the_blas_kernels_and_a_forced_choice(bench, tmp_path, mnist, monkeypatch, capsys):
    """OPENBLAS_CORETYPE (set on some machine images) changes which kernels OpenBLAS runs: the results record the
    kernels the rows ran with, the variable, and what OpenBLAS picks without it; the printout says so."""
    monkeypatch.setenv("OPENBLAS_CORETYPE", "Haswell")  # what such images set; the rows inherit it
    out = tmp_path / "results.json"
    assert bench.main(["--quick", "--repeats", "1", "--rows", "mnist", "--out", str(out)]) == 0
    cfg = json.loads(out.read_text())["config"]
    assert cfg["openblas_kernel_env"]["OPENBLAS_CORETYPE"] == "Haswell"
    assert cfg["blas_kernel"] == "Haswell"
    own = cfg["blas_kernel_without_kernel_env"]
    assert isinstance(own, str) and own
    assert bench.blas_kernel({k: v for k, v in os.environ.items() if k not in bench.KERNEL_VARS}) == own
    printed = capsys.readouterr().out
    assert "running its Haswell kernels" in printed
    assert ("by itself it would pick" in printed) == (own != "Haswell")


@pytest.mark.skipif(not Path("/proc/self/smaps_rollup").exists(), reason="memory is read from Linux's /proc")
def test_memory_row_measures_one_notebook_alone_on_a_server_and_all_open(bench, mnist):
    """The memory row (issue 17): a notebook's kernel peaks, USS <= PSS <= RSS; on a 'server' (another process
    holds the dataset's pages) and with every measured kernel open at once, kernels forked as on the class hub."""
    r = bench.row_memory(notebooks=["00_start_here"])
    assert r["failed"] == [] and r["all_open_kernels"] == 1
    for prefix in ("00_start_here_", "00_start_here_server_"):
        uss, pss, rss = (r[f"{prefix}peak{k}_mb"] for k in ("", "_pss", "_rss"))
        assert 30 < uss <= pss <= rss, (prefix, uss, pss, rss)  # a kernel with NumPy holds tens of MB
    assert 30 < r["all_open_mb"] <= r["all_open_rss_mb"] and r["max_peak_mb"] == r["00_start_here_peak_mb"]
    # as on the class hub, the kernel was forked from a template: the imports' pages are the template's, shared, out
    # of the kernel's USS; the sum over all open kernels adds the template's whole RSS
    assert r["forked_kernels"] and 0 < r["template_uss_mb"] < r["template_rss_mb"]
    assert r["00_start_here_peak_rss_mb"] - r["00_start_here_peak_mb"] > 35
    assert r["all_open_mb"] >= r["00_start_here_server_peak_mb"] * 0.8 + r["template_rss_mb"]
    assert r["shared_files_mb"] > 100  # MNIST's float32 training images alone are 188 MB
