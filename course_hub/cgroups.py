"""Per-user limits with Linux control groups: memory, CPU and number of processes, for all of a user's processes.

The hub makes one parent group (named after its state folder) and, for every user whose server starts, a child
group with the user's limits. The single-user server is put into it before it execs; its kernels, terminals and
everything they start inherit it, so the limits hold for all of them together, and ``pids()`` lists every
process of the user (``make hub-stop`` stops them by PID).

cgroup v1 (one hierarchy per controller, as on this machine): the parent is made under the cgroup of the process
that runs ``make hub``, so whatever limits that process is under still hold. cgroup v2 (one unified hierarchy,
e.g. Debian 12 with systemd): the parent is made at the root of the hierarchy (a group that holds processes cannot
delegate controllers to children). v2 is written against the kernel's documentation and not tested here.

    memory   v1 memory.limit_in_bytes (+ memsw, no swap)     v2 memory.max, memory.swap.max = 0
    CPU      v1 cpu.cfs_quota_us / cpu.cfs_period_us          v2 cpu.max "quota period"
    pids     pids.max (both)
    OOM kills  v1 memory.oom_control "oom_kill N"             v2 memory.events "oom_kill N"
"""
from __future__ import annotations

import errno
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path

CONTROLLERS = ("memory", "cpu", "pids")
CPU_PERIOD_US = 100_000


def _mounts() -> list[tuple[str, str, list[str]]]:
    """(mount point, type, options) of every cgroup file system."""
    found = []
    with open("/proc/self/mounts") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 4 and parts[2] in ("cgroup", "cgroup2"):
                found.append((parts[1], parts[2], parts[3].split(",")))
    return found


def _own_paths() -> dict[str, str]:
    """This process's cgroup in each v1 hierarchy (``{"memory": "/a/b", ...}``) and in v2 (key ``""``)."""
    paths = {}
    with open("/proc/self/cgroup") as f:
        for line in f:
            _, controllers, path = line.rstrip("\n").split(":", 2)
            for c in controllers.split(",") if controllers else [""]:
                paths[c] = path
    return paths


def detect(name: str) -> tuple[dict[str, str], str]:
    """Where the hub's parent cgroup(s) would go: ``({controller: path}, "")`` for v1, ``({"v2": path}, "")``
    for v2, or ``({}, reason)`` when no usable, writable cgroup hierarchy exists here."""
    if os.geteuid() != 0:
        return {}, "not root"
    mounts = _mounts()
    own = _own_paths()
    v1 = {}
    for point, kind, options in mounts:
        for c in CONTROLLERS:
            if kind == "cgroup" and c in options:
                v1[c] = point
    if set(v1) == set(CONTROLLERS):
        parents = {c: str(Path(v1[c]) / own.get(c, "/").lstrip("/") / name) for c in CONTROLLERS}
        for c, p in parents.items():
            if not os.access(Path(p).parent, os.W_OK):
                return {}, f"the {c} cgroup {Path(p).parent} is not writable"
        return parents, ""
    v2 = next((point for point, kind, _ in mounts if kind == "cgroup2"), None)
    if v2:
        available = (Path(v2) / "cgroup.controllers").read_text().split()
        missing = [c for c in CONTROLLERS if c not in available]
        if missing:
            return {}, f"cgroup v2 at {v2} lacks the {', '.join(missing)} controller(s)"
        if not os.access(v2, os.W_OK):
            return {}, f"cgroup v2 at {v2} is not writable"
        return {"v2": str(Path(v2) / name)}, ""
    missing = [c for c in CONTROLLERS if c not in v1]
    return {}, f"no cgroup hierarchy with the {', '.join(missing)} controller(s) is mounted"


def _write(path: Path, value) -> None:
    with open(path, "w") as f:
        f.write(str(value))


def _read_key(path: Path, key: str) -> int:
    try:
        for line in path.read_text().splitlines():
            k, _, v = line.partition(" ")
            if k == key:
                return int(v)
    except OSError:
        pass
    return 0


def make_parents(parents: dict[str, str]) -> None:
    """Create the hub's parent group(s) (idempotent); for v2, delegate the controllers down to the users."""
    for c, p in parents.items():
        Path(p).mkdir(exist_ok=True)
        if c == "v2":
            wanted = " ".join(f"+{x}" for x in CONTROLLERS)
            _write(Path(p).parent / "cgroup.subtree_control", wanted)
            _write(Path(p) / "cgroup.subtree_control", wanted)


