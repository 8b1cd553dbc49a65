"""Per-task memory budgets taken from the Dask workers' memory limits.

distributed pauses a worker at 80 % of its ``memory_limit`` and restarts it
at 95 %; spilling starts at 60-70 %. A task that builds a large scratch block
(a distance tile) therefore has to size it from the limit, not from a global
setting. Every task here gets ``TASK_FRACTION`` of its worker's limit divided
by the worker's threads (tasks run concurrently, one per thread); the input
blocks themselves are sized on the client from the smallest worker's share.
"""

import ctypes
import os
import platform
import threading
from contextlib import contextmanager

from gpuimb._backends._tiles import MIB as _MIB

# Share of a worker's memory one running task may use (inputs, scratch and
# outputs together): a quarter leaves room for the blocks the worker holds
# and keeps it under the spill threshold.
TASK_FRACTION = 0.25
# Without a distributed scheduler (threaded or synchronous scheduler).
_LOCAL_DEFAULT = 1024 * _MIB


def _client():
    try:
        from distributed import default_client
    except ImportError:
        return None
    try:
        return default_client()
    except ValueError:
        return None


def cluster_task_bytes():
    """Bytes one task may use on the smallest worker of the current client.

    Reads ``memory_limit`` and ``nthreads`` of every worker from the
    scheduler; without a client (local schedulers) or with unlimited workers
    it falls back to the host's memory divided among its cores.
    """
    client = _client()
    shares = []
    if client is not None:
        for info in client.scheduler_info(n_workers=-1)["workers"].values():
            limit = info.get("memory_limit") or 0
            if limit:
                shares.append(limit / max(int(info.get("nthreads", 1)), 1))
    if not shares:
        return int(min(_host_share(), _LOCAL_DEFAULT * 4) * TASK_FRACTION)
    return int(min(shares) * TASK_FRACTION)


def worker_task_bytes():
    """Bytes the running task may use, from its own worker's limit (in a task)."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return int(min(_host_share(), _LOCAL_DEFAULT * 4) * TASK_FRACTION)
    limit = worker.memory_manager.memory_limit or _host_share()
    return int(limit / max(int(worker.state.nthreads), 1) * TASK_FRACTION)


def _host_share():
    try:
        import psutil

        total = psutil.virtual_memory().total
    except ImportError:  # pragma: no cover - psutil ships with distributed
        total = 8 * 1024 * _MIB
    return total / max(os.cpu_count() or 1, 1)


def block_rows(row_bytes, *, parts=8, minimum=64, budget=None):
    """Rows of one input block so that ``parts`` such blocks fit a task's budget."""
    if budget is None:
        budget = cluster_task_bytes()
    return int(max(minimum, budget // max(parts * row_bytes, 1)))


# glibc's mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
# glibc's defaults: blocks from 128 KiB up are mapped afresh (the dynamic
# threshold is off once any threshold is set, as distributed's environment does).
_GLIBC_MMAP_DEFAULT = 128 * 1024
# While a kernel task runs: blocks under 32 MiB (glibc's largest threshold;
# the host kNN's blocks are 8 MiB per thread) reuse freed memory, and up to
# this much free memory stays with the allocator between blocks.
_TASK_MMAP_THRESHOLD = 32 * _MIB
_TASK_TRIM_THRESHOLD = 32 * _MIB

_ALLOC_LOCK = threading.Lock()
_ALLOC_TASKS = [0]
_LIBC = []


def _glibc():
    if not _LIBC:
        libc = None
        if platform.system() == "Linux" and platform.libc_ver()[0] == "glibc":
            try:
                libc = ctypes.CDLL(None)
                libc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
                libc.malloc_trim.argtypes = [ctypes.c_size_t]
            except (OSError, AttributeError):  # pragma: no cover - not glibc after all
                libc = None
        _LIBC.append(libc)
    return _LIBC[0]


@contextmanager
def reusing_allocator():
    """Let a kernel task reuse freed memory, then hand it back to the system.

    distributed starts its workers with ``MALLOC_TRIM_THRESHOLD_=65536`` (so
    that freed memory goes back to the system and the nanny's memory
    monitor sees the truth). That also fixes glibc's mmap threshold at
    128 KiB: every scratch block of a tiled kernel is then mapped afresh and
    page-faulted in, which made the host kNN 2-3x slower in a worker than in
    a plain process (most of the time in the kernel, page faults). While the
    task runs, blocks under 32 MiB reuse freed memory; when the last such
    task of the worker ends, the thresholds go back to distributed's and
    the free memory is returned (``malloc_trim``). Nothing changes outside
    glibc or without that environment variable. The results do not depend
    on it: only where the scratch memory comes from.
    """
    try:
        trim = int(os.environ["MALLOC_TRIM_THRESHOLD_"])
    except (KeyError, ValueError):
        trim = None
    libc = _glibc() if trim is not None else None
    if libc is None:
        yield
        return
    with _ALLOC_LOCK:
        if _ALLOC_TASKS[0] == 0:
            libc.mallopt(_M_MMAP_THRESHOLD, _TASK_MMAP_THRESHOLD)
            libc.mallopt(_M_TRIM_THRESHOLD, _TASK_TRIM_THRESHOLD)
        _ALLOC_TASKS[0] += 1
    try:
        yield
    finally:
        with _ALLOC_LOCK:
            _ALLOC_TASKS[0] -= 1
            if _ALLOC_TASKS[0] == 0:
                libc.mallopt(_M_MMAP_THRESHOLD, _GLIBC_MMAP_DEFAULT)
                libc.mallopt(_M_TRIM_THRESHOLD, trim)
                libc.malloc_trim(0)
