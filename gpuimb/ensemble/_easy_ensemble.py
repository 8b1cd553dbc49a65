"""EasyEnsembleClassifier: AdaBoost learners, each on a randomly under-sampled set."""

import copy

from sklearn.base import clone
from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier
from sklearn.utils._tags import get_tags
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import _estimator_has

from gpuimb.ensemble._common import (
    SAMPLING_STRATEGY_CONSTRAINT,
    DeviceBaggingMixin,
    check_device_target,
    device_input,
    encode_sampling_strategy,
)
from gpuimb.pipeline import Pipeline
from gpuimb.under_sampling import RandomUnderSampler
from gpuimb.utils._validation import check_target_type

# Bagging parameters EasyEnsemble fixes: every member sees all rows and all
# features, and balance comes from the under-sampler only.
_FIXED = ("bootstrap", "bootstrap_features", "max_features", "oob_score", "max_samples")


class EasyEnsembleClassifier(DeviceBaggingMixin, BaggingClassifier):
    """Ensemble of AdaBoost learners, each fitted on a balanced under-sample (EasyEnsemble).

    Every member is ``Pipeline([("sampler", RandomUnderSampler), ("classifier",
    estimator)])`` fitted on all rows of X: the random under-sampler balances
    them, then the estimator (an :class:`~sklearn.ensemble.AdaBoostClassifier`
    by default) is fitted. Predictions average the members. Same parameters,
    defaults, attributes and results (for the same ``random_state``) as
    imbalanced-learn 0.14's class of the same name (Liu, Wu and Zhou, 2009).

    **Where it runs.** NumPy, pandas and SciPy sparse data: scikit-learn's
    bagging loop with gpuimb's under-sampler. Device data (CuPy, cuDF, torch,
    array-API arrays such as ``array_api_strict``): the under-sampling runs on
    the data's device; a cuML ``estimator`` on CuPy data is fitted and
    predicts on the device; scikit-learn estimators (the default AdaBoost
    included) are fitted on host copies of each balanced set, with one INFO
    line on the ``gpuimb`` logger per call, and their outputs come back to the
    device. Draws are made on the host, so device and NumPy fits with the same
    ``random_state`` give the same members.

    Parameters
    ----------
    n_estimators : int, default=10
        Number of AdaBoost learners.
    estimator : estimator object, default=None
        Learner fitted on each balanced set; None means
        ``AdaBoostClassifier()``.
    warm_start : bool, default=False
        Keep the members of the previous ``fit`` and add new ones.
    sampling_strategy : float, str, dict or callable, default="auto"
        Target class sizes of the under-sampler (see
        :class:`~gpuimb.under_sampling.RandomUnderSampler`). A dict names the
        original labels.
    replacement : bool, default=False
        Under-sample with replacement.
    n_jobs : int, default=None
        Parallel jobs for fitting and predicting (host data).
    random_state : int, RandomState instance or None, default=None
        Controls the members' seeds.
    verbose : int, default=0
        Verbosity of the fitting and predicting loops.

    Attributes
    ----------
    estimator_ : Pipeline
        The template member: the under-sampler followed by the learner.
    estimators_ : list of Pipeline
        The fitted members.
    estimators_samples_ : list of ndarray
        Rows of X given to each member (all rows: there is no bagging draw).
    estimators_features_ : list of ndarray
        Features given to each member (all of them).
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.

    See Also
    --------
    BalancedBaggingClassifier : Bagging with any sampler and learner.
    BalancedRandomForestClassifier : Random forest on balanced bootstraps.
    RUSBoostClassifier : AdaBoost with random under-sampling at each round.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.ensemble import EasyEnsembleClassifier
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> clf = EasyEnsembleClassifier(n_estimators=3, random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).tolist()
    [0, 1, 0]
    """

    _parameter_constraints = copy.deepcopy(BaggingClassifier._parameter_constraints)
    for _name in _FIXED:
        _parameter_constraints.pop(_name, None)
    del _name
    _parameter_constraints.update(
        {
            "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINT,
            "replacement": ["boolean"],
        }
    )

    def __init__(
        self,
        n_estimators=10,
        estimator=None,
        *,
        warm_start=False,
        sampling_strategy="auto",
        replacement=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
    ):
        super().__init__(
            n_estimators=n_estimators,
            max_samples=1.0,
            max_features=1.0,
            bootstrap=False,
            bootstrap_features=False,
            oob_score=False,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.estimator = estimator
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement

    def _validate_y(self, y):
        encoded = super()._validate_y(y)
        self._sampling_strategy = encode_sampling_strategy(
            self.sampling_strategy, y, self.classes_, "under-sampling")
        return encoded

    def _prepare_device_fit(self, y, classes):
        self._sampling_strategy = encode_sampling_strategy(
            self.sampling_strategy, y, classes, "under-sampling")

    def _get_estimator(self):
        return AdaBoostClassifier() if self.estimator is None else self.estimator

    def _validate_estimator(self, default=None):
        estimator = clone(self.estimator if self.estimator is not None
                          else (default if default is not None else self._get_estimator()))
        sampler = RandomUnderSampler(sampling_strategy=self._sampling_strategy,
                                     replacement=self.replacement)
        self.estimator_ = Pipeline([("sampler", sampler), ("classifier", estimator)])

    def fit(self, X, y):
        """Build the ensemble from the training set (X, y).

        Parameters
        ----------
        X : {array-like, sparse matrix} of shape (n_samples, n_features)
            Training data: NumPy, pandas, SciPy sparse (when the learner accepts
            it), or device data (CuPy, cuDF, torch, array-API arrays).
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
        """Mean class probabilities of the members.

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
        """Mean decision function of the members.

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = get_tags(self._get_estimator()).input_tags.allow_nan
        return tags
