"""The class on one server, end to end, with real components: ``make hub`` (JupyterHub, its proxy, PAM accounts,
per-user cgroups), the course link (nbgitpuller), nbgrader's exchange, the course's grader, ``make hub-stop``.

The tests are one class's story, in order (each leaves its state for the next in ``hub.state``):
the hub starts and a second ``make hub`` changes nothing; passwords are checked; students cannot read what is not
theirs; three students log in through the REST API and one in Chromium, get the course through the link and run a
notebook (the browser student moves its widget); the instructor publishes an update that merges into the
students' copies without overwriting their work; bad links lose nothing; the instructor releases, the students
submit (one fetches a fresh copy first), the instructor collects, grades with the course's grader and releases
feedback, each student fetches only their own; a submission to a closed assignment is refused and loses nothing;
kernels over the memory limit get a message a student understands; ``make hub-stop`` leaves no process.
"""
from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
from pathlib import Path

import psutil
import pytest

from hubtest import CPUS, INSTRUCTOR, MEM_MB, ROOT, STUDENTS, load_labdriver

pytestmark = pytest.mark.hub

COURSE = "nn-from-scratch"  # the course id and the folder the link clones into
NOTEBOOK = "01_perceptron"  # light, with exercises and a widget
NB_PATH = f"{COURSE}/{NOTEBOOK}/{NOTEBOOK}.ipynb"
API_STUDENTS = STUDENTS[:3]
BROWSER_STUDENT = STUDENTS[3]
BEGIN, END = "### BEGIN SOLUTION", "### END SOLUTION"


# --------------------------------------------------------------------------
# helpers
# --------------------------------------------------------------------------
def nbgrader_meta(cell) -> dict:
    return cell.get("metadata", {}).get("nbgrader", {})


def source_text(cell) -> str:
    s = cell["source"]
    return "".join(s) if isinstance(s, list) else s


def answered(student_nb: dict, which: set[str], marker: str) -> dict:
    """The student's notebook with the solution cells in ``which`` answered as in the instructor's source, each
    solution cell marked with a comment naming its author (so feedback can be told apart)."""
    source = json.loads((ROOT / "notebooks" / f"{NOTEBOOK}.ipynb").read_text())
    solutions = {nbgrader_meta(c)["grade_id"]: source_text(c) for c in source["cells"]
                 if nbgrader_meta(c).get("solution")}
    nb = json.loads(json.dumps(student_nb))
    for cell in nb["cells"]:
        meta = nbgrader_meta(cell)
        if not meta.get("solution"):
            continue
        text = source_text(cell)
        if meta["grade_id"] in which:
            text = "\n".join(l for l in solutions[meta["grade_id"]].splitlines() if BEGIN not in l and END not in l)
        cell["source"] = f"# {marker}\n{text}"
    return nb


def exercise_points() -> list[tuple[str, float]]:
    """(solution grade_id, points of its test cell), in the notebook's order."""
    nb = json.loads((ROOT / "notebooks" / f"{NOTEBOOK}.ipynb").read_text())
    sols = [nbgrader_meta(c)["grade_id"] for c in nb["cells"] if nbgrader_meta(c).get("solution")]
    tests = [(nbgrader_meta(c)["grade_id"], float(nbgrader_meta(c).get("points", 0))) for c in nb["cells"]
             if nbgrader_meta(c).get("grade")]
    return [(s, next(p for t, p in tests if t.startswith(s))) for s in sols]


