"""Drive JupyterLab in headless Chromium: the machinery behind tests/browser/.

- ``LabServer``: a JupyterLab server on 127.0.0.1 (random free port, token) with an isolated HOME and
  Jupyter dirs, serving a *temporary copy* of ``notebooks/`` (JupyterLab saves; the committed notebooks
  are never touched), with the news toast off (``lab_settings/overrides.json``). ``stop()`` deletes every
  session through the REST API, stops the server by its PID and checks that none of its processes survive.
- ``find_chromium()``: Debian's Chromium (or ``$COURSE_CHROMIUM``); ``launch_browser()`` starts it with
  playwright (never ``playwright install``).
- ``check_widget_notebook(page, server, name, ...)``: open a notebook, run all cells, check via the REST
  API that every cell ran without error, move the ``main-widget`` cell's first slider / dropdown / button,
  wait until the output is stable and report whether the picture changed (with before/after screenshots).
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
SETTINGS = Path(__file__).resolve().parent / "lab_settings"
SCREENSHOTS = ROOT / "artifacts" / "screenshots"
MAIN_TAG = "main-widget"

CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
CHROMIUM_NAMES = ("chromium", "chromium-browser")
INSTALL_HINT = ("install Chromium to run them: `sudo apt-get install chromium` (Debian/Ubuntu) -- or point "
                "COURSE_CHROMIUM at a Chrome/Chromium binary -- and `make test-browser`")


# --------------------------------------------------------------------------
# discovery
# --------------------------------------------------------------------------
def main_widget_index(nb: dict) -> int | None:
    """Index (among all cells) of the first cell tagged ``main-widget``, or ``None``."""
    for i, cell in enumerate(nb.get("cells", [])):
        if MAIN_TAG in cell.get("metadata", {}).get("tags", []):
            return i
    return None


def widget_notebooks(folder: Path = NOTEBOOKS) -> list[Path]:
    """Every ``*.ipynb`` in ``folder`` that has a cell tagged ``main-widget``, sorted by name."""
    found = []
    for p in sorted(folder.glob("*.ipynb")):
        try:
            nb = json.loads(p.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            found.append(p)  # unreadable: let the test say so rather than silently skipping it
            continue
        if main_widget_index(nb) is not None:
            found.append(p)
    return found


def find_chromium() -> str | None:
    """The Chromium binary: ``$COURSE_CHROMIUM`` if set, else ``chromium`` / ``chromium-browser`` on PATH."""
    env = os.environ.get("COURSE_CHROMIUM")
    if env:
        return env if Path(env).is_file() else None
    for name in CHROMIUM_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


# --------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """A JupyterLab server for the tests. Use as a context manager or call ``start()`` / ``stop()``."""

    def __init__(self, notebooks: Path = NOTEBOOKS, startup_timeout: float = 60.0):
        self.notebooks = Path(notebooks)
        self.startup_timeout = startup_timeout
        self.token = hashlib.sha256(os.urandom(32)).hexdigest()[:40]
        self.port = None
        self.proc: subprocess.Popen | None = None
        self.tmp = None
        self.root_dir = None
        self.log_path = None
        self._children: list[int] = []

    # ---- REST ----
    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def api(self, method: str, path: str, body=None, timeout: float = 10.0):
        """Call the REST API (``path`` like ``/api/sessions``); returns the parsed JSON or ``None``."""
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=timeout) as r:
            raw = r.read()
        return json.loads(raw) if raw else None

    def sessions(self, path: str | None = None) -> list[dict]:
        found = self.api("GET", "/api/sessions")
        return [s for s in found if path is None or s.get("path") == path]

    def kernels(self) -> list[dict]:
        return self.api("GET", "/api/kernels")

    def delete_sessions(self, path: str | None = None) -> None:
        """Delete sessions (``path``'s or all) through the REST API: this shuts their kernels down."""
        for s in self.sessions(path):
            try:
                self.api("DELETE", f"/api/sessions/{s['id']}", timeout=30)
            except urllib.error.HTTPError as e:
                if e.code != 404:
                    raise

    def log_tail(self, n: int = 40) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except (OSError, AttributeError):
            return ""

    # ---- life cycle ----
    def _environment(self, home: Path) -> dict:
        env = dict(os.environ)
        for var in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PREFER_ENV_PATH", "PYTHONSTARTUP",
                    "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_CACHE_HOME", "XDG_RUNTIME_DIR", "JUPYTER_TOKEN",
                    "MPLBACKEND"):
            env.pop(var, None)
        env.update({
            "HOME": str(home),
            "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
            "JUPYTER_DATA_DIR": str(home / ".local" / "share" / "jupyter"),
            "JUPYTER_RUNTIME_DIR": str(home / "runtime"),
            "IPYTHONDIR": str(home / ".ipython"),
            "MPLCONFIGDIR": str(home / ".config" / "matplotlib"),
            "PYTHONDONTWRITEBYTECODE": "1",
        })
        return env

    def start(self) -> "LabServer":
        self.tmp = Path(tempfile.mkdtemp(prefix="course-lab-"))
        home = self.tmp / "home"
        for d in ("", ".jupyter", ".local/share/jupyter", "runtime", ".ipython", ".config/matplotlib"):
            (home / d).mkdir(parents=True, exist_ok=True)
        # The served folder mirrors the project's layout (notebooks/ beside data/) so relative paths work.
        project = self.tmp / "project"
        self.root_dir = project / "notebooks"
        shutil.copytree(self.notebooks, self.root_dir,
                        ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
        if (ROOT / "data").is_dir():
            (project / "data").symlink_to(ROOT / "data", target_is_directory=True)
        settings = self.tmp / "lab-settings"
        settings.mkdir()
        shutil.copy(SETTINGS / "overrides.json", settings / "overrides.json")

        self.port = _free_port()
        cmd = [sys.executable, "-m", "jupyterlab", "--no-browser",
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
               f"--IdentityProvider.token={self.token}", f"--ServerApp.root_dir={self.root_dir}",
               f"--LabApp.app_settings_dir={settings}", "--LabApp.expose_app_in_browser=True",
               "--ServerApp.terminals_enabled=False", "--LabApp.open_browser=False"]
        if hasattr(os, "geteuid") and os.geteuid() == 0:
            cmd.append("--allow-root")
        self.log_path = self.tmp / "server.log"
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(cmd, cwd=self.root_dir, env=self._environment(home), stdout=log,
                                     stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
        log.close()
        deadline = time.monotonic() + self.startup_timeout
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"JupyterLab exited with {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/api/status", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                if time.monotonic() > deadline:
                    self.stop()
                    raise RuntimeError(f"JupyterLab did not answer within {self.startup_timeout:.0f} s:\n"
                                       f"{self.log_tail()}")
                time.sleep(0.25)
        return self

    def kernel_processes(self) -> list[int]:
        """PIDs of the server's child processes (its kernels), while it runs."""
        try:
            import psutil
        except ImportError:  # pragma: no cover - psutil comes with ipykernel
            return []
        try:
            return [c.pid for c in psutil.Process(self.proc.pid).children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def stop(self) -> list[str]:
        """Delete all sessions, stop the server by its PID, remove the temp dir.

        Returns a list of problems (kernels or processes that had to be killed); ``[]`` when clean.
        """
        problems = []
        if self.proc is not None and self.proc.poll() is None:
            try:
                self.delete_sessions()
                left = self.kernels()
                if left:
                    problems.append(f"{len(left)} kernel(s) without a session: {[k['id'] for k in left]}")
                    for k in left:
                        self.api("DELETE", f"/api/kernels/{k['id']}", timeout=30)
            except (urllib.error.URLError, OSError) as e:
                problems.append(f"REST clean-up failed: {e}")
            children = self.kernel_processes()
            self.proc.send_signal(signal.SIGTERM)  # jupyter_server shuts its kernels down on SIGTERM
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                problems.append(f"server {self.proc.pid} ignored SIGTERM; killed")
                self.proc.kill()
                self.proc.wait(timeout=10)
            survivors = [pid for pid in children if _alive(pid)]
            for pid in survivors:
                problems.append(f"process {pid} outlived the server; killed")
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.tmp is not None:
            shutil.rmtree(self.tmp, ignore_errors=True)
            self.tmp = None
        return problems

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()


def _alive(pid: int) -> bool:
    try:
        import psutil

        p = psutil.Process(pid)
        return p.is_running() and p.status() != psutil.STATUS_ZOMBIE
    except ImportError:  # pragma: no cover
        try:
            os.kill(pid, 0)
            return True
        except ProcessLookupError:
            return False
    except Exception:
        return False


# --------------------------------------------------------------------------
# the browser
# --------------------------------------------------------------------------
def launch_browser(playwright, executable: str, user_data_dir: Path):
    """A persistent Chromium context (fresh ``user_data_dir``) driven by playwright."""
    return playwright.chromium.launch_persistent_context(
        str(user_data_dir), executable_path=executable, headless=True, args=CHROMIUM_ARGS,
        viewport={"width": 1400, "height": 1000}, device_scale_factor=1, accept_downloads=False)


# --------------------------------------------------------------------------
# one notebook
# --------------------------------------------------------------------------
@dataclass
class NotebookCheck:
    """What ``check_widget_notebook`` found. ``ok`` is true when nothing went wrong."""

    name: str
    errors: list[str] = field(default_factory=list)  # cells that raised / did not run / kernel trouble
    control: str | None = None  # which control changed the output: "slider", "dropdown", "button"
    tried: list[str] = field(default_factory=list)
    changed: bool = False
    images_before: int = 0
    images_after: int = 0
    text_after: str = ""  # the main cell's output text once stable after the move
    open_states: list[str] = field(default_factory=list)  # what JupyterLab went through while opening
    image_ids: list = field(default_factory=list)  # [before, after]: "sha256-prefix/length" of each image
    images: list = field(default_factory=list, repr=False)  # [before, after]: the images' data URLs
    seconds: dict = field(default_factory=dict)
    screenshots: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and self.changed

    def describe(self) -> str:
        lines = [f"{self.name}: {'OK' if self.ok else 'FAILED'}"]
        lines += [f"  error: {e}" for e in self.errors]
        lines.append(f"  tried {self.tried or 'no control'}; output changed: {self.changed} "
                     f"(by {self.control}); images {self.image_ids or [self.images_before, self.images_after]}")
        lines.append(f"  times: {', '.join(f'{k} {v:.1f} s' for k, v in self.seconds.items())}")
        lines.append(f"  opening: {' -> '.join(self.open_states)}")
        lines += [f"  screenshot: {p}" for p in self.screenshots]
        return "\n".join(lines)


_JS_OPEN_STATE = """(name) => {
  const app = window.jupyterapp;
  if (!app || !app.shell) return 'no-app';
  const w = app.shell.currentWidget;
  if (!w || !w.context || w.context.path !== name) return 'opening';
  if (!w.context.isReady) return 'loading';
  const dlg = document.querySelector('.jp-Dialog');
  if (dlg) return 'dialog:' + (dlg.innerText || '').slice(0, 200);
  const sc = w.sessionContext;
  if (!sc || !sc.session || !sc.session.kernel) return 'no-kernel';
  const k = sc.session.kernel;
  if (k.connectionStatus !== 'connected' || !['idle', 'busy'].includes(k.status)) return 'kernel-' + k.status;
  return 'ready:' + k.id;
}"""

_JS_RUN_ALL = """() => {
  window.__courseRunAll = undefined;
  window.jupyterapp.commands.execute('notebook:run-all-cells').then(
      (r) => { window.__courseRunAll = String(r); },
      (e) => { window.__courseRunAll = 'exception: ' + e; });
}"""

_JS_PENDING = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  return Array.from(panel.content.node.querySelectorAll('.jp-InputPrompt'))
      .filter((p) => (p.textContent || '').includes('[*]')).length;
}"""

# Code cells that Run All should still run: no execution count yet, and no earlier cell has raised
# without the `raises-exception` tag (after such an error Run All stops, or the kernel has aborted the
# requests already queued -- which ones is a race, so those cells are not waited for). When a tagged cell raises, JupyterLab settles
# its Run All promise and clears the "[*]" of the cells after it, although the kernel still runs them.
_JS_STILL_TO_RUN = """() => {
  const panel = window.jupyterapp.shell.currentWidget;
  let left = 0;
  for (const cell of panel.content.widgets) {
    const m = cell.model;
    if (m.type !== 'code' || !m.sharedModel.getSource().trim()) continue;  // empty cells are not run
    const tags = m.getMetadata('tags') || [];
    const raised = Array.from({length: m.outputs.length}, (_, i) => m.outputs.get(i))
        .some((o) => o.type === 'error');
    if (m.executionCount === null) left += 1;
    else if (raised && !tags.includes('raises-exception')) break;
  }
  return left;
}"""

_JS_MARK_CELL = """(index) => {
  const panel = window.jupyterapp.shell.currentWidget;
  const cell = panel.content.widgets[index];
  if (!cell) return false;
  document.querySelectorAll('[data-course-main-widget]').forEach((n) => n.removeAttribute('data-course-main-widget'));
  cell.node.setAttribute('data-course-main-widget', '1');
  panel.content.activeCellIndex = index;
  cell.node.scrollIntoView({block: 'start'});
  return true;
}"""

# Everything the main cell shows: its images (img / canvas / svg) and its text, plus any error output.
_JS_SIGNATURE = """(node) => {
  const area = node.querySelector('.jp-Cell-outputArea') || node;
  const images = [];
  area.querySelectorAll('img').forEach((i) => images.push(i.currentSrc || i.src || ''));
  area.querySelectorAll('canvas').forEach((c) => { try { images.push(c.toDataURL()); } catch (e) { images.push('canvas'); } });
  area.querySelectorAll('svg').forEach((s) => { if (s.getBoundingClientRect().width > 50) images.push(s.outerHTML); });
  const errors = [];
  area.querySelectorAll('[data-mime-type="application/vnd.jupyter.error"], [data-mime-type="application/vnd.jupyter.stderr"]')
      .forEach((e) => errors.push((e.innerText || '').slice(-600)));
  return {images: images, text: area.innerText || '', errors: errors,
          widgets: area.querySelectorAll('.jupyter-widgets, .widget-box').length,
          disabled: area.querySelectorAll('button:disabled, select:disabled, input:disabled').length};
}"""


def _kernel_state(server: LabServer, kernel_id: str) -> str:
    try:
        return server.api("GET", f"/api/kernels/{kernel_id}").get("execution_state", "unknown")
    except urllib.error.HTTPError as e:
        return "gone" if e.code == 404 else f"http-{e.code}"


def _wait_kernel_idle(server: LabServer, kernel_id: str, timeout: float, quiet: float = 0.5) -> str:
    """Poll the REST API until the kernel has been idle for ``quiet`` s. Returns the last state."""
    deadline = time.monotonic() + timeout
    idle_since = None
    state = "unknown"
    while time.monotonic() < deadline:
        state = _kernel_state(server, kernel_id)
        if state in ("dead", "gone"):
            return state
        if state == "idle":
            idle_since = idle_since or time.monotonic()
            if time.monotonic() - idle_since >= quiet:
                return state
        else:
            idle_since = None
        time.sleep(0.1)
    return state


def _digest(sig: dict) -> tuple[str, str]:
    images = hashlib.sha256("\n".join(sig["images"]).encode()).hexdigest()
    text = hashlib.sha256(sig["text"].encode()).hexdigest()
    return images, text


def _wait_stable(page, cell, server, kernel_id, settle: float = 1.5, timeout: float = 90.0,
                 disabled_baseline: int | None = None) -> dict:
    """The cell's signature once its output has not changed for ``settle`` s while the server says the
    kernel is idle (and, with ``disabled_baseline``, no more buttons are disabled than before the move).

    The kernel's idle status alone is not enough: with ipykernel 7, JupyterLab may send widget messages
    to a *subshell* thread, and the server reports "idle" while such a callback still runs. A widget that
    works for long (a "Train" button) disables its button meanwhile; that is what ``disabled_baseline``
    waits for. (An empty ``execute_request`` as a barrier does not work: it goes to the main shell, not to
    the subshell, and its post-execute hook flushes matplotlib figures that the callback is still drawing.)
    """
    deadline = time.monotonic() + timeout
    last, since = None, time.monotonic()
    sig = cell.evaluate(_JS_SIGNATURE)
    while time.monotonic() < deadline:
        sig = cell.evaluate(_JS_SIGNATURE)
        state = (_digest(sig), sig["disabled"])
        if state != last:
            last, since = state, time.monotonic()
        elif (time.monotonic() - since >= settle
              and (disabled_baseline is None or sig["disabled"] <= disabled_baseline)
              and _kernel_state(server, kernel_id) == "idle"):
            return sig
        page.wait_for_timeout(150)
    return sig


def _notebook_errors(server: LabServer, name: str) -> list[str]:
    """Cells of the saved notebook that did not run or raised (outside ``raises-exception`` cells)."""
    model = server.api("GET", f"/api/contents/{urllib.request.quote(name)}?content=1&type=notebook")
    problems, not_run = [], []
    for i, cell in enumerate(model["content"]["cells"]):
        if cell["cell_type"] != "code":
            continue
        tags = cell.get("metadata", {}).get("tags", [])
        if not cell.get("source", "").strip():
            continue
        if cell.get("execution_count") is None:
            not_run.append(i)
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error" and "raises-exception" not in tags:
                problems.append(f"cell {i} raised {out.get('ename')}: {out.get('evalue')}")
    if not_run:
        after = " (Run All stops at the first cell that raises)" if problems else ""
        cells = "cell" if len(not_run) == 1 else "cells"
        problems.append(f"{cells} {', '.join(map(str, not_run))} did not run{after}")
    return problems


def _slider_action(page, cell) -> bool:
    handle = cell.locator(".widget-slider .noUi-handle, .widget-slider input[type=range]").first
    if handle.count() == 0:
        return False
    readout = cell.locator(".widget-slider .widget-readout").first
    before = readout.inner_text() if readout.count() else None
    handle.focus()
    for _ in range(3):  # arrow keys, as a student would; each press re-runs the callback
        page.keyboard.press("ArrowRight")
        page.wait_for_timeout(60)
    if readout.count() and readout.inner_text() == before:  # already at the maximum: go the other way
        for _ in range(3):
            page.keyboard.press("ArrowLeft")
            page.wait_for_timeout(60)
    return True


def _dropdown_action(page, cell) -> bool:
    select = cell.locator(".widget-dropdown select").first
    if select.count() == 0:
        return False
    options = select.locator("option")
    n = options.count()
    if n < 2:
        return False
    current = select.evaluate("(s) => s.selectedIndex")
    select.select_option(index=(current + 1) % n)
    return True


def _checkbox_action(page, cell) -> bool:
    box = cell.locator(".widget-checkbox input[type=checkbox]:not(:disabled)").first
    if box.count() == 0:
        return False
    box.click()
    return True


def _button_action(page, cell) -> bool:
    button = cell.locator("button.jupyter-button:not(:disabled):not(.mod-active)").first
    if button.count() == 0:
        return False
    button.click()
    return True


#: Tried in this order until the output changes (a "Train" button after its sliders, say).
ACTIONS = (("slider", _slider_action), ("dropdown", _dropdown_action), ("button", _button_action),
           ("checkbox", _checkbox_action))


def check_widget_notebook(page, server: LabServer, name: str, screenshots: Path | None = SCREENSHOTS,
                          run_timeout: float = 180.0, settle: float = 1.5) -> NotebookCheck:
    """Open ``name`` (relative to the server's root) in ``page``, run all cells and move its main widget."""
    result = NotebookCheck(name=name)
    stem = Path(name).stem
    t0 = time.monotonic()

    def lap(label):
        nonlocal t0
        now = time.monotonic()
        result.seconds[label] = now - t0
        t0 = now

    def shot(suffix, target=None):
        if screenshots is None:
            return
        screenshots.mkdir(parents=True, exist_ok=True)
        path = screenshots / f"{stem}_{suffix}.png"
        try:
            (target or page).screenshot(path=str(path))
            result.screenshots.append(path)
        except Exception as e:  # a screenshot must never hide the real result
            result.errors.append(f"screenshot {suffix} failed: {e}")

    try:
        open_in_lab(page, server, name)
        # 1. open and wait for the kernel (a "Select Kernel" dialog is accepted: it picks the default kernel)
        start = time.monotonic()
        deadline, reopened = start + 90, False
        state = ""
        while time.monotonic() < deadline:
            state = page.evaluate(_JS_OPEN_STATE, name)
            if not result.open_states or result.open_states[-1] != state:
                result.open_states.append(state)
            if state.startswith("ready:"):
                break
            if state == "opening" and not reopened and time.monotonic() - start > 15:
                page.evaluate(_JS_OPEN, name)  # once more, in case the first request came too early
                reopened = True
            if state.startswith("dialog:"):
                accept = page.locator(".jp-Dialog .jp-mod-accept").first
                if accept.count():
                    accept.click()
            page.wait_for_timeout(200)
        if not state.startswith("ready:"):
            result.errors.append(f"notebook did not open with a live kernel (last state: {state})")
            shot("failure")
            return result
        kernel_id = state.split(":", 1)[1]
        sessions = server.sessions(name)
        if not sessions or sessions[0]["kernel"]["id"] != kernel_id:
            result.errors.append(f"the server has no session for {name} with kernel {kernel_id}: {sessions}")
        lap("open")

        # 2. run all cells; completion and errors come from the server, not from the status bar
        page.evaluate(_JS_RUN_ALL)
        try:
            page.wait_for_function("() => window.__courseRunAll !== undefined", timeout=run_timeout * 1000)
        except Exception:
            result.errors.append(f"Run All did not finish within {run_timeout:.0f} s")
        # the promise settles early when a cell raises; done = no cell queued or running ("[*]")
        # and the kernel idle according to the server
        deadline = time.monotonic() + run_timeout
        while True:
            pending = page.evaluate(_JS_PENDING)
            kstate = _wait_kernel_idle(server, kernel_id, timeout=max(1.0, deadline - time.monotonic()))
            if (pending == 0 and page.evaluate(_JS_PENDING) == 0 and page.evaluate(_JS_STILL_TO_RUN) == 0) \
                    or kstate in ("dead", "gone") or time.monotonic() > deadline:
                break
            page.wait_for_timeout(200)
        if kstate != "idle":
            result.errors.append(f"kernel is {kstate} after Run All (REST /api/kernels)")
        if pending:
            result.errors.append(f"{pending} cell(s) still queued or running after {run_timeout:.0f} s")
        page.evaluate("() => window.jupyterapp.commands.execute('docmanager:save')")
        page.wait_for_function("() => !window.jupyterapp.shell.currentWidget.context.model.dirty", timeout=30000)
        result.errors += _notebook_errors(server, name)
        lap("run all")

        # 3. the main widget
        nb = server.api("GET", f"/api/contents/{urllib.request.quote(name)}?content=1&type=notebook")["content"]
        index = main_widget_index(nb)
        if index is None:
            result.errors.append(f"no cell tagged {MAIN_TAG}")
            return result
        if nb["cells"][index].get("execution_count") is None:
            result.errors.append(f"the {MAIN_TAG} cell (cell {index}) did not run")
            shot("failure")
            return result
        page.evaluate(_JS_MARK_CELL, index)
        cell = page.locator('[data-course-main-widget="1"]')
        try:
            cell.locator(".jupyter-widgets").first.wait_for(state="visible", timeout=30000)
        except Exception:
            result.errors.append(f"the {MAIN_TAG} cell (cell {index}) shows no widget")
            shot("failure")
            return result
        before = _wait_stable(page, cell, server, kernel_id, settle=settle)
        result.images_before = len(before["images"])
        result.errors += [f"main widget shows an error: {e}" for e in before["errors"]]
        cell.scroll_into_view_if_needed()
        shot("before", cell)
        lap("widget ready")

        base = _digest(before)
        after = before
        for label, action in ACTIONS:
            if not action(page, cell):
                continue
            result.tried.append(label)
            after = _wait_stable(page, cell, server, kernel_id, settle=settle,
                                 disabled_baseline=before["disabled"])
            images, text = _digest(after)
            changed = images != base[0] if before["images"] else text != base[1]
            if changed:
                result.changed, result.control = True, label
                break
        result.images_after = len(after["images"])
        result.image_ids = [[f"{hashlib.sha256(i.encode()).hexdigest()[:8]}/{len(i)}" for i in sig["images"]]
                            for sig in (before, after)]
        result.text_after = after["text"]
        result.images = [before["images"], after["images"]]
        result.errors += [f"main widget shows an error after moving it: {e}"
                          for e in after["errors"] if e not in before["errors"]]
        if not result.tried:
            result.errors.append(f"the {MAIN_TAG} cell has no slider, dropdown or button")
        if before["images"] and not after["images"]:
            result.errors.append("the plot disappeared after moving the widget")
        kstate = _kernel_state(server, kernel_id)
        if kstate != "idle":
            result.errors.append(f"kernel is {kstate} after moving the widget")
        cell.scroll_into_view_if_needed()
        shot("after", cell)
        lap("widget moved")
    except Exception as e:
        result.errors.append(f"{type(e).__name__}: {e}")
        shot("failure")
    return result


def lab_is_loaded(page, server: LabServer) -> bool:
    try:
        return (not page.is_closed() and page.url.startswith(server.url)
                and page.evaluate("() => !!(window.jupyterapp && window.jupyterapp.shell)"))
    except Exception:
        return False


def load_lab(page, server: LabServer, path: str = "") -> None:
    """Load JupyterLab in ``page`` (a fresh workspace), at ``/lab/tree/<path>`` when a path is given."""
    tree = f"/tree/{urllib.request.quote(path)}" if path else ""
    page.goto(f"{server.url}/lab{tree}?reset&token={server.token}")
    page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=90000)
    page.evaluate("async () => { await window.jupyterapp.restored; }")  # the workspace reset is done


_JS_OPEN = "(name) => { window.jupyterapp.commands.execute('docmanager:open', {path: name}); }"


def open_in_lab(page, server: LabServer, name: str) -> None:
    """Open notebook ``name``: through its URL when JupyterLab is not loaded yet (as a student would),
    else with JupyterLab's own ``docmanager:open`` command (saves reloading the whole app per notebook)."""
    if not lab_is_loaded(page, server):
        load_lab(page, server, name)
        return
    page.evaluate(_JS_OPEN, name)


_JS_CLOSE_ALL = """() => {
  const app = window.jupyterapp;
  document.querySelectorAll('.jp-Dialog').forEach((d) => d.remove());
  for (const w of Array.from(app.shell.widgets('main'))) {
    if (w.context && w.context.model) w.context.model.dirty = false;  // no "save changes?" dialog
    w.dispose();
  }
  return Array.from(app.shell.widgets('main')).length;
}"""


def close_notebook(page, server: LabServer, name: str) -> None:
    """Close every document in ``page`` (without saving), then delete ``name``'s sessions through the
    REST API (that shuts the kernel down). If JupyterLab is no longer usable the page is closed instead."""
    try:
        if lab_is_loaded(page, server):
            page.evaluate(_JS_CLOSE_ALL)
        elif not page.is_closed():
            page.close()
    finally:
        server.delete_sessions(name)
