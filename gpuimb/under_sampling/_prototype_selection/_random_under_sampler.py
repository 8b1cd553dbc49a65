"""RandomUnderSampler: keep a random subset of each targeted class."""

from gpuimb.under_sampling.base import BaseUnderSampler
from gpuimb.utils._array_api import flatnonzero, python_scalar
from gpuimb.utils._random import choice_positions
from gpuimb.utils._validation import class_counts


class RandomUnderSampler(BaseUnderSampler):
    """Under-sample the targeted classes by keeping a random subset of their rows.

    Each targeted class keeps rows drawn uniformly at random (without
    replacement by default) until it has the size asked by
    ``sampling_strategy``; the other classes are kept whole. The method makes
    no assumption on the data: any dtype, strings and missing values included.
    A pandas X keeps the index of the kept rows.

    Read more in imbalanced-learn's user guide on random under-sampling;
    for a given seed gpuimb keeps the rows imbalanced-learn keeps.

    Parameters
    ----------
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
        Controls the random draws. An int makes every call draw the same
        samples; a ``numpy.random.RandomState`` is used (and advanced) as it is;
        ``None`` takes NumPy's global random state. The draws are made on the
        host and then moved next to X, so a seed makes the same choices whether
        X lives on the CPU or on a GPU.
    replacement : bool, default=False
        Draw with replacement (a row may then be kept several times).

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples to keep in each targeted class.
    sample_indices_ : array of shape (n_new_samples,)
        Index, in the X given to ``fit_resample``, of each output row; the
        array lives in X's namespace and on its device.
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        What ran the resampling: the array namespace (no neighbours are searched).

    See Also
    --------
    NearMiss : Keep the rows chosen by their distances to the minority class.
    ClusterCentroids : Replace each class by the centroids of its clusters.
    gpuimb.over_sampling.RandomOverSampler : Copy rows at random instead.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    Multi-class targets are handled class by class; sparse X is accepted.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import RandomUnderSampler
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 898), (1, 102)]
    >>> rus = RandomUnderSampler(random_state=0)
    >>> X_res, y_res = rus.fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 102), (1, 102)]
    >>> bool((X_res == X[rus.sample_indices_]).all())
    True
    """

    _exposes_sample_indices = True
    _parameter_constraints: dict = {
        **BaseUnderSampler._parameter_constraints,
        "replacement": ["boolean"],
        "random_state": ["random_state"],
    }
    # X is only indexed (never computed on), so NaN and infinity pass through,
    # as in imbalanced-learn ("balance first, impute later").
    _allow_nan = True
    _allow_inf = True
    _allow_non_numeric = True
    _preserves_dataframe_index = True

    def __init__(self, *, sampling_strategy="auto", random_state=None,
                 replacement=False):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.replacement = replacement

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        random_state = ctx.random_state(self.random_state)
        kept = []
        for klass, count in class_counts(y).items():
            class_indices = flatnonzero(xp, y == python_scalar(klass))
            if klass in self.sampling_strategy_:
                positions = choice_positions(
                    random_state, int(count), self.sampling_strategy_[klass],
                    self.replacement,
                )
                class_indices = xp.take(class_indices, ctx.asarray(positions))
            kept.append(xp.astype(class_indices, xp.int64))
        return self._keep_rows(ctx, X, y, xp.concat(kept))
