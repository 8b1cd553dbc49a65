"""Bad parameters and bad input: the same exception type and message as imbalanced-learn."""

import re

import imblearn.ensemble as imb
import numpy as np
import pytest
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier
from sklearn.svm import SVC

import gpuimb.ensemble as gen

X, Y = make_classification(n_samples=120, n_features=4, weights=[0.8], random_state=0)

BAD = [
    ("BalancedRandomForestClassifier", dict(oob_score=True, bootstrap=False), None),
    ("BalancedRandomForestClassifier", dict(sampling_strategy="rare"), None),
    ("BalancedRandomForestClassifier", dict(n_estimators=0), None),
    ("BalancedBaggingClassifier", dict(oob_score=True, bootstrap=False), None),
    ("BalancedBaggingClassifier", dict(max_features=10), None),
    ("BalancedBaggingClassifier", dict(sampler="not a sampler"), None),
    ("BalancedBaggingClassifier", dict(sampling_strategy={0: 500}), None),
    ("EasyEnsembleClassifier", dict(replacement="yes"), None),
    ("RUSBoostClassifier", dict(estimator=KNeighborsClassifier()), None),
    ("RUSBoostClassifier", dict(estimator=SVC(), algorithm="SAMME.R"), None),
    ("RUSBoostClassifier", dict(learning_rate=-1.0), None),
    ("RUSBoostClassifier", dict(), "continuous"),
    ("EasyEnsembleClassifier", dict(), "multilabel"),
    ("BalancedBaggingClassifier", dict(), "continuous"),
]


def _target(kind):
    if kind == "continuous":
        return Y + 0.5
    if kind == "multilabel":
        return np.stack([Y, Y], axis=1)
    return Y


@pytest.mark.parametrize(("name", "params", "target"), BAD)
def test_same_error_as_imblearn(name, params, target):
    y = _target(target)
    with pytest.raises(Exception) as theirs:
        getattr(imb, name)(**params).fit(X, y)
    with pytest.raises(type(theirs.value)) as ours:
        getattr(gen, name)(**params).fit(X, y)
    assert _sorted_sets(str(ours.value)) == _sorted_sets(str(theirs.value))


def _sorted_sets(message):
    # scikit-learn prints the allowed strings as a set, whose order depends on
    # the hash seed; compare the options, not their order.
    return re.sub(r"\{([^}]*)\}",
                  lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


def test_predict_before_fit():
    from sklearn.exceptions import NotFittedError

    for name in gen.__all__:
        with pytest.raises(NotFittedError):
            getattr(gen, name)().predict(X)
