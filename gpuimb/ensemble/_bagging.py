"""BalancedBaggingClassifier: bagging whose members each see a balanced sample."""

import copy

from sklearn.base import clone
from sklearn.ensemble import BaggingClassifier
from sklearn.utils._param_validation import HasMethods

from gpuimb.ensemble._common import SAMPLING_STRATEGY_CONSTRAINT, SamplerBaggingMixin
from gpuimb.under_sampling import RandomUnderSampler


class BalancedBaggingClassifier(SamplerBaggingMixin, BaggingClassifier):
    """Bagging classifier whose members are each fitted on a resampled bag.

    Each member is ``Pipeline([("sampler", sampler), ("classifier", estimator)])``:
    the bag drawn from X (rows, and features when asked) is first resampled by
    ``sampler`` (a :class:`~gpuimb.under_sampling.RandomUnderSampler` by
    default), then the estimator is fitted on the result. Over-samplers give
    Over-Bagging or SMOTE-Bagging; the default gives Exactly Balanced Bagging.
    Same parameters, defaults, attributes and results (for the same
    ``random_state``) as imbalanced-learn 0.14's class of the same name.

    **Where it runs.** NumPy, pandas and SciPy sparse data: scikit-learn's
    bagging loop with gpuimb's samplers, exactly as imbalanced-learn. Device
    data (CuPy, cuDF, torch, any array-API array such as ``array_api_strict``):
    the bags are gathered and resampled (by gpuimb samplers) on the data's
    device; a cuML ``estimator`` fitted on CuPy data stays on the device
    (fit, predict, ``predict_proba``, out-of-bag score); any other estimator
    (the default decision tree included) is fitted by scikit-learn on host
    copies of each resampled bag, with one INFO line on the ``gpuimb`` logger
    per call, and its outputs come back to the device. The random draws are the
    host's in both cases, so a device fit and a NumPy fit with the same
    ``random_state`` train the same members on the same rows. On device data the
    members are fitted one after another (``n_jobs`` is not used).

    Parameters
    ----------
    estimator : estimator object, default=None
        Base estimator fitted on each resampled bag; None means a
        :class:`~sklearn.tree.DecisionTreeClassifier`.
    n_estimators : int, default=10
        Number of members.
    max_samples : int or float, default=1.0
        Rows drawn for each bag: an int is a count, a float a fraction of the
        rows of X.
    max_features : int or float, default=1.0
        Features drawn for each bag: an int is a count, a float a fraction.
    bootstrap : bool, default=True
        Draw the bag's rows with replacement. The bag is drawn from X and then
        resampled by the sampler.
    bootstrap_features : bool, default=False
        Draw the features with replacement.
    oob_score : bool, default=False
        Estimate the generalisation accuracy on the out-of-bag rows.
    warm_start : bool, default=False
        Keep the members of the previous ``fit`` and add new ones.
    sampling_strategy : float, str, dict or callable, default="auto"
        Target class sizes of the sampler (see
        :class:`~gpuimb.under_sampling.RandomUnderSampler`); it overrides the
        ``sampler``'s own strategy unless that sampler's type is ``"bypass"``.
        A dict names the original labels.
    replacement : bool, default=False
        With the default sampler: under-sample with replacement.
    n_jobs : int, default=None
        Parallel jobs for fitting and predicting (host data).
    random_state : int, RandomState instance or None, default=None
        Controls the bags and the members' seeds.
    verbose : int, default=0
        Verbosity of the fitting and predicting loops.
    sampler : sampler object, default=None
        Sampler applied to each bag; None means a
        :class:`~gpuimb.under_sampling.RandomUnderSampler`.

    Attributes
    ----------
    estimator_ : Pipeline
        The template member: the sampler followed by the base estimator.
    estimators_ : list of Pipeline
        The fitted members.
    sampler_ : sampler object
        The sampler built from ``sampler``.
    estimators_samples_ : list of ndarray
        Rows of X drawn for each member's bag (before resampling).
    estimators_features_ : list of ndarray
        Features drawn for each member.
    classes_ : ndarray of shape (n_classes,)
        Class labels.
    n_classes_ : int
        Number of classes.
    oob_score_ : float
        Out-of-bag accuracy (``oob_score=True``).
    oob_decision_function_ : array of shape (n_samples, n_classes)
        Out-of-bag class probabilities (NaN for rows never out of bag).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.

    See Also
    --------
    BalancedRandomForestClassifier : Random forest on balanced bootstraps.
    EasyEnsembleClassifier : AdaBoost learners on balanced bags.
    RUSBoostClassifier : AdaBoost with random under-sampling at each round.

    Examples
    --------
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.ensemble import BalancedBaggingClassifier
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> clf = BalancedBaggingClassifier(random_state=0).fit(X, y)
    >>> clf.predict(X[:3]).tolist()
    [0, 1, 0]
    """

    _parameter_constraints = copy.deepcopy(BaggingClassifier._parameter_constraints)
    _parameter_constraints.update(
        {
            "sampling_strategy": SAMPLING_STRATEGY_CONSTRAINT,
            "replacement": ["boolean"],
            "sampler": [HasMethods(["fit_resample"]), None],
        }
    )

    def __init__(
        self,
        estimator=None,
        n_estimators=10,
        *,
        max_samples=1.0,
        max_features=1.0,
        bootstrap=True,
        bootstrap_features=False,
        oob_score=False,
        warm_start=False,
        sampling_strategy="auto",
        replacement=False,
        n_jobs=None,
        random_state=None,
        verbose=0,
        sampler=None,
    ):
        super().__init__(
            estimator=estimator,
            n_estimators=n_estimators,
            max_samples=max_samples,
            max_features=max_features,
            bootstrap=bootstrap,
            bootstrap_features=bootstrap_features,
            oob_score=oob_score,
            warm_start=warm_start,
            n_jobs=n_jobs,
            random_state=random_state,
            verbose=verbose,
        )
        self.sampling_strategy = sampling_strategy
        self.replacement = replacement
        self.sampler = sampler

    def _make_sampler(self):
        if self.sampler is None:
            self.sampler_ = RandomUnderSampler(replacement=self.replacement)
        else:
            self.sampler_ = clone(self.sampler)

    def _sampler_type(self):
        return getattr(self.sampler_, "_sampling_type", "bypass")

    def _member_sampler(self):
        if self._sampler_type() != "bypass":
            self.sampler_.set_params(sampling_strategy=self._sampling_strategy)
        return self.sampler_
