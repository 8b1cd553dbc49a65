"""NearMiss (versions 1, 2 and 3): keep the samples nearest to the minority class."""

import numbers
import warnings

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval

from gpuimb._config import get_config
from gpuimb.under_sampling._prototype_selection._edited_nearest_neighbours import (
    _kneighbors_error,
    _set_n_jobs,
    minority_class,
)
from gpuimb.under_sampling.base import BaseUnderSampler
from gpuimb.utils._array_api import flatnonzero, is_sparse, python_scalar, take_rows
from gpuimb.utils._validation import class_counts

_MIB = 2**20


def _row_sq_norms(xp, M):
    """Squared Euclidean norm of each row of dense or sparse ``M``."""
    if is_sparse(M):
        norms = M.multiply(M).sum(axis=1)
        return xp.reshape(xp.asarray(norms), (-1,))
    return xp.sum(M * M, axis=1)


def _farthest_sums(ctx, X_min, X_cls, k):
    """Sum of the distances from each row of ``X_cls`` to its ``k`` farthest
    rows of ``X_min``, in increasing-distance order.

    Distances are computed in float64 by tiles of ``X_cls`` rows, so memory
    stays under the configured working memory whatever the class sizes.
    """
    xp = ctx.xp
    n_min = X_min.shape[0]
    k = min(k, n_min)
    if ctx.sparse:
        B = X_min.astype(np.float64)
        A_all = X_cls.astype(np.float64)
    else:
        B = xp.astype(X_min, xp.float64)
        centre = xp.mean(B, axis=0)
        B = B - centre
        A_all = xp.astype(X_cls, xp.float64) - centre
    b2 = _row_sq_norms(xp, B)
    B_t = B.T
    budget = get_config()["working_memory"] * _MIB
    rows = max(1, int(budget // (3 * 8 * max(n_min, 1))))
    sums = []
    for start in range(0, A_all.shape[0], rows):
        A = A_all[start:min(start + rows, A_all.shape[0]), :]
        cross = A @ B_t
        if is_sparse(cross):
            cross = cross.toarray()
        cross = xp.asarray(cross)
        if ctx.on_host:
            d2 = np.asarray(cross)
            d2 *= -2
            d2 += _row_sq_norms(xp, A)[:, None]
            d2 += b2[None, :]
            top = _largest_ascending(d2, k) if k < n_min else np.sort(d2, axis=1)
            top = np.clip(top, 0, None)
        else:
            d2 = _row_sq_norms(xp, A)[:, None] - 2 * cross + b2[None, :]
            top = xp.clip(xp.sort(d2, axis=1)[:, n_min - k:], 0, None)
        sums.append(xp.sum(xp.sqrt(top), axis=1))
    return xp.concat(sums) if sums else xp.zeros((0,), dtype=xp.float64)


def _largest_ascending(values, k):
    """The k largest entries of each row of a host array, in increasing order.

    Small k: k passes of a row-wise argmax (each entry found is masked), which
    is several times faster than ``np.partition`` on wide rows. ``values`` is
    overwritten.
    """
    if k > 16:
        top = np.partition(values, values.shape[1] - k, axis=1)[:, -k:]
        return np.sort(top, axis=1)
    rows = np.arange(values.shape[0])
    found = np.empty((values.shape[0], k), dtype=values.dtype)
    for j in range(k - 1, -1, -1):
        cols = np.argmax(values, axis=1)
        found[:, j] = values[rows, cols]
        values[rows, cols] = -np.inf
    return found


class NearMiss(BaseUnderSampler):
    """Under-sample with the NearMiss rules.

    - version 1 keeps the samples whose ``n_neighbors`` nearest minority
      samples are nearest on average;
    - version 2 keeps those whose ``n_neighbors`` farthest minority samples
      are nearest on average (computed by tiles, never per sample);
    - version 3 first keeps, for each minority sample, its
      ``n_neighbors_ver3`` nearest samples of the class, then among them the
      ones whose ``n_neighbors`` nearest minority samples are farthest.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to under-sample and to what size, as in imbalanced-learn.
    version : int, default=1
        NearMiss version, 1, 2 or 3.
    n_neighbors : int or estimator object, default=3
        Number of minority neighbours averaged over, or a neighbours estimator.
    n_neighbors_ver3 : int or estimator object, default=3
        Number of neighbours of the NearMiss-3 pre-selection, or an estimator.
    n_jobs : int, default=None
        Passed to the neighbours estimators when they have such a parameter.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples kept per targeted class.
    nn_ : estimator object
        Neighbours estimator built from ``n_neighbors``, fitted on the minority.
    nn_ver3_ : estimator object
        Neighbours estimator built from ``n_neighbors_ver3`` (version 3 only).
    sample_indices_ : array of shape (n_new_samples,)
        Indices of the kept samples.
    n_features_in_ : int
        Number of features of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.
    engine_ : str
        The engine that found the nearest neighbours.
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
                raise _kneighbors_error(k, X_min.shape[0], X_query.shape[0])
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

    def _farthest_minority_sums(self, ctx, X_min, X_query):
        xp = ctx.xp
        if isinstance(self.n_neighbors, numbers.Integral):
            return _farthest_sums(ctx, X_min, X_query, self.n_neighbors)
        dist, _ = self.nn_.kneighbors(X_query, n_neighbors=X_min.shape[0])
        k = min(int(getattr(self.nn_, "n_neighbors", dist.shape[1])), dist.shape[1])
        return xp.sum(xp.astype(dist[:, dist.shape[1] - k:], xp.float64), axis=1)

    def _ver3_candidates(self, ctx, X_cls, X_min):
        """Unique class rows among the minority samples' nearest class samples."""
        xp = ctx.xp
        if isinstance(self.n_neighbors_ver3, numbers.Integral):
            k = self.n_neighbors_ver3
            if k > X_cls.shape[0]:
                raise _kneighbors_error(k, X_cls.shape[0], X_min.shape[0])
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
                else:
                    if self.version == 1:
                        scores = self._nearest_sums(ctx, X_min, X_cls)
                    else:
                        scores = self._farthest_minority_sums(ctx, X_min, X_cls)
                    order = xp.argsort(scores, stable=True)
                if order.shape[0] < n_samples:
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
