"""The device path of every sampler, without a GPU.

``array_api_strict`` arrays on its non-default device ("device1") behave like
CuPy arrays on a GPU: no implicit conversion to NumPy, no mixing of devices.
Every sampler runs on them (float32 and float64; labels on the device or kept
in NumPy) and must give back arrays of the same namespace on the same device,
equal to the NumPy run on the same engine. On a machine with CUDA the same
matrix runs on CuPy (and on a second GPU when there is one).
"""

import inspect

import numpy as np
import pytest
from sklearn.datasets import make_classification

import gpuimb
from gpuimb.utils.discovery import all_samplers

xs = pytest.importorskip("array_api_strict")

SAMPLERS = [name for name, _ in all_samplers()]
# Parameters that take other code paths, run besides the defaults.
VARIANTS = [
    ("AllKNN", {"kind_sel": "mode", "n_neighbors": 4}),
    ("BorderlineSMOTE", {"kind": "borderline-2"}),
    ("ClusterCentroids", {"voting": "hard"}),
    ("CondensedNearestNeighbour", {"n_neighbors": 3}),
    ("EditedNearestNeighbours", {"kind_sel": "mode", "n_neighbors": 4}),
    ("NearMiss", {"version": 2}),
    ("NearMiss", {"version": 3}),
    ("RandomOverSampler", {"shrinkage": 1.0}),
    ("RepeatedEditedNearestNeighbours", {"kind_sel": "mode", "n_neighbors": 4}),
]
CASES = [pytest.param(name, {}, id=name) for name in SAMPLERS] + [
    pytest.param(name, params, id=name + "-" + "-".join(f"{k}={v}" for k, v in params.items()))
    for name, params in VARIANTS
]
# k-means: scikit-learn's on NumPy by default, gpuimb's own on array-API data.
KMEANS_SAMPLERS = {"ClusterCentroids", "KMeansSMOTE"}


def _cuda_devices():
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount()
    except Exception:
        return 0


def _data(name, dtype):
    X, y = make_classification(
        n_samples=240, n_features=5, n_informative=3, n_redundant=0, n_classes=3,
        weights=[0.6, 0.3, 0.1], n_clusters_per_class=1, random_state=0,
    )
    if name == "SMOTEN":
        X = np.floor(np.abs(X) * 2)
    elif name == "SMOTENC":
        X[:, 0] = np.floor(np.abs(X[:, 0]) * 2)
    return X.astype(dtype), y.astype(np.int64)


def _sampler(name, variant):
    cls = dict(all_samplers())[name]
    params = dict(variant)
    if "random_state" in inspect.signature(cls).parameters:
        params["random_state"] = 0
    if name == "SMOTENC":
        params["categorical_features"] = [0]
    return cls(**params)


def _host(array):
    if isinstance(array, np.ndarray):
        return array
    if hasattr(array, "get"):
        return array.get()
    return np.asarray(xs.asarray(array, copy=True).to_device(xs.Device("CPU_DEVICE")))


def _reference(name, variant, X, y):
    """The NumPy run on the engine the device run uses (the array-API engine)."""
    sampler = _sampler(name, variant)
    with gpuimb.config_context(backend="array_api"):
        X_res, y_res = sampler.fit_resample(X, y)
    return sampler, X_res, y_res


def _assert_same_result(name, sampler, X_res, y_res, ref):
    ref_sampler, X_ref, y_ref = ref
    np.testing.assert_array_equal(_host(X_res), X_ref)
    np.testing.assert_array_equal(_host(y_res), y_ref)
    if hasattr(ref_sampler, "sample_indices_"):
        np.testing.assert_array_equal(_host(sampler.sample_indices_),
                                      _host(ref_sampler.sample_indices_))


STRICT_CASES = ["default-device", "device1", "device1-labels-on-host"]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", STRICT_CASES)
@pytest.mark.parametrize(("name", "variant"), CASES)
def test_strict_device_matches_numpy(name, variant, case, dtype):
    X, y = _data(name, dtype)
    ref = _reference(name, variant, X, y)
    dev = xs.Device("device1") if case.startswith("device1") else None
    X_in = xs.asarray(X, device=dev)
    y_in = y if case.endswith("labels-on-host") else xs.asarray(y, device=dev)
    sampler = _sampler(name, variant)
    X_res, y_res = sampler.fit_resample(X_in, y_in)
    assert type(X_res) is type(X_in) and X_res.device == X_in.device
    assert X_res.dtype == X_in.dtype
    if case.endswith("labels-on-host"):
        assert isinstance(y_res, np.ndarray)  # labels come back where they were given
    else:
        assert type(y_res) is type(y_in) and y_res.device == y_in.device
    if hasattr(sampler, "sample_indices_"):
        assert sampler.sample_indices_.device == X_in.device
    _assert_same_result(name, sampler, X_res, y_res, ref)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize(
    ("name", "variant"), [c for c in CASES if c.values[0] not in KMEANS_SAMPLERS])
def test_numpy_engines_agree(name, variant, dtype):
    """Exact kNN: the host default engine and the array-API engine give one answer."""
    X, y = _data(name, dtype)
    _, X_ref, y_ref = _reference(name, variant, X, y)
    X_res, y_res = _sampler(name, variant).fit_resample(X, y)
    assert isinstance(X_res, np.ndarray) and X_res.dtype == dtype
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)


def _cupy_cases():
    cases = ["auto", "array_api"]
    if _cuda_devices() > 1:
        cases += ["auto-cuda1", "array_api-cuda1"]
    return cases


@pytest.mark.gpu
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("case", _cupy_cases())
@pytest.mark.parametrize(("name", "variant"), CASES)
def test_cupy_device_matches_numpy(name, variant, case, dtype):
    cupy = pytest.importorskip("cupy")
    X, y = _data(name, dtype)
    backend, _, where = case.partition("-")
    ordinal = 1 if where == "cuda1" else 0
    with cupy.cuda.Device(ordinal):
        X_in, y_in = cupy.asarray(X), cupy.asarray(y)
    sampler = _sampler(name, variant)
    with gpuimb.config_context(backend=backend):
        X_res, y_res = sampler.fit_resample(X_in, y_in)
    assert isinstance(X_res, cupy.ndarray) and X_res.device.id == ordinal
    assert isinstance(y_res, cupy.ndarray) and y_res.device.id == ordinal
    engine_ran = set(sampler.engine_.split("+"))
    uses_cuml = "cuml" in engine_ran
    if uses_cuml or (name in KMEANS_SAMPLERS) or name in (
            "SVMSMOTE", "InstanceHardnessThreshold"):
        # cuML's float32 k-means, SVC and forest: what is promised is valid
        # rows of the input classes and the requested class counts.
        if hasattr(sampler, "sample_indices_"):
            idx = _host(sampler.sample_indices_)
            np.testing.assert_array_equal(_host(X_res), X[idx])
        assert set(np.unique(_host(y_res))) <= set(np.unique(y))
        return
    _assert_same_result(name, sampler, X_res, y_res, _reference(name, variant, X, y))
