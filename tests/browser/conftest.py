"""Fixtures of the browser tests: one JupyterLab server and one headless Chromium for the whole session.

Without Chromium (or without the ``playwright`` package) the browser tests are *skipped* with a message
saying how to install it -- unless ``COURSE_REQUIRE_BROWSER=1`` (set by ``.ci/run``), where a missing
browser is a failure: in CI these tests must run.
"""
from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
import labdriver  # noqa: E402


def _browser_required() -> bool:
    return os.environ.get("COURSE_REQUIRE_BROWSER", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str):
    """Skip (a student's laptop) or fail (CI: COURSE_REQUIRE_BROWSER=1) because the browser is missing."""
    if _browser_required():
        pytest.fail(f"COURSE_REQUIRE_BROWSER is set but {reason}", pytrace=False)
    pytest.skip(f"browser tests skipped: {reason}; {labdriver.INSTALL_HINT}")


@pytest.fixture(scope="session")
def chromium_path() -> str:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        _unavailable("the Python package `playwright` is not installed (pip install -e '.[browser]')")
    path = labdriver.find_chromium()
    if path is None:
        where = os.environ.get("COURSE_CHROMIUM")
        _unavailable(f"COURSE_CHROMIUM={where} is not a file" if where
                     else f"no Chromium found on PATH (looked for {', '.join(labdriver.CHROMIUM_NAMES)})")
    return path


@pytest.fixture(scope="module")
def lab_server(chromium_path):
    """A JupyterLab server on a temporary copy of notebooks/; stopped (by PID) after the module.

    Module scope, not session: playwright's sync API keeps an asyncio loop running in the main thread
    while it is open, and the grading and notebook tests that run later need asyncio.run()."""
    server = labdriver.LabServer().start()
    yield server
    problems = server.stop()
    assert not problems, f"JupyterLab did not shut down cleanly: {problems}"


@pytest.fixture(scope="module")
def browser(chromium_path):
    """A headless Chromium context (fresh profile) driven by playwright."""
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="course-chromium-") as profile:
        pw = sync_playwright().start()
        try:
            context = labdriver.launch_browser(pw, chromium_path, Path(profile))
        except Exception as e:
            pw.stop()
            _unavailable(f"Chromium at {chromium_path} did not start ({str(e).splitlines()[0]})")
        try:
            yield context
        finally:
            context.close()
            pw.stop()


@pytest.fixture(scope="module")
def lab_page(browser):
    """One browser tab per test module: JupyterLab loads once, notebooks are opened and closed in it."""
    pages = [browser.new_page()]
    yield pages  # a list, so that a test can replace a tab that broke
    for page in pages:
        if not page.is_closed():
            page.close()


@pytest.fixture
def open_notebook(lab_server, lab_page):
    """``open_notebook(name, **kw)`` -> ``labdriver.NotebookCheck``; then closes the notebook and deletes
    its session (and kernel) through the REST API."""

    def check(name: str, **kw):
        if lab_page[-1].is_closed():
            lab_page.append(lab_page[-1].context.new_page())
        page = lab_page[-1]
        try:
            return labdriver.check_widget_notebook(page, lab_server, name, **kw)
        finally:
            labdriver.close_notebook(page, lab_server, name)

    yield check
    assert lab_server.sessions() == [], "a session (and its kernel) was left behind"
