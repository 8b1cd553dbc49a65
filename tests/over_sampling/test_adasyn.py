"""ADASYN against imbalanced-learn 0.14.2."""

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import ADASYN as ImbADASYN
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors

from gpuimb.over_sampling import ADASYN


def _data(n_classes=2, n_samples=300, seed=0):
    weights = [0.8, 0.2] if n_classes == 2 else [0.6, 0.3, 0.1]
    return make_classification(n_samples=n_samples, n_classes=n_classes,
                               n_informative=4, weights=weights, random_state=seed)


def _dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _assert_same(expected, got):
    assert type(got[0]) is type(expected[0])
    assert got[0].dtype == expected[0].dtype
    np.testing.assert_allclose(_dense(got[0]), _dense(expected[0]), rtol=1e-6,
                               atol=1e-12)
    np.testing.assert_array_equal(np.asarray(got[1]), np.asarray(expected[1]))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("kind", ["dense", "float32", "csr", "csc"])
def test_parity_with_imblearn(seed, n_classes, kind):
    X, y = _data(n_classes, seed=seed)
    if kind == "float32":
        X = X.astype(np.float32)
    elif kind != "dense":
        X = getattr(sp, f"{kind}_matrix")(X)
    expected = ImbADASYN(random_state=seed).fit_resample(X, y)
    _assert_same(expected, ADASYN(random_state=seed).fit_resample(X, y))


def test_parity_estimator_and_random_state_instance():
    X, y = _data(3, seed=3)
    expected = ImbADASYN(random_state=np.random.RandomState(2),
                         n_neighbors=NearestNeighbors(n_neighbors=4)).fit_resample(X, y)
    sampler = ADASYN(random_state=np.random.RandomState(2),
                     n_neighbors=NearestNeighbors(n_neighbors=4))
    _assert_same(expected, sampler.fit_resample(X, y))
    assert sampler.nn_.n_neighbors == 4


def test_nn_attribute_from_int():
    X, y = _data(2)
    sampler = ADASYN(n_neighbors=3, random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.nn_.n_neighbors == 4


@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_provenance_invariant(kind):
    X, y = _data(3, seed=4)
    X_in = sp.csr_matrix(X) if kind == "csr" else X
    sampler = ADASYN(random_state=0)
    X_res, y_res = sampler.fit_resample(X_in, y)
    prov = sampler.provenance_
    n = X.shape[0]
    assert prov.n_synthetic == X_res.shape[0] - n
    b, nb, st = prov.base_indices, prov.neighbor_indices, prov.steps
    np.testing.assert_allclose(_dense(X_res)[n:], X[b] + st[:, None] * (X[nb] - X[b]),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(y[b], y_res[n:])
    np.testing.assert_array_equal(y[nb], y_res[n:])


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(2)
    check = assert_unchanged(X, y)
    ADASYN(random_state=0).fit_resample(X, y)
    check()


def test_error_no_neighbour_of_other_class():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.randn(20, 2), rng.randn(40, 2) + 100])
    y = np.array([0] * 20 + [1] * 40)
    for sampler in (ImbADASYN(), ADASYN()):
        with pytest.raises(RuntimeError, match="Not any neigbours belong to the majority"):
            sampler.fit_resample(X, y)


def test_error_no_sample_generated():
    X, y = _data(2, n_samples=400, seed=6)
    n_min = int(np.sum(y == 1))
    strategy = {1: n_min + 1}
    for sampler in (ImbADASYN(sampling_strategy=strategy),
                    ADASYN(sampling_strategy=strategy)):
        with pytest.raises(ValueError, match="No samples will be generated"):
            sampler.fit_resample(X, y)


def test_error_n_neighbors_too_large():
    X, y = _data(2)
    keep = np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:3]])
    for sampler in (ImbADASYN(n_neighbors=5), ADASYN(n_neighbors=5)):
        with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
            sampler.fit_resample(X[keep], y[keep])


def test_invalid_n_neighbors():
    X, y = _data(2)
    with pytest.raises(ValueError, match="The 'n_neighbors' parameter of ADASYN must be"):
        ADASYN(n_neighbors=0).fit_resample(X, y)


def test_repeat_positions_matches_numpy_repeat():
    import array_api_strict as xs

    from gpuimb.utils._array_api import repeat_positions

    counts = np.array([0, 3, 1, 0, 2, 0])
    dev = xs.Device("device1")
    out = repeat_positions(xs, xs.asarray(counts, device=dev))
    assert out.device == dev
    np.testing.assert_array_equal(np.asarray(out.to_device(xs.Device("CPU_DEVICE"))),
                                  np.repeat(np.arange(6), counts))
    assert repeat_positions(xs, xs.asarray(np.zeros(0, dtype=np.int64))).shape == (0,)
