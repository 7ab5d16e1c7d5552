"""Notebook 00's set-up check and demo callback (course_lib.interactive.start), without a browser."""
import re
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pytest

from course_lib.data import MNIST_FILES
from course_lib.functions import sigmoid
from course_lib.interactive import start

ROOT = Path(__file__).resolve().parent.parent
MACHINE_PATH = re.compile(r"(/work/|/root/|/tmp/|/home/[^/\s]+/|\.venv/lib/)")


def _fake_mnist(folder: Path, names):
    (folder / "mnist").mkdir(parents=True, exist_ok=True)
    for n in names:
        (folder / "mnist" / n).write_bytes(b"x")


# ---------------------------------------------------------------- versions
@pytest.mark.parametrize("numpy_version, ok", [
    ("1.100.0", True),          # "1.100" < "1.24" as strings; as versions it is newer
    ("2.4.0", True), ("1.26.4+local", True), ("1.24", True), ("1.24.0", True),
    ("1.23.5", False), ("1.24.0rc1", False),  # a pre-release comes before the release
    ("dev", False),             # not a version we can compare: reported as a problem, not a crash
])
def test_versions_compare_as_versions(numpy_version, ok):
    report = start.check_environment(versions={"numpy": numpy_version})
    assert report["version_ok"]["numpy"] is ok
    assert any(p.startswith("numpy") for p in report["problems"]) is not ok


def test_minimum_versions_match_pyproject():
    text = (ROOT / "pyproject.toml").read_text()
    for name in ("numpy", "matplotlib", "ipywidgets"):
        m = re.search(rf'"{name}>=([0-9.]+)"', text)
        assert m, f"{name} floor not found in pyproject.toml"
        assert m.group(1) == start.MINIMUM_VERSIONS[name], name
    m = re.search(r'requires-python = ">=([0-9.]+)"', text)
    assert m.group(1) == start.MINIMUM_VERSIONS["python"]


def test_this_environment_passes_the_version_checks():
    report = start.check_environment()
    assert all(report["version_ok"].values()), report
    assert report["versions"]["numpy"] == np.__version__


def test_an_old_or_missing_package_is_a_problem_with_a_fix(tmp_path):
    _fake_mnist(tmp_path, [n for n, _ in MNIST_FILES.values()])
    report = start.check_environment(data_dir=tmp_path, versions={"numpy": "1.20.3", "ipywidgets": None})
    assert not report["ok"]
    assert report["version_ok"] == {"python": True, "numpy": False, "matplotlib": True, "ipywidgets": False}
    assert len(report["problems"]) == 2
    numpy_problem = next(p for p in report["problems"] if p.startswith("numpy"))
    assert "1.20.3" in numpy_problem and ">= 1.24" in numpy_problem and "make lab" in numpy_problem
    assert any("ipywidgets not installed" in p for p in report["problems"])


# ---------------------------------------------------------------- MNIST
def test_mnist_present(tmp_path):
    _fake_mnist(tmp_path, [n for n, _ in MNIST_FILES.values()])
    report = start.check_environment(data_dir=tmp_path)
    assert report["mnist_present"] and report["mnist_missing"] == []
    assert report["ok"] and report["problems"] == []
    assert "All good" in start.format_report(report)


def test_mnist_partly_missing_names_the_files_and_the_fix(tmp_path):
    names = [n for n, _ in MNIST_FILES.values()]
    _fake_mnist(tmp_path, names[:3])
    report = start.check_environment(data_dir=tmp_path)
    assert not report["mnist_present"]
    assert report["mnist_missing"] == names[3:]
    assert not report["ok"]
    (problem,) = report["problems"]
    assert "1 of 4" in problem and "make data" in problem
    text = start.format_report(report)
    assert "missing" in text and "PROBLEM" in text and "make data" in text


def test_empty_data_dir_means_all_four_missing(tmp_path):
    report = start.check_environment(data_dir=tmp_path)
    assert sorted(report["mnist_missing"]) == sorted(n for n, _ in MNIST_FILES.values())