@dataclass
class UserCgroup:
    """The cgroup(s) of one user under the hub's parents."""

    parents: dict[str, str]
    user: str

    @property
    def dirs(self) -> dict[str, Path]:
        return {c: Path(p) / self.user for c, p in self.parents.items()}

    @property
    def memory_dir(self) -> Path | None:
        d = self.dirs
        return d.get("memory") or d.get("v2")

    def create(self, memory_bytes: int | None, cpus: float | None, pids_max: int | None) -> None:
        """Make the group(s) (again) and set the limits. ``None`` or 0 leaves a limit unset."""
        make_parents(self.parents)
        for c, d in self.dirs.items():
            d.mkdir(exist_ok=True)
        d = self.dirs
        if "v2" in d:
            g = d["v2"]
            if memory_bytes:
                _write(g / "memory.max", memory_bytes)
                if (g / "memory.swap.max").exists():
                    _write(g / "memory.swap.max", 0)
            if cpus:
                _write(g / "cpu.max", f"{int(cpus * CPU_PERIOD_US)} {CPU_PERIOD_US}")
            if pids_max:
                _write(g / "pids.max", pids_max)
            return
        if memory_bytes:
            _write(d["memory"] / "memory.limit_in_bytes", memory_bytes)
            memsw = d["memory"] / "memory.memsw.limit_in_bytes"
            if memsw.exists():  # swap accounting: no swap beyond the limit either
                _write(memsw, memory_bytes)
        if cpus:
            _write(d["cpu"] / "cpu.cfs_period_us", CPU_PERIOD_US)
            _write(d["cpu"] / "cpu.cfs_quota_us", int(cpus * CPU_PERIOD_US))
        if pids_max:
            _write(d["pids"] / "pids.max", pids_max)

    def join_function(self):
        """A function for ``Popen(preexec_fn=...)``: moves the new process into the group(s) (runs as root,
        before the process drops to the user). Paths are computed now, not in the child."""
        procs = [str(d / "cgroup.procs") for d in self.dirs.values()]

        def join():
            pid = str(os.getpid())
            for p in procs:
                with open(p, "w") as f:
                    f.write(pid)

        return join

    def pids(self) -> list[int]:
        """Every process in the user's group(s)."""
        found = set()
        for d in self.dirs.values():
            try:
                found.update(int(x) for x in (d / "cgroup.procs").read_text().split())
            except OSError:
                pass
        return sorted(found)

    def oom_kills(self) -> int:
        """How many processes the kernel's OOM killer stopped in this group because it hit its memory limit."""
        d = self.memory_dir
        if d is None:
            return 0
        return _read_key(d / ("memory.events" if "v2" in self.dirs else "memory.oom_control"), "oom_kill")

    def peak_memory_mb(self) -> float | None:
        """The most memory the group has held at once, page cache included (None where the kernel does not say:
        cgroup v2 before Linux 5.19)."""
        d = self.memory_dir
        name = "memory.peak" if "v2" in self.dirs else "memory.max_usage_in_bytes"
        try:
            return int((d / name).read_text().split()[0]) / 2**20
        except (OSError, TypeError, ValueError, IndexError):
            return None

    def throttled(self) -> int:
        """How many CPU periods the group was throttled in (it wanted more than its quota)."""
        d = self.dirs.get("cpu") or self.dirs.get("v2")
        return _read_key(d / "cpu.stat", "nr_throttled") if d else 0

    def kill_all(self, grace: float = 5.0) -> list[int]:
        """SIGTERM every process left in the group(s), SIGKILL what survives ``grace`` seconds; returns the PIDs
        that had to be signalled."""
        pids = self.pids()
        for sig, wait in ((signal.SIGTERM, grace), (signal.SIGKILL, 5.0)):
            left = self.pids()
            if not left:
                break
            for pid in left:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
            deadline = time.monotonic() + wait
            while self.pids() and time.monotonic() < deadline:
                time.sleep(0.1)
        return pids

    def remove(self) -> None:
        """Remove the (empty) group(s). A group that still holds a process stays (and says why in the log)."""
        for d in self.dirs.values():
            try:
                d.rmdir()
            except FileNotFoundError:
                pass
            except OSError as e:
                if e.errno not in (errno.EBUSY, errno.ENOTEMPTY):
                    raise


def remove_parents(parents: dict[str, str]) -> list[str]:
    """Remove the hub's parent group(s) and every (empty) user group under them; returns what could not go."""
    left = []
    for p in parents.values():
        parent = Path(p)
        if not parent.is_dir():
            continue
        for child in parent.iterdir():
            if child.is_dir():
                try:
                    child.rmdir()
                except OSError as e:
                    left.append(f"{child}: {e.strerror}")
        try:
            parent.rmdir()
        except OSError as e:
            left.append(f"{parent}: {e.strerror}")
    return left
