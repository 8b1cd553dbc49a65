"""Engine resolution, the sklearn engine, classifiers and adapt_estimator."""

import logging

import numpy as np
import pytest
from backends_helpers import cuda_available, exact_knn, host
from sklearn.base import clone
from sklearn.cluster import KMeans as SkKMeans
from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans
from sklearn.ensemble import RandomForestClassifier
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.svm import SVC

import gpuimb._backends._registry as registry_module
import gpuimb._backends._sklearn as sklearn_module
from gpuimb._backends import (
    ArrayApiEngine,
    BruteForceNeighbors,
    HostEstimator,
    KMeans,
    MiniBatchKMeans,
    SklearnEngine,
    adapt_estimator,
    get_engine,
    to_host,
    to_namespace,
)
from gpuimb._backends._base import Engine, KnnRequest, candidate_margin
from gpuimb._backends._registry import ALIASES, BACKENDS, ENGINE_NAMES, engine_class
from gpuimb._config import config_context, set_config


def _strict():
    import array_api_strict

    return array_api_strict


def test_registry_is_the_one_list_of_engines():
    assert ENGINE_NAMES == ("sklearn", "cuml", "array_api")
    assert BACKENDS == ("auto", *ENGINE_NAMES, *ALIASES)
    for name in ENGINE_NAMES:
        cls = engine_class(name)
        assert issubclass(cls, Engine) and cls.name == name
    assert engine_class("cupy") is ArrayApiEngine
    # the configuration validates against the registry
    for name in BACKENDS:
        with config_context(backend=name):
            pass
    with pytest.raises(ValueError, match="array_api"):
        set_config(backend="gpu")


def test_auto_resolution_without_cuda():
    import array_api_compat.numpy as cnp

    for xp in (np, cnp):
        engine = get_engine(xp)
        assert engine.name == "sklearn" and engine.brute_force == "auto"
    sparse = get_engine(np, sparse=True)
    assert sparse.name == "sklearn" and sparse.brute_force == "never"
    assert get_engine(_strict()).name == "array_api"
    with config_context(backend="sklearn"):
        assert get_engine(np).brute_force == "never"
    with config_context(backend="array_api"):
        assert isinstance(get_engine(np), ArrayApiEngine)
    assert get_engine(np, backend="array_api").xp is np


def test_auto_picks_cuml_for_cupy_when_importable(monkeypatch):
    import gpuimb.utils._array_api as namespace_module

    class FakeCupy:
        __name__ = "cupy"

    monkeypatch.setattr(namespace_module, "is_cupy_namespace", lambda xp: True)
    monkeypatch.setattr(namespace_module, "module_available", lambda name: True)
    assert get_engine(FakeCupy()).name == "cuml"
    monkeypatch.setattr(namespace_module, "module_available", lambda name: False)
    assert get_engine(FakeCupy()).name == "array_api"


def test_a_missing_engine_is_an_error_never_a_substitute(monkeypatch):
    import gpuimb._backends._base as base_module
    import gpuimb.utils._array_api as namespace_module

    monkeypatch.setattr(base_module, "module_available", lambda name: False)
    monkeypatch.setattr(namespace_module, "module_available", lambda name: False)
    monkeypatch.setattr(registry_module, "module_available", lambda name: False,
                        raising=False)
    with pytest.raises(ImportError, match=r'needs cuml.*gpuimb\[cuda12\]".*gpuimb\[cuda13\]'):
        get_engine(np, backend="cuml")


def test_cupy_alias_needs_cupy_and_cupy_data():
    if not ArrayApiEngine.available():
        pytest.skip("array-api-compat missing")
    try:
        import cupy  # noqa: F401
    except ImportError:
        with pytest.raises(ImportError, match="needs CuPy"):
            get_engine(np, backend="cupy")
        return
    with pytest.raises(ValueError, match="runs on CuPy arrays"):
        get_engine(np, backend="cupy")


def test_error_messages():
    with pytest.raises(ValueError, match="host engine and needs host data"):
        get_engine(_strict(), backend="sklearn")
    with pytest.raises(ValueError, match="sparse"):
        get_engine(np, sparse=True, backend="array_api")
    with pytest.raises(ValueError, match="backend must be one of"):
        get_engine(np, backend="gpu")
    with pytest.raises(ValueError, match="classifier name"):
        get_engine(np).classifier("logistic")


