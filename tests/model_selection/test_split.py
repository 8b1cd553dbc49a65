"""InstanceHardnessCV yields imbalanced-learn's folds."""

import numpy as np
import pytest
from imblearn.model_selection import InstanceHardnessCV as ImbIHCV
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_validate

from gpuimb.model_selection import InstanceHardnessCV

X, Y = make_classification(weights=[0.8, 0.2], class_sep=0.7, n_informative=3,
                           n_redundant=1, flip_y=0.05, n_samples=120, random_state=1)


@pytest.mark.parametrize("labels, pos_label", [((0, 1), None), (("a", "b"), "a"),
                                               (("a", "b"), "b"), ((3, 8), 3)])
@pytest.mark.parametrize("n_splits", [2, 4])
def test_same_folds_as_imbalanced_learn(labels, pos_label, n_splits):
    y = np.asarray(labels, dtype=object if isinstance(labels[0], str) else None)[Y]
    ours = InstanceHardnessCV(LogisticRegression(), n_splits=n_splits, pos_label=pos_label)
    theirs = ImbIHCV(LogisticRegression(), n_splits=n_splits, pos_label=pos_label)
    got, expected = list(ours.split(X, y)), list(theirs.split(X, y))
    assert len(got) == len(expected) == ours.get_n_splits() == n_splits
    for (train, test), (train_exp, test_exp) in zip(got, expected, strict=True):
        np.testing.assert_array_equal(train, train_exp)
        np.testing.assert_array_equal(test, test_exp)
    # every fold holds the same share of each class (round-robin per class)
    for _, test in got:
        assert abs(np.sum(y[test] == y[0]) - np.sum(y == y[0]) / n_splits) <= 1


def test_in_cross_validate_and_errors():
    scores = cross_validate(LogisticRegression(), X, Y,
                            cv=InstanceHardnessCV(LogisticRegression(), n_splits=3))
    expected = cross_validate(LogisticRegression(), X, Y,
                              cv=ImbIHCV(LogisticRegression(), n_splits=3))
    np.testing.assert_array_equal(scores["test_score"], expected["test_score"])
    with pytest.warns(UserWarning, match="The groups parameter is ignored"):
        list(InstanceHardnessCV(LogisticRegression(), n_splits=2).split(X, Y, groups=Y))
    with pytest.raises(ValueError, match="only supports binary classification"):
        next(InstanceHardnessCV(LogisticRegression()).split(X, Y + np.arange(120) % 3))
    with pytest.raises(ValueError, match="pos_label=7 is not a class of y"):
        next(InstanceHardnessCV(LogisticRegression(), pos_label=7).split(X, Y))