def tree_digest(folder: Path) -> dict[str, str]:
    """SHA-256 of every file under ``folder`` (read as root), ``.git`` excluded."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and ".git" not in p.relative_to(folder).parts}


def home(user: str) -> Path:
    return Path(pwd.getpwnam(user).pw_dir)


def student(hub, user):
    from course_hub.client import Hub

    return Hub(hub.settings.url).login(user, hub.passwords[user])


def alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def course_repo_url(hub) -> str:
    return "file://" + str(hub.settings.course_repo)


def git(*args, cwd=None) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def cell_texts(nb: dict) -> list[str]:
    return [source_text(c) for c in nb["cells"]]


# --------------------------------------------------------------------------
# make hub
# --------------------------------------------------------------------------
def test_make_hub_starts_the_class_and_prints_url_accounts_and_link(hub):
    from course_hub import process
    from course_lib.workspace import student_edition

    s = hub.settings
    out = hub.up_output
    assert f"http://127.0.0.1:{hub.port}/" in out
    for user in [INSTRUCTOR, *STUDENTS]:
        assert re.search(rf"{user}\s+{re.escape(hub.passwords[user])}", out), f"{user} and its password not printed"
    assert s.pull_link() in out and "/hub/user-redirect/git-pull?repo=" in s.pull_link()
    assert process.hub_pid(s) and process.proxy_pid(s), "no hub or proxy PID recorded"
    assert process.hub_answers(s)
    # only on 127.0.0.1 by default
    listening = {c.laddr for c in psutil.net_connections("tcp") if c.status == psutil.CONN_LISTEN
                 and c.laddr.port == hub.port}
    assert listening and all(a.ip == "127.0.0.1" for a in listening), listening
    # the published course: nbgrader's release layout, the same bytes as the student edition
    clone = Path(tempfile.mkdtemp(prefix="nnfst-clone-"))
    try:
        git("clone", "--quiet", str(s.course_repo), str(clone / "c"))
        published = {str(p.relative_to(clone / "c")): p.read_bytes() for p in (clone / "c").rglob("*.ipynb")
                     if ".git" not in p.parts}
    finally:
        shutil.rmtree(clone)
    expected = {f"{p.stem}/{p.name}": student_edition(p) for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert published == expected


def test_make_hub_again_changes_nothing(hub):
    from course_hub import process
    s = hub.settings
    pid, passwords = process.hub_pid(s), hub.passwords
    head = git("rev-parse", "HEAD", cwd=s.course_repo)
    r = hub.make("hub")
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"already running (pid {pid})" in r.stdout
    assert "course published" in r.stdout and "up to date" in r.stdout
    assert process.hub_pid(s) == pid and hub.passwords == passwords
    assert git("rev-parse", "HEAD", cwd=s.course_repo) == head, "a publication without changes made a commit"


def test_logins_are_checked_by_the_hubs_authenticator(hub):
    from course_hub.client import Hub, HubError

    with pytest.raises(HubError, match="refused"):
        Hub(hub.settings.url).login(STUDENTS[0], "not-the-password")
    with pytest.raises(HubError, match="refused"):  # a real account of the machine that is not in the class
        Hub(hub.settings.url).login("root", "whatever")
    assert student(hub, STUDENTS[0]).user == STUDENTS[0]


def test_students_cannot_read_what_is_not_theirs(hub):
    s = hub.settings
    s1, s2 = STUDENTS[0], STUDENTS[1]
    secret = home(s2) / "mine.txt"
    secret.write_text("s2's work")
    owner = pwd.getpwnam(s2)
    os.chown(secret, owner.pw_uid, owner.pw_gid)
    denied = {
        "the repository's sources": ["cat", str(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb")],
        "the repository's folder": ["ls", str(ROOT)],
        "the instructor's course sources": ["cat", str(s.course_dir() / "notebooks" / f"{NOTEBOOK}.ipynb")],
        "the instructor's home": ["ls", str(home(INSTRUCTOR))],
        "another student's home": ["ls", str(home(s2))],
        "another student's file": ["cat", str(secret)],
        "the hub's passwords": ["cat", str(s.passwords_file)],
        "the hub's database": ["cat", str(s.private_dir / "jupyterhub.sqlite")],
        "the hub's cookie secret": ["cat", str(s.private_dir / "jupyterhub_cookie_secret")],
        "the hub's settings": ["cat", f"{s.hub_dir}/hub.json"],
        "the hub's log": ["cat", str(s.log_dir / "jupyterhub.log")],
        "writing the shared data": ["touch", str(s.data_dir / "mnist" / "x")],
        "writing the published course": ["touch", str(s.course_repo / "x")],
        "the exchange's inbound folder": ["ls", str(s.exchange / s.course_id / "inbound")],
    }
    for what, cmd in denied.items():
        if what == "the exchange's inbound folder" and not (s.exchange / s.course_id / "inbound").exists():
            continue  # made by the first release
        r = hub.as_user(s1, cmd)
        assert r.returncode != 0 and "Permission denied" in r.stderr, f"{s1} could do `{' '.join(cmd)}` ({what})"


def test_every_student_runs_the_course_package_without_the_repository(hub):
    """The hub's environment holds the course package installed non-editable (students cannot read the checkout):
    what the lessons load must come with it or from the shared data folder."""
    for dataset in ("mnist", "fashion"):  # 08 sets Fashion-MNIST beside MNIST
        r = hub.as_user(STUDENTS[0], ["python", "-c", "from course_lib.data import load_mnist; "
                                      f"(x, t), _ = load_mnist(dataset={dataset!r}); print(x.shape)"])
        assert r.returncode == 0 and "(60000, 784)" in r.stdout, f"{dataset}: {r.stderr[-1500:]}"
    r = hub.as_user(STUDENTS[0], ["python", "-c", "from course_lib.data import load_sample_weights; "
                                                  "print(sorted(load_sample_weights()))"])
    assert r.returncode == 0, ("notebook 03's pretrained weights cannot be loaded from an installed course_lib "
                               "(load_sample_weights looks only beside the checkout; make hub puts the file in "
                               f"COURSE_DATA_DIR):\n{r.stderr[-500:]}")


# --------------------------------------------------------------------------
# students get the course and run a notebook
# --------------------------------------------------------------------------
def test_three_students_log_in_and_get_the_course_through_the_link(hub):
    from course_lib.workspace import student_edition

    release = student_edition(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb")
    servers = {}
    for user in API_STUDENTS:
        me = student(hub, user).start_server()
        assert not me.exists(COURSE)
        events = me.pull(course_repo_url(hub), "main", COURSE)
        assert events[-1]["phase"] == "finished", events
        assert (home(user) / NB_PATH).read_bytes() == release
        with pytest.raises(urllib.error.HTTPError) as e:  # nbgrader's formgrader is the instructor's tool
            me.api("GET", "/formgrader")
        assert e.value.code == 404
        servers[user] = me
    hub.state["servers"] = servers


def test_students_run_a_notebook_on_their_servers(hub):
    """s1 answers every exercise, s2 none, s3 the first one; each runs the notebook top to bottom (Run All)."""
    ids = [gid for gid, _ in exercise_points()]
    answers = {API_STUDENTS[0]: set(ids), API_STUDENTS[1]: set(), API_STUDENTS[2]: {ids[0]}}
    for user, which in answers.items():
        me = hub.state["servers"][user]
        nb = answered(me.get_file(NB_PATH)["content"], which, marker=f"work of {user}")
        me.save_notebook(NB_PATH, nb)
        run = me.run_notebook(NB_PATH)
        assert run.ok, f"{user}: Run All stopped at cell {run.stopped_at.index}: {run.stopped_at.ename} " \
                       f"{run.stopped_at.evalue}"
        exercise_cells = {i for i, c in enumerate(nb["cells"]) if nbgrader_meta(c)}
        failing = [c for c in run.cells if c.status == "error"]
        assert all("raises-exception" in c.tags for c in failing)  # Run All went on past them
        failing_exercises = [c.index for c in failing if c.index in exercise_cells]
        if which == set(ids):
            assert not failing_exercises, [(c.index, c.ename, c.evalue) for c in failing]
        else:
            assert failing_exercises
        assert me.sessions() == [], "the notebook's kernel was left running"


def test_a_student_in_the_browser_logs_in_follows_the_link_and_moves_the_widget(hub, chromium_path):
    from playwright.sync_api import sync_playwright

    labdriver = load_labdriver()
    s = hub.settings
    user = BROWSER_STUDENT
    with tempfile.TemporaryDirectory(prefix="nnfst-chromium-") as profile:
        pw = sync_playwright().start()
        try:
            context = labdriver.launch_browser(pw, chromium_path, Path(profile))
            page = context.new_page()
            page.goto(s.pull_link())  # the course link, as a student clicks it
            page.wait_for_selector("input#username_input", timeout=60000)  # the hub's login form
            page.fill("input#username_input", user)
            page.fill("input#password_input", hub.passwords[user])
            page.click("#login_submit")
            # the hub spawns the server, nbgitpuller clones, JupyterLab opens the first lesson
            page.wait_for_url(re.compile(rf".*/user/{user}/lab/tree/{COURSE}/00_start_here.*"), timeout=180000)
            page.wait_for_function("() => window.jupyterapp && window.jupyterapp.shell", timeout=90000)
            me = student(hub, user)
            assert me.exists(NB_PATH)
            labdriver.close_notebook(page, me, f"{COURSE}/00_start_here/00_start_here.ipynb")
            check = labdriver.check_widget_notebook(page, me, NB_PATH, run_timeout=240)
            labdriver.close_notebook(page, me, NB_PATH)
            context.close()
        finally:
            pw.stop()
    assert not check.errors, check.errors
    assert check.changed, f"moving the widget did not change the picture (tried {check.tried})"
    saved = me.get_file(NB_PATH)["content"]  # saved after Run All: the figures are pictures, not their text
    assert any("image/png" in o.get("data", {}) for c in saved["cells"] if c["cell_type"] == "code"
               for o in c.get("outputs", [])), "Run All in the browser showed no figure as a picture"
    hub.state["servers"][user] = me


def test_a_course_update_merges_into_the_students_copies_without_overwriting_their_work(hub):
    """The instructor publishes an update (a changed lesson, a changed exercise notebook, a new lesson); the next
    click on the link brings it into every copy, and s1's answers stay."""
    from course_hub.publish import publish

    s = hub.settings
    with tempfile.TemporaryDirectory(prefix="nnfst-update-") as tmp:
        notebooks = []
        for p in sorted((ROOT / "notebooks").glob("*.ipynb")):
            nb = json.loads(p.read_text())
            if p.stem in (NOTEBOOK, "02_activation_functions"):
                first_md = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
                first_md["source"] = source_text(first_md) + "\n\n*Updated by the instructor.*"
            (Path(tmp) / p.name).write_text(json.dumps(nb, indent=1) + "\n")
            notebooks.append(Path(tmp) / p.name)
        new = json.loads((ROOT / "notebooks" / "00_start_here.ipynb").read_text())
        (Path(tmp) / "99_new_lesson.ipynb").write_text(json.dumps(new, indent=1) + "\n")
        notebooks.append(Path(tmp) / "99_new_lesson.ipynb")
        commit, changed = publish(notebooks, s.course_repo, s.publish_dir)
    assert sorted(changed) == sorted(["02_activation_functions/02_activation_functions.ipynb", NB_PATH[len(COURSE) + 1:],
                                      "99_new_lesson/99_new_lesson.ipynb"]), changed
    s1 = API_STUDENTS[0]
    mine = hub.state["servers"][s1].get_file(NB_PATH)["content"]
    for user in API_STUDENTS:
        me = hub.state["servers"][user]
        events = me.pull(course_repo_url(hub), "main", COURSE)
        assert events[-1]["phase"] == "finished", events
        assert me.exists(f"{COURSE}/99_new_lesson/99_new_lesson.ipynb")
        for path in (NB_PATH, f"{COURSE}/02_activation_functions/02_activation_functions.ipynb"):
            assert "*Updated by the instructor.*" in "".join(cell_texts(me.get_file(path)["content"]))
    after = hub.state["servers"][s1].get_file(NB_PATH)["content"]
    assert f"# work of {s1}" in "".join(cell_texts(after)), "the update overwrote the student's answers"
    kept = [t for t in cell_texts(mine) if "# work of" in t]
    assert kept and all(t in cell_texts(after) for t in kept)


def test_a_link_to_a_missing_branch_or_repository_says_so_and_loses_nothing(hub):
    user = API_STUDENTS[1]
    me = hub.state["servers"][user]
    before = tree_digest(home(user) / COURSE)
    events = me.pull(course_repo_url(hub), "no-such-branch", COURSE)
    assert events[-1]["phase"] == "error" and "Branch does not exist" in events[-1]["message"], events[-1]
    events = me.pull(f"file://{hub.settings.hub_dir}/no-such-course/{COURSE}", "main", COURSE)
    assert events[-1]["phase"] == "error" and "Remote content unavailable" in events[-1]["message"], events[-1]
    assert tree_digest(home(user) / COURSE) == before, "a bad link changed the student's files"


# --------------------------------------------------------------------------
# nbgrader's exchange and the course's grader
# --------------------------------------------------------------------------
def test_release_fetch_submit_collect_grade_and_feedback(hub):
    from course_lib.workspace import student_edition

    s = hub.settings
    course = str(s.course_dir())
    r = hub.as_user(INSTRUCTOR, ["nbgrader", "release_assignment", NOTEBOOK], cwd=course, check=True)
    assert "Released as" in r.stdout + r.stderr
    # s2 threw its copy away and fetches a fresh one from the Assignments tab
    s2 = hub.state["servers"][API_STUDENTS[1]]
    listed = {(a["assignment_id"], a["status"]) for a in s2.assignments(s.course_id)}
    assert (NOTEBOOK, "fetched") in listed, listed  # the link's folder is the assignment's folder
    saved_s2 = s2.get_file(NB_PATH)["content"]
    s2.delete_file(NB_PATH)
    s2.delete_file(f"{COURSE}/{NOTEBOOK}")
    assert s2.fetch(s.course_id, NOTEBOOK)["success"]
    assert (home(API_STUDENTS[1]) / NB_PATH).read_bytes() == student_edition(ROOT / "notebooks" / f"{NOTEBOOK}.ipynb")
    s2.save_notebook(NB_PATH, saved_s2)
    for user in STUDENTS:
        result = hub.state["servers"][user].submit(s.course_id, NOTEBOOK)
        assert result["success"], f"{user}: {result.get('value')}"
    # the instructor: collect, grade with the course's grader, release the feedback
    r = hub.as_user(INSTRUCTOR, ["nbgrader", "collect", NOTEBOOK], cwd=course, check=True)
    assert "Collecting submission" in r.stdout + r.stderr
    r = hub.as_user(INSTRUCTOR, ["python", "-m", "course_lib.grading", "grade", "submitted", "--source", "notebooks",
                                 "--feedback-dir", "feedback", "--jobs", "2"], cwd=course, check=True)
    grades = {}
    for line in (s.course_dir() / "submitted" / "grades.csv").read_text().splitlines()[1:]:
        user, nb, score, max_score = line.split(",")[:4]
        if nb == NOTEBOOK:
            grades[user] = (float(score), float(max_score))
    points = exercise_points()
    total = sum(p for _, p in points)
    assert grades == {API_STUDENTS[0]: (total, total), API_STUDENTS[1]: (0, total),
                      API_STUDENTS[2]: (points[0][1], total), BROWSER_STUDENT: (0, total)}, grades
    r = hub.as_user(INSTRUCTOR, ["nbgrader", "release_feedback", NOTEBOOK], cwd=course, check=True)
    # each student fetches feedback: exactly one page, theirs
    for user in STUDENTS:
        me = hub.state["servers"][user]
        assert me.fetch_feedback(s.course_id, NOTEBOOK)["success"]
        pages = list((home(user) / COURSE / NOTEBOOK / "feedback").rglob("*.html"))
        assert len(pages) == 1, pages
        page = pages[0].read_text()
        if user != BROWSER_STUDENT:
            assert f"work of {user}" in page
        others = [u for u in API_STUDENTS if u != user]
        assert not any(f"work of {u}" in page for u in others), f"{user} got another student's feedback"
    # nobody can list the exchange's submissions or feedback
    for folder in ("inbound", "feedback"):
        r = hub.as_user(API_STUDENTS[0], ["ls", str(s.exchange / s.course_id / folder)])
        assert r.returncode != 0 and "Permission denied" in r.stderr


