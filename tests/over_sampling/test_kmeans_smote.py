"""KMeansSMOTE against imbalanced-learn 0.14.2."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import KMeansSMOTE as ImbKMeansSMOTE
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.datasets import make_classification
from sklearn.metrics import pairwise_distances
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError
from threadpoolctl import threadpool_limits

from gpuimb._backends._tiles import tile_rows, working_memory_bytes
from gpuimb.base import SamplingContext
from gpuimb.over_sampling import KMeansSMOTE
from gpuimb.over_sampling._smote.cluster import pairwise_distance_sum
from gpuimb.utils._array_api import get_namespace
from tests._helpers import to_namespace


@pytest.fixture(autouse=True)
def _one_thread():
    # scikit-learn's k-means on tiny data is dominated by OpenMP start-up when
    # the 2 CPUs are busy; one thread keeps these tests fast (results equal).
    with threadpool_limits(limits=1):
        yield


def _data(n_classes, seed=0, n=500):
    weights = [0.75, 0.25] if n_classes == 2 else [0.6, 0.25, 0.15]
    return make_classification(n_samples=n, n_features=4, n_informative=3,
                               n_redundant=0, n_classes=n_classes,
                               n_clusters_per_class=2, class_sep=2.0,
                               weights=weights, random_state=seed)


def _dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _assert_same(ours, theirs):
    (X_a, y_a), (X_b, y_b) = ours, theirs
    X_a, X_b = _dense(X_a), _dense(X_b)
    assert X_a.shape == X_b.shape
    np.testing.assert_allclose(X_a, X_b, rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(y_a), np.asarray(y_b))


def _assert_provenance(X, X_res, sampler):
    prov = sampler.provenance_
    X, X_res = _dense(X), _dense(X_res)
    assert prov.n_original == X.shape[0]
    assert prov.n_synthetic == X_res.shape[0] - X.shape[0]
    base, nbr, steps = (np.asarray(a) for a in (prov.base_indices,
                                                prov.neighbor_indices, prov.steps))
    expected = X[base] + steps[:, None] * (X[nbr] - X[base])
    np.testing.assert_allclose(X_res[X.shape[0]:], expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("params", [{}, {"kmeans_estimator": 12},
                                    {"cluster_balance_threshold": 0.2}])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_parity(params, n_classes, seed):
    X, y = _data(n_classes, seed)
    gp, ref = KMeansSMOTE(random_state=seed, **params), ImbKMeansSMOTE(random_state=seed,
                                                                       **params)
    res = gp.fit_resample(X, y)
    _assert_same(res, ref.fit_resample(X, y))
    assert gp.sampling_strategy_ == ref.sampling_strategy_
    assert gp.cluster_balance_threshold_ == ref.cluster_balance_threshold_
    np.testing.assert_array_equal(gp.kmeans_estimator_.labels_, ref.kmeans_estimator_.labels_)
    assert gp.nn_k_.n_neighbors == ref.nn_k_.n_neighbors
    _assert_provenance(X, res[0], gp)


@pytest.mark.parametrize("params", [
    {"kmeans_estimator": KMeans(n_clusters=6, n_init=1, random_state=0)},
    {"kmeans_estimator": MiniBatchKMeans(n_clusters=5, random_state=3)},
    {"kmeans_estimator": 1},
    {"density_exponent": 2.5, "kmeans_estimator": 10},
    {"k_neighbors": NearestNeighbors(n_neighbors=4), "kmeans_estimator": 6},
    {"k_neighbors": 4, "cluster_balance_threshold": 0.4},
    {"sampling_strategy": {0: 400, 1: 250, 2: 150}},
    {"n_jobs": 2},
])
def test_parity_parameters(params):
    X, y = _data(3, seed=2)
    gp, ref = KMeansSMOTE(random_state=4, **params), ImbKMeansSMOTE(random_state=4, **params)
    _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y))
    assert gp.cluster_balance_threshold_ == ref.cluster_balance_threshold_
    if params.get("kmeans_estimator") == 1:
        assert gp.cluster_balance_threshold_ == -np.inf


def test_parity_random_state_instance():
    """The k-means is refitted per class: a shared RandomState clusters anew."""
    X, y = _data(3, seed=4)
    gp = KMeansSMOTE(random_state=np.random.RandomState(5), cluster_balance_threshold=0.2)
    ref = ImbKMeansSMOTE(random_state=np.random.RandomState(5), cluster_balance_threshold=0.2)
    for _ in range(2):
        _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y))


@pytest.mark.parametrize("container", ["csr", "csc", "pandas", "float32"])
def test_parity_containers(container):
    X, y = _data(3, seed=6)
    if container == "pandas":
        X_in = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
        y_in = pd.Series(y, name="target")
    elif container == "float32":
        X_in, y_in = X.astype(np.float32), y
    else:
        X_in, y_in = sp.csr_matrix(X).asformat(container), y
    gp, ref = KMeansSMOTE(random_state=2), ImbKMeansSMOTE(random_state=2)
    res_gp, res_ref = gp.fit_resample(X_in, y_in), ref.fit_resample(X_in, y_in)
    assert type(res_gp[0]) is type(res_ref[0])
    if container == "pandas":
        pd.testing.assert_frame_equal(res_gp[0], res_ref[0])
        pd.testing.assert_series_equal(res_gp[1], res_ref[1])
    if container in ("csr", "csc"):
        assert res_gp[0].format == res_ref[0].format
        _assert_provenance(X, res_gp[0], gp)
    if container == "float32":
        assert res_gp[0].dtype == res_ref[0].dtype == np.float32
    _assert_same(res_gp, res_ref)


def test_array_api_strict_user_kmeans_matches_imblearn():
    X, y = _data(3, seed=9)
    km = KMeans(n_clusters=6, n_init=1, random_state=0)
    X_ref, y_ref = ImbKMeansSMOTE(random_state=0, kmeans_estimator=km).fit_resample(X, y)
    X_x, y_x = KMeansSMOTE(random_state=0, kmeans_estimator=km).fit_resample(
        to_namespace("array_api_strict", X), to_namespace("array_api_strict", y))
    np.testing.assert_allclose(np.asarray(X_x), X_ref, rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(y_x), y_ref)


def test_provenance_stays_inside_clusters():
    X, y = _data(3, seed=10)
    gp = KMeansSMOTE(random_state=0, cluster_balance_threshold=0.2)
    X_res, y_res = gp.fit_resample(X, y)
    prov = gp.provenance_
    y_new = y_res[X.shape[0]:]
    np.testing.assert_array_equal(y[prov.base_indices], y_new)
    np.testing.assert_array_equal(y[prov.neighbor_indices], y_new)
    assert ((prov.steps >= 0) & (prov.steps < 1)).all()
    _assert_provenance(X, X_res, gp)


@pytest.mark.parametrize("xp_name", ["numpy", "array_api_strict"])
@pytest.mark.parametrize("sparse", [False, True])
def test_pairwise_distance_sum_tiled(xp_name, sparse):
    rng = np.random.RandomState(0)
    X = rng.normal(5.0, 2.0, size=(150, 6))
    expected = pairwise_distances(X).sum()
    if sparse:
        if xp_name != "numpy":
            pytest.skip("sparse matrices are numpy/cupy only")
        X[X < 4.0] = 0.0
        expected = pairwise_distances(X).sum()
        X_in = sp.csr_matrix(X)
    else:
        X_in = to_namespace(xp_name, X)
    xp = get_namespace(X_in)
    ctx = SamplingContext(xp=xp, device="cpu" if xp_name == "numpy" else X_in.device,
                          sparse=sparse)
    # 0.02 MiB gives tiles of 4 rows: the sum is assembled from 38 tiles.
    assert tile_rows(8 * 4 * 150, working_memory_bytes(0.02)) == 4
    for working_memory in (0.02, 1024):
        total = pairwise_distance_sum(X_in, ctx, working_memory=working_memory)
        np.testing.assert_allclose(total, expected, rtol=1e-10)
    assert pairwise_distance_sum(X_in[:1, ...], ctx) == 0.0


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
def test_identical_points_clusters():
    """Where every selected cluster has zero sparsity, imbalanced-learn fails
    on a NaN weight; gpuimb shares the new samples equally."""
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (100, 2)), np.tile([10.0, 10.0], (10, 1)),
                   np.tile([-10.0, 10.0], (10, 1))])
    y = np.array([0] * 100 + [1] * 20)
    km = KMeans(n_clusters=3, n_init=1, random_state=0)
    with pytest.raises(ValueError, match="cannot convert float NaN to integer"):
        ImbKMeansSMOTE(random_state=0, kmeans_estimator=km).fit_resample(X, y)
    gp = KMeansSMOTE(random_state=0, kmeans_estimator=km)
    X_res, y_res = gp.fit_resample(X, y)
    new = X_res[120:]
    assert new.shape[0] == 80 and (y_res[120:] == 1).all()
    assert (np.abs(new[:, 0]) == 10.0).all() and (new[:, 1] == 10.0).all()
    assert (new[:, 0] > 0).sum() == (new[:, 0] < 0).sum() == 40


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(2, seed=11)
    check = assert_unchanged(X, y)
    KMeansSMOTE(random_state=0).fit_resample(X, y)
    check()


@pytest.mark.parametrize("params, err, match", [
    ({"cluster_balance_threshold": 10.0}, RuntimeError,
     "No clusters found with sufficient samples of class 1. Try lowering the "
     "cluster_balance_threshold or increasing the number of clusters."),
    ({"kmeans_estimator": "rnd"}, InvalidParameterError,
     "The 'kmeans_estimator' parameter of KMeansSMOTE"),
    ({"kmeans_estimator": 0}, InvalidParameterError,
     "The 'kmeans_estimator' parameter of KMeansSMOTE"),
    ({"cluster_balance_threshold": "rnd"}, InvalidParameterError,
     "The 'cluster_balance_threshold' parameter of KMeansSMOTE"),
    ({"density_exponent": "rnd"}, InvalidParameterError,
     "The 'density_exponent' parameter of KMeansSMOTE"),
    ({"n_jobs": "rnd"}, InvalidParameterError, "The 'n_jobs' parameter of KMeansSMOTE"),
    ({"k_neighbors": "rnd"}, InvalidParameterError,
     "The 'k_neighbors' parameter of KMeansSMOTE"),
])
def test_errors(params, err, match):
    X, y = _data(2, seed=12)
    with pytest.raises(err, match=match):
        ImbKMeansSMOTE(random_state=0, **params).fit_resample(X, y)
    with pytest.raises(err, match=match):
        KMeansSMOTE(random_state=0, **params).fit_resample(X, y)


@pytest.mark.gpu
def test_cupy_user_kmeans_matches_imblearn():
    import cupy

    X, y = _data(3, seed=14)
    km = KMeans(n_clusters=6, n_init=1, random_state=0)
    X_ref, y_ref = ImbKMeansSMOTE(random_state=0, kmeans_estimator=km).fit_resample(X, y)
    X_d, y_d = KMeansSMOTE(random_state=0, kmeans_estimator=km).fit_resample(
        cupy.asarray(X), cupy.asarray(y))
    np.testing.assert_allclose(cupy.asnumpy(X_d), X_ref, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(cupy.asnumpy(y_d), y_ref)


def test_numpy_integer_kmeans_estimator():
    """imbalanced-learn checks ``isinstance(kmeans_estimator, int)`` and then
    fails to clone a NumPy integer its own validation accepted; gpuimb treats
    any integer as the number of clusters."""
    X, y = _data(2, seed=15)
    with pytest.raises(TypeError, match="Cannot clone object"):
        ImbKMeansSMOTE(random_state=0, kmeans_estimator=np.int64(6)).fit_resample(X, y)
    ours = KMeansSMOTE(random_state=0, kmeans_estimator=np.int64(6)).fit_resample(X, y)
    _assert_same(ours, ImbKMeansSMOTE(random_state=0, kmeans_estimator=6).fit_resample(X, y))
