"""SMOTENC against imbalanced-learn 0.14.2: indices, names, masks, "auto", sparse."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import SMOTENC as ImbSMOTENC
from sklearn.preprocessing import OneHotEncoder

from gpuimb.over_sampling import SMOTENC
from gpuimb.over_sampling._smote._categorical import _vote_with_random_ties

CAT = [1, 4, 5]


def _data(n_classes=2, n=300, seed=0, n_cats=(3, 5, 8)):
    rng = np.random.RandomState(seed)
    p = [0.75, 0.25] if n_classes == 2 else [0.55, 0.3, 0.15]
    y = rng.choice(n_classes, size=n, p=p)
    cont = rng.randn(n, 3) + y[:, None]
    cats = np.column_stack([rng.randint(0, c, size=n) for c in n_cats]).astype(float)
    X = np.column_stack([cont[:, 0], cats[:, 0], cont[:, 1], cont[:, 2], cats[:, 1],
                         cats[:, 2]])
    return X, y


def _frame(X):
    names = np.array(list("abcdefgh"), dtype=object)
    return pd.DataFrame({
        "x0": X[:, 0],
        "c1": pd.Categorical(names[X[:, 1].astype(int)]),
        "x2": X[:, 2],
        "x3": X[:, 3],
        "c4": pd.Categorical(names[X[:, 4].astype(int)]),
        "c5": pd.Categorical(names[X[:, 5].astype(int)]),
    })


def _dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _assert_same(expected, got):
    if sp.issparse(expected[0]):
        # imbalanced-learn always returns CSR here; gpuimb keeps the input format.
        assert sp.issparse(got[0])
    else:
        assert type(got[0]) is type(expected[0])
    if isinstance(expected[0], pd.DataFrame):
        pd.testing.assert_frame_equal(got[0], expected[0], rtol=1e-6)
    else:
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
    expected = ImbSMOTENC(CAT, random_state=seed).fit_resample(X, y)
    sampler = SMOTENC(CAT, random_state=seed)
    _assert_same(expected, sampler.fit_resample(X, y))


@pytest.mark.parametrize("categorical_features", [
    "auto", ["c1", "c4", "c5"], CAT, [False, True, False, False, True, True]])
@pytest.mark.parametrize("seed", [0, 3])
def test_parity_dataframe(categorical_features, seed):
    X, y = _data(3, seed=seed)
    df = _frame(X)
    expected_sampler = ImbSMOTENC(categorical_features, random_state=seed)
    expected = expected_sampler.fit_resample(df, y)
    sampler = SMOTENC(categorical_features, random_state=seed)
    _assert_same(expected, sampler.fit_resample(df, y))
    np.testing.assert_array_equal(sampler.categorical_features_,
                                  expected_sampler.categorical_features_)
    np.testing.assert_array_equal(sampler.continuous_features_,
                                  expected_sampler.continuous_features_)
    assert sampler.median_std_.keys() == expected_sampler.median_std_.keys()
    for klass, value in expected_sampler.median_std_.items():
        assert sampler.median_std_[klass] == pytest.approx(value, rel=1e-9)
    assert sampler.n_features_ == expected_sampler.n_features_
    assert list(sampler.feature_names_in_) == list(df.columns)
    for got_c, exp_c in zip(sampler.categorical_encoder_.categories_,
                            expected_sampler.categorical_encoder_.categories_,
                            strict=True):
        np.testing.assert_array_equal(got_c, exp_c)


def test_parity_many_ties_and_k():
    # Few categories and k=9: the vote has many ties, broken by imblearn's permutation.
    X, y = _data(3, n=400, seed=5, n_cats=(2, 3, 4))
    for seed in (0, 1):
        expected = ImbSMOTENC(CAT, k_neighbors=9, random_state=seed).fit_resample(X, y)
        got = SMOTENC(CAT, k_neighbors=9, random_state=seed).fit_resample(X, y)
        _assert_same(expected, got)


def test_parity_random_state_instance():
    X, y = _data(3, seed=6)
    expected = ImbSMOTENC(CAT, random_state=np.random.RandomState(1)).fit_resample(X, y)
    got = SMOTENC(CAT, random_state=np.random.RandomState(1)).fit_resample(X, y)
    _assert_same(expected, got)


def test_parity_zero_median_std():
    # Continuous features constant within the minority class: median std is 0.
    X, y = _data(2, seed=7)
    X[y == 1, 0] = 1.0
    X[y == 1, 2] = 2.0
    X[y == 1, 3] = 3.0
    X[:, 0] += np.arange(X.shape[0]) * 1e-3 * (y == 0)
    expected_sampler = ImbSMOTENC(CAT, random_state=0)
    expected = expected_sampler.fit_resample(X, y)
    sampler = SMOTENC(CAT, random_state=0)
    got = sampler.fit_resample(X, y)
    assert sampler.median_std_[1] == 0
    # Every minority distance ties at 0 there, so compare what does not depend on
    # the neighbour order: the continuous values and the labels.
    np.testing.assert_allclose(got[0][:, [0, 2, 3]], expected[0][:, [0, 2, 3]])
    np.testing.assert_array_equal(got[1], expected[1])


def test_custom_encoder_parity():
    X, y = _data(2, seed=8)
    encoder = OneHotEncoder(handle_unknown="ignore", sparse_output=False)
    expected_sampler = ImbSMOTENC(CAT, categorical_encoder=encoder, random_state=0)
    expected = expected_sampler.fit_resample(X, y)
    sampler = SMOTENC(CAT, categorical_encoder=encoder, random_state=0)
    _assert_same(expected, sampler.fit_resample(X, y))
    assert sampler.categorical_encoder_ is not encoder
    assert sampler.categorical_encoder_.sparse_output is False


@pytest.mark.parametrize("as_array", [
    np.array(CAT), np.array([False, True, False, False, True, True])])
def test_numpy_array_categorical_features(as_array):
    # Difference from imbalanced-learn: it compares the parameter with "auto" and
    # fails on a numpy array ("truth value of an array ... is ambiguous"), although
    # its documentation accepts index arrays and boolean masks. gpuimb accepts them.
    X, y = _data(2, seed=13)
    with pytest.raises(ValueError, match="truth value of an array"):
        ImbSMOTENC(as_array, random_state=0).fit_resample(X, y)
    expected = ImbSMOTENC(list(as_array), random_state=0).fit_resample(X, y)
    _assert_same(expected, SMOTENC(as_array, random_state=0).fit_resample(X, y))


def test_string_object_array():
    X, y = _data(2, seed=9)
    X_obj = X.astype(object)
    X_obj[:, 1] = np.array(list("abc"), dtype=object)[X[:, 1].astype(int)]
    expected = ImbSMOTENC(CAT, random_state=0).fit_resample(X_obj, y)
    got = SMOTENC(CAT, random_state=0).fit_resample(X_obj, y)
    assert got[0].dtype == expected[0].dtype
    np.testing.assert_array_equal(got[0][:, CAT], expected[0][:, CAT])
    np.testing.assert_allclose(got[0][:, [0, 2, 3]].astype(float),
                               expected[0][:, [0, 2, 3]].astype(float), rtol=1e-6)


def test_provenance_continuous_features():
    X, y = _data(3, seed=10)
    sampler = SMOTENC(CAT, random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    prov = sampler.provenance_
    n = X.shape[0]
    cont = sampler.continuous_features_
    b, nb, st = prov.base_indices, prov.neighbor_indices, prov.steps
    Xc = X[:, cont]
    np.testing.assert_allclose(X_res[n:, cont], Xc[b] + st[:, None] * (Xc[nb] - Xc[b]),
                               rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(y[b], y_res[n:])


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(2)
    check = assert_unchanged(X, y)
    SMOTENC(CAT, random_state=0).fit_resample(X, y)
    check()


def _imblearn_vote(codes, n_categories, unit, rng):
    """imbalanced-learn's one-hot vote, for checking the code-based one."""
    onehot = (codes[:, :, None] == np.arange(n_categories)).astype(float) * unit
    col_maxs = onehot.sum(axis=1)
    is_max = np.isclose(col_maxs, col_maxs.max(axis=1, keepdims=True))
    max_idxs = rng.permutation(np.argwhere(is_max))
    _, first = np.unique(max_idxs[:, 0], return_index=True)
    return max_idxs[first, 1]