def test_a_submission_to_a_closed_assignment_is_refused_and_loses_nothing(hub):
    s = hub.settings
    user = API_STUDENTS[2]
    me = hub.state["servers"][user]
    inbound = s.exchange / s.course_id / "inbound"
    before_inbound = sorted(p.name for p in inbound.iterdir())
    before = tree_digest(home(user) / COURSE)
    hub.as_user(INSTRUCTOR, ["nbgrader", "list", "--remove", NOTEBOOK], cwd=str(s.course_dir()), check=True)
    result = me.submit(s.course_id, NOTEBOOK)
    assert not result["success"]
    assert f"The assignment {NOTEBOOK} is closed" in result["value"] and "nothing was submitted" in result["value"]
    assert tree_digest(home(user) / COURSE) == before
    assert sorted(p.name for p in inbound.iterdir()) == before_inbound


# --------------------------------------------------------------------------
# limits
# --------------------------------------------------------------------------
def test_each_users_processes_are_in_their_cgroup_with_the_limits(hub):
    from course_hub.cgroups import UserCgroup
    from course_hub.kernel import MAPPED_ALLOWANCE_MB

    s = hub.settings
    user = API_STUDENTS[0]
    me = hub.state["servers"][user]
    cg = UserCgroup(s.cgroups, user)
    kernel = me.start_kernel("limits.ipynb")
    try:
        r = kernel.execute("import os, resource\nprint(os.getpid(), resource.getrlimit(resource.RLIMIT_AS)[0])")
        pid, rlimit = map(int, r.text.split())
        assert pid in cg.pids(), "the kernel is not in the user's cgroup"
        assert rlimit == (MEM_MB + MAPPED_ALLOWANCE_MB) * 2**20  # the share, and what mapped files take
        mine = {p.pid for p in psutil.process_iter(["username"]) if p.info["username"] == user}
        assert mine <= set(cg.pids()), f"processes of {user} outside the cgroup: {mine - set(cg.pids())}"
        if "memory" in cg.dirs:  # cgroup v1
            assert int((cg.dirs["memory"] / "memory.limit_in_bytes").read_text()) == MEM_MB * 2**20
            assert int((cg.dirs["cpu"] / "cpu.cfs_quota_us").read_text()) == int(CPUS * 100_000)
        # The quota is on the cgroup that holds the student's processes, and it bites. On a machine busy with other
        # work the scheduler already holds a student's group below HUB_CPUS (a group competes as one), so the check
        # lowers this group's quota to 5 % of a core for a moment: eight busy processes then get throttled and
        # together get no more CPU time than that.
        quota = cg.dirs["cpu"] / "cpu.cfs_quota_us" if "cpu" in cg.dirs else cg.dirs["v2"] / "cpu.max"
        configured = quota.read_text()
        quota.write_text("5000" if "cpu" in cg.dirs else "5000 100000")
        try:
            throttled = cg.throttled()
            r = kernel.execute("import resource, subprocess, sys, time\n"
                               "t0 = time.monotonic()\n"
                               "ps = [subprocess.Popen([sys.executable, '-c', 'import time\\nt = time.time()\\n"
                               "while time.time() - t < 2: pass']) for _ in range(8)]\n"
                               "[p.wait() for p in ps]\n"
                               "u = resource.getrusage(resource.RUSAGE_CHILDREN)\n"
                               "print(u.ru_utime + u.ru_stime, time.monotonic() - t0)", timeout=120)
        finally:
            quota.write_text(configured.strip())
        assert r.status == "ok", r
        cpu_s, wall_s = map(float, r.text.split())
        assert cg.throttled() > throttled, "a CPU quota on the user's cgroup did not throttle their processes"
        assert cpu_s <= 0.05 * wall_s * 1.5 + 0.1, f"{cpu_s:.2f} s of CPU in {wall_s:.2f} s under a 5 % quota"
    finally:
        kernel.close()