def test_knn_request_rules_are_shared():
    X = np.zeros((5, 2))
    with pytest.raises(ValueError, match=r"Expected 1 <= k <= 4"):
        KnnRequest(np, X, None, 5, None)
    with pytest.raises(ValueError, match="exclude_self=True needs query rows"):
        KnnRequest(np, X, X[:2], 1, True)
    with pytest.raises(ValueError, match="exclude_self must have shape"):
        KnnRequest(np, X, X[:2], 1, np.array([0]))
    assert KnnRequest(np, X, X[:2], 5, None).own is None
    assert candidate_margin(3) == 4 and candidate_margin(40) == 20
    # every engine reports the same errors for the same request
    for engine in (SklearnEngine(np), ArrayApiEngine(np)):
        with pytest.raises(ValueError, match=r"Expected 1 <= k <= 4"):
            engine.kneighbors(X, k=5)


def test_exclude_self_on_the_data_device():
    """An own-row array on the data's (non-default) device or on the host."""
    xs = _strict()
    d1 = xs.Device("device1")
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3)
    rows = np.array([3, 7, 11])
    ref = exact_knn(X, X[rows], 2, own=rows)[1]
    Xd = xs.asarray(X, device=d1)
    Qd = xs.asarray(X[rows], device=d1)
    for own in (xs.asarray(rows, device=d1), rows):
        ind = ArrayApiEngine(xs).kneighbors(Xd, Qd, k=2, exclude_self=own,
                                            return_distance=False)
        assert ind.device == d1
        np.testing.assert_array_equal(host(ind), ref)


@pytest.mark.parametrize("brute_force", ["never", "auto"])
def test_sklearn_engine_matches_sklearn(brute_force):
    # "auto" runs the array-API brute force on 20 features, "never" a KD-tree
    rng = np.random.RandomState(0)
    X = rng.randn(1200, 20)
    Q = rng.randn(50, 20)
    engine = SklearnEngine(np, brute_force=brute_force)
    assert engine._search_kind(X, None) == ("brute" if brute_force == "auto" else "sklearn")
    ref = NearestNeighbors(n_neighbors=5).fit(X)
    dist, ind = engine.kneighbors(X, k=5)
    ref_dist, ref_ind = ref.kneighbors()
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist)
    ind = engine.kneighbors(X, Q, k=5, return_distance=False)
    np.testing.assert_array_equal(ind, ref.kneighbors(Q, return_distance=False))


def test_sklearn_engine_search_rule(monkeypatch):
    engine = SklearnEngine(np, brute_force="auto")
    wide = np.zeros((20_000, 32))
    assert engine._search_kind(wide, None) == "brute"
    assert engine._search_kind(wide, wide[:7000]) == "brute"
    assert engine._search_kind(np.zeros((20_000, 7)), None) == "tree"  # trees win
    # 8 to 15 features: the data decides, on searches large enough to repay
    # building a tree in vain
    assert engine._search_kind(np.zeros((20_000, 8)), None) == "probe"
    assert engine._search_kind(np.zeros((20_000, 16)), None) == "brute"
    assert engine._search_kind(np.zeros((20_000, 8)), np.zeros((500, 8))) == "brute"
    assert engine._search_kind(np.zeros((4000, 8)), None) == "brute"
    # below 2**20 pairs one single-threaded tile beats any estimator
    assert engine._search_kind(wide[:200], None) == "brute"
    assert engine._search_kind(np.zeros((1000, 3)), None) == "brute"
    assert engine._search_kind(np.zeros((1100, 3)), None) == "tree"
    assert SklearnEngine(np)._search_kind(wide, None) == "sklearn"
    calls = []
    monkeypatch.setattr(
        sklearn_module,
        "kneighbors",
        lambda *a, **kw: calls.append(1) or (np.zeros((1, 3)), None),
    )
    engine.kneighbors(wide, k=3)
    assert calls == [1] and engine.ran == ["array_api"]


