"""The book's chapter-6 scripts run on course_lib with only their imports changed (tests/book_scripts/).

Each script runs in a fresh Python process, as a reader of the book would run it, with matplotlib's
non-interactive backend; the test checks that it ends normally and prints what the book's script prints.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

SCRIPTS = Path(__file__).resolve().parent / "book_scripts"

#: script -> a pattern its output must contain (the book's own print statements)
EXPECTED = {
    "overfit_weight_decay.py": r"epoch:2, train acc:[0-9.]+, test acc:[0-9.]+",
    "overfit_dropout.py": r"epochs: 3 last test acc: [0-9.]+",
    "batch_norm_test.py": r"(?s)1/2 =+\nepoch:0 \| [0-9.]+ - [0-9.]+.*2/2",
    "batch_norm_gradient_check.py": r"(?s)W1:[0-9.e-]+\nb1:.*gamma2:[0-9.e-]+\nbeta2:",
    "hyperparameter_optimization.py": r"Best-3\(val acc:[0-9.]+\) \| lr:[0-9.e-]+, weight decay:[0-9.e-]+",
    "optimizer_compare_mnist.py": r"(?s)iteration:10=+\nSGD:[0-9.]+\nMomentum:[0-9.]+\nAdaGrad:[0-9.]+\nAdam:[0-9.]+",
}


def test_every_script_has_an_expectation():
    assert sorted(p.name for p in SCRIPTS.glob("*.py")) == sorted(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_book_script_runs_on_course_lib(name, mnist, tmp_path):
    text = (SCRIPTS / name).read_text()
    assert "sys.path" not in text and "from common" not in text and "dataset.mnist" not in text
    env = dict(os.environ, MPLBACKEND="Agg", OPENBLAS_NUM_THREADS="1")  # one thread: the tests run in parallel with others
    proc = subprocess.run([sys.executable, str(SCRIPTS / name)], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert re.search(EXPECTED[name], proc.stdout), proc.stdout[-2000:]


def test_the_common_package_re_exports_the_course_code():
    """No copies: every name of course_lib.common is an object defined in the course's own modules."""
    import importlib

    for module in ("functions", "gradient", "layers", "multi_layer_net", "multi_layer_net_extend", "optimizer",
                   "trainer", "util"):
        common = importlib.import_module(f"course_lib.common.{module}")
        for name in common.__all__:
            if name == "np":
                continue
            home = getattr(common, name).__module__
            assert home.startswith("course_lib.") and not home.startswith("course_lib.common"), \
                f"common.{module}.{name} is defined in {home}"