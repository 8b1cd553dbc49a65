"""ADASYN: adaptive synthetic sampling, more samples where the class is harder."""

import numbers

import numpy as np
from sklearn.utils._param_validation import HasMethods, Interval

from gpuimb.over_sampling._provenance import concat_provenance
from gpuimb.over_sampling._smote.base import neighbors_wanted
from gpuimb.over_sampling.base import BaseOverSampler
from gpuimb.utils._array_api import (
    flatnonzero,
    is_sparse,
    python_scalar,
    take_rows,
    to_host,
    vstack,
)


class ADASYN(BaseOverSampler):
    """Over-sample with ADASYN (adaptive synthetic sampling).

    Like SMOTE, but each sample of the class gets a number of synthetic
    children proportional to the share of its ``n_neighbors`` nearest
    neighbours (in the whole data set) that belong to other classes.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to what size, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the host random state the draws come from.
    n_neighbors : int or estimator object, default=5
        Number of nearest neighbours, or an estimator with ``kneighbors`` and
        ``kneighbors_graph``.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples asked per targeted class (ADASYN's rounding may
        generate slightly more or fewer).
    nn_ : estimator object
        The nearest-neighbours estimator built from ``n_neighbors``.
    provenance_ : SyntheticProvenance
        For each synthetic row: original row, neighbour row and step.
    n_features_in_ : int
        Number of features of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.
    engine_ : str
        What ran the neighbour searches.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "n_neighbors": [
            Interval(numbers.Integral, 1, None, closed="left"),
            HasMethods(["kneighbors", "kneighbors_graph"]),
        ],
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
        X_blocks, y_blocks, parts = [X], [y], []
        for klass, n_samples in self.sampling_strategy_.items():
            n_samples = int(n_samples)
            if n_samples == 0:
                continue
            label = python_scalar(klass)
            class_indices = flatnonzero(xp, y == label)
            X_class = take_rows(X, class_indices)

            self.nn_.fit(X)
            k = neighbors_wanted(self.n_neighbors)
            nns = ctx.nearest_indices(self.nn_, X, X_class, k=k)[:, 1:]
            n_neighbors = int(nns.shape[1])
            other = xp.astype(_take_2d(xp, y, nns) != label, xp.int64)
            ratio_nn = xp.astype(xp.sum(other, axis=1), xp.float64) / n_neighbors
            total = float(xp.sum(ratio_nn))
            if not total:
                raise RuntimeError(
                    "Not any neigbours belong to the majority"
                    " class. This case will induce a NaN case"
                    " with a division by zero. ADASYN is not"
                    " suited for this specific dataset."
                    " Use SMOTE instead."
                )
            ratio_nn = ratio_nn / xp.sum(ratio_nn)
            n_per_sample = xp.astype(xp.round(ratio_nn * n_samples), xp.int64)
            n_samples = int(xp.sum(n_per_sample))
            if not n_samples:
                raise ValueError(
                    "No samples will be generated with the provided ratio settings."
                )

            self.nn_.fit(X_class)
            nns = xp.astype(ctx.nearest_indices(self.nn_, X_class, k=k)[:, 1:], xp.int64)
            rows = xp.repeat(xp.arange(int(X_class.shape[0]), dtype=xp.int64,
                                       device=ctx.device), n_per_sample)
            cols = ctx.asarray(random_state.choice(n_neighbors, size=n_samples),
                               dtype=xp.int64)
            steps = ctx.asarray(random_state.uniform(size=n_samples), dtype=xp.float64)
            neighbors = xp.take(xp.reshape(nns, (-1,)), rows * n_neighbors + cols)

            X_blocks.append(_interpolate(X_class, rows, neighbors, steps, ctx))
            y_blocks.append(xp.full((n_samples,), label, dtype=y.dtype,
                                    device=ctx.device))
            parts.append((xp.take(class_indices, rows),
                          xp.take(class_indices, neighbors), steps))
        self.provenance_ = concat_provenance(int(X.shape[0]), parts, xp, ctx.device)
        return vstack(X_blocks, like=X), xp.concat(y_blocks)


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
        if ctx.on_host:
            column = type(X)(np.asarray(to_host(steps)).reshape(-1, 1))
            return (base + column.multiply(diffs)).astype(X.dtype)
        import cupyx.scipy.sparse as csp

        return (base + csp.diags(steps) @ diffs).astype(X.dtype)
    return xp.astype(base + steps[:, None] * diffs, X.dtype)
