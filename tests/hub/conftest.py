"""Fixtures of the hub tests: one class hub for the module (``make hub`` with test accounts; see hubtest.py), and
Chromium for the browser student."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from hubtest import ROOT, HubUnderTest, free_port, load_labdriver, missing, remove_test_accounts, unavailable


@pytest.fixture(scope="module")
def hub():
    lacking = missing()
    if lacking:
        unavailable("this machine lacks " + "; ".join(lacking))
    remove_test_accounts()
    hub_dir = Path(tempfile.mkdtemp(prefix="nnfst-hub-"))
    os.chmod(hub_dir, 0o711)
    h = HubUnderTest(hub_dir=hub_dir, port=free_port(), up_output="")
    try:
        r = h.make("hub")
        h.up_output = r.stdout + r.stderr
        assert r.returncode == 0, f"make hub failed ({r.returncode}):\n{h.up_output[-4000:]}"
        yield h
    finally:
        down = subprocess.run([sys.executable, "-m", "course_hub", "--hub-dir", str(hub_dir), "down",
                               "--delete-users"], cwd=ROOT, capture_output=True, text=True, timeout=300)
        remove_test_accounts()
        shutil.rmtree(hub_dir, ignore_errors=True)
        assert down.returncode == 0, down.stdout + down.stderr


@pytest.fixture(scope="module")
def chromium_path():
    try:
        import playwright.sync_api  # noqa: F401 -- only whether it is installed
    except ImportError:
        unavailable("the Python package `playwright` is not installed (pip install -e '.[browser]')")
    labdriver = load_labdriver()
    path = labdriver.find_chromium()
    if path is None:
        unavailable(f"no Chromium for the browser student ({labdriver.INSTALL_HINT})")
    return path
