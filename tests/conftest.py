"""Shared test fixtures.

MNIST: tests that need it use the ``mnist`` fixture, which loads from the project's data folder
(``make test`` fetches it first: from ``$COURSE_MNIST_SOURCE`` in CI, from the mirrors on a user's
machine). No test downloads from the internet.
"""
from __future__ import annotations

import os
from pathlib import Path

import matplotlib
import numpy as np
import pytest

matplotlib.use("Agg")

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def mnist():
    """``(x_train, t_train), (x_test, t_test)`` from the local cache; never downloads."""
    from course_lib.data import MNISTError, load_mnist

    try:
        return load_mnist(download=False)
    except MNISTError as e:  # pragma: no cover - make test fetches MNIST before running the tests
        if os.environ.get("CI"):
            raise
        pytest.skip(f"MNIST not available locally ({e}); run `make data`")


@pytest.fixture(scope="module")
def bench(request):
    """``bench/run.py`` loaded as a module (it is a script, not part of the package): one copy per test file."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"bench_run_{request.module.__name__}", ROOT / "bench" / "run.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture
def rng():
    return np.random.default_rng(0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
