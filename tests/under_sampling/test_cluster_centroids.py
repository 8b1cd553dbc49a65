"""ClusterCentroids against imbalanced-learn 0.14.2."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import ClusterCentroids as ImbClusterCentroids
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.datasets import make_classification
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.under_sampling import ClusterCentroids


def _data(n_classes, seed, n=300, weights=None):
    if weights is None:
        weights = [0.7, 0.3] if n_classes == 2 else [0.5, 0.3, 0.2]
    return make_classification(n_samples=n, n_features=4, n_informative=3,
                               n_redundant=0, n_classes=n_classes, weights=weights,
                               random_state=seed)


def _assert_same(out_gp, out_ref):
    X_a, y_a = out_gp
    X_b, y_b = out_ref
    if sp.issparse(X_b):
        assert sp.issparse(X_a)
        X_a, X_b = X_a.toarray(), X_b.toarray()
    assert X_a.dtype == X_b.dtype
    np.testing.assert_allclose(np.asarray(X_a), np.asarray(X_b), rtol=1e-6,
                               atol=1e-9)
    np.testing.assert_array_equal(np.asarray(y_a), np.asarray(y_b))
    assert y_a.dtype == y_b.dtype


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("params", [
    {},
    {"voting": "hard"},
    {"sampling_strategy": "all", "voting": "soft"},
    {"estimator": MiniBatchKMeans(n_init=1, random_state=0)},
])
def test_parity(seed, n_classes, params):
    # Few, large clusters: a centroid of a two-sample cluster is equidistant
    # from both (a tie that hard voting breaks by index, as documented).
    X, y = _data(n_classes, seed,
                 weights=[0.9, 0.1] if n_classes == 2 else [0.8, 0.15, 0.05])
    gp = ClusterCentroids(random_state=seed, **params)
    ref = ImbClusterCentroids(random_state=seed, **params)
    _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y))
    assert gp.voting_ == ref.voting_
    assert gp.sampling_strategy_ == ref.sampling_strategy_
    np.testing.assert_allclose(gp.estimator_.cluster_centers_,
                               ref.estimator_.cluster_centers_, rtol=1e-6)
    assert not hasattr(gp, "sample_indices_")


@pytest.mark.parametrize("fmt", ["csr", "csc"])
@pytest.mark.parametrize("voting", ["auto", "soft", "hard"])
def test_parity_sparse(fmt, voting):
    X, y = _data(3, 3)
    X = getattr(sp, f"{fmt}_matrix")(X)
    gp = ClusterCentroids(random_state=0, voting=voting)
    ref = ImbClusterCentroids(random_state=0, voting=voting)
    out_gp = gp.fit_resample(X, y)
    _assert_same(out_gp, ref.fit_resample(X, y))
    assert gp.voting_ == ref.voting_
    # gpuimb keeps the input's sparse format (imbalanced-learn may switch to CSR)
    assert out_gp[0].format == fmt


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_parity_dtypes(dtype):
    X, y = _data(2, 4)
    X = X.astype(dtype)
    gp, ref = ClusterCentroids(random_state=1), ImbClusterCentroids(random_state=1)
    _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y))


def test_parity_random_state_instance_and_string_labels():
    X, y = _data(3, 5)
    y = np.array(["x", "y", "z"])[y]
    gp = ClusterCentroids(random_state=np.random.RandomState(3))
    ref = ImbClusterCentroids(random_state=np.random.RandomState(3))
    _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y))


def test_parity_pandas():
    X, y = _data(3, 6)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    y = pd.Series(y, name="target")
    X_a, y_a = ClusterCentroids(random_state=0).fit_resample(X, y)
    X_b, y_b = ImbClusterCentroids(random_state=0).fit_resample(X, y)
    pd.testing.assert_frame_equal(X_a, X_b)
    pd.testing.assert_series_equal(y_a, y_b)


def test_hard_voting_picks_a_nearest_sample():
    X, y = _data(3, 8)
    cc = ClusterCentroids(random_state=0, voting="hard")
    X_res, y_res = cc.fit_resample(X, y)
    for klass in cc.sampling_strategy_:
        X_class = X[y == klass]
        centers = cc.estimator_.cluster_centers_ if klass == max(
            cc.sampling_strategy_) else None
        chosen = X_res[y_res == klass]
        # every chosen row is an original sample of its class
        assert all((np.abs(X_class - row).sum(axis=1) == 0).any() for row in chosen)
        if centers is not None:
            d = np.sqrt(((centers[:, None, :] - X_class[None]) ** 2).sum(-1))
            d_chosen = np.sqrt(((centers - chosen) ** 2).sum(-1))
            np.testing.assert_allclose(d_chosen, d.min(axis=1), rtol=1e-9)


def test_input_not_mutated(assert_unchanged):
    X, y = _data(2, 0)
    check = assert_unchanged(X, y)
    ClusterCentroids(random_state=0).fit_resample(X, y)
    check()


class _NoCentres(KMeans):
    def fit(self, X, y=None, sample_weight=None):
        super().fit(X, y, sample_weight)
        del self.cluster_centers_
        return self


class _NoNClusters:
    def get_params(self, deep=True):
        return {}

    def set_params(self, **params):
        return self

    def fit(self, X, y=None):
        return self

    def predict(self, X):
        return np.zeros(len(X))


@pytest.mark.parametrize("params, err, match", [
    ({"voting": "unknown"}, InvalidParameterError, "The 'voting' parameter of"),
    ({"estimator": "kmeans"}, InvalidParameterError, "The 'estimator' parameter of"),
    ({"estimator": _NoNClusters()}, ValueError,
     "`estimator` should be a clustering estimator exposing a parameter "
     "`n_clusters` and a fitted parameter `cluster_centers_`."),
    ({"estimator": _NoCentres(n_init=1)}, RuntimeError,
     "`estimator` should be a clustering estimator exposing a fitted parameter "
     "`cluster_centers_`."),
    ({"sampling_strategy": "minority"}, InvalidParameterError,
     "The 'sampling_strategy' parameter of"),
])
def test_errors_like_imblearn(params, err, match):
    X, y = _data(2, 0)
    for cls in (ClusterCentroids, ImbClusterCentroids):
        with pytest.raises(err, match=match):
            cls(**params).fit_resample(X, y)


@pytest.mark.gpu
@pytest.mark.parametrize("voting", ["soft", "hard"])
def test_device_matches_host(voting):
    import cupy

    X, y = _data(2, 7, n=400, weights=[0.95, 0.05])
    X_h, y_h = ClusterCentroids(random_state=0, voting=voting).fit_resample(X, y)
    X_d, y_d = ClusterCentroids(random_state=0, voting=voting).fit_resample(
        cupy.asarray(X), cupy.asarray(y))
    assert isinstance(X_d, cupy.ndarray)
    np.testing.assert_allclose(cupy.asnumpy(X_d), X_h, rtol=1e-5, atol=1e-7)
    np.testing.assert_array_equal(cupy.asnumpy(y_d), y_h)
