"""NearMiss (versions 1, 2 and 3): keep the samples nearest to the minority class."""

import numbers
import warnings

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval

from gpuimb._backends import fits_float32, run_host_tiles, smallest_k
from gpuimb._backends._base import kneighbors_error
from gpuimb._backends._tiles import tile_rows
from gpuimb.under_sampling._prototype_selection._edited_nearest_neighbours import (
    _set_n_jobs,
    minority_class,
)
from gpuimb.under_sampling.base import BaseUnderSampler
from gpuimb.utils._array_api import (
    flatnonzero,
    is_sparse,
    python_scalar,
    row_sq_norms,
    take_rows,
)
from gpuimb.utils._validation import class_counts


def _host_farthest_sums(X_min, X_cls, k):
    """Host, dense, ``k < len(X_min)`` case of :func:`_farthest_sums`.

    Candidates are screened with float32 GEMM scores (twice the speed of
    float64): the ``k + 1`` best per row have their squared distances
    recomputed in float64 from the rows, and a row is accepted when its k-th
    exact value beats the (k+1)-th screening score by more than the float32
    rounding-error bound, so no other row of ``X_min`` can be among its ``k``
    farthest. The other rows are ranked again with float64 scores.
    """
    # Uncentred rows for the direct distances: centring by a non-integer mean
    # rounds, and exactly tied sums (integer data) would then be ordered by
    # rounding, which moves with an offset of the data.
    B_raw = np.asarray(X_min, dtype=np.float64)
    A_raw = np.asarray(X_cls, dtype=np.float64)
    centre = np.mean(B_raw, axis=0)
    B = B_raw - centre
    A_all = A_raw - centre
    b2 = np.einsum("ij,ij->i", B, B)
    B_aug = np.concatenate([-2 * B, b2[:, None]], axis=1).T.copy()
    # Negated, so that the farthest rows have the smallest scores.
    B_neg32 = np.negative(B_aug).astype(np.float32)
    b_max = float(np.sqrt(b2.max()))
    # |float32 score - exact score| <= (K + 4) u (2 |a| |b| + |b|^2), K terms of
    # rounded inputs; doubled for safety.
    # The absolute term covers float32 underflow of tiny values.
    err_scale = 2 * (B_aug.shape[0] + 4) * float(np.finfo(np.float32).eps)
    tiny = float(np.finfo(np.float32).smallest_normal / np.finfo(np.float32).eps)
    m = k + 1
    out = np.empty(A_all.shape[0], dtype=np.float64)

    def tile(start, stop):
        A = A_all[start:stop]
        ones = np.ones((A.shape[0], 1))
        aug = np.concatenate([A, ones], axis=1)
        screened, cols = smallest_k(aug.astype(np.float32) @ B_neg32, m)
        d2 = _direct_sq(B_raw, A_raw[start:stop], cols)
        d2.sort(axis=1)
        top = d2[:, 1:]
        a2 = np.einsum("ij,ij->i", A, A)
        bound = a2 - screened.max(axis=1).astype(np.float64)
        bound += err_scale * (2 * np.sqrt(a2) * b_max + b_max * b_max + tiny)
        redo = np.flatnonzero(top[:, 0] <= bound)
        if redo.shape[0]:
            # The k farthest by float64 scores, their distances direct.
            scores = aug[redo] @ B_aug
            far = np.argpartition(scores, scores.shape[1] - k, axis=1)[:, -k:]
            exact = _direct_sq(B_raw, A_raw[start:stop][redo], far)
            exact.sort(axis=1)
            top[redo] = exact
        np.clip(top, 0, None, out=top)
        np.sqrt(top, out=top)
        out[start:stop] = top.sum(axis=1)

    run_host_tiles(A_all.shape[0], B.shape[0], tile)
    return out


def _direct_sq(B, A, cols):
    """Squared distances from each row of ``A`` to the rows ``cols`` of ``B``."""
    diff = B[cols] - A[:, None, :]
    return np.einsum("ijk,ijk->ij", diff, diff)


