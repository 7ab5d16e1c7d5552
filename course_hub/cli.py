"""``python -m course_hub up|down|status`` -- what ``make hub`` and ``make hub-stop`` run (as root).

    up      set up (idempotently) and start the class hub; print the URL, the accounts and the course link
    down    stop the hub, the proxy and every server and kernel of the hub's users (by PID); --delete-users also
            removes the accounts ``up`` created (with their homes)
    status  say whether the hub runs, and print the URL, the accounts and the course link

Exit status: 0 done; 1 the hub did not start; 2 this machine cannot run it (the message says what is missing).
"""
from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from . import cgroups, process, publish, setup, users
from .settings import COURSE_DIR, SETTINGS_FILE, HubSettings

ROOT = Path(__file__).resolve().parent.parent
#: settings a running hub would have to be restarted for
RESTART_FIELDS = ("ip", "port", "instructor", "students", "course_id", "mem_limit_mb", "cpu_limit", "pids_max",
                  "kernel_idle_minutes", "prefix")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _port_free(port: int, ip: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the servers bind (TIME_WAIT is fine)
        try:
            sock.bind((ip, port))
            return True
        except OSError:
            return False


def _settings_from(args) -> HubSettings:
    hub_dir = Path(args.hub_dir).resolve()
    saved = HubSettings.load(hub_dir) if (hub_dir / SETTINGS_FILE).exists() else None
    s = HubSettings(hub_dir=str(hub_dir), prefix=str(Path(args.prefix).resolve()), repo=str(ROOT), ip=args.ip,
                    port=args.port, instructor=args.instructor, students=args.students.split(),
                    course_id=args.course_id, mem_limit_mb=args.mem_limit_mb, cpu_limit=args.cpu_limit,
                    pids_max=args.pids_max)
    if saved:  # keep the internal ports and the record of created accounts
        s.hub_port, s.proxy_api_port, s.cgroups = saved.hub_port, saved.proxy_api_port, saved.cgroups
        s.created_users = saved.created_users
    return s


def _print_summary(s: HubSettings, passwords: dict[str, str]) -> None:
    print(f"\nThe class hub: {s.url}/")
    print(f"  accounts (passwords are also in {s.passwords_file}, root only):")
    for user in s.users:
        role = "instructor" if user == s.instructor else "student"
        print(f"    {user:24s} {passwords.get(user, '(its own password)'):16s} {role}")
    print(f"  limits per user: {s.mem_limit_mb} MB memory, {s.cpu_limit:g} CPU core(s), {s.pids_max} processes"
          + ("" if s.cgroups else "  -- NOT enforced: no usable cgroups here"))
    print("  the course link (nbgitpuller: clones the course on the first click, merges updates later):")
    print(f"    {s.pull_link()}")
    print(f"  instructor: ~{s.instructor}/{COURSE_DIR}/ is the nbgrader course directory; in a hub terminal:")
    print("    cd ~/course && nbgrader release_assignment 01_perceptron")
    print(f"  stop it all: make hub-stop HUB_DIR={s.hub_dir}")
    if s.ip not in ("127.0.0.1", "localhost", "::1"):
        print("  WARNING: the hub listens beyond this machine over plain HTTP; put it behind TLS "
              "(docs/instructors.md) before students type passwords into it.")


def cmd_up(args) -> int:
    missing = setup.missing_prerequisites()
    if missing:
        print("make hub cannot run here; missing:\n  " + "\n  ".join(missing), file=sys.stderr)
        return 2
    s = _settings_from(args)
    running = process.hub_pid(s) if (Path(s.hub_dir) / SETTINGS_FILE).exists() else None
    saved = HubSettings.load(s.hub_dir) if running else None
    setup.hub_folder(s)
    setup.environment(s)
    setup.data(s)
    before = set(u for u in s.users if users.exists(u))
    for line in users.ensure(s.users, s.passwords_file, Path(args.passwords) if args.passwords else None):
        print("account", line)
    s.created_users = sorted(set(s.created_users) | (set(s.users) - before))
    setup.exchange(s)
    notebooks = sorted((ROOT / "notebooks").glob("*.ipynb"))
    course = setup.course_directory(s, notebooks)
    print(f"instructor's course directory: {course} (mode 0700)")
    commit, changed = publish.publish(notebooks, s.course_repo, s.publish_dir)
    print(f"course published to {s.course_repo}: "
          + (f"new commit {commit[:10]} ({len(changed)} file(s) changed)" if changed else f"up to date ({commit[:10]})"))
    print(setup.lock_repository(s))
    if running:
        diff = [f for f in RESTART_FIELDS if getattr(saved, f) != getattr(s, f)]
        saved.created_users = s.created_users
        saved.save()
        print(f"JupyterHub is already running (pid {running}).")
        if diff:
            print(f"  It runs with other settings ({', '.join(diff)}): make hub-stop, then make hub, to apply them.")
        _print_summary(saved, _passwords(s))
        return 0
    parents, why = cgroups.detect(Path(s.hub_dir).name)
    if parents:
        cgroups.make_parents(parents)
    else:
        print(f"WARNING: no per-user memory/CPU limits ({why}); kernels still get the address-space limit.")
    s.cgroups = parents
    if not _port_free(s.port, s.local_ip):
        print(f"port {s.port} is in use on this machine: choose another one (HUB_PORT=...)", file=sys.stderr)
        return 2
    for field in ("hub_port", "proxy_api_port"):
        if not _port_free(getattr(s, field)) or getattr(s, field) == s.port:
            setattr(s, field, _free_port())
    s.save()
    try:
        pid = process.start(s, setup.hub_config_path(s))
    except RuntimeError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1
    print(f"JupyterHub started (pid {pid}), log: {s.log_dir / 'jupyterhub.log'}")
    _print_summary(s, _passwords(s))
    return 0


def _passwords(s: HubSettings) -> dict[str, str]:
    return users.read_passwords(s.passwords_file) if s.passwords_file.exists() else {}


def cmd_down(args) -> int:
    hub_dir = Path(args.hub_dir).resolve()
    if not (hub_dir / SETTINGS_FILE).exists():
        print(f"no hub in {hub_dir} (nothing to stop)")
        return 0
    s = HubSettings.load(hub_dir)
    for line in process.stop(s):
        print(line)
    if args.delete_users:
        for user in s.created_users:
            users.delete(user)
            print(f"deleted the account {user} and its home")
        s.created_users = []
        s.save()
    return 0


def cmd_status(args) -> int:
    hub_dir = Path(args.hub_dir).resolve()
    if not (hub_dir / SETTINGS_FILE).exists():
        print(f"no hub in {hub_dir}: make hub sets one up")
        return 1
    s = HubSettings.load(hub_dir)
    pid = process.hub_pid(s)
    print(f"JupyterHub {'runs (pid %d)' % pid if pid else 'is not running'}; proxy "
          f"{'pid %d' % process.proxy_pid(s) if process.proxy_pid(s) else 'not running'}; "
          f"{len(process.user_processes(s))} process(es) of the hub's users")
    _print_summary(s, _passwords(s))
    return 0 if pid else 1


def main(argv=None) -> int:
    d = HubSettings(hub_dir="", prefix="", repo="")
    ap = argparse.ArgumentParser(prog="python -m course_hub", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--hub-dir", default="/srv/nn-from-scratch-hub", help="the hub's state folder")
    sub = ap.add_subparsers(dest="cmd", required=True)
    up = sub.add_parser("up", help="set up and start the class hub")
    up.add_argument("--prefix", default="/opt/nn-from-scratch", help="the environment every user runs")
    up.add_argument("--ip", default=d.ip)
    up.add_argument("--port", type=int, default=d.port)
    up.add_argument("--instructor", default=d.instructor)
    up.add_argument("--students", default=" ".join(d.students), help="space-separated account names")
    up.add_argument("--course-id", default=d.course_id)
    up.add_argument("--mem-limit-mb", type=int, default=d.mem_limit_mb, help="per user, all processes together")
    up.add_argument("--cpu-limit", type=float, default=d.cpu_limit, help="per user, in cores")
    up.add_argument("--pids-max", type=int, default=d.pids_max)
    up.add_argument("--passwords", help="a file of user:password lines (outside the repository)")
    down = sub.add_parser("down", help="stop everything the hub started")
    down.add_argument("--delete-users", action="store_true", help="also delete the accounts `up` created")
    sub.add_parser("status", help="is it running? URL, accounts, link")
    args = ap.parse_args(argv)
    return {"up": cmd_up, "down": cmd_down, "status": cmd_status}[args.cmd](args)


if __name__ == "__main__":
    sys.exit(main())