def test_a_students_kernels_are_forked_from_their_template_and_share_its_memory(hub):
    """course_hub.forking on the hub: a student's kernels are children of one template process of theirs (started
    by their server, in their cgroup), whose imported libraries' pages they share instead of holding each a copy;
    they show figures as pictures."""
    from course_hub.cgroups import UserCgroup

    user = API_STUDENTS[0]
    me = hub.state["servers"][user]
    kernels = [me.start_kernel("fork_a.ipynb"), me.start_kernel("fork_b.ipynb")]
    try:
        code = "import os, numpy, matplotlib.pyplot\nprint(os.getpid(), os.getppid())"
        (pid_a, parent_a), (pid_b, parent_b) = (tuple(map(int, k.execute(code).text.split())) for k in kernels)
        assert parent_a == parent_b, "the kernels are not children of one template"
        template = psutil.Process(parent_a)
        assert "course_hub.forking" in " ".join(template.cmdline()) and template.username() == user
        assert "jupyterhub-singleuser" in " ".join(template.parent().cmdline()), "the template is not the server's"
        assert {parent_a, pid_a, pid_b} <= set(UserCgroup(hub.settings.cgroups, user).pids())
        for pid in (pid_a, pid_b):
            m = psutil.Process(pid).memory_full_info()
            # an own process shares only the system libraries (~15 MB of its RSS) with others
            assert m.rss - m.uss > 35 * 2**20, f"kernel {pid} shares only {(m.rss - m.uss) / 2**20:.0f} MB"
        # a figure is a picture, as in any kernel (the inline backend connects itself to each kernel's display)
        r = kernels[0].execute("import matplotlib.pyplot as plt\nplt.plot([1, 2])\nplt.show()")
        assert any("image/png" in o.get("data", {}) for o in r.outputs), r.outputs
    finally:
        for k in kernels:
            k.close()


