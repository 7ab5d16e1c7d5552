"""Set up everything the hub needs, idempotently (``python -m course_hub up`` runs these in order, as root).

- ``environment``: ``<prefix>/venv`` from Debian's ``/usr/bin/python3`` (the project's ``.venv`` points at a Python
  under ``/root``, which other users cannot reach), with the course package installed *non-editable* from a copy of
  the checkout (users never need to read the repository) plus JupyterHub, nbgitpuller and nbgrader (extras
  ``student,hub``); the configuration files of ``course_hub/etc`` in its ``etc``; the proxy from npm in
  ``<prefix>/node``. Reinstalled only when the course package's files change.
- ``data``: MNIST and Fashion-MNIST in ``<prefix>/data/mnist`` and ``<prefix>/data/fashion-mnist``, imported from
  the checkout's ``data/`` (or fetched), cached once, read-only for everyone (``COURSE_DATA_DIR`` points every
  kernel there).
- ``course_directory``: the instructor's nbgrader course directory ``~<instructor>/course`` (the sources with
  solutions, ``nbgrader_config.py``, ``release/``), private to the instructor.
- ``exchange``: nbgrader's exchange ``<hub dir>/exchange`` (mode 1777 as nbgrader documents, plus the sticky bit)
  with the course's folder owned by the instructor.
- ``lock_repository``: the checkout ``make hub`` runs from is made unreadable for other users (mode o-rwx):
  it holds the solutions.
"""
from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

from course_lib.data import DATASETS, SHIPPED

from .settings import COURSE_DIR, HubSettings

PROXY_PACKAGE = "configurable-http-proxy@4.6.3"  # runs on Debian 12's nodejs 18 and on newer ones
SYSTEM_PYTHON = "/usr/bin/python3"
EXTRAS = "student,hub"
ETC = Path(__file__).resolve().parent / "etc"
#: what the course package is built from (copied to a temporary folder, so the build never writes into the checkout)
PACKAGE_FILES = ("pyproject.toml", "README.md", "LICENSE", "course_lib", "course_hub")


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    """Run ``cmd``; from ``/`` unless told otherwise, so that ``python -m`` imports the installed packages, never
    the checkout's."""
    kw.setdefault("cwd", "/")
    r = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({r.returncode}):\n{(r.stdout + r.stderr)[-3000:]}")
    return r


def _package_digest(repo: Path) -> str:
    h = hashlib.sha256()
    for name in PACKAGE_FILES:
        root = repo / name
        paths = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file()
                                                    and "__pycache__" not in p.parts)
        for p in paths:
            h.update(str(p.relative_to(repo)).encode() + b"\0" + p.read_bytes() + b"\0")
    h.update(EXTRAS.encode())
    return h.hexdigest()


def missing_prerequisites() -> list[str]:
    """What this machine lacks for ``make hub`` (empty: nothing)."""
    missing = []
    if os.geteuid() != 0:
        missing.append("root (make hub creates Unix users and cgroups: run it with sudo)")
    if not Path(SYSTEM_PYTHON).is_file():
        missing.append(f"{SYSTEM_PYTHON} (apt-get install python3 python3-venv)")
    else:
        r = subprocess.run([SYSTEM_PYTHON, "-c", "import venv, ensurepip"], capture_output=True)
        if r.returncode != 0:
            missing.append("Python's venv module for /usr/bin/python3 (apt-get install python3-venv)")
    for tool, package in (("node", "nodejs"), ("npm", "npm"), ("git", "git"), ("useradd", "passwd"),
                          ("chpasswd", "passwd")):
        if shutil.which(tool) is None:
            missing.append(f"{tool} (apt-get install {package})")
    if not Path("/etc/pam.d").is_dir():
        missing.append("PAM (/etc/pam.d) for the hub's logins")
    return missing


