"""Where the student's code runs: a bubblewrap sandbox when the grader grades, a plain process for a self-check.

``start_sandboxed(limits, forbidden)`` starts ``python -m course_lib.grading.worker`` under Debian's
bubblewrap (``bwrap``), as::

    [setpriv --reuid=UID --regid=UID --clear-groups --no-new-privs --]   # only when the grader runs as root
    prlimit --as=... --cpu=... --nproc=... --fsize=... --nofile=... --core=0 --
    bwrap --unshare-all --unshare-user --disable-userns --uid 65534 --gid 65534 --die-with-parent --new-session
          --clearenv --setenv ... --ro-bind ... --proc /proc --dev /dev --tmpfs /tmp --tmpfs $HOME ...
          PYTHON -m course_lib.grading.worker

Inside: user ``nobody`` (65534); outside, when the grader runs as root, an unprivileged uid of its own per grading
slot (``SLOT_UIDS + slot``: no account has them), so that one submission's processes never count against another's
process limit -- as an ordinary user, the grader's own uid (and no process limit: it would count all of that
user's processes). Read-only views of ``/usr`` (and the
``/bin``, ``/lib*`` links), a few files of ``/etc``, the Python installation, the virtual environment, the
``course_lib`` package directory (not the project: ``notebooks/`` holds the solutions) and the data folder
(``COURSE_DATA_DIR``); a fresh, size-limited tmpfs for ``/tmp``, ``/dev/shm`` and the working folder ``$HOME``.
Nothing else: not the instructor's sources, the submissions, the output folder or the grader's files. Its own
network namespace (no loopback to the host), PID namespace (everything the student starts dies with the
sandbox), IPC, UTS and cgroup namespaces, no new user namespaces, a new session (no terminal).
Resource limits are set before ``bwrap`` starts and are inherited by everything inside; the wall clock is
enforced from outside by killing the sandbox (``remote.Student``).

When the grader runs as root, paths that an unprivileged user cannot reach (a Python installed under ``/root``) are
first bind-mounted into a world-readable folder inside a private mount namespace of the grader's own
(trusted) process, because an unprivileged ``bwrap`` can only bind what its user can reach.
``problem()`` says why the sandbox cannot be used here (``None`` when it can).
"""
from __future__ import annotations

import atexit
import ctypes
import os
import shutil
import site
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

SANDBOX_UID = 65534              # the student's uid inside the sandbox ("nobody")
SLOT_UIDS = 2_000_000_000        # outside, as root: this + the grading slot (0, 1, ... jobs - 1)
HOME = "/home/student"
THREAD_VARS = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS")
WORKER = ["-m", "course_lib.grading.worker"]


@dataclass
class Limits:
    memory_mb: int = 2048        # address space of each process
    cpu_seconds: int = 900       # CPU time of each process
    processes: int = 64          # processes and threads of the sandbox's uid (as root: one uid per slot)
    file_mb: int = 64            # size of one file written
    tmp_mb: int = 256            # size of each tmpfs (/tmp, /dev/shm, the working folder)
    open_files: int = 256

    def prlimit(self, processes: bool = True) -> list[str]:
        mb = 2**20
        nproc = [f"--nproc={self.processes}"] if processes else []
        return ["prlimit", f"--as={self.memory_mb * mb}", f"--cpu={self.cpu_seconds}", *nproc,
                f"--fsize={self.file_mb * mb}", f"--nofile={self.open_files}", "--core=0", "--"]


def package_dir() -> Path:
    import course_lib
    return Path(list(course_lib.__path__)[0]).resolve()


def data_dirs() -> list[Path]:
    """The data folders the notebooks read: the project's ``data/`` and ``$COURSE_DATA_DIR``."""
    dirs = [package_dir().parent / "data"]
    if os.environ.get("COURSE_DATA_DIR"):
        dirs.append(Path(os.environ["COURSE_DATA_DIR"]))
    return [d.resolve() for d in dirs if d.is_dir()]


def _inside(path: Path, folder: Path) -> bool:
    return path == folder or folder in path.parents


