"""What the hub tests share: the test accounts, the hub under test, the skip rule.

The hub runs from its own state folder (a temporary folder), on a free port, with the accounts ``nnfst-teacher``
and ``nnfst-s1`` ... ``nnfst-s4`` (the prefix marks them as the tests'; leftovers of an interrupted run are stopped
by PID and deleted first). The environment folder is ``make hub``'s default (``HUB_PREFIX``), shared with a real
hub on the same machine: it is an installation, not state.

Where the hub cannot run (not root, no nodejs/npm, no python3-venv, no writable cgroups) the tests are skipped
with a message saying what is missing -- unless ``COURSE_REQUIRE_HUB=1`` (set by ``.ci/run``): then that is a
failure.
"""
from __future__ import annotations

import importlib.util
import os
import pwd
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import psutil
import pytest

ROOT = Path(__file__).resolve().parents[2]
PREFIX = "nnfst-"
INSTRUCTOR = PREFIX + "teacher"
STUDENTS = [f"{PREFIX}s{i}" for i in range(1, 5)]  # s1..s3 through the REST API, s4 in the browser
MEM_MB = 1024
CPUS = 0.5


def _required() -> bool:
    return os.environ.get("COURSE_REQUIRE_HUB", "").strip().lower() not in ("", "0", "false", "no")


def unavailable(reason: str):
    if _required():
        pytest.fail(f"COURSE_REQUIRE_HUB is set but {reason}", pytrace=False)
    pytest.skip(f"hub tests skipped: {reason}")


def missing() -> list[str]:
    from course_hub import cgroups, setup

    found = setup.missing_prerequisites()
    if os.geteuid() == 0:
        parents, why = cgroups.detect("nnfst-probe")
        if not parents:
            found.append(f"per-user limits: {why}")
    return found


def load_labdriver():
    """``tests/browser/labdriver.py``, the browser tests' JupyterLab driver (loaded by path, as one module)."""
    if "labdriver" in sys.modules:
        return sys.modules["labdriver"]
    spec = importlib.util.spec_from_file_location("labdriver", ROOT / "tests" / "browser" / "labdriver.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["labdriver"] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def remove_test_accounts() -> None:
    """Stop every process of a test account (by PID), then delete the accounts and their homes."""
    from course_hub import users

    uids = {}
    for p in pwd.getpwall():
        if p.pw_name.startswith(PREFIX):
            uids[p.pw_uid] = p.pw_name
    procs = [p for p in psutil.process_iter(["uids"]) if p.info["uids"] and p.info["uids"].real in uids]
    for p in procs:
        try:
            p.kill()
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)
    for name in uids.values():
        users.delete(name)


@dataclass
class HubUnderTest:
    hub_dir: Path
    port: int
    up_output: str
    state: dict = field(default_factory=dict)  # what one test leaves for the next (the tests are one scenario)

    @property
    def settings(self):
        from course_hub.settings import HubSettings

        return HubSettings.load(self.hub_dir)

    @property
    def passwords(self) -> dict[str, str]:
        from course_hub.users import read_passwords

        return read_passwords(self.settings.passwords_file)

    def make(self, target: str, **extra) -> subprocess.CompletedProcess:
        args = [f"HUB_DIR={self.hub_dir}", f"HUB_PORT={self.port}", f"HUB_INSTRUCTOR={INSTRUCTOR}",
                f"HUB_STUDENTS={' '.join(STUDENTS)}", f"HUB_MEM_MB={MEM_MB}", f"HUB_CPUS={CPUS}"]
        args += [f"{k}={v}" for k, v in extra.items()]
        return subprocess.run(["make", "--no-print-directory", target, *args], cwd=ROOT, capture_output=True,
                              text=True, timeout=1200)

    def as_user(self, user: str, command: list[str], cwd: str | None = None, check: bool = False):
        """Run ``command`` as the Unix ``user`` with the environment a terminal on the hub has."""
        home = pwd.getpwnam(user).pw_dir
        env = {"HOME": home, "USER": user, "LOGNAME": user, "LANG": "C.UTF-8", **self.settings.user_environment()}
        r = subprocess.run(["runuser", "-u", user, "--", "env", "-i", *[f"{k}={v}" for k, v in env.items()],
                            *command], cwd=cwd or home, capture_output=True, text=True, errors="replace",
                           timeout=900)
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(command)} as {user} failed ({r.returncode}):\n{r.stdout}\n{r.stderr}")
        return r
