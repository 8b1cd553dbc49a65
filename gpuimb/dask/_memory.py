"""Per-task memory budgets taken from the Dask workers' memory limits.

distributed pauses a worker at 80 % of its ``memory_limit`` and restarts it
at 95 %; spilling starts at 60-70 %. A task that builds a large scratch block
(a distance tile) therefore has to size it from the limit, not from a global
setting. Every task here gets ``TASK_FRACTION`` of its worker's limit divided
by the worker's threads (tasks run concurrently, one per thread); the input
blocks themselves are sized on the client from the smallest worker's share.
"""

import os

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
