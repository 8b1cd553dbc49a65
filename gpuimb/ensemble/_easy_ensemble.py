"""EasyEnsembleClassifier: AdaBoost learners, each on a randomly under-sampled set."""

import copy

from sklearn.ensemble import AdaBoostClassifier, BaggingClassifier

from gpuimb.ensemble._common import SAMPLING_STRATEGY_CONSTRAINT, SamplerBaggingMixin
from gpuimb.under_sampling import RandomUnderSampler

# Bagging parameters EasyEnsemble fixes: every member sees all rows and all
# features, and balance comes from the under-sampler only.
_FIXED = ("bootstrap", "bootstrap_features", "max_features", "oob_score", "max_samples")


class EasyEnsembleClassifier(SamplerBaggingMixin, BaggingClassifier):
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

    def _sampler_type(self):
        return "under-sampling"

    def _get_estimator(self):
        return AdaBoostClassifier() if self.estimator is None else self.estimator

    def _member_sampler(self):
        return RandomUnderSampler(sampling_strategy=self._sampling_strategy,
                                  replacement=self.replacement)
