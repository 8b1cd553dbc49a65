"""K-means of the array-API engine against scikit-learn."""

import numpy as np
import pytest
from backends_helpers import NAMESPACES, as_namespace, host, namespace
from sklearn.base import clone
from sklearn.cluster import KMeans as SkKMeans
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from gpuimb._backends import KMeans, MiniBatchKMeans, get_engine, kmeans_plusplus


@pytest.fixture(params=NAMESPACES)
def xp_name(request):
    return request.param


def _blobs(dtype=np.float64, offset=0.0):
    X, y = make_blobs(900, centers=6, n_features=4, cluster_std=0.4, random_state=0)
    return (X + offset).astype(dtype), y


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kmeans_matches_sklearn_on_blobs(xp_name, dtype):
    X, y = _blobs(dtype)
    km = KMeans(6, random_state=0).fit(as_namespace(xp_name, X))
    ref = SkKMeans(6, random_state=0).fit(X)
    labels = host(km.labels_)
    assert adjusted_rand_score(labels, ref.labels_) == 1.0
    assert adjusted_rand_score(labels, y) == 1.0
    assert km.inertia_ == pytest.approx(ref.inertia_, rel=1e-4)
    centers = host(km.cluster_centers_)
    assert centers.dtype == dtype
    # same seeding draws, same data: the same centres in the same order
    np.testing.assert_allclose(centers, ref.cluster_centers_, rtol=1e-4, atol=1e-4)
    np.testing.assert_array_equal(host(km.predict(as_namespace(xp_name, X))), labels)
    assert km.n_iter_ >= 1 and km.n_features_in_ == 4


def test_kmeans_offset_data_and_options(xp_name):
    X, y = _blobs(np.float64, offset=1e6)
    for params in ({"init": "random"}, {"n_init": 3}, {"init": X[:6] * 1.0}):
        km = KMeans(6, random_state=1, **params).fit(as_namespace(xp_name, X))
        ref = SkKMeans(6, random_state=1, **params).fit(X)
        assert km.inertia_ == pytest.approx(ref.inertia_, rel=1e-6), params
    labels = KMeans(6, random_state=0).fit_predict(as_namespace(xp_name, X))
    assert adjusted_rand_score(host(labels), y) == 1.0


def test_kmeans_plusplus_draws_like_sklearn():
    from sklearn.cluster import kmeans_plusplus as sk_kmeans_plusplus

    X, _ = _blobs()
    centers, idx = kmeans_plusplus(X, 6, np.random.RandomState(5))
    ref_centers, ref_idx = sk_kmeans_plusplus(X, 6, random_state=5)
    np.testing.assert_array_equal(idx, ref_idx)
    np.testing.assert_allclose(centers, ref_centers)


def test_minibatch_kmeans_recovers_blobs(xp_name):
    X, y = _blobs()
    km = MiniBatchKMeans(6, batch_size=128, random_state=0)
    labels = host(km.fit_predict(as_namespace(xp_name, X)))
    assert adjusted_rand_score(labels, y) > 0.95
    ref = SkKMeans(6, random_state=0).fit(X)
    assert km.inertia_ <= 1.1 * ref.inertia_
    assert km.n_steps_ >= 1 and km.n_iter_ >= 1


def test_engine_kmeans_estimator(xp_name):
    X, y = _blobs()
    engine = get_engine(namespace(xp_name), backend="array_api")
    km = engine.kmeans_estimator(6, random_state=0)
    labels = km.fit_predict(as_namespace(xp_name, X))
    assert host(km.cluster_centers_).shape == (6, 4)
    assert adjusted_rand_score(host(labels), y) == 1.0
    km = engine.kmeans_estimator(6, minibatch=True, random_state=0, batch_size=256)
    labels = km.fit_predict(as_namespace(xp_name, X))
    assert adjusted_rand_score(host(labels), y) > 0.95


def test_kmeans_estimator_api():
    km = get_engine(np, backend="array_api").kmeans_estimator(3, random_state=2, max_iter=5)
    assert km.get_params()["max_iter"] == 5
    km2 = clone(km).set_params(n_clusters=4)
    assert km2.n_clusters == 4
    with pytest.raises(ValueError, match="n_samples=2 should be >= n_clusters=4"):
        km2.fit(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="n_init"):
        KMeans(2, n_init=0).fit(np.ones((10, 2)))
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        KMeans(2).predict(np.zeros((2, 2)))


def test_empty_cluster_is_relocated():
    X = np.array([[0.0], [0.1], [10.0], [10.1], [20.0]])
    init = np.array([[0.0], [10.0], [100.0]])  # third centre attracts nothing
    km = KMeans(3, init=init).fit(X)
    assert len(np.unique(km.labels_)) == 3
