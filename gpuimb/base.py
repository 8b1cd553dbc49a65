"""The sampler contract: ``fit``, ``fit_resample`` and the ``_fit_resample`` template.

``fit_resample`` does everything that is the same for every sampler: unwrap the
caller's container, validate X and y, compute ``sampling_strategy_``, build the
:class:`SamplingContext`, call the sampler's ``_fit_resample`` and wrap the
result back into the caller's container type.
"""

import logging
import time
from abc import ABCMeta, abstractmethod
from dataclasses import dataclass, field, fields

import numpy as np
import scipy.sparse as sp
from sklearn import config_context as sklearn_config
from sklearn.base import BaseEstimator, OneToOneFeatureMixin
from sklearn.preprocessing import label_binarize
from sklearn.utils import check_random_state
from sklearn.utils._tags import InputTags, Tags, TargetTags
from sklearn.utils.validation import (
    check_consistent_length,
    check_is_fitted,
    validate_data,
)

from gpuimb import _io
from gpuimb._config import get_config
from gpuimb.utils._array_api import (
    device_of,
    device_scope,
    get_namespace,
    is_host_namespace,
    is_sparse,
    take_rows,
    to_host,
    to_namespace,
)
from gpuimb.utils._validation import (
    _check_array_xp,
    _check_host_X_loose,
    _check_target_xp,
    _is_device_or_array_api,
    _plain_numeric_X_y,
    check_neighbors_object,
    check_sampling_strategy,
    check_target_type,
)


def _register_fit_resample_with_metadata_routing():
    """Make ``fit_resample`` a method scikit-learn's metadata routing knows.

    Pipelines route metadata to it, and estimators with an explicit
    ``fit_resample(X, y, some_metadata=None)`` get ``set_fit_resample_request``.
    This extends scikit-learn's module-level method lists, as imbalanced-learn
    does too (hard to avoid: routing validates method names against them); it
    must run before the sampler classes are created.
    """
    from sklearn.utils import _metadata_requests

    for names in (_metadata_requests.SIMPLE_METHODS, _metadata_requests.METHODS):
        if "fit_resample" not in names:
            names.append("fit_resample")


_register_fit_resample_with_metadata_routing()

# One INFO line per fit_resample (sampler, engine, device, rows, seconds); see README.
logger = logging.getLogger("gpuimb")


@dataclass(slots=True)
class SamplerTags:
    """Sampler-specific tags (same meaning as imbalanced-learn's).

    Parameters
    ----------
    sample_indices : bool, default=False
        Whether the sampler exposes ``sample_indices_`` after resampling.
    """

    sample_indices: bool = False


@dataclass(slots=True)
class SamplerInputTags(InputTags):
    """scikit-learn input tags plus ``dataframe``, as imbalanced-learn has them."""

    dataframe: bool = True


@dataclass(slots=True)
class SamplerEstimatorTags(Tags):
    """scikit-learn tags plus ``sampler_tags``, as imbalanced-learn reads them."""

    sampler_tags: SamplerTags | None = field(default_factory=SamplerTags)


