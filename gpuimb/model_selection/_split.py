"""A splitter that spreads the hard samples evenly over the folds."""

import warnings

import numpy as np
from sklearn.base import clone
from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict
from sklearn.model_selection._split import BaseCrossValidator
from sklearn.utils.multiclass import type_of_target
from sklearn.utils.validation import _num_samples

from gpuimb._io import to_numpy
from gpuimb.utils._array_api import to_host


class InstanceHardnessCV(BaseCrossValidator):
    """Cross-validation whose folds get equal shares of hard and easy samples.

    The instance hardness of a sample is one minus the probability that a
    classifier, cross-validated with stratified folds, gives to its true class.
    Samples are sorted by class, then by the predicted probability of the
    positive class, and dealt round-robin into ``n_splits`` folds, so every fold
    holds the same mix of easy and hard samples of each class and the scores of
    the folds vary less than with stratified folds.

    Binary targets only. The splits (host index arrays) are the ones
    imbalanced-learn 0.14's ``InstanceHardnessCV`` yields. ``X`` is given as it is
    to ``estimator`` (a cuML classifier can take device data); only the labels
    ``y`` are read on the host.

    Parameters
    ----------
    estimator : estimator object
        Classifier with ``predict_proba`` that scores the hardness.
    n_splits : int, default=5
        Number of folds (at least 2).
    pos_label : int, float, bool or str, default=None
        Class whose probability orders the samples; by default the second class
        of ``np.unique(y)`` (``estimator.classes_[1]``).

    Examples
    --------
    >>> from gpuimb.model_selection import InstanceHardnessCV
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.model_selection import cross_validate
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(weights=[0.9, 0.1], class_sep=2, n_informative=3,
    ...                            n_redundant=1, flip_y=0.05, n_samples=1000,
    ...                            random_state=10)
    >>> estimator = LogisticRegression()
    >>> result = cross_validate(estimator, X, y, cv=InstanceHardnessCV(estimator))
    >>> bool(result["test_score"].std() < 0.01)
    True
    """

    def __init__(self, estimator, *, n_splits=5, pos_label=None):
        self.estimator = estimator
        self.n_splits = n_splits
        self.pos_label = pos_label

    def split(self, X, y, groups=None):
        """Yield the (train, test) indices of each fold.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data, passed to ``estimator``.
        y : array-like of shape (n_samples,)
            Binary target.
        groups : object
            Ignored (a warning says so).

        Yields
        ------
        train : ndarray
            Training indices of the fold.
        test : ndarray
            Test indices of the fold.
        """
        if groups is not None:
            warnings.warn(
                f"The groups parameter is ignored by {self.__class__.__name__}",
                UserWarning,
            )
        labels = to_numpy(y)  # labels only: one value per sample, never X
        if type_of_target(labels) != "binary":
            raise ValueError("InstanceHardnessCV only supports binary classification.")
        classes = np.unique(labels)
        if self.pos_label is None:
            column = 1
        else:
            matches = np.flatnonzero(classes == self.pos_label)
            if matches.size == 0:
                raise ValueError(
                    f"pos_label={self.pos_label!r} is not a class of y; the classes "
                    f"are {classes.tolist()}."
                )
            column = int(matches[0])
        proba = cross_val_predict(clone(self.estimator), X, y, cv=self.n_splits,
                                  method="predict_proba")
        hardness = np.asarray(to_host(proba))[:, column]
        n_samples = _num_samples(X)
        order = np.lexsort((hardness, labels))  # by class, then by probability
        folds = np.empty(n_samples, dtype=int)
        folds[order] = np.arange(n_samples) % self.n_splits
        yield from LeaveOneGroupOut().split(X, y, folds)

    def get_n_splits(self, X=None, y=None, groups=None):
        """Return the number of folds, ``n_splits``.

        Parameters
        ----------
        X, y, groups : object
            Ignored.

        Returns
        -------
        n_splits : int
        """
        return self.n_splits
