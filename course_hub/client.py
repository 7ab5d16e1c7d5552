"""Act as a user of the class hub over HTTP, as a browser would: the tests and the load benchmark use it.

    hub = Hub("http://127.0.0.1:8000")
    me = hub.login("nnfs-student1", password)      # the hub's REST API checks the password (PAM)
    me.start_server()                               # the user's own Jupyter server, spawned by the hub
    me.pull(repo, "main", "nn-from-scratch")        # nbgitpuller's API: what the course link does
    result = me.run_notebook("nn-from-scratch/01_perceptron/01_perceptron.ipynb")
    me.submit("01_perceptron")                      # nbgrader's Assignments tab (its server extension)

Every request goes through the hub's proxy, with the user's API token. Notebooks run in a kernel of the user's
server (sessions REST API + the kernel's websocket), cell by cell, as JupyterLab's Run All does: a cell tagged
``raises-exception`` may fail, the first other failing cell stops the run. ``UserServer`` also offers what
``tests/browser/labdriver.py`` expects of a server (``url``, ``token``, ``api``, ``sessions``,
``delete_sessions``), so the browser tests' driver works on a hub user's server too.
"""
from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

import websocket


class HubError(RuntimeError):
    """A request to the hub or to a user's server failed; the message says which and why."""


def _request(url: str, method: str = "GET", body=None, token: str | None = None, timeout: float = 30.0,
             raw: bool = False):
    data = None if body is None else json.dumps(body).encode()
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"token {token}"
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(req, timeout=timeout) as r:
        payload = r.read()
    if raw:
        return payload
    return json.loads(payload) if payload else None


class Hub:
    def __init__(self, url: str):
        self.url = url.rstrip("/")

    def login(self, user: str, password: str, note: str = "course_hub.client") -> "UserServer":
        """A new API token for ``user``, issued by the hub after its authenticator checked the password."""
        try:
            token = _request(f"{self.url}/hub/api/users/{user}/tokens", "POST",
                             {"auth": {"username": user, "password": password}, "note": note,
                              "expires_in": 24 * 3600})["token"]
        except urllib.error.HTTPError as e:
            raise HubError(f"login of {user} refused by the hub (HTTP {e.code})") from e
        return UserServer(self, user, token)


@dataclass
class CellResult:
    index: int
    source: str
    status: str  # "ok", "error", "died" (the kernel died: restarted or gone), "timeout"
    outputs: list = field(default_factory=list)
    ename: str = ""
    evalue: str = ""
    tags: tuple = ()

    @property
    def text(self) -> str:
        """Everything the cell printed (streams, plain-text results, the error)."""
        parts = []
        for o in self.outputs:
            if o.get("output_type") == "stream":
                parts.append(o.get("text", ""))
            elif o.get("output_type") in ("execute_result", "display_data"):
                parts.append(o.get("data", {}).get("text/plain", ""))
            elif o.get("output_type") == "error":
                parts.append(f"{o.get('ename')}: {o.get('evalue')}")
        return "".join(parts)


@dataclass
class NotebookRun:
    path: str
    cells: list[CellResult]
    seconds: float
    stopped_at: CellResult | None = None  # the first failing cell not tagged raises-exception

    @property
    def ok(self) -> bool:
        return self.stopped_at is None

    @property
    def failed(self) -> list[CellResult]:
        """Every cell that failed and is not tagged raises-exception (with ``stop=False``, all of them)."""
        return [c for c in self.cells if c.status != "ok" and not (c.status == "error" and "raises-exception" in c.tags)]


def _msg_type(msg: dict) -> str:
    return msg.get("msg_type") or msg["header"]["msg_type"]


