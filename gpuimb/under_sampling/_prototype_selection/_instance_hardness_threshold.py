"""InstanceHardnessThreshold: drop the samples a classifier finds hardest."""

import numbers

import numpy as np
from sklearn.model_selection import StratifiedKFold, check_cv
from sklearn.utils._param_validation import HasMethods

from gpuimb._backends._tiles import host_map, host_single_thread
from gpuimb.under_sampling.base import BaseUnderSampler
from gpuimb.utils._array_api import flatnonzero, python_scalar, take_rows, to_host
from gpuimb.utils._progress import progress
from gpuimb.utils._validation import class_counts, clone_estimator


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


# Folds are fitted side by side from this many samples (measured on the KEEL
# sets with the default forest: 0.68-0.83x of one fold after the other from
# 1,484 rows, 1.10-1.17x below 850 rows).
_SIDE_BY_SIDE_ROWS = 1000


class InstanceHardnessThreshold(BaseUnderSampler):
    """Under-sample by removing the rows a classifier finds hardest.

    A classifier is cross-validated on the data; each row's instance hardness
    is one minus the out-of-fold probability it gives the row's own class.
    Each targeted class keeps the rows with the highest probabilities, as
    many as ``sampling_strategy`` asks (rows whose probability ties the
    threshold are kept too, so a class may keep a few more).

    Read more in imbalanced-learn's user guide on instance hardness threshold.

    Parameters
    ----------
    estimator : estimator object, default=None
        A classifier with ``predict_proba``. ``None`` uses a random forest of
        100 trees from the engine (scikit-learn on the host, cuML on a GPU),
        seeded by ``random_state``.
    sampling_strategy : float, str, dict or callable, default="auto"
        How many samples each class keeps once under-sampled.

        - float: the wanted ratio ``n_minority / n_majority_after`` of a binary
          problem, in (0, 1]. A ratio below the current one is an error (an
          under-sampler cannot add samples).
        - str: which classes shrink to the size of the minority class:
          ``"majority"`` (the largest class), ``"not minority"`` (all but the
          smallest), ``"not majority"`` (all but the largest), ``"all"`` (every
          class) or ``"auto"``, the same as ``"not minority"``.
        - dict: ``{class label: number of samples to keep}``; classes left out
          are kept whole, and a number above a class's size is an error.
        - callable: ``f(y)`` returning such a dict.
    random_state : int, RandomState instance or None, default=None
        Seed of the fold shuffling and of the default random forest.
    cv : int, cross-validation generator or iterable, default=5
        An int gives that many stratified, shuffled folds; a splitter or an
        iterable of ``(train, test)`` index pairs is used as it is.
    n_jobs : int, default=None
        Passed to the default random forest (host only).

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to keep in each targeted class.
    estimator_ : estimator object
        The validated (unfitted) classifier that is cross-validated.
    sample_indices_ : array of shape (n_new_samples,)
        Index, in the X given to ``fit_resample``, of each output row; the
        array lives in X's namespace and on its device.
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        What ran the classifier.

    See Also
    --------
    NearMiss : Keep rows by their distances to the minority class.
    RandomUnderSampler : Keep rows at random.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    With ``gpuimb.set_config(show_progress=True)`` and tqdm installed, the
    folds show a progress bar.

    References
    ----------
    .. [1] M. R. Smith, T. Martinez and C. Giraud-Carrier, "An instance level
       analysis of data complexity", Machine Learning, 95(2), pp. 225-256, 2014.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> from gpuimb.under_sampling import InstanceHardnessThreshold
    >>> X, y = make_classification(n_samples=500, weights=[0.9], random_state=10)
    >>> iht = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=0)
    >>> X_res, y_res = iht.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 51), (1, 51)]
    """

    _exposes_sample_indices = True
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
            self.estimator_ = clone_estimator(self.estimator)
            _set_random_states(self.estimator_, random_state)

    def _splits(self, y_host, random_state):
        if isinstance(self.cv, numbers.Integral):
            cv = StratifiedKFold(n_splits=self.cv, shuffle=True,
                                 random_state=random_state)
        else:
            cv = check_cv(self.cv, y_host, classifier=True)
        return list(cv.split(np.zeros((y_host.shape[0], 1)), y_host))

    def _cross_val_proba(self, X, y_codes, y_codes_host, n_classes, ctx, random_state):
        """Out-of-fold ``predict_proba`` of every sample for its own class.

        On the host, with ``n_jobs=None`` and at least ``_SIDE_BY_SIDE_ROWS``
        samples, the folds are fitted side by side on the tile threads (native
        thread pools limited to one thread meanwhile; below that size the
        estimators' Python overhead holds the GIL and threads only add to it):
        each fold fits its own clone, whose random state is a copy of the same
        one, so the result does not depend on the order the folds finish in.
        Tree building and most of scikit-learn's fitting release the GIL.
        """
        xp = ctx.xp
        splits = self._splits(y_codes_host, random_state)

        def fold(split):
            train, test = split
            est = ctx.adapt(clone_estimator(self.estimator_))
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
            return xp.take_along_axis(proba, own[:, None], axis=1)[:, 0]

        side_by_side = (ctx.on_host and self.n_jobs is None
                        and X.shape[0] >= _SIDE_BY_SIDE_ROWS)
        with host_single_thread(side_by_side):
            folds = host_map(fold, splits, lazy=True) if side_by_side else map(fold, splits)
            probas = list(progress(folds, type(self).__name__, unit="fold",
                                   total=len(splits)))
        tests = [test for _, test in splits]
        order = np.argsort(np.concatenate(tests), kind="stable")
        return xp.take(xp.concat(probas), ctx.asarray(order))

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        random_state = ctx.random_state(self.random_state)
        self._validate_estimator(ctx, random_state)
        stats = class_counts(y)
        classes = list(stats)
        # Encoded labels, as cross_val_predict fits its folds on them.
        y_codes = xp.zeros_like(y, dtype=xp.int64)
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
                    xp.sort(class_proba, stable=False), (1.0 - (n_samples / count)) * 100.0, xp)
                class_indices = xp.take(
                    class_indices,
                    flatnonzero(xp, class_proba >= python_scalar(threshold)))
            kept.append(xp.astype(class_indices, xp.int64))
        return self._keep_rows(ctx, X, y, xp.concat(kept))
