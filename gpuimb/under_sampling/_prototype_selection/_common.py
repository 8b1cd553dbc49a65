"""Helpers shared by the prototype-selection samplers.

The minority class and per-sample class codes as imbalanced-learn computes
them, the k-NN votes of the edition rules (ENN, RENN, AllKNN, NCR) and of the
condensation rules (CNN, OSS), the k-NN classifier and neighbour search behind
those votes, and ``n_jobs`` forwarding to user estimators.
"""

import math
import numbers

import numpy as np
from array_api_compat import is_numpy_namespace
from sklearn.utils._param_validation import Interval

from gpuimb._backends._base import power_of_two_scale
from gpuimb._backends._tiles import HOST_TILE_BYTES, tile_rows, working_memory_bytes
from gpuimb.under_sampling.base import BaseCleaningSampler
from gpuimb.utils._array_api import (
    device_of,
    flatnonzero,
    get_namespace,
    place_rows,
    python_scalar,
    row_sq_norms,
)
from gpuimb.utils._validation import class_counts, clone_estimator, neighbors_constraint


def minority_class(y, stats=None):
    """The minority class as ``collections.Counter(y)`` ranks it.

    Among classes of equal smallest count, the one appearing first in ``y``
    wins (imbalanced-learn takes ``min`` over a ``Counter``). ``stats`` is
    ``class_counts(y)`` when the caller has it already.
    """
    if stats is None:
        stats = class_counts(y)
    smallest = min(stats.values())
    tied = [klass for klass, count in stats.items() if count == smallest]
    if len(tied) == 1:
        return tied[0]
    xp = get_namespace(y)
    first = [int(xp.min(flatnonzero(xp, y == python_scalar(klass))))
             for klass in tied]
    return tied[int(np.argmin(first))]


def class_codes(xp, y, classes):
    """Position of each sample's label in ``classes`` (int64 array of y's shape)."""
    codes = xp.zeros_like(y, dtype=xp.int64)
    for code, klass in enumerate(classes):
        codes = xp.where(y == python_scalar(klass), code, codes)
    return codes


def _set_n_jobs(estimator, n_jobs):
    get_params = getattr(estimator, "get_params", None)
    if get_params is not None and "n_jobs" in get_params():
        estimator.set_params(n_jobs=n_jobs)


def _agree(xp, codes, nbrs, own_codes, kind_sel, n_classes):
    """Whether all (or most) of each row's neighbours share the row's class."""
    n_rows, k = nbrs.shape
    nb_codes = xp.reshape(xp.take(codes, xp.reshape(nbrs, (-1,))), (n_rows, k))
    if kind_sel == "all":
        return xp.all(nb_codes == own_codes[:, None], axis=1)
    # scipy.stats.mode: the most frequent label, the smallest on ties.
    votes = xp.stack([xp.sum(xp.astype(nb_codes == code, xp.int32), axis=1)
                      for code in range(n_classes)], axis=1)
    return xp.argmax(votes, axis=1) == own_codes


class _NeighborSearch:
    """Nearest store members of candidate rows, with the user's estimator or the engine.

    ``estimator`` is None for the engine's Euclidean search (then distances to a
    new store member are computed directly in ``xp``), or a user object with
    ``kneighbors`` (then they come from a clone fitted on that one row).
    """

    def __init__(self, ctx, estimator):
        self.ctx = ctx
        self.estimator = estimator
        # Whether distance_matrix's entries do not depend on the block's shape.
        self.entrywise = estimator is None and not ctx.sparse

    def _fitted(self, X, y):
        nn = self.ctx.adapt(clone_estimator(self.estimator))
        if hasattr(nn, "predict"):
            return nn.fit(X, y)
        return nn.fit(X)

    def kneighbors(self, X_index, y_index, X_query, k):
        """Distances and positions (into the index) of the k nearest index rows."""
        if self.estimator is None:
            return self.ctx.engine.kneighbors(X_index, X_query, k=k,
                                              exclude_self=False)
        nn = self._fitted(X_index, y_index)
        return nn.kneighbors(X_query, n_neighbors=k, return_distance=True)

    def distance_matrix(self, X_index, y_index, X_query, limit=None):
        """All distances, shape (n_query, n_index), columns in index order.

        ``limit`` (n_query,): entries certainly above their row's limit may
        come back as ``inf`` instead (see :func:`direct_distances`).
        """
        xp = self.ctx.xp
        n_index = X_index.shape[0]
        if self.estimator is not None:
            dist, pos = self.kneighbors(X_index, y_index, X_query, n_index)
            order = xp.argsort(xp.asarray(pos), axis=1)
            return xp.take_along_axis(xp.asarray(dist), order, axis=1)
        if self.ctx.sparse:
            return euclidean_block(xp, X_index, X_query, sparse=True)
        return direct_distances(xp, X_index, X_query, limit=limit)


def direct_distances(xp, X_index, X_query, working_memory=None, limit=None):
    """Euclidean distances, shape (n_query, n_index), entry by entry.

    Each entry is ``sqrt(sum((x - q) ** 2))`` over the features, the formula
    the kNN engines rank with and return (``direct_sq_distances``): its value
    for a (query row, index row) pair does not depend on which other rows
    are computed with it, unlike a matrix product's, whose rounding depends
    on its shape. So distances from one computation compare exactly with
    distances from another (CondensedNearestNeighbour's store grows in
    batches, which on Dask are partitions). Integers and bools become
    float64; data whose squares would overflow or underflow is scaled by a
    power of two (exact) and the distances scaled back. Row tiles keep the
    ``(rows, n_index, n_features)`` differences under ``working_memory``
    MiB (None reads the configuration), and on the host under a cache-sized
    block.

    With ``limit`` (shape (n_query,)), only the rows that may hold an entry
    up to their limit are computed so: a matrix product screens them first,
    with a bound on its rounding error, and the other rows come back as
    ``inf``. Callers that only look for distances up to a limit (a
    candidate's k-th nearest store member) get the same answers, at about
    the cost of the matrix product.
    """
    dtype = X_index.dtype
    if not _is_floating(xp, dtype):
        dtype = xp.float64
    X_index, X_query = xp.astype(X_index, dtype), xp.astype(X_query, dtype)
    n_query, n_index = X_query.shape[0], X_index.shape[0]
    if n_index == 0 or n_query == 0:
        return xp.zeros((n_query, n_index), dtype=dtype, device=device_of(X_index))
    scale = power_of_two_scale(xp, X_index, X_query)
    if scale != 1.0:
        X_index, X_query = X_index * scale, X_query * scale
    if limit is None:
        dist = _direct(xp, X_index, X_query, working_memory)
    else:
        near = _may_be_within(xp, X_index, X_query, xp.astype(limit, dtype) * scale)
        dist = xp.full((n_query, n_index), xp.inf, dtype=dtype, device=device_of(X_index))
        if bool(xp.any(near)):
            rows = flatnonzero(xp, near)
            exact = _direct(xp, X_index, xp.take(X_query, rows, axis=0), working_memory)
            dist = place_rows(dist, near, exact)
    return dist if scale == 1.0 else dist / scale


def _direct(xp, X_index, X_query, working_memory):
    n_query, n_index = X_query.shape[0], X_index.shape[0]
    n_features = X_index.shape[1]
    itemsize = xp.finfo(X_index.dtype).bits // 8
    budget = working_memory_bytes(working_memory)
    if is_numpy_namespace(xp):
        budget = min(budget, HOST_TILE_BYTES)
    step = tile_rows(2 * n_index * max(n_features, 1) * itemsize, budget)
    parts = []
    for start in range(0, n_query, step):
        diff = X_index[None, :, :] - X_query[start:min(start + step, n_query), None, :]
        parts.append(xp.sqrt(xp.sum(diff * diff, axis=2)))
    return parts[0] if len(parts) == 1 else xp.concat(parts, axis=0)