def test_a_folder_with_only_the_current_cache_has_mnist(tmp_path, mnist):
    """As ``load_mnist`` sees it (``course_lib.data.missing_files``): the cache built from the four files is enough
    (a class server may share only the cache)."""
    from course_lib.data import missing_files, mnist_dir

    (tmp_path / "mnist").mkdir()
    cache = [f for f in mnist_dir().iterdir() if not f.name.endswith(".gz")]
    assert any(f.suffix == ".npy" for f in cache)
    for f in cache:  # the tag as it is, the arrays as empty files: only their presence counts here
        (tmp_path / "mnist" / f.name).write_bytes(f.read_bytes() if f.suffix == ".json" else b"")
    report = start.check_environment(data_dir=tmp_path)
    assert report["mnist_present"] and report["mnist_missing"] == [] == missing_files("mnist", tmp_path)
    (tmp_path / "mnist" / "cache.json").unlink()  # no current cache: then the four files are what counts
    report = start.check_environment(data_dir=tmp_path)
    assert sorted(report["mnist_missing"]) == sorted(n for n, _ in MNIST_FILES.values())


def test_the_project_data_folder_is_shown_relative(monkeypatch):
    monkeypatch.delenv("COURSE_DATA_DIR", raising=False)
    report = start.check_environment()
    assert report["mnist_dir"] == "data/mnist"
    assert not MACHINE_PATH.search(start.format_report(report))


def test_display_path(tmp_path):
    root, home = tmp_path / "proj", tmp_path / "home"
    (root / "data").mkdir(parents=True)
    (home / "x").mkdir(parents=True)
    assert start.display_path(root / "data" / "mnist", root=root, home=home) == "data/mnist"
    assert start.display_path(home / "x" / "mnist", root=root, home=home) == "~/x/mnist"
    assert start.display_path(root, root=root, home=home) == "."
    assert start.display_path(tmp_path / "other", root=root, home=home) == (tmp_path / "other").as_posix()


def test_format_report_lists_every_check():
    report = start.check_environment(versions={"python": "3.9.1"})
    text = start.format_report(report)
    for name in ("python", "numpy", "matplotlib", "ipywidgets", "MNIST"):
        assert name in text
    assert "3.9.1" in text and "needs >= 3.10" in text and "To fix" in text


# ---------------------------------------------------------------- demo callback
def test_sigmoid_steepness_returns_what_it_draws():
    fig, ax = plt.subplots()
    shown = start.sigmoid_steepness(2.0, ax=ax)
    assert shown["ax"] is ax and shown["a"] == 2.0
    assert shown["y_at_1"] == pytest.approx(1 / (1 + np.exp(-2.0)))
    assert shown["title"] == ax.get_title() == "sigmoid(a·x) with a = 2"
    xs, ys = ax.lines[1].get_data()  # the sigmoid curve
    np.testing.assert_allclose(ys, sigmoid(2.0 * xs))
    # the gap to the step function is largest at |x| = 1: 1 - sigmoid(a)
    assert shown["max_gap"] == pytest.approx(1 - sigmoid(2.0), rel=1e-9)


def test_steeper_sigmoid_is_closer_to_a_step():
    gaps = [start.sigmoid_steepness(a)["max_gap"] for a in (0.5, 1.0, 2.0, 5.0, 10.0)]
    assert all(g1 > g2 for g1, g2 in zip(gaps, gaps[1:])), gaps
    assert gaps[-1] < 1e-4


def test_different_a_draws_a_different_picture():
    def render(a):
        fig, ax = plt.subplots(figsize=(4, 3))
        start.sigmoid_steepness(a, ax=ax)
        fig.canvas.draw()
        return np.asarray(fig.canvas.buffer_rgba()).copy()

    assert not np.array_equal(render(1.0), render(3.0))
    np.testing.assert_array_equal(render(1.0), render(1.0))


@pytest.mark.parametrize("bad", [0, -1.0, float("nan"), float("inf")])
def test_sigmoid_steepness_rejects_a_bad_a(bad):
    with pytest.raises(ValueError, match="sigmoid_steepness: a must be a positive number"):
        start.sigmoid_steepness(bad)


def test_steepness_widget_redraws_on_slider_move(monkeypatch):
    pytest.importorskip("ipywidgets")
    calls = []
    real = start.sigmoid_steepness

    def spy(a, ax=None):
        calls.append(a)
        return real(a, ax=ax)

    monkeypatch.setattr(start, "sigmoid_steepness", spy)
    box = start.steepness_widget(a=1.0)
    slider, _out = box.children
    assert (slider.value, slider.min, slider.max, slider.step) == (1.0, 0.5, 10.0, 0.5)
    assert calls == [1.0]  # drawn once when shown
    slider.value = 4.0
    slider.value = 4.5
    assert calls == [1.0, 4.0, 4.5]  # redrawn on every move, with the slider's value
    assert plt.get_fignums() == []  # the callback closes its figures
