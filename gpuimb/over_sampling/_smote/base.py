"""SMOTE's shared machinery and the original SMOTE, SMOTE-NC and SMOTE-N.

``BaseSMOTE`` holds what every SMOTE variant needs: the ``k_neighbors``
estimator, the interpolation between a sample and one of its neighbours
(dense or sparse), the danger/noise test of the borderline variants and the
bookkeeping of where each synthetic row came from (``provenance_``).

Random numbers are drawn on the host in imbalanced-learn's order, including
its re-seeding from ``random_state`` at every ``_make_samples`` call.
"""

import math
import numbers
import warnings

import numpy as np
import scipy.sparse as sp
from sklearn.base import clone
from sklearn.exceptions import DataConversionWarning
from sklearn.utils._param_validation import HasMethods, StrOptions

from gpuimb.over_sampling._provenance import SyntheticBlocks, concat_provenance
from gpuimb.over_sampling._smote._categorical import (
    _codes_from_onehot,
    _dense_onehot,
    _flat_take,
    _onehot_from_codes,
    _select_columns,
    _vote_with_random_ties,
    decode_on_device,
    encode_on_device,
    most_frequent_per_feature,
    vdm_neighbors,
    vdm_tables,
)
from gpuimb.over_sampling.base import BaseOverSampler
from gpuimb.utils._array_api import (
    flatnonzero,
    is_sparse,
    place_rows,
    python_scalar,
    take_rows,
    to_host,
    vstack,
)
from gpuimb.utils._validation import neighbors_constraint

__all__ = ["BaseSMOTE", "SMOTE", "SMOTENC", "SMOTEN"]


def _scale_sparse_rows(M, factors, ctx):
    """Multiply row ``i`` of sparse ``M`` by ``factors[i]`` (kept sparse)."""
    column = type(M)(np.asarray(to_host(factors), dtype=np.float64).reshape(-1, 1))
    return column.multiply(M)


def _as_float_for_interpolation(xp, X):
    if xp.isdtype(X.dtype, "real floating"):
        return X
    return xp.astype(X, xp.float64)


def neighbors_wanted(n_neighbors):
    """Neighbours to ask the engine for (the sample itself included), or None
    when the user gave an estimator, which then answers itself."""
    if isinstance(n_neighbors, numbers.Integral):
        return int(n_neighbors) + 1
    return None