def _may_be_within(xp, X_index, X_query, limit):
    """Query rows with an index row whose direct distance may be <= the row's limit.

    The expanded form on data centred at the first index row screens; its
    squared distances differ from the direct formula's by at most
    ``(4 n_features + 16) eps (|q|^2 + max |x|^2 + limit^2)`` (both formulas'
    rounding, generously), so a row whose every screened value exceeds its
    limit by more than that has no entry within it.
    """
    centre = X_index[:1, :]
    X_index, X_query = X_index - centre, X_query - centre
    index_norms = xp.sum(X_index * X_index, axis=1)
    query_norms = xp.sum(X_query * X_query, axis=1)
    limit2 = limit * limit
    eps = float(xp.finfo(X_index.dtype).eps)
    # One bound per row (the largest index norm): q.q + x.x - 2 q.x <= l^2 + b
    # becomes x.x - 2 q.x <= l^2 + b - q.q, three passes over the product.
    bound = (4 * X_index.shape[1] + 16) * eps * (query_norms + xp.max(index_norms) + limit2)
    reach = limit2 + bound - query_norms
    screen = index_norms[None, :] - 2 * (X_query @ xp.matrix_transpose(X_index))
    return xp.any(screen <= reach[:, None], axis=1)


def euclidean_block(xp, X_index, X_query, *, sparse=False):
    """Euclidean distances, shape (n_query, n_index), by one matrix product.

    The expanded form |q|^2 + |x|^2 - 2 q.x is evaluated in floating point
    (float32 data stays float32; integers and bools become float64, whose
    products cannot wrap around), on dense data shifted by the first index
    row: an offset (timestamps, 1e8 + noise) would otherwise cancel
    catastrophically, and integer-valued data stays integer-valued, so its
    distances are exact while the squared norms stay below 2**53 (2**24 in
    float32). Data whose squares would overflow is scaled by a power of two
    (exact) and the distances scaled back.
    """
    dtype = X_index.dtype
    if not _is_floating(xp, dtype):
        dtype = xp.float64
    if sparse:
        # Shifting would densify; sparse data rarely carries an offset.
        X_index, X_query = X_index.astype(dtype), X_query.astype(dtype)
        index_norms, query_norms = row_sq_norms(xp, X_index), row_sq_norms(xp, X_query)
        dots = xp.asarray((X_query @ X_index.T).toarray())
        return _sqrt_clipped(xp, query_norms[:, None] + index_norms[None, :] - 2 * dots)
    X_index, X_query = xp.astype(X_index, dtype), xp.astype(X_query, dtype)
    if X_index.shape[0] == 0 or X_query.shape[0] == 0:
        return xp.zeros((X_query.shape[0], X_index.shape[0]), dtype=dtype,
                        device=device_of(X_index))
    centre = X_index[:1, :]
    X_index, X_query = X_index - centre, X_query - centre
    scale = _overflow_scale(xp, X_index, X_query)
    if scale != 1.0:
        X_index, X_query = X_index * scale, X_query * scale
    index_norms = xp.sum(X_index * X_index, axis=1)
    query_norms = xp.sum(X_query * X_query, axis=1)
    dots = X_query @ xp.matrix_transpose(X_index)
    dist = _sqrt_clipped(xp, query_norms[:, None] + index_norms[None, :] - 2 * dots)
    return dist if scale == 1.0 else dist / scale


def _is_floating(xp, dtype):
    return xp.isdtype(dtype, "real floating")


def _sqrt_clipped(xp, d2):
    return xp.sqrt(xp.clip(d2, 0, None))


def _overflow_scale(xp, *arrays):
    """1.0, or a power of two keeping n_features * max|value|**2 finite."""
    biggest = max(float(xp.max(xp.abs(a))) for a in arrays)
    if not math.isfinite(biggest) or biggest == 0:
        return 1.0
    exponent = math.frexp(biggest)[1]
    e_max = math.frexp(float(xp.finfo(arrays[0].dtype).max))[1]
    n_bits = (4 * arrays[0].shape[1]).bit_length()
    if 2 * exponent + n_bits + 2 < e_max:
        return 1.0
    return 2.0 ** -exponent