def binds(forbidden=()) -> list[Path]:
    """The folders the sandbox sees (read-only, at the same paths). Raises ``RuntimeError`` when one of them
    contains a ``forbidden`` folder (the sources, the submissions, the output)."""
    wanted = [sys.base_prefix, sys.base_exec_prefix, sys.prefix, package_dir(), *data_dirs()]
    user_site = site.getusersitepackages() if site.ENABLE_USER_SITE else None
    if user_site and user_site in sys.path and os.path.isdir(user_site):
        wanted.append(user_site)
    out: list[Path] = []
    for p in (Path(w).resolve() for w in wanted):
        if p.parts[:2] == ("/", "usr") or any(_inside(p, q) for q in out):
            continue
        out = [q for q in out if not _inside(q, p)] + [p]
    for p in out:
        for f in map(lambda f: Path(f).resolve(), forbidden):
            if _inside(f, p):
                raise RuntimeError(f"the sandbox would see {f} (it is inside {p}, which the sandbox needs): "
                                   "keep the sources, submissions and output outside the Python environment "
                                   "and the course package")
    return out


def _reachable(path: Path) -> bool:
    """Can a user that is neither owner nor group member (65534) reach and list ``path``?"""
    try:
        if not os.stat(path).st_mode & 0o005 == 0o005:
            return False
        return all(os.stat(p).st_mode & 0o001 for p in path.parents)
    except OSError:
        return False


_STAGED: dict = {}


def _stage(paths: list[Path]) -> dict:
    """As root: bind-mount ``paths`` into a world-readable folder, in a mount namespace of this process only."""
    todo = [p for p in paths if p not in _STAGED and not _reachable(p)]
    if not todo:
        return _STAGED
    libc = ctypes.CDLL(None, use_errno=True)
    ms_bind, ms_rec, ms_private, mnt_detach = 4096, 16384, 1 << 18, 2
    if not _STAGED:
        if libc.unshare(0x00020000) != 0 or libc.mount(b"none", b"/", None, ms_rec | ms_private, None) != 0:
            raise OSError(ctypes.get_errno(), "cannot make a private mount namespace (needs CAP_SYS_ADMIN)")
        stage = tempfile.mkdtemp(prefix="grading-mounts-")
        os.chmod(stage, 0o755)
        _STAGED["__stage__"] = stage

        def cleanup():
            for src, dest in list(_STAGED.items()):
                if src != "__stage__":
                    libc.umount2(str(dest).encode(), mnt_detach)
            shutil.rmtree(stage, ignore_errors=True)
        atexit.register(cleanup)
    for p in todo:
        dest = Path(_STAGED["__stage__"]) / str(len(_STAGED))
        dest.mkdir()
        if libc.mount(str(p).encode(), str(dest).encode(), None, ms_bind | ms_rec, None) != 0:
            raise OSError(ctypes.get_errno(), f"cannot bind {p}")
        _STAGED[p] = dest
    return _STAGED


def _memfd(name: str, data: bytes) -> int:
    fd = os.memfd_create(name, 0)
    os.write(fd, data)
    os.lseek(fd, 0, os.SEEK_SET)
    return fd


def _font_cache() -> list[Path]:
    """Matplotlib's font list of this user, so that the sandbox does not rebuild it on every start."""
    folder = os.environ.get("MPLCONFIGDIR") or os.path.join(os.environ.get("XDG_CACHE_HOME", "~/.cache"), "matplotlib")
    return sorted(Path(folder).expanduser().glob("fontlist-v*.json"))


def environment(data: list[Path]) -> dict:
    env = {"HOME": HOME, "USER": "student", "PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8",
           "TMPDIR": "/tmp", "MPLBACKEND": "Agg", "MPLCONFIGDIR": f"{HOME}/.config/matplotlib",
           "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", **{v: "1" for v in THREAD_VARS}}
    if data:
        env["COURSE_DATA_DIR"] = str(Path(os.environ.get("COURSE_DATA_DIR") or data[0]).resolve())
    return env