def environment(s: HubSettings, say=print) -> None:
    os.umask(0o022)
    prefix = Path(s.prefix)
    prefix.mkdir(parents=True, exist_ok=True)
    os.chmod(prefix, 0o755)
    repo = Path(s.repo)
    if not s.python.exists():
        say(f"creating {s.venv} from {SYSTEM_PYTHON} ...")
        _run([SYSTEM_PYTHON, "-m", "venv", s.venv])
        _run([s.python, "-m", "pip", "install", "--quiet", "--upgrade", "pip"])
    stamp = s.venv / ".course-package"
    digest = _package_digest(repo)
    if not stamp.exists() or stamp.read_text().strip() != digest:
        say(f"installing the course package (non-editable, extras {EXTRAS}) into {s.venv} ...")
        with tempfile.TemporaryDirectory(prefix="course-hub-build-") as tmp:
            for name in PACKAGE_FILES:
                src = repo / name
                if src.is_dir():
                    shutil.copytree(src, Path(tmp) / name, ignore=shutil.ignore_patterns("__pycache__"))
                elif src.exists():
                    shutil.copy2(src, Path(tmp) / name)
            _run([s.python, "-m", "pip", "install", "--quiet", "--upgrade", f"{tmp}[{EXTRAS}]"])
        stamp.write_text(digest + "\n")
    # configuration every user's server and kernel reads (course_hub/etc)
    etc = s.venv / "etc"
    _install(ETC / "nbgrader_config.py", etc / "jupyter" / "nbgrader_config.py")
    _install(ETC / "ipython_kernel_config.json", etc / "ipython" / "ipython_kernel_config.json")
    _install(ETC / "jupyter_server_config.json", etc / "jupyter" / "jupyter_server_config.json")  # forked kernels
    _install(ETC / "lab_overrides.json", s.venv / "share" / "jupyter" / "lab" / "settings" / "overrides.json")
    for src in (ETC / "student").rglob("*.json"):
        _install(src, s.student_config_dir / src.relative_to(ETC / "student"))
    # the proxy
    proxy_version = PROXY_PACKAGE.rsplit("@", 1)[1]
    installed = ""
    if s.proxy_command.exists():
        installed = subprocess.run([s.proxy_command, "--version"], capture_output=True, text=True).stdout.strip()
    if installed != proxy_version:
        say(f"installing {PROXY_PACKAGE} into {prefix / 'node'} (npm) ...")
        _run(["npm", "install", "--prefix", prefix / "node", "--no-audit", "--no-fund", "--loglevel=error",
              PROXY_PACKAGE])
    _make_readable(prefix)


def _install(src: Path, dest: Path) -> None:
    dest.parent.mkdir(parents=True, exist_ok=True)
    if not dest.exists() or dest.read_bytes() != src.read_bytes():
        shutil.copyfile(src, dest)
    os.chmod(dest, 0o644)


def _make_readable(folder: Path) -> None:
    """Everyone may read (and enter) everything under ``folder``; only root writes."""
    for path in [folder, *folder.rglob("*")]:
        if path.is_symlink():
            continue
        mode = path.stat().st_mode
        wanted = (mode | stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH) & ~(stat.S_IWGRP | stat.S_IWOTH)
        if path.is_dir() or mode & stat.S_IXUSR:
            wanted |= stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
        if wanted != mode:
            os.chmod(path, stat.S_IMODE(wanted))


def data(s: HubSettings, say=print) -> None:
    """Every dataset a notebook loads (08 sets Fashion-MNIST beside MNIST), from ``$COURSE_<NAME>_SOURCE``, the
    checkout's ``data/<folder>``, the operating system's copy or the mirrors; MNIST is required, a missing
    Fashion-MNIST is reported (notebook 08's section on it then says how to get it)."""
    env = {k: v for k, v in os.environ.items() if k != "COURSE_DATA_DIR"}
    for name, ds in DATASETS.items():
        in_checkout = Path(s.repo) / "data" / ds.folder
        source = os.environ.get(f"{ds.env}_SOURCE") or (str(in_checkout) if in_checkout.is_dir() else None)
        cmd = [s.python, "-m", "course_lib.data", "fetch", name, "--data-dir", s.data_dir]
        if source:
            cmd += ["--source", source]
        try:
            r = _run(cmd, env=env)
        except RuntimeError as e:
            if name == "mnist":
                raise
            say(f"WARNING: {ds.title} is not available, so part of notebook 08 will not run on the hub "
                f"(apt-get install {ds.os_package} or see README, Data; then make hub again):\n{e}")
            continue
        say(r.stdout.strip().splitlines()[-1] if r.stdout.strip() else f"{ds.title} ready in {s.data_dir}")
    for name in SHIPPED:  # the weights and class names the course ships: an installed course_lib finds them here
        _install(Path(s.repo) / "data" / name, s.data_dir / name)
    _make_readable(s.data_dir)


