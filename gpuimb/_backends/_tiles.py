"""Tile sizing, and the host tile runner (one row tile per core, BLAS held to one thread).

Every loop over row tiles in gpuimb sizes its tiles here: :func:`tile_rows`
(how many rows fit in a budget) and :func:`row_tiles` (the tiles), against
one of the named budgets below; on the host, :func:`run_host_tiles` runs them
on the process's threads.
"""

import os
import threading
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from .._config import get_config

__all__ = ["COMPARE_TILE", "HOST_KNN_BLOCK_BYTES", "HOST_TILE_BYTES", "HOST_WORKERS", "MIB",
           "PAIR_TILE", "host_map", "host_single_thread",
           "row_tiles", "run_host_tiles", "tile_rows", "working_memory_bytes"]

MIB = 2**20
# The budgets. Most tiles share the configured ``working_memory``
# (:func:`working_memory_bytes`); host blocks are further capped because
# beyond these sizes they run slower (cache misses, page faults):
HOST_TILE_BYTES = 4 * MIB  # one tile of run_host_tiles, per thread
HOST_KNN_BLOCK_BYTES = 8 * MIB  # one screening block of the brute-force kNN, per thread
HOST_MIN_ROWS = 64  # GEMM and per-tile overhead: fewer rows only when the budget says so
# Host tile runs smaller than this many cells stay on the calling thread: waking
# a thread costs milliseconds on a busy machine, such a block well under one.
HOST_SERIAL_CELLS = 2**17
# Element counts (not bytes) of generic comparison blocks, whatever the
# working memory:
COMPARE_TILE = 2**22  # (rows, k, k) category votes, (rows, labels) one-hot counts
PAIR_TILE = 2**24  # (rows, n) VDM distances (SMOTEN, ValueDifferenceMetric)


def working_memory_bytes(working_memory=None):
    """``working_memory`` MiB in bytes; None reads ``get_config()``."""
    if working_memory is None:
        working_memory = get_config()["working_memory"]
    return working_memory * MIB


def tile_rows(row_cost, budget=None):
    """How many rows of ``row_cost`` each fit in ``budget`` (at least one).

    Parameters
    ----------
    row_cost : int
        What one row of the tile's largest live block(s) costs.
    budget : int or float, default=None
        In the unit of ``row_cost``; None means the configured working memory
        in bytes.

    Returns
    -------
    rows : int
    """
    if budget is None:
        budget = working_memory_bytes()
    return int(max(1, budget // max(row_cost, 1)))


def row_tiles(n_rows, rows):
    """``(start, stop)`` of consecutive tiles of ``rows`` rows covering ``n_rows``."""
    for start in range(0, n_rows, rows):
        yield start, min(start + rows, n_rows)


# threadpoolctl's controller, built once (it scans the loaded libraries).
_BLAS_CONTROLLER = []

# One pool for the process: starting threads costs ~0.2 ms each, a sizeable
# part of a 10 ms resampling. A forked child has no threads: it starts afresh.
_POOL_LOCK = threading.Lock()
_POOL = []
_WORKER = threading.local()


def _forget_pool():
    global _POOL_LOCK
    _POOL_LOCK = threading.Lock()
    _POOL.clear()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_pool)


def _mark_worker():
    _WORKER.active = True


def _tile_pool(workers):
    with _POOL_LOCK:
        if not _POOL:
            _POOL.append(ThreadPoolExecutor(
                workers, thread_name_prefix="gpuimb-tiles", initializer=_mark_worker))
        return _POOL[0]


def _host_cores():
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


# Below this many query x index pairs a scikit-learn kNN search runs on one
# thread: waking OpenMP and BLAS workers costs more than the search (tens of
# milliseconds on a busy machine, for a search of under a millisecond).
SINGLE_THREAD_PAIRS = 2**20


@contextmanager
def host_single_thread(active=True, *, user_api=None):
    """Limit native thread pools to one thread while the block runs.

    ``user_api=None`` limits BLAS and OpenMP (scikit-learn's small kNN searches
    and clusterings); ``"blas"`` limits BLAS only, while our own threads run one
    tile per core: multi-threaded BLAS on small tiles, on a busy machine, is
    often a hundred times slower than one thread (spinning workers).
    """
    if not active:
        yield
        return
    if not _BLAS_CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER.append(ThreadpoolController())
    with _BLAS_CONTROLLER[0].limit(limits=1, user_api=user_api):
        yield


# Threads for host tiles: one per core the process may use, at most 8.
HOST_WORKERS = max(1, min(_host_cores(), 8))


def host_map(fn, items, *, lazy=False):
    """``list(map(fn, items))``, on the process's tile threads when it pays.

    Inside a tile thread (a nested call) it runs serially, so that no tile
    waits on a pool its own thread belongs to. ``lazy=True`` returns an
    iterator yielding the results in order as they are ready (for a progress
    bar).
    """
    items = list(items)
    if len(items) < 2 or HOST_WORKERS < 2 or getattr(_WORKER, "active", False):
        results = map(fn, items)
    else:
        results = _tile_pool(HOST_WORKERS).map(fn, items)
    return results if lazy else list(results)


def run_host_tiles(n_rows, n_cols, tile, *, itemsize=8, working_memory=None):
    """Call ``tile(start, stop)`` on the row tiles of an ``(n_rows, n_cols)`` block.

    NumPy's element-wise passes are single-threaded, so the tiles run in
    threads, one per core, with BLAS limited to one thread meanwhile. Each
    tile is small enough to stay in cache and all live tiles fit in the
    working memory (MiB; None reads ``get_config()``). ``tile`` writes its
    own results.
    """
    workers = HOST_WORKERS
    per_worker = working_memory_bytes(working_memory) // workers
    row_bytes = itemsize * max(n_cols, 1)
    # At least HOST_MIN_ROWS rows when the budget allows it.
    rows = max(tile_rows(row_bytes, min(per_worker, HOST_TILE_BYTES)),
               min(HOST_MIN_ROWS, tile_rows(row_bytes, per_worker)))
    # Every core gets work when there are rows enough, and the block is big
    # enough to pay for waking a thread.
    if n_rows * max(n_cols, 1) >= HOST_SERIAL_CELLS:
        rows = min(rows, max(-(-n_rows // workers), HOST_MIN_ROWS))
    starts = range(0, n_rows, rows)
    workers = max(1, min(workers, len(starts)))

    def run(first):
        for start in starts[first::workers]:
            tile(start, min(start + rows, n_rows))

    with host_single_thread(workers > 1, user_api="blas"):
        host_map(run, range(workers))
