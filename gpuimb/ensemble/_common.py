"""What the four ensembles share.

- the ``sampling_strategy`` parameter constraint and its encoding onto the
  ensemble's integer class codes;
- :func:`device_input` / :func:`check_device_X_y`: recognising and validating
  device (CuPy, array-API) data without copying it to the host;
- :class:`LearnerPlace`: where the base learners of one ``fit`` or ``predict``
  call run. cuML learners on CuPy data and NumPy learners on NumPy data run in
  place; anything else (a scikit-learn learner on device data) gets host copies
  of its inputs, said once per call on the ``gpuimb`` logger, and its array
  outputs are moved back next to the data;
- :func:`new_member_seeds`, :func:`member_pipelines`, :func:`classes_at`,
  :func:`record_device_features`: the warm-start seed draws, ``pipelines_``,
  labels from class codes and ``n_features_in_`` of device data;
- :class:`SamplerBaggingMixin`: what the two bagging ensembles add to
  :class:`~sklearn.ensemble.BaggingClassifier` (sampler-then-learner members,
  the public methods), and its bagging loop for device data, drawing the same
  seeds, rows and features from the same host random state, so that a device
  fit and a NumPy fit with the same ``random_state`` train the same learners on
  the same rows.
"""

import logging
import warnings
from copy import deepcopy
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.ensemble._bagging import _generate_bagging_indices
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _estimator_has, check_is_fitted

from gpuimb import _io
from gpuimb.pipeline import Pipeline, make_pipeline
from gpuimb.utils._array_api import (
    device_of,
    get_namespace,
    is_cupy_namespace,
    is_host_namespace,
    to_host,
    to_namespace,
)
from gpuimb.utils._validation import check_sampling_strategy, check_target_type

logger = logging.getLogger("gpuimb")

MAX_INT = np.iinfo(np.int32).max

SAMPLING_STRATEGY_CONSTRAINT = [
    Interval(Real, 0, 1, closed="right"),
    StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
    dict,
    callable,
]

_DEVICE_KINDS = ("cupy", "cupyx_sparse", "array_api", "torch", "cudf_dataframe",
                 "cudf_series")


def device_input(X):
    """True when ``X`` is device or array-API data (CuPy, cuDF, torch, array_api_strict...)."""
    return _io.container_kind(X) in _DEVICE_KINDS


def encode_sampling_strategy(sampling_strategy, y, classes, sampling_type):
    """Return ``sampling_strategy`` with dict keys replaced by class codes.

    The ensembles train their learners on ``y`` encoded as ``0..n_classes-1``;
    a dict strategy names the original labels, so it is checked against ``y``
    and re-keyed by each label's position in ``classes``. Other strategies are
    returned as given.
    """
    if not isinstance(sampling_strategy, dict) or sampling_type == "bypass":
        return sampling_strategy
    checked = check_sampling_strategy(sampling_strategy, y, sampling_type)
    classes = np.asarray(classes)
    return {int(np.flatnonzero(classes == key)[0]): value for key, value in checked.items()}


def check_device_X_y(X, y, *, allow_nan=False):
    """Unwrap and validate device X (and y) without leaving the device.

    Returns ``(X, y, xp, device)``; y is 1-D (a one-hot y becomes class codes).
    Raises imbalanced-learn's / scikit-learn's messages for bad input.
    """
    from gpuimb.utils._validation import _check_array_xp, _check_target_xp

    X, _ = _io.unwrap(X)
    X = _check_array_xp(X, allow_nan=allow_nan, accept_sparse=False)
    if y is not None:
        y, _ = _io.unwrap(y)
        y, _ = _check_target_xp(y)
        if X.shape[0] != y.shape[0]:
            raise ValueError(
                "Found input variables with inconsistent numbers of samples: "
                f"[{X.shape[0]}, {y.shape[0]}]"
            )
    return X, y, get_namespace(X), device_of(X)


def check_device_target(y):
    """Reject regression and multilabel targets given as device arrays."""
    from gpuimb.utils._validation import _check_target_xp

    y, _ = _io.unwrap(y)
    _check_target_xp(y)


def check_device_X_predict(estimator, X, *, allow_nan=False):
    """Validate device X at predict time (fitted, same number of features)."""
    check_is_fitted(estimator)
    X, _, xp, device = check_device_X_y(X, None, allow_nan=allow_nan)
    if X.shape[1] != estimator.n_features_in_:
        raise ValueError(
            f"X has {X.shape[1]} features, but {type(estimator).__name__} is "
            f"expecting {estimator.n_features_in_} features as input."
        )
    return X, xp, device