class Kernel:
    """One kernel of a user's server, driven over its websocket (Jupyter's JSON messages)."""

    def __init__(self, server: "UserServer", kernel_id: str, session_id: str | None = None):
        self.server, self.id, self.session_id = server, kernel_id, session_id
        self.session = uuid.uuid4().hex
        ws_url = server.url.replace("http://", "ws://").replace("https://", "wss://")
        self.ws = websocket.create_connection(f"{ws_url}/api/kernels/{kernel_id}/channels?session_id={self.session}",
                                              header=[f"Authorization: token {server.token}"], timeout=30)

    def _send(self, msg_type: str, content: dict) -> str:
        msg_id = uuid.uuid4().hex
        self.ws.send(json.dumps({
            "header": {"msg_id": msg_id, "username": self.server.user, "session": self.session,
                       "msg_type": msg_type, "version": "5.3", "date": datetime.now(timezone.utc).isoformat()},
            "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [], "content": content,
        }))
        return msg_id

    def _next(self, deadline: float) -> dict | None:
        """The next message on the websocket, or None at the deadline."""
        while time.monotonic() < deadline:
            self.ws.settimeout(max(0.1, min(5.0, deadline - time.monotonic())))
            try:
                return json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                continue
        return None

    def wait_until_restarted(self, timeout: float = 60.0) -> bool:
        """Wait for the server's word that it restarted this (dead) kernel, then for the new kernel to answer, as
        a student waits for JupyterLab's "Kernel Restarting" before running a cell. False at the timeout."""
        deadline = time.monotonic() + timeout
        while (msg := self._next(deadline)) is not None:
            if _msg_type(msg) == "status" and msg["content"].get("execution_state") == "restarting":
                return self.wait_until_ready(deadline - time.monotonic())
        return False

    def wait_until_ready(self, timeout: float = 60.0) -> bool:
        """Ask for the kernel's info until it answers (this runs no cell). False at the timeout."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = self._send("kernel_info_request", {})
            ask_again = min(deadline, time.monotonic() + 5.0)
            while (msg := self._next(ask_again)) is not None:
                if msg.get("parent_header", {}).get("msg_id") == msg_id and _msg_type(msg) == "kernel_info_reply":
                    return True
        return False

    def execute(self, code: str, timeout: float = 300.0) -> CellResult:
        msg_id = self._send("execute_request", {"code": code, "silent": False, "store_history": True,
                                                "user_expressions": {}, "allow_stdin": False, "stop_on_error": True})
        result = CellResult(index=-1, source=code, status="ok")
        idle = replied = False
        deadline = time.monotonic() + timeout
        while not (idle and replied):
            self.ws.settimeout(max(0.1, min(5.0, deadline - time.monotonic())))
            try:
                msg = json.loads(self.ws.recv())
            except websocket.WebSocketTimeoutException:
                if time.monotonic() > deadline:
                    result.status = "timeout"
                    return result
                continue
            except (websocket.WebSocketConnectionClosedException, ConnectionError, OSError):
                result.status = "died"
                return result
            kind = _msg_type(msg)
            if kind == "status" and msg["content"].get("execution_state") in ("restarting", "autorestarting", "dead"):
                result.status = "died"  # the server says the kernel died (it restarts it when it can)
                return result
            if msg.get("parent_header", {}).get("msg_id") != msg_id:
                continue
            if kind == "status" and msg["content"].get("execution_state") == "idle":
                idle = True
            elif kind == "execute_reply":
                replied = True
                if msg["content"].get("status") == "error":
                    result.status = "error"
                    result.ename = msg["content"].get("ename", "")
                    result.evalue = msg["content"].get("evalue", "")
            elif kind in ("stream", "display_data", "execute_result", "error"):
                out = dict(msg["content"], output_type=kind)
                result.outputs.append(out)
        return result

    def close(self, shutdown: bool = True) -> None:
        try:
            self.ws.close()
        finally:
            if shutdown and self.session_id:
                self.server.delete_session(self.session_id)


class UserServer:
    """A logged-in user: the hub's API as that user, and their own Jupyter server behind the proxy."""

    def __init__(self, hub: Hub, user: str, token: str):
        self.hub, self.user, self.token = hub, user, token
        self.url = f"{hub.url}/user/{user}"

    # ---- the hub ----
    def hub_api(self, method: str, path: str, body=None, timeout: float = 30.0):
        return _request(f"{self.hub.url}/hub/api{path}", method, body, self.token, timeout)

    def server_model(self) -> dict:
        return self.hub_api("GET", f"/users/{self.user}")["servers"].get("", {})

    def start_server(self, timeout: float = 180.0) -> "UserServer":
        """Ask the hub to spawn the user's server and wait until it is ready."""
        try:
            self.hub_api("POST", f"/users/{self.user}/server", {})
        except urllib.error.HTTPError as e:
            if e.code != 400:  # 400: already running
                raise HubError(f"the hub did not start {self.user}'s server (HTTP {e.code}: {e.read()[:300]!r})")
        deadline = time.monotonic() + timeout
        while not self.server_model().get("ready"):
            if time.monotonic() > deadline:
                raise HubError(f"{self.user}'s server was not ready within {timeout:.0f} s: {self.server_model()}")
            time.sleep(0.5)
        return self

    def stop_server(self, timeout: float = 60.0) -> None:
        try:
            self.hub_api("DELETE", f"/users/{self.user}/server")
        except urllib.error.HTTPError as e:
            if e.code not in (204, 400, 404):
                raise
        deadline = time.monotonic() + timeout
        while self.server_model() and time.monotonic() < deadline:
            time.sleep(0.5)

    def server_pid(self) -> int | None:
        return (self.server_model().get("state") or {}).get("pid")

    # ---- the user's server (what labdriver expects of a server) ----
    def api(self, method: str, path: str, body=None, timeout: float = 30.0):
        return _request(f"{self.url}{path}", method, body, self.token, timeout)

    def sessions(self, path: str | None = None) -> list[dict]:
        return [s for s in self.api("GET", "/api/sessions") if path is None or s.get("path") == path]

    def kernels(self) -> list[dict]:
        return self.api("GET", "/api/kernels")

    def delete_session(self, session_id: str) -> None:
        try:
            self.api("DELETE", f"/api/sessions/{session_id}", timeout=60)
        except urllib.error.HTTPError as e:
            if e.code != 404:
                raise

    def delete_sessions(self, path: str | None = None) -> None:
        for s in self.sessions(path):
            self.delete_session(s["id"])

    def get_file(self, path: str, content: bool = True) -> dict:
        q = urllib.parse.quote(path)
        return self.api("GET", f"/api/contents/{q}?content={1 if content else 0}")

    def exists(self, path: str) -> bool:
        try:
            self.get_file(path, content=False)
            return True
        except urllib.error.HTTPError as e:
            if e.code == 404:
                return False
            raise

    def save_notebook(self, path: str, nb: dict) -> dict:
        return self.api("PUT", f"/api/contents/{urllib.parse.quote(path)}",
                        {"type": "notebook", "format": "json", "content": nb})

    def delete_file(self, path: str) -> None:
        self.api("DELETE", f"/api/contents/{urllib.parse.quote(path)}")

    def start_kernel(self, path: str) -> Kernel:
        """A session (and kernel) for the notebook at ``path``, as JupyterLab makes when it opens it."""
        s = self.api("POST", "/api/sessions", {"path": path, "name": path.rsplit("/", 1)[-1], "type": "notebook",
                                              "kernel": {"name": "python3"}}, timeout=120)
        return Kernel(self, s["kernel"]["id"], s["id"])

    def run_notebook(self, path: str, cell_timeout: float = 300.0, keep_kernel: bool = False, stop: bool = True):
        """Run the notebook's code cells in order in a new kernel of the user's server (Run All). Returns a
        ``NotebookRun`` (and the ``Kernel`` too with ``keep_kernel``). ``stop=False`` goes on after a failing
        cell (``failed`` lists them) unless the kernel died or timed out."""
        nb = self.get_file(path)["content"]
        kernel = self.start_kernel(path)
        t0 = time.monotonic()
        cells = []
        stopped = None
        try:
            for i, cell in enumerate(nb["cells"]):
                if cell["cell_type"] != "code" or not "".join(cell["source"]).strip():
                    continue
                r = kernel.execute("".join(cell["source"]), timeout=cell_timeout)
                r.index, r.tags = i, tuple(cell.get("metadata", {}).get("tags", []))
                cells.append(r)
                if r.status != "ok" and not (r.status == "error" and "raises-exception" in r.tags):
                    stopped = stopped or r
                    if stop or r.status != "error":
                        break
        finally:
            if not keep_kernel:
                kernel.close()
        run = NotebookRun(path, cells, time.monotonic() - t0, stopped)
        return (run, kernel) if keep_kernel else run

    # ---- nbgitpuller: what the course link does ----
    def pull(self, repo: str, branch: str, targetpath: str, timeout: float = 300.0) -> list[dict]:
        """nbgitpuller's sync API (the link's page calls it): clone on the first call, merge later. Returns its
        events; the last has ``phase`` ``finished`` or ``error`` (with nbgitpuller's ``message``)."""
        q = urllib.parse.urlencode({"repo": repo, "branch": branch, "targetpath": targetpath})
        raw = _request(f"{self.url}/git-pull/api?{q}", token=self.token, timeout=timeout, raw=True).decode()
        return [json.loads(line[len("data: "):]) for line in raw.splitlines() if line.startswith("data: ")]

    # ---- nbgrader's Assignments tab (its server extension) ----
    def assignments(self, course_id: str) -> list[dict]:
        r = self.api("GET", f"/assignments?course_id={urllib.parse.quote(course_id)}")
        if not r.get("success"):
            raise HubError(f"listing the assignments failed: {r.get('value')}")
        return r["value"]

    def _assignment_action(self, action: str, course_id: str, assignment: str) -> dict:
        body = urllib.parse.urlencode({"course_id": course_id, "assignment_id": assignment}).encode()
        req = urllib.request.Request(f"{self.url}/assignments/{action}", data=body, method="POST",
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/x-www-form-urlencoded"})
        with urllib.request.urlopen(req, timeout=120) as r:
            return json.loads(r.read())

    def fetch(self, course_id: str, assignment: str) -> dict:
        return self._assignment_action("fetch", course_id, assignment)

    def submit(self, course_id: str, assignment: str) -> dict:
        """``{"success": True}``, or ``{"success": False, "value": <traceback ending with nbgrader's message>}``."""
        return self._assignment_action("submit", course_id, assignment)

    def fetch_feedback(self, course_id: str, assignment: str) -> dict:
        return self._assignment_action("fetch_feedback", course_id, assignment)