class BaseSMOTE(BaseOverSampler):
    """Base class of the SMOTE over-samplers.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to over-sample and to what size, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the host random state the draws come from.
    k_neighbors : int or object, default=5
        Number of nearest neighbours used to interpolate, or an estimator with
        ``kneighbors`` and ``kneighbors_graph``.
    """

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "k_neighbors": neighbors_constraint(),
    }

    def __init__(self, sampling_strategy="auto", random_state=None, k_neighbors=5):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.k_neighbors = k_neighbors

    def _validate_estimator(self, ctx):
        """Set ``nn_k_`` from ``k_neighbors`` (one more neighbour: the sample)."""
        self.nn_k_ = ctx.neighbors("k_neighbors", self.k_neighbors,
                                   additional_neighbor=1)

    def _fit_neighbors(self, nn_estimator, X_index, X_query=None, *, ctx):
        """Fit ``nn_estimator`` on ``X_index`` and return its neighbours of
        ``X_query`` (default ``X_index``) without the first column (the sample)."""
        k = neighbors_wanted(self.k_neighbors)
        ctx.fit_exposed(nn_estimator, X_index, queried=k is None)
        return ctx.nearest_indices(nn_estimator, X_index, X_query, k=k)[:, 1:]

    def _make_samples(self, X, y_dtype, y_type, nn_data, nn_num, n_samples,
                      step_size=1.0, y=None, *, random_state=None, ctx):
        """Interpolate ``n_samples`` new samples between rows of X and neighbours.

        Parameters
        ----------
        X : array or sparse matrix of shape (n_base, n_features)
            Rows the new samples grow from.
        y_dtype : dtype
            dtype of the targets.
        y_type : object
            Label of the new samples.
        nn_data : array or sparse matrix of shape (n_data, n_features)
            Rows the neighbour indices point into.
        nn_num : array of shape (n_base, k)
            Neighbours (rows of ``nn_data``) of each row of X.
        n_samples : int
            Number of samples to generate.
        step_size : float, default=1.0
            Scale of the uniform interpolation steps (negative extrapolates).
        y : array of shape (n_data,), default=None
            Labels of ``nn_data``: when given (BorderlineSMOTE-2), the step
            towards a neighbour of another class is shrunk by a U[0, 0.5) factor.
        random_state : RandomState, default=None
            Host random state; None re-seeds from ``self.random_state`` as
            imbalanced-learn does at every call.
        ctx : SamplingContext
            The sampling context.

        Returns
        -------
        X_new : array or sparse matrix of shape (n_samples, n_features)
            The new samples.
        y_new : array of shape (n_samples,)
            Their labels.
        provenance : tuple of arrays
            ``(base, neighbor, steps)``: row of X, row of ``nn_data`` and step
            of each new sample, so that ``X_new = X[base] + steps * (nn_data[neighbor]
            - X[base])`` on the interpolated features.
        """
        xp = ctx.xp
        if random_state is None:
            random_state = ctx.random_state(self.random_state)
        n_base, k = int(nn_num.shape[0]), int(nn_num.shape[1])
        flat = random_state.randint(low=0, high=n_base * k, size=n_samples)
        steps = step_size * random_state.uniform(size=n_samples)
        rows_h = np.floor_divide(flat, k)
        cols_h = np.mod(flat, k)
        rows = ctx.asarray(rows_h, dtype=xp.int64)
        cols = ctx.asarray(cols_h, dtype=xp.int64)
        steps_x = ctx.asarray(steps, dtype=xp.float64)
        neighbors = _flat_take(xp, nn_num, ctx.asarray(flat, dtype=xp.int64))
        neighbors = xp.astype(neighbors, xp.int64)
        if y is not None:
            steps_x = self._shrink_steps_across_classes(steps_x, neighbors, y_type,
                                                        y, ctx)
        X_new = self._generate_samples(X, nn_data, nn_num, rows, cols, steps_x, ctx=ctx)
        y_new = xp.full((n_samples,), python_scalar(y_type), dtype=y_dtype,
                        device=ctx.device)
        return X_new, y_new, (rows, neighbors, steps_x)

    def _shrink_steps_across_classes(self, steps, neighbors, y_type, y, ctx):
        """Multiply the steps towards other-class neighbours by U[0, 0.5) draws.

        Draws come from a fresh ``random_state`` as in imbalanced-learn's
        BorderlineSMOTE-2 (one draw per such neighbour, in sample order).
        """
        xp = ctx.xp
        other = xp.take(y, neighbors) != python_scalar(y_type)
        n_other = int(xp.sum(xp.astype(other, xp.int64)))
        random_state = ctx.random_state(self.random_state)
        factors = random_state.uniform(low=0.0, high=0.5, size=(n_other, 1))[:, 0]
        if n_other == 0:
            return steps
        factors = ctx.asarray(factors, dtype=xp.float64)
        # Times 1.0 elsewhere: exact, so those steps are unchanged.
        return steps * place_rows(xp.ones_like(steps), other, factors)

    def _generate_samples(self, X, nn_data, nn_num, rows, cols, steps, *, ctx):
        """Return ``X[rows] + steps * (nn_data[nn_num[rows, cols]] - X[rows])``.

        ``rows``, ``cols`` are integer arrays and ``steps`` a float array of
        shape (n,) or (n, 1), all in ``ctx.xp``. X and ``nn_data`` may be
        sparse. (BorderlineSMOTE-2's shrunk steps come in through ``steps``:
        see :meth:`_make_samples`.)
        """
        xp = ctx.xp
        steps = xp.reshape(steps, (-1,))
        k = int(nn_num.shape[1])
        neighbors = xp.astype(_flat_take(xp, nn_num, rows * k + cols), xp.int64)
        base = take_rows(X, rows)
        target = take_rows(nn_data, neighbors)
        if is_sparse(X):
            X_new = base + _scale_sparse_rows(target - base, to_host(steps)
                                              if ctx.on_host else steps, ctx)
            return X_new.astype(X.dtype)
        base_f = _as_float_for_interpolation(xp, base)
        diffs = _as_float_for_interpolation(xp, target) - base_f
        X_new = base_f + steps[:, None] * diffs
        return xp.astype(X_new, X.dtype)

    def _in_danger_noise(self, nn_estimator, X, samples, target_class, y, kind="danger",
                         *, ctx, k=None):
        """Mask of the samples in danger (or noise) among ``samples``.

        ``nn_estimator`` is fitted on all the data ``X``; with m neighbours
        besides the sample itself and m' of them from another class, a sample
        is in danger when m/2 <= m' < m and noise when m' == m. An integer
        ``k`` (m + 1) lets the engine find the neighbours.
        """
        xp = ctx.xp
        nns = ctx.nearest_indices(nn_estimator, X, samples, k=k)
        m = int(nns.shape[1]) - 1
        nns = xp.astype(nns[:, 1:], xp.int64)
        labels = xp.reshape(xp.take(y, xp.reshape(nns, (-1,))), (-1, m))
        n_other = xp.sum(xp.astype(labels != python_scalar(target_class), xp.int64),
                         axis=1)
        if kind == "danger":
            # 2·m' >= m rather than m' >= m/2: strict namespaces refuse int-vs-float.
            return (2 * n_other >= m) & (n_other < m)
        return n_other == m

    def _set_provenance(self, n_original, parts, ctx):
        """Record ``provenance_`` from per-block (base, neighbor, steps) triples
        given as GLOBAL row indices of the X passed to ``fit_resample``."""
        self.provenance_ = concat_provenance(n_original, parts, ctx.xp, ctx.device)
        return self.provenance_

    @staticmethod
    def _global(ctx, class_indices, local):
        """Map local row indices (into ``take_rows(X, class_indices)``) to global."""
        xp = ctx.xp
        return xp.astype(xp.take(class_indices, local), xp.int64)


