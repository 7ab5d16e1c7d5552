"""What one class hub is: addresses, users, limits and folders, saved as ``<hub dir>/hub.json``.

Two folders (both named by the Makefile):

- the **prefix** (``HUB_PREFIX``, default ``/opt/nn-from-scratch``): what every user runs and reads -- the Python
  environment (``venv/``), the proxy (``node/``), MNIST (``data/``). Readable by all, writable by root only.
- the **hub dir** (``HUB_DIR``, default ``/srv/nn-from-scratch-hub``): the hub's state -- database, cookie secret,
  logs, PID files, passwords, the published course repository, nbgrader's exchange. ``make hub-stop`` and a second
  ``make hub`` work from what is recorded here.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

SETTINGS_FILE = "hub.json"
REPO_NAME = "nn-from-scratch"  # the published course repository, and the folder it is cloned into
COURSE_DIR = "course"  # the instructor's nbgrader course directory, in the instructor's home


@dataclass
class HubSettings:
    hub_dir: str
    prefix: str
    repo: str  # the project checkout `make hub` ran from (root only)
    ip: str = "127.0.0.1"
    port: int = 8000
    hub_port: int = 8081  # the hub's own API, behind the proxy (on 127.0.0.1)
    proxy_api_port: int = 8001
    instructor: str = "nnfs-instructor"
    students: list[str] = field(default_factory=lambda: ["nnfs-student1", "nnfs-student2", "nnfs-student3"])
    course_id: str = "nn-from-scratch"
    mem_limit_mb: int = 1024  # per user: all their processes together (cgroup)
    cpu_limit: float = 1.0  # per user, in cores (cgroup CPU quota)
    pids_max: int = 256  # per user: processes and threads (cgroup)
    kernel_idle_minutes: int = 60  # a kernel idle this long is shut down (its memory freed)
    cgroups: dict[str, str] = field(default_factory=dict)  # controller (or "v2") -> the hub's parent cgroup
    created_users: list[str] = field(default_factory=list)  # accounts `make hub` created (`down --delete-users`)

    # ---- where things are ----
    @property
    def venv(self) -> Path:
        return Path(self.prefix) / "venv"

    @property
    def python(self) -> Path:
        return self.venv / "bin" / "python"

    @property
    def proxy_command(self) -> Path:
        return Path(self.prefix) / "node" / "node_modules" / ".bin" / "configurable-http-proxy"

    @property
    def data_dir(self) -> Path:
        return Path(self.prefix) / "data"

    @property
    def student_config_dir(self) -> Path:
        """Jupyter config for students' servers (first on their JUPYTER_CONFIG_PATH): no formgrader."""
        return Path(self.prefix) / "etc" / "jupyter-student"

    @property
    def run_dir(self) -> Path:
        return Path(self.hub_dir) / "run"

    @property
    def private_dir(self) -> Path:
        """root only (0700): JupyterHub's database and cookie secret."""
        return Path(self.hub_dir) / "private"

    @property
    def log_dir(self) -> Path:
        return Path(self.hub_dir) / "logs"

    @property
    def hub_pid_file(self) -> Path:
        return self.run_dir / "jupyterhub.pid"

    @property
    def proxy_pid_file(self) -> Path:
        return self.run_dir / "proxy.pid"

    @property
    def passwords_file(self) -> Path:
        return Path(self.hub_dir) / "passwords.txt"

    @property
    def course_repo(self) -> Path:
        """The bare git repository nbgitpuller clones from (world-readable)."""
        return Path(self.hub_dir) / "course" / REPO_NAME

    @property
    def publish_dir(self) -> Path:
        """root's working copy of ``course_repo``, where a publication is committed."""
        return Path(self.hub_dir) / "publish"

    @property
    def gitconfig(self) -> Path:
        """Git's system config for the hub's users: marks the root-owned course repository as safe to clone."""
        return Path(self.hub_dir) / "gitconfig"

    @property
    def exchange(self) -> Path:
        return Path(self.hub_dir) / "exchange"

    @property
    def users(self) -> list[str]:
        return [self.instructor, *self.students]

    @property
    def local_ip(self) -> str:
        """The address this machine reaches the hub at."""
        return "127.0.0.1" if self.ip in ("", "0.0.0.0", "::") else self.ip

    @property
    def url(self) -> str:
        host = self.ip
        if host in ("", "0.0.0.0", "::"):
            import socket

            host = socket.getfqdn()
        return f"http://{host}:{self.port}"

    def user_environment(self) -> dict[str, str]:
        """The environment of every user's server, its kernels and terminals (the spawner adds the user's
        memory limit and, for students, ``JUPYTER_CONFIG_PATH``). The tests run the instructor's commands in it."""
        return {
            "PATH": f"{self.venv}/bin:/usr/local/bin:/usr/bin:/bin",
            "COURSE_DATA_DIR": str(self.data_dir),  # MNIST, shared and read-only
            "COURSE_ID": self.course_id,
            "COURSE_HUB_EXCHANGE": str(self.exchange),  # read by the environment's nbgrader_config.py
            "GIT_CONFIG_SYSTEM": str(self.gitconfig),  # nbgitpuller may clone the root-owned course repository
            # one BLAS thread per kernel: many students share the cores (docs/instructors.md)
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            # glibc reserves 64 MB of address space per thread arena (a kernel has ~10 threads): two arenas keep a
            # kernel's address space close to what it uses, so the kernel's RLIMIT_AS (the user's memory share plus
            # course_hub.kernel.MAPPED_ALLOWANCE_MB) stops runaway allocations, not ordinary ones
            "MALLOC_ARENA_MAX": "2",
        }

    def home(self, user: str) -> Path:
        import pwd

        return Path(pwd.getpwnam(user).pw_dir)

    def course_dir(self) -> Path:
        """The instructor's nbgrader course directory (sources, release/, submitted/, feedback/)."""
        return self.home(self.instructor) / COURSE_DIR

    def pull_link(self, branch: str = "main", notebook: str = "00_start_here") -> str:
        """The nbgitpuller link: clones (first click) or merges (later clicks) the course into ~/nn-from-scratch."""
        from urllib.parse import quote

        target = f"lab/tree/{REPO_NAME}/{notebook}/{notebook}.ipynb"
        return (f"{self.url}/hub/user-redirect/git-pull?repo={quote('file://' + str(self.course_repo), safe='')}"
                f"&branch={quote(branch)}&targetpath={REPO_NAME}&urlpath={quote(target, safe='')}")

    # ---- file ----
    def save(self) -> Path:
        path = Path(self.hub_dir) / SETTINGS_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            json.dump(asdict(self), f, indent=1, sort_keys=True)
            f.write("\n")
        os.replace(tmp, path)
        return path

    @classmethod
    def load(cls, hub_dir_or_file) -> "HubSettings":
        path = Path(hub_dir_or_file)
        if path.is_dir():
            path = path / SETTINGS_FILE
        data = json.loads(path.read_text())
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})
