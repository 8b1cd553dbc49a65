"""The cuML paths, run without a GPU through stand-ins (balanced forest, bagging).

The stand-in's ``RandomForestClassifier`` takes and returns arrays of the caller's
namespace (as cuML does with CuPy) and grows scikit-learn trees inside; the forest
is told that ``array_api_strict`` is CuPy. This checks the plumbing the GPU run
relies on: one single-tree forest per balanced sample, ``bootstrap=False`` given to
cuML with gpuimb's own bootstrap rows, the parameter mapping, predictions and the
out-of-bag score computed from those rows.
"""

import sys
import types

import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.datasets import make_classification
from sklearn.ensemble import RandomForestClassifier as SkForest

import gpuimb.ensemble._forest as forest_module
from gpuimb._backends import to_host, to_namespace
from gpuimb.ensemble import BalancedRandomForestClassifier

xps = pytest.importorskip("array_api_strict")

FITS = []


class StandInCumlForest:
    """cuML's forest interface over a scikit-learn forest, arrays in the caller's namespace."""

    def __init__(self, *, n_estimators=100, bootstrap=True, max_features="sqrt",
                 split_criterion="gini", min_samples_leaf=1, min_samples_split=2,
                 min_impurity_decrease=0.0, max_leaves=-1, random_state=None,
                 n_streams=4, max_depth=16):
        self.params = dict(n_estimators=n_estimators, bootstrap=bootstrap,
                           max_features=max_features, split_criterion=split_criterion,
                           max_leaves=max_leaves, n_streams=n_streams, max_depth=max_depth)
        self.random_state = random_state
        self._forest = SkForest(
            n_estimators=n_estimators, bootstrap=bootstrap, max_features=max_features,
            criterion=split_criterion, min_samples_leaf=min_samples_leaf,
            min_samples_split=min_samples_split, random_state=random_state,
            min_impurity_decrease=min_impurity_decrease,
            max_depth=None if max_depth == 16 else max_depth,
            max_leaf_nodes=None if max_leaves == -1 else max_leaves)

    def fit(self, X, y):
        self._xp, self._device = X.__array_namespace__(), X.device
        X_host, y_host = to_host(X), to_host(y)
        FITS.append((X_host, y_host, self.params))
        self._forest.fit(X_host, y_host)
        self.classes_ = self._forest.classes_
        self.feature_importances_ = self._forest.feature_importances_
        return self

    def predict_proba(self, X):
        return to_namespace(self._forest.predict_proba(to_host(X)), self._xp,
                            device=self._device)


@pytest.fixture
def stand_in_cuml(monkeypatch):
    cuml = types.ModuleType("cuml")
    ensemble = types.ModuleType("cuml.ensemble")
    ensemble.RandomForestClassifier = StandInCumlForest
    cuml.ensemble = ensemble
    monkeypatch.setitem(sys.modules, "cuml", cuml)
    monkeypatch.setitem(sys.modules, "cuml.ensemble", ensemble)
    monkeypatch.setattr(forest_module, "is_cupy_namespace",
                        lambda xp: "array_api_strict" in getattr(xp, "__name__", ""))
    monkeypatch.setattr(forest_module, "module_available", lambda name: name == "cuml")
    FITS.clear()
    return FITS


@pytest.mark.parametrize("bootstrap", [False, True])
def test_one_cuml_forest_per_balanced_sample(stand_in_cuml, bootstrap):
    X, y = make_classification(n_samples=300, n_features=5, n_informative=3, n_classes=3,
                               weights=[0.6, 0.3, 0.1], random_state=0)
    device = xps.Device("device1")
    Xd, yd = xps.asarray(X, device=device), xps.asarray(y, device=device)
    params = dict(n_estimators=4, random_state=0, bootstrap=bootstrap, oob_score=bootstrap,
                  max_depth=5, max_leaf_nodes=30, criterion="entropy")
    model = BalancedRandomForestClassifier(**params).fit(Xd, yd)
    host = BalancedRandomForestClassifier(**params).fit(X, y)
    assert model.engine_ == "cuml"
    assert len(stand_in_cuml) == 4
    for (X_fit, y_fit, cuml_params), rows, host_rows in zip(
            stand_in_cuml, model.estimators_samples_, host.estimators_samples_, strict=True):
        assert cuml_params["n_estimators"] == 1 and cuml_params["bootstrap"] is False
        assert cuml_params["split_criterion"] == "entropy"
        assert cuml_params["max_depth"] == 5 and cuml_params["max_leaves"] == 30
        assert cuml_params["n_streams"] == 1
        # cuML grew on exactly the rows a scikit-learn tree of the host fit saw.
        np.testing.assert_array_equal(to_host(rows), host_rows)
        np.testing.assert_array_equal(X_fit, X[host_rows].astype(np.float32))
        np.testing.assert_array_equal(y_fit, y[host_rows])
    proba = model.predict_proba(Xd)
    assert proba.device == device
    expected = np.mean([t._forest.predict_proba(X.astype(np.float32))
                        for t in model.estimators_], axis=0)
    np.testing.assert_allclose(to_host(proba), expected)
    assert to_host(model.predict(Xd)).tolist() == model.classes_[expected.argmax(1)].tolist()
    assert model.feature_importances_.shape == (5,)
    if bootstrap:
        assert 0.0 <= model.oob_score_ <= 1.0
        assert model.oob_decision_function_.device == device


