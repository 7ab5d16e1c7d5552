"""Kernel launcher: bound the kernel's resources, then ``exec`` the real kernel command.

    python _sandbox.py MEMORY_MB -- python -m ipykernel_launcher -f CONNECTION_FILE

Run as a script (not ``-m``) so that starting a kernel does not import ``course_lib``. The limits
are inherited by everything the kernel starts:

- ``RLIMIT_AS`` (address space) = MEMORY_MB: a memory bomb raises ``MemoryError`` or kills only
  this kernel, never the machine or the grader;
- ``RLIMIT_FSIZE`` = 256 MB: a submission cannot fill the disk;
- ``RLIMIT_CORE`` = 0: no core dumps;
- one BLAS/OpenMP thread, so that parallel grading does not oversubscribe the cores (and the
  address-space limit is not eaten by per-thread BLAS buffers).
"""
import os
import resource
import sys


def main(argv):
    memory_mb = int(argv[1])
    cmd = argv[argv.index("--") + 1:]
    if memory_mb > 0:
        limit = memory_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    resource.setrlimit(resource.RLIMIT_FSIZE, (256 * 1024 * 1024, 256 * 1024 * 1024))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS"):
        os.environ[var] = "1"
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    os.execv(cmd[0], cmd)


if __name__ == "__main__":
    main(sys.argv)
