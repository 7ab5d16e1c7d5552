"""Run code in fresh, resource-bounded Jupyter kernels (nbclient), one step at a time.

A *step* is one cell's worth of code. :class:`KernelRunner` executes a list of steps in a fresh
kernel started through ``_sandbox.py`` (memory, file-size and thread limits) and records, for every
step, whether it ran, raised, timed out, or killed the kernel. It never raises because of what the
code does: a timeout or a dead kernel is a *result*.

After a timeout or a kernel death the kernel is killed (an interrupted kernel cannot be trusted:
code can swallow ``KeyboardInterrupt``). Then either the remaining steps are marked ``not_run``
(``restart=False``: a notebook run, whose state is lost), or a fresh kernel is started, the
``replay`` steps seen so far are executed again, and the run continues (``restart=True``: the clean
re-run, where each test is independent of a crash in another).
"""
from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellTimeoutError, DeadKernelError
from traitlets import Integer

SANDBOX = str(Path(__file__).with_name("_sandbox.py"))

#: statuses of a step
OK, ERROR, TIMEOUT, DIED, NOT_RUN = "ok", "error", "timeout", "died", "not_run"


class BoundedKernelManager(AsyncKernelManager):
    """An ``AsyncKernelManager`` whose kernel process starts under ``_sandbox.py``'s limits."""

    memory_mb = Integer(2048, help="address-space limit of the kernel process (MB); 0 = none").tag(config=True)

    def format_kernel_cmd(self, extra_arguments=None):
        cmd = super().format_kernel_cmd(extra_arguments)
        return [sys.executable, SANDBOX, str(self.memory_mb), "--", *cmd]


class BoundedClient(NotebookClient):
    """A ``NotebookClient`` that keeps at most ``max_output_chars`` of output per cell (error outputs
    are always kept): a submission printing without end cannot exhaust the grader's memory."""

    max_output_chars = 200_000

    def output(self, outs, msg, display_id, cell_index):
        if msg["msg_type"] != "error":
            content = msg.get("content", {})
            size = len(str(content.get("text", ""))) + sum(len(str(v)) for v in content.get("data", {}).values())
            used = self._output_chars.get(cell_index, 0) + size
            self._output_chars[cell_index] = used
            if used > self.max_output_chars:
                return None
        return super().output(outs, msg, display_id, cell_index)

    @property
    def _output_chars(self):
        if not hasattr(self, "_output_chars_store"):
            self._output_chars_store = {}
        return self._output_chars_store


@dataclass
class Step:
    source: str
    kind: str = "code"          # free label for the caller ("setup", "defs", "test", "hidden", "probe", ...)
    replay: bool = False        # re-executed in a fresh kernel after a restart
    ref: object = None          # caller's bookkeeping (e.g. the test cell's grade_id)
    history: bool = True        # False: not recorded in the kernel's input history (In, _ih, _i)
    min_timeout: float = 0      # the grader's own steps get at least this long, even under heavy load


@dataclass
class StepResult:
    status: str = NOT_RUN
    outputs: list = field(default_factory=list)
    ename: str = ""
    evalue: str = ""

    @property
    def stdout(self) -> str:
        return "".join(o.get("text", "") for o in self.outputs
                       if o.get("output_type") == "stream" and o.get("name") == "stdout")


class KernelRunner:
    """Execute :class:`Step` s in bounded kernels. See the module docstring."""

    def __init__(self, *, timeout: float = 60, memory_mb: int = 2048, cwd: str | os.PathLike | None = None,
                 restart: bool = False, max_restarts: int = 3, startup_timeout: float = 60):
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.cwd = str(cwd) if cwd else None
        self.restart = restart
        self.max_restarts = max_restarts
        self.startup_timeout = startup_timeout
        self.client: NotebookClient | None = None
        self.nb = None

    async def _start(self) -> None:
        self.nb = nbformat.v4.new_notebook()
        km = BoundedKernelManager(kernel_name="python3", memory_mb=self.memory_mb)
        self.client = BoundedClient(
            self.nb, km=km, timeout=self.timeout, allow_errors=True, interrupt_on_timeout=False,
            record_timing=False, startup_timeout=self.startup_timeout, shutdown_kernel="immediate",
            resources={"metadata": {"path": self.cwd}} if self.cwd else {},
        )
        env = dict(os.environ)
        env.pop("JPY_PARENT_PID", None)
        await self.client.async_start_new_kernel(env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        await self.client.async_start_new_kernel_client()

    async def _stop(self) -> None:
        client, self.client = self.client, None
        if client is None:
            return
        km, kc = client.km, client.kc
        try:
            if kc is not None:
                kc.stop_channels()
        except Exception:
            pass
        try:
            if km is not None and km.has_kernel:
                await km.shutdown_kernel(now=True)
        except Exception:
            pass
        try:
            if km is not None:
                await km.cleanup_resources()
        except Exception:
            pass

    async def _execute(self, source: str, history: bool = True, min_timeout: float = 0) -> StepResult:
        cell = nbformat.v4.new_code_cell(source)
        self.client.timeout = max(self.timeout, min_timeout)
        self.nb.cells.append(cell)
        result = StepResult()
        try:
            await self.client.async_execute_cell(cell, len(self.nb.cells) - 1, store_history=history)
        except CellTimeoutError:
            result.status = TIMEOUT
        except DeadKernelError:
            result.status = DIED
        except Exception as e:  # the kernel stopped answering in some other way: treat it as dead
            result.status, result.evalue = DIED, f"{type(e).__name__}: {e}"
        else:
            errors = [o for o in cell.outputs if o.get("output_type") == "error"]
            result.status = ERROR if errors else OK
            if errors:
                result.ename, result.evalue = errors[0].get("ename", ""), errors[0].get("evalue", "")
        if result.status in (TIMEOUT, DIED) and not result.ename:
            # a timeout can look like a death if the kernel dies while being waited for
            alive = False
            try:
                alive = bool(await self.client.km.is_alive())
            except Exception:
                pass
            if result.status == TIMEOUT and not alive:
                result.status = DIED
        result.outputs = [dict(o) for o in cell.outputs]
        return result

    async def run(self, steps: list[Step]) -> list[StepResult]:
        results = [StepResult() for _ in steps]
        restarts = 0
        try:
            await self._start()
            i = 0
            while i < len(steps):
                res = await self._execute(steps[i].source, steps[i].history, steps[i].min_timeout)
                results[i] = res
                i += 1
                if res.status not in (TIMEOUT, DIED):
                    continue
                await self._stop()
                if not self.restart or restarts >= self.max_restarts:
                    break
                restarts += 1
                await self._start()
                for j in range(i):  # bring the fresh kernel to the same definitions
                    if steps[j].replay and results[j].status in (OK, ERROR):
                        again = await self._execute(steps[j].source, steps[j].history, steps[j].min_timeout)
                        if again.status in (TIMEOUT, DIED):
                            raise _GiveUp
        except _GiveUp:
            pass
        finally:
            await self._stop()
        return results


class _GiveUp(Exception):
    pass


def run_steps(steps: list[Step], **kw) -> list[StepResult]:
    """Synchronous wrapper of :meth:`KernelRunner.run`."""
    return asyncio.run(KernelRunner(**kw).run(steps))
