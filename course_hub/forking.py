"""Kernels forked from one warm template process, so a student's kernels share the memory of their imports.

A Python kernel of this course holds ~85 MB before a lesson starts: Python, IPython, ipykernel, NumPy, matplotlib
and ipywidgets, imported once per kernel. With every notebook open that is a gigabyte per student. On the class hub
each user's server therefore starts kernels this way:

- a **template** (``python -m course_hub.forking``, one per user server) imports those libraries once and waits;
- for each new kernel the provisioner asks it to ``fork()``. The child becomes the kernel (``ipykernel``'s own
  ``IPKernelApp``, with the kernel's connection file, working directory and environment). Its pages are the
  template's until it writes to them (copy-on-write), so the imports are in memory once per student, not once per
  notebook;
- the template ends when its server ends, and a kernel when its template ends (``PR_SET_PDEATHSIG``), so nothing
  outlives the server.

``ForkingProvisioner`` is a ``jupyter_client`` kernel provisioner (entry point ``course-forking``), the default of
every server of the hub's environment (``course_hub/etc/jupyter_server_config.json``:
``KernelProvisionerFactory.default_provisioner_name``). It forks only the standard Python kernel
(``python -m ipykernel_launcher -f <file>``); any other kernel, or a template that fails to start, falls back to an
ordinary process (``LocalProvisioner``), so a kernel always starts. Linux only (``os.pidfd_open``).
"""
from __future__ import annotations

import asyncio
import json
import os
import select
import signal
import subprocess
import sys
import threading
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

#: What the template imports before it forks (third-party libraries only: the course's own package may change
#: while a server runs, so every kernel imports ``course_lib`` itself). Never a module that connects itself to the
#: running IPython when it is imported -- in the template there is none, and the kernels would never connect: the
#: inline backend (``matplotlib_inline.backend_inline``: figures as pictures) and ``ipywidgets`` (its comm targets:
#: widgets made or restored by JupyterLab). Each kernel imports those itself, as any kernel does. Nor anything that
#: leaves a file open: a kernel would inherit the descriptor, and when the object that owns it closes it after the
#: kernel reused the number for a socket, the kernel loses that socket (drawing a figure in the template did that:
#: matplotlib keeps its font files open).
PRELOAD = ("numpy", "matplotlib", "matplotlib.pyplot", "matplotlib.backends.backend_agg", "ipykernel.kernelapp",
           "ipykernel.ipkernel", "IPython")
#: ipykernel's matplotlib backend, set before matplotlib is imported (ipykernel sets it so in every kernel).
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
#: Environment variables that differ between two kernels of one server and do not change what the imports do.
PER_KERNEL = ("JPY_", "KERNEL_", "PYDEVD_")
READY = "ready"


# ---------------------------------------------------------------------------------------------------------------
# the template process
# ---------------------------------------------------------------------------------------------------------------
def _die_with_parent(signum: int) -> None:
    """Ask Linux to send ``signum`` to this process when its parent ends."""
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signum)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _set_name(name: bytes) -> None:
    """The process's name in ``top`` and ``ps -o comm`` (its command line stays the template's)."""
    import ctypes

    try:
        ctypes.CDLL(None).prctl(15, ctypes.c_char_p(name[:15]))  # PR_SET_NAME
    except (OSError, AttributeError):
        pass


def _reap(*_) -> None:
    """Collect the exit status of every kernel that ended (the template is their parent)."""
    try:
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass
    except ChildProcessError:
        pass


def serve(stdin=sys.stdin, stdout=sys.stdout) -> None:
    """The template: import ``PRELOAD``, print ``ready``, then fork one kernel per request line on ``stdin``
    (JSON ``{"argv": [...], "cwd": ..., "env": {...}}``; answer: JSON ``{"pid": ...}`` or ``{"error": ...}``)."""
    import gc
    import importlib

    _die_with_parent(signal.SIGTERM)  # the user's server
    _set_name(b"kernel-template")
    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)
    for name in PRELOAD:
        importlib.import_module(name)
    gc.collect()
    gc.freeze()  # the collector leaves the imported objects alone, so it does not copy their pages in each kernel
    signal.signal(signal.SIGCHLD, _reap)
    print(READY, file=stdout, flush=True)
    for line in stdin:
        try:
            request = json.loads(line)
            pid = os.fork()
        except Exception as e:  # a bad request or no memory for a new process: the server falls back
            print(json.dumps({"error": f"{type(e).__name__}: {e}"}), file=stdout, flush=True)
            continue
        if pid == 0:
            _become_kernel(request)  # never returns
        print(json.dumps({"pid": pid}), file=stdout, flush=True)


def _become_kernel(request: dict) -> None:
    """In the forked child: become ``python -m ipykernel_launcher <argv>`` started in ``cwd`` with ``env``."""
    code = 1
    try:
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        template = os.getppid()
        _die_with_parent(signal.SIGKILL)  # the template: without it, nothing is left to save
        if os.getppid() != template:  # it ended before the line above
            return
        _set_name(b"ipykernel")
        os.setsid()  # its own process group, as jupyter_client gives a kernel (interrupts reach it alone)
        devnull = os.open(os.devnull, os.O_RDONLY)
        os.dup2(devnull, 0)  # the request pipe's ends are the template's, not the kernel's
        os.dup2(2, 1)  # the kernel's own output goes where the server's log goes
        os.close(devnull)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        del sys.path[0]  # the template's folder (``-m``); as ipykernel_launcher does, IPython adds the kernel's back
        sys.argv = ["ipykernel_launcher", *request["argv"]]
        import random

        import numpy as np

        random.seed()  # fresh random states: a forked kernel would otherwise repeat the template's
        np.random.seed()
        from ipykernel import kernelapp

        # ipykernel's own check of its parent (the template: the server's pid is in the environment)
        kernelapp.launch_new_instance(argv=[*request["argv"], f"--IPKernelApp.parent_handle={template}"])
        code = 0
    except SystemExit as e:
        code = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
    finally:
        try:
            import atexit

            atexit._run_exitfuncs()  # IPython saves the history at exit
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


