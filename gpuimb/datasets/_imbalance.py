"""Turn a dataset into an imbalanced one by under-sampling chosen classes."""

from collections import Counter
from collections.abc import Mapping

import numpy as np
from sklearn.utils._param_validation import validate_params

from gpuimb.utils._validation import check_sampling_strategy, class_counts


def _counts(y):
    if isinstance(y, (list, tuple, np.ndarray)) or hasattr(y, "iloc"):
        return Counter(y)
    return Counter(class_counts(y))  # device arrays: count on the device


@validate_params(
    {
        "X": ["array-like"],
        "y": ["array-like"],
        "sampling_strategy": [Mapping, callable, None],
        "random_state": ["random_state"],
        "verbose": ["boolean"],
    },
    prefer_skip_nested_validation=True,
)
def make_imbalance(X, y, *, sampling_strategy=None, random_state=None, verbose=False,
                   **kwargs):
    """Under-sample the classes of ``(X, y)`` to the wanted counts.

    The rows kept are drawn without replacement by gpuimb's
    :class:`~gpuimb.under_sampling.RandomUnderSampler`, so with the same
    ``random_state`` they are the rows imbalanced-learn keeps, and device arrays
    (CuPy, any array-API namespace) stay on their device: only the class counts
    and the random draws cross to or from the host.

    Parameters
    ----------
    X : {array-like, dataframe} of shape (n_samples, n_features)
        The data.
    y : array-like of shape (n_samples,)
        Its labels.
    sampling_strategy : dict or callable
        ``{class: n_samples}`` for the classes to shrink (others are kept whole),
        or a callable ``f(y, **kwargs)`` returning such a dict (it receives ``y``
        as a NumPy array). Required; ``None`` is refused.
    random_state : int, RandomState instance or None, default=None
        Seed or generator of the draws.
    verbose : bool, default=False
        Print the class counts before and after.
    **kwargs : dict
        Passed to a callable ``sampling_strategy``.

    Returns
    -------
    X_resampled : {ndarray, dataframe} of shape (n_samples_new, n_features)
        The rows kept, in the container and on the device of ``X``.
    y_resampled : ndarray of shape (n_samples_new,)
        Their labels.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import load_iris
    >>> from gpuimb.datasets import make_imbalance
    >>> X, y = load_iris(return_X_y=True)
    >>> X_res, y_res = make_imbalance(X, y, sampling_strategy={0: 10, 1: 20, 2: 30},
    ...                               random_state=42)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 10), (1, 20), (2, 30)]
    """
    from gpuimb.under_sampling import RandomUnderSampler

    if sampling_strategy is None:
        raise ValueError(
            "make_imbalance needs 'sampling_strategy': a dict {class: n_samples} or a "
            "callable returning one. Got None."
        )
    strategy = check_sampling_strategy(sampling_strategy, y, "under-sampling", **kwargs)
    if verbose:
        print(f"The original target distribution in the dataset is: {_counts(y)}")
    sampler = RandomUnderSampler(sampling_strategy=strategy, replacement=False,
                                 random_state=random_state)
    X_resampled, y_resampled = sampler.fit_resample(X, y)
    if verbose:
        print(f"Make the dataset imbalanced: {_counts(y_resampled)}")
    return X_resampled, y_resampled
