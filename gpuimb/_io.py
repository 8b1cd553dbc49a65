"""Container adapters: unwrap what the user passed, wrap the result back.

Samplers never see containers. ``unwrap`` turns X or y into an array (numpy,
cupy, any array-API namespace) or a sparse matrix, and records how to rebuild
the caller's type; ``wrap`` rebuilds it. Nothing here copies device data to the
host: cuDF and CUDA tensors become CuPy arrays through ``to_cupy``/DLPack.
"""

import logging
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp


@dataclass
class ContainerInfo:
    """How to turn an array back into what the caller passed."""

    kind: str
    columns: object = None
    dtypes: object = None
    name: object = None
    sparse_format: str | None = None
    extra: dict = field(default_factory=dict)


def _module(obj):
    return type(obj).__module__.split(".")[0]


def container_kind(obj):
    """Name the container type of ``obj`` without importing any GPU library."""
    module = _module(obj)
    if isinstance(obj, np.ndarray):
        return "numpy"
    if sp.issparse(obj):
        return "scipy_sparse"
    if isinstance(obj, (list, tuple)):
        return "list"
    if module == "pandas":
        return "pandas_dataframe" if obj.ndim == 2 else "pandas_series"
    if module == "cudf":
        return "cudf_dataframe" if obj.ndim == 2 else "cudf_series"
    if module == "cupyx":
        return "cupyx_sparse"
    if module == "cupy":
        return "cupy"
    if module == "torch":
        return "torch"
    if module in ("dask", "dask_cudf", "dask_expr"):
        # dask.array / dask.dataframe / dask-cudf collections: gpuimb.dask runs them.
        return "dask"
    if hasattr(obj, "__array_namespace__"):
        return "array_api"
    return "other"


def to_numpy(obj):
    """``obj`` as a dense NumPy array on the host, whatever container it came in.

    For small things read on the host (labels, the points of a plot): lists,
    NumPy, pandas and cuDF objects, SciPy and CuPy sparse matrices, CuPy, torch
    and other array-API arrays.
    """
    kind = container_kind(obj)
    if kind in ("cudf_dataframe", "cudf_series"):
        obj, kind = obj.to_pandas(), "pandas"
    if kind in ("scipy_sparse", "cupyx_sparse"):
        obj = obj.toarray()
    if kind in ("numpy", "list", "pandas", "pandas_dataframe", "pandas_series"):
        return np.asarray(obj)
    from gpuimb.utils._array_api import to_host

    return np.asarray(to_host(obj))


def unwrap(obj):
    """Return ``(array, info)`` for a container.

    Host containers become numpy arrays or scipy.sparse matrices; pandas keeps
    column names and dtypes in ``info``. Device containers become CuPy arrays on
    the same device. Array-API arrays (array_api_strict, ...) pass through.
    """
    kind = container_kind(obj)
    if kind == "numpy":
        return obj, ContainerInfo(kind)
    if kind == "scipy_sparse":
        return obj, ContainerInfo(kind, sparse_format=obj.format,
                                  extra={"sparray": isinstance(obj, sp.sparray)})
    if kind == "list":
        return obj, ContainerInfo(kind)
    if kind == "pandas_dataframe":
        return obj, ContainerInfo(kind, columns=obj.columns, dtypes=obj.dtypes)
    if kind == "pandas_series":
        return obj, ContainerInfo(kind, dtypes=obj.dtype, name=obj.name)
    if kind == "cupy" or kind == "cupyx_sparse":
        fmt = getattr(obj, "format", None)
        device = obj.data.device if kind == "cupyx_sparse" else obj.device
        return obj, ContainerInfo(kind, sparse_format=fmt, extra={"device": device})
    if kind == "cudf_dataframe":
        return _unwrap_cudf_frame(obj)
    if kind == "cudf_series":
        return _unwrap_cudf_series(obj)
    if kind == "torch":
        return _unwrap_torch(obj)
    if kind == "array_api":
        # Where to send results computed elsewhere (labels that followed X).
        from gpuimb.utils._array_api import device_of, get_namespace

        return obj, ContainerInfo(kind, extra={"type": type(obj), "xp": get_namespace(obj),
                                               "device": device_of(obj)})
    return obj, ContainerInfo(kind)


