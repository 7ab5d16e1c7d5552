"""Every widget notebook in a real browser: JupyterLab + headless Chromium (make test-browser).

For each ``notebooks/*.ipynb`` with a cell tagged ``main-widget`` (found when the tests are collected, so
new notebooks are tested without editing this file): open it in JupyterLab, run all cells, check through the
server's REST API that every cell ran and none raised (except cells tagged ``raises-exception``), move the
main widget (first slider with the arrow keys, else dropdown, else button), wait until its output is stable
and check that the picture changed. Before/after screenshots go to ``artifacts/screenshots/``.
"""
import json

import pytest

import labdriver

pytestmark = pytest.mark.browser

WIDGET_NOTEBOOKS = labdriver.widget_notebooks()


def test_there_are_widget_notebooks_to_test():
    assert any(p.name == "00_start_here.ipynb" for p in WIDGET_NOTEBOOKS), \
        f"no main-widget cell found in notebooks/ (found {[p.name for p in WIDGET_NOTEBOOKS]})"


@pytest.mark.parametrize("path", WIDGET_NOTEBOOKS, ids=lambda p: p.stem)
def test_widget_notebook_in_jupyterlab(path, open_notebook, lab_server):
    result = open_notebook(path.name)
    print(result.describe())
    assert not result.errors, result.describe()
    assert result.changed, (f"moving the main widget ({result.tried}) did not change its output\n"
                            + result.describe())
    # every course widget redraws a plot (docs/style.md): there is a picture before and after
    assert result.images_before > 0 and result.images_after > 0, result.describe()
    if path.name == "00_start_here.ipynb":
        _start_here_is_green(lab_server.root_dir / path.name)


def _start_here_is_green(saved_path):
    """In JupyterLab (as saved by it), 00's set-up check ran in this project's Python and says "All good"."""
    from course_lib.interactive.start import check_environment

    saved = json.loads(saved_path.read_text())
    check = next(c for c in saved["cells"] if "format_report(report)" in "".join(c["source"]))
    text = "".join("".join(o.get("text", "")) for o in check["outputs"])
    assert "All good" in text, f"00_start_here's set-up check in JupyterLab says:\n{text}"
    env = check_environment()["environment"]
    if env:
        assert f"environment {env}" in text, f"the kernel is not this project's Python:\n{text}"