class SMOTE(BaseSMOTE):
    """Over-sample with SMOTE (Synthetic Minority Over-sampling TEchnique).

    For each new sample, SMOTE picks a random row of the class, one of its
    ``k_neighbors`` nearest neighbours within the same class, and a random
    point on the segment between the two. The new rows thus fill the space
    between existing rows of the class instead of repeating them. Neighbours
    are exact Euclidean neighbours found by the engine.

    Read more in imbalanced-learn's user guide on SMOTE; gpuimb's output
    equals imbalanced-learn's for the same seed (up to float rounding).

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
    k_neighbors : int or estimator object, default=5
        How many nearest neighbours of the same class a new sample may be
        drawn towards. An int asks the engine for exact neighbours (ties
        broken by row order); an object with ``kneighbors`` and
        ``kneighbors_graph`` (e.g. scikit-learn's ``NearestNeighbors``) is used
        as it is, its own ``n_neighbors`` counting the sample itself.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to add to each targeted class.
    nn_k_ : estimator object
        The nearest-neighbours estimator built from ``k_neighbors``.
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
    SMOTENC : SMOTE for data with categorical and continuous features.
    SMOTEN : SMOTE for purely categorical data.
    BorderlineSMOTE : SMOTE from the rows near the class border only.
    SVMSMOTE : SMOTE from the support vectors of an SVM.
    KMeansSMOTE : SMOTE inside the clusters where the class is frequent.
    ADASYN : Adaptive number of new samples per row.
    RandomOverSampler : Copy rows instead of interpolating.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    Categorical features need :class:`SMOTENC` or :class:`SMOTEN`: SMOTE
    treats every feature as continuous. Integer X gives floating new rows.
    For multi-class targets each class is over-sampled on its own
    (one-vs-rest), as in [1]_.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       synthetic minority over-sampling technique", Journal of Artificial
       Intelligence Research, 16, pp. 321-357, 2002.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.over_sampling import SMOTE
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=10)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 449), (1, 51)]
    >>> smote = SMOTE(random_state=42)
    >>> X_res, y_res = smote.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 449), (1, 449)]
    >>> smote.engine_, smote.provenance_.n_synthetic
    ('sklearn+array_api', 398)
    """

    def __init__(self, *, sampling_strategy="auto", random_state=None, k_neighbors=5):
        super().__init__(sampling_strategy=sampling_strategy,
                         random_state=random_state, k_neighbors=k_neighbors)

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        self._validate_estimator(ctx)
        out = SyntheticBlocks(X, y)
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            class_indices = flatnonzero(xp, y == python_scalar(klass))
            X_class = take_rows(X, class_indices)
            nns = self._fit_neighbors(self.nn_k_, X_class, ctx=ctx)
            X_new, y_new, (rows, nbrs, steps) = self._make_samples(
                X_class, y.dtype, klass, X_class, nns, n_samples, 1.0, ctx=ctx)
            out.add(X_new, y_new, self._global(ctx, class_indices, rows),
                    self._global(ctx, class_indices, nbrs), steps)
        return out.result(self, ctx)