def _unwrap_cudf_frame(df):
    info = ContainerInfo("cudf_dataframe", columns=df.columns, dtypes=df.dtypes)
    non_numeric = [c for c, t in df.dtypes.items() if t.kind not in "biuf"]
    if non_numeric:
        raise TypeError(
            "cuDF DataFrames with non-numeric columns "
            f"{list(non_numeric)} cannot be resampled on the GPU yet; encode them "
            "as numbers first (for example with cudf.get_dummies)."
        )
    return df.to_cupy(), info


def _unwrap_cudf_series(series):
    info = ContainerInfo("cudf_series", dtypes=series.dtype, name=series.name)
    if getattr(series, "null_count", 0):
        raise ValueError(
            f"Input y contains {series.null_count} null value(s); drop or fill them "
            "before resampling."
        )
    if series.dtype.kind in "biuf":
        return series.to_cupy(), info
    # Sorted codes: classes, random draws and output come in the same order as
    # for the same labels in pandas or NumPy.
    codes, uniques = series.factorize(sort=True)
    info.extra["categories"] = uniques
    info.extra["labels"] = uniques.to_pandas().tolist()
    return codes.to_cupy() if hasattr(codes, "to_cupy") else codes, info


def _unwrap_torch(tensor):
    info = ContainerInfo("torch", dtypes=tensor.dtype,
                         extra={"device": tensor.device})
    tensor = tensor.detach()
    if tensor.device.type == "cuda":
        import cupy

        return cupy.from_dlpack(tensor), info
    return tensor.numpy(), info


_HOST_KINDS = ("numpy", "list", "pandas_dataframe", "pandas_series", "scipy_sparse")


def align(X, x_info, y, y_info):
    """Put y where X is, once, before validation; return ``(X, y)``.

    The rule: y follows X. Labels kept in NumPy with X on a GPU (common) move
    to X's namespace and device; device labels with host X move to the host.
    cupyx sparse X moves to the host (one INFO log line): the samplers' sparse
    code is SciPy's, and the result goes back to the device in :func:`wrap`.
    """
    from gpuimb.utils._array_api import device_of, get_namespace, to_host, to_namespace

    if x_info.kind == "cupyx_sparse":
        logging.getLogger("gpuimb").info(
            "gpuimb: cupyx sparse X (%d x %d) moved to the host for resampling; "
            "the result goes back to the GPU.", *X.shape)
        X = X.get()
    x_on_host = x_info.kind in _HOST_KINDS or x_info.kind == "cupyx_sparse"
    y_on_host = y_info.kind in _HOST_KINDS
    if x_on_host and not y_on_host and y_info.kind != "other":
        y = to_host(y)
    elif not x_on_host and y_on_host and x_info.kind != "other":
        if y_info.kind in ("list", "pandas_series"):
            y = np.asarray(y)
        if y.dtype.kind in "biuf":
            y = to_namespace(y, get_namespace(X), device=device_of(X))
    return X, y


def encode_labels(value, info):
    """Translate user labels in ``value`` (a label, dict keys or list) into the
    integer codes a cuDF string target was unwrapped to; other values pass."""
    labels = info.extra.get("labels")
    if labels is None:
        return value
    code = {label: i for i, label in enumerate(labels)}
    if isinstance(value, dict):
        return {code.get(k, k): v for k, v in value.items()}
    if isinstance(value, list):
        return [code.get(k, k) for k in value]
    return value


def decode_labels(mapping, info):
    """Keys of a per-class dict (e.g. ``sampling_strategy_``) back to user labels."""
    labels = info.extra.get("labels")
    if labels is None:
        return mapping
    return {labels[int(k)]: v for k, v in mapping.items()}


