"""Start the hub in the background, and stop everything it started -- by PID.

``start`` runs ``jupyterhub -f <course_hub/jupyterhub_config.py>`` from the hub's environment as a new session,
logging to ``<hub dir>/logs/jupyterhub.log``; JupyterHub writes its PID and the proxy's (``<hub dir>/run``) and
starts the proxy itself. ``stop`` sends SIGTERM to the hub (which stops every user's server and the proxy), then
stops by PID whatever is left: the proxy, every process in the users' cgroups, and any other process of the
hub's users that runs the hub's environment; it removes the cgroups and the PID files and says what it did.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import psutil

from . import cgroups
from .settings import SETTINGS_FILE, HubSettings


def read_pid(path: Path) -> int | None:
    try:
        return int(Path(path).read_text().strip())
    except (OSError, ValueError):
        return None


def _cmdline(pid: int) -> str:
    try:
        return " ".join(psutil.Process(pid).cmdline())
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return ""


def hub_pid(s: HubSettings) -> int | None:
    """The running hub's PID (from its PID file, checked against the process's command line), or None."""
    pid = read_pid(s.hub_pid_file)
    return pid if pid and "jupyterhub" in _cmdline(pid) else None


def proxy_pid(s: HubSettings) -> int | None:
    pid = read_pid(s.proxy_pid_file)
    return pid if pid and "configurable-http-proxy" in _cmdline(pid) else None


def hub_answers(s: HubSettings, timeout: float = 3.0) -> bool:
    try:
        with urllib.request.urlopen(f"http://{s.local_ip}:{s.port}/hub/api/", timeout=timeout) as r:
            return "version" in json.loads(r.read())
    except (urllib.error.URLError, OSError, ValueError):
        return False


def log_tail(s: HubSettings, n: int = 30) -> str:
    try:
        return "\n".join((s.log_dir / "jupyterhub.log").read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def start(s: HubSettings, config: Path, timeout: float = 120.0) -> int:
    env = {
        "PATH": f"{s.venv}/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "COURSE_HUB_SETTINGS": str(Path(s.hub_dir) / SETTINGS_FILE),
        "LANG": os.environ.get("LANG", "C.UTF-8"),
    }
    for var in ("LC_ALL", "OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):  # passed on to users unchanged (env_keep)
        if var in os.environ:
            env[var] = os.environ[var]
    log = open(s.log_dir / "jupyterhub.log", "ab")
    try:
        proc = subprocess.Popen([str(s.venv / "bin" / "jupyterhub"), "-f", str(config)], cwd=s.hub_dir, env=env,
                                stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    finally:
        log.close()
    deadline = time.monotonic() + timeout
    while not hub_answers(s):
        if proc.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {proc.returncode}; its log ends with:\n{log_tail(s)}")
        if time.monotonic() > deadline:
            stop(s)
            raise RuntimeError(f"JupyterHub did not answer within {timeout:.0f} s; its log ends with:\n{log_tail(s)}")
        time.sleep(0.5)
    return proc.pid


def _terminate(pids: list[int], grace: float) -> list[int]:
    """SIGTERM ``pids``, SIGKILL those alive after ``grace`` s. Returns the ones that needed SIGKILL."""
    procs = []
    for pid in pids:
        try:
            p = psutil.Process(pid)
            p.terminate()
            procs.append(p)
        except psutil.NoSuchProcess:
            pass
    _, alive = psutil.wait_procs(procs, timeout=grace)
    for p in alive:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(alive, timeout=5)
    return [p.pid for p in alive]


def user_processes(s: HubSettings) -> list[int]:
    """Every process of the hub's users: in their cgroups, or running the hub's environment."""
    pids = set()
    for user in s.users:
        pids.update(cgroups.UserCgroup(s.cgroups, user).pids() if s.cgroups else [])
    uids = set()
    for user in s.users:
        try:
            import pwd

            uids.add(pwd.getpwnam(user).pw_uid)
        except KeyError:
            pass
    venv = str(s.venv)
    for p in psutil.process_iter(["pid", "uids", "cmdline"]):
        try:
            if p.info["uids"] and p.info["uids"].real in uids and venv in " ".join(p.info["cmdline"] or []):
                pids.add(p.pid)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            pass
    pids.discard(os.getpid())
    return sorted(pids)


def stop(s: HubSettings) -> list[str]:
    """Stop the hub, the proxy and every process of the hub's users (by PID). Returns what was done."""
    said = []
    pid = hub_pid(s)
    if pid:
        os.kill(pid, signal.SIGTERM)  # JupyterHub stops every user's server, then the proxy it started
        try:
            psutil.Process(pid).wait(timeout=60)
            said.append(f"stopped JupyterHub (pid {pid})")
        except psutil.TimeoutExpired:
            os.kill(pid, signal.SIGKILL)
            said.append(f"JupyterHub (pid {pid}) did not stop within 60 s: killed")
    else:
        said.append("JupyterHub was not running")
    ppid = proxy_pid(s)
    if ppid:
        killed = _terminate([ppid], grace=10)
        said.append(f"stopped the proxy (pid {ppid}){' with SIGKILL' if killed else ''}")
    left = user_processes(s)
    if left:
        killed = _terminate(left, grace=10)
        said.append(f"stopped {len(left)} process(es) of the hub's users: {left}"
                    + (f" ({len(killed)} needed SIGKILL)" if killed else ""))
    if s.cgroups:
        problems = cgroups.remove_parents(s.cgroups)
        said.append("removed the hub's cgroups" + (f" except: {'; '.join(problems)}" if problems else ""))
    for f in (s.hub_pid_file, s.proxy_pid_file):
        f.unlink(missing_ok=True)
    return said
