"""Helpers shared by the test modules (fixtures stay in ``conftest.py``).

Import them as ``from tests._helpers import ...``.
"""

import numpy as np
import pandas as pd
import scipy.sparse as sp
from sklearn.datasets import make_classification

# Namespaces every test can run on without a GPU.
HOST_NAMESPACES = ["numpy", "array_api_strict"]


def cuda_available():
    """True when CuPy imports and sees a CUDA device."""
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def to_namespace(name, array):
    """Convert a numpy array to the namespace called ``name``."""
    if name == "numpy":
        return array
    if name == "array_api_strict":
        import array_api_strict

        return array_api_strict.asarray(array)
    if name == "cupy":
        import cupy

        return cupy.asarray(array)
    raise ValueError(name)


def imbalanced_data(n_classes, seed=0, n=300):
    """``(X, y)``: 5 features, 70/30 (2 classes) or 60/25/15 (3 classes)."""
    weights = [0.7, 0.3] if n_classes == 2 else [0.6, 0.25, 0.15]
    return make_classification(n_samples=n, n_features=5, n_informative=3,
                               n_classes=n_classes, weights=weights, random_state=seed)


def assert_same_resampling(ours_out, theirs_out, ours, theirs):
    """Same X, y (and sparse format), ``sample_indices_`` and ``sampling_strategy_``."""
    X_a, y_a = ours_out
    X_b, y_b = theirs_out
    if sp.issparse(X_b):
        assert sp.issparse(X_a) and X_a.format == X_b.format
        X_a, X_b = X_a.toarray(), X_b.toarray()
    np.testing.assert_array_equal(np.asarray(X_a), np.asarray(X_b))
    np.testing.assert_array_equal(np.asarray(y_a), np.asarray(y_b))
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    assert ours.sampling_strategy_ == theirs.sampling_strategy_


def with_non_finite(X, seed=0):
    """X with NaN, +inf and -inf at random cells (a copy)."""
    rng = np.random.RandomState(seed)
    X = X.copy()
    n = X.shape[0] // 3
    rows, cols = rng.choice(X.shape[0], size=n), rng.randint(0, X.shape[1], size=n)
    X[rows, cols] = rng.choice([np.nan, np.inf, -np.inf], size=n)
    return X


def as_container(X, y, container):
    """``(X, y)`` as ``"list"``, ``"pandas"``, ``"float32"``, ``"csr"`` or ``"csc"``."""
    if container == "list":
        return X.tolist(), y.tolist()
    if container == "pandas":
        return (pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])]),
                pd.Series(y, name="target"))
    if container == "float32":
        return X.astype(np.float32), y
    return sp.csr_matrix(X).asformat(container), y


# --- samplers that only index X (RandomUnderSampler, RandomOverSampler) --------
# Each check takes gpuimb's class and imbalanced-learn's and asserts the same
# result; the sampler's own test module runs them.


def same_counts(y):
    """The ``sampling_strategy`` callable that asks for the present class counts."""
    return {c: int(n) for c, n in zip(*np.unique(y, return_counts=True), strict=True)}


def check_parity_each_strategy(ours, theirs, X, y, strategies, seed):
    for strategy in strategies:
        gp = ours(sampling_strategy=strategy, random_state=seed)
        ref = theirs(sampling_strategy=strategy, random_state=seed)
        assert_same_resampling(gp.fit_resample(X, y), ref.fit_resample(X, y), gp, ref)


def check_parity_on_container(ours, theirs, X, y, container):
    """Same output type (pandas frames equal too) and rows on any container."""
    X_in, y_in = as_container(X, y, container)
    gp, ref = ours(random_state=7), theirs(random_state=7)
    res_gp, res_ref = gp.fit_resample(X_in, y_in), ref.fit_resample(X_in, y_in)
    assert type(res_gp[0]) is type(res_ref[0])
    assert type(res_gp[1]) is type(res_ref[1])
    if container == "pandas":
        pd.testing.assert_frame_equal(res_gp[0], res_ref[0])
        pd.testing.assert_series_equal(res_gp[1], res_ref[1])
    if container == "float32":
        assert res_gp[0].dtype == np.float32
    assert_same_resampling(res_gp, res_ref, gp, ref)