class SMOTENC(SMOTE):
    """Over-sample data with continuous and categorical features (SMOTE-NC).

    Continuous features are interpolated as in :class:`SMOTE`. Each
    categorical feature of a new row takes the category that is most frequent
    among the ``k_neighbors`` neighbours of its base row (ties broken at
    random, as imbalanced-learn does). To find neighbours, the categorical
    features are one-hot encoded and a differing category counts as the
    median standard deviation of the class's continuous features, so both
    kinds of features weigh in.

    Read more in imbalanced-learn's user guide on SMOTE-NC.

    Parameters
    ----------
    categorical_features : "auto" or array-like of int, str or bool
        Which features are categorical: their positions, their column names
        (when X is a DataFrame), a boolean mask over the features, or
        ``"auto"``: the DataFrame columns of category, string or object dtype
        (imbalanced-learn only looks at category dtype; string columns such as
        a CSV file's are categorical here too). At least one feature must be
        categorical and at least one continuous.
    categorical_encoder : estimator object, default=None
        One-hot encoder applied to the categorical features to measure
        distances; it must expose ``categories_`` once fitted. ``None`` uses
        scikit-learn's ``OneHotEncoder(handle_unknown="ignore")``.
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
    k_neighbors : int or estimator object, default=5
        How many nearest neighbours of the same class a new sample may be
        drawn towards. An int asks the engine for exact neighbours (ties
        broken by row order); an object with ``kneighbors`` and
        ``kneighbors_graph`` (e.g. scikit-learn's ``NearestNeighbors``) is used
        as it is, its own ``n_neighbors`` counting the sample itself.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to add to each targeted class.
    nn_k_ : estimator object
        The nearest-neighbours estimator built from ``k_neighbors``.
    categorical_encoder_ : estimator object
        The fitted encoder of the categorical features.
    categorical_features_ : ndarray of shape (n_cat_features,), dtype=int64
        Positions of the categorical features.
    continuous_features_ : ndarray of shape (n_cont_features,), dtype=int64
        Positions of the continuous features.
    median_std_ : dict
        Median standard deviation of the continuous features, per
        over-sampled class: the distance a differing category counts for.
    provenance_ : SyntheticProvenance
        Where each synthetic row came from: ``n_original`` (the original rows
        come first in the output), then per synthetic row the ``base_indices``
        it grew from, the ``neighbor_indices`` it moved towards and the
        interpolation ``steps``, all indices of the X given to ``fit_resample``.
        :func:`gpuimb.plotting.scatter_resampling` draws them.
        The continuous features follow the interpolation; the categories are voted.
    n_features_ : int
        Number of features.
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
    SMOTE : For continuous features only.
    SMOTEN : For categorical features only.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    The categorical vote works on integer codes: memory is O(n_new * k) per
    feature, never the (n_new, k, n_categories) one-hot tensor. Categorical
    columns keep their values and dtype in the output DataFrame.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       synthetic minority over-sampling technique", Journal of Artificial
       Intelligence Research, 16, pp. 321-357, 2002.

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> import pandas as pd
    >>> from gpuimb.over_sampling import SMOTENC
    >>> rng = np.random.RandomState(0)
    >>> X = pd.DataFrame({"amount": rng.randn(60),
    ...                   "region": rng.choice(["north", "south"], 60)})
    >>> y = np.array([0] * 50 + [1] * 10)
    >>> smote_nc = SMOTENC(categorical_features=["region"], random_state=0)
    >>> X_res, y_res = smote_nc.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 50), (1, 50)]
    >>> sorted(set(X_res["region"]))
    ['north', 'south']
    >>> auto = SMOTENC(categorical_features="auto", random_state=0)
    >>> _ = auto.fit_resample(X, y)
    >>> auto.categorical_features_.tolist()
    [1]
    """

    _required_parameters = ["categorical_features"]

    _parameter_constraints: dict = {
        **SMOTE._parameter_constraints,
        "categorical_features": ["array-like", StrOptions({"auto"})],
        "categorical_encoder": [
            HasMethods(["fit_transform", "inverse_transform"]),
            None,
        ],
    }
    _allow_nan = True
    _allow_non_numeric = True

    def __init__(self, categorical_features, *, categorical_encoder=None,
                 sampling_strategy="auto", random_state=None, k_neighbors=5):
        super().__init__(sampling_strategy=sampling_strategy,
                         random_state=random_state, k_neighbors=k_neighbors)
        self.categorical_features = categorical_features
        self.categorical_encoder = categorical_encoder

    def _check_X_y(self, X, y):
        from sklearn.utils.validation import (
            _num_samples,
            check_array,
            check_consistent_length,
            validate_data,
        )

        from gpuimb.utils._validation import check_target_type

        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        n_samples = _num_samples(X)
        if n_samples < 1:
            raise ValueError(
                f"Found array with {n_samples} sample(s) while a minimum of 1 is "
                "required."
            )
        self._check_auto_needs_dataframe(X)
        if not _is_dataframe(X):
            X = check_array(X, dtype=None, accept_sparse=["csr", "csc"],
                            ensure_all_finite=False)
        # skip_check_array skips the length check too (imbalanced-learn then
        # resamples mismatched X and y silently).
        check_consistent_length(X, y)
        validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
        return X, y, binarize_y

    def _make_context(self, X):
        if _is_dataframe(X):
            return super()._make_context(np.empty((0, 0)))
        return super()._make_context(X)

    def _check_auto_needs_dataframe(self, X):
        if isinstance(self.categorical_features, str) and \
                self.categorical_features == "auto" and not _is_dataframe(X):
            raise ValueError(
                "When `categorical_features='auto'`, the input data "
                f"should be a pandas.DataFrame. Got {type(X)} instead."
            )

    def _validate_column_types(self, X):
        if isinstance(self.categorical_features, str) and \
                self.categorical_features == "auto":
            self._check_auto_needs_dataframe(X)
            import pandas as pd

            # Category columns as in imbalanced-learn, and string columns (a CSV's).
            is_cat = np.array([isinstance(t, (pd.CategoricalDtype, pd.StringDtype))
                               or t.kind == "O" for t in X.dtypes], dtype=bool)
            self.categorical_features_ = np.flatnonzero(is_cat)
            self.continuous_features_ = np.flatnonzero(~is_cat)
        else:
            from sklearn.utils._indexing import _get_column_indices

            self.categorical_features_ = np.array(
                _get_column_indices(X, self.categorical_features))
            self.continuous_features_ = np.setdiff1d(np.arange(self.n_features_),
                                                     self.categorical_features_)

    def _validate_estimator(self, ctx):
        super()._validate_estimator(ctx)
        if self.categorical_features_.size == self.n_features_in_:
            raise ValueError(
                "SMOTE-NC is not designed to work only with categorical "
                "features. It requires some numerical features."
            )
        if self.categorical_features_.size == 0:
            raise ValueError(
                "SMOTE-NC is not designed to work only with numerical "
                "features. It requires some categorical features."
            )

    def _encode(self, X_categorical, dtype, ctx):
        """Fit the encoder; return integer codes (n, n_cat_features) in xp."""
        from sklearn.preprocessing import OneHotEncoder

        xp = ctx.xp
        if self.categorical_encoder is None:
            self.categorical_encoder_ = OneHotEncoder(handle_unknown="ignore",
                                                      dtype=dtype)
        else:
            self.categorical_encoder_ = clone(self.categorical_encoder)
        if not ctx.on_host and self.categorical_encoder is None and \
                not is_sparse(X_categorical):
            return encode_on_device(X_categorical, self.categorical_encoder_, xp)[0]
        host = X_categorical
        if not ctx.on_host:
            host = to_host(X_categorical.toarray() if is_sparse(X_categorical)
                           else X_categorical)
        elif sp.issparse(host):
            host = host.toarray()
        X_ohe = self.categorical_encoder_.fit_transform(host)
        n_categories = sum(c.size for c in self.categorical_encoder_.categories_)
        if X_ohe.shape[1] != n_categories:
            raise ValueError(
                "SMOTENC requires a one-hot encoding with one column per category "
                "for the categorical features. The provided `categorical_encoder` "
                f"produced {X_ohe.shape[1]} columns for {n_categories} categories. "
                "This happens when the encoder drops columns (e.g. "
                "`OneHotEncoder(drop=...)`) or merges infrequent categories, which "
                "is not supported. Pass an encoder that keeps all categories, such "
                "as `OneHotEncoder(handle_unknown='ignore')`."
            )
        codes = _codes_from_onehot(X_ohe, self._offsets())
        return ctx.asarray(codes, dtype=xp.int64)

    def _offsets(self):
        sizes = [c.size for c in self.categorical_encoder_.categories_]
        return np.concatenate([[0], np.cumsum(sizes)]).astype(np.int64)

    def _decode(self, codes, ctx):
        """Categorical values of integer codes (through the encoder on host)."""
        from sklearn.preprocessing import OneHotEncoder

        if ctx.on_host and type(self.categorical_encoder_) is OneHotEncoder:
            # What its inverse_transform returns for complete one-hot rows, without
            # its per-row sparse argmax (slow on hundreds of thousands of rows).
            host_codes = np.asarray(codes)
            categories = self.categorical_encoder_.categories_
            decoded = np.empty(host_codes.shape,
                               dtype=np.result_type(*[c.dtype for c in categories]))
            for f, cats in enumerate(categories):
                decoded[:, f] = cats[host_codes[:, f]]
            return decoded
        if ctx.on_host or self.categorical_encoder is not None:
            host_codes = np.asarray(to_host(codes))
            onehot = _onehot_from_codes(host_codes, self._offsets(), np.float64)
            decoded = self.categorical_encoder_.inverse_transform(onehot)
            return decoded if ctx.on_host else ctx.asarray(decoded)
        return decode_on_device(codes, self.categorical_encoder_.categories_, ctx)

    def _encoded_class_matrix(self, X_cont_class, codes_class, unit, dtype, ctx):
        """[continuous | one-hot * unit] rows of one class, for the kNN search."""
        xp = ctx.xp
        sizes = [c.size for c in self.categorical_encoder_.categories_]
        if ctx.on_host and ctx.engine.accepts_sparse:
            onehot = _onehot_from_codes(np.asarray(codes_class), self._offsets(),
                                        dtype)
            onehot.data[:] = unit
            return sp.hstack((X_cont_class, onehot), format="csr", dtype=dtype)
        return xp.concat([xp.astype(X_cont_class, dtype),
                          _dense_onehot(xp, codes_class, sizes, unit, dtype,
                                        ctx.device)], axis=1)

    def _fit_resample(self, X, y, ctx):
        from sklearn.utils.validation import _num_features, check_array

        xp = ctx.xp
        self.n_features_ = _num_features(X)
        self._validate_column_types(X)
        self._validate_estimator(ctx)

        X_cont = _select_columns(X, self.continuous_features_, ctx)
        if ctx.on_host:
            X_cont = check_array(X_cont, accept_sparse=["csr", "csc"])
        else:
            # NaN is allowed in the categorical columns only, as on the host.
            from gpuimb.utils._validation import _check_array_xp

            _check_array_xp(X_cont, allow_nan=False, accept_sparse=False)
        X_cat = _select_columns(X, self.categorical_features_, ctx)
        dtype = X_cont.dtype
        dtype_name = getattr(dtype, "name", str(dtype))
        if dtype_name == "object":
            dtype = np.float64
        codes = self._encode(X_cat, dtype if ctx.on_host else np.float64, ctx)

        self.median_std_ = {}
        cont_blocks, code_blocks, y_blocks, parts = [X_cont], [codes], [y], []
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            class_indices = flatnonzero(xp, y == python_scalar(klass))
            X_cont_class = take_rows(X_cont, class_indices)
            codes_class = xp.take(codes, class_indices, axis=0)
            median_std = self._median_std(X_cont_class, ctx)
            self.median_std_[klass] = median_std
            # A differing category adds median_std**2 to the squared distance
            # (two one-hot entries of median_std / sqrt(2) each).
            if ctx.on_host:
                unit = np.asarray(median_std / np.sqrt(2)).astype(dtype).item()
            else:
                unit = float(median_std / np.sqrt(2))
            enc_dtype = dtype if ctx.on_host else X_cont.dtype
            X_enc = self._encoded_class_matrix(X_cont_class, codes_class, unit,
                                               enc_dtype, ctx)
            nns = xp.astype(self._fit_neighbors(self.nn_k_, X_enc, ctx=ctx), xp.int64)
            X_new, y_new, (rows, nbrs, steps) = self._make_samples(
                X_cont_class, y.dtype, klass, X_cont_class, nns, n_samples, 1.0,
                ctx=ctx)
            vote_unit = 1.0 if math.isclose(median_std, 0) else unit
            rng = ctx.random_state(self.random_state)
            neighbor_rows = xp.take(nns, rows, axis=0)
            new_codes = []
            for f, cats in enumerate(self.categorical_encoder_.categories_):
                neighbor_codes = xp.reshape(
                    xp.take(codes_class[:, f], xp.reshape(neighbor_rows, (-1,))),
                    neighbor_rows.shape)
                new_codes.append(_vote_with_random_ties(
                    xp, neighbor_codes, int(cats.size), vote_unit, rng, ctx)[:, None])
            cont_blocks.append(X_new)
            code_blocks.append(xp.concat(new_codes, axis=1))
            y_blocks.append(y_new)
            parts.append((self._global(ctx, class_indices, rows),
                          self._global(ctx, class_indices, nbrs), steps))
        self._set_provenance(int(X_cont.shape[0]), parts, ctx)

        cont_all = vstack(cont_blocks, like=X_cont)
        cat_all = self._decode(xp.concat(code_blocks, axis=0), ctx)
        order = np.argsort(np.hstack((self.continuous_features_,
                                      self.categorical_features_)))
        if is_sparse(cont_all):
            stacked = sp.hstack((cont_all, cat_all), format="csr")
            X_res = stacked[:, order]
        elif ctx.on_host:
            X_res = np.hstack((cont_all, cat_all))[:, order]
        else:
            X_res = xp.take(xp.concat([cont_all, xp.astype(cat_all, cont_all.dtype)],
                                      axis=1),
                            ctx.asarray(order, dtype=xp.int64), axis=1)
        return X_res, xp.concat(y_blocks)

    @staticmethod
    def _median_std(X_cont_class, ctx):
        xp = ctx.xp
        if is_sparse(X_cont_class):
            if ctx.on_host:
                from sklearn.utils.sparsefuncs import mean_variance_axis

                var = mean_variance_axis(sp.csr_matrix(X_cont_class), axis=0)[1]
            else:
                mean = X_cont_class.mean(axis=0).ravel()
                var = X_cont_class.multiply(X_cont_class).mean(axis=0).ravel() - \
                    mean * mean
            return np.float64(np.median(np.sqrt(np.asarray(to_host(var)))))
        values = X_cont_class
        if not xp.isdtype(values.dtype, "real floating"):
            values = xp.astype(values, xp.float64)
        std = xp.sqrt(xp.var(values, axis=0))
        return np.median(np.asarray(to_host(std)))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.sparse = False
        tags.input_tags.string = True
        return tags