def course_directory(s: HubSettings, notebooks: list[Path], say=print) -> Path:
    """``~<instructor>/course``: the sources (with solutions), nbgrader_config.py and the release, for nbgrader's
    commands and the grader. Sources and release follow the checkout (edit the lessons there); a source the
    instructor changed here is kept (and said so); submissions and feedback are never touched."""
    import hashlib
    import json
    import pwd

    from .publish import release_tree, write_tree

    user = pwd.getpwnam(s.instructor)
    course = Path(user.pw_dir) / COURSE_DIR
    (course / "notebooks").mkdir(parents=True, exist_ok=True)
    manifest = course / ".course_hub_versions.json"
    written = json.loads(manifest.read_text()) if manifest.exists() else {}
    for src in [*notebooks, Path(s.repo) / "nbgrader_config.py"]:
        rel = f"notebooks/{src.name}" if src.suffix == ".ipynb" else src.name
        dest, data = course / rel, src.read_bytes()
        if dest.exists():
            current = hashlib.sha256(dest.read_bytes()).hexdigest()
            if current == hashlib.sha256(data).hexdigest():
                written[rel] = current
                continue
            if written.get(rel) != current:
                say(f"kept {dest}: changed in the course directory (the checkout has another version)")
                continue
        dest.write_bytes(data)
        written[rel] = hashlib.sha256(data).hexdigest()
    manifest.write_text(json.dumps(written, indent=1, sort_keys=True) + "\n")
    write_tree(release_tree(notebooks), course / "release")
    # nbgrader's formgrader (in the instructor's JupyterLab) finds the course directory here
    user_config = Path(user.pw_dir) / ".jupyter" / "nbgrader_config.json"
    if not user_config.exists():
        user_config.parent.mkdir(exist_ok=True)
        user_config.write_text(json.dumps({"CourseDirectory": {"root": str(course)}}, indent=1) + "\n")
        os.chown(user_config.parent, user.pw_uid, user.pw_gid)
        os.chown(user_config, user.pw_uid, user.pw_gid)
    for path in [course, *course.rglob("*")]:
        os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
    os.chmod(course, 0o700)
    return course


def exchange(s: HubSettings) -> Path:
    """nbgrader's exchange: the root writable by all (1777: nbgrader's documented 777, plus the sticky bit so
    that nobody removes what others put there), the course's folder owned by the instructor (nobody else can
    claim it first)."""
    import pwd

    root = s.exchange
    root.mkdir(parents=True, exist_ok=True)
    os.chmod(root, 0o1777)
    course = root / s.course_id
    course.mkdir(exist_ok=True)
    user = pwd.getpwnam(s.instructor)
    if course.stat().st_uid != user.pw_uid:
        os.chown(course, user.pw_uid, user.pw_gid)
    os.chmod(course, 0o755)
    return root


def hub_folder(s: HubSettings) -> None:
    """The state folder: others may enter it (to reach the course repository and the exchange), nothing else."""
    hub = Path(s.hub_dir)
    hub.mkdir(parents=True, exist_ok=True)
    os.chmod(hub, 0o711)
    for d in (s.run_dir, s.log_dir, s.private_dir):
        d.mkdir(exist_ok=True)
        os.chmod(d, 0o700)
    (Path(s.hub_dir) / "course").mkdir(exist_ok=True)
    os.chmod(Path(s.hub_dir) / "course", 0o755)
    gitconfig = f"[include]\n\tpath = /etc/gitconfig\n[safe]\n\tdirectory = {s.course_repo}\n"
    if not s.gitconfig.exists() or s.gitconfig.read_text() != gitconfig:
        s.gitconfig.write_text(gitconfig)
    os.chmod(s.gitconfig, 0o644)


def lock_repository(s: HubSettings) -> str:
    """The checkout holds the solutions: no access for other users (o-rwx on its top folder; g-rwx too when one
    of the hub's users is in its group)."""
    import grp
    import pwd

    repo = Path(s.repo)
    st = repo.stat()
    mode = stat.S_IMODE(st.st_mode)
    group = grp.getgrgid(st.st_gid)
    members = set(group.gr_mem) | {p.pw_name for p in pwd.getpwall() if p.pw_gid == st.st_gid}
    closed = 0o077 if members & set(s.users) else 0o007
    if mode & closed:
        os.chmod(repo, mode & ~closed)
        return f"{repo}: mode {oct(mode)} -> {oct(mode & ~closed)} (the hub's users cannot read the sources)"
    return f"{repo}: mode {oct(mode)} (the hub's users cannot read the sources)"


def hub_config_path(s: HubSettings) -> Path:
    """The installed ``course_hub/jupyterhub_config.py`` in the hub's environment."""
    r = _run([s.python, "-c", "import course_hub, os; print(os.path.dirname(course_hub.__file__))"])
    return Path(r.stdout.strip()) / "jupyterhub_config.py"


if __name__ == "__main__":  # pragma: no cover
    sys.exit("use: python -m course_hub up")