def record_device_features(estimator, X):
    """Set ``n_features_in_`` from device X (which carries no column names)."""
    estimator.n_features_in_ = X.shape[1]
    if hasattr(estimator, "feature_names_in_"):
        del estimator.feature_names_in_


def classes_at(classes, codes):
    """``classes[codes]`` in the namespace and on the device of ``codes``."""
    xp = get_namespace(codes)
    return xp.take(to_namespace(classes, xp, device_of(codes)), codes)


def new_member_seeds(ensemble, random_state, per_member=1):
    """Seeds of the members a fit adds, drawn from ``random_state`` as scikit-learn does.

    With ``warm_start`` the draws of the members already fitted are skipped
    first. Returns an int array of shape ``(n_new,)`` (``(n_new, per_member)``
    when ``per_member > 1``), or None, with scikit-learn's warning, when
    ``n_estimators`` asks for no new member. Raises scikit-learn's error when it
    asks for fewer members than are fitted.
    """
    n_fitted = len(ensemble.estimators_)
    n_more = ensemble.n_estimators - n_fitted
    if n_more < 0:
        raise ValueError(
            f"n_estimators={ensemble.n_estimators} must be larger or equal to "
            f"len(estimators_)={n_fitted} when warm_start==True"
        )
    if n_more == 0:
        warnings.warn("Warm-start fitting without increasing n_estimators does not "
                      "fit new trees.")
        return None
    if ensemble.warm_start and n_fitted > 0:
        random_state.randint(MAX_INT, size=n_fitted)
    seeds = random_state.randint(MAX_INT, size=n_more * per_member)
    return seeds if per_member == 1 else seeds.reshape(n_more, per_member)


def member_pipelines(ensemble):
    """Copies of each (sampler, learner) pair as a gpuimb pipeline.

    For ensembles that keep ``samplers_`` beside ``estimators_``; built on first
    access, and extended after a warm start.
    """
    if not hasattr(ensemble, "samplers_"):
        raise AttributeError(
            f"'{type(ensemble).__name__}' object has no attribute 'pipelines_'")
    done = len(ensemble._pipelines)
    for sampler, learner in zip(ensemble.samplers_[done:], ensemble.estimators_[done:],
                                strict=True):
        ensemble._pipelines.append(make_pipeline(deepcopy(sampler), deepcopy(learner)))
    return ensemble._pipelines


def encode_labels(y):
    """Return ``(classes, y_encoded)``: host classes, codes in y's namespace."""
    xp = get_namespace(y)
    classes_xp = xp.unique_values(y)
    codes = xp.searchsorted(classes_xp, y)
    return to_host(classes_xp), xp.astype(codes, xp.int64)


def _is_cuml(estimator):
    return type(estimator).__module__.split(".", 1)[0] == "cuml"


def _is_gpuimb(estimator):
    return type(estimator).__module__.split(".", 1)[0] == "gpuimb"


class LearnerPlace:
    """Where the base learners of one call run, and the one log line when data moves.

    Parameters
    ----------
    owner : object
        The ensemble (named in the log line).
    xp : module
        Namespace of the caller's data.
    device : object
        Device of the caller's data.
    """

    def __init__(self, owner, xp, device):
        self.owner = owner
        self.xp = xp
        self.device = device
        self.moved = False

    def in_place(self, learner):
        """True when ``learner`` takes arrays of ``xp`` as they are."""
        if is_host_namespace(self.xp):
            return True
        return is_cupy_namespace(self.xp) and _is_cuml(learner)

    def host(self, array, learner):
        """``array`` as ``learner`` wants it; host copies are logged once per call."""
        if array is None or self.in_place(learner):
            return array
        if not self.moved:
            logger.info(
                "gpuimb: %s runs its %s learners on the host; their inputs are copied "
                "to the host and their outputs back to the data's device.",
                type(self.owner).__name__, type(learner).__name__,
            )
            self.moved = True
        return to_host(array)

    def back(self, array):
        """A learner's array output, in the caller's namespace and device."""
        if is_host_namespace(self.xp):
            return np.asarray(array)
        return to_namespace(array, self.xp, device=self.device)

    def fit(self, learner, X, y, **fit_params):
        """Fit ``learner`` on X, y (and array fit parameters), wherever it runs."""
        fit_params = {k: self.host(v, learner) if hasattr(v, "shape") else v
                      for k, v in fit_params.items()}
        learner.fit(self.host(X, learner), self.host(y, learner), **fit_params)
        return learner

    def call(self, learner, method, X):
        """``learner.method(X)`` with X and the result in the right places."""
        return self.back(getattr(learner, method)(self.host(X, learner)))

    def classes(self, learner):
        """The learner's ``classes_`` as a host array."""
        return np.asarray(to_host(learner.classes_))


