"""RandomOverSampler: bootstrap the targeted classes, optionally smoothed."""

from collections.abc import Mapping
from numbers import Real

import numpy as np
from sklearn.utils._param_validation import Interval

from gpuimb.over_sampling.base import BaseOverSampler
from gpuimb.utils._array_api import flatnonzero, python_scalar, take_rows, vstack
from gpuimb.utils._random import choice_positions
from gpuimb.utils._validation import class_counts


class RandomOverSampler(BaseOverSampler):
    """Over-sample the targeted classes by drawing samples with replacement.

    With ``shrinkage`` the bootstrap is smoothed: each drawn sample is moved by a
    Gaussian perturbation scaled by the class's per-feature standard deviation.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to what size, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the host random state the draws come from.
    shrinkage : float or dict, default=None
        Factor of the smoothed bootstrap, one for all classes or one per class;
        ``None`` for a plain bootstrap.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples added per targeted class.
    sample_indices_ : array of shape (n_new_samples,)
        Index of the original sample behind each output row.
    shrinkage_ : dict or None
        Shrinkage factor per class.
    n_features_in_ : int
        Number of features of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.
    engine_ : str
        What ran the resampling (here always the array namespace).

    Notes
    -----
    The smoothed samples keep X's floating dtype (imbalanced-learn promotes
    float32 input to float64).
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "shrinkage": [Interval(Real, 0, None, closed="left"), dict, None],
    }
    # X is only indexed (never computed on), so NaN and infinity pass through,
    # as in imbalanced-learn ("balance first, impute later").
    _allow_nan = True
    _allow_inf = True
    _allow_non_numeric = True

    def __init__(self, *, sampling_strategy="auto", random_state=None, shrinkage=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.shrinkage = shrinkage

    def _check_shrinkage(self, X):
        if isinstance(self.shrinkage, Real):
            self.shrinkage_ = {klass: self.shrinkage for klass in self.sampling_strategy_}
        elif self.shrinkage is None or isinstance(self.shrinkage, Mapping):
            self.shrinkage_ = self.shrinkage
        if self.shrinkage_ is None:
            return X
        missing = self.sampling_strategy_.keys() - self.shrinkage_.keys()
        if missing:
            raise ValueError(
                "`shrinkage` should contain a shrinkage factor for each class that "
                f"will be resampled. The missing classes are: {missing!r}"
            )
        for klass, factor in self.shrinkage_.items():
            if factor < 0:
                raise ValueError(
                    f"The shrinkage factor needs to be >= 0. Got {factor} for class "
                    f"{klass}."
                )
        try:
            _check_numeric_finite(X, ctx_sparse=hasattr(X, "format"))
        except ValueError as exc:
            raise ValueError(
                "When shrinkage is not None, X needs to contain only numerical data "
                f"to later generate a smoothed bootstrap sample ({exc})"
            ) from exc
        return X

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        random_state = ctx.random_state(self.random_state)
        X = self._check_shrinkage(X)
        stats = class_counts(y)

        X_blocks, y_blocks = [X], [y]
        index_blocks = [xp.arange(X.shape[0], dtype=xp.int64, device=ctx.device)]
        for klass, n_new in self.sampling_strategy_.items():
            class_indices = flatnonzero(xp, y == python_scalar(klass))
            positions = choice_positions(random_state, int(stats[klass]), n_new, True)
            drawn = xp.astype(xp.take(class_indices, ctx.asarray(positions)), xp.int64)
            index_blocks.append(drawn)
            if self.shrinkage_ is None:
                X_blocks.append(take_rows(X, drawn))
            else:
                X_blocks.append(self._smoothed_bootstrap(
                    X, class_indices, drawn, self.shrinkage_[klass], n_new,
                    random_state, ctx))
            y_blocks.append(xp.take(y, drawn))

        self.sample_indices_ = xp.concat(index_blocks)
        return vstack(X_blocks, like=X), xp.concat(y_blocks)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags

    @staticmethod
    def _smoothed_bootstrap(X, class_indices, drawn, shrinkage, n_new, random_state,
                            ctx):
        xp = ctx.xp
        n_samples, n_features = X.shape
        smoothing_constant = (4 / ((n_features + 2) * n_samples)) ** (
            1 / (n_features + 4)
        )
        class_scale = _column_std(take_rows(X, class_indices), ctx)
        noise = ctx.asarray(random_state.randn(n_new, n_features))
        out_dtype = _float_dtype_of(X, xp)
        scale = xp.astype(shrinkage * smoothing_constant * class_scale, xp.float64)
        if ctx.sparse and ctx.on_host:
            scale = np.asarray(scale)
        rows = take_rows(X, drawn)
        if ctx.sparse:
            rows = rows.toarray()
        X_new = noise * scale[None, :] + xp.astype(rows, xp.float64)
        X_new = xp.astype(X_new, out_dtype)
        if ctx.sparse:
            return type(X)(X_new) if not ctx.on_host else _host_sparse_like(X, X_new)
        return X_new


def _check_numeric_finite(X, ctx_sparse):
    values = X.data if ctx_sparse else X
    kind = getattr(values.dtype, "kind", None)
    if kind is not None:  # numpy / cupy dtypes
        if kind not in "biuf":
            raise ValueError(f"X has non-numeric dtype {values.dtype}")
        if kind == "f" and not bool((abs(values) < float("inf")).all()):
            raise ValueError("Input X contains NaN or infinity.")
        return
    from array_api_compat import array_namespace

    xp = array_namespace(values)
    if xp.isdtype(values.dtype, "real floating") and not bool(
            xp.all(xp.isfinite(values))):
        raise ValueError("Input X contains NaN or infinity.")


def _float_dtype_of(X, xp):
    dtype = X.dtype
    if xp.isdtype(dtype, "real floating"):
        return dtype
    return xp.float64


def _column_std(X, ctx):
    """Population standard deviation of each column (dense or sparse X)."""
    xp = ctx.xp
    if ctx.sparse and ctx.on_host:
        from sklearn.utils.sparsefuncs import mean_variance_axis

        return np.sqrt(mean_variance_axis(X, axis=0)[1])
    if ctx.sparse:
        mean = X.mean(axis=0).ravel()
        mean_sq = X.multiply(X).mean(axis=0).ravel()
        return xp.sqrt(xp.clip(mean_sq - mean * mean, 0, None))
    if not xp.isdtype(X.dtype, "real floating"):
        X = xp.astype(X, xp.float64)
    return xp.std(X, axis=0)


def _host_sparse_like(X, X_new):
    import scipy.sparse as sp

    return sp.csr_matrix(X_new, dtype=X.dtype) if not isinstance(X, sp.sparray) \
        else sp.csr_array(X_new, dtype=X.dtype)
