"""Balanced batches for deep-learning loops: draw the rows once, index batches.

Shared by :mod:`gpuimb.keras`, :mod:`gpuimb.tensorflow` and :mod:`gpuimb.torch`.
The under-sampler runs where the data lives; batches are cut from the data with
the kept row indices (device arrays are indexed on their device).
"""

import numpy as np
import scipy.sparse as sp

from gpuimb.utils._array_api import (
    device_of,
    get_namespace,
    is_host_namespace,
    is_sparse,
    to_host,
    to_namespace,
)


def balanced_indices(X, y, sampler, random_state):
    """Fit a clone of ``sampler`` (default: a RandomUnderSampler) and shuffle its rows.

    ``random_state`` is a ``numpy.random.RandomState`` shared by the default
    sampler and the shuffle, in imbalanced-learn's order, so the batches equal
    imbalanced-learn's for the same seed.

    Returns
    -------
    sampler_ : the fitted sampler
    indices : array of the kept row indices in batch order (X's namespace)
    """
    from sklearn.base import clone

    if sampler is None:
        from gpuimb.under_sampling import RandomUnderSampler

        sampler_ = RandomUnderSampler(random_state=random_state)
    else:
        sampler_ = clone(sampler)
    sampler_.fit_resample(X, y)
    if not hasattr(sampler_, "sample_indices_"):
        raise ValueError("'sampler' needs to have an attribute 'sample_indices_'.")
    indices = sampler_.sample_indices_
    # the permutation of n rows consumes the generator exactly as shuffling them does
    order = random_state.permutation(int(indices.shape[0]))
    if isinstance(indices, np.ndarray):
        return sampler_, indices[order]
    xp = get_namespace(indices)
    return sampler_, xp.take(indices, to_namespace(order, xp, device_of(indices),
                                                   dtype=indices.dtype), axis=0)


def take(data, indices):
    """Rows ``indices`` of ``data``: host containers by scikit-learn's
    ``_safe_indexing``, device arrays on their device."""
    if data is None:
        return None
    if isinstance(data, (list, tuple, np.ndarray)) or sp.issparse(data) \
            or hasattr(data, "iloc"):
        from sklearn.utils import _safe_indexing

        return _safe_indexing(data, np.asarray(to_host(indices)))
    if is_sparse(data):  # cupyx.scipy.sparse
        return data[indices]
    xp = get_namespace(data)
    if is_host_namespace(get_namespace(indices)) and not is_host_namespace(xp):
        indices = to_namespace(np.asarray(indices), xp, device_of(data))
    return xp.take(data, indices, axis=0)


def batch(X, y, sample_weight, indices, start, batch_size, keep_sparse):
    """``(X, y)`` or ``(X, y, sample_weight)``: the batch of ``batch_size`` rows of
    ``indices`` from position ``start`` (fewer at the end)."""
    indices = indices[start:min(int(indices.shape[0]), start + batch_size)]
    X_batch = take(X, indices)
    if is_sparse(X_batch) and not keep_sparse:
        X_batch = X_batch.toarray()
    y_batch = take(y, indices)
    if sample_weight is None:
        return X_batch, y_batch
    return X_batch, y_batch, take(sample_weight, indices)