def wrap(array, info, *, index_like=None):
    """Rebuild the caller's container type around ``array``.

    Parameters
    ----------
    array : array or sparse matrix
        The sampler's output.
    info : ContainerInfo
        What :func:`unwrap` recorded.
    index_like : container, default=None
        For a pandas/cuDF target: the wrapped X whose index the target takes.
    """
    kind = info.kind
    if kind in _HOST_KINDS and not sp.issparse(array) and not isinstance(array, np.ndarray):
        from gpuimb.utils._array_api import to_host

        array = to_host(array)  # labels that followed X to a device come back
    if kind == "list":
        return np.asarray(array).tolist()
    if kind == "scipy_sparse":
        if not sp.issparse(array):
            return array
        out = array.asformat(info.sparse_format)
        if info.extra.get("sparray") and not isinstance(out, sp.sparray):
            out = sp.csr_array(out) if out.format == "csr" else sp.csc_array(out)
        return out
    if kind == "pandas_dataframe":
        return _wrap_pandas_frame(array, info)
    if kind == "pandas_series":
        import pandas as pd

        out = pd.Series(array, dtype=info.dtypes, name=info.name)
        if index_like is not None and hasattr(index_like, "index"):
            out.index = index_like.index
        return out
    if kind == "cupyx_sparse":
        if sp.issparse(array):
            import cupyx.scipy.sparse as csp

            with info.extra["device"]:
                array = csp.csr_matrix(array)
        return array.asformat(info.sparse_format) if info.sparse_format else array
    if kind == "cudf_dataframe":
        import cudf

        out = cudf.DataFrame(array, columns=info.columns)
        return out.astype(dict(info.dtypes.items()))
    if kind == "cudf_series":
        import cudf

        if "categories" in info.extra:
            out = info.extra["categories"].take(array)
            out = cudf.Series(out, name=info.name)
        else:
            out = cudf.Series(array, dtype=info.dtypes, name=info.name)
        if index_like is not None and hasattr(index_like, "index"):
            out.index = index_like.index
        return out
    if kind == "torch":
        import torch

        return torch.from_dlpack(array).to(info.extra["device"])
    if kind == "cupy" and isinstance(array, np.ndarray):
        import cupy

        with info.extra["device"]:
            return cupy.asarray(array)
    if kind == "array_api" and not isinstance(array, info.extra["type"]):
        from gpuimb.utils._array_api import to_namespace

        return to_namespace(array, info.extra["xp"], device=info.extra["device"])
    return array


def _wrap_pandas_frame(array, info):
    import pandas as pd

    if sp.issparse(array):
        out = pd.DataFrame.sparse.from_spmatrix(array, columns=info.columns)
    else:
        out = pd.DataFrame(array, columns=info.columns)
        _nullable_as_numpy(out, info.dtypes)
    try:
        return out.astype(info.dtypes)
    except (TypeError, ValueError):
        # A column can come back unconvertible (e.g. all-NaT timedeltas stacked as
        # datetimes); restore the others rather than failing the whole resampling.
        for column, dtype in info.dtypes.items():
            try:
                out[column] = out[column].astype(dtype)
            except (TypeError, ValueError):
                if out[column].isnull().all() and dtype.kind == "m":
                    out[column] = pd.to_timedelta([pd.NaT] * len(out))
        return out


def _nullable_as_numpy(out, dtypes):
    """Make float columns bound for pandas' nullable Int*/UInt*/boolean dtypes
    castable, as NumPy's int and bool columns are cast: integers truncated
    toward zero, booleans True where nonzero; missing values stay missing.
    (pandas refuses fractional values, imbalanced-learn raises there.)"""
    for position, dtype in enumerate(dtypes):
        if isinstance(dtype, np.dtype) or getattr(dtype, "kind", "O") not in "iub":
            continue
        values = out.iloc[:, position].to_numpy()
        if values.dtype.kind != "f":
            continue
        converted = (values != 0) if dtype.kind == "b" else np.trunc(values)
        out.isetitem(position, np.where(np.isnan(values), np.nan, converted))

