"""The IPython extension every kernel on the class hub loads: memory limits a student can understand.

The hub's environment loads it in every kernel (``ipython_kernel_config.json`` in the environment's
``etc/ipython``); it does something only on the hub, where the spawner sets ``COURSE_HUB_MEMORY_LIMIT_MB``:

- caps the kernel's address space (``RLIMIT_AS``) at the student's memory share plus ``MAPPED_ALLOWANCE_MB``, so
  an allocation far bigger than the whole share (``np.ones((100_000, 100_000))``) fails at once with a
  ``MemoryError`` (the student's cgroup, not this cap, holds their kernels to the share itself);
- adds, under that ``MemoryError``'s traceback, what happened and what to do;
- makes the kernel, not the student's server, the process the kernel's OOM killer stops first when all of the
  student's processes together go over the share (the server then restarts the kernel);
- on the first cell run after such a stop, says what happened (JupyterLab itself only says "the kernel appears
  to have died");
- after every cell, gives the memory the cell freed back to the system (glibc keeps freed memory for later
  allocations; with a student's notebooks all open that is ~100 MB of their share: README, "Memory"). This one
  applies wherever the extension is loaded.
"""
from __future__ import annotations

import os
import resource
import sys
from pathlib import Path

SEEN_FILE = Path.home() / ".cache" / "nn-from-scratch" / "oom-kills-seen"
OOM_SCORE_ADJ = 500  # 0 is the default; higher = stopped first (an unprivileged process may raise its own)
#: Address space a kernel maps without holding memory: the libraries (~340 MB at its start), thread stacks and
#: memory-mapped datasets (08 maps MNIST and Fashion-MNIST: 1.46 GB of address space for 280 MB of memory). A cap
#: at the share alone made 08 fail with a MemoryError on a 1024 MB share.
MAPPED_ALLOWANCE_MB = 1536


def memory_error_advice(limit_mb: int) -> str:
    return (
        f"Out of memory: this cell asked for more memory than you have on the class server ({limit_mb} MB for all "
        "your notebooks together).\n"
        "- Look for an array much bigger than you meant: check the shapes (x.shape, x.nbytes) before you create, "
        "multiply or stack arrays.\n"
        "- Free what you no longer need: del big_array, or restart this kernel (Kernel > Restart Kernel).\n"
        "- Shut down the notebooks you are not using (the Running panel on the left > Shut Down).\n"
        "Your saved notebooks are not affected."
    )


def oom_notice(limit_mb: int) -> str:
    return (
        f"Note: one of your kernels was stopped a moment ago because your notebooks together needed more than the "
        f"{limit_mb} MB of memory you have on the class server. If it was this notebook's kernel, its variables are "
        "gone: run the cells again from the top (Run > Run All Cells). To avoid it, shut down the notebooks you are "
        "not using (the Running panel on the left > Shut Down). Your saved notebooks are not affected."
    )


def oom_kills(cgroup_dir: str, version: str) -> int:
    """The OOM killer's count for the student's cgroup (0 when it cannot be read)."""
    name = "memory.events" if version == "2" else "memory.oom_control"
    try:
        for line in (Path(cgroup_dir) / name).read_text().splitlines():
            key, _, value = line.partition(" ")
            if key == "oom_kill":
                return int(value)
    except (OSError, ValueError):
        pass
    return 0


class OOMNotice:
    """A ``pre_run_cell`` hook: prints ``oom_notice`` once per kernel after the OOM killer stopped one of the
    student's processes. ``seen_file`` (shared by the student's kernels) holds the count already reported; a kernel
    starts from it, so the notebook whose kernel was stopped and restarted reports it too, and a kernel started
    later does not."""

    def __init__(self, cgroup_dir: str, version: str, limit_mb: int, seen_file: Path = SEEN_FILE):
        self.cgroup_dir, self.version, self.limit_mb, self.seen_file = cgroup_dir, version, limit_mb, seen_file
        self.reported = self._seen()

    def _seen(self) -> int:
        try:
            return int(self.seen_file.read_text())
        except (OSError, ValueError):
            return 0

    def _remember(self, n: int) -> None:
        try:
            self.seen_file.parent.mkdir(parents=True, exist_ok=True)
            self.seen_file.write_text(str(n))
        except OSError:
            pass

    def __call__(self, *_):
        n = oom_kills(self.cgroup_dir, self.version)
        if n > self.reported:
            print(oom_notice(self.limit_mb), file=sys.stderr)
            self.reported = n
            self._remember(max(n, self._seen()))
        elif n < self.reported:  # a new server: its cgroup counts from 0 again
            self.reported = n
            self._remember(n)


def give_back_freed_memory(*_) -> None:
    """A ``post_run_cell`` hook: glibc's ``malloc_trim(0)`` returns the free pages of the heap to the system (a cell's
    temporaries -- a batch's activations, a figure's pixels -- are freed when the cell ends, but glibc keeps them)."""
    GLIBC.malloc_trim(0)


def _glibc():
    import ctypes

    try:
        libc = ctypes.CDLL(None)
        libc.malloc_trim.argtypes = [ctypes.c_size_t]
        return libc
    except (OSError, AttributeError):  # not glibc (musl, macOS): nothing to give back this way
        return None


GLIBC = _glibc()


def _explain_memory_error(shell, etype, value, tb, tb_offset=None):
    shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
    print(memory_error_advice(int(os.environ["COURSE_HUB_MEMORY_LIMIT_MB"])), file=sys.stderr)


def load_ipython_extension(ip) -> None:
    if GLIBC is not None:
        ip.events.register("post_run_cell", give_back_freed_memory)
    limit_mb = int(os.environ.get("COURSE_HUB_MEMORY_LIMIT_MB") or 0)
    if limit_mb <= 0:
        return  # not on the class hub
    limit = (limit_mb + MAPPED_ALLOWANCE_MB) * 2**20
    soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write(str(OOM_SCORE_ADJ))
    except OSError:
        pass
    ip.set_custom_exc((MemoryError,), _explain_memory_error)
    cgroup = os.environ.get("COURSE_HUB_MEMORY_CGROUP")
    if cgroup:
        notice = OOMNotice(cgroup, os.environ.get("COURSE_HUB_CGROUP_VERSION", "1"), limit_mb)
        ip.events.register("pre_run_cell", notice)