def test_a_runaway_allocation_is_a_memory_error_with_advice(hub):
    me = hub.state["servers"][API_STUDENTS[1]]
    kernel = me.start_kernel("memory.ipynb")
    try:
        r = kernel.execute("import numpy as np\nx = np.ones((100_000, 100_000))")
        assert r.status == "error" and r.ename == "MemoryError"
        assert f"more memory than you have on the class server ({MEM_MB} MB" in r.text
        assert kernel.execute("print('still here')").text.strip() == "still here"
    finally:
        kernel.close()


def test_a_kernel_over_the_users_share_is_stopped_and_the_student_is_told(hub):
    from course_hub.cgroups import UserCgroup

    user = API_STUDENTS[2]
    me = hub.state["servers"][user]
    cg = UserCgroup(hub.settings.cgroups, user)
    before_files = tree_digest(home(user) / COURSE)
    kills = cg.oom_kills()
    server = [pid for pid in cg.pids() if "jupyterhub-singleuser" in " ".join(psutil.Process(pid).cmdline())]
    assert len(server) == 1, server
    share = int(MEM_MB * 0.6) * 2**20 // 8
    a, b = me.start_kernel("a.ipynb"), me.start_kernel("b.ipynb")
    try:
        pids = [int(k.execute("import os\nprint(os.getpid())").text) for k in (a, b)]
        assert a.execute(f"import numpy as np\nx = np.ones({share})").status == "ok"
        r = b.execute(f"import numpy as np\ny = np.ones({share})")  # together: 1.2 x the share
        deadline = time.monotonic() + 30
        while cg.oom_kills() == kills and time.monotonic() < deadline:
            time.sleep(0.5)
        # one kernel is stopped (now and then both: the second allocation can go on while the first victim exits)
        assert cg.oom_kills() > kills, "the kernel's OOM killer did not act on the user's cgroup"
        assert psutil.pid_exists(server[0]) and me.server_model().get("ready"), "the student's server was stopped"
        stopped = [k for k, pid in zip((a, b), pids) if not alive(pid)]
        assert stopped, "the OOM killer stopped none of the kernels"
        # as a student does: wait for JupyterLab's "Kernel Restarting", then run a cell (a cell sent to the dead
        # kernel would run in the new one while the server still reports the restart, and its output be dropped)
        for k in stopped:
            if k is b and r.status == "died":  # b's cell already saw the server's word of the restart
                assert k.wait_until_ready(60), "the stopped kernel was not restarted"
            else:
                assert k.wait_until_restarted(60), "the stopped kernel was not restarted"
        told = {}
        for k in (a, b):
            r = k.execute("print('ok')", timeout=60)
            assert r.status == "ok", r
            told[k] = r.text
        notice = "was stopped a moment ago because your notebooks together needed more than"
        assert all(notice in told[k] for k in stopped), f"a restarted kernel did not tell the student: {told}"
    finally:
        a.close()
        b.close()
    assert tree_digest(home(user) / COURSE) == before_files