def _is_dataframe(X):
    return type(X).__module__.split(".")[0] == "pandas" and getattr(X, "ndim", 0) == 2


class SMOTEN(SMOTE):
    """Over-sample purely categorical data (SMOTE-N).

    Neighbours are found with the value difference metric (VDM): two
    categories of a feature are close when the classes are distributed alike
    among the rows that have them. Each feature of a new row takes the most
    frequent category among a random row of the class and its
    ``k_neighbors`` nearest neighbours of the class. Every feature is treated
    as categorical (strings or numbers).

    Read more in imbalanced-learn's user guide on SMOTE-N.

    Parameters
    ----------
    categorical_encoder : estimator object, default=None
        Ordinal encoder turning each feature's categories into integer codes;
        ``None`` uses scikit-learn's ``OrdinalEncoder(dtype=np.int32)``.
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
    k_neighbors : int or estimator object, default=5
        How many nearest neighbours vote on the categories of a new row. An
        object with ``kneighbors`` and ``kneighbors_graph`` is used as it is,
        given the precomputed VDM distances (its ``n_neighbors`` counts the row
        itself).

    Attributes
    ----------
    categorical_encoder_ : estimator object
        The fitted ordinal encoder.
    sampling_strategy_ : dict
        Number of samples to add to each targeted class.
    nn_k_ : estimator object
        The nearest-neighbours estimator built from ``k_neighbors``.
    provenance_ : SyntheticProvenance
        For each synthetic row, the row whose neighbourhood voted it
        (``base_indices``); ``neighbor_indices`` is -1 and ``steps`` NaN, as
        nothing is interpolated.
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
    SMOTENC : For data mixing categorical and continuous features.
    SMOTE : For continuous features only.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    With an integer ``k_neighbors`` the VDM neighbours are found tile by tile
    from per-feature category distance tables: no n x n matrix is built.

    References
    ----------
    .. [1] N. V. Chawla, K. W. Bowyer, L. O. Hall and W. P. Kegelmeyer, "SMOTE:
       synthetic minority over-sampling technique", Journal of Artificial
       Intelligence Research, 16, pp. 321-357, 2002.

    Examples
    --------
    >>> from collections import Counter
    >>> import numpy as np
    >>> from gpuimb.over_sampling import SMOTEN
    >>> X = np.array(["A"] * 10 + ["B"] * 20 + ["C"] * 30, dtype=object).reshape(-1, 1)
    >>> y = np.array([0] * 20 + [1] * 40, dtype=np.int32)
    >>> X_res, y_res = SMOTEN(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 40), (1, 40)]
    >>> sorted(Counter(X_res[y_res == 0, 0].tolist()).items())
    [('A', 22), ('B', 18)]
    """

    _parameter_constraints: dict = {
        **SMOTE._parameter_constraints,
        "categorical_encoder": [
            HasMethods(["fit_transform", "inverse_transform"]),
            None,
        ],
    }
    _allow_non_numeric = True

    def __init__(self, categorical_encoder=None, *, sampling_strategy="auto",
                 random_state=None, k_neighbors=5):
        super().__init__(sampling_strategy=sampling_strategy,
                         random_state=random_state, k_neighbors=k_neighbors)
        self.categorical_encoder = categorical_encoder

    def _check_X_y(self, X, y):
        from sklearn.utils.validation import validate_data

        from gpuimb.utils._validation import check_target_type

        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X, y = validate_data(self, X=X, y=y, reset=True, dtype=None,
                             accept_sparse=["csr", "csc"])
        return X, y, binarize_y

    def _validate_estimator(self, ctx):
        super()._validate_estimator(ctx)
        try:
            self.nn_k_.set_params(metric="precomputed")
        except (AttributeError, ValueError):
            pass

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        sparse_format = None
        if is_sparse(X):
            sparse_format = X.format
            X = X.toarray()
            warnings.warn(
                "Passing a sparse matrix to SMOTEN is not really efficient since it"
                " is converted to a dense array internally.",
                DataConversionWarning,
            )
        self._validate_estimator(ctx)
        codes, sizes = self._encode(X, ctx)
        tables = vdm_tables(codes, y, sizes, ctx)

        X_blocks, y_blocks, parts = [X], [y], []
        for klass, n_samples in self.sampling_strategy_.items():
            if n_samples == 0:
                continue
            class_indices = flatnonzero(xp, y == python_scalar(klass))
            codes_class = xp.take(codes, class_indices, axis=0)
            nn_indices = vdm_neighbors(codes_class, tables, self.k_neighbors, self.nn_k_,
                                       ctx)
            random_state = ctx.random_state(self.random_state)
            drawn = ctx.asarray(
                random_state.choice(np.arange(int(codes_class.shape[0])),
                                    size=n_samples, replace=True), dtype=xp.int64)
            voters = xp.take(nn_indices, drawn, axis=0)
            votes = xp.take(codes_class, xp.reshape(voters, (-1,)), axis=0)
            votes = xp.reshape(votes, (voters.shape[0], voters.shape[1], len(sizes)))
            X_blocks.append(self._decode(most_frequent_per_feature(xp, votes), ctx))
            y_blocks.append(xp.full((n_samples,), python_scalar(klass), dtype=y.dtype,
                                    device=ctx.device))
            base = self._global(ctx, class_indices, drawn)
            parts.append((base, xp.full(base.shape, -1, dtype=xp.int64,
                                        device=ctx.device),
                          xp.full(base.shape, float("nan"), dtype=xp.float64,
                                  device=ctx.device)))
        self._set_provenance(int(X.shape[0]), parts, ctx)
        if ctx.on_host:
            X_res = np.vstack(X_blocks)
        else:
            X_res = xp.concat([xp.astype(b, X.dtype) for b in X_blocks], axis=0)
        if sparse_format is not None:
            X_res = sp.csr_matrix(X_res) if sparse_format == "csr" else \
                sp.csc_matrix(X_res)
        return X_res, xp.concat(y_blocks)

    def _encode(self, X, ctx):
        from sklearn.preprocessing import OrdinalEncoder

        xp = ctx.xp
        if self.categorical_encoder is None:
            self.categorical_encoder_ = OrdinalEncoder(dtype=np.int32)
        else:
            self.categorical_encoder_ = clone(self.categorical_encoder)
        if ctx.on_host or self.categorical_encoder is not None:
            encoded = self.categorical_encoder_.fit_transform(to_host(X))
            sizes = [len(c) for c in self.categorical_encoder_.categories_]
            return ctx.asarray(np.asarray(encoded, dtype=np.int64)), sizes
        return encode_on_device(X, self.categorical_encoder_, xp)

    def _decode(self, codes, ctx):
        if ctx.on_host or self.categorical_encoder is not None:
            host = np.asarray(to_host(codes))
            dtype = getattr(self.categorical_encoder_, "dtype", np.int32)
            decoded = self.categorical_encoder_.inverse_transform(host.astype(dtype))
            return decoded if ctx.on_host else ctx.asarray(decoded)
        return decode_on_device(codes, self.categorical_encoder_.categories_, ctx)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        return tags

