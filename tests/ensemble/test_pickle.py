"""Fitted ensembles survive pickling: members, samplers and predictions (host and
``array_api_strict`` data)."""

import pickle
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

import gpuimb.ensemble as gen

array_api_strict = pytest.importorskip("array_api_strict")

CASES = [
    ("BalancedBaggingClassifier", dict(n_estimators=3)),
    ("EasyEnsembleClassifier", dict(n_estimators=2)),
    ("BalancedRandomForestClassifier", dict(n_estimators=4)),
    ("RUSBoostClassifier", dict(n_estimators=4)),
]

X, Y = make_classification(n_samples=200, n_features=5, n_informative=3,
                           weights=[0.8], random_state=0)


def _np(array):
    return np.asarray(array._array) if hasattr(array, "_array") else np.asarray(array)


@pytest.mark.parametrize("on_device", [False, True], ids=["numpy", "array_api_strict"])
@pytest.mark.parametrize(("name", "params"), CASES, ids=[n for n, _ in CASES])
def test_pickled_fitted_ensemble_predicts_the_same(name, params, on_device):
    X_in = array_api_strict.asarray(X) if on_device else X
    y_in = array_api_strict.asarray(Y) if on_device else Y
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clf = getattr(gen, name)(random_state=0, **params).fit(X_in, y_in)
    restored = pickle.loads(pickle.dumps(clf))
    assert getattr(restored, "engine_", None) == getattr(clf, "engine_", None)
    assert len(restored.estimators_) == len(clf.estimators_) > 0
    if hasattr(clf, "samplers_"):
        for ours, theirs in zip(restored.samplers_, clf.samplers_, strict=True):
            np.testing.assert_array_equal(_np(ours.sample_indices_),
                                          _np(theirs.sample_indices_))
    np.testing.assert_array_equal(_np(restored.predict_proba(X_in)),
                                  _np(clf.predict_proba(X_in)))
    np.testing.assert_array_equal(_np(restored.predict(X_in)), _np(clf.predict(X_in)))
