"""NearMiss (versions 1, 2, 3) against imbalanced-learn 0.14.2."""

import warnings

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import NearMiss as ImbNearMiss
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb import config_context
from gpuimb.under_sampling import NearMiss
from gpuimb.utils._array_api import to_host
from tests._helpers import to_namespace


def _data(n_classes, seed, n=400):
    weights = [0.7, 0.3] if n_classes == 2 else [0.5, 0.3, 0.2]
    return make_classification(n_samples=n, n_features=5, n_informative=3,
                               n_classes=n_classes, weights=weights,
                               flip_y=0.05, random_state=seed)


def _fit_both(X, y, **params):
    gp, ref = NearMiss(**params), ImbNearMiss(**params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        out_ref = ref.fit_resample(X, y)
        out_gp = gp.fit_resample(X, y)
    return gp, ref, out_gp, out_ref


def _assert_same(gp, ref, out_gp, out_ref):
    X_a, y_a = out_gp
    X_b, y_b = out_ref
    if sp.issparse(X_b):
        assert sp.issparse(X_a) and X_a.format == X_b.format
        X_a, X_b = X_a.toarray(), X_b.toarray()
    np.testing.assert_array_equal(np.asarray(X_a), np.asarray(X_b))
    np.testing.assert_array_equal(np.asarray(y_a), np.asarray(y_b))
    np.testing.assert_array_equal(gp.sample_indices_, ref.sample_indices_)
    assert gp.sampling_strategy_ == ref.sampling_strategy_


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("params", [
    {},
    {"n_neighbors": 5, "n_neighbors_ver3": 2, "sampling_strategy": "all"},
    {"n_neighbors": 1, "n_neighbors_ver3": 6, "sampling_strategy": "majority"},
])
def test_parity(version, seed, n_classes, params):
    X, y = _data(n_classes, seed)
    _assert_same(*_fit_both(X, y, version=version, **params))


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_parity_with_float32_screening(monkeypatch, version, seed, n_classes):
    # Searches this small are ranked in float64 at once (is_small_search);
    # the float32 screening and its float64 re-ranking, which larger data
    # takes, must give the same rows.
    from tests._helpers import force_float32_screening

    force_float32_screening(monkeypatch)
    X, y = _data(n_classes, seed)
    _assert_same(*_fit_both(X, y, version=version))
    # Large values with small gaps (the kddcup sets): float32 cannot tell the
    # farthest rows apart, so most rows are ranked again in float64.
    rng = np.random.RandomState(seed)
    coarse = np.column_stack([rng.choice([0.0, 1e3, 5e4, 1e5], size=len(y)),
                              rng.randint(0, 101, size=(len(y), 3)) / 100])
    _assert_same(*_fit_both(coarse, y, version=version))


@pytest.mark.parametrize("version", [1, 2, 3])
def test_parity_dict_and_float_strategy(version):
    X, y = _data(2, 4)
    _assert_same(*_fit_both(X, y, version=version, sampling_strategy=0.8))
    X, y = _data(3, 4)
    counts = np.bincount(y)
    strategy = {0: int(counts[0] // 2), 1: int(counts[1] // 3)}
    _assert_same(*_fit_both(X, y, version=version, sampling_strategy=strategy))


@pytest.mark.parametrize("version", [1, 2, 3])
@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_parity_sparse(version, fmt):
    X, y = _data(3, 5)
    X = getattr(sp, f"{fmt}_matrix")(X)
    _assert_same(*_fit_both(X, y, version=version))


@pytest.mark.parametrize("version", [1, 2, 3])
def test_parity_pandas(version):
    X, y = _data(3, 6)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    y = pd.Series(y, name="target")
    _, _, (X_a, y_a), (X_b, y_b) = _fit_both(X, y, version=version)
    pd.testing.assert_frame_equal(X_a, X_b)
    pd.testing.assert_series_equal(y_a, y_b)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_parity_user_estimators(version):
    X, y = _data(3, 7)
    gp, ref, out_gp, out_ref = _fit_both(
        X, y, version=version, n_neighbors=NearestNeighbors(n_neighbors=4),
        n_neighbors_ver3=NearestNeighbors(n_neighbors=2))
    _assert_same(gp, ref, out_gp, out_ref)
    assert gp.nn_.n_neighbors == 4
    if version == 3:
        assert gp.nn_ver3_.n_neighbors == 2


@pytest.mark.parametrize("working_memory", [1, 1024])
def test_nearmiss2_tiling_does_not_change_result(working_memory):
    X, y = _data(2, 8, n=3000)
    ref = ImbNearMiss(version=2)
    ref.fit_resample(X, y)
    with config_context(working_memory=working_memory):
        gp = NearMiss(version=2)
        gp.fit_resample(X, y)
    np.testing.assert_array_equal(gp.sample_indices_, ref.sample_indices_)


def _pruning_cases():
    rng = np.random.default_rng(0)
    labels = np.r_[np.zeros(2700, int), np.ones(300, int)]
    grid = rng.integers(0, 3, size=(3000, 6)).astype(float)
    duplicated = rng.normal(size=(3000, 8))
    duplicated[1::2] = duplicated[::2]
    return {
        "make_classification": make_classification(
            n_samples=3000, n_features=10, n_informative=6, weights=[0.9, 0.1],
            flip_y=0, random_state=11),
        "gaussian-d40": (np.r_[rng.normal(size=(2700, 40)) + 0.3,
                               rng.normal(size=(300, 40))], labels),
        "uniform-d60": (rng.uniform(size=(3000, 60)), labels),
        # Exact ties everywhere: the order must still be the full stable one.
        "grid": (grid, labels),
        "duplicated-rows": (duplicated, labels),
    }


def _full_order(monkeypatch, X, y, **params):
    """NearMiss-2 with the lower-bound pruning switched off."""
    from gpuimb.under_sampling._prototype_selection import _nearmiss_distances

    with monkeypatch.context() as m:
        m.setattr(_nearmiss_distances, "_BOUND_ROWS_MIN", 10**9)
        m.setattr(_nearmiss_distances, "_BOUND_ROWS_MAX", 10**9)
        return NearMiss(version=2, **params).fit(X, y).fit_resample(X, y)


@pytest.mark.parametrize("case", list(_pruning_cases()))
@pytest.mark.parametrize("k", [1, 3, 7])
def test_nearmiss2_pruning_equals_full_computation(monkeypatch, case, k):
    from gpuimb.under_sampling._prototype_selection import _nearmiss_distances

    X, y = _pruning_cases()[case]
    computed = []
    farthest_sums = _nearmiss_distances._farthest_sums

    def counting(ctx, X_min, X_cls, k):
        computed.append(X_cls.shape[0])
        return farthest_sums(ctx, X_min, X_cls, k)

    monkeypatch.setattr(_nearmiss_distances, "_farthest_sums", counting)
    gp = NearMiss(version=2, n_neighbors=k)
    X_res, y_res = gp.fit_resample(X, y)
    n_computed = sum(computed)
    computed.clear()
    X_full, y_full = _full_order(monkeypatch, X, y, n_neighbors=k)
    assert sum(computed) == np.count_nonzero(y == 0)  # the reference computed all
    np.testing.assert_array_equal(X_res, X_full)
    np.testing.assert_array_equal(y_res, y_full)
    if case == "make_classification":
        # The bounds do prune here: 300 rows kept of 2.7k.
        assert n_computed < 1000


def test_nearmiss2_pruning_matches_imblearn():
    X, y = _data(2, 12, n=4000)
    _assert_same(*_fit_both(X, y, version=2))
    _assert_same(*_fit_both(X, y, version=2, sampling_strategy={0: 500}))


def test_nearmiss2_pruning_array_api_strict(monkeypatch):
    X, y = _pruning_cases()["gaussian-d40"]
    ref = NearMiss(version=2).fit_resample(X, y)
    gp = NearMiss(version=2)
    X_res, _ = gp.fit_resample(to_namespace("array_api_strict", X),
                               to_namespace("array_api_strict", y))
    np.testing.assert_array_equal(to_host(X_res), ref[0])


def test_nearmiss3_warns_like_imblearn():
    X, y = _data(2, 9)
    msg = "The number of the samples to be selected is larger"
    for cls in (NearMiss, ImbNearMiss):
        with pytest.warns(UserWarning, match=msg):
            cls(version=3, n_neighbors_ver3=1).fit_resample(X, y)


@pytest.mark.parametrize("version", [1, 2, 3])
def test_input_not_mutated(version, assert_unchanged):
    X, y = _data(2, 0)
    check = assert_unchanged(X, y)
    NearMiss(version=version).fit_resample(X, y)
    check()


@pytest.mark.parametrize("params, err, match", [
    ({"version": 4}, InvalidParameterError, "The 'version' parameter of"),
    ({"n_neighbors": 0}, InvalidParameterError, "The 'n_neighbors' parameter of"),
    ({"n_neighbors_ver3": "x"}, InvalidParameterError,
     "The 'n_neighbors_ver3' parameter of"),
    ({"sampling_strategy": "minority"}, InvalidParameterError,
     "The 'sampling_strategy' parameter of"),
    ({"sampling_strategy": {0: 1000}}, ValueError,
     "With under-sampling methods, the number of samples in a class should be "
     "less or equal to the original number of samples"),
    ({"n_neighbors": 50}, ValueError,
     "Expected n_neighbors <= n_samples_fit, but n_neighbors = 50, "
     "n_samples_fit = 11, n_samples = 29"),
    ({"version": 3, "n_neighbors_ver3": 30}, ValueError,
     "Expected n_neighbors <= n_samples_fit, but n_neighbors = 30, "
     "n_samples_fit = 29, n_samples = 11"),
])
def test_errors_like_imblearn(params, err, match):
    X, y = _data(2, 0, n=40)
    assert np.bincount(y).tolist() == [29, 11]
    for cls in (NearMiss, ImbNearMiss):
        with pytest.raises(err, match=match):
            cls(**params).fit_resample(X, y)


@pytest.mark.gpu
@pytest.mark.parametrize("version", [1, 2, 3])
def test_device_matches_host(version):
    import cupy

    X, y = _data(3, 0)
    host = NearMiss(version=version)
    X_h, _ = host.fit_resample(X, y)
    dev = NearMiss(version=version)
    X_d, _ = dev.fit_resample(cupy.asarray(X), cupy.asarray(y))
    assert isinstance(X_d, cupy.ndarray)
    np.testing.assert_array_equal(cupy.asnumpy(dev.sample_indices_),
                                  host.sample_indices_)
    np.testing.assert_allclose(cupy.asnumpy(X_d), X_h)