@pytest.mark.parametrize("low_dimensional", [True, False])
def test_sklearn_engine_probe_picks_the_tree_on_data_near_a_plane(low_dimensional):
    # 10 features: rows near a plane (real data often lies near a few
    # dimensions) let a KD-tree look at a few leaves per query, and it
    # answers; Gaussian rows make it visit a large share of the index, and the
    # brute force answers. Both exact.
    rng = np.random.RandomState(3)
    n = 12_000
    if low_dimensional:
        X = rng.rand(n, 2) @ rng.randn(2, 10) + 1e-3 * rng.rand(n, 10)
    else:
        X = rng.randn(n, 10)
    X[::50] = X[1::50]  # some duplicates: ties at distance 0
    engine = SklearnEngine(np, brute_force="auto")
    assert engine._search_kind(X, None) == "probe"
    dist, ind = engine.kneighbors(X, k=4)
    assert engine.ran == ["sklearn" if low_dimensional else "array_api"]
    rows = np.arange(0, n, 23)
    ref_dist, ref_ind = exact_knn(X, X[rows], 4, own=rows)
    np.testing.assert_array_equal(ind[rows], ref_ind)
    np.testing.assert_array_equal(dist[rows], ref_dist)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_sklearn_engine_tree_search_is_exact(dtype):
    # The KD-tree path on low-dimensional data: integer values (exact ties),
    # duplicated rows, an offset and huge values, with and without self exclusion.
    rng = np.random.RandomState(1)
    base = rng.randint(0, 4, size=(700, 3)).astype(dtype)
    X = np.concatenate([base, base[:500]])  # 1,200 rows, many duplicates
    engine = SklearnEngine(np, brute_force="auto")
    assert engine._search_kind(X, None) == "tree"
    ref_dist, ref_ind = exact_knn(X, X, 6, own=np.arange(len(X)))
    Q_ind = exact_knn(X, X[::-1], 4)[1]
    # An offset leaves these differences exact; a power of two far beyond the
    # dtype's square range makes the engine rescale.
    huge = dtype(2.0**520 if dtype == np.float64 else 2.0**70)
    for data, factor in ((X, 1), (X + dtype(1000), 1), (X * huge, huge)):
        dist, ind = engine.kneighbors(data, k=6)
        np.testing.assert_array_equal(ind, ref_ind)
        np.testing.assert_allclose(dist / factor, ref_dist, rtol=1e-6)
        ind = engine.kneighbors(data, data[::-1], k=4, return_distance=False)
        np.testing.assert_array_equal(ind, Q_ind)
    assert engine.ran == ["sklearn"]


def test_sklearn_engine_ties_and_self_exclusion():
    X = np.repeat(np.arange(30, dtype=float)[:, None], 3, axis=0)  # triplicates
    dist, ind = SklearnEngine(np).kneighbors(X, k=4)
    ref_dist, ref_ind = exact_knn(X, X, 4, own=np.arange(len(X)))
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist)
    rows = np.array([3, 4])
    _, ind = SklearnEngine(np).kneighbors(X, X[rows], k=2, exclude_self=rows)
    np.testing.assert_array_equal(ind, exact_knn(X, X[rows], 2, own=rows)[1])


def test_sklearn_engine_factories_are_imblearns():
    engine = get_engine(np, backend="sklearn")
    nn = engine.nearest_neighbors(6)
    assert (
        type(nn) is NearestNeighbors
        and nn.get_params() == NearestNeighbors(n_neighbors=6).get_params()
    )
    km = engine.kmeans_estimator(3, random_state=1)
    assert type(km) is SkKMeans
    assert km.get_params() == SkKMeans(n_clusters=3, random_state=1).get_params()
    mb = engine.kmeans_estimator(3, minibatch=True, random_state=1)
    assert type(mb) is SkMiniBatchKMeans
    assert mb.get_params() == SkMiniBatchKMeans(n_clusters=3, random_state=1).get_params()
    assert type(engine.classifier("svc", C=2.0)) is SVC
    assert type(engine.classifier("random_forest")) is RandomForestClassifier
    assert type(engine.classifier("kneighbors")) is KNeighborsClassifier