def fit_sampler_then_learner(pipeline, X, y, place):
    """Fit a ``Pipeline([("sampler", s), ("classifier", c)])`` on device data.

    gpuimb samplers resample on the data's device; other samplers get host
    copies. The classifier is fitted through ``place``.
    """
    for _, step in pipeline.steps[:-1]:
        if step is None or step == "passthrough":
            continue
        if hasattr(step, "fit_resample"):
            if _is_gpuimb(step):
                X, y = step.fit_resample(X, y)
            else:
                X, y = step.fit_resample(place.host(X, step), place.host(y, step))
                X, y = place.back(X), place.back(y)
        else:
            X = place.back(step.fit_transform(place.host(X, step), place.host(y, step)))
    place.fit(pipeline.steps[-1][1], X, y)
    return pipeline


def _columns(xp, X, features, device):
    return xp.take(X, to_namespace(features, xp, device, dtype=xp.int64), axis=1)


def _scatter_columns(xp, values, columns, n_columns, fill):
    """Return an (n, n_columns) array with ``values[:, j]`` in column ``columns[j]``."""
    position = {int(c): j for j, c in enumerate(columns)}
    blank = xp.full(values.shape[0], fill, dtype=values.dtype, device=values.device)
    return xp.stack([values[:, position[k]] if k in position else blank
                     for k in range(n_columns)], axis=1)


class SamplerBaggingMixin:
    """What BalancedBaggingClassifier and EasyEnsembleClassifier add to scikit-learn's bagging.

    The subclass is a :class:`~sklearn.ensemble.BaggingClassifier` whose members
    are ``Pipeline([("sampler", ...), ("classifier", ...)])``. It says which
    sampler a member gets (``_member_sampler``) and what kind of sampling
    ``sampling_strategy`` describes (``_sampler_type``); ``_make_sampler``
    builds any fitted sampler attribute before a fit. Host data goes through
    scikit-learn's own code; device data through the ``_*_device`` methods
    below, which make the same random draws in the same order.
    """

    def _make_sampler(self):
        """Build the sampler attributes a fit needs (none by default)."""

    def _encode_strategy(self, y, classes):
        self._sampling_strategy = encode_sampling_strategy(
            self.sampling_strategy, y, classes, self._sampler_type())

    def _validate_y(self, y):
        encoded = super()._validate_y(y)
        self._encode_strategy(y, self.classes_)
        return encoded

    def _prepare_device_fit(self, y, classes):
        self._make_sampler()
        self._encode_strategy(y, classes)

    def _validate_estimator(self, default=None):
        if self.estimator is not None:
            estimator = self.estimator
        else:
            estimator = default if default is not None else self._get_estimator()
        self.estimator_ = Pipeline([("sampler", self._member_sampler()),
                                    ("classifier", clone(estimator))])

    def fit(self, X, y):
        """Build the ensemble from the training set (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data: NumPy, pandas, SciPy sparse (when the estimator
            accepts it), or device data (CuPy, cuDF, torch, array-API arrays).
        y : array-like of shape (n_samples,)
            Class labels.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        self._validate_params()
        if device_input(X):
            check_device_target(y)
            return self._fit_device(X, y)
        self.engine_ = "sklearn"
        return super().fit(X, y)

    def _fit(self, X, y, max_samples=None, max_depth=None, check_input=True,
             sample_weight=None, **fit_params):
        check_target_type(y)
        self._make_sampler()
        return super()._fit(X, y, self.max_samples)

    def predict(self, X, **params):
        """Predict the class of each row: the most probable class of the ensemble.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).
        **params : dict
            Passed to the members (metadata routing, host data).

        Returns
        -------
        y : array of shape (n_samples,)
            Predicted labels, in X's namespace and on its device.
        """
        if device_input(X):
            return self._predict_device(X)
        return super().predict(X, **params)

    def predict_proba(self, X, **params):
        """Mean class probabilities of the members (their votes without ``predict_proba``).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).
        **params : dict
            Passed to the members (metadata routing, host data).

        Returns
        -------
        p : array of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``.
        """
        if device_input(X):
            return self._predict_proba_device(X)
        return super().predict_proba(X, **params)

    def predict_log_proba(self, X, **params):
        """Log of the mean class probabilities of the members.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).
        **params : dict
            Passed to the members (metadata routing, host data).

        Returns
        -------
        p : array of shape (n_samples, n_classes)
            Class log-probabilities in the order of ``classes_``.
        """
        if device_input(X):
            return self._predict_log_proba_device(X)
        return super().predict_log_proba(X, **params)

    @available_if(_estimator_has("decision_function",
                                 delegates=("estimators_", "estimator")))
    def decision_function(self, X, **params):
        """Mean decision function of the members (when the estimator has one).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).
        **params : dict
            Passed to the members (metadata routing, host data).

        Returns
        -------
        score : array of shape (n_samples,) or (n_samples, n_classes)
            The averaged decision function.
        """
        if device_input(X):
            return self._decision_function_device(X)
        return super().decision_function(X, **params)

    # --- device data ----------------------------------------------------------

    def _fit_device(self, X, y):
        X, y, xp, device = check_device_X_y(X, y, allow_nan=self._device_allow_nan())
        random_state = check_random_state(self.random_state)
        n_samples, n_features = X.shape
        record_device_features(self, X)
        self._n_samples = n_samples
        classes, y_encoded = encode_labels(y)
        self.classes_, self.n_classes_ = classes, len(classes)
        self._prepare_device_fit(y, classes)
        self._validate_estimator(self._get_estimator())

        from sklearn.ensemble._forest import _get_n_samples_bootstrap

        max_samples = _get_n_samples_bootstrap(n_samples, self.max_samples, None)
        if not self.bootstrap and max_samples > n_samples:
            raise ValueError(
                f"Effective max_samples={max_samples} must be <= n_samples="
                f"{n_samples} to be able to sample without replacement."
            )
        self._max_samples = max_samples
        if isinstance(self.max_features, Integral):
            max_features = self.max_features
        else:
            max_features = int(self.max_features * n_features)
        if max_features > n_features:
            raise ValueError("max_features must be <= n_features")
        self._max_features = max(1, int(max_features))
        self._sample_weight = None
        if not self.bootstrap and self.oob_score:
            raise ValueError("Out of bag estimation only available if bootstrap=True")
        if self.warm_start and self.oob_score:
            raise ValueError("Out of bag estimate only available if warm_start=False")
        if hasattr(self, "oob_score_") and self.warm_start:
            del self.oob_score_
        if not self.warm_start or not hasattr(self, "estimators_"):
            self.estimators_ = []
            self.estimators_features_ = []
        seeds = new_member_seeds(self, random_state)
        if seeds is None:
            return self
        self._seeds = seeds

        place = LearnerPlace(self, xp, device)
        feature_subset = self.bootstrap_features or self._max_features != n_features
        for seed in seeds:
            estimator = self._make_estimator(append=False, random_state=seed)
            features, rows = _generate_bagging_indices(
                seed, self.bootstrap_features, self.bootstrap, n_features, n_samples,
                self._max_features, self._max_samples, None,
            )
            rows = to_namespace(rows, xp, device, dtype=xp.int64)
            X_bag, y_bag = xp.take(X, rows, axis=0), xp.take(y_encoded, rows)
            if feature_subset:
                X_bag = _columns(xp, X_bag, features, device)
            fit_sampler_then_learner(estimator, X_bag, y_bag, place)
            self.estimators_.append(estimator)
            self.estimators_features_.append(features)
        self.engine_ = "cuml" if place.in_place(self.estimators_[-1][-1]) and not \
            is_host_namespace(xp) else "sklearn"
        if self.oob_score:
            self._set_oob_score_device(X, y_encoded, xp, device, place)
        return self

    def _device_allow_nan(self):
        return bool(self.__sklearn_tags__().input_tags.allow_nan)

    def _member_outputs(self, X, xp, device, place, method):
        for estimator, features in zip(self.estimators_, self.estimators_features_,
                                       strict=True):
            learner = estimator.steps[-1][1]
            X_sub = _columns(xp, X, features, device)
            yield learner, place.call(learner, method, X_sub)

    def _member_proba(self, learner, X_sub, xp, device, place):
        """One member's class probabilities over all classes (one-hot votes without
        ``predict_proba``), as float64 of shape (n_rows, n_classes)."""
        n_classes = self.n_classes_
        if hasattr(learner, "predict_proba"):
            proba = xp.astype(place.call(learner, "predict_proba", X_sub), xp.float64)
            learner_classes = place.classes(learner)
            if len(learner_classes) != n_classes:
                proba = _scatter_columns(xp, proba, learner_classes, n_classes, 0.0)
            return proba
        votes = xp.astype(place.call(learner, "predict", X_sub), xp.int64)
        codes = xp.arange(n_classes, device=device)
        return xp.astype(votes[:, None] == codes[None, :], xp.float64)

    def _vote_or_average(self, X, xp, device, place):
        """Sum over members of class probabilities (or one-hot votes)."""
        total = xp.zeros((X.shape[0], self.n_classes_), dtype=xp.float64, device=device)
        for estimator, features in zip(self.estimators_, self.estimators_features_,
                                       strict=True):
            X_sub = _columns(xp, X, features, device)
            total = total + self._member_proba(estimator.steps[-1][1], X_sub, xp, device,
                                               place)
        return total

    def _predict_proba_device(self, X):
        X, xp, device = check_device_X_predict(self, X, allow_nan=self._device_allow_nan())
        place = LearnerPlace(self, xp, device)
        return self._vote_or_average(X, xp, device, place) / self.n_estimators

    def _predict_device(self, X):
        proba = self._predict_proba_device(X)
        return classes_at(self.classes_, get_namespace(proba).argmax(proba, axis=1))

    def _predict_log_proba_device(self, X):
        X, xp, device = check_device_X_predict(self, X, allow_nan=self._device_allow_nan())
        place = LearnerPlace(self, xp, device)
        first = self.estimators_[0].steps[-1][1]
        if not hasattr(first, "predict_log_proba"):
            return xp.log(self._vote_or_average(X, xp, device, place) / self.n_estimators)
        n_classes = self.n_classes_
        log_proba = xp.full((X.shape[0], n_classes), -xp.inf, dtype=xp.float64,
                            device=device)
        for learner, member in self._member_outputs(X, xp, device, place,
                                                    "predict_log_proba"):
            learner_classes = place.classes(learner)
            member = xp.astype(member, xp.float64)
            if len(learner_classes) != n_classes:
                member = _scatter_columns(xp, member, learner_classes, n_classes, -np.inf)
            log_proba = xp.logaddexp(log_proba, member)
        return log_proba - float(np.log(self.n_estimators))

    def _decision_function_device(self, X):
        X, xp, device = check_device_X_predict(self, X, allow_nan=self._device_allow_nan())
        place = LearnerPlace(self, xp, device)
        total = 0
        for _, member in self._member_outputs(X, xp, device, place, "decision_function"):
            total = total + member
        return total / self.n_estimators

    def _set_oob_score_device(self, X, y_encoded, xp, device, place):
        n_samples = X.shape[0]
        predictions = xp.zeros((n_samples, self.n_classes_), dtype=xp.float64,
                               device=device)
        for estimator, rows, features in zip(self.estimators_, self.estimators_samples_,
                                             self.estimators_features_, strict=True):
            out_of_bag = np.ones(n_samples, dtype=np.float64)
            out_of_bag[rows] = 0.0
            out_of_bag = to_namespace(out_of_bag, xp, device, dtype=xp.float64)[:, None]
            X_sub = _columns(xp, X, features, device)
            # Every row is predicted and the in-bag ones are multiplied by 0:
            # the same sums as predicting the out-of-bag rows only.
            member = self._member_proba(estimator.steps[-1][1], X_sub, xp, device, place)
            predictions = predictions + member * out_of_bag
        sums = xp.sum(predictions, axis=1)
        if bool(xp.any(sums == 0)):
            warnings.warn(
                "Some inputs do not have OOB scores. "
                "This probably means too few estimators were used "
                "to compute any reliable oob estimates."
            )
        self.oob_decision_function_ = predictions / sums[:, None]
        hits = xp.astype(xp.argmax(predictions, axis=1) == y_encoded, xp.float64)
        self.oob_score_ = float(xp.mean(hits))
