"""Host tiling helpers: one row tile per core, BLAS held to one thread meanwhile."""

import os
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from .._config import get_config

__all__ = ["host_blas_single_thread", "run_host_tiles"]

_MIB = 2**20
# Host blocks beyond this size run slower (cache misses).
_HOST_BLOCK = 4 * _MIB
_HOST_MIN_ROWS = 64

_BLAS_CONTROLLER = []


@contextmanager
def host_blas_single_thread(active=True):
    """Limit BLAS to one thread while our own threads run one tile per core.

    Multi-threaded BLAS on small tiles, on a busy machine, is often a hundred
    times slower than one thread (spinning workers).
    """
    if not active:
        yield
        return
    if not _BLAS_CONTROLLER:
        from threadpoolctl import ThreadpoolController

        _BLAS_CONTROLLER.append(ThreadpoolController())
    with _BLAS_CONTROLLER[0].limit(limits=1, user_api="blas"):
        yield


def run_host_tiles(n_rows, n_cols, tile, *, itemsize=8, working_memory=None):
    """Call ``tile(start, stop)`` on the row tiles of an ``(n_rows, n_cols)`` block.

    NumPy's element-wise passes are single-threaded, so the tiles run in
    threads, one per core, with BLAS limited to one thread meanwhile. Each
    tile is small enough to stay in cache and all live tiles fit in the
    working memory (MiB; None reads ``get_config()``). ``tile`` writes its
    own results.
    """
    workers = max(1, min(os.cpu_count() or 1, 8))
    if working_memory is None:
        working_memory = get_config()["working_memory"]
    budget = working_memory * _MIB
    row_bytes = itemsize * max(n_cols, 1)
    # At least _HOST_MIN_ROWS rows (GEMM and per-tile overhead) when the
    # budget allows it.
    rows = max(int(min(budget // workers, _HOST_BLOCK) // row_bytes),
               min(_HOST_MIN_ROWS, int(budget // (workers * row_bytes))), 1)
    starts = range(0, n_rows, rows)
    workers = max(1, min(workers, len(starts)))

    def run(first):
        for start in starts[first::workers]:
            tile(start, min(start + rows, n_rows))

    with host_blas_single_thread(workers > 1):
        if workers > 1:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(run, range(workers)))
        else:
            run(0)
