"""RUSBoostClassifier: AdaBoost with random under-sampling before each round."""

import copy
import warnings

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier
from sklearn.ensemble._base import _set_random_states
from sklearn.tree import DecisionTreeClassifier
from sklearn.utils import _safe_indexing, check_random_state
from sklearn.utils._param_validation import Hidden, StrOptions
from sklearn.utils.validation import check_is_fitted, has_fit_parameter

from gpuimb.ensemble._common import (
    SAMPLING_STRATEGY_CONSTRAINT,
    LearnerPlace,
    check_device_target,
    check_device_X_predict,
    check_device_X_y,
    classes_at,
    device_input,
    member_pipelines,
    record_device_features,
)
from gpuimb.under_sampling import RandomUnderSampler
from gpuimb.utils._array_api import get_namespace, to_namespace
from gpuimb.utils._validation import check_target_type


class RUSBoostClassifier(AdaBoostClassifier):
    """AdaBoost that under-samples the data at random before fitting each learner (RUSBoost).

    At each boosting round a fresh
    :class:`~gpuimb.under_sampling.RandomUnderSampler` balances the data, the
    learner is fitted on the kept rows with their current boosting weights,
    and the weights of all rows are updated from the learner's errors (SAMME;
    the deprecated ``algorithm="SAMME.R"`` uses class probabilities). Same
    parameters, defaults, attributes and, for the same ``random_state``,
    results as imbalanced-learn 0.14's class of the same name (Seiffert et al.,
    2010).

    **Where it runs.** NumPy, pandas and SciPy sparse data: scikit-learn's
    AdaBoost loop with gpuimb's sampler. Device data (CuPy, cuDF, torch,
    array-API arrays such as ``array_api_strict``): the boosting weights, the
    under-sampling, the error and the weight updates stay on the data's
    device; a cuML ``estimator`` that accepts ``sample_weight`` is fitted and
    predicts on CuPy data in place; other learners (the default decision stump
    included) are fitted by scikit-learn on host copies of each round's rows
    and weights, with one INFO line on the ``gpuimb`` logger per call, and
    their predictions come back to the device. Draws are made on the host, so
    a device fit gives the same learners and weights as a NumPy fit.

    Parameters
    ----------
    estimator : estimator object, default=None
        The learner boosted; it must accept ``sample_weight``. None means
        ``DecisionTreeClassifier(max_depth=1)``.
    n_estimators : int, default=50
        Maximum number of rounds (fewer when a learner is perfect).
    learning_rate : float, default=1.0
        Weight applied to each learner's vote.
    algorithm : {"SAMME", "SAMME.R"}, default="deprecated"
        Deprecated (imbalanced-learn 0.12): setting it warns; ``"SAMME.R"``
        boosts with class probabilities, anything else is SAMME.
    sampling_strategy : float, str, dict or callable, default="auto"
        Target class sizes of the under-sampler (see
        :class:`~gpuimb.under_sampling.RandomUnderSampler`).
    replacement : bool, default=False
        Under-sample with replacement.
    random_state : int, RandomState instance or None, default=None
        Controls the learners' and samplers' seeds.

    Attributes
    ----------
    estimator_ : estimator
        Template of the learners.
    estimators_ : list of classifiers
        The fitted learners.
    base_sampler_ : RandomUnderSampler
        Template of the samplers.
    samplers_ : list of RandomUnderSampler
        The fitted samplers, one per learner.
    pipelines_ : list of Pipeline
        Copies of each (sampler, learner) pair as a gpuimb pipeline.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    estimator_weights_ : ndarray of shape (n_estimators,)
        Vote weight of each learner.
    estimator_errors_ : ndarray of shape (n_estimators,)
        Weighted training error of each learner.
    feature_importances_ : ndarray of shape (n_features,)
        Weighted mean of the learners' importances (when they have them).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.

    See Also
    --------
    BalancedBaggingClassifier : Bagging with any sampler and learner.
    BalancedRandomForestClassifier : Random forest on balanced bootstraps.
    EasyEnsembleClassifier : AdaBoost learners on balanced bags.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.ensemble import RUSBoostClassifier
    >>> X, y = make_classification(n_samples=1000, n_classes=3, n_informative=4,
    ...                            weights=[0.2, 0.3, 0.5], random_state=0)
    >>> clf = RUSBoostClassifier(random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).tolist()
    [2, 2, 2]
    """

    _parameter_constraints = copy.deepcopy(AdaBoostClassifier._parameter_constraints)
    _parameter_constraints.update(
        {
            "algorithm": [StrOptions({"SAMME", "SAMME.R"}),
                          Hidden(StrOptions({"deprecated"}))],
            "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINT,
            "replacement": ["boolean"],
        }
    )

    def __init__(
        self,
        estimator=None,
        *,
        n_estimators=50,
        learning_rate=1.0,
        algorithm="deprecated",
        sampling_strategy="auto",
        replacement=False,
        random_state=None,
    ):
        super().__init__(estimator=estimator, n_estimators=n_estimators,
                         learning_rate=learning_rate, random_state=random_state)
        self.algorithm = algorithm
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def fit(self, X, y, sample_weight=None):
        """Boost learners on (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data: NumPy, pandas, SciPy sparse, or device data (CuPy,
            cuDF, torch, array-API arrays).
        y : array-like of shape (n_samples,)
            Class labels.
        sample_weight : array-like of shape (n_samples,), default=None
            Initial weights; None means ``1 / n_samples`` each.

        Returns
        -------
        self : object
            The fitted ensemble.
        """
        self._validate_params()
        self.samplers_ = []
        self._pipelines = []
        if device_input(X):
            check_device_target(y)
            return self._fit_device(X, y, sample_weight)
        check_target_type(y)
        self._place = None
        return super().fit(X, y, sample_weight)

    def _validate_estimator(self):
        self.estimator_ = clone(self.estimator if self.estimator is not None
                                else DecisionTreeClassifier(max_depth=1))
        if self.algorithm == "SAMME.R" and not hasattr(self.estimator_, "predict_proba"):
            raise TypeError(
                "AdaBoostClassifier with algorithm='SAMME.R' requires "
                "that the weak learner supports the calculation of class "
                "probabilities with a predict_proba method.\n"
                "Please change the base estimator or set "
                "algorithm='SAMME' instead."
            )
        if not has_fit_parameter(self.estimator_, "sample_weight"):
            raise ValueError(
                f"{self.estimator_.__class__.__name__} doesn't support sample_weight."
            )
        self.base_sampler_ = RandomUnderSampler(sampling_strategy=self.sampling_strategy,
                                                replacement=self.replacement)

    def _make_sampler_estimator(self, random_state):
        estimator = clone(self.estimator_)
        estimator.set_params(**{p: getattr(self, p) for p in self.estimator_params})
        sampler = clone(self.base_sampler_)
        _set_random_states(estimator, random_state)
        _set_random_states(sampler, random_state)
        self.estimators_.append(estimator)
        self.samplers_.append(sampler)
        return estimator, sampler

    pipelines_ = property(member_pipelines)

    # ------------------------------------------------------------ boosting

    def _resample_and_fit(self, X, y, sample_weight, random_state):
        """One round's sampler and learner, fitted; returns (learner, xp-predict)."""
        estimator, sampler = self._make_sampler_estimator(random_state)
        X_res, y_res = sampler.fit_resample(X, y)
        if self._place is None:
            weight_res = _safe_indexing(sample_weight, sampler.sample_indices_)
            estimator.fit(X_res, y_res, sample_weight=weight_res)
        else:
            xp = get_namespace(sample_weight)
            weight_res = xp.take(sample_weight, sampler.sample_indices_)
            self._place.fit(estimator, X_res, y_res, sample_weight=weight_res)
        return estimator

    def _predict_member(self, estimator, method, X):
        if self._place is None:
            return getattr(estimator, method)(X)
        return self._place.call(estimator, method, X)

    def _boost(self, iboost, X, y, sample_weight, random_state):
        if self.algorithm != "deprecated":
            warnings.warn(
                "`algorithm` parameter is deprecated in 0.12 and will be removed in "
                "0.14. In the future, the SAMME algorithm will always be used.",
                FutureWarning,
            )
        if self.algorithm == "SAMME.R":
            return self._boost_real(iboost, X, y, sample_weight, random_state)
        return self._boost_discrete(iboost, X, y, sample_weight, random_state)

    def _set_classes(self, estimator):
        classes = getattr(estimator, "classes_", None)
        self.classes_ = None if classes is None else np.asarray(
            classes if self._place is None else self._place.classes(estimator))
        self.n_classes_ = len(self.classes_)

    def _boost_real(self, iboost, X, y, sample_weight, random_state):
        xp = get_namespace(sample_weight)
        estimator = self._resample_and_fit(X, y, sample_weight, random_state)
        proba = xp.astype(self._predict_member(estimator, "predict_proba", X), xp.float64)
        if iboost == 0:
            self._set_classes(estimator)
        classes = to_namespace(self.classes_, xp, proba.device)
        incorrect = xp.take(classes, xp.argmax(proba, axis=1)) != y
        error = _weighted_mean(xp, incorrect, sample_weight)
        if error <= 0:
            return sample_weight, 1.0, 0.0
        n_classes = self.n_classes_
        # y coded as 1 for its class and -1 / (K - 1) elsewhere (Zhu et al.).
        is_class = classes[None, :] == y[:, None]
        coding = xp.where(is_class, 1.0, xp.full(is_class.shape, -1.0 / (n_classes - 1),
                                                  dtype=xp.float64, device=proba.device))
        proba = xp.clip(proba, min=float(np.finfo(np.float64).eps))
        vote = (-1.0 * self.learning_rate * ((n_classes - 1.0) / n_classes)
                * xp.sum(coding * xp.log(proba), axis=1))
        if iboost != self.n_estimators - 1:
            boosted = xp.astype((sample_weight > 0) | (vote < 0), xp.float64)
            sample_weight = sample_weight * xp.exp(vote * boosted)
        return sample_weight, 1.0, error

    def _boost_discrete(self, iboost, X, y, sample_weight, random_state):
        xp = get_namespace(sample_weight)
        estimator = self._resample_and_fit(X, y, sample_weight, random_state)
        y_pred = self._predict_member(estimator, "predict", X)
        if iboost == 0:
            self._set_classes(estimator)
        incorrect = y_pred != y
        error = _weighted_mean(xp, incorrect, sample_weight)
        if error <= 0:
            return sample_weight, 1.0, 0.0
        n_classes = self.n_classes_
        if error >= 1.0 - (1.0 / n_classes):
            self.estimators_.pop(-1)
            self.samplers_.pop(-1)
            if len(self.estimators_) == 0:
                raise ValueError(
                    "BaseClassifier in AdaBoostClassifier "
                    "ensemble is worse than random, ensemble "
                    "can not be fit."
                )
            return None, None, None
        vote = float(self.learning_rate * (
            np.log((1.0 - error) / error) + np.log(n_classes - 1.0)))
        if iboost != self.n_estimators - 1:
            if self._place is None:
                sample_weight *= np.exp(vote * incorrect * (sample_weight > 0))
            else:
                boosted = (xp.astype(incorrect, xp.float64)
                           * xp.astype(sample_weight > 0, xp.float64))
                sample_weight = sample_weight * xp.exp(vote * boosted)
        return sample_weight, vote, error

    def _fit_device(self, X, y, sample_weight):
        """scikit-learn's AdaBoost loop, written for arrays of any namespace."""
        X, y, xp, device = check_device_X_y(X, y)
        record_device_features(self, X)
        if sample_weight is None:
            weight = xp.ones(X.shape[0], dtype=xp.float64, device=device)
        else:
            weight = xp.astype(to_namespace(sample_weight, xp, device) if isinstance(
                sample_weight, np.ndarray | list) else sample_weight, xp.float64, copy=True)
            if bool(xp.any(weight < 0)):
                raise ValueError("Negative values in data passed to `sample_weight`")
        weight = weight / xp.sum(weight)
        self._validate_estimator()
        self._place = LearnerPlace(self, xp, device)
        self.estimators_ = []
        self.estimator_weights_ = np.zeros(self.n_estimators, dtype=np.float64)
        self.estimator_errors_ = np.ones(self.n_estimators, dtype=np.float64)
        random_state = check_random_state(self.random_state)
        epsilon = float(np.finfo(np.float64).eps)
        zero = weight == 0.0
        try:
            for iboost in range(self.n_estimators):
                weight = xp.where(zero, 0.0, xp.clip(weight, min=epsilon))
                weight, vote, error = self._boost(iboost, X, y, weight, random_state)
                if weight is None:
                    break
                self.estimator_weights_[iboost] = vote
                self.estimator_errors_[iboost] = error
                if error == 0:
                    break
                total = float(xp.sum(weight))
                if not np.isfinite(total):
                    warnings.warn(
                        "Sample weights have reached infinite values, at iteration "
                        f"{iboost}, causing overflow. Iterations stopped. Try lowering "
                        "the learning rate.", stacklevel=2)
                    break
                if total <= 0:
                    break
                if iboost < self.n_estimators - 1:
                    weight = weight / total
        finally:
            self._place = None
        return self

    # -------------------------------------------------------------- predict

    def decision_function(self, X):
        """Weighted vote of the learners for each class.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).

        Returns
        -------
        score : array of shape (n_samples,) or (n_samples, n_classes)
            For two classes, positive values favour ``classes_[1]``.
        """
        if not device_input(X):
            return super().decision_function(X)
        check_is_fitted(self)
        X, xp, device = check_device_X_predict(self, X)
        place = LearnerPlace(self, xp, device)
        n_classes = self.n_classes_
        if n_classes == 1:
            return xp.zeros((X.shape[0], 1), dtype=X.dtype, device=device)
        classes = to_namespace(self.classes_, xp, device)
        total = 0
        for estimator, vote in zip(self.estimators_, self.estimator_weights_.tolist(),
                                   strict=False):
            hit = place.call(estimator, "predict", X)[:, None] == classes[None, :]
            against = xp.full(hit.shape, -1 / (n_classes - 1) * vote, dtype=xp.float64,
                              device=device)
            total = total + xp.where(hit, vote, against)
        total = total / float(self.estimator_weights_.sum())
        if n_classes == 2:
            return -total[:, 0] + total[:, 1]
        return total

    def predict(self, X):
        """Predict the class with the largest weighted vote.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).

        Returns
        -------
        y : array of shape (n_samples,)
            Predicted labels, in X's namespace and on its device.
        """
        if not device_input(X):
            return super().predict(X)
        decision = self.decision_function(X)
        xp = get_namespace(decision)
        if self.n_classes_ == 2:
            return classes_at(self.classes_, xp.astype(decision > 0, xp.int64))
        return classes_at(self.classes_, xp.argmax(decision, axis=1))

    def predict_proba(self, X):
        """Class probabilities from the weighted vote (softmax, Zhu et al. eq. 15).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).

        Returns
        -------
        p : array of shape (n_samples, n_classes)
            Class probabilities in the order of ``classes_``.
        """
        if not device_input(X):
            return super().predict_proba(X)
        check_is_fitted(self)
        n_classes = self.n_classes_
        decision = self.decision_function(X)
        xp = get_namespace(decision)
        if n_classes == 1:
            return xp.ones((decision.shape[0], 1), dtype=xp.float64, device=decision.device)
        if n_classes == 2:
            decision = xp.stack([-decision, decision], axis=1) / 2
        else:
            decision = decision / (n_classes - 1)
        decision = decision - xp.max(decision, axis=1, keepdims=True)
        decision = xp.exp(decision)
        return decision / xp.sum(decision, axis=1, keepdims=True)

    def predict_log_proba(self, X):
        """Log of :meth:`predict_proba`.

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Input rows (host or device data).

        Returns
        -------
        p : array of shape (n_samples, n_classes)
            Class log-probabilities in the order of ``classes_``.
        """
        if not device_input(X):
            return super().predict_log_proba(X)
        proba = self.predict_proba(X)
        return get_namespace(proba).log(proba)


def _weighted_mean(xp, incorrect, weight):
    """``np.average(incorrect, weights=weight)`` as a host float, in any namespace."""
    if xp is np or isinstance(weight, np.ndarray):
        return float(np.mean(np.average(incorrect, weights=weight, axis=0)))
    return float(xp.sum(xp.astype(incorrect, xp.float64) * weight) / xp.sum(weight))
