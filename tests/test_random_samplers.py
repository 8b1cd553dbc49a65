"""RandomUnderSampler / RandomOverSampler against imbalanced-learn 0.14.2."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.under_sampling import RandomUnderSampler as ImbRUS
from sklearn.datasets import make_classification

from gpuimb.over_sampling import RandomOverSampler
from gpuimb.under_sampling import RandomUnderSampler
from tests.conftest import to_namespace

PAIRS = [(RandomUnderSampler, ImbRUS), (RandomOverSampler, ImbROS)]


def _data(n_classes, seed=0, n=300):
    weights = [0.7, 0.3] if n_classes == 2 else [0.6, 0.25, 0.15]
    return make_classification(n_samples=n, n_features=5, n_informative=3,
                               n_classes=n_classes, weights=weights,
                               random_state=seed)


def _strategies(sampler_cls, n_classes, y):
    counts = np.bincount(y)
    common = ["auto", "all", "not minority", "not majority",
              lambda y: {c: int(n) for c, n in zip(*np.unique(y, return_counts=True),
                                                     strict=True)}]
    if sampler_cls is RandomOverSampler:
        strategies = common + ["minority", {0: int(counts[0]), 1: int(counts[0] + 5)}]
        if n_classes == 2:
            strategies.append(0.8)
    else:
        strategies = common + ["majority", {0: int(counts.min()), 1: int(counts[1])}]
        if n_classes == 2:
            strategies.append(0.9)
    return strategies


def _assert_same(ours, theirs, gp, ref):
    X_a, y_a = ours
    X_b, y_b = theirs
    if sp.issparse(X_b):
        assert sp.issparse(X_a) and X_a.format == X_b.format
        X_a, X_b = X_a.toarray(), X_b.toarray()
    np.testing.assert_array_equal(np.asarray(X_a), np.asarray(X_b))
    np.testing.assert_array_equal(np.asarray(y_a), np.asarray(y_b))
    np.testing.assert_array_equal(gp.sample_indices_, ref.sample_indices_)
    assert gp.sampling_strategy_ == ref.sampling_strategy_


@pytest.mark.parametrize("ours, theirs", PAIRS)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_parity_every_strategy(ours, theirs, n_classes, seed):
    X, y = _data(n_classes, seed)
    for strategy in _strategies(ours, n_classes, y):
        gp = ours(sampling_strategy=strategy, random_state=seed)
        ref = theirs(sampling_strategy=strategy, random_state=seed)
        _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y), gp, ref)


@pytest.mark.parametrize("ours, theirs", PAIRS)
@pytest.mark.parametrize("container", ["list", "pandas", "csr", "csc", "float32"])
def test_parity_containers(ours, theirs, container):
    X, y = _data(3, seed=3)
    if container == "list":
        X_in, y_in = X.tolist(), y.tolist()
    elif container == "pandas":
        X_in = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
        y_in = pd.Series(y, name="target")
    elif container == "float32":
        X_in, y_in = X.astype(np.float32), y
    else:
        X_in, y_in = sp.csr_matrix(X).asformat(container), y
    gp, ref = ours(random_state=7), theirs(random_state=7)
    res_gp, res_ref = gp.fit_resample(X_in, y_in), ref.fit_resample(X_in, y_in)
    assert type(res_gp[0]) is type(res_ref[0])
    assert type(res_gp[1]) is type(res_ref[1])
    if container == "pandas":
        pd.testing.assert_frame_equal(res_gp[0], res_ref[0])
        pd.testing.assert_series_equal(res_gp[1], res_ref[1])
    if container == "float32":
        assert res_gp[0].dtype == np.float32
    _assert_same(res_gp, res_ref, gp, ref)


@pytest.mark.parametrize("ours, theirs", PAIRS)
def test_parity_replacement_and_random_state_instance(ours, theirs):
    X, y = _data(3, seed=5)
    kw = {"replacement": True} if ours is RandomUnderSampler else {}
    rs_a, rs_b = np.random.RandomState(11), np.random.RandomState(11)
    gp, ref = ours(random_state=rs_a, **kw), theirs(random_state=rs_b, **kw)
    for _ in range(2):  # the shared RandomState advances identically
        _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y), gp, ref)


@pytest.mark.parametrize("shrinkage", [0.0, 0.5, 2.0, "dict"])
@pytest.mark.parametrize("sparse", [False, True])
def test_smoothed_bootstrap_parity(shrinkage, sparse):
    X, y = _data(3, seed=2)
    if shrinkage == "dict":
        shrinkage = {1: 1.0, 2: 0.25}
    X_in = sp.csr_matrix(X) if sparse else X
    gp = RandomOverSampler(random_state=0, shrinkage=shrinkage)
    ref = ImbROS(random_state=0, shrinkage=shrinkage)
    X_a, y_a = gp.fit_resample(X_in, y)
    X_b, y_b = ref.fit_resample(X_in, y)
    if sparse:
        X_a, X_b = X_a.toarray(), X_b.toarray()
    np.testing.assert_allclose(X_a, X_b, rtol=1e-6, atol=1e-9)
    np.testing.assert_array_equal(y_a, y_b)
    assert gp.shrinkage_ == ref.shrinkage_


def test_smoothed_bootstrap_keeps_float32():
    X, y = _data(2, seed=2)
    X32 = X.astype(np.float32)
    X_res, _ = RandomOverSampler(random_state=0, shrinkage=1.0).fit_resample(X32, y)
    assert X_res.dtype == np.float32
    X_ref, _ = ImbROS(random_state=0, shrinkage=1.0).fit_resample(X32, y)
    np.testing.assert_allclose(X_res, X_ref, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize("ours, theirs", PAIRS)
def test_strings_and_nan_accepted(ours, theirs):
    rng = np.random.RandomState(0)
    X = rng.randn(60, 3).astype(object)
    X[:, 1] = rng.choice(["a", "b", "c"], size=60)
    X[3, 0] = np.nan
    y = np.array(["cat"] * 40 + ["dog"] * 20)
    gp, ref = ours(random_state=1), theirs(random_state=1)
    X_a, y_a = gp.fit_resample(X, y)
    X_b, y_b = ref.fit_resample(X, y)
    assert X_a.shape == X_b.shape
    np.testing.assert_array_equal(y_a, y_b)
    np.testing.assert_array_equal(gp.sample_indices_, ref.sample_indices_)


def test_dataframe_index_follows_imblearn():
    X, y = _data(2, seed=4, n=80)
    X_df = pd.DataFrame(X, index=np.arange(1000, 1080))
    y_s = pd.Series(y, index=X_df.index)
    for ours, theirs in PAIRS:
        a = ours(random_state=0).fit_resample(X_df, y_s)
        b = theirs(random_state=0).fit_resample(X_df, y_s)
        pd.testing.assert_index_equal(a[0].index, b[0].index)
        pd.testing.assert_index_equal(a[1].index, b[1].index)


def test_categorical_and_mixed_dtypes_survive():
    rng = np.random.RandomState(0)
    df = pd.DataFrame({
        "num": rng.randn(50),
        "int": rng.randint(0, 5, 50).astype(np.int32),
        "cat": pd.Categorical(rng.choice(["x", "y", "z"], 50)),
        "flag": rng.rand(50) > 0.5,
    })
    y = pd.Series([0] * 35 + [1] * 15, name="label")
    for ours in (RandomUnderSampler, RandomOverSampler):
        X_res, y_res = ours(random_state=0).fit_resample(df, y)
        pd.testing.assert_series_equal(X_res.dtypes, df.dtypes)
        assert list(X_res["cat"].cat.categories) == ["x", "y", "z"]
        assert y_res.name == "label"


@pytest.mark.parametrize("ours", [RandomUnderSampler, RandomOverSampler])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_array_api_strict_same_selection(ours, n_classes, xp_name):
    X, y = _data(n_classes, seed=9)
    host = ours(random_state=3)
    X_h, y_h = host.fit_resample(X, y)
    dev = ours(random_state=3)
    X_d, y_d = dev.fit_resample(to_namespace(xp_name, X), to_namespace(xp_name, y))
    assert type(X_d) is type(to_namespace(xp_name, X))
    np.testing.assert_array_equal(np.asarray(X_d), X_h)
    np.testing.assert_array_equal(np.asarray(y_d), y_h)
    np.testing.assert_array_equal(np.asarray(dev.sample_indices_), host.sample_indices_)


def test_array_api_strict_smoothed_bootstrap(xp_name):
    X, y = _data(3, seed=9)
    host = RandomOverSampler(random_state=3, shrinkage=0.7).fit_resample(X, y)
    dev = RandomOverSampler(random_state=3, shrinkage=0.7).fit_resample(
        to_namespace(xp_name, X), to_namespace(xp_name, y))
    np.testing.assert_allclose(np.asarray(dev[0]), host[0], rtol=1e-12)


@pytest.mark.parametrize("ours", [RandomUnderSampler, RandomOverSampler])
def test_inputs_not_modified(ours, assert_unchanged):
    X, y = _data(3, seed=1)
    check = assert_unchanged(X, y)
    ours(random_state=0).fit_resample(X, y)
    ours(random_state=0, **({"shrinkage": 1.0} if ours is RandomOverSampler else {}))\
        .fit_resample(X, y)
    check()


def test_shrinkage_errors():
    X, y = _data(3, seed=1)
    with pytest.raises(ValueError, match="missing classes"):
        RandomOverSampler(shrinkage={1: 1.0}).fit_resample(X, y)
    with pytest.raises(ValueError, match="shrinkage factor needs to be >= 0"):
        RandomOverSampler(shrinkage={1: -1.0, 2: 1.0}).fit_resample(X, y)
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage=-1.0).fit_resample(X, y)
    X_str = np.array([["a"], ["b"], ["c"], ["d"]], dtype=object)
    with pytest.raises(ValueError, match="only numerical data"):
        RandomOverSampler(shrinkage=1.0).fit_resample(X_str, [0, 0, 0, 1])


def _with_non_finite(X, seed=0):
    """X with NaN, +inf and -inf at random cells (a copy)."""
    rng = np.random.RandomState(seed)
    X = X.copy()
    n = X.shape[0] // 3
    rows, cols = rng.choice(X.shape[0], size=n), rng.randint(0, X.shape[1], size=n)
    X[rows, cols] = rng.choice([np.nan, np.inf, -np.inf], size=n)
    return X


@pytest.mark.parametrize("ours, theirs", PAIRS)
@pytest.mark.parametrize("container", ["numpy", "csr", "pandas"])
def test_nan_and_inf_pass_through_like_imblearn(ours, theirs, container):
    # "Balance first, impute later": the random samplers only index X.
    X, y = _data(3, seed=5, n=120)
    X = _with_non_finite(X)
    X_in = {"numpy": X, "csr": sp.csr_matrix(X), "pandas": pd.DataFrame(X)}[container]
    gp, ref = ours(random_state=2), theirs(random_state=2)
    X_a, y_a = gp.fit_resample(X_in, y)
    X_b, y_b = ref.fit_resample(X_in, y)
    to_dense = {"numpy": np.asarray, "csr": lambda m: m.toarray(),
                "pandas": lambda d: d.to_numpy()}[container]
    # assert_array_equal treats NaN == NaN and compares the infinities' signs.
    np.testing.assert_array_equal(to_dense(X_a), to_dense(X_b))
    np.testing.assert_array_equal(np.asarray(y_a), np.asarray(y_b))
    assert not np.all(np.isfinite(to_dense(X_a)))


@pytest.mark.parametrize("ours", [RandomUnderSampler, RandomOverSampler])
def test_nan_and_inf_pass_through_array_api(ours, xp_name):
    X, y = _data(2, seed=6, n=90)
    X = _with_non_finite(X, seed=1)
    X_h, _ = ours(random_state=4).fit_resample(X, y)
    X_d, _ = ours(random_state=4).fit_resample(to_namespace(xp_name, X),
                                               to_namespace(xp_name, y))
    np.testing.assert_array_equal(np.asarray(X_d), X_h)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_smoothed_bootstrap_rejects_non_finite_like_imblearn(value, xp_name):
    # The smoothed bootstrap computes on X: imbalanced-learn refuses NaN/inf there.
    X, y = _data(2, seed=6, n=90)
    X[4, 1] = value
    msg = "When shrinkage is not None, X needs to contain only numerical data"
    with pytest.raises(ValueError, match=msg):
        ImbROS(shrinkage=1.0, random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match=msg):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
            to_namespace(xp_name, X), to_namespace(xp_name, y))
