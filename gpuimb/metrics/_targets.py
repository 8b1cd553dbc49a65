"""Targets of a classification metric, checked and counted where they live.

``y_true``/``y_pred`` on a device (CuPy, array_api_strict, torch ...) never come to
the host: their type is read from their *unique values* (a handful of labels), and
the metrics only need per-label sums, which are computed on the device and moved
back as one small table. Host input (lists, NumPy, pandas) goes through
scikit-learn's own checks, so the error messages are scikit-learn's.
"""

from dataclasses import dataclass

import numpy as np
from array_api_compat import array_namespace, is_numpy_namespace
from array_api_compat import device as array_device
from sklearn.utils.validation import _num_samples, check_consistent_length

from gpuimb._backends._tiles import COMPARE_TILE, tile_rows
from gpuimb.utils._array_api import native_module, to_host, to_namespace


@dataclass
class Targets:
    """Checked targets: ``xp`` is None for host data, else the device namespace."""

    y_type: str
    present: np.ndarray
    y_true: object
    y_pred: object
    sample_weight: object
    xp: object = None
    device: object = None

    @property
    def on_host(self):
        return self.xp is None

    def to_input_kind(self, values, dtype=None):
        """Per-label results (host) as arrays of the input's namespace and device."""
        if self.on_host or values is None:
            return values
        values = np.asarray(values)
        return to_namespace(values, self.xp, self.device,
                            dtype=getattr(self.xp, values.dtype.name) if dtype is None
                            else dtype)

    def scalar(self, value):
        """A host scalar result; a Python float for device input."""
        if self.on_host or value is None:
            return value
        return float(value)


def _device_namespace(*arrays):
    """(xp, device) of the first non-NumPy array, or (None, None)."""
    for a in arrays:
        if a is None or isinstance(a, (list, tuple, np.ndarray, np.generic, str, int,
                                       float)):
            continue
        try:
            xp = array_namespace(a)
        except TypeError:  # pandas, sparse, other host containers
            continue
        if is_numpy_namespace(xp):
            continue
        return xp, array_device(a)
    return None, None


def _on_device(a, xp, device):
    try:
        if not is_numpy_namespace(array_namespace(a)):
            return a
    except TypeError:
        pass
    return to_namespace(np.asarray(a), xp, device)


def _sklearn_check_targets(y_true, y_pred):
    """scikit-learn's ``_check_targets``: (y_type, unique labels, y_true, y_pred)."""
    from sklearn.metrics._classification import _check_targets
    from sklearn.utils.multiclass import unique_labels

    out = _check_targets(y_true, y_pred)
    if len(out) == 3:  # scikit-learn < 1.7
        y_type, y_true, y_pred = out
        return y_type, unique_labels(y_true, y_pred), y_true, y_pred
    return out[0], out[1], out[2], out[3]


def _proxy(unique, shape, n_rows):
    """A small host array with the same unique values and number of columns."""
    if len(shape) == 1 or n_rows == 0:
        return np.resize(unique, n_rows) if unique.size else unique[:0]
    n_cols = int(shape[1])
    return np.resize(unique, (n_rows, n_cols)) if unique.size else np.empty((0, n_cols))


def _labels_only(y_true, y_pred):
    """What imbalanced-learn's multiclass G-mean checks: only ``unique_labels``."""
    from sklearn.utils import column_or_1d
    from sklearn.utils.multiclass import unique_labels

    present = unique_labels(y_true, y_pred)
    return "multiclass", present, column_or_1d(y_true), column_or_1d(y_pred)