@pytest.mark.parametrize("unit", [0.7, 1e-3, 1e-12])
@pytest.mark.parametrize("k", [1, 4, 7])
def test_vote_matches_onehot_rule(unit, k):
    from gpuimb.base import SamplingContext

    ctx = SamplingContext(xp=np, device="cpu")
    codes = np.random.RandomState(k).randint(0, 6, size=(500, k))
    expected = _imblearn_vote(codes, 6, unit, np.random.RandomState(3))
    got = _vote_with_random_ties(np, codes, 6, unit, np.random.RandomState(3), ctx)
    np.testing.assert_array_equal(got, expected)


def test_errors_column_types():
    X, y = _data(2)
    for cls in (ImbSMOTENC, SMOTENC):
        with pytest.raises(ValueError, match="not designed to work only with categorical"):
            cls(list(range(X.shape[1]))).fit_resample(X, y)
        with pytest.raises(ValueError, match="not designed to work only with numerical"):
            cls([]).fit_resample(X, y)
        with pytest.raises(ValueError, match="should be a pandas.DataFrame"):
            cls("auto").fit_resample(X, y)
        with pytest.raises(ValueError, match="Specifying the columns using strings"):
            cls(["a"]).fit_resample(X, y)


def test_error_encoder_dropping_columns():
    X, y = _data(2)
    for cls in (ImbSMOTENC, SMOTENC):
        with pytest.raises(ValueError, match="requires a one-hot encoding with one column"):
            cls(CAT, categorical_encoder=OneHotEncoder(drop="first")).fit_resample(X, y)


def test_error_invalid_categorical_encoder():
    X, y = _data(2)
    with pytest.raises(ValueError, match="'categorical_encoder' parameter of SMOTENC"):
        SMOTENC(CAT, categorical_encoder="bad").fit_resample(X, y)


def test_error_k_neighbors_too_large():
    X, y = _data(2)
    keep = np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:3]])
    for cls in (ImbSMOTENC, SMOTENC):
        with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
            cls(CAT).fit_resample(X[keep], y[keep])


def test_error_nan_in_continuous():
    X, y = _data(2)
    X[0, 0] = np.nan
    for cls in (ImbSMOTENC, SMOTENC):
        with pytest.raises(ValueError, match="Input contains NaN"):
            cls(CAT).fit_resample(X, y)


def test_error_nan_in_continuous_on_the_device():
    import array_api_strict as xs

    rng = np.random.RandomState(0)
    X = np.c_[rng.randint(0, 3, 60), rng.randn(60, 2)]
    y = np.r_[np.zeros(40, int), np.ones(20, int)]
    X[5, 1] = np.nan
    dev = xs.Device("device1")
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SMOTENC(categorical_features=[0], random_state=0).fit_resample(
            xs.asarray(X, device=dev), xs.asarray(y, device=dev))
    # NaN in a categorical column is a category, as on the host
    X[5, 1] = 0.5
    X[7, 0] = np.nan
    SMOTENC(categorical_features=[0], random_state=0).fit_resample(
        xs.asarray(X, device=dev), xs.asarray(y, device=dev))
