"""The ensembles on device data: ``array_api_strict`` (default device and "device1",
which refuses implicit NumPy conversion and mixing devices) in CI, CuPy on a GPU.

The random draws are made on the host, so a device fit must give the NumPy fit's
predictions exactly; learners that cannot run on the device are fitted on the host
with one log line per call.
"""

import logging
import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

import gpuimb.ensemble as gen

array_api_strict = pytest.importorskip("array_api_strict")

DEVICES = [None, "device1"]

CASES = [
    ("BalancedBaggingClassifier", dict(n_estimators=3)),
    ("BalancedBaggingClassifier", dict(n_estimators=3, max_features=0.5,
                                       bootstrap_features=True, oob_score=True,
                                       sampling_strategy={0: 20, 1: 20})),
    ("EasyEnsembleClassifier", dict(n_estimators=2)),
    ("BalancedRandomForestClassifier", dict(n_estimators=4)),
    ("BalancedRandomForestClassifier", dict(n_estimators=3, bootstrap=True, oob_score=True,
                                            class_weight="balanced")),
    ("RUSBoostClassifier", dict(n_estimators=6)),
    ("RUSBoostClassifier", dict(n_estimators=4, algorithm="SAMME.R")),
]


def _data(n_classes, n=240):
    weights = [0.8, 0.2] if n_classes == 2 else [0.6, 0.3, 0.1]
    return make_classification(n_samples=n, n_features=5, n_informative=3,
                               n_classes=n_classes, weights=weights, random_state=0)


def _on(device, array):
    if device is None:
        return array_api_strict.asarray(array)
    return array_api_strict.asarray(array, device=array_api_strict.Device(device))


def _np(array):
    return np.asarray(array._array) if hasattr(array, "_array") else np.asarray(array)


@pytest.mark.parametrize("device", DEVICES)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(("name", "params"), CASES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_strict_device_equals_numpy(name, params, n_classes, device, caplog):
    X, y = _data(n_classes)
    Xd, yd = _on(device, X), _on(device, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        host = getattr(gen, name)(random_state=0, **params).fit(X, y)
        with caplog.at_level(logging.INFO, logger="gpuimb"):
            dev = getattr(gen, name)(random_state=0, **params).fit(Xd, yd)
    moved = [r for r in caplog.records if "on the host" in r.getMessage()]
    assert len(moved) == 1, "one log line per call when data moves"
    assert name in moved[0].getMessage()

    pred, proba = dev.predict(Xd), dev.predict_proba(Xd)
    for out in (pred, proba):
        assert isinstance(out, type(Xd)) and out.device == Xd.device
    np.testing.assert_array_equal(_np(pred), host.predict(X))
    np.testing.assert_array_equal(_np(proba), host.predict_proba(X))
    np.testing.assert_array_equal(_np(dev.predict_log_proba(Xd)), host.predict_log_proba(X))
    np.testing.assert_array_equal(dev.classes_, host.classes_)
    if hasattr(host, "samplers_"):
        for a, b in zip(dev.samplers_, host.samplers_, strict=True):
            assert a.sample_indices_.device == Xd.device
            np.testing.assert_array_equal(_np(a.sample_indices_), b.sample_indices_)
    elif hasattr(dev, "estimators_"):
        for a, b in zip(dev.estimators_, host.estimators_, strict=True):
            assert a[0].sample_indices_.device == Xd.device
            np.testing.assert_array_equal(_np(a[0].sample_indices_), b[0].sample_indices_)
    if name == "RUSBoostClassifier":
        np.testing.assert_array_equal(dev.estimator_weights_, host.estimator_weights_)
        np.testing.assert_array_equal(_np(dev.decision_function(Xd)),
                                      host.decision_function(X))
    if params.get("oob_score"):
        assert dev.oob_score_ == host.oob_score_
        np.testing.assert_array_equal(_np(dev.oob_decision_function_),
                                      host.oob_decision_function_)


def test_strict_device_bad_input_messages():
    X, y = _data(2)
    Xd = _on("device1", X)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        gen.BalancedBaggingClassifier().fit(Xd, _on("device1", y[:-1]))
    with pytest.raises(ValueError, match="Unknown label type: continuous"):
        gen.RUSBoostClassifier().fit(Xd, _on("device1", y + 0.5))
    forest = gen.BalancedRandomForestClassifier(n_estimators=2, random_state=0)
    forest.fit(Xd, _on("device1", y))
    with pytest.raises(ValueError, match="X has 4 features"):
        forest.predict(_on("device1", X[:, :4]))


def test_no_log_line_on_numpy(caplog):
    X, y = _data(2)
    with caplog.at_level(logging.INFO, logger="gpuimb"):
        gen.BalancedRandomForestClassifier(n_estimators=2).fit(X, y).predict(X)
    assert not [r for r in caplog.records if "on the host" in r.getMessage()]


@pytest.mark.gpu
@pytest.mark.parametrize("name", ["BalancedBaggingClassifier", "EasyEnsembleClassifier",
                                  "BalancedRandomForestClassifier", "RUSBoostClassifier"])
def test_cupy(name):
    import cupy

    X, y = _data(3, n=2000)
    Xc, yc = cupy.asarray(X), cupy.asarray(y)
    host = getattr(gen, name)(random_state=0, n_estimators=5).fit(X, y)
    dev = getattr(gen, name)(random_state=0, n_estimators=5).fit(Xc, yc)
    pred = dev.predict(Xc)
    assert isinstance(pred, cupy.ndarray)
    if getattr(dev, "engine_", "sklearn") == "cuml":
        # cuML grows its trees on quantile bins: same rows, not the same splits.
        assert float((pred.get() == host.predict(X)).mean()) > 0.9
    else:
        np.testing.assert_array_equal(pred.get(), host.predict(X))
        np.testing.assert_array_equal(dev.predict_proba(Xc).get(), host.predict_proba(X))


@pytest.mark.gpu
def test_cupy_bagging_over_a_cuml_estimator_stays_on_device(caplog):
    cuml = pytest.importorskip("cuml")
    import cupy

    X, y = _data(2, n=2000)
    Xc, yc = cupy.asarray(X, dtype=cupy.float32), cupy.asarray(y)
    model = gen.BalancedBaggingClassifier(estimator=cuml.linear_model.LogisticRegression(),
                                          n_estimators=3, random_state=0)
    with caplog.at_level(logging.INFO, logger="gpuimb"):
        proba = model.fit(Xc, yc).predict_proba(Xc)
    assert isinstance(proba, cupy.ndarray)
    assert model.engine_ == "cuml"
    assert not [r for r in caplog.records if "on the host" in r.getMessage()]
