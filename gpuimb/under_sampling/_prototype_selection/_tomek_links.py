"""TomekLinks: remove the targeted members of mutual nearest neighbour pairs."""

import numbers

import numpy as np

from gpuimb.under_sampling.base import BaseCleaningSampler
from gpuimb.utils._array_api import (
    device_of,
    flatnonzero,
    get_namespace,
    python_scalar,
)


def _class_member_mask(xp, y, classes):
    """Boolean mask of the samples whose label is one of ``classes``."""
    mask = xp.zeros_like(y, dtype=xp.bool)
    for klass in classes:
        mask = mask | (y == python_scalar(klass))
    return mask


class TomekLinks(BaseCleaningSampler):
    """Under-sample by removing Tomek links.

    Two rows of different classes form a Tomek link when each is the other's
    nearest neighbour: they sit on the class border, or one of them is noise.
    The members of the targeted classes are removed, which cleans the border.
    The test is one vectorised mutual-nearest-neighbour comparison.

    Read more in imbalanced-learn's user guide on Tomek links.

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
    n_jobs : int, default=None
        Accepted for compatibility with imbalanced-learn; the engine decides
        how the nearest-neighbour search runs.

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes the rule removes rows from.
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
    EditedNearestNeighbours : Remove rows that their neighbours disagree with.
    gpuimb.combine.SMOTETomek : SMOTE, then Tomek links.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    References
    ----------
    .. [1] I. Tomek, "Two modifications of CNN", IEEE Transactions on Systems,
       Man, and Cybernetics, 6, pp. 769-772, 1976.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import TomekLinks
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.5,
    ...                            random_state=10)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 449), (1, 51)]
    >>> X_res, y_res = TomekLinks().fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 437), (1, 51)]
    """

    _exposes_sample_indices = True
    _parameter_constraints: dict = {
        **BaseCleaningSampler._parameter_constraints,
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, *, sampling_strategy="auto", n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.n_jobs = n_jobs

    @staticmethod
    def is_tomek(y, nn_index, class_type):
        """Flag the samples of ``class_type`` that belong to a Tomek link.

        Parameters
        ----------
        y : array of shape (n_samples,)
            Labels.
        nn_index : array of shape (n_samples,)
            Index of the nearest neighbour (other than itself) of each sample.
        class_type : iterable of labels or label
            Classes whose members may be flagged (a ``sampling_strategy_`` dict
            works: its keys are used).

        Returns
        -------
        is_tomek : array of bool of shape (n_samples,)
            True for the flagged samples.
        """
        try:
            xp = get_namespace(y, nn_index)
        except TypeError:
            y, nn_index = np.asarray(y), np.asarray(nn_index)
            xp = get_namespace(y, nn_index)
        if isinstance(class_type, str) or not hasattr(class_type, "__iter__"):
            class_type = [class_type]
        nn_index = xp.astype(xp.reshape(nn_index, (-1,)), xp.int64)
        n_samples = y.shape[0]
        own = xp.arange(n_samples, dtype=xp.int64, device=device_of(y))
        mutual = xp.take(nn_index, nn_index) == own
        other_class = xp.take(y, nn_index) != y
        return mutual & other_class & _class_member_mask(xp, y, list(class_type))

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        nearest = ctx.engine.kneighbors(X, k=1, return_distance=False)[:, 0]
        links = self.is_tomek(y, nearest, self.sampling_strategy_)
        return self._keep_rows(ctx, X, y, xp.astype(flatnonzero(xp, ~links), xp.int64))
