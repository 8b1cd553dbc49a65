"""Shared helpers for the engine tests: namespaces and an exact kNN reference."""

import numpy as np

from tests._helpers import cuda_available  # noqa: F401 (the engine tests import it here)

NAMESPACES = ["numpy", "array_api_strict"]


def namespace(name):
    """Return the array namespace called ``name``."""
    if name == "numpy":
        import array_api_compat.numpy as xp

        return xp
    if name == "array_api_strict":
        import array_api_strict as xp

        return xp
    import cupy as xp

    return xp


def as_namespace(name, array):
    """Convert a NumPy array to the namespace called ``name``."""
    if name == "numpy":
        return array
    return namespace(name).asarray(array)


def host(array):
    """Return any array as NumPy."""
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "get"):
        return array.get()
    return np.from_dlpack(array)


def exact_knn(index, query, k, own=None):
    """(distance, index)-ordered kNN from directly computed float64 distances.

    The rows are differenced in their own dtype (as the engines do) and the
    squares summed in float64, so the ordering is the exact one.
    """
    index = np.asarray(index)
    query = np.asarray(query)
    diff = (query[:, None, :] - index[None, :, :]).astype(np.float64)
    d2 = (diff * diff).sum(axis=2)
    if own is not None:
        d2[np.arange(len(query)), own] = np.inf
    cols = np.broadcast_to(np.arange(index.shape[0]), d2.shape)
    order = np.lexsort((cols, d2), axis=-1)[:, :k]
    return np.sqrt(np.take_along_axis(d2, order, axis=1)), order
