"""SMOTEN against imbalanced-learn 0.14.2 (VDM neighbours without an n x n matrix)."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import SMOTEN as ImbSMOTEN
from sklearn.exceptions import DataConversionWarning
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import OrdinalEncoder

from gpuimb.over_sampling import SMOTEN
from gpuimb.over_sampling._smote import _categorical


def _data(n_classes=2, n=300, seed=0, n_features=6, n_cats=9):
    # Many features and categories: rows are distinct and VDM distances tie-free.
    rng = np.random.RandomState(seed)
    p = [0.75, 0.25] if n_classes == 2 else [0.55, 0.3, 0.15]
    y = rng.choice(n_classes, size=n, p=p)
    codes = rng.randint(0, n_cats, size=(n, n_features))
    shift = (y[:, None] * np.arange(1, n_features + 1)) % n_cats
    codes = np.where(rng.uniform(size=codes.shape) < 0.3, (codes + shift) % n_cats, codes)
    return codes, y


def _strings(codes):
    return np.array(list("abcdefghijklmnop"), dtype=object)[codes]


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("kind", ["strings", "floats", "dataframe"])
def test_parity_with_imblearn(seed, n_classes, kind):
    codes, y = _data(n_classes, seed=seed)
    if kind == "strings":
        X = _strings(codes)
    elif kind == "floats":
        X = codes.astype(float) / 2
    else:
        X = pd.DataFrame(_strings(codes), columns=[f"f{i}" for i in range(6)])
    expected = ImbSMOTEN(random_state=seed).fit_resample(X, y)
    got = SMOTEN(random_state=seed).fit_resample(X, y)
    if kind == "dataframe":
        pd.testing.assert_frame_equal(got[0], expected[0])
    else:
        assert got[0].dtype == expected[0].dtype
        np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(np.asarray(got[1]), np.asarray(expected[1]))


@pytest.mark.parametrize("fmt", ["csr", "csc"])
def test_parity_sparse_with_warning(fmt):
    codes, y = _data(3, seed=4)
    X = getattr(sp, f"{fmt}_matrix")(codes.astype(float) + 1)
    with pytest.warns(DataConversionWarning, match="is converted to a dense array"):
        expected = ImbSMOTEN(random_state=0).fit_resample(X, y)
    with pytest.warns(DataConversionWarning, match="is converted to a dense array"):
        got = SMOTEN(random_state=0).fit_resample(X, y)
    assert got[0].format == expected[0].format
    np.testing.assert_array_equal(got[0].toarray(), expected[0].toarray())


def test_parity_estimator_encoder_and_random_state_instance():
    codes, y = _data(3, seed=5)
    X = _strings(codes)
    kwargs = dict(k_neighbors=NearestNeighbors(n_neighbors=4),
                  categorical_encoder=OrdinalEncoder(dtype=np.int64))
    expected_sampler = ImbSMOTEN(random_state=np.random.RandomState(3), **kwargs)
    expected = expected_sampler.fit_resample(X, y)
    sampler = SMOTEN(random_state=np.random.RandomState(3), **kwargs)
    got = sampler.fit_resample(X, y)
    np.testing.assert_array_equal(got[0], expected[0])
    np.testing.assert_array_equal(got[1], expected[1])
    assert sampler.nn_k_.metric == "precomputed"
    assert sampler.categorical_encoder_.dtype is np.int64


def test_tiled_neighbours_equal_untiled(monkeypatch):
    codes, y = _data(2, n=200, seed=6)
    expected = SMOTEN(random_state=0).fit_resample(codes, y)
    # Tiles of 7 rows in the category votes and the VDM neighbour search.
    monkeypatch.setattr(_categorical, "tile_rows", lambda row_cost, budget=None: 7)
    got = SMOTEN(random_state=0).fit_resample(codes, y)
    np.testing.assert_array_equal(got[0], expected[0])


def test_provenance():
    codes, y = _data(3, seed=7)
    sampler = SMOTEN(random_state=0)
    X_res, y_res = sampler.fit_resample(codes, y)
    prov = sampler.provenance_
    n = codes.shape[0]
    assert prov.n_synthetic == X_res.shape[0] - n
    np.testing.assert_array_equal(y[prov.base_indices], y_res[n:])
    assert np.all(prov.neighbor_indices == -1)
    assert np.all(np.isnan(prov.steps))


def test_inputs_not_mutated(assert_unchanged):
    codes, y = _data(2)
    check = assert_unchanged(codes, y)
    SMOTEN(random_state=0).fit_resample(codes, y)
    check()


def test_error_k_neighbors_too_large():
    codes, y = _data(2)
    keep = np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:4]])
    for sampler in (ImbSMOTEN(k_neighbors=5), SMOTEN(k_neighbors=5)):
        with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
            sampler.fit_resample(codes[keep], y[keep])


def test_error_invalid_encoder():
    codes, y = _data(2)
    with pytest.raises(ValueError, match="'categorical_encoder' parameter of SMOTEN"):
        SMOTEN(categorical_encoder="bad").fit_resample(codes, y)




@pytest.mark.parametrize(("k", "n_categories"), [(1, 3), (2, 2), (5, 6), (7, 3), (6, 40)])
def test_vote_is_scipy_mode(xp_name, k, n_categories):
    # SMOTE-N's new category: the most frequent among the neighbours, the
    # smallest on ties, as scipy.stats.mode gives it (imbalanced-learn's rule).
    from array_api_compat import array_namespace
    from scipy import stats

    from gpuimb.utils._array_api import to_host

    codes = np.random.RandomState(k).randint(0, n_categories, size=(3000, k))
    data = codes
    if xp_name == "array_api_strict":
        import array_api_strict

        data = array_api_strict.asarray(codes, device=array_api_strict.Device("device1"))
    ours = _categorical._most_frequent_smallest(array_namespace(data), data)
    np.testing.assert_array_equal(np.asarray(to_host(ours)),
                                  stats.mode(codes, axis=1, keepdims=False).mode)