@dataclass
class SamplingContext:
    """What a sampler needs to know about the data it runs on.

    Attributes
    ----------
    xp : module
        Array namespace of X and y.
    device : object
        Device of X (``"cpu"`` on the host).
    sparse : bool
        Whether X is a sparse matrix.
    backend : str
        The configured backend (``"auto"`` or an engine name).
    """

    xp: object
    device: object
    sparse: bool = False
    backend: str = "auto"
    _engine: object = None
    # Set by samplers made of other samplers (SMOTEENN...) to report their parts.
    engine_used: str | None = None
    # Estimators shown fitted, their fits put off to the end (see fit_exposed).
    _exposed: dict = field(default_factory=dict)

    @property
    def engine(self):
        """The engine answering kNN, k-means and classifier requests (lazy)."""
        if self._engine is None:
            from gpuimb._backends import get_engine

            self._engine = get_engine(self.xp, sparse=self.sparse, backend=self.backend)
        return self._engine

    @property
    def engine_name(self):
        """What answered the sampler's requests: engine names joined by ``+``
        in order of first use (``"sklearn-host"`` for a classifier run on a
        host copy), or the array namespace's name when no engine was needed."""
        if self.engine_used is not None:
            return self.engine_used
        if self._engine is not None and self._engine.ran:
            return "+".join(self._engine.ran)
        return "scipy.sparse" if self.sparse and self.on_host else _short_name(self.xp)

    @property
    def on_host(self):
        """True when the data is numpy or scipy.sparse."""
        return is_host_namespace(self.xp)

    def neighbors(self, nn_name, nn_object, additional_neighbor=0):
        """Return an unfitted neighbours estimator that accepts and returns ``xp``."""
        nn = check_neighbors_object(nn_name, nn_object, additional_neighbor,
                                    engine=self.engine)
        return self.adapt(nn)

    def nearest_indices(self, nn, X_index, X_query=None, *, k=None):
        """Indices of the nearest ``X_index`` rows of each ``X_query`` row.

        ``nn`` is already fitted on ``X_index``; ``X_query`` defaults to
        ``X_index`` (each row then finds itself, as with scikit-learn). An
        integer ``k`` (the user asked for a number of neighbours) lets the
        engine answer: exact, ties in (distance, index) order, on the fastest
        search it has. ``k=None`` (a user's estimator) asks ``nn``.
        """
        query = X_index if X_query is None else X_query
        if k is None:
            return nn.kneighbors(query, return_distance=False)
        if k > X_index.shape[0]:
            # Too few rows: the estimator raises scikit-learn's own message
            # (fitted now: its fit may have been put off, see fit_exposed).
            return nn.fit(X_index).kneighbors(query, return_distance=False)
        return self.engine.kneighbors(X_index, query, k=k, exclude_self=False,
                                      return_distance=False)

    def fit_exposed(self, estimator, X, y=None, *, queried=False):
        """Fit an estimator the sampler exposes fitted, as imbalanced-learn does.

        An estimator the sampler queries, or one the user gave, is fitted at
        once (``queried=True``). One the sampler made while the engine answers
        the searches (``queried=False``: the user gave an integer) is only
        shown: its fit waits for :meth:`expose` at the end of the call, and
        only its last fit runs (ADASYN fits its ``nn_`` on X and then on each
        class; the caller sees the last). A scikit-learn neighbours estimator on
        the host is then fitted without building its tree (scikit-learn's
        brute-force index only stores the data, up to a few milliseconds less
        on low-dimensional data), its ``algorithm`` parameter, which
        ``get_params`` and ``clone`` read, left as it was. Returns
        ``estimator``.
        """
        if queried:
            return estimator.fit(X) if y is None else estimator.fit(X, y)
        self._exposed[id(estimator)] = (estimator, X, y)
        return estimator

    def expose(self):
        """Run the fits :meth:`fit_exposed` put off, once per estimator."""
        exposed, self._exposed = self._exposed, {}
        if not exposed:
            return
        # Our own estimators with our own parameters, on validated (finite)
        # data: scikit-learn's checks of both would only cost time.
        with sklearn_config(assume_finite=True, skip_parameter_validation=True):
            for estimator, X, y in exposed.values():
                self._fit_shown(estimator, X, y)

    def _fit_shown(self, estimator, X, y):
        algorithm = getattr(estimator, "algorithm", None)
        store_only = (self.on_host and algorithm == "auto"
                      and type(estimator).__module__.startswith("sklearn.neighbors"))
        if store_only:
            # A plain attribute: set_params would validate every parameter.
            estimator.algorithm = "brute"
        try:
            estimator.fit(X) if y is None else estimator.fit(X, y)
        finally:
            if store_only:
                estimator.algorithm = algorithm

    def adapt(self, estimator):
        """Wrap a user estimator so that it takes and gives arrays in ``xp``."""
        if self.on_host and type(estimator).__module__.startswith("sklearn"):
            return estimator
        from gpuimb._backends import adapt_estimator

        return adapt_estimator(estimator, self.xp)

    def asarray(self, values, dtype=None):
        """``values`` (host draws, indices, estimator outputs) next to X: in
        ``xp``, on X's device (:func:`~gpuimb.utils._array_api.to_namespace`)."""
        return to_namespace(values, self.xp, self.device, dtype=dtype)

    @staticmethod
    def random_state(seed):
        """The host ``RandomState`` all random draws come from."""
        return check_random_state(seed)


