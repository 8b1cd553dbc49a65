"""TomekLinks: remove the targeted members of mutual nearest neighbour pairs."""

import numbers

import numpy as np

from gpuimb.under_sampling.base import BaseCleaningSampler
from gpuimb.utils._array_api import (
    device_of,
    flatnonzero,
    get_namespace,
    python_scalar,
    take_rows,
)


def _class_member_mask(xp, y, classes):
    """Boolean mask of the samples whose label is one of ``classes``."""
    mask = xp.zeros_like(y, dtype=xp.bool)
    for klass in classes:
        mask = mask | (y == python_scalar(klass))
    return mask


class TomekLinks(BaseCleaningSampler):
    """Under-sample by removing Tomek's links.

    A Tomek link is a pair of samples of different classes that are each
    other's nearest neighbour; the members of the targeted classes are removed.
    The test is one vectorised mutual-nearest-neighbour comparison.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default="auto"
        Classes to clean, as in imbalanced-learn.
    n_jobs : int, default=None
        Kept for compatibility with imbalanced-learn; the engine decides.

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes targeted by the cleaning.
    sample_indices_ : array of shape (n_new_samples,)
        Indices of the kept samples, in the namespace and on the device of X.
    n_features_in_ : int
        Number of features of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.
    engine_ : str
        The engine that found the nearest neighbours.
    """

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
        self.sample_indices_ = xp.astype(flatnonzero(xp, ~links), xp.int64)
        return take_rows(X, self.sample_indices_), xp.take(y, self.sample_indices_)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.sampler_tags.sample_indices = True
        return tags