def command(limits: Limits, forbidden=(), slot: int = 0) -> tuple[list[str], list[int]]:
    """The command line that starts a sandboxed worker in grading slot ``slot``, and the file descriptors it needs."""
    folders, as_root = binds(forbidden), os.geteuid() == 0
    staged = _stage(folders) if as_root else {}
    fds: list[int] = []
    args = ["bwrap", "--unshare-all", "--unshare-user", "--disable-userns", "--uid", str(SANDBOX_UID),
            "--gid", str(SANDBOX_UID), "--hostname", "sandbox", "--die-with-parent", "--new-session", "--clearenv"]
    for key, value in environment(data_dirs()).items():
        args += ["--setenv", key, value]
    args += ["--ro-bind", "/usr", "/usr"]
    for name in ("bin", "sbin", "lib", "lib32", "lib64"):
        p = Path("/") / name
        if p.is_symlink():
            args += ["--symlink", os.readlink(p), str(p)]
        elif p.is_dir():
            args += ["--ro-bind", str(p), str(p)]
    for f in ("/etc/ld.so.cache", "/etc/localtime", "/etc/nsswitch.conf", "/etc/fonts"):
        args += ["--ro-bind-try", f, f]
    size = str(limits.tmp_mb * 2**20)
    # The empty file systems first, the course's folders on top: a checkout under /tmp (or HOME) stays visible.
    args += ["--proc", "/proc", "--dev", "/dev", "--size", size, "--tmpfs", "/dev/shm", "--size", size,
             "--tmpfs", "/tmp", "--perms", "0700", "--size", size, "--tmpfs", HOME]
    for folder in folders:
        args += ["--ro-bind", str(staged.get(folder, folder)), str(folder)]
    files = {"/etc/passwd": f"root:x:0:0::/:/usr/sbin/nologin\nstudent:x:{SANDBOX_UID}:{SANDBOX_UID}::{HOME}:"
                            "/usr/sbin/nologin\n".encode(),
             "/etc/group": f"root:x:0:\nstudent:x:{SANDBOX_UID}:\n".encode()}
    for cache in _font_cache():
        files[f"{HOME}/.config/matplotlib/{cache.name}"] = cache.read_bytes()
    for dest, data in files.items():
        fds.append(_memfd(Path(dest).name, data))
        args += ["--file", str(fds[-1]), dest]
    args += ["--chdir", HOME, sys.executable, *WORKER]
    uid = SLOT_UIDS + slot
    prefix = ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "--no-new-privs", "--"] if as_root else []
    return prefix + limits.prlimit(processes=as_root) + args, fds


def _popen(cmd, cwd=None, env=None, fds=(), stderr=None) -> subprocess.Popen:
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=stderr or subprocess.DEVNULL,
                            cwd=cwd, env=env, pass_fds=tuple(fds), start_new_session=True)


def start_sandboxed(limits: Limits, forbidden=(), stderr=None, slot: int = 0) -> subprocess.Popen:
    cmd, fds = command(limits, forbidden, slot)
    try:
        return _popen(cmd, fds=fds, stderr=stderr)
    finally:
        for fd in fds:
            os.close(fd)


def start_plain(cwd, limits: Limits | None = None, stderr=None) -> subprocess.Popen:
    """A worker without a sandbox, in ``cwd``, with this environment (plus one BLAS thread, Agg), and the
    resource limits when ``limits`` is given and ``prlimit`` exists."""
    env = {**os.environ, "MPLBACKEND": "Agg", **{v: "1" for v in THREAD_VARS}}
    cmd = [sys.executable, *WORKER]
    if limits is not None and shutil.which("prlimit"):
        cmd = limits.prlimit(processes=False) + cmd
    return _popen(cmd, cwd=cwd, env=env, stderr=stderr)


def problem(forbidden=()) -> str | None:
    """Why a sandboxed worker cannot start here (``None``: it can). Starts one and waits for its greeting,
    in a child process (which may make its own mount namespace, see the module docstring)."""
    if sys.platform != "linux":
        return f"bubblewrap sandboxes need Linux (this is {sys.platform})"
    missing = [tool for tool in ("bwrap", "prlimit") + (("setpriv",) if os.geteuid() == 0 else ())
               if not shutil.which(tool)]
    if missing:
        return (f"{', '.join(missing)} not found: install bubblewrap (Debian/Ubuntu: apt-get install bubblewrap) "
                "and util-linux")
    proc = subprocess.run([sys.executable, "-m", "course_lib.grading.sandbox", *map(str, forbidden)],
                          capture_output=True, text=True, timeout=300)
    if proc.returncode != 0:
        lines = (proc.stdout + proc.stderr).strip().splitlines()
        return "the sandbox does not start: " + " | ".join(lines[-4:]) + (
            " (on Ubuntu 24.04 and later, unprivileged user namespaces may be restricted by AppArmor)")
    return None


def _self_test(forbidden) -> int:
    from .remote import Student, StudentProcessError

    err = tempfile.TemporaryFile()
    try:
        student = Student(start_sandboxed(Limits(), forbidden, stderr=err), startup_timeout=120)
    except (StudentProcessError, OSError, RuntimeError) as e:
        err.seek(0)
        print(f"{type(e).__name__}: {e}", err.read().decode(errors="replace")[-2000:], file=sys.stderr)
        return 1
    reply = student.run_cell(f"import os\nassert os.getuid() == {SANDBOX_UID}", timeout=60)
    student.kill()
    if reply.get("re") != "ok":
        print(f"a cell did not run in the sandbox: {reply}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(_self_test(sys.argv[1:]))
