"""The cuML engine's logic on the host, with a stand-in ``cuml`` package.

The stand-in behaves like cuML where gpuimb depends on it: estimators refuse
keywords their signature lacks (cuML's RandomForestClassifier has no ``n_jobs``
from 25.08), take ``output_type``, and the neighbour search works in float32
on the expanded form, so offset data breaks ties and orders the way cuML's
would. The engine runs on NumPy arrays here (device contexts are no-ops).
"""

import sys
import types

import array_api_compat.numpy as cnp
import numpy as np
import pytest
from backends_helpers import exact_knn

from gpuimb._backends._cuml import CumlEngine, cuml_estimator
from gpuimb._config import config_context


class _NearestNeighbors:
    def __init__(self, *, n_neighbors=5, output_type=None):
        self.n_neighbors = n_neighbors
        self.output_type = output_type

    def fit(self, X):
        assert X.dtype == np.float32  # the engine casts for cuML
        self.X_ = X
        return self

    def kneighbors(self, X, n_neighbors=None):
        k = n_neighbors or self.n_neighbors
        # float32 expanded form, as cuML's brute force computes it
        d2 = ((X * X).sum(1)[:, None] + (self.X_ * self.X_).sum(1)[None, :]
              - 2 * X @ self.X_.T).astype(np.float32)
        d2 = np.maximum(d2, 0)
        cols = np.argsort(d2, axis=1, kind="stable")[:, :k]
        return np.sqrt(np.take_along_axis(d2, cols, 1)), cols


class _RandomForestClassifier:
    def __init__(self, *, n_estimators=100, random_state=None, output_type=None):
        self.n_estimators = n_estimators
        self.random_state = random_state
        self.output_type = output_type


class _SVC:
    def __init__(self, *, C=1.0, gamma="scale", random_state=None, output_type=None,
                 **kwargs):
        self.gamma = gamma
        self.output_type = output_type
        self.kwargs = kwargs


@pytest.fixture
def fake_cuml(monkeypatch):
    root = types.ModuleType("cuml")
    modules = {
        "cuml": root,
        "cuml.neighbors": types.ModuleType("cuml.neighbors"),
        "cuml.ensemble": types.ModuleType("cuml.ensemble"),
        "cuml.svm": types.ModuleType("cuml.svm"),
    }
    modules["cuml.neighbors"].NearestNeighbors = _NearestNeighbors
    modules["cuml.ensemble"].RandomForestClassifier = _RandomForestClassifier
    modules["cuml.svm"].SVC = _SVC
    for name, module in modules.items():
        monkeypatch.setitem(sys.modules, name, module)
    return modules


def test_host_only_keywords_are_dropped_and_output_type_is_cupy(fake_cuml):
    engine = CumlEngine(cnp)
    forest = engine.classifier("random_forest", n_estimators=10, random_state=0, n_jobs=4)
    assert isinstance(forest, _RandomForestClassifier)
    assert forest.n_estimators == 10 and forest.output_type == "cupy"
    svc = engine.classifier("svc", gamma="scale", random_state=0, n_jobs=2)
    # dropped even where **kwargs would take it (25.10 forwards it to a base
    # class that refuses it)
    assert svc.kwargs == {} and svc.output_type == "cupy"
    with pytest.raises(TypeError):
        engine.classifier("random_forest", max_bins_typo=3)
    assert engine.ran == ["cuml"]


def test_cuml_estimator_keeps_a_users_output_type(fake_cuml):
    nn = cuml_estimator("cuml.neighbors", "NearestNeighbors", n_neighbors=3,
                        output_type="numpy")
    assert nn.output_type == "numpy" and nn.n_neighbors == 3


@pytest.mark.parametrize("offset", [0.0, 1e4, 1e6])
def test_float32_search_is_certified_exact_on_offset_data(fake_cuml, offset):
    rng = np.random.RandomState(0)
    X = rng.randn(400, 6) + offset
    X[50:60] = X[40:50]  # exact duplicates: ties at distance 0
    engine = CumlEngine(cnp)
    dist, ind = engine.kneighbors(X, k=4)
    ref_dist, ref_ind = exact_knn(X, X, 4, own=np.arange(len(X)))
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-12, atol=1e-12)
    rows = np.array([5, 45, 55])
    ind = engine.kneighbors(X, X[rows], k=3, exclude_self=rows, return_distance=False)
    np.testing.assert_array_equal(ind, exact_knn(X, X[rows], 3, own=rows)[1])


def test_rerank_is_tiled_by_working_memory(fake_cuml):
    rng = np.random.RandomState(1)
    X = rng.randn(300, 40)
    ref = exact_knn(X, X, 5, own=np.arange(len(X)))[1]
    with config_context(working_memory=0.01):  # ~10 KiB: many row tiles
        ind = CumlEngine(cnp).kneighbors(X, k=5, return_distance=False)
    np.testing.assert_array_equal(ind, ref)


def test_no_query_rows(fake_cuml):
    X = np.random.RandomState(0).randn(10, 3)
    dist, ind = CumlEngine(cnp).kneighbors(X, X[:0], k=2)
    assert dist.shape == ind.shape == (0, 2)
