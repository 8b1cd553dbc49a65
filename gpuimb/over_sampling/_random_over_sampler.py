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
    """Over-sample the targeted classes by drawing their samples again at random.

    Each targeted class gets new rows copied from its own rows, drawn
    uniformly with replacement until the class has the size asked by
    ``sampling_strategy``. With ``shrinkage``, the copies are smoothed: each
    drawn row moves by a Gaussian perturbation scaled by the class's
    per-feature spread (a smoothed bootstrap), so the new rows are no longer
    exact duplicates. The method makes no assumption on the data: any dtype,
    strings and missing values included (without ``shrinkage``).

    Read more in imbalanced-learn's user guide on naive random over-sampling;
    gpuimb's rows, indices and draws match imbalanced-learn's for the same seed.

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
    shrinkage : float or dict, default=None
        Width of the smoothed bootstrap. ``None`` copies rows unchanged. A float
        (>= 0) applies to every over-sampled class; a dict gives one value per
        class label and must name every over-sampled class. The perturbation of
        a new row is ``shrinkage * std * z`` per feature, with ``std`` the
        class's standard deviation scaled by Silverman's rule of thumb and
        ``z`` a standard normal draw. Needs numeric, dense X.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to add to each targeted class.
    sample_indices_ : array of shape (n_new_samples,)
        Index, in the X given to ``fit_resample``, of each output row; the
        array lives in X's namespace and on its device.
        Original rows come first, then the row each new sample copies.
    shrinkage_ : dict or None
        Shrinkage factor per over-sampled class (``None`` without smoothing).
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        What ran the resampling: the array namespace (no neighbours are searched).

    See Also
    --------
    SMOTE : Interpolate new samples between neighbours of the same class.
    ADASYN : Put more new samples where the class is surrounded by others.
    gpuimb.under_sampling.RandomUnderSampler : Drop samples at random instead.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    The smoothed samples keep X's floating dtype (imbalanced-learn promotes
    float32 input to float64). Multi-class targets are handled class by class;
    sparse X is accepted without ``shrinkage``.

    References
    ----------
    .. [1] G. Menardi and N. Torelli, "Training and assessing classification
       rules with imbalanced data", Data Mining and Knowledge Discovery, 28(1),
       pp. 92-122, 2014.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.over_sampling import RandomOverSampler
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=10)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 449), (1, 51)]
    >>> ros = RandomOverSampler(random_state=42)
    >>> X_res, y_res = ros.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 449), (1, 449)]
    >>> bool((X_res == X[ros.sample_indices_]).all())
    True
    """

    _exposes_sample_indices = True
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
        if isinstance(X, np.ndarray) and X.dtype == object:
            # Numbers stored as objects (a DataFrame with bool and float columns,
            # object arrays of numbers) smooth as float64, as in imbalanced-learn.
            try:
                X = X.astype(np.float64)
            except (TypeError, ValueError) as exc:
                raise ValueError(
                    "When shrinkage is not None, X needs to contain only numerical "
                    "data to later generate a smoothed bootstrap sample (X has "
                    f"non-numeric values: {exc}). Encode them as numbers or set "
                    "shrinkage=None."
                ) from exc
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