# --------------------------------------------------------------------------
# make hub-stop
# --------------------------------------------------------------------------
def _processes_of(users: list[str]) -> list[psutil.Process]:
    return [p for p in psutil.process_iter(["username"]) if p.info["username"] in users]


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_make_hub_stop_stops_everything_and_make_hub_starts_it_again(hub):
    from course_hub import process
    from course_hub.cgroups import UserCgroup

    s = hub.settings
    users = [INSTRUCTOR, *STUDENTS]
    pids = {process.hub_pid(s), process.proxy_pid(s)}
    for user in users:
        pids.update(UserCgroup(s.cgroups, user).pids())
    pids.update(p.pid for p in _processes_of(users))
    assert len(pids) > 2 + len(STUDENTS), "expected running servers of the students"
    r = hub.make("hub-stop")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "stopped JupyterHub" in r.stdout
    alive = [pid for pid in pids if pid and psutil.pid_exists(pid)
             and psutil.Process(pid).status() != psutil.STATUS_ZOMBIE]
    assert not alive, f"still running after make hub-stop: {[(p, ' '.join(psutil.Process(p).cmdline())) for p in alive]}"
    assert not _processes_of(users), "a process of the hub's users is left"
    assert not _port_open(s.port)
    assert all(not Path(p).exists() for p in s.cgroups.values()), "the hub's cgroups are left"
    assert "JupyterHub was not running" in hub.make("hub-stop").stdout  # twice is fine
    # and back: the same accounts, the same course
    r = hub.make("hub")
    assert r.returncode == 0 and "JupyterHub started" in r.stdout, r.stdout + r.stderr
    me = student(hub, API_STUDENTS[0]).start_server()
    assert f"# work of {API_STUDENTS[0]}" in "".join(cell_texts(me.get_file(NB_PATH)["content"]))
    r = hub.make("hub-stop")
    assert r.returncode == 0 and not _processes_of(users) and not process.hub_pid(s)
