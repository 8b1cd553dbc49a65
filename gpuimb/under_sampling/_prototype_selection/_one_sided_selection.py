"""OneSidedSelection: a one-shot condensed store, then Tomek-link cleaning."""


import numpy as np

from gpuimb.under_sampling._prototype_selection._common import (
    _NeighborSearch,
    _SeededStoreSampler,
    fitted_classifier,
    minority_class,
    neighbors_setting,
    vote_is_target,
)
from gpuimb.under_sampling._prototype_selection._condensed_nearest_neighbour import (
    check_enough_neighbors,
)
from gpuimb.under_sampling._prototype_selection._tomek_links import TomekLinks
from gpuimb.utils._array_api import flatnonzero, python_scalar, take_rows


class OneSidedSelection(_SeededStoreSampler):
    """Under-sample with one-sided selection (Kubat and Matwin, 1997).

    For each targeted class, a store made of all the minority rows and
    ``n_seeds_S`` random rows of the class classifies the class's other rows
    in one k-NN query; the seeds and the misclassified rows are kept (the
    rows deep inside the class are redundant). Tomek links are then removed
    from the targeted classes, which cleans the border.

    Read more in imbalanced-learn's user guide on one-sided selection.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default="auto"
        Which classes the rule may remove samples from; the rule itself decides
        how many go, so a number of samples cannot be asked for.

        - str: ``"majority"`` (the largest class), ``"not minority"`` (all but
          the smallest), ``"not majority"`` (all but the largest), ``"all"``
          (every class) or ``"auto"``, the same as ``"not minority"``.
        - list: the labels of the classes to clean.
        - callable: ``f(y)`` returning a dict whose keys are the classes to
          clean.
    random_state : int, RandomState instance or None, default=None
        Controls the random draws. An int makes every call draw the same
        samples; a ``numpy.random.RandomState`` is used (and advanced) as it is;
        ``None`` takes NumPy's global random state. The draws are made on the
        host and then moved next to X, so a seed makes the same choices whether
        X lives on the CPU or on a GPU.
    n_neighbors : int or estimator object, default=None
        Size of the store's k-NN rule (``None`` means 1). An object with
        ``kneighbors``: a classifier's ``predict`` is used as it is, a
        nearest-neighbours estimator votes with its ``n_neighbors``.
    n_seeds_S : int, default=1
        Number of random rows of the class in the store.
    n_jobs : int, default=None
        Passed to the k-NN estimators and to the Tomek links (host only).

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes the rule removes rows from.
    estimators_ : list of estimator objects
        For each cleaned class, the k-NN classifier fitted on its store.
    sample_indices_ : array of shape (n_new_samples,)
        Index, in the X given to ``fit_resample``, of each output row; the
        array lives in X's namespace and on its device.
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
    CondensedNearestNeighbour : The full condensing rule.
    TomekLinks : The second step alone.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    References
    ----------
    .. [1] M. Kubat and S. Matwin, "Addressing the curse of imbalanced training
       sets: one-sided selection", ICML, 97, pp. 179-186, 1997.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import OneSidedSelection
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.8,
    ...                            random_state=10)
    >>> X_res, y_res = OneSidedSelection(random_state=42).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 421), (1, 51)]
    """

    def _misclassified(self, X, y, ctx, C_indices, S_indices, k, weights, user_nn,
                       klass, minority):
        """Mask of the S samples the store C misclassifies."""
        xp = ctx.xp
        if S_indices.shape[0] == 0:
            # imbalanced-learn's classifier refuses the empty set to classify.
            raise ValueError(
                f"Found array with 0 sample(s) (shape=(0, {X.shape[1]})) while a minimum "
                f"of 1 is required by KNeighborsClassifier: every sample of class "
                f"{klass!r} is a seed; OneSidedSelection needs more samples of it."
            )
        X_C, y_C = take_rows(X, C_indices), xp.take(y, C_indices)
        X_S = take_rows(X, S_indices)
        estimator = fitted_classifier(ctx, self.n_neighbors, k, self.n_jobs, X_C, y_C)
        self.estimators_.append(estimator)
        if user_nn is not None and hasattr(user_nn, "predict"):
            return xp.asarray(estimator.predict(X_S)) != python_scalar(klass)
        check_enough_neighbors(k, C_indices.shape[0], S_indices.shape[0])
        dist, pos = _NeighborSearch(ctx, user_nn).kneighbors(X_C, y_C, X_S, k)
        is_target = xp.take(y_C, xp.reshape(xp.asarray(pos), (-1,)))
        is_target = xp.reshape(is_target == python_scalar(klass), dist.shape)
        correct = vote_is_target(xp, is_target, xp.asarray(dist), weights,
                                 target_first=bool(klass < minority))
        return ~correct

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        k, weights, user_nn = neighbors_setting(self.n_neighbors, 1)
        minority = minority_class(y)
        minority_indices = xp.astype(
            flatnonzero(xp, y == python_scalar(minority)), xp.int64)
        kept = []
        self.estimators_ = []
        for klass, class_indices, seeds in self._seeded_classes(y, ctx, kept):
            seed_indices = xp.take(class_indices, ctx.asarray(seeds))
            rest = np.ones(int(class_indices.shape[0]), dtype=bool)
            rest[seeds] = False
            S_indices = xp.take(class_indices, ctx.asarray(np.flatnonzero(rest)))
            C_indices = xp.concat([minority_indices, seed_indices])
            wrong = self._misclassified(X, y, ctx, C_indices, S_indices, k, weights,
                                        user_nn, klass, minority)
            kept += [seed_indices, xp.take(S_indices, flatnonzero(xp, wrong))]
        idx_under = xp.concat(kept)
        tomek = TomekLinks(sampling_strategy=list(self.sampling_strategy_.keys()),
                           n_jobs=self.n_jobs)
        X_res, y_res = tomek.fit_resample(take_rows(X, idx_under),
                                          xp.take(y, idx_under))
        self.sample_indices_ = xp.take(idx_under, tomek.sample_indices_)
        return X_res, y_res
