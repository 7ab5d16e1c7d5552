"""Notebook 00 (start here): the set-up check and the "if you can move this, widgets work" demo.

Plain functions (callable and tested without a browser):

- ``check_environment()`` -> dict: Python / NumPy / matplotlib / ipywidgets versions against the
  course's minimums, whether MNIST is present (``course_lib.data.missing_files``), and what to do about each problem.
- ``format_report(report)`` -> str: the same as a short table for a notebook (no machine paths).
- ``sigmoid_steepness(a, ax=None)`` -> dict: draws ``sigmoid(a * x)`` next to the step function
  (a preview of notebook 02) and returns the numbers it shows.

Builder: ``steepness_widget(a=1.0)`` wires ``sigmoid_steepness`` to a slider.
"""
from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

import numpy as np
from packaging.version import InvalidVersion, Version

from ..data import MNIST_FILES, missing_files, mnist_dir
from ..functions import sigmoid, step_function
from ..plots import new_axes
from . import interact

__all__ = [
    "MINIMUM_VERSIONS",
    "check_environment",
    "format_report",
    "display_path",
    "sigmoid_steepness",
    "steepness_widget",
]

#: The oldest versions the course works with (the same floors as ``pyproject.toml``; a test keeps them in sync).
MINIMUM_VERSIONS = {
    "python": "3.10",
    "numpy": "1.24",
    "matplotlib": "3.7",
    "ipywidgets": "8.0",
}

_HOW_TO_GET_MNIST = ("run `make data` in the project folder (or `python -m course_lib.data fetch`; "
                     "offline: `python -m course_lib.data fetch --source FOLDER_WITH_THE_4_GZ_FILES`)")
_PROJECT_ROOT = Path(__file__).resolve().parent.parent.parent


def _at_least(version: str | None, minimum: str) -> bool:
    """Whether ``version`` is installed (not None) and at least ``minimum``, compared as versions
    (``"1.100" > "1.24"``; a pre-release ``"2.0rc1"`` comes before ``"2.0"``)."""
    if version is None:
        return False
    try:
        return Version(version) >= Version(minimum)
    except InvalidVersion:  # not a version number we can compare: report it as a problem
        return False


def _installed_version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def display_path(path, root=None, home=None) -> str:
    """``path`` as a student should see it, without this machine's absolute location where possible:
    relative to the project (``data/mnist``) when inside it, else with the home folder as ``~``."""
    path = Path(path)
    root = Path(root) if root is not None else _PROJECT_ROOT
    home = Path(home) if home is not None else Path.home()
    for base, prefix in ((root, ""), (home, "~/")):
        try:
            rel = path.resolve().relative_to(base.resolve())
        except ValueError:
            continue
        text = rel.as_posix()
        return (prefix + text) if text != "." else (prefix.rstrip("/") or ".")
    return path.as_posix()


def check_environment(data_dir=None, versions: dict | None = None) -> dict:
    """Check what the course needs. Returns a dict:

    - ``versions``: ``{"python": "3.11.2", "numpy": "2.4.0", ...}`` (``None`` = not installed)
    - ``version_ok``: ``{name: bool}`` -- installed and at least ``MINIMUM_VERSIONS[name]``
    - ``mnist_dir``: where MNIST is looked for (display form, see ``display_path``)
    - ``mnist_missing``: the names of the MNIST files that are not there (``course_lib.data.missing_files``:
      ``[]`` when all four are there, or when the cache built from them is complete and current)
    - ``mnist_present``: ``bool``
    - ``environment``: the name of the virtual / conda environment, or ``None``
    - ``problems``: one sentence per problem, each saying what to do; ``[]`` when all is well
    - ``ok``: ``not problems``

    ``data_dir`` is passed to ``course_lib.data.mnist_dir``; ``versions`` overrides the detected
    versions (for tests: ``{"numpy": "1.20.0"}``).
    """
    found = {
        "python": platform.python_version(),
        "numpy": np.__version__,
        "matplotlib": _installed_version("matplotlib"),
        "ipywidgets": _installed_version("ipywidgets"),
    }
    found.update(versions or {})
    version_ok = {name: _at_least(found.get(name), minimum) for name, minimum in MINIMUM_VERSIONS.items()}

    folder = mnist_dir(data_dir)
    missing = missing_files("mnist", data_dir)

    if sys.prefix != getattr(sys, "base_prefix", sys.prefix):
        environment = Path(sys.prefix).name
    else:
        environment = os.environ.get("CONDA_DEFAULT_ENV")

    problems = []
    for name, ok in version_ok.items():
        if not ok:
            need = MINIMUM_VERSIONS[name]
            have = found.get(name) or "not installed"
            fix = ("install a newer Python and re-create .venv" if name == "python"
                   else "run `make lab` (it updates .venv), or `pip install -e .`")
            problems.append(f"{name} {have}: the course needs >= {need}; {fix}")
    if missing:
        problems.append(f"MNIST is missing ({len(missing)} of {len(MNIST_FILES)} files): {_HOW_TO_GET_MNIST}")
    return {
        "versions": found,
        "version_ok": version_ok,
        "mnist_dir": display_path(folder),
        "mnist_missing": missing,
        "mnist_present": not missing,
        "environment": environment,
        "problems": problems,
        "ok": not problems,
    }


def format_report(report: dict) -> str:
    """``check_environment()``'s result as a few lines of text, ending in a verdict."""
    lines = []
    for name, version in report["versions"].items():
        mark = "ok" if report["version_ok"].get(name, True) else "PROBLEM"
        need = MINIMUM_VERSIONS.get(name)
        need = f"(needs >= {need})" if need else ""
        lines.append(f"{name:<11} {version or 'not installed':<12} {need:<17} {mark}")
    if report["mnist_present"]:
        lines.append(f"{'MNIST':<11} {'present':<12} {'in ' + report['mnist_dir']:<17} ok")
    else:
        lines.append(f"{'MNIST':<11} {'missing':<12} {'in ' + report['mnist_dir']:<17} PROBLEM")
    if report.get("environment"):
        lines.append(f"{'environment':<11} {report['environment']}")
    lines.append("")
    if report["ok"]:
        lines.append("All good: you are ready for notebook 00b (NumPy) and then 01.")
    else:
        lines.append("To fix:")
        lines.extend(f"  - {p}" for p in report["problems"])
    return "\n".join(lines)


# --------------------------------------------------------------------------
# the demo widget: sigmoid(a * x) becomes a step function as a grows
# --------------------------------------------------------------------------
def sigmoid_steepness(a: float, ax=None, x_range=(-4.0, 4.0), num: int = 401) -> dict:
    """Draw ``sigmoid(a * x)`` and the step function over ``x_range``. Returns what the plot shows:

    - ``a``: the steepness (float)
    - ``y_at_1``: ``sigmoid(a * 1)``, the height of the curve at ``x = 1``
    - ``max_gap``: the largest distance between the curve and the step function for ``|x| >= 1``
      (it shrinks as ``a`` grows: the sigmoid turns into a step)
    - ``title``: the plot's title; ``ax``: the Axes it drew into

    ``a`` must be a positive number (a ``ValueError`` says so otherwise).
    """
    a = float(a)
    if not np.isfinite(a) or a <= 0:
        raise ValueError(f"sigmoid_steepness: a must be a positive number, got {a!r}")
    x = np.linspace(*x_range, num)
    y = sigmoid(a * x)
    far = np.abs(x) >= 1.0
    max_gap = float(np.max(np.abs(y[far] - step_function(x[far])))) if far.any() else 0.0
    title = f"sigmoid(a·x) with a = {a:g}"

    ax = new_axes(ax, figsize=(5, 3))
    ax.plot(x, step_function(x), color="0.6", lw=1.5, linestyle="--", label="step(x)")
    ax.plot(x, y, color="C0", lw=2.5, label="sigmoid(a·x)")
    ax.plot([1.0], [sigmoid(a)], "o", color="C1", zorder=3, label=f"x = 1: {float(sigmoid(a)):.3f}")
    ax.set_xlim(*x_range)
    ax.set_ylim(-0.05, 1.05)
    ax.set_xlabel("x")
    ax.set_title(title)
    ax.legend(loc="upper left")
    return {"ax": ax, "a": a, "y_at_1": float(sigmoid(a)), "max_gap": max_gap, "title": title}


def steepness_widget(a: float = 1.0, a_min: float = 0.5, a_max: float = 10.0, step: float = 0.5):
    """A slider for ``a`` above the picture of ``sigmoid_steepness``, redrawn on every move.

    Returns the ipywidgets ``VBox``; display it as the last expression of a cell.
    """
    import ipywidgets as widgets

    slider = widgets.FloatSlider(value=a, min=a_min, max=a_max, step=step, description="a",
                                 continuous_update=True, readout_format=".1f")
    return interact(sigmoid_steepness, {"a": slider})
