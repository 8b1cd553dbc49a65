"""The bottom layer: which array library holds the data, and moving it.

Samplers receive arrays of one namespace ``xp`` (numpy, cupy, array_api_strict,
...) and must not call numpy directly on them. Everything that asks which
library (or device) holds an array, moves an array to another namespace, or
spells an operation the array API standard spells awkwardly lives here, once,
for the samplers and the engines (``gpuimb._backends``) alike. This module
imports nothing else from gpuimb.
"""

import contextlib
import importlib
import importlib.util

import numpy as np
import scipy.sparse as sp
from array_api_compat import (
    array_namespace,
    is_array_api_strict_namespace,
    is_cupy_namespace,
    is_numpy_array,
    is_numpy_namespace,
)
from array_api_compat import device as array_device

# Which library: sparse matrices, namespaces, devices, optional modules.


def is_sparse(X):
    """Return True for scipy.sparse and cupyx.scipy.sparse matrices/arrays."""
    if sp.issparse(X):
        return True
    module = type(X).__module__
    return module.startswith("cupyx.scipy.sparse")


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
    """Return True when ``xp`` is NumPy (plain or wrapped by array-api-compat),
    so that SciPy and scikit-learn apply directly."""
    return is_numpy_namespace(xp)


def native_module(xp):
    """Return the library behind ``xp`` when it has native fast paths, else None.

    NumPy and CuPy share the ``argpartition``/``fill_diagonal`` vocabulary;
    every other namespace gets the pure array-API code.
    """
    if is_host_namespace(xp):
        return np
    if is_cupy_namespace(xp):
        import cupy

        return cupy
    return None


def sparse_module(xp):
    """Return the sparse-matrix library that goes with namespace ``xp``.

    ``scipy.sparse`` for NumPy, ``cupyx.scipy.sparse`` for CuPy, None for
    namespaces without one (sparse data never reaches them).
    """
    if is_host_namespace(xp):
        return sp
    if is_cupy_namespace(xp):
        import cupyx.scipy.sparse

        return cupyx.scipy.sparse
    return None


def device_scope(array):
    """Context making the device of a CuPy array current (a no-op otherwise).

    CuPy allocates new arrays and launches kernels on the *current* device:
    work on data living on ``cuda:1`` must run inside this scope.
    """
    dev = getattr(array, "device", None)
    if type(array).__module__.startswith("cupy") and hasattr(dev, "__enter__"):
        return dev
    return contextlib.nullcontext()


def module_available(name):
    """Return True when ``import name`` would find the module.

    The module is imported, so that broken installs (a CUDA library missing)
    count as unavailable.
    """
    if importlib.util.find_spec(name) is None:
        return False
    try:
        importlib.import_module(name)
    except Exception:  # any failure (a CUDA library missing) means unusable
        return False
    return True


# Moving arrays: to the host, to any namespace and device.


def to_host(array):
    """Return ``array`` as a NumPy array (a no-op for NumPy input).

    Parameters
    ----------
    array : array, list or scalar
        NumPy, CuPy, any DLPack-capable array, or host data NumPy reads.

    Returns
    -------
    array : numpy.ndarray
    """
    if is_numpy_array(array):
        return array
    if hasattr(array, "get") and type(array).__module__.startswith("cupy"):
        return array.get()
    if not hasattr(array, "__dlpack__"):
        return np.asarray(array)  # lists, scalars, pandas
    try:
        return np.from_dlpack(array)
    except (TypeError, RuntimeError, BufferError, AttributeError):
        # A device-resident DLPack producer cannot be read by NumPy directly.
        if hasattr(array, "cpu"):
            return np.asarray(array.cpu())
        return np.asarray(array)


def to_namespace(array, xp, device=None, dtype=None):
    """Return ``array`` as an array of namespace ``xp`` on ``device``.

    The one way data changes namespace or device: host draws and indices
    going next to X, estimator outputs coming back, labels following X.
    An array already in ``xp`` on ``device`` is returned as it is (cast to
    ``dtype`` if one is given); anything else is copied, through the host
    when no direct route exists.

    Parameters
    ----------
    array : array, list or scalar
        Any array (NumPy, CuPy, DLPack-capable) or host data.
    xp : module
        Target array namespace.
    device : object, default=None
        Target device; None means the namespace's default (CuPy: the
        current device).
    dtype : dtype of ``xp``, default=None
        Target dtype; None keeps the data's.

    Returns
    -------
    array : array of namespace ``xp``
    """
    if is_host_namespace(xp):
        return np.asarray(to_host(array), dtype=dtype)
    if is_cupy_namespace(xp):
        import cupy

        if device is None:
            return cupy.asarray(array, dtype=dtype)
        scope = device if hasattr(device, "__enter__") else cupy.cuda.Device(device)
        with scope:
            return cupy.asarray(array, dtype=dtype)
    try:
        same = array_namespace(array) is xp and (
            device is None or array_device(array) == device)
    except TypeError:
        same = False
    if same:
        return array if dtype is None else xp.astype(array, dtype)
    if is_array_api_strict_namespace(xp):
        # array_api_strict refuses NumPy's implicit __array__; go via NumPy,
        # with a copy so that the result never shares a host buffer.
        return xp.asarray(to_host(array), dtype=dtype, device=device, copy=True)
    try:
        out = xp.from_dlpack(array, device=device)
    except (TypeError, RuntimeError, BufferError, AttributeError, ValueError):
        out = xp.asarray(to_host(array), device=device)
    return out if dtype is None else xp.astype(out, dtype)


# Operations the standard spells awkwardly.


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


def place_rows(into, mask, rows):
    """Return a copy of ``into`` whose rows where ``mask`` holds are ``rows``, in order.

    ``out = into.copy(); out[mask] = rows`` (NumPy's ``place``, row-wise) for
    any namespace: the one scatter update of the package. ``mask`` is 1-D
    boolean over the rows of ``into``; ``rows`` has one row per true entry.
    The result has the promoted dtype of ``into`` and ``rows``. On NumPy it is
    a boolean assignment into a copy; elsewhere a running count of ``mask``
    picks each row's update (``take``/``where`` only: no device sync, and
    namespaces without item assignment work).

    Examples
    --------
    >>> import numpy as np
    >>> place_rows(np.zeros(4), np.array([False, True, False, True]),
    ...            np.array([5.0, 7.0])).tolist()
    [0.0, 5.0, 0.0, 7.0]
    """
    xp = array_namespace(into, rows)
    dtype = xp.result_type(into, rows)
    if is_host_namespace(xp):
        out = into.astype(dtype, copy=True)
        out[mask] = rows
        return out
    if rows.shape[0] == 0:
        return xp.astype(into, dtype, copy=True)
    slot = xp.clip(xp.cumulative_sum(xp.astype(mask, xp.int64)) - 1, 0, None)
    keep = xp.reshape(mask, mask.shape + (1,) * (into.ndim - 1))
    return xp.where(keep, xp.take(rows, slot, axis=0), into)


def row_sq_norms(xp, M):
    """Squared Euclidean norm of each row of dense or sparse ``M``, as 1-D ``xp``."""
    if is_sparse(M):
        return xp.reshape(xp.asarray(M.multiply(M).sum(axis=1)), (-1,))
    if isinstance(M, np.ndarray):
        # Several times faster than a row-wise sum over short rows.
        return np.einsum("ij,ij->i", M, M)
    return xp.sum(M * M, axis=1)


def take_rows(X, indices):
    """Rows of dense or sparse ``X`` at ``indices`` (an integer array)."""
    if is_sparse(X):
        return X[indices]
    xp = get_namespace(X)
    return xp.take(X, indices, axis=0)


def vstack(blocks, like):
    """Stack dense or sparse row blocks, keeping the sparse format of ``like``."""
    xp = get_namespace(like)
    if is_sparse(like):
        return sparse_module(xp).vstack(blocks, format=like.format)
    return xp.concat(blocks, axis=0)
