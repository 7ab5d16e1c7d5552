"""LocalProcessSpawner with per-user limits that really apply.

JupyterHub's ``LocalProcessSpawner`` starts each user's server as that Unix user but ignores ``mem_limit`` and
``cpu_limit``. ``CourseSpawner`` enforces them:

- a **cgroup per user** (``course_hub.cgroups``): the server, its kernels and terminals share ``mem_limit``
  (memory), ``cpu_limit`` (CPU quota, in cores) and ``pids_max`` (processes); over the memory limit the kernel's
  OOM killer stops a process of that user only -- a kernel, which the kernel extension makes the likelier
  victim, and which Jupyter then restarts;
- a **per-kernel address-space limit** (``RLIMIT_AS``, set by ``course_hub.kernel`` when a kernel starts: the
  share plus what libraries and memory-mapped datasets take without holding memory): an allocation far bigger
  than the user's share fails at once with a ``MemoryError`` whose message says what happened and what to do,
  instead of a dead kernel.

When the server stops, whatever is left in the user's cgroup (a kernel, a process started from a terminal) is
stopped by PID and the group is removed.
"""
from __future__ import annotations

import asyncio

from jupyterhub.spawner import LocalProcessSpawner
from traitlets import Dict, Integer, Set, Unicode

from .cgroups import UserCgroup


class CourseSpawner(LocalProcessSpawner):
    cgroup_parents = Dict(
        config=True,
        help="The hub's parent cgroups, {controller: path} (v1) or {'v2': path}; empty: no cgroup limits.",
    )
    pids_max = Integer(256, config=True, help="Processes and threads a user may have at once (cgroup pids.max).")
    instructors = Set(config=True, help="Users who get the instructor's tools (nbgrader's formgrader).")
    student_jupyter_config = Unicode(
        "", config=True, help="A Jupyter config folder put first on students' JUPYTER_CONFIG_PATH (no formgrader)."
    )

    @property
    def cgroup(self) -> UserCgroup | None:
        return UserCgroup(self.cgroup_parents, self.user.name) if self.cgroup_parents else None

    async def start(self):
        cg = self.cgroup
        if cg is not None:
            await asyncio.get_running_loop().run_in_executor(None, cg.kill_all)  # a stray process of an earlier server would count against the new one's limits
            cg.create(memory_bytes=self.mem_limit, cpus=self.cpu_limit, pids_max=self.pids_max)
            self.log.info("%s: cgroup limits memory=%s cpu=%s pids=%s (%s)", self.user.name, self.mem_limit,
                          self.cpu_limit, self.pids_max, ", ".join(map(str, cg.dirs.values())))
        return await super().start()

    def make_preexec_fn(self, name):
        become_user = super().make_preexec_fn(name)
        cg = self.cgroup
        if cg is None:
            return become_user
        join = cg.join_function()

        def preexec():
            join()  # still root here: move into the user's cgroup, then drop to the user
            become_user()

        return preexec

    def get_env(self):
        env = super().get_env()
        if self.student_jupyter_config and self.user.name not in self.instructors:
            env["JUPYTER_CONFIG_PATH"] = self.student_jupyter_config
        if self.mem_limit:
            env["COURSE_HUB_MEMORY_LIMIT_MB"] = str(self.mem_limit // 2**20)
        cg = self.cgroup
        if cg is not None and cg.memory_dir is not None:
            env["COURSE_HUB_MEMORY_CGROUP"] = str(cg.memory_dir)
            env["COURSE_HUB_CGROUP_VERSION"] = "2" if "v2" in cg.dirs else "1"
        return env

    async def stop(self, now=False):
        await super().stop(now=now)
        cg = self.cgroup
        if cg is not None:
            left = await asyncio.get_running_loop().run_in_executor(None, cg.kill_all)
            if left:
                self.log.info("%s: stopped %d process(es) left after the server: %s", self.user.name, len(left), left)
            cg.remove()
