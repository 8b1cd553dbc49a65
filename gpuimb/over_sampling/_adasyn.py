"""ADASYN: adaptive synthetic sampling, more samples where the class is harder."""


import numpy as np

from gpuimb.over_sampling._provenance import SyntheticBlocks
from gpuimb.over_sampling._smote.base import neighbors_wanted
from gpuimb.over_sampling.base import BaseOverSampler
from gpuimb.utils._array_api import (
    flatnonzero,
    is_sparse,
    python_scalar,
    repeat_positions,
    take_rows,
    to_host,
)
from gpuimb.utils._validation import neighbors_constraint

# imbalanced-learn's words (its spelling too), shared with gpuimb.dask.
NO_OTHER_CLASS_NEIGHBOUR = (
    "Not any neigbours belong to the majority"
    " class. This case will induce a NaN case"
    " with a division by zero. ADASYN is not"
    " suited for this specific dataset."
    " Use SMOTE instead."
)

class ADASYN(BaseOverSampler):
    """Over-sample with ADASYN (adaptive synthetic sampling).

    ADASYN generates new rows the way :class:`SMOTE` does, but not the same
    number from every row: a row of the class gets a number of new rows
    proportional to the share of its ``n_neighbors`` nearest neighbours (in
    the whole data set) that belong to other classes. Rows that are hard to
    learn, deep in another class's region, get the most new rows; rows with
    only neighbours of their own class get none.

    Read more in imbalanced-learn's user guide on ADASYN.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many samples each class should have once over-sampled.

        - float: the wanted ratio ``n_minority_after / n_majority`` of a binary
          problem, in (0, 1]. A ratio below the current one is an error (an
          over-sampler cannot remove samples).
        - str: which classes grow to the size of the majority class:
          ``"minority"`` (the smallest class), ``"not minority"`` (all but the
          smallest), ``"not majority"`` (all but the largest), ``"all"`` (every
          class) or ``"auto"``, the same as ``"not majority"``.
        - dict: ``{class label: number of samples wanted after resampling}``;
          classes left out keep their samples, and a number below a class's
          current size is an error.
        - callable: ``f(y)`` returning such a dict.
    random_state : int, RandomState instance or None, default=None
        Controls the random draws. An int makes every call draw the same
        samples; a ``numpy.random.RandomState`` is used (and advanced) as it is;
        ``None`` takes NumPy's global random state. The draws are made on the
        host and then moved next to X, so a seed makes the same choices whether
        X lives on the CPU or on a GPU.
    n_neighbors : int or estimator object, default=5
        Size of the neighbourhood that measures how hard each row is, and
        from which the interpolation partner is drawn. An object with
        ``kneighbors`` and ``kneighbors_graph`` is used as it is (its
        ``n_neighbors`` counts the row itself).

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples asked for each targeted class (the rounding of the
        per-row numbers may give slightly more or fewer).
    nn_ : estimator object
        The nearest-neighbours estimator built from ``n_neighbors``.
    provenance_ : SyntheticProvenance
        Where each synthetic row came from: ``n_original`` (the original rows
        come first in the output), then per synthetic row the ``base_indices``
        it grew from, the ``neighbor_indices`` it moved towards and the
        interpolation ``steps``, all indices of the X given to ``fit_resample``.
        :func:`gpuimb.plotting.scatter_resampling` draws them.
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
    SMOTE : The same number of new rows from every row.
    BorderlineSMOTE : New rows from the rows near the class border only.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    A class whose rows all have only neighbours of their own class cannot be
    over-sampled: ADASYN raises a RuntimeError, as imbalanced-learn does.

    References
    ----------
    .. [1] H. He, Y. Bai, E. A. Garcia and S. Li, "ADASYN: Adaptive synthetic
       sampling approach for imbalanced learning", IEEE International Joint
       Conference on Neural Networks, pp. 1322-1328, 2008.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.over_sampling import ADASYN
    >>> X, y = make_classification(n_samples=500, weights=[0.9], flip_y=0.05,
    ...                            random_state=10)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 439), (1, 61)]
    >>> X_res, y_res = ADASYN(random_state=42).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 439), (1, 441)]
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "n_neighbors": neighbors_constraint(),
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, n_neighbors=5):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.n_neighbors = n_neighbors

    def _validate_estimator(self, ctx):
        self.nn_ = ctx.neighbors("n_neighbors", self.n_neighbors, additional_neighbor=1)

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        self._validate_estimator(ctx)
        random_state = ctx.random_state(self.random_state)
        out = SyntheticBlocks(X, y)
        for klass, n_samples in self.sampling_strategy_.items():
            n_samples = int(n_samples)
            if n_samples == 0:
                continue
            label = python_scalar(klass)
            class_indices = flatnonzero(xp, y == label)
            X_class = take_rows(X, class_indices)

            k = neighbors_wanted(self.n_neighbors)
            ctx.fit_exposed(self.nn_, X, queried=k is None)
            nns = ctx.nearest_indices(self.nn_, X, X_class, k=k)[:, 1:]
            n_neighbors = int(nns.shape[1])
            other = xp.astype(_take_2d(xp, y, nns) != label, xp.int64)
            ratio_nn = xp.astype(xp.sum(other, axis=1), xp.float64) / n_neighbors
            total = float(xp.sum(ratio_nn))
            if not total:
                raise RuntimeError(NO_OTHER_CLASS_NEIGHBOUR)
            ratio_nn = ratio_nn / xp.sum(ratio_nn)
            n_per_sample = xp.astype(xp.round(ratio_nn * n_samples), xp.int64)
            n_samples = int(xp.sum(n_per_sample))
            if not n_samples:
                raise ValueError(
                    "No samples will be generated with the provided ratio settings."
                )

            ctx.fit_exposed(self.nn_, X_class, queried=k is None)
            nns = xp.astype(ctx.nearest_indices(self.nn_, X_class, k=k)[:, 1:], xp.int64)
            rows = repeat_positions(xp, n_per_sample)
            cols = ctx.asarray(random_state.choice(n_neighbors, size=n_samples),
                               dtype=xp.int64)
            steps = ctx.asarray(random_state.uniform(size=n_samples), dtype=xp.float64)
            neighbors = xp.take(xp.reshape(nns, (-1,)), rows * n_neighbors + cols)

            out.add(_interpolate(X_class, rows, neighbors, steps, ctx),
                    xp.full((n_samples,), label, dtype=y.dtype, device=ctx.device),
                    xp.take(class_indices, rows), xp.take(class_indices, neighbors), steps)
        return out.result(self, ctx)


def _take_2d(xp, values, indices):
    flat = xp.take(values, xp.reshape(xp.astype(indices, xp.int64), (-1,)))
    return xp.reshape(flat, indices.shape)


def _interpolate(X, rows, neighbors, steps, ctx):
    """``X[rows] + steps * (X[neighbors] - X[rows])`` in X's dtype (dense or sparse)."""
    xp = ctx.xp
    base = take_rows(X, rows)
    other = take_rows(X, neighbors)
    if not is_sparse(X) and not xp.isdtype(X.dtype, "real floating"):
        # Subtract in float64: bool X has no subtraction and unsigned X wraps.
        base, other = xp.astype(base, xp.float64), xp.astype(other, xp.float64)
    diffs = other - base
    if is_sparse(X):
        column = type(X)(np.asarray(to_host(steps)).reshape(-1, 1))
        return (base + column.multiply(diffs)).astype(X.dtype)
    return xp.astype(base + steps[:, None] * diffs, X.dtype)
