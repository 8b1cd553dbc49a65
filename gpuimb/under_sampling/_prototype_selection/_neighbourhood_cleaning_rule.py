"""NeighbourhoodCleaningRule: edited nearest neighbours plus cleaning of the
neighbourhoods of misclassified minority samples."""

import numbers

from sklearn.base import clone
from sklearn.utils._param_validation import HasMethods, Interval

from gpuimb._backends._tiles import SINGLE_THREAD_PAIRS, host_single_thread
from gpuimb.under_sampling._prototype_selection._common import (
    _agree,
    class_codes,
    knn_classifier,
    minority_class,
)
from gpuimb.under_sampling._prototype_selection._edited_nearest_neighbours import (
    EditedNearestNeighbours,
)
from gpuimb.under_sampling.base import BaseCleaningSampler
from gpuimb.utils._array_api import flatnonzero, python_scalar, take_rows
from gpuimb.utils._validation import class_counts, neighbors_constraint


def index_mask(xp, n, indices, device=None):
    """Boolean mask of length ``n``, true at ``indices`` (no scatter needed)."""
    positions = xp.arange(n, dtype=xp.int64, device=device)
    if indices.shape[0] == 0:
        return xp.zeros(n, dtype=xp.bool, device=device)
    marked = xp.unique_values(xp.astype(indices, xp.int64))
    slot = xp.searchsorted(marked, positions)
    slot = xp.clip(slot, 0, marked.shape[0] - 1)
    return xp.take(marked, slot) == positions


def _first_appearance(xp, y, classes):
    """Classes ordered by first occurrence in y (``collections.Counter`` order)."""
    first = {klass: int(flatnonzero(xp, y == python_scalar(klass))[0])
             for klass in classes}
    return sorted(classes, key=first.get)


