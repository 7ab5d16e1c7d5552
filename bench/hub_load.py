"""Load benchmark of the class hub (issue 17): N simulated students log in and run a notebook at the same time.

    python bench/hub_load.py [--students 10] [--notebook 07_training_mnist] [--mem-mb 2048] [--cpus 1]
    python bench/hub_load.py --students 1 --notebook all --mem-mb 1024     # one student runs the whole course at once

``make bench`` runs it after ``bench/run.py`` (as root; elsewhere it says why it cannot run and exits 0). It is a
benchmark, not a test: it measures, it does not pass or fail.

1. A hub is started exactly as ``make hub`` starts one (``python -m course_hub up``), in a temporary state folder,
   on a free port, with the accounts ``nnfsb-1`` ... ``nnfsb-N`` and the given per-user limits.
2. Each simulated student (a thread) logs in through the hub's REST API (the password goes through PAM), has the
   hub start their server, gets the course through the course link (nbgitpuller's API) and runs the notebook top
   to bottom in a kernel of their server, cell by cell, as Run All does (a thread per student: the work happens
   in the students' kernels, not here). With ``--notebook all`` each student runs every notebook of the course at
   the same time, each in its own kernel, and keeps them all open until the last one ends.
3. Every half second a sampler sums, per student, the memory of every process in the student's cgroup (server and
   kernel): USS (private to the process), PSS (private plus a fair share of what is shared) and RSS, with psutil
   as root; and the machine's used memory (MemTotal - MemAvailable). It keeps the peaks, and each process's CPU
   time. At the end it reads each student's cgroup: the most memory it held at once (page cache included: what
   the cgroup's limit is checked against) and how many of the student's processes the OOM killer stopped.
4. The hub is stopped (``down``) and the accounts deleted.

Results go to ``bench/results.json`` under ``"hub_load"`` (merged into what ``bench/run.py`` wrote) and are
printed with what they imply: students per GB of memory and per core.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results.json"
PREFIX = "nnfsb-"
COURSE = "nn-from-scratch"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _used_mb() -> float:
    info = {}
    with open("/proc/meminfo") as f:
        for line in f:
            key, value = line.split(":", 1)
            info[key] = int(value.split()[0])
    return (info["MemTotal"] - info["MemAvailable"]) / 1024


class Sampler(threading.Thread):
    """Per-student memory (sum over the student's cgroup) and per-process CPU time, every ``interval`` s."""

    def __init__(self, settings, users: list[str], interval: float = 0.5):
        super().__init__(daemon=True)
        from course_hub.cgroups import UserCgroup

        self.groups = {u: UserCgroup(settings.cgroups, u) for u in users}
        self.interval = interval
        self.stop_event = threading.Event()
        self.peak = {u: {"uss": 0.0, "pss": 0.0, "rss": 0.0} for u in users}
        self.peak_total = {"uss": 0.0, "pss": 0.0, "rss": 0.0}
        self.cpu: dict[int, float] = {}  # pid -> last seen user+system seconds
        self.pid_user: dict[int, str] = {}
        self.peak_used_mb = 0.0

    def run(self):
        import psutil

        while not self.stop_event.is_set():
            total = {"uss": 0.0, "pss": 0.0, "rss": 0.0}
            for user, group in self.groups.items():
                mine = {"uss": 0.0, "pss": 0.0, "rss": 0.0}
                for pid in group.pids():
                    try:
                        p = psutil.Process(pid)
                        m = p.memory_full_info()
                        t = p.cpu_times()
                    except (psutil.NoSuchProcess, psutil.AccessDenied):
                        continue
                    for k in mine:
                        mine[k] += getattr(m, k) / 2**20
                    self.cpu[pid] = t.user + t.system
                    self.pid_user[pid] = user
                for k in mine:
                    self.peak[user][k] = max(self.peak[user][k], mine[k])
                    total[k] += mine[k]
            for k in total:
                self.peak_total[k] = max(self.peak_total[k], total[k])
            self.peak_used_mb = max(self.peak_used_mb, _used_mb())
            self.stop_event.wait(self.interval)

    def cpu_seconds(self, user: str) -> float:
        return sum(t for pid, t in self.cpu.items() if self.pid_user.get(pid) == user)


def simulate(hub_url: str, user: str, password: str, repo: str, notebooks: list[str], out: dict) -> None:
    from course_hub.client import Hub

    t0 = time.monotonic()
    try:
        me = Hub(hub_url).login(user, password)
        me.start_server(timeout=600)
        out["server_ready_s"] = time.monotonic() - t0
        events = me.pull(repo, "main", COURSE, timeout=600)
        if events[-1].get("phase") != "finished":
            raise RuntimeError(f"the course link failed: {events[-1]}")
        # every cell, even after one fails (the load is what is measured; the failures are reported); several
        # notebooks run at the same time, their kernels kept open until the last one ends
        runs, kernels = {}, []

        def run_one(notebook: str) -> None:
            try:
                runs[notebook], kernel = me.run_notebook(f"{COURSE}/{notebook}/{notebook}.ipynb", cell_timeout=900,
                                                         keep_kernel=True, stop=False)
                kernels.append(kernel)
            except Exception as e:
                runs[notebook] = e

        t_run = time.monotonic()
        threads = [threading.Thread(target=run_one, args=(nb,)) for nb in notebooks]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        out["run_s"] = time.monotonic() - t_run
        for kernel in kernels:
            kernel.close()
        out["cells"] = sum(len(r.cells) for r in runs.values() if not isinstance(r, Exception))
        failed = [f"{nb}: {r}" if isinstance(r, Exception) else
                  "; ".join(f"{nb} cell {c.index}: {c.status} {c.ename} {c.evalue[:120]}" for c in r.failed)
                  for nb, r in sorted(runs.items()) if isinstance(r, Exception) or r.failed]
        if failed:
            raise RuntimeError("; ".join(failed))
        out["ok"] = True
    except Exception as e:  # a failure is a result of the benchmark, not a crash of it
        out["ok"] = False
        out["error"] = f"{type(e).__name__}: {e}"
    out["total_s"] = time.monotonic() - t0


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--students", type=int, default=10)
    ap.add_argument("--notebook", default="07_training_mnist",
                    help="a notebook's name, or 'all': every notebook at once")
    ap.add_argument("--mem-mb", type=int, default=2048, help="per-student memory limit of the hub (cgroup)")
    ap.add_argument("--cpus", type=float, default=1.0, help="per-student CPU limit of the hub, in cores")
    ap.add_argument("--prefix", default="/opt/nn-from-scratch", help="the hub's environment (as make hub)")
    ap.add_argument("--no-save", action="store_true", help="print only; do not write bench/results.json")
    args = ap.parse_args(argv)

    from course_hub import cgroups, setup

    lacking = setup.missing_prerequisites()
    if os.geteuid() == 0 and not cgroups.detect("nnfsb-probe")[0]:
        lacking.append("per-user cgroups: " + cgroups.detect("nnfsb-probe")[1])
    if lacking:
        print("hub load benchmark skipped: this machine lacks " + "; ".join(lacking))
        return 0

    from course_hub.settings import HubSettings
    from course_hub.users import read_passwords

    users = [f"{PREFIX}{i}" for i in range(1, args.students + 1)]
    notebooks = ([p.stem for p in sorted((ROOT / "notebooks").glob("*.ipynb"))] if args.notebook == "all"
                 else [args.notebook])
    hub_dir = Path(tempfile.mkdtemp(prefix="nnfsb-hub-"))
    os.chmod(hub_dir, 0o711)
    port = _free_port()
    cmd = [sys.executable, "-m", "course_hub", "--hub-dir", str(hub_dir)]
    used_before = _used_mb()
    results: dict = {}
    try:
        t_up = time.monotonic()
        r = subprocess.run(cmd + ["up", "--prefix", args.prefix, "--port", str(port), "--instructor", f"{PREFIX}teacher",
                                  "--students", " ".join(users), "--mem-limit-mb", str(args.mem_mb),
                                  "--cpu-limit", str(args.cpus)], cwd=ROOT, capture_output=True, text=True)
        if r.returncode != 0:
            print(f"make hub failed:\n{r.stdout[-3000:]}\n{r.stderr[-3000:]}")
            return 1
        up_s = time.monotonic() - t_up
        s = HubSettings.load(hub_dir)
        passwords = read_passwords(s.passwords_file)
        sampler = Sampler(s, users)
        sampler.start()
        outs = {u: {} for u in users}
        threads = [threading.Thread(target=simulate, args=(s.url, u, passwords[u], "file://" + str(s.course_repo),
                                                           notebooks, outs[u])) for u in users]
        t0 = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        all_done_s = time.monotonic() - t0
        time.sleep(1.0)
        sampler.stop_event.set()
        sampler.join()
        cgroup_peaks = [g.peak_memory_mb() for g in sampler.groups.values()]
        oom_kills = sum(g.oom_kills() for g in sampler.groups.values())
        load = os.getloadavg()
        per_user_pss = [sampler.peak[u]["pss"] for u in users]
        per_user_uss = [sampler.peak[u]["uss"] for u in users]
        ran = [u for u in users if "run_s" in outs[u]]  # ran to the end (possibly with failing cells)
        cpu = [sampler.cpu_seconds(u) for u in ran]
        runs = [outs[u]["run_s"] for u in ran]
        results = {
            "students": args.students,
            "notebook": args.notebook,
            "notebooks_per_student": len(notebooks),
            "limits": {"memory_mb": args.mem_mb, "cpus": args.cpus},
            "machine": {"cores": os.cpu_count(), "memory_mb": round(_total_mb()), "loadavg_after": list(load)},
            "hub_up_s": round(up_s, 1),
            "all_finished_s": round(all_done_s, 1),
            "failures": {u: outs[u].get("error") for u in users if not outs[u].get("ok")},
            "server_ready_s": _spread([outs[u].get("server_ready_s") for u in users if "server_ready_s" in outs[u]]),
            "notebook_run_s": _spread(runs),
            "per_student_peak_mb": {"pss": _spread(per_user_pss), "uss": _spread(per_user_uss),
                                    "rss": _spread([sampler.peak[u]["rss"] for u in users])},
            "all_students_peak_mb": {k: round(v) for k, v in sampler.peak_total.items()},
            "cgroup_peak_mb": _spread(cgroup_peaks),
            "oom_kills": oom_kills,
            "machine_used_mb": {"before": round(used_before), "peak": round(sampler.peak_used_mb),
                                "peak_increase": round(sampler.peak_used_mb - used_before)},
            "cpu_s_per_student": _spread(cpu),
        }
        pss_gb = sampler.peak_total["pss"] / 1024
        results["implies"] = {
            "students_per_gb": round(args.students / pss_gb, 2) if pss_gb else None,
            "gb_per_student": round(pss_gb / args.students, 3) if pss_gb else None,
            # a core runs this notebook for one student in cpu_s_per_student seconds; a class that starts it together
            # and accepts waiting W seconds fits W / cpu_s students per core
            "students_per_core_if_waiting_60s": round(60 / statistics.median(cpu), 1) if cpu else None,
        }
    finally:
        down = subprocess.run(cmd + ["down", "--delete-users"], cwd=ROOT, capture_output=True, text=True)
        if down.returncode != 0:
            print(f"stopping the benchmark's hub failed:\n{down.stdout}\n{down.stderr}")
        shutil.rmtree(hub_dir, ignore_errors=True)
    _print(results)
    if not args.no_save:
        merged = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        key = "hub_load_course" if args.notebook == "all" else "hub_load"
        merged[key] = results
        tmp = RESULTS.with_suffix(".tmp")
        tmp.write_text(json.dumps(merged, indent=1) + "\n")
        os.replace(tmp, RESULTS)
        print(f"-> {RESULTS.relative_to(ROOT)} ({key})")
    return 0


def _total_mb() -> float:
    with open("/proc/meminfo") as f:
        return int(f.readline().split()[1]) / 1024


def _spread(values) -> dict:
    values = [v for v in values if v is not None]
    if not values:
        return {}
    return {"min": round(min(values), 1), "median": round(statistics.median(values), 1), "max": round(max(values), 1)}


def _print(r: dict) -> None:
    if not r:
        return
    print(f"\nhub load: {r['students']} students run {r['notebook']} at once "
          f"(limits {r['limits']['memory_mb']} MB, {r['limits']['cpus']:g} core each; "
          f"{r['machine']['cores']} cores, {r['machine']['memory_mb']} MB)")
    print(f"  all finished after {r['all_finished_s']} s; failures: {len(r['failures'])}"
          + "".join(f"\n    {u}: {e}" for u, e in r["failures"].items()))
    print(f"  server ready after {r['server_ready_s']} s; notebook run {r['notebook_run_s']} s; "
          f"CPU {r['cpu_s_per_student']} s per student")
    print(f"  per student peak MB: PSS {r['per_student_peak_mb']['pss']}, USS {r['per_student_peak_mb']['uss']}, "
          f"RSS {r['per_student_peak_mb']['rss']}")
    print(f"  all students at once, peak MB: {r['all_students_peak_mb']}; machine used {r['machine_used_mb']}")
    print(f"  per student's cgroup, the most memory held at once (page cache included): {r['cgroup_peak_mb']} MB; "
          f"processes the OOM killer stopped: {r['oom_kills']}")
    print(f"  implies: {r['implies']}")


if __name__ == "__main__":
    sys.exit(main())