def test_sklearn_engine_kmeans_estimator_equals_sklearn():
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(400, centers=4, random_state=0)
    km = get_engine(np).kmeans_estimator(4, random_state=3)
    labels = km.fit_predict(X)
    ref = SkKMeans(n_clusters=4, random_state=3).fit(X)
    np.testing.assert_array_equal(labels, ref.labels_)
    np.testing.assert_allclose(km.cluster_centers_, ref.cluster_centers_)
    labels = get_engine(np).kmeans_estimator(4, minibatch=True, random_state=3).fit_predict(X)
    ref = SkMiniBatchKMeans(n_clusters=4, random_state=3).fit(X)
    np.testing.assert_array_equal(labels, ref.labels_)


def test_array_api_engine_factories():
    xs = _strict()
    engine = get_engine(xs)
    assert isinstance(engine.nearest_neighbors(3), BruteForceNeighbors)
    assert isinstance(engine.kmeans_estimator(2), KMeans)
    assert isinstance(engine.kmeans_estimator(2, minibatch=True), MiniBatchKMeans)
    # on NumPy data the host classifier needs no wrapping
    host_engine = get_engine(np, backend="array_api")
    assert type(host_engine.classifier("svc")) is SVC
    assert host_engine.ran == ["sklearn"]


def test_array_api_engine_classifier_moves_data_to_host(caplog):
    xs = _strict()
    rng = np.random.RandomState(0)
    X = rng.randn(80, 3)
    y = (X[:, 0] > 0).astype(np.int64)
    engine = get_engine(xs)
    clf = engine.classifier("random_forest", n_estimators=5, random_state=0)
    assert isinstance(clf, HostEstimator) and engine.ran == ["sklearn-host"]
    with caplog.at_level(logging.INFO, logger="gpuimb"):
        clf.fit(xs.asarray(X), xs.asarray(y))
    assert any("'array_api'" in r.message and "host" in r.message for r in caplog.records)
    pred = clf.predict(xs.asarray(X))
    proba = clf.predict_proba(xs.asarray(X))
    assert isinstance(pred, type(xs.asarray(X))) and isinstance(proba, type(pred))
    ref = RandomForestClassifier(n_estimators=5, random_state=0).fit(X, y)
    np.testing.assert_array_equal(host(pred), ref.predict(X))
    assert clf.n_estimators == 5 and len(clf.estimators_) == 5
    cloned = clone(clf)
    assert isinstance(cloned, HostEstimator) and not hasattr(cloned.estimator, "estimators_")
    assert clf.get_params()["n_estimators"] == 5
    clf.set_params(n_estimators=7)
    assert clf.estimator.n_estimators == 7


class DuckNeighbors:
    """A custom neighbours object: NumPy in, NumPy out, nothing else."""

    def __init__(self, n_neighbors=2):
        self.n_neighbors = n_neighbors

    def fit(self, X, y=None):
        assert isinstance(X, np.ndarray)
        self.X_ = X
        return self

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        k = n_neighbors or self.n_neighbors
        Q = self.X_ if X is None else X
        assert isinstance(Q, np.ndarray)
        d = ((Q[:, None, :] - self.X_[None]) ** 2).sum(-1)
        ind = np.argsort(d, axis=1, kind="stable")[:, :k]
        dist = np.sqrt(np.take_along_axis(d, ind, 1))
        return (dist, ind) if return_distance else ind


def test_adapt_estimator_identity_on_host():
    for est in (DuckNeighbors(), NearestNeighbors(), SkKMeans(2), KMeans(2)):
        assert adapt_estimator(est, np) is est
    assert adapt_estimator(None, _strict()) is None
    assert adapt_estimator(BruteForceNeighbors(), _strict()).__class__ is (BruteForceNeighbors)


def test_adapt_estimator_duck_typed_kneighbors():
    xs = _strict()
    X = np.random.RandomState(1).randn(30, 2)
    wrapped = adapt_estimator(DuckNeighbors(3), xs)
    assert isinstance(wrapped, HostEstimator)
    wrapped.fit(xs.asarray(X))
    dist, ind = wrapped.kneighbors(xs.asarray(X[:4]))
    assert isinstance(ind, type(xs.asarray(X)))
    np.testing.assert_array_equal(host(ind), DuckNeighbors(3).fit(X).kneighbors(X[:4])[1])
    ind = wrapped.kneighbors(None, n_neighbors=2, return_distance=False)
    assert host(ind).shape == (30, 2)
    assert wrapped.n_neighbors == 3  # plain attributes pass through