def _farthest_sums(ctx, X_min, X_cls, k):
    """Sum of the distances from each row of ``X_cls`` to its ``k`` farthest
    rows of ``X_min``, in increasing-distance order.

    For a fixed row ``a``, ``|a - b|^2`` ranks the rows ``b`` as
    ``|b|^2 - 2 a.b`` does, which one GEMM per tile of ``X_cls`` rows gives
    (dense data is centred and augmented with a column of ones); ``|a|^2`` is
    added, and the square root taken, for the ``k`` selected entries only.
    Everything is float64 and memory stays under the configured working memory.
    """
    xp = ctx.xp
    n_min, n_cls = X_min.shape[0], X_cls.shape[0]
    k = min(k, n_min)
    if n_cls == 0:
        return xp.zeros((0,), dtype=xp.float64)
    if (ctx.on_host and not ctx.sparse and k < n_min
            and fits_float32(np, np.mean(X_min, axis=0), X_min, X_cls)):
        return xp.asarray(_host_farthest_sums(X_min, X_cls, k))
    if ctx.sparse:
        B = X_min.astype(np.float64)
        A_all = X_cls.astype(np.float64)
        b2 = row_sq_norms(xp, B)
        B_t = B.T
    else:
        B = xp.astype(X_min, xp.float64, copy=False)
        centre = xp.mean(B, axis=0)
        B = B - centre
        A_all = xp.astype(X_cls, xp.float64, copy=False) - centre
        b2 = row_sq_norms(xp, B)
        B_aug = xp.concat([-2 * B, b2[:, None]], axis=1).T

    def scores_of(A):
        if ctx.sparse:
            cross = A @ B_t
            cross = xp.asarray(cross.toarray() if is_sparse(cross) else cross)
            return b2[None, :] - 2 * cross
        ones = xp.ones((A.shape[0], 1), dtype=A.dtype, device=ctx.device)
        return xp.concat([A, ones], axis=1) @ B_aug

    def sums_of(A):
        scores = scores_of(A)
        if ctx.on_host:
            scores = np.asarray(scores)
            top = np.sort(scores, axis=1) if k == n_min else _largest_ascending(scores, k)
        else:
            top = xp.sort(scores, axis=1)[:, n_min - k:]
        d2 = xp.clip(top + row_sq_norms(xp, A)[:, None], 0, None)
        return xp.sum(xp.sqrt(d2), axis=1)

    return _per_row_blocks(ctx, A_all, n_min, sums_of)


def _per_row_blocks(ctx, rows, n_cols, values_of):
    """Apply ``values_of`` (one float64 per row) to row blocks of ``rows``.

    Blocks are sized for an ``n_cols``-wide float64 temporary: on the host,
    cache-sized tiles, one per core; elsewhere, blocks within the configured
    working memory (three such temporaries live at once).
    """
    xp = ctx.xp
    n_rows = rows.shape[0]
    if n_rows == 0:
        return xp.zeros((0,), dtype=xp.float64)
    if not ctx.on_host:
        step = tile_rows(3 * 8 * max(n_cols, 1))
        return xp.concat([values_of(rows[start:min(start + step, n_rows), :])
                          for start in range(0, n_rows, step)])
    out = np.empty(n_rows, dtype=np.float64)

    def tile(start, stop):
        out[start:stop] = np.asarray(values_of(rows[start:stop, :]))

    run_host_tiles(n_rows, n_cols, tile)
    return xp.asarray(out)


# NearMiss-2's lower bounds use this many of the most outlying minority rows
# (an eighth of them, at least 8 per neighbour): for most rows, they hold the
# farthest ones.
_BOUND_ROWS_MIN, _BOUND_ROWS_MAX = 64, 128


