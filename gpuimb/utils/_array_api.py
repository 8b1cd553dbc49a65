"""Array-namespace helpers used by the namespace-generic sampler code.

Samplers receive arrays of one namespace ``xp`` (numpy, cupy, array_api_strict,
...) and must not call numpy directly on them. These helpers cover the few
operations the array API standard spells awkwardly.
"""

import numpy as np
import scipy.sparse as sp
from array_api_compat import array_namespace, is_cupy_namespace, is_numpy_namespace
from array_api_compat import device as array_device

# One host-copy routine for the whole package; it lives with the engines.
from gpuimb._backends._namespace import to_host  # noqa: F401


def is_sparse(X):
    """Return True for scipy.sparse and cupyx.scipy.sparse matrices/arrays."""
    if sp.issparse(X):
        return True
    module = type(X).__module__
    return module.startswith("cupyx.scipy.sparse")


def row_sq_norms(xp, M):
    """Squared Euclidean norm of each row of dense or sparse ``M``, as 1-D ``xp``."""
    if is_sparse(M):
        return xp.reshape(xp.asarray(M.multiply(M).sum(axis=1)), (-1,))
    if isinstance(M, np.ndarray):
        # Several times faster than a row-wise sum over short rows.
        return np.einsum("ij,ij->i", M, M)
    return xp.sum(M * M, axis=1)


def get_namespace(*arrays):
    """Return the array-API namespace (compat-wrapped) of dense or sparse arrays."""
    dense = []
    for a in arrays:
        if a is None:
            continue
        if sp.issparse(a):
            dense.append(np.empty(0))
        elif is_sparse(a):
            import cupy

            dense.append(cupy.empty(0))
        else:
            dense.append(a)
    return array_namespace(*dense)


def device_of(X):
    """Return the device of ``X`` (``"cpu"`` for numpy and scipy.sparse)."""
    if sp.issparse(X):
        return "cpu"
    if is_sparse(X):
        return X.data.device
    return array_device(X)


def is_host_namespace(xp):
    """True when ``xp`` is numpy (so scipy and scikit-learn apply directly)."""
    return is_numpy_namespace(xp)




def asarray_on(values, xp, device, dtype=None):
    """Move small host data (indices, draws) to the namespace and device of X."""
    if is_numpy_namespace(xp):
        return np.asarray(values, dtype=dtype)
    if is_cupy_namespace(xp):
        import cupy

        with cupy.cuda.Device(device):
            return cupy.asarray(values, dtype=dtype)
    values = np.asarray(values)
    if dtype is None:
        dtype = _strict_dtype(xp, values.dtype)
    return xp.asarray(values.tolist() if values.ndim else values.item(), dtype=dtype,
                      device=device)


def _strict_dtype(xp, np_dtype):
    return getattr(xp, np.dtype(np_dtype).name)


def python_scalar(value):
    """Turn a numpy scalar class label into a Python scalar (strict namespaces)."""
    return value.item() if isinstance(value, np.generic) else value


def flatnonzero(xp, mask):
    """Indices where a 1-D boolean mask is true."""
    return xp.nonzero(mask)[0]


def repeat_positions(xp, counts):
    """``[0]*counts[0] + [1]*counts[1] + ...`` for a 1-D integer array ``counts``.

    ``xp.repeat`` with an array of repeats is missing from CuPy before 14.1:
    this is a search of each output slot in the running total instead.
    """
    ends = xp.cumulative_sum(xp.astype(counts, xp.int64))
    total = int(ends[-1]) if ends.shape[0] else 0
    slots = xp.arange(total, dtype=xp.int64, device=array_device(counts))
    return xp.astype(xp.searchsorted(ends, slots, side="right"), xp.int64)


def take_rows(X, indices):
    """Rows of dense or sparse ``X`` at ``indices`` (an integer array)."""
    if is_sparse(X):
        return X[indices]
    xp = get_namespace(X)
    return xp.take(X, indices, axis=0)


def vstack(blocks, like):
    """Stack dense or sparse row blocks, keeping the sparse format of ``like``."""
    if sp.issparse(like):
        return sp.vstack(blocks, format=like.format)
    xp = get_namespace(like)
    return xp.concat(blocks, axis=0)
