"""course_hub.kernel, the extension every kernel of the class hub loads: what it does outside the hub's limits.

(The memory limit, its advice and the OOM notice need the hub's cgroups: tests/hub.)
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("ipykernel")
from jupyter_client.manager import start_new_kernel  # noqa: E402

from course_hub import kernel  # noqa: E402

#: A cell that frees ~200 MB it allocated in 1 kB pieces, while every hundredth piece stays: glibc then cannot give
#: the freed memory back by shrinking its heap from the top, as it does by itself.
FRAGMENTING_CELL = ("kept, freed = [], []\n"
                    "for i in range(200_000):\n"
                    "    freed.append(bytes(1000))\n"
                    "    if i % 100 == 0:\n"
                    "        kept.append(bytes(1000))\n"
                    "del freed\n")


def kernel_uss_after(cell: str, extra_arguments: list[str], bench) -> float:
    km, kc = start_new_kernel(kernel_name="python3", extra_arguments=extra_arguments, env={**os.environ})
    try:
        reply = kc.execute_interactive(cell, timeout=120, output_hook=lambda msg: None)
        assert reply["content"]["status"] == "ok", reply["content"]
        return bench.process_memory(km.provisioner.process.pid)["uss"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.mark.skipif(kernel.GLIBC is None or not Path("/proc/self/smaps_rollup").exists(),
                    reason="glibc's malloc_trim and Linux's /proc")
def test_after_every_cell_the_freed_memory_goes_back_to_the_system(bench):
    plain = kernel_uss_after(FRAGMENTING_CELL, [], bench)
    trimmed = kernel_uss_after(FRAGMENTING_CELL, ["--ext=course_hub.kernel"], bench)
    assert plain - trimmed > 100, (plain, trimmed)  # of the ~200 MB freed, glibc alone keeps most