class StandInCumlClassifier(ClassifierMixin, BaseEstimator):
    """A 'cuML' classifier: takes and returns arrays of the caller's namespace."""

    seen = []

    def __init__(self, C=1.0, random_state=None):
        self.C = C
        self.random_state = random_state

    def fit(self, X, y, sample_weight=None):
        from sklearn.linear_model import LogisticRegression

        type(self).seen.append(type(X))
        if sample_weight is not None:
            type(self).seen.append(type(sample_weight))
            sample_weight = to_host(sample_weight)
        self._xp, self._device = X.__array_namespace__(), X.device
        self._model = LogisticRegression(C=self.C, random_state=self.random_state)
        self._model.fit(to_host(X), to_host(y), sample_weight=sample_weight)
        self.classes_ = to_namespace(self._model.classes_, self._xp, device=self._device)
        return self

    def predict(self, X):
        return to_namespace(self._model.predict(to_host(X)), self._xp, device=self._device)

    def predict_proba(self, X):
        return to_namespace(self._model.predict_proba(to_host(X)), self._xp,
                            device=self._device)


StandInCumlClassifier.__module__ = "cuml.linear_model"


def test_bagging_over_a_cuml_estimator_stays_in_place(monkeypatch, caplog):
    import logging

    import gpuimb.ensemble._common as common
    from gpuimb.ensemble import BalancedBaggingClassifier

    monkeypatch.setattr(common, "is_cupy_namespace",
                        lambda xp: "array_api_strict" in getattr(xp, "__name__", ""))
    StandInCumlClassifier.seen.clear()
    X, y = make_classification(n_samples=200, n_features=4, weights=[0.8], random_state=0)
    device = xps.Device("device1")
    Xd, yd = xps.asarray(X, device=device), xps.asarray(y, device=device)
    model = BalancedBaggingClassifier(estimator=StandInCumlClassifier(), n_estimators=3,
                                      random_state=0)
    with caplog.at_level(logging.INFO, logger="gpuimb"):
        proba = model.fit(Xd, yd).predict_proba(Xd)
    assert model.engine_ == "cuml"
    assert StandInCumlClassifier.seen == [type(Xd)] * 3, "the learner got device arrays"
    assert not [r for r in caplog.records if "on the host" in r.getMessage()]
    assert proba.device == device
    np.testing.assert_allclose(
        to_host(proba),
        np.mean([m[-1]._model.predict_proba(X) for m in model.estimators_], axis=0))


def test_rusboost_over_a_cuml_estimator_stays_in_place(monkeypatch, caplog):
    import logging

    from sklearn.linear_model import LogisticRegression

    import gpuimb.ensemble._common as common
    from gpuimb.ensemble import RUSBoostClassifier

    monkeypatch.setattr(common, "is_cupy_namespace",
                        lambda xp: "array_api_strict" in getattr(xp, "__name__", ""))
    StandInCumlClassifier.seen.clear()
    X, y = make_classification(n_samples=200, n_features=5, n_classes=3, n_informative=3,
                               weights=[0.6, 0.3], random_state=0)
    device = xps.Device("device1")
    Xd, yd = xps.asarray(X, device=device), xps.asarray(y, device=device)
    with caplog.at_level(logging.INFO, logger="gpuimb"):
        model = RUSBoostClassifier(StandInCumlClassifier(), n_estimators=4,
                                   random_state=0).fit(Xd, yd)
        pred = model.predict(Xd)
    assert not [r for r in caplog.records if "on the host" in r.getMessage()]
    assert set(StandInCumlClassifier.seen) == {type(Xd)}, "X and weights stayed on device"
    host = RUSBoostClassifier(LogisticRegression(), n_estimators=4, random_state=0).fit(X, y)
    np.testing.assert_allclose(model.estimator_weights_, host.estimator_weights_)
    np.testing.assert_array_equal(to_host(pred), host.predict(X))