def check_targets(y_true, y_pred, sample_weight=None, *, labels_only=False):
    """Check ``y_true``/``y_pred`` as scikit-learn's metrics do, without a host copy.

    Returns a :class:`Targets` with the target type ("binary" or "multiclass" or
    "multilabel-indicator"), the sorted labels present, the targets as 1-D arrays
    and the sample weights (float64 or None). ``labels_only`` checks only that
    the labels are of one kind (scikit-learn's ``unique_labels``).
    """
    check = _labels_only if labels_only else _sklearn_check_targets
    xp, device = _device_namespace(y_true, y_pred, sample_weight)
    check_consistent_length(y_true, y_pred, sample_weight)
    if xp is None:
        rows_like_y = np.empty((_num_samples(y_true), 0))  # y_true may become CSR
        y_type, present, y_true, y_pred = check(y_true, y_pred)
        if sample_weight is not None:
            from sklearn.utils.validation import _check_sample_weight

            sample_weight = _check_sample_weight(sample_weight, rows_like_y,
                                                 dtype=np.float64)
        return Targets(y_type, np.asarray(present), y_true, y_pred, sample_weight)

    y_true = _on_device(y_true, xp, device)
    y_pred = _on_device(y_pred, xp, device)
    uniques = [to_host(xp.unique_values(y)) if y.size else np.empty(0)
               for y in (y_true, y_pred)]
    n_rows = max(u.size for u in uniques)
    proxies = [_proxy(u, y.shape, n_rows) for u, y in zip(uniques, (y_true, y_pred),
                                                         strict=True)]
    y_type, present, _, _ = check(*proxies)
    if y_type in ("binary", "multiclass"):
        y_true, y_pred = xp.reshape(y_true, (-1,)), xp.reshape(y_pred, (-1,))
    if sample_weight is not None:
        sample_weight = _on_device(sample_weight, xp, device)
        if sample_weight.ndim == 0:
            sample_weight = xp.full(y_true.shape[:1], sample_weight, dtype=xp.float64,
                                    device=device)
        elif sample_weight.ndim != 1:
            raise ValueError(
                f"Sample weights must be 1D array or scalar, got "
                f"{sample_weight.ndim}D array. Expected either a scalar value "
                f"or a 1D array of length {y_true.shape[0]}."
            )
        sample_weight = xp.astype(sample_weight, xp.float64)
        if bool(xp.all(sample_weight == 0)):
            raise ValueError("Sample weights must contain at least one non-zero number.")
    return Targets(y_type, np.asarray(present), y_true, y_pred, sample_weight, xp, device)


def _bincount(xp, idx, weights, n):
    """Weighted counts of the integers ``0 .. n-1`` in ``idx``."""
    native = native_module(xp)
    if native is not None:
        return native.bincount(idx, weights=weights, minlength=n)
    device = array_device(idx)
    labels = xp.arange(n, device=device)
    total = xp.zeros(n, dtype=xp.int64 if weights is None else xp.float64, device=device)
    step = tile_rows(n, COMPARE_TILE)
    n_rows = int(idx.shape[0])
    for start in range(0, n_rows, step):
        stop = min(n_rows, start + step)
        hit = idx[start:stop, None] == labels[None, :]
        if weights is None:
            total = total + xp.sum(xp.astype(hit, xp.int64), axis=0)
        else:
            w = weights[start:stop, None]
            total = total + xp.sum(xp.where(hit, w, xp.zeros_like(w)), axis=0)
    return total


def encode(t, labels):
    """Positions of ``t.y_true`` and ``t.y_pred`` among the sorted ``labels``."""
    if t.on_host:
        y_true, y_pred = np.asarray(t.y_true), np.asarray(t.y_pred)
        return np.searchsorted(labels, y_true), np.searchsorted(labels, y_pred)
    xp = t.xp
    dtype = xp.result_type(t.y_true.dtype, t.y_pred.dtype)
    on_device = to_namespace(np.asarray(labels), xp, t.device, dtype=dtype)
    return (xp.searchsorted(on_device, xp.astype(t.y_true, dtype)),
            xp.searchsorted(on_device, xp.astype(t.y_pred, dtype)))


def label_sums(t, labels):
    """Per label of ``labels`` (sorted): true positives, predictions and truths.

    Counts are integers without sample weights and weighted float sums with them,
    as :func:`numpy.bincount` gives them. Only these three short tables leave the
    device.
    """
    xp = np if t.on_host else t.xp
    idx_true, idx_pred = encode(t, labels)
    n = len(labels)
    hit = idx_true == idx_pred
    w = t.sample_weight
    if w is None:
        tp_w = xp.astype(hit, xp.float64)
    else:
        tp_w = xp.where(hit, w, xp.zeros_like(w))
    tp_sum = to_host(_bincount(xp, idx_true, tp_w, n))
    if w is None:
        tp_sum = tp_sum.astype(np.int64)
    pred_sum = to_host(_bincount(xp, idx_pred, w, n))
    true_sum = to_host(_bincount(xp, idx_true, w, n))
    return tp_sum, pred_sum, true_sum
