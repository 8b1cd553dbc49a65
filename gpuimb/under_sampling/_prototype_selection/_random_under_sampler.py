"""RandomUnderSampler: keep a random subset of each targeted class."""

from gpuimb.under_sampling.base import BaseUnderSampler
from gpuimb.utils._array_api import flatnonzero, python_scalar, take_rows
from gpuimb.utils._random import choice_positions
from gpuimb.utils._validation import class_counts


class RandomUnderSampler(BaseUnderSampler):
    """Under-sample the targeted classes by picking samples at random.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        Which classes to under-sample and to what size, as in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seed of the host random state the draws come from.
    replacement : bool, default=False
        Draw with replacement.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples kept per targeted class.
    sample_indices_ : array of shape (n_new_samples,)
        Indices of the kept samples, in the namespace and on the device of X.
    n_features_in_ : int
        Number of features of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.
    engine_ : str
        What ran the resampling (here always the array namespace).

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import RandomUnderSampler
    >>> X, y = make_classification(n_samples=1000, weights=[0.9], random_state=0)
    >>> X_res, y_res = RandomUnderSampler(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(np.int64(0), np.int64(103)), (np.int64(1), np.int64(103))]
    """

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
        self.sample_indices_ = xp.concat(kept)
        return take_rows(X, self.sample_indices_), xp.take(y, self.sample_indices_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags
