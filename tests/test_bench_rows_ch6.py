"""bench/run.py's chapter-6 rows (overfit, fashion) run on tiny sizes and return the keys of bench/results.json.

Figures are measured by `make bench`, never asserted here.
"""
import json

import pytest


def test_overfit_row_reports_every_remedy(bench, mnist):
    r = bench.row_overfit(epochs=2)
    for remedy in ("plain", "weight_decay", "dropout", "both", "early_stopping"):
        for key in ("train_acc", "test_acc", "gap", "test_loss"):
            assert f"{remedy}_{key}" in r, f"{remedy}_{key}"
        assert abs(r[f"{remedy}_gap"] - (r[f"{remedy}_train_acc"] - r[f"{remedy}_test_acc"])) < 1e-12
        assert 0 < r[f"{remedy}_test_acc"] <= 1 and r[f"{remedy}_test_loss"] > 0
    assert 1 <= r["early_stopping_epoch"] <= 2 and r["seconds"] > 0 and "300 MNIST images" in r["setup"]


def test_fashion_row_on_tiny_sizes(bench):
    from course_lib.data import MNISTError, load_fashion_mnist

    try:
        load_fashion_mnist(download=False)
    except MNISTError:
        pytest.skip("Fashion-MNIST is not fetched (make data)")
    r = bench.row_fashion(epochs=1, n_train=1000, hidden=[20, 20])
    assert set(r) == {"train_s", "test_acc", "threads", "model"} and 0.15 < r["test_acc"] <= 1.0  # chance: 0.1
    assert "784-20-20-10" in r["model"]


def test_the_parent_runs_the_fashion_row_with_two_threads_and_checks_its_targets(bench, tmp_path, monkeypatch):
    seen = []
    monkeypatch.setattr(bench, "run_row_in_child", lambda name, threads, extra: seen.append((name, threads)) or
                        {"train_s": 12.0, "test_acc": 0.9, "threads": threads, "model": "m"})
    out = tmp_path / "results.json"
    assert bench.main(["--quick", "--repeats", "1", "--rows", "fashion", "--best-threads", "2", "--out", str(out)]) == 0
    assert seen == [("fashion", 2)]
    targets = json.loads(out.read_text())["targets"]
    assert targets["fashion: test >= 0.89"] is True and targets["fashion: <= 60 s"] is True
