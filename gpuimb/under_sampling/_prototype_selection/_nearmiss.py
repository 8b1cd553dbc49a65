"""NearMiss (versions 1, 2 and 3): keep the samples nearest to the minority class."""

import numbers
import warnings

from sklearn.utils._param_validation import Interval

from gpuimb._backends._base import kneighbors_error
from gpuimb.under_sampling._prototype_selection._common import _set_n_jobs, minority_class
from gpuimb.under_sampling._prototype_selection._nearmiss_distances import _farthest_order
from gpuimb.under_sampling.base import BaseUnderSampler
from gpuimb.utils._array_api import flatnonzero, python_scalar, take_rows
from gpuimb.utils._validation import class_counts, neighbors_constraint


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

    _exposes_sample_indices = True
    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "version": [Interval(numbers.Integral, 1, 3, closed="both")],
        "n_neighbors": neighbors_constraint(),
        "n_neighbors_ver3": neighbors_constraint(),
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
            ctx.fit_exposed(self.nn_ver3_, X_cls)
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
        minority = minority_class(y, stats)
        X_min = take_rows(X, flatnonzero(xp, y == python_scalar(minority)))
        ctx.fit_exposed(self.nn_, X_min,
                        queried=not isinstance(self.n_neighbors, numbers.Integral))

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

        return self._keep_rows(ctx, X, y, xp.concat(kept))
