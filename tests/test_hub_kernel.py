"""course_hub.kernel, the extension every kernel of the class hub loads: what it does without the hub's cgroups
(the memory trim, the address-space cap and its advice; the cgroup's limit and the OOM notice: tests/hub), and
every notebook in a kernel started as the hub starts it.
"""
from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("ipykernel")
from jupyter_client.manager import start_new_kernel  # noqa: E402

from course_hub import kernel  # noqa: E402
from course_hub.settings import HubSettings  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
#: the share of a student on a hub made with make hub's defaults
DEFAULT_SHARE_MB = HubSettings.__dataclass_fields__["mem_limit_mb"].default

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


def test_the_address_space_cap_stops_a_runaway_allocation_but_not_a_mapped_dataset(tmp_path):
    """With the hub's default share, a kernel may map files bigger than the share (datasets: address space, not
    memory) and still allocate; an allocation far over the share fails at once, with the advice."""
    big_file = tmp_path / "mapped.bin"
    with open(big_file, "wb") as f:
        f.truncate(int(1.5 * DEFAULT_SHARE_MB) * 2**20)  # sparse: no disk, no memory
    env = {**os.environ, "COURSE_HUB_MEMORY_LIMIT_MB": str(DEFAULT_SHARE_MB)}
    km, kc = start_new_kernel(kernel_name="python3", extra_arguments=["--ext=course_hub.kernel"], env=env)
    try:
        outputs = []

        def run(cell):
            outputs.clear()
            return kc.execute_interactive(cell, timeout=120, output_hook=outputs.append)["content"]

        reply = run(f"import numpy as np\nmapped = np.memmap({str(big_file)!r}, mode='r', dtype=np.uint8)\n"
                    "x = np.ones(200 * 2**20 // 8)\nprint(mapped.nbytes // 2**20, x.nbytes // 2**20)")
        assert reply["status"] == "ok", f"mapping a dataset bigger than the share failed: {reply}"
        reply = run("y = np.ones((100_000, 100_000))")
        assert reply["status"] == "error" and reply["ename"] == "MemoryError", reply
        printed = "".join(m["content"].get("text", "") for m in outputs if m["msg_type"] == "stream")
        assert f"more memory than you have on the class server ({DEFAULT_SHARE_MB} MB" in printed, printed
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)


@pytest.fixture(scope="module")
def hub_kernels(bench):
    """Kernels started as the class hub starts them: forked from a template, with the hub's extension."""
    from course_hub.forking import stop_templates

    bench.use_forked_kernels(True)
    try:
        yield bench
    finally:
        bench.use_forked_kernels(False)
        stop_templates()


@pytest.mark.hub
@pytest.mark.parametrize("path", sorted((ROOT / "notebooks").glob("*.ipynb")), ids=lambda p: p.stem)
def test_every_notebook_runs_in_a_kernel_as_the_hub_starts_it(path, hub_kernels):
    """Run All in a forked kernel with the extension and the default share's limits (found: 08 failed with a
    MemoryError when the address space was capped at the share itself)."""
    import nbformat

    nb = nbformat.read(path, as_version=4)
    client = hub_kernels.notebook_client(nb, path, timeout=300, extra_arguments=hub_kernels.HUB_KERNEL_ARGS)
    share = {"COURSE_HUB_MEMORY_LIMIT_MB": str(DEFAULT_SHARE_MB)}
    client.execute(env={**os.environ, **hub_kernels.HUB_KERNEL_ENV, **share})
