"""course_hub.forking: the class hub's kernels, forked from one template per server so they share the imports' memory.

Real kernels (ipykernel) started by jupyter_client through the provisioner, as the hub's servers start them.
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("ipykernel")
from jupyter_client import KernelManager  # noqa: E402
from jupyter_client.kernelspec import KernelSpecManager  # noqa: E402

from course_hub import forking  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(os, "pidfd_open"), reason="forked kernels need Linux's pidfd")
ROOT = Path(__file__).resolve().parent.parent
SERVER = ROOT / "tests" / "fixtures" / "forking_server.py"


def write_kernel_spec(folder: Path, name: str = "forked") -> Path:
    """A kernel spec whose kernels the course's provisioner starts (the hub sets it as the default instead)."""
    spec = folder / name
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (forked)", "language": "python",
        "metadata": {"kernel_provisioner": {"provisioner_name": "course-forking"}}}))
    return folder


def gone(pid: int, within: float = 15.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":  # ended; its parent has not collected it yet
            return True
        time.sleep(0.1)
    return False


def run(kc, code: str, timeout: float = 60, displayed: list | None = None) -> tuple[str, dict]:
    """Execute ``code``; return what it printed and the reply's content (the MIME types of what it displayed are
    appended to ``displayed``)."""
    out = []

    def hook(msg):
        if msg["msg_type"] == "stream":
            out.append(msg["content"]["text"])
        elif msg["msg_type"] == "error":
            out.append(f"{msg['content']['ename']}: {msg['content']['evalue']}")
        elif msg["msg_type"] in ("display_data", "execute_result") and displayed is not None:
            displayed.extend(msg["content"]["data"])

    reply = kc.execute_interactive(code, timeout=timeout, output_hook=hook)
    return "".join(out), reply["content"]


@pytest.fixture
def start_kernel(tmp_path):
    ksm = KernelSpecManager(kernel_dirs=[str(write_kernel_spec(tmp_path / "kernels"))])
    started = []

    def start(cwd: Path = tmp_path, **env):
        km = KernelManager(kernel_name="forked", kernel_spec_manager=ksm)
        km.start_kernel(cwd=str(cwd), env={**os.environ, **env})
        kc = km.client()
        kc.start_channels()
        kc.wait_for_ready(timeout=60)
        started.append((km, kc))
        return km, kc

    yield start
    for km, kc in started:
        kc.stop_channels()
        if km.is_alive():
            km.shutdown_kernel(now=True)
    forking.stop_templates()


def test_kernels_are_forked_from_one_template_and_share_its_memory(start_kernel, tmp_path, bench):
    """Two kernels: children of one template process; each runs in its own folder with its own notebook's name in
    its environment (as a server starts them), imports a module next to its notebook, draws its own random numbers --
    shows its figures as pictures and has the widgets' comm targets -- and the imports' pages stay shared with the
    template."""
    a, b = tmp_path / "a", tmp_path / "b"
    for folder in (a, b):
        folder.mkdir()
        (folder / "here.py").write_text(f"WHERE = {folder.name!r}\n")
    kernels = [start_kernel(a, JPY_SESSION_NAME="a/one.ipynb"), start_kernel(b, JPY_SESSION_NAME="b/two.ipynb")]
    assert len(forking.ForkingProvisioner.templates) == 1
    template = next(iter(forking.ForkingProvisioner.templates.values()))
    assert "course_hub.forking" in Path(f"/proc/{template.proc.pid}/cmdline").read_text()
    assert Path(f"/proc/{template.proc.pid}/comm").read_text().strip() == "kernel-template"
    # the template holds no open file a kernel would inherit (a kernel reuses the numbers for its sockets)
    assert sorted(os.listdir(f"/proc/{template.proc.pid}/fd"), key=int) == ["0", "1", "2"]
    seen = []
    for (km, kc), folder, value in zip(kernels, (a, b), ("a/one.ipynb", "b/two.ipynb")):
        assert isinstance(km.provisioner, forking.ForkingProvisioner)
        displayed = []
        text, reply = run(kc, "import os, here, numpy as np, matplotlib.pyplot as plt\n"
                              "fig, ax = plt.subplots(); ax.plot([1, 2]); plt.show()\n"
                              "print(os.getpid(), os.getppid(), os.getcwd(), os.environ['JPY_SESSION_NAME'], here.WHERE, "
                              "np.random.rand())", displayed=displayed)
        assert reply["status"] == "ok", text
        targets, _ = run(kc, "import comm, ipywidgets\nprint(sorted(comm.get_comm_manager().targets))")
        # ipywidgets registers these when imported in a kernel: JupyterLab creates and restores widgets through them
        assert "'jupyter.widget'" in targets and "'jupyter.widget.control'" in targets, targets
        assert "image/png" in displayed, f"the figure was not shown as a picture: {displayed}"
        pid, ppid, cwd, env_value, where, rand = text.split()
        assert int(pid) == km.provisioner.process.pid and int(ppid) == template.proc.pid
        assert Path(f"/proc/{pid}/comm").read_text().strip() == "ipykernel"  # what top shows
        assert (cwd, env_value, where) == (str(folder), value, folder.name)
        seen.append(rand)
        memory = bench.process_memory(int(pid))
        # a kernel started as its own process shares only the system libraries (~15 MB of its RSS); a forked one
        # also shares Python's, NumPy's and matplotlib's pages with the template
        assert memory["rss"] - memory["uss"] > 35, memory
    assert seen[0] != seen[1], "two forked kernels repeat the template's random numbers"


def test_a_forked_kernel_is_interrupted_restarted_and_shut_down_like_any_other(start_kernel):
    km, kc = start_kernel()
    kc.execute("import time\ntime.sleep(60)")
    time.sleep(1.0)
    km.interrupt_kernel()
    deadline = time.monotonic() + 20
    while True:
        msg = kc.get_iopub_msg(timeout=20)
        if msg["msg_type"] == "error" or time.monotonic() > deadline:
            break
    assert msg["content"].get("ename") == "KeyboardInterrupt"
    old = km.provisioner.process.pid
    km.restart_kernel(now=True)
    kc.wait_for_ready(timeout=60)
    assert gone(old), "the restarted kernel's old process is still running"
    assert km.provisioner.process.pid != old
    assert run(kc, "print(6 * 7)")[0].strip() == "42"
    new = km.provisioner.process.pid
    km.shutdown_kernel(now=False)
    assert gone(new), "a shut-down kernel is still running"


def test_when_the_server_ends_its_template_and_kernels_end(tmp_path):
    """Nothing outlives the user's server: kill it (-9, no clean-up) and the template and its kernel end too."""
    folder = write_kernel_spec(tmp_path / "kernels")
    server = subprocess.Popen([sys.executable, str(SERVER), str(folder), "forked"], stdout=subprocess.PIPE,
                              text=True, cwd=tmp_path)
    try:
        template_pid, kernel_pid = map(int, server.stdout.readline().split())
    finally:
        server.send_signal(signal.SIGKILL)
        server.wait()
    assert gone(template_pid), "the template outlived its server"
    assert gone(kernel_pid), "a kernel outlived its server's template"


def test_other_kernels_and_a_broken_template_start_their_kernel_as_its_own_process(start_kernel, tmp_path):
    assert forking.ForkingProvisioner.forkable(["/env/bin/python", "-m", "ipykernel_launcher", "-f", "c.json"]) \
        == ["-f", "c.json"]
    assert forking.ForkingProvisioner.forkable(["/usr/bin/R", "--slave", "-e", "IRkernel::main()"]) is None
    assert forking.ForkingProvisioner.forkable(["/env/bin/python", "-m", "some_other_kernel", "-f", "c.json"]) is None
    # an environment where one of the template's imports is broken: the kernel itself does not need it
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "matplotlib.py").write_text("raise ImportError('a broken matplotlib')\n")
    km, kc = start_kernel(PYTHONPATH=str(broken))
    assert isinstance(km.provisioner.process, subprocess.Popen), "the kernel was not started as its own process"
    assert run(kc, "import os\nprint(os.getppid())")[0].strip() == str(os.getpid())