def test_adapt_estimator_kmeans_attributes():
    xs = _strict()
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(200, centers=3, random_state=0)
    wrapped = adapt_estimator(SkKMeans(3, random_state=0), xs)
    labels = wrapped.fit_predict(xs.asarray(X))
    assert isinstance(labels, type(xs.asarray(X)))
    assert isinstance(wrapped.cluster_centers_, type(labels))
    assert isinstance(wrapped.labels_, type(labels))
    assert isinstance(wrapped.inertia_, float)
    ref = SkKMeans(3, random_state=0).fit(X)
    np.testing.assert_allclose(host(wrapped.cluster_centers_), ref.cluster_centers_)
    np.testing.assert_array_equal(host(wrapped.predict(xs.asarray(X))), ref.labels_)


def test_to_host_and_to_namespace():
    xs = _strict()
    a = np.arange(6.0).reshape(2, 3)
    assert to_host(a) is a
    s = to_namespace(a, xs)
    assert isinstance(s, type(xs.asarray(a)))
    np.testing.assert_array_equal(to_host(s), a)
    assert isinstance(to_namespace(s, np), np.ndarray)


needs_cuda = pytest.mark.skipif(not cuda_available(), reason="needs a CUDA device")


@pytest.mark.gpu
@needs_cuda
@pytest.mark.parametrize("backend", ["cupy", "array_api", "cuml"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gpu_engines_match_numpy(backend, dtype):
    cupy = pytest.importorskip("cupy")
    if backend == "cuml":
        pytest.importorskip("cuml")
    rng = np.random.RandomState(0)
    X = (rng.randn(5000, 16) + 100).astype(dtype)
    Q = rng.randn(300, 16).astype(dtype) + 100
    engine = get_engine(cupy, backend=backend)
    for query, own in [(None, np.arange(5000)), (Q, None)]:
        dist, ind = engine.kneighbors(
            cupy.asarray(X), None if query is None else cupy.asarray(query), k=5
        )
        assert isinstance(ind, cupy.ndarray) and dist.dtype == dtype
        ref_dist, ref_ind = exact_knn(X, X if query is None else query, 5, own=own)
        np.testing.assert_array_equal(cupy.asnumpy(ind), ref_ind)
        np.testing.assert_allclose(cupy.asnumpy(dist), ref_dist, rtol=1e-5)


@pytest.mark.gpu
@needs_cuda
def test_gpu_tiled_kneighbors_bounded_pool():
    cupy = pytest.importorskip("cupy")
    from gpuimb._backends import kneighbors

    n, k = 200_000, 4
    X = cupy.asarray(np.random.RandomState(0).randn(n, 32).astype(np.float32))
    pool = cupy.get_default_memory_pool()
    cupy.cuda.Device().synchronize()
    pool.free_all_blocks()
    before = pool.used_bytes()
    with config_context(working_memory=64):
        _, ind = kneighbors(X, k=k)
    peak = pool.total_bytes() - before
    assert ind.shape == (n, k)
    assert peak <= 64 * 2**20 + 64 * n * k, peak


@pytest.mark.gpu
@needs_cuda
def test_gpu_kmeans_matches_numpy():
    cupy = pytest.importorskip("cupy")
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(3000, centers=5, random_state=0)
    host_km = KMeans(5, random_state=0).fit(X)
    dev_km = KMeans(5, random_state=0).fit(cupy.asarray(X))
    np.testing.assert_array_equal(cupy.asnumpy(dev_km.labels_), host_km.labels_)
    np.testing.assert_allclose(
        cupy.asnumpy(dev_km.cluster_centers_), host_km.cluster_centers_, rtol=1e-10
    )


def test_no_query_rows_on_every_host_engine():
    X = np.random.RandomState(0).randn(10, 3)
    for engine in (SklearnEngine(np), ArrayApiEngine(np)):
        dist, ind = engine.kneighbors(X, X[:0], k=2)
        assert dist.shape == ind.shape == (0, 2)