def _short_name(xp):
    name = getattr(xp, "__name__", str(xp))
    return name.replace("array_api_compat.", "")


class SamplerMixin(metaclass=ABCMeta):
    """Mixin giving samplers ``fit`` and ``fit_resample``.

    Subclasses implement ``_fit_resample(X, y, ctx, **params)``, where X and y are
    validated arrays of one namespace and ``ctx`` is a :class:`SamplingContext`.
    """

    _estimator_type = "sampler"

    def fit(self, X, y, **params):
        """Check inputs and compute ``sampling_strategy_``.

        Use ``fit_resample`` to resample; ``fit`` exists for API compatibility.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Data array.
        y : array-like of shape (n_samples,)
            Target array.
        **params : dict
            Unused, kept for compatibility.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        self._validate_params()
        if not self._validates_input():
            return self._set_strategy_unvalidated(y)
        if "dask" in (_io.container_kind(X), _io.container_kind(y)):
            from gpuimb.dask._driver import fit_dask

            return fit_dask(self, X, y)
        y_info = self._check_inputs(X, y)[3]
        self.sampling_strategy_ = _io.decode_labels(self.sampling_strategy_, y_info)
        return self

    def fit_resample(self, X, y, **params):
        """Resample the dataset.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Data to resample: numpy, list, pandas, scipy.sparse, CuPy, cupyx
            sparse, cuDF or torch.
        y : array-like of shape (n_samples,)
            Labels of X, in a container of the same family.
        **params : dict
            Extra parameters for the sampler.

        Returns
        -------
        X_resampled : {array-like, dataframe, sparse matrix}
            Resampled data, in the caller's container type and on its device.
        y_resampled : array-like of shape (n_samples_new,)
            Labels of ``X_resampled``, in the caller's container type.
        """
        start = time.perf_counter()
        self._validate_params()
        if not self._validates_input():
            self._set_strategy_unvalidated(y)
            return self._fit_resample(X, y, None, **params)
        if "dask" in (_io.container_kind(X), _io.container_kind(y)):
            from gpuimb.dask._driver import fit_resample_dask

            return fit_resample_dask(self, X, y, **params)
        X_arr, y_arr, x_info, y_info, binarize_y = self._check_inputs(X, y)
        ctx = self._make_context(X_arr)
        with device_scope(X_arr):
            output = self._fit_resample(X_arr, y_arr, ctx, **params)
            ctx.expose()
        self.engine_ = ctx.engine_name
        self.sampling_strategy_ = _io.decode_labels(self.sampling_strategy_, y_info)
        _log_resampling(self, ctx, X_arr.shape[0], output[0], start)

        X_res, y_res = output[0], output[1]
        if binarize_y:
            y_res = _one_hot(y_res, y_arr)
        X_out = _io.wrap(X_res, x_info)
        if x_info.kind == "pandas_dataframe" and self._preserves_dataframe_index:
            X_out.index = X.index[to_host(self.sample_indices_)]
        y_out = _io.wrap(y_res, y_info, index_like=X_out)
        return (X_out, y_out) if len(output) == 2 else (X_out, y_out, output[2])

    def resample_metadata(self, **metadata):
        """Resample per-row metadata the way the last ``fit_resample`` resampled X.

        Each output row takes the value of the input row it came from: kept and
        duplicated rows their own, a synthetic row (SMOTE family, ADASYN) that of
        the row it was generated from (``provenance_.base_indices``). So a
        synthetic sample's weight is its base sample's weight.
        :class:`~gpuimb.pipeline.Pipeline` does this for the steps after a
        sampler.

        Parameters
        ----------
        **metadata : array-like of shape (n_samples, ...)
            Per-row values of the rows given to the last ``fit_resample``
            (``sample_weight``, ``groups``...): NumPy or device arrays, lists or
            pandas objects.

        Returns
        -------
        resampled : dict
            The same names, each with one entry per output row (pandas objects
            keep the index labels of the rows they come from).

        Raises
        ------
        ValueError
            When the sampler does not know where its output rows came from
            (ClusterCentroids makes new rows; a FunctionSampler's function may
            do anything).
        """
        check_is_fitted(self, "sampling_strategy_")
        origin = self._row_origin()
        if origin is None:
            raise ValueError(
                f"{type(self).__name__} cannot resample metadata with its rows: it "
                "does not record where its output rows come from (no "
                "sample_indices_ or provenance_ after fit_resample)."
            )
        return {name: _take_per_row(value, origin) for name, value in metadata.items()}

    def _row_origin(self):
        """Input row behind each output row of the last ``fit_resample``, or None."""
        provenance = getattr(self, "provenance_", None)
        if provenance is not None:
            xp = get_namespace(provenance.base_indices)
            kept = xp.arange(provenance.n_original, dtype=xp.int64,
                             device=device_of(provenance.base_indices))
            return xp.concat([kept, xp.astype(provenance.base_indices, xp.int64)])
        return getattr(self, "sample_indices_", None)

    def _check_inputs(self, X, y):
        """Unwrap, align and validate X and y, and set ``sampling_strategy_``
        (keyed by encoded labels); return ``(X, y, x_info, y_info, binarize_y)``."""
        X, x_info = _io.unwrap(X)
        y, y_info = _io.unwrap(y)
        X, y = _io.align(X, x_info, y, y_info)
        X, y, binarize_y = self._validate_X_y(X, y, x_info=x_info)
        self.sampling_strategy_ = check_sampling_strategy(
            _io.encode_labels(self.sampling_strategy, y_info), y, self._sampling_type
        )
        return X, y, x_info, y_info, binarize_y

    def _validates_input(self):
        """Template hook: False hands X and y to ``_fit_resample`` untouched
        (no unwrapping, validation, context or re-wrapping; ``ctx`` is None)."""
        return True

    def _set_strategy_unvalidated(self, y):
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        return self

    def _make_context(self, X):
        xp = get_namespace(X)
        return SamplingContext(xp=xp, device=device_of(X), sparse=is_sparse(X),
                               backend=get_config()["backend"])

    def _validate_X_y(self, X, y, x_info=None):
        """Validate X and y in their own namespace; return (X, y, binarize_y)."""
        if _is_device_or_array_api(X) or _is_device_or_array_api(y):
            return self._check_X_y_xp(X, y, x_info)
        return self._check_X_y(X, y)

    @abstractmethod
    def _fit_resample(self, X, y, ctx, **params):
        """Resample validated arrays; return ``(X_resampled, y_resampled)``."""


def _log_resampling(sampler, ctx, n_in, X_res, start):
    """Log which engine and device resampled how many rows, and how long it took."""
    if logger.isEnabledFor(logging.INFO):
        n_out = X_res.shape[0] if hasattr(X_res, "shape") else len(X_res)
        logger.info("%s: engine=%s device=%s rows %d -> %d in %.3f s",
                    type(sampler).__name__, ctx.engine_name, ctx.device, n_in, n_out,
                    time.perf_counter() - start)


def _take_per_row(value, origin):
    """Rows ``origin`` of one metadata value (pandas, list, NumPy or device array)."""
    if hasattr(value, "iloc"):
        return value.iloc[to_host(origin)]
    if sp.issparse(value):
        return value[to_host(origin)]
    if isinstance(value, (list, tuple)) or not hasattr(value, "shape"):
        value = np.asarray(value)
    xp = get_namespace(value)
    if is_host_namespace(xp):
        return np.asarray(value)[to_host(origin)]
    origin = to_namespace(origin, xp, device_of(value))
    return xp.take(value, origin, axis=0)


def _one_hot(y_res, y):
    """Encode labels back as the one-hot target the caller passed."""
    xp = get_namespace(y_res)
    if is_host_namespace(xp):
        return label_binarize(y_res, classes=np.unique(y))
    classes = xp.unique_values(y)
    return xp.astype(y_res[:, None] == classes[None, :], xp.int64)


class BaseSampler(SamplerMixin, OneToOneFeatureMixin, BaseEstimator):
    """Base class for the samplers.

    Parameters
    ----------
    sampling_strategy : float, str, dict, list or callable, default="auto"
        Which classes to resample and to what size (see each sampler).
    """

    # Subclasses set this to "over-sampling", "under-sampling" or "clean-sampling".
    _sampling_type = "bypass"
    # Host validation options; samplers that accept NaN or strings override them.
    _accept_sparse = ("csr", "csc")
    _allow_nan = False
    _allow_inf = False  # samplers that never compute on X (random samplers)
    _allow_non_numeric = False
    # True for pure selections that keep a DataFrame's index (RandomUnderSampler).
    _preserves_dataframe_index = False
    # True for samplers that set sample_indices_ (the sample_indices tag).
    _exposes_sample_indices = False

    def __init__(self, sampling_strategy="auto"):
        self.sampling_strategy = sampling_strategy

    def _check_X_y(self, X, y, accept_sparse=None):
        """Validate host X and y (numpy, list, pandas, scipy.sparse)."""
        if _plain_numeric_X_y(X, y):
            # Nothing for the general checks to find or convert: skip their
            # cost (about 0.2 ms per call, most of a small resampling).
            self.n_features_in_ = X.shape[1]
            if hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
            return X, y, False
        if accept_sparse is None:
            accept_sparse = list(self._accept_sparse) or False
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        if self._allow_non_numeric or self._allow_nan:
            X = _check_host_X_loose(X, accept_sparse,
                                    numeric=not self._allow_non_numeric,
                                    allow_nan=self._allow_nan, allow_inf=self._allow_inf)
            check_consistent_length(X, y)
            X, y = validate_data(self, X=X, y=y, reset=True, skip_check_array=True)
            if _io.container_kind(X) == "pandas_dataframe":
                X = X.to_numpy()
        else:
            X, y = validate_data(self, X=X, y=y, reset=True, accept_sparse=accept_sparse)
        return X, y, binarize_y

    def _check_X_y_xp(self, X, y, x_info=None):
        """Validate device / array-API X and y without leaving their device."""
        y, binarize_y = _check_target_xp(y)
        X = _check_array_xp(X, allow_nan=self._allow_nan, allow_inf=self._allow_inf,
                            accept_sparse=bool(self._accept_sparse))
        n_x, n_y = X.shape[0], y.shape[0]
        if n_x != n_y:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{n_x}, {n_y}]"
            )
        self.n_features_in_ = X.shape[1]
        columns = getattr(x_info, "columns", None)
        if columns is not None and all(isinstance(c, str) for c in columns):
            self.feature_names_in_ = np.asarray(list(columns), dtype=object)
        elif hasattr(self, "feature_names_in_"):
            del self.feature_names_in_
        return X, y, binarize_y

    def _keep_rows(self, ctx, X, y, indices):
        """Record ``sample_indices_`` and return those rows of X and y."""
        self.sample_indices_ = indices
        return take_rows(X, indices), ctx.xp.take(y, indices)

    def __sklearn_tags__(self):
        base = super().__sklearn_tags__()
        inherited = {f.name: getattr(base, f.name) for f in fields(Tags)}
        inherited.update(
            estimator_type="sampler",
            target_tags=TargetTags(required=True),
            input_tags=SamplerInputTags(
                two_d_array=True,
                sparse=bool(self._accept_sparse),
                allow_nan=self._allow_nan,
                string=self._allow_non_numeric,
                dataframe=True,
            ),
        )
        tags = SamplerEstimatorTags(
            **inherited, sampler_tags=SamplerTags(sample_indices=self._exposes_sample_indices))
        tags.array_api_support = True
        return tags

