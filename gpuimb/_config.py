"""Global configuration: which engine answers neighbour/cluster queries, and memory."""

import threading
from contextlib import contextmanager

# "auto", the registered engines and their aliases (gpuimb/_backends/_registry.py).
from gpuimb._backends._registry import BACKENDS

_global_config = {
    "backend": "auto",
    # MiB of scratch memory one tile of a kNN or k-means distance block may use.
    "working_memory": 1024,
    # Progress bars (tqdm.auto, when installed) for samplers that can take seconds.
    "show_progress": False,
}
_local = threading.local()


def _get_threadlocal_config():
    if not hasattr(_local, "config"):
        _local.config = _global_config.copy()
    return _local.config


def get_config():
    """Return a copy of the current configuration.

    Returns
    -------
    config : dict
        Keys ``backend``, ``working_memory`` and ``show_progress``.
    """
    return _get_threadlocal_config().copy()


def set_config(backend=None, working_memory=None, show_progress=None):
    """Set the configuration of gpuimb for the current thread.

    Parameters
    ----------
    backend : {"auto", "sklearn", "cuml", "array_api", "cupy"}, default=None
        Engine for nearest neighbours, k-means and classifiers. ``"auto"`` follows
        the data: host arrays use scikit-learn, CuPy arrays use cuML when it is
        importable and the array-API engine otherwise, other array-API arrays
        the array-API engine. ``"cupy"`` is the array-API engine on CuPy data
        (CuPy's kernels rather than cuML's). A requested engine whose library
        is missing raises ImportError when it is first needed. ``None`` leaves
        it unchanged.
    working_memory : int, default=None
        Upper bound, in MiB, on the scratch memory of one tile of distances.
        ``None`` leaves it unchanged.
    show_progress : bool, default=None
        Show progress bars (``tqdm.auto``: text in a terminal, a widget in a
        notebook) for the steps that can take seconds: CondensedNearestNeighbour,
        RepeatedEditedNearestNeighbours/AllKNN rounds, InstanceHardnessThreshold
        folds, ClusterCentroids and KMeansSMOTE fits. Off by default; silent
        when tqdm is not installed. ``None`` leaves it unchanged.
    """
    config = _get_threadlocal_config()
    if backend is not None:
        if backend not in BACKENDS:
            raise ValueError(
                f"backend must be one of {BACKENDS}. Got {backend!r} instead."
            )
        config["backend"] = backend
    if working_memory is not None:
        if not (isinstance(working_memory, (int, float)) and working_memory > 0):
            raise ValueError(
                "working_memory must be a positive number of MiB. "
                f"Got {working_memory!r} instead."
            )
        config["working_memory"] = working_memory
    if show_progress is not None:
        config["show_progress"] = bool(show_progress)


@contextmanager
def config_context(*, backend=None, working_memory=None, show_progress=None):
    """Temporarily change the configuration inside a ``with`` block.

    Parameters
    ----------
    backend : {"auto", "sklearn", "cuml", "array_api", "cupy"}, default=None
        See :func:`set_config`.
    working_memory : int, default=None
        See :func:`set_config`.
    show_progress : bool, default=None
        See :func:`set_config`.
    """
    old = get_config()
    set_config(backend=backend, working_memory=working_memory,
               show_progress=show_progress)
    try:
        yield
    finally:
        set_config(**old)
