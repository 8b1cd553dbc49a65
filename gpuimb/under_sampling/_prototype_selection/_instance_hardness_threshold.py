"""InstanceHardnessThreshold: drop the samples a classifier finds hardest."""

import copy
import numbers

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils._param_validation import HasMethods

from gpuimb.under_sampling.base import BaseUnderSampler
from gpuimb.utils._array_api import flatnonzero, python_scalar, take_rows, to_host
from gpuimb.utils._progress import progress
from gpuimb.utils._validation import class_counts


def _clone(estimator):
    """scikit-learn's clone, or a deep copy of a duck-typed estimator."""
    try:
        return clone(estimator)
    except TypeError:
        return copy.deepcopy(estimator)


def _set_random_states(estimator, random_state):
    """Give every ``*random_state`` parameter an int drawn from ``random_state``.

    Same keys, order and draws as scikit-learn's ensemble helper.
    """
    params = estimator.get_params(deep=True) if hasattr(estimator, "get_params") else {}
    to_set = {}
    for key in sorted(params):
        if key == "random_state" or key.endswith("__random_state"):
            to_set[key] = random_state.randint(np.iinfo(np.int32).max)
    if to_set:
        estimator.set_params(**to_set)


def _percentile_linear(sorted_values, q, xp):
    """``numpy.percentile(values, q)`` (linear method) of sorted values, as a float."""
    n = sorted_values.shape[0]
    virtual = (n - 1) * np.true_divide(np.float64(q), 100)
    if virtual >= n - 1:
        lo = hi = n - 1
    elif virtual < 0:
        lo = hi = 0
    else:
        lo = int(np.floor(virtual))
        hi = lo + 1
    gamma = virtual - np.floor(virtual)
    a = np.asarray(to_host(sorted_values[lo:lo + 1]))[0]
    b = np.asarray(to_host(sorted_values[hi:hi + 1]))[0]
    diff = b - a
    if gamma >= 0.5:
        return b - diff * (1 - gamma)
    return a + diff * gamma


class InstanceHardnessThreshold(BaseUnderSampler):
    """Under-sample by removing the samples with the lowest cross-validated
    probability of their own class.

    Parameters
    ----------
    estimator : estimator object, default=None
        Classifier with ``predict_proba``; None means a random forest of 100
        trees (the engine's: scikit-learn on the host, cuML on a GPU).
    sampling_strategy : float, str, dict or callable, default="auto"
        Classes to under-sample and to what size, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the folds and of the classifier.
    cv : int or cross-validation generator, default=5
        Number of stratified, shuffled folds (or a splitter / iterable of splits).
    n_jobs : int, default=None
        Passed to the default random forest.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples kept per targeted class.
    estimator_ : estimator object
        The validated (unfitted) classifier.
    sample_indices_ : array of shape (n_new_samples,)
        Indices of the kept samples.
    n_features_in_ : int
        Number of features of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.
    engine_ : str
        What ran the classifier.
    """

    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "estimator": [HasMethods(["fit", "predict_proba"]), None],
        "cv": ["cv_object"],
        "n_jobs": [numbers.Integral, None],
        "random_state": ["random_state"],
    }

    def __init__(self, *, estimator=None, sampling_strategy="auto", random_state=None,
                 cv=5, n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.estimator = estimator
        self.cv = cv
        self.n_jobs = n_jobs

    def _validate_estimator(self, ctx, random_state):
        if self.estimator is None:
            self.estimator_ = ctx.engine.classifier(
                "random_forest", n_estimators=100, random_state=self.random_state,
                n_jobs=self.n_jobs,
            )
        else:
            self.estimator_ = _clone(self.estimator)
            _set_random_states(self.estimator_, random_state)

    def _splits(self, y_host, random_state):
        if isinstance(self.cv, numbers.Integral):
            cv = StratifiedKFold(n_splits=self.cv, shuffle=True,
                                 random_state=random_state)
        else:
            cv = check_cv(self.cv, y_host, classifier=True)
        return list(cv.split(np.zeros((y_host.shape[0], 1)), y_host))

    def _cross_val_proba(self, X, y_codes, y_codes_host, n_classes, ctx, random_state):
        """Out-of-fold ``predict_proba`` of every sample for its own class."""
        xp = ctx.xp
        splits = self._splits(y_codes_host, random_state)
        probas, tests = [], []
        for train, test in progress(splits, type(self).__name__, unit="fold"):
            est = ctx.adapt(_clone(self.estimator_))
            train_d, test_d = ctx.asarray(train), ctx.asarray(test)
            est.fit(take_rows(X, train_d), xp.take(y_codes, train_d))
            proba = xp.asarray(est.predict_proba(take_rows(X, test_d)))
            fold_classes = np.asarray(to_host(est.classes_)).astype(np.int64)
            if fold_classes.shape[0] != n_classes:
                # A class absent from this training fold gets probability 0.
                mapping = np.zeros((fold_classes.shape[0], n_classes))
                mapping[np.arange(fold_classes.shape[0]), fold_classes] = 1.0
                proba = proba @ ctx.asarray(mapping, dtype=proba.dtype)
            own = xp.take(y_codes, test_d)
            probas.append(xp.take_along_axis(proba, own[:, None], axis=1)[:, 0])
            tests.append(test)
        order = np.argsort(np.concatenate(tests), kind="stable")
        return xp.take(xp.concat(probas), ctx.asarray(order))

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        random_state = ctx.random_state(self.random_state)
        self._validate_estimator(ctx, random_state)
        stats = class_counts(y)
        classes = list(stats)
        # Encoded labels, as cross_val_predict fits its folds on them.
        y_codes = xp.zeros(y.shape, dtype=xp.int64, device=ctx.device)
        for code, klass in enumerate(classes):
            y_codes = xp.where(y == python_scalar(klass), code, y_codes)
        y_codes_host = np.asarray(to_host(y_codes))
        proba = self._cross_val_proba(X, y_codes, y_codes_host, len(classes), ctx,
                                      random_state)
        kept = []
        for klass, count in stats.items():
            class_indices = flatnonzero(xp, y == python_scalar(klass))
            if klass in self.sampling_strategy_:
                n_samples = self.sampling_strategy_[klass]
                class_proba = xp.take(proba, class_indices)
                threshold = _percentile_linear(
                    xp.sort(class_proba), (1.0 - (n_samples / count)) * 100.0, xp)
                class_indices = xp.take(
                    class_indices,
                    flatnonzero(xp, class_proba >= python_scalar(threshold)))
            kept.append(xp.astype(class_indices, xp.int64))
        self.sample_indices_ = xp.concat(kept)
        return take_rows(X, self.sample_indices_), xp.take(y, self.sample_indices_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags
