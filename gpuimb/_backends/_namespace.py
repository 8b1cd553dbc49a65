"""Array-namespace helpers: which library holds the data, and moving it."""

import contextlib
import importlib
import importlib.util
import logging

import numpy as np
from array_api_compat import (
    array_namespace,
    device,
    is_array_api_strict_namespace,
    is_cupy_namespace,
    is_numpy_array,
    is_numpy_namespace,
)

logger = logging.getLogger("gpuimb")

__all__ = [
    "array_namespace",
    "device",
    "device_scope",
    "is_cupy_namespace",
    "is_host_namespace",
    "module_available",
    "native_module",
    "to_host",
    "to_namespace",
]


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


def is_host_namespace(xp):
    """Return True when ``xp`` is NumPy (plain or wrapped by array-api-compat)."""
    return xp is np or is_numpy_namespace(xp)


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


def to_host(array):
    """Return ``array`` as a NumPy array (a no-op for NumPy input).

    Parameters
    ----------
    array : array
        NumPy, CuPy, or any DLPack-capable array.

    Returns
    -------
    array : numpy.ndarray
    """
    if is_numpy_array(array):
        return array
    if hasattr(array, "get") and type(array).__module__.startswith("cupy"):
        return array.get()
    try:
        return np.from_dlpack(array)
    except (TypeError, RuntimeError, BufferError, AttributeError):
        # A device-resident DLPack producer cannot be read by NumPy directly.
        if hasattr(array, "cpu"):
            return np.asarray(array.cpu())
        return np.asarray(array)


def to_namespace(array, xp, device=None):
    """Return ``array`` as an array of namespace ``xp``, on ``device``.

    Parameters
    ----------
    array : array
        Any array (NumPy, CuPy, DLPack-capable).
    xp : module
        Target array namespace.
    device : object, default=None
        Target device; ``None`` means the namespace's default.

    Returns
    -------
    array : array of namespace ``xp``
    """
    if is_host_namespace(xp):
        return to_host(array)
    if is_cupy_namespace(xp):
        import cupy

        if device is None:
            return cupy.asarray(array)
        with device:
            return cupy.asarray(array)
    if is_array_api_strict_namespace(xp):
        # array_api_strict refuses NumPy's implicit __array__; go via NumPy.
        return xp.asarray(to_host(array), device=device)
    try:
        return xp.from_dlpack(array, device=device)
    except (TypeError, RuntimeError, BufferError, AttributeError, ValueError):
        return xp.asarray(to_host(array), device=device)