def check_parity_with_random_state_instance(ours, theirs, X, y, **params):
    """A shared RandomState advances identically over two calls."""
    rs_a, rs_b = np.random.RandomState(11), np.random.RandomState(11)
    gp, ref = ours(random_state=rs_a, **params), theirs(random_state=rs_b, **params)
    for _ in range(2):
        assert_same_resampling(gp.fit_resample(X, y), ref.fit_resample(X, y), gp, ref)


def check_strings_and_nan_accepted(ours, theirs):
    """Object X with strings and NaN, string labels: indexed like imbalanced-learn."""
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


def check_dataframe_index_follows_imblearn(ours, theirs, X, y):
    X_df = pd.DataFrame(X, index=np.arange(1000, 1000 + X.shape[0]))
    y_s = pd.Series(y, index=X_df.index)
    a = ours(random_state=0).fit_resample(X_df, y_s)
    b = theirs(random_state=0).fit_resample(X_df, y_s)
    pd.testing.assert_index_equal(a[0].index, b[0].index)
    pd.testing.assert_index_equal(a[1].index, b[1].index)


def check_categorical_and_mixed_dtypes_survive(ours):
    rng = np.random.RandomState(0)
    df = pd.DataFrame({
        "num": rng.randn(50),
        "int": rng.randint(0, 5, 50).astype(np.int32),
        "cat": pd.Categorical(rng.choice(["x", "y", "z"], 50)),
        "flag": rng.rand(50) > 0.5,
    })
    y = pd.Series([0] * 35 + [1] * 15, name="label")
    X_res, y_res = ours(random_state=0).fit_resample(df, y)
    pd.testing.assert_series_equal(X_res.dtypes, df.dtypes)
    assert list(X_res["cat"].cat.categories) == ["x", "y", "z"]
    assert y_res.name == "label"


def check_same_selection_on_namespace(ours, X, y, xp_name):
    """The same rows and ``sample_indices_`` on ``xp_name`` arrays as on NumPy."""
    host = ours(random_state=3)
    X_h, y_h = host.fit_resample(X, y)
    dev = ours(random_state=3)
    X_d, y_d = dev.fit_resample(to_namespace(xp_name, X), to_namespace(xp_name, y))
    assert type(X_d) is type(to_namespace(xp_name, X))
    np.testing.assert_array_equal(np.asarray(X_d), X_h)
    np.testing.assert_array_equal(np.asarray(y_d), y_h)
    np.testing.assert_array_equal(np.asarray(dev.sample_indices_), host.sample_indices_)


def check_non_finite_pass_through(ours, theirs, X, y, container):
    """"Balance first, impute later": NaN and infinities are only indexed."""
    X = with_non_finite(X)
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


def check_non_finite_pass_through_on_namespace(ours, X, y, xp_name):
    X = with_non_finite(X, seed=1)
    X_h, _ = ours(random_state=4).fit_resample(X, y)
    X_d, _ = ours(random_state=4).fit_resample(to_namespace(xp_name, X),
                                               to_namespace(xp_name, y))
    np.testing.assert_array_equal(np.asarray(X_d), X_h)


def force_float32_screening(monkeypatch):
    """Make every brute-force search screen in float32, as large ones do.

    Small searches screen in the data's own dtype (``is_small_search``), and
    integer data exact in float64 only is searched exactly in float64 up to
    ``_EXACT_DIRECT_CELLS``; tests of the float32 screening, its certificate
    and the paths finishing what it leaves open use small data, so they lower
    those limits to zero.
    """
    from gpuimb._backends import _bruteforce

    monkeypatch.setattr(_bruteforce, "_FINE_SCREEN_CELLS", 0)
    monkeypatch.setattr(_bruteforce, "_FINE_SCREEN_NARROW_PAIRS", 0)
    monkeypatch.setattr(_bruteforce, "_EXACT_DIRECT_CELLS", 0)