# ---------------------------------------------------------------------------------------------------------------
# the server's side
# ---------------------------------------------------------------------------------------------------------------
def _readable(fd: int, timeout: float | None) -> bool:
    """Whether ``fd`` is readable within ``timeout`` seconds (None: wait). ``poll``, not ``select``: a busy server's
    descriptors go beyond select's limit of 1024."""
    p = select.poll()
    p.register(fd, select.POLLIN)
    return bool(p.poll(None if timeout is None else int(timeout * 1000)))


class Template:
    """One running template process (started with ``python``, environment ``env``) and its request pipe."""

    def __init__(self, python: str, env: dict[str, str]):
        """Start it (from the server's main thread: Linux's parent-death signal follows the thread that started
        a process, and a worker thread may end before the server does); ``wait_ready`` waits for its imports."""
        self.lock = threading.Lock()
        self.ready = False
        self.proc = subprocess.Popen([python, "-m", "course_hub.forking"], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, env=env, text=True, cwd=env.get("HOME") or None)

    def wait_ready(self, timeout: float = 60.0) -> None:
        with self.lock:
            if not self.ready:
                if self._readline(timeout) != READY:
                    self.stop()
                    raise RuntimeError(f"the kernel template ({self.proc.args[0]} -m course_hub.forking) did not "
                                       "start")
                self.ready = True

    def _readline(self, timeout: float) -> str:
        return self.proc.stdout.readline().strip() if _readable(self.proc.stdout.fileno(), timeout) else ""

    def alive(self) -> bool:
        return self.proc.poll() is None

    def fork(self, argv: list[str], cwd: str, env: dict[str, str], timeout: float = 30.0) -> int:
        """A new kernel's pid (blocking: call it from a thread)."""
        self.wait_ready()
        with self.lock:
            self.proc.stdin.write(json.dumps({"argv": argv, "cwd": cwd, "env": env}) + "\n")
            self.proc.stdin.flush()
            answer = json.loads(self._readline(timeout) or '{"error": "no answer"}')
        if "pid" not in answer:
            raise RuntimeError(f"the kernel template could not fork: {answer['error']}")
        return int(answer["pid"])

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdin, self.proc.stdout):
            if f:
                f.close()


class ForkedKernel:
    """A kernel process forked by the template, with the part of ``subprocess.Popen``'s interface that
    ``LocalProvisioner`` uses. It is not the server's child: a pidfd tells when it ended and signals it safely."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid
        self.returncode: int | None = None
        self._fd = os.pidfd_open(pid)

    def poll(self) -> int | None:
        if self.returncode is None and _readable(self._fd, 0):
            self.returncode = 0  # its exit status went to the template, which collected it
            os.close(self._fd)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None and not _readable(self._fd, timeout):
            raise subprocess.TimeoutExpired(f"kernel {self.pid}", timeout)
        return self.poll()

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            signal.pidfd_send_signal(self._fd, signum)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)


def _template_key(python: str, env: dict[str, str]) -> tuple:
    return python, tuple(sorted((k, v) for k, v in env.items() if not k.startswith(PER_KERNEL)))


class ForkingProvisioner(LocalProvisioner):
    """``LocalProvisioner`` whose Python kernels are forked from a template (one per interpreter and environment)."""

    templates: dict[tuple, Template] = {}

    @staticmethod
    def forkable(cmd: list[str]) -> list[str] | None:
        """The kernel's arguments if ``cmd`` is ``<python> -m ipykernel_launcher ...``, else None."""
        if len(cmd) >= 3 and cmd[1] == "-m" and cmd[2] in ("ipykernel_launcher", "ipykernel") \
                and os.path.basename(cmd[0]).startswith("python"):
            return cmd[3:] if cmd[2] == "ipykernel_launcher" else None
        return None

    @classmethod
    def template(cls, python: str, env: dict[str, str]) -> Template:
        """The template for ``python`` and ``env``, started if there is none (call it on the server's thread)."""
        key = _template_key(python, env)
        t = cls.templates.get(key)
        if t is None or not t.alive():
            base = {k: v for k, v in env.items() if not k.startswith(PER_KERNEL)}
            t = cls.templates[key] = Template(python, base)
        return t

    async def launch_kernel(self, cmd: list[str], **kwargs: Any):
        argv = self.forkable(cmd)
        if argv is None or not hasattr(os, "pidfd_open"):
            return await super().launch_kernel(cmd, **kwargs)
        env = dict(kwargs.get("env") or os.environ)
        cwd = str(kwargs.get("cwd") or os.getcwd())
        try:
            template = self.template(cmd[0], env)
            pid = await asyncio.to_thread(template.fork, argv, cwd, env)
            self.process = ForkedKernel(pid)
        except (OSError, RuntimeError, ValueError) as e:
            self.log.warning("course-forking: %s -- starting the kernel as its own process instead", e)
            return await super().launch_kernel(cmd, **kwargs)
        self.pid = self.pgid = pid  # the kernel leads its own process group (setsid)
        self.cwd = cwd
        return self.connection_info


def stop_templates() -> None:
    """Stop every template this server started (tests; the server's end stops them anyway)."""
    for t in ForkingProvisioner.templates.values():
        t.stop()
    ForkingProvisioner.templates.clear()


if __name__ == "__main__":
    serve()