def vote_is_target(xp, is_target, dist, weights, target_first):
    """Whether a k-NN vote between the target and one other class picks the target.

    Parameters
    ----------
    is_target : array of bool, shape (n, k)
        Whether each neighbour belongs to the target class.
    dist : array of shape (n, k)
        Neighbour distances (for ``weights="distance"`` or a callable).
    weights : {"uniform", "distance"} or callable
        scikit-learn's ``KNeighborsClassifier`` weighting.
    target_first : bool
        Whether the target label sorts before the other label (ties of the
        vote go to the smaller label, as in scikit-learn).
    """
    if weights in (None, "uniform"):
        w = xp.ones_like(dist)
    elif weights == "distance":
        zero = dist == 0
        has_zero = xp.any(zero, axis=1, keepdims=True)
        safe = xp.where(zero, xp.ones_like(dist), dist)
        w = xp.where(has_zero, xp.astype(zero, dist.dtype), 1.0 / safe)
    else:
        w = xp.asarray(weights(dist), dtype=dist.dtype)
    score_target = xp.sum(xp.where(is_target, w, xp.zeros_like(w)), axis=1)
    score_other = xp.sum(xp.where(is_target, xp.zeros_like(w), w), axis=1)
    if target_first:
        return score_target >= score_other
    return score_target > score_other


def neighbors_setting(n_neighbors, default_k):
    """(k, weights, user estimator or None) for an int / None / estimator param."""
    if n_neighbors is None:
        return default_k, "uniform", None
    if isinstance(n_neighbors, numbers.Integral):
        return int(n_neighbors), "uniform", None
    k = getattr(n_neighbors, "n_neighbors", None)
    k = 1 if k is None else int(k)
    return k, getattr(n_neighbors, "weights", "uniform"), n_neighbors


def knn_classifier(ctx, k, n_jobs):
    """The engine's k-NN classifier, given ``n_jobs`` where the engine takes it."""
    try:
        return ctx.engine.classifier("kneighbors", n_neighbors=k, n_jobs=n_jobs)
    except TypeError:
        return ctx.engine.classifier("kneighbors", n_neighbors=k)


def fitted_classifier(ctx, n_neighbors, k, n_jobs, X, y):
    """The fitted k-NN estimator exposed in ``estimators_``."""
    if n_neighbors is None or isinstance(n_neighbors, numbers.Integral):
        # The engine answered the searches: the estimator is only shown.
        return ctx.fit_exposed(knn_classifier(ctx, k, n_jobs), X, y)
    est = ctx.adapt(clone_estimator(n_neighbors))
    if hasattr(est, "predict"):
        return est.fit(X, y)
    return est.fit(X)


class _SeededStoreSampler(BaseCleaningSampler):
    """What CondensedNearestNeighbour and OneSidedSelection share: their
    parameters, and the classes whose store starts from ``n_seeds_S`` random
    samples (drawn as imbalanced-learn draws them) next to the minority class.
    """

    _exposes_sample_indices = True
    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "n_neighbors": neighbors_constraint(None),
        "n_seeds_S": [Interval(numbers.Integral, 1, None, closed="left")],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None,
                 n_neighbors=None, n_seeds_S=1, n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.n_neighbors = n_neighbors
        self.n_seeds_S = n_seeds_S
        self.n_jobs = n_jobs

    def _seeded_classes(self, y, ctx, kept):
        """Yield ``(label, int64 indices, host seed positions)`` per targeted
        class, in class order; untargeted classes' indices go to ``kept``."""
        xp = ctx.xp
        random_state = ctx.random_state(self.random_state)
        for klass, count in class_counts(y).items():
            class_indices = xp.astype(flatnonzero(xp, y == python_scalar(klass)),
                                      xp.int64)
            if klass not in self.sampling_strategy_:
                kept.append(class_indices)
                continue
            yield klass, class_indices, random_state.randint(low=0, high=count,
                                                             size=self.n_seeds_S)