def _farthest_order(ctx, X_min, X_cls, k, n_keep):
    """Positions of the ``n_keep`` rows of ``X_cls`` with the smallest
    :func:`_farthest_sums`, in (sum, position) order: the first ``n_keep``
    entries of a stable argsort of all the sums.

    When few rows are kept, most sums need not be computed. A cheap lower
    bound of every row's sum (:func:`_farthest_lower_bounds`) orders the rows;
    exact sums are computed in that order, a chunk at a time, until the
    ``n_keep``-th smallest exact sum is below the bound of every row left.
    Those rows cannot be kept, so the result equals the full computation's.
    """
    xp = ctx.xp
    n_cls, n_min = X_cls.shape[0], X_min.shape[0]
    k = min(k, n_min)
    n_bound = max(min(max(_BOUND_ROWS_MIN, n_min // 8), _BOUND_ROWS_MAX), 8 * k)
    if ctx.sparse or 4 * n_keep > n_cls or 4 * n_bound > n_min:
        sums = _farthest_sums(ctx, X_min, X_cls, k)
        return xp.argsort(sums, stable=True)[:n_keep]

    lower = _farthest_lower_bounds(ctx, X_min, X_cls, k, n_bound)
    by_bound = xp.argsort(lower, stable=False)
    lower = xp.take(lower, by_bound)
    chunk = max(n_keep // 4, 256)
    done = min(n_cls, n_keep + chunk)
    sums = [_farthest_sums(ctx, X_min, take_rows(X_cls, by_bound[:done]), k)]
    while done < n_cls:
        kept_sums = xp.sort(xp.concat(sums))[n_keep - 1]
        if float(lower[done]) > float(kept_sums):
            break
        stop = min(n_cls, done + chunk)
        sums.append(_farthest_sums(ctx, X_min, take_rows(X_cls, by_bound[done:stop]), k))
        done = stop

    # Back to position order, so that the stable sort breaks ties by position.
    rows = by_bound[:done]
    by_position = xp.argsort(rows, stable=False)
    rows = xp.take(rows, by_position)
    sums = xp.take(xp.concat(sums), by_position)
    return xp.take(rows, xp.argsort(sums, stable=True)[:n_keep])


def _farthest_lower_bounds(ctx, X_min, X_cls, k, n_bound):
    """A lower bound of the value :func:`_farthest_sums` computes for each row.

    The ``n_bound`` rows of ``X_min`` farthest from its mean are dealt into
    ``k`` groups; the farthest row of each group are ``k`` distinct rows, so
    the sum of their distances is at most the sum of the ``k`` farthest. (A
    column-wise maximum per group is far cheaper than a top-k per row.) The
    squared distances are ``(1 - 2 rel) (|a|^2 + |b|^2) - 2 a.b`` from one
    float64 product: the shrunk norms absorb the product's rounding error,
    ``rel (|a|^2 + |b|^2)`` at most. The result is then lowered by the error
    bound of the computed sums, ``sqrt(rel) (|a| + max |b|)`` per distance,
    which also covers their expanded-form paths (all distances centred on
    the minority mean).
    """
    xp = ctx.xp
    B = xp.astype(X_min, xp.float64, copy=False)
    centre = xp.mean(B, axis=0)
    B = B - centre
    b2 = row_sq_norms(xp, B)
    b_max = float(xp.sqrt(xp.max(b2)))
    eps = float(xp.finfo(xp.float64).eps)
    rel = 4 * (B.shape[1] + 4) * eps
    shrink = 1 - 2 * rel
    outlying = xp.argsort(-b2, stable=True)[:n_bound]
    # Negated scores, so that the farthest rows have the smallest ones.
    B_neg = xp.concat([2 * xp.take(B, outlying, axis=0),
                       -shrink * xp.take(b2, outlying)[:, None]], axis=1)

    def bounds(rows):
        A = xp.astype(rows, xp.float64, copy=False) - centre
        ones = xp.ones((A.shape[0], 1), dtype=xp.float64, device=ctx.device)
        neg_scores = B_neg @ xp.concat([A, ones], axis=1).T
        a2 = shrink * row_sq_norms(xp, A)
        total = xp.zeros_like(a2)
        for group in range(k):
            far2 = a2 - xp.min(neg_scores[group::k, :], axis=0)
            total = total + xp.sqrt(xp.clip(far2, 0, None))
        slack = 2 * k * rel**0.5 * (xp.sqrt(a2) + b_max)
        return total * (1 - 4 * k * eps) - slack

    return _per_row_blocks(ctx, X_cls, n_bound, bounds)


def _largest_ascending(values, k):
    """The k largest entries of each row of a host array, in increasing order.

    ``values`` (a temporary) is negated in place.
    """
    smallest, _ = smallest_k(np.negative(values, out=values), k)
    return np.sort(-smallest, axis=1)


class NearMiss(BaseUnderSampler):
    """Under-sample with the NearMiss rules, keeping rows by their distances to the minority class.

    - Version 1 keeps the rows whose ``n_neighbors`` nearest minority rows
      are nearest on average.
    - Version 2 keeps the rows whose ``n_neighbors`` farthest minority rows
      are nearest on average (computed by tiles, never row by row).
    - Version 3 first keeps, for each minority row, its ``n_neighbors_ver3``
      nearest rows of the class, then among those the rows whose
      ``n_neighbors`` nearest minority rows are farthest on average.

    Versions 1 and 2 keep the rows closest to the minority class (the border);
    version 3 keeps, around every minority row, the rows that give the
    classifier the most information.

    Read more in imbalanced-learn's user guide on NearMiss.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many samples each class keeps once under-sampled.

        - float: the wanted ratio ``n_minority / n_majority_after`` of a binary
          problem, in (0, 1]. A ratio below the current one is an error (an
          under-sampler cannot add samples).
        - str: which classes shrink to the size of the minority class:
          ``"majority"`` (the largest class), ``"not minority"`` (all but the
          smallest), ``"not majority"`` (all but the largest), ``"all"`` (every
          class) or ``"auto"``, the same as ``"not minority"``.
        - dict: ``{class label: number of samples to keep}``; classes left out
          are kept whole, and a number above a class's size is an error.
        - callable: ``f(y)`` returning such a dict.
    version : int, default=1
        The NearMiss version: 1, 2 or 3.
    n_neighbors : int or estimator object, default=3
        Number of minority neighbours whose distances are averaged. An object
        with ``kneighbors`` is used as it is (its ``n_neighbors`` counts).
    n_neighbors_ver3 : int or estimator object, default=3
        Number of neighbours of each minority row kept by the pre-selection of
        version 3; an int or an object as for ``n_neighbors``.
    n_jobs : int, default=None
        Number of CPU workers of scikit-learn's neighbours estimators on the
        host (``-1`` for all cores, ``None`` for one unless a joblib context
        says otherwise). Device engines ignore it.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to keep in each targeted class.
    nn_ : estimator object
        Neighbours estimator built from ``n_neighbors``, fitted on the minority.
    nn_ver3_ : estimator object
        Neighbours estimator built from ``n_neighbors_ver3`` (version 3 only).
    sample_indices_ : array of shape (n_new_samples,)
        Index, in the X given to ``fit_resample``, of each output row; the
        array lives in X's namespace and on its device.
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        Name of what answered the nearest-neighbour queries: ``"sklearn"`` for
        host data, ``"cuml"`` or the array-API engine for device data (set by
        ``gpuimb.config_context(backend=...)`` or chosen from the data).

    See Also
    --------
    RandomUnderSampler : Keep rows at random.
    EditedNearestNeighbours : Remove rows that their neighbours disagree with.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    Ties between equal average distances keep the row that comes first, as
    imbalanced-learn's stable sort does.

    References
    ----------
    .. [1] I. Mani and I. Zhang, "kNN approach to unbalanced data distributions:
       a case study involving information extraction", Proceedings of the ICML
       Workshop on Learning from Imbalanced Datasets, 2003.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import NearMiss
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=10)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 900), (1, 100)]
    >>> X_res, y_res = NearMiss(version=2).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 100), (1, 100)]
    """

    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "version": [Interval(numbers.Integral, 1, 3, closed="both")],
        "n_neighbors": [
            Interval(numbers.Integral, 1, None, closed="left"),
            HasMethods(["kneighbors", "kneighbors_graph"]),
        ],
        "n_neighbors_ver3": [
            Interval(numbers.Integral, 1, None, closed="left"),
            HasMethods(["kneighbors", "kneighbors_graph"]),
        ],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, *, sampling_strategy="auto", version=1, n_neighbors=3,
                 n_neighbors_ver3=3, n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.version = version
        self.n_neighbors = n_neighbors
        self.n_neighbors_ver3 = n_neighbors_ver3
        self.n_jobs = n_jobs

    def _validate_estimator(self, ctx):
        self.nn_ = ctx.neighbors("n_neighbors", self.n_neighbors)
        _set_n_jobs(self.nn_, self.n_jobs)
        if self.version == 3:
            self.nn_ver3_ = ctx.neighbors("n_neighbors_ver3", self.n_neighbors_ver3)
            _set_n_jobs(self.nn_ver3_, self.n_jobs)

    def _nearest_sums(self, ctx, X_min, X_query):
        """Sum of the distances to the ``n_neighbors`` nearest minority samples."""
        xp = ctx.xp
        if isinstance(self.n_neighbors, numbers.Integral):
            k = self.n_neighbors
            if k > X_min.shape[0]:
                raise kneighbors_error(k, X_min.shape[0], X_query.shape[0])
            dist, _ = ctx.engine.kneighbors(X_min, X_query, k=k)
        else:
            k = getattr(self.nn_, "n_neighbors", None)
            if k is None:
                dist, _ = self.nn_.kneighbors(X_query)
                k = dist.shape[1]
            else:
                dist, _ = self.nn_.kneighbors(X_query, n_neighbors=k)
            dist = dist[:, dist.shape[1] - min(k, dist.shape[1]):]
        return xp.sum(xp.astype(dist, xp.float64), axis=1)

    def _farthest_minority_order(self, ctx, X_min, X_query, n_samples):
        """NearMiss-2's order of the rows of ``X_query`` (at least the first
        ``n_samples`` of it)."""
        xp = ctx.xp
        n_keep = min(n_samples, X_query.shape[0])
        if isinstance(self.n_neighbors, numbers.Integral):
            return _farthest_order(ctx, X_min, X_query, self.n_neighbors, n_keep)
        dist, _ = self.nn_.kneighbors(X_query, n_neighbors=X_min.shape[0])
        k = min(int(getattr(self.nn_, "n_neighbors", dist.shape[1])), dist.shape[1])
        sums = xp.sum(xp.astype(dist[:, dist.shape[1] - k:], xp.float64), axis=1)
        return xp.argsort(sums, stable=True)

    def _ver3_candidates(self, ctx, X_cls, X_min):
        """Unique class rows among the minority samples' nearest class samples."""
        xp = ctx.xp
        if isinstance(self.n_neighbors_ver3, numbers.Integral):
            k = self.n_neighbors_ver3
            if k > X_cls.shape[0]:
                raise kneighbors_error(k, X_cls.shape[0], X_min.shape[0])
            self.nn_ver3_.fit(X_cls)
            found = ctx.engine.kneighbors(X_cls, X_min, k=k, return_distance=False)
        else:
            self.nn_ver3_.fit(X_cls)
            _, found = self.nn_ver3_.kneighbors(X_min)
        found = xp.astype(xp.reshape(found, (-1,)), xp.int64)
        return xp.unique_values(found)

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        self._validate_estimator(ctx)
        stats = class_counts(y)
        minority = minority_class(xp, y, stats)
        X_min = take_rows(X, flatnonzero(xp, y == python_scalar(minority)))
        self.nn_.fit(X_min)

        kept = []
        for klass in stats:
            class_indices = flatnonzero(xp, y == python_scalar(klass))
            if klass in self.sampling_strategy_:
                n_samples = self.sampling_strategy_[klass]
                X_cls = take_rows(X, class_indices)
                if self.version == 3:
                    candidates = self._ver3_candidates(ctx, X_cls, X_min)
                    scores = self._nearest_sums(ctx, X_min, take_rows(X_cls, candidates))
                    # Farthest first; ties keep their order (Python's stable sort).
                    order = xp.argsort(-scores, stable=True)
                    class_indices = xp.take(class_indices, candidates)
                elif self.version == 1:
                    scores = self._nearest_sums(ctx, X_min, X_cls)
                    order = xp.argsort(scores, stable=True)
                else:
                    order = self._farthest_minority_order(ctx, X_min, X_cls, n_samples)
                if class_indices.shape[0] < n_samples:
                    warnings.warn(
                        "The number of the samples to be selected is larger"
                        " than the number of samples available. The"
                        " balancing ratio cannot be ensure and all samples"
                        " will be returned."
                    )
                class_indices = xp.take(class_indices,
                                        order[:min(n_samples, order.shape[0])])
            kept.append(xp.astype(class_indices, xp.int64))

        self.sample_indices_ = xp.concat(kept)
        return take_rows(X, self.sample_indices_), xp.take(y, self.sample_indices_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags
