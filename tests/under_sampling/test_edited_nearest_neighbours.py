"""EditedNearestNeighbours, RepeatedEditedNearestNeighbours and AllKNN against
imbalanced-learn 0.14.2."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn import under_sampling as imb
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb import under_sampling as gpu

NAMES = ["EditedNearestNeighbours", "RepeatedEditedNearestNeighbours", "AllKNN"]


def _data(n_classes, seed, n=400, flip_y=0.15):
    weights = [0.6, 0.4] if n_classes == 2 else [0.5, 0.3, 0.2]
    return make_classification(n_samples=n, n_features=4, n_informative=3,
                               n_redundant=0, n_classes=n_classes, weights=weights,
                               flip_y=flip_y, random_state=seed)


def _pair(name, **params):
    return getattr(gpu, name)(**params), getattr(imb, name)(**params)


def _assert_same(gp, ref, out_gp, out_ref):
    X_a, y_a = out_gp
    X_b, y_b = out_ref
    if sp.issparse(X_b):
        assert sp.issparse(X_a) and X_a.format == X_b.format
        X_a, X_b = X_a.toarray(), X_b.toarray()
    np.testing.assert_array_equal(np.asarray(X_a), np.asarray(X_b))
    np.testing.assert_array_equal(np.asarray(y_a), np.asarray(y_b))
    np.testing.assert_array_equal(gp.sample_indices_, ref.sample_indices_)
    for attr in ("n_iter_", "sampling_strategy_"):
        assert getattr(gp, attr, None) == getattr(ref, attr, None)


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("params", [
    {},
    {"kind_sel": "mode"},
    {"n_neighbors": 5, "sampling_strategy": "all"},
    {"n_neighbors": 2, "kind_sel": "mode", "sampling_strategy": "not majority"},
])
def test_parity(name, seed, n_classes, params):
    X, y = _data(n_classes, seed)
    gp, ref = _pair(name, **params)
    _assert_same(gp, ref, gp.fit_resample(X, y), ref.fit_resample(X, y))


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
@pytest.mark.parametrize("n_neighbors", [2, 3, 5])
def test_allknn_allow_minority_parity(seed, n_neighbors):
    # Targets are re-evaluated on the survivors every round ("auto" changes
    # when a class becomes the minority), exactly as imbalanced-learn does.
    X, y = _data(3, seed, flip_y=0.3)
    gp, ref = _pair("AllKNN", n_neighbors=n_neighbors, allow_minority=True)
    _assert_same(gp, ref, gp.fit_resample(X, y), ref.fit_resample(X, y))


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("max_iter", [1, 2, 100])
def test_renn_many_iterations_parity(seed, max_iter):
    X, y = _data(3, seed, n=600, flip_y=0.3)
    gp, ref = _pair("RepeatedEditedNearestNeighbours", max_iter=max_iter,
                    sampling_strategy="all", kind_sel="mode")
    out_gp, out_ref = gp.fit_resample(X, y), ref.fit_resample(X, y)
    np.testing.assert_array_equal(out_gp[0], out_ref[0])
    assert gp.n_iter_ == ref.n_iter_
    if gp.n_iter_ > 1:  # see test_renn_sample_indices_at_convergence
        np.testing.assert_array_equal(gp.sample_indices_, ref.sample_indices_)
    np.testing.assert_array_equal(X[gp.sample_indices_], out_gp[0])


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_parity_sparse(name, fmt):
    X, y = _data(3, 7)
    X = getattr(sp, f"{fmt}_matrix")(X)
    gp, ref = _pair(name)
    _assert_same(gp, ref, gp.fit_resample(X, y), ref.fit_resample(X, y))


@pytest.mark.parametrize("name", NAMES)
def test_parity_pandas(name):
    X, y = _data(3, 8)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    y = pd.Series(y, name="target")
    gp, ref = _pair(name)
    X_a, y_a = gp.fit_resample(X, y)
    X_b, y_b = ref.fit_resample(X, y)
    pd.testing.assert_frame_equal(X_a, X_b)
    pd.testing.assert_series_equal(y_a, y_b)


@pytest.mark.parametrize("name", NAMES)
def test_parity_user_estimator(name):
    X, y = _data(3, 9)
    gp, ref = _pair(name, n_neighbors=NearestNeighbors(n_neighbors=4))
    _assert_same(gp, ref, gp.fit_resample(X, y), ref.fit_resample(X, y))
    assert gp.nn_.n_neighbors == 4


class _DuckNeighbors:
    """A neighbours object that is not a scikit-learn estimator."""

    def __init__(self, n_neighbors):
        self.n_neighbors = n_neighbors

    def fit(self, X):
        self._X = np.asarray(X)
        return self

    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        k = n_neighbors or self.n_neighbors
        d = np.sqrt(((np.asarray(X)[:, None, :] - self._X[None]) ** 2).sum(-1))
        ind = np.argsort(d, axis=1, kind="stable")[:, :k]
        return (np.take_along_axis(d, ind, 1), ind) if return_distance else ind

    def kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
        raise NotImplementedError


@pytest.mark.parametrize("name", NAMES)
def test_duck_typed_neighbours(name):
    X, y = _data(3, 10, n=200)
    expected = getattr(gpu, name)(n_neighbors=3)
    expected.fit_resample(X, y)
    duck = _DuckNeighbors(4)
    gp = getattr(gpu, name)(n_neighbors=duck)
    gp.fit_resample(X, y)
    np.testing.assert_array_equal(gp.sample_indices_, expected.sample_indices_)
    # clone refuses it (no get_params): a deep copy is fitted, not the caller's object.
    assert not hasattr(duck, "_X")


@pytest.mark.parametrize("seed", [0, 1])
def test_renn_sample_indices_at_convergence(seed):
    # Two far-apart blobs, labels interleaved in y: the first edition removes
    # nothing, so RENN converges at once with the samples reordered by class.
    # imbalanced-learn composes sample_indices_ twice then, so its
    # X[sample_indices_] is not its own output; ours is.
    rng = np.random.RandomState(seed)
    X = np.vstack([rng.randn(40, 2), rng.randn(60, 2) + 20])
    y = np.array([0] * 40 + [1] * 60)
    perm = rng.permutation(100)
    X, y = X[perm], y[perm]
    gp, ref = _pair("RepeatedEditedNearestNeighbours")
    X_gp, y_gp = gp.fit_resample(X, y)
    X_ref, y_ref = ref.fit_resample(X, y)
    assert gp.n_iter_ == ref.n_iter_ == 1
    np.testing.assert_array_equal(X_gp, X_ref)
    np.testing.assert_array_equal(y_gp, y_ref)
    np.testing.assert_array_equal(X[gp.sample_indices_], X_gp)
    np.testing.assert_array_equal(y[gp.sample_indices_], y_gp)
    assert not np.array_equal(X[ref.sample_indices_], X_ref)  # imblearn's bug


@pytest.mark.parametrize("name", NAMES)
def test_input_not_mutated(name, assert_unchanged):
    X, y = _data(2, 0)
    check = assert_unchanged(X, y)
    getattr(gpu, name)().fit_resample(X, y)
    check()


def test_fitted_attributes():
    X, y = _data(3, 0)
    enn = gpu.EditedNearestNeighbours()
    enn.fit_resample(X, y)
    assert enn.nn_.n_neighbors == 4
    renn = gpu.RepeatedEditedNearestNeighbours(kind_sel="mode")
    renn.fit_resample(X, y)
    assert isinstance(renn.enn_, gpu.EditedNearestNeighbours)
    assert renn.enn_.kind_sel == "mode" and renn.n_iter_ >= 1
    allknn = gpu.AllKNN(n_neighbors=4)
    allknn.fit_resample(X, y)
    ref = imb.AllKNN(n_neighbors=4)
    ref.fit_resample(X, y)
    assert allknn.enn_.n_neighbors == ref.enn_.n_neighbors
    assert allknn.nn_.n_neighbors == ref.nn_.n_neighbors == 5


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("params, err, match", [
    ({"n_neighbors": 0}, InvalidParameterError, "The 'n_neighbors' parameter of"),
    ({"n_neighbors": "three"}, InvalidParameterError,
     "The 'n_neighbors' parameter of"),
    ({"kind_sel": "most"}, InvalidParameterError, "The 'kind_sel' parameter of"),
    ({"sampling_strategy": {0: 10}}, InvalidParameterError,
     "The 'sampling_strategy' parameter of"),
    ({"sampling_strategy": 0.5}, ValueError,
     "'clean-sampling' methods do let the user specify the sampling ratio"),
    ({"n_jobs": 1.5}, InvalidParameterError, "The 'n_jobs' parameter of"),
])
def test_errors_like_imblearn(name, params, err, match):
    X, y = _data(2, 0)
    for module in (gpu, imb):
        with pytest.raises(err, match=match):
            getattr(module, name)(**params).fit_resample(X, y)


@pytest.mark.parametrize("name, params, err, match", [
    ("RepeatedEditedNearestNeighbours", {"max_iter": 0}, InvalidParameterError,
     "The 'max_iter' parameter of"),
    ("AllKNN", {"allow_minority": "yes"}, InvalidParameterError,
     "The 'allow_minority' parameter of"),
    ("EditedNearestNeighbours", {"n_neighbors": 30}, ValueError,
     "Expected n_neighbors <= n_samples_fit, but n_neighbors = 31, "
     "n_samples_fit = 20, n_samples = 12"),
])
def test_specific_errors_like_imblearn(name, params, err, match):
    X, y = _data(2, 0, n=20)
    for module in (gpu, imb):
        with pytest.raises(err, match=match):
            getattr(module, name)(**params).fit_resample(X, y)


@pytest.mark.gpu
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("n_classes", [2, 3])
def test_device_matches_host(name, n_classes):
    import cupy

    X, y = _data(n_classes, 0)
    host = getattr(gpu, name)()
    X_h, y_h = host.fit_resample(X, y)
    dev = getattr(gpu, name)()
    X_d, y_d = dev.fit_resample(cupy.asarray(X), cupy.asarray(y))
    assert isinstance(X_d, cupy.ndarray)
    np.testing.assert_array_equal(cupy.asnumpy(dev.sample_indices_),
                                  host.sample_indices_)
    np.testing.assert_allclose(cupy.asnumpy(X_d), X_h)
    np.testing.assert_array_equal(cupy.asnumpy(y_d), y_h)