class NeighbourhoodCleaningRule(BaseCleaningSampler):
    """Under-sample with the neighbourhood cleaning rule (Laurikkala, 2001).

    Removes the rows that :class:`EditedNearestNeighbours` edits out and, from
    the targeted classes that are large enough, the rows among the
    ``n_neighbors`` neighbours of a minority row that a k-NN classifier
    misclassifies. Both steps remove rows near the minority class, which
    the default strategy leaves whole.

    Read more in imbalanced-learn's user guide on the neighbourhood cleaning rule.

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
    edited_nearest_neighbours : sampler object, default=None
        The editing step: any object with ``fit_resample`` and
        ``sample_indices_``. ``None`` uses ``EditedNearestNeighbours`` with
        ``kind_sel="mode"`` and this ``n_neighbors``.
    n_neighbors : int or estimator object, default=3
        Size of the neighbourhood. An object with ``kneighbors``: a k-NN
        classifier is used as it is, a nearest-neighbours estimator gives
        ``n_neighbors - 1`` neighbours (its first is the row itself).
    threshold_cleaning : float, default=0.5
        A class takes part in the second step when it has more than
        ``threshold_cleaning`` times as many rows as the minority class.
    n_jobs : int, default=None
        Passed to the k-NN estimators (host only).

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes the rule removes rows from.
    edited_nearest_neighbours_ : sampler object
        The fitted editing step.
    nn_ : estimator object
        The fitted k-NN classifier.
    classes_to_clean_ : list
        Classes whose rows near misclassified minority rows are removed.
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
    EditedNearestNeighbours : The first step alone.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    References
    ----------
    .. [1] J. Laurikkala, "Improving identification of difficult small classes
       by balancing class distribution", Conference on Artificial Intelligence
       in Medicine in Europe, pp. 63-66, 2001.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import NeighbourhoodCleaningRule
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.8,
    ...                            random_state=10)
    >>> X_res, y_res = NeighbourhoodCleaningRule().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 386), (1, 51)]
    """

    _exposes_sample_indices = True
    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "edited_nearest_neighbours": [HasMethods(["fit_resample"]), None],
        "n_neighbors": neighbors_constraint(),
        "threshold_cleaning": [Interval(numbers.Real, 0, None, closed="neither")],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, *, sampling_strategy="auto", edited_nearest_neighbours=None,
                 n_neighbors=3, threshold_cleaning=0.5, n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.edited_nearest_neighbours = edited_nearest_neighbours
        self.n_neighbors = n_neighbors
        self.threshold_cleaning = threshold_cleaning
        self.n_jobs = n_jobs

    def _validate_estimator(self, ctx):
        if isinstance(self.n_neighbors, numbers.Integral):
            self.nn_ = knn_classifier(ctx, self.n_neighbors, self.n_jobs)
        elif not hasattr(self.n_neighbors, "predict"):
            # A nearest-neighbours estimator counts the sample itself.
            self.nn_ = knn_classifier(ctx, self.n_neighbors.n_neighbors - 1, self.n_jobs)
        else:
            self.nn_ = ctx.adapt(clone(self.n_neighbors))
        if self.edited_nearest_neighbours is None:
            self.edited_nearest_neighbours_ = EditedNearestNeighbours(
                sampling_strategy=self.sampling_strategy,
                n_neighbors=self.n_neighbors, kind_sel="mode", n_jobs=self.n_jobs,
            )
        else:
            self.edited_nearest_neighbours_ = clone(self.edited_nearest_neighbours)

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        self._validate_estimator(ctx)
        n = y.shape[0]
        self.edited_nearest_neighbours_.fit_resample(X, y)
        kept_by_enn = index_mask(
            xp, n, xp.asarray(self.edited_nearest_neighbours_.sample_indices_),
            device=ctx.device)

        stats = class_counts(y)
        minority = minority_class(y)
        self.classes_to_clean_ = [
            klass for klass in _first_appearance(xp, y, list(stats))
            if klass in self.sampling_strategy_
            and stats[klass] > stats[minority] * self.threshold_cleaning
        ]

        ctx.fit_exposed(self.nn_, X, y,
                        queried=not isinstance(self.n_neighbors, numbers.Integral))
        minority_indices = flatnonzero(xp, y == python_scalar(minority))
        X_min = take_rows(X, minority_indices)
        k = self.nn_.n_neighbors
        if hasattr(self.n_neighbors, "predict"):
            # The user's classifier answers (its own tie order). The minority
            # samples are in the fitted data: drop each one's self match. Small
            # searches run on one thread (waking OpenMP workers costs more).
            with host_single_thread(ctx.on_host and n * X_min.shape[0] < SINGLE_THREAD_PAIRS):
                predicted = xp.asarray(self.nn_.predict(X_min))
                neighbours = xp.asarray(self.nn_.kneighbors(
                    X_min, n_neighbors=k + 1, return_distance=False))[:, 1:]
            misclassified = predicted != python_scalar(minority)
        else:
            neighbours, misclassified = self._exact_vote(X, y, minority_indices, k, ctx)
        near_errors = xp.take(neighbours, flatnonzero(xp, misclassified), axis=0)
        near_errors = index_mask(xp, n, xp.reshape(near_errors, (-1,)),
                                 device=ctx.device)
        to_clean = xp.zeros(n, dtype=xp.bool, device=ctx.device)
        for klass in self.classes_to_clean_:
            to_clean = to_clean | (y == python_scalar(klass))
        keep = kept_by_enn & ~(near_errors & to_clean)
        return self._keep_rows(ctx, X, y, xp.astype(flatnonzero(xp, keep), xp.int64))

    @staticmethod
    def _exact_vote(X, y, minority_indices, k, ctx):
        """Neighbours and k-NN misclassification of the minority samples, exactly.

        The engine's kNN (ties by distance, then index; a row never its own
        neighbour) gives each minority sample's ``k`` neighbours. The k-NN
        classifier's vote on a sample of its own training data counts the
        sample itself and its ``k - 1`` nearest others; a tied vote goes to the
        smallest class, as scikit-learn's ``KNeighborsClassifier`` decides it.
        """
        xp = ctx.xp
        neighbours = xp.astype(ctx.engine.kneighbors(
            X, take_rows(X, minority_indices), k=k, exclude_self=minority_indices,
            return_distance=False), xp.int64)
        classes = list(class_counts(y))
        codes = class_codes(xp, y, classes)
        voters = xp.concat([xp.astype(minority_indices, xp.int64)[:, None],
                            neighbours[:, :k - 1]], axis=1)
        agree = _agree(xp, codes, voters, xp.take(codes, minority_indices), "mode",
                       len(classes))
        return neighbours, ~agree
