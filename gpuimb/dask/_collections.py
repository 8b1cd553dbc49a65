"""Dask collections in, Dask collections out.

:func:`unwrap` turns a ``dask.array.Array`` or a ``dask.dataframe``
DataFrame/Series (pandas- or cuDF-backed) into a Dask array with known chunk
sizes and one column block, and records how to rebuild the caller's type;
:func:`wrap` rebuilds it. Nothing is computed here except the partition
lengths of a dataframe (``to_dask_array(lengths=True)``), one small pass.
"""

import math
from dataclasses import dataclass, field

import dask.array as da
import numpy as np


@dataclass
class DaskInfo:
    """How to rebuild the caller's collection around a Dask array."""

    kind: str  # "array", "dataframe" or "series"
    columns: object = None
    dtypes: object = None
    name: object = None
    extra: dict = field(default_factory=dict)


def _frame_types():
    try:
        import dask.dataframe as dd
    except ImportError:  # dask without its dataframe extra (pandas)
        return (), ()
    return (dd.DataFrame,), (dd.Series,)


def _is_dataframe(obj):
    return isinstance(obj, _frame_types()[0])


def _is_series(obj):
    return isinstance(obj, _frame_types()[1])


def _optimized(frame):
    # The partition lengths are computed on the optimised expression, which may
    # have fewer partitions (read_parquet combines small column projections):
    # convert that same expression so lengths and partitions agree.
    optimize = getattr(frame, "optimize", None)
    return optimize() if optimize is not None else frame


def unwrap(obj, what):
    """Return ``(dask_array, info)`` for a Dask collection (or a plain array)."""
    if isinstance(obj, da.Array):
        arr, info = obj, DaskInfo("array")
    elif _is_dataframe(obj):
        info = DaskInfo("dataframe", columns=obj.columns, dtypes=obj.dtypes)
        arr = _optimized(obj).to_dask_array(lengths=True)
    elif _is_series(obj):
        info = DaskInfo("series", dtypes=obj.dtype, name=obj.name)
        arr = _optimized(obj).to_dask_array(lengths=True)
    elif hasattr(obj, "shape") and hasattr(obj, "dtype"):
        # A NumPy/CuPy y next to a Dask X: wrap it in one chunk.
        arr, info = da.from_array(obj, chunks=-1), DaskInfo("local")
    else:
        raise TypeError(
            f"{what} must be a dask.array.Array or a dask.dataframe DataFrame/Series "
            f"when the other input is a Dask collection; got {type(obj).__name__}. "
            "Convert both with dask.array.from_array or dask.dataframe.from_pandas."
        )
    if any(math.isnan(c) for c in arr.chunks[0]):
        arr = arr.compute_chunk_sizes()
    return arr, info


def prepare(X, y):
    """Unwrap X and y; align y's chunks on X's rows; one column block for X."""
    X_arr, x_info = unwrap(X, "X")
    y_arr, y_info = unwrap(y, "y")
    if y_arr.ndim == 2 and y_arr.shape[1] == 1:
        y_arr = y_arr[:, 0]
    if X_arr.ndim != 2:
        raise ValueError(
            f"Expected 2D array, got {X_arr.ndim}D array instead. Reshape your data "
            "either using array.reshape(-1, 1) if your data has a single feature or "
            "array.reshape(1, -1) if it contains a single sample."
        )
    if y_arr.ndim != 1:
        raise ValueError(
            "y must be 1-D labels on Dask collections (one-hot encoded targets are "
            f"not supported there); got an array of shape {y_arr.shape}."
        )
    if X_arr.shape[0] != y_arr.shape[0]:
        raise ValueError(
            "Found input variables with inconsistent numbers of samples: "
            f"[{X_arr.shape[0]}, {y_arr.shape[0]}]"
        )
    if X_arr.shape[0] < 1:
        raise ValueError(
            f"Found array with 0 sample(s) (shape={X_arr.shape}) while a minimum of 1 "
            "is required."
        )
    if X_arr.shape[1] < 1:
        raise ValueError(
            f"Found array with 0 feature(s) (shape={X_arr.shape}) while a minimum of "
            "1 is required."
        )
    if len(X_arr.chunks[1]) > 1:
        X_arr = X_arr.rechunk({1: -1})
    if y_arr.chunks[0] != X_arr.chunks[0]:
        y_arr = y_arr.rechunk((X_arr.chunks[0],))
    return X_arr, y_arr, x_info, y_info


def wrap(arr, info):
    """Rebuild the caller's collection type (lazy) around a Dask array."""
    if info.kind in ("array", "local"):
        return arr
    import dask.dataframe as dd

    if info.kind == "dataframe":
        out = dd.from_dask_array(arr, columns=list(info.columns))
        return out.astype(dict(info.dtypes.items()))
    out = dd.from_dask_array(arr, columns=info.name)
    return out.astype(info.dtypes)


def meta_like(arr, shape=(0,), dtype=None):
    """An empty array of ``arr``'s chunk type (NumPy or CuPy) for ``meta=``."""
    meta = getattr(arr, "_meta", np.empty(0))
    module = type(meta).__module__.split(".")[0]
    dtype = arr.dtype if dtype is None else dtype
    if module == "cupy":
        import cupy

        return cupy.empty(shape, dtype=dtype)
    return np.empty(shape, dtype=dtype)
