"""Inputs both libraries handle differently (issue 18, items 4-6 and 8).

Each test shows what gpuimb does and what imbalanced-learn 0.14.2 does on the
same data.
"""

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import ADASYN as ImbADASYN
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.over_sampling import RandomOverSampler as ImbROS
from imblearn.under_sampling import AllKNN as ImbAllKNN
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors

from gpuimb.over_sampling import ADASYN, SMOTE, RandomOverSampler
from gpuimb.under_sampling import AllKNN


def _data(n=120, n_features=4, seed=0):
    return make_classification(n_samples=n, n_features=n_features, n_informative=3,
                               n_redundant=0, weights=[0.3, 0.7], random_state=seed)


# Item 4 -------------------------------------------------------------------

def test_shrinkage_on_dataframe_with_bool_column_matches_imblearn():
    X, y = _data()
    df = pd.DataFrame({"a": X[:, 0], "flag": X[:, 1] > 0,
                       "n": np.round(X[:, 2] * 10).astype(int)})
    ours = RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(df, y)[0]
    theirs = ImbROS(shrinkage=1.0, random_state=0).fit_resample(df, y)[0]
    assert ours.dtypes.to_dict() == theirs.dtypes.to_dict() == df.dtypes.to_dict()
    pd.testing.assert_frame_equal(ours.reset_index(drop=True),
                                  theirs.reset_index(drop=True))


def test_shrinkage_on_object_array_of_numbers_matches_imblearn():
    X, y = _data()
    X_obj = np.round(X * 10).astype(int).astype(object)
    ours = RandomOverSampler(shrinkage=0.5, random_state=0).fit_resample(X_obj, y)[0]
    theirs = ImbROS(shrinkage=0.5, random_state=0).fit_resample(X_obj, y)[0]
    assert ours.dtype == theirs.dtype == np.float64
    np.testing.assert_array_equal(ours, theirs)


def test_shrinkage_on_strings_says_what_to_do():
    X, y = _data()
    X_obj = X.astype(object)
    X_obj[:, 0] = "a"
    with pytest.raises(ValueError, match="numerical data.*set shrinkage=None"):
        RandomOverSampler(shrinkage=1.0).fit_resample(X_obj, y)
    with pytest.raises(ValueError, match="numerical data"):
        ImbROS(shrinkage=1.0).fit_resample(X_obj, y)


# Item 5 -------------------------------------------------------------------

@pytest.mark.parametrize("k", [1, 2, 3, 5])
def test_allknn_reads_a_classifiers_n_neighbors(k):
    X, y = _data(n=200)
    ours = AllKNN(n_neighbors=KNeighborsClassifier(n_neighbors=k))
    X_res, y_res = ours.fit_resample(X, y)
    theirs = ImbAllKNN(n_neighbors=KNeighborsClassifier(n_neighbors=k))
    X_imb, y_imb = theirs.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
    np.testing.assert_array_equal(X_res, X_imb)
    np.testing.assert_array_equal(y_res, y_imb)


# Item 6 -------------------------------------------------------------------

def test_smote_keeps_pandas_nullable_dtypes_as_numpy_ones():
    X, y = _data()
    df = pd.DataFrame({
        "a": X[:, 0],
        "i": pd.array(np.round(X[:, 1] * 10).astype(int), dtype="Int64"),
        "u": pd.array(np.round(np.abs(X[:, 2]) * 10).astype(np.uint8), dtype="UInt8"),
        "b": pd.array(X[:, 3] > 0, dtype="boolean"),
    })
    numpy_typed = df.astype({"i": "int64", "u": "uint8", "b": "bool"})
    ours = SMOTE(random_state=0).fit_resample(df, y)[0]
    assert ours.dtypes.to_dict() == df.dtypes.to_dict()
    # Same values as the NumPy-typed columns (truncated ints, nonzero is True).
    expected = SMOTE(random_state=0).fit_resample(numpy_typed, y)[0]
    pd.testing.assert_frame_equal(ours.astype(numpy_typed.dtypes), expected)
    assert ours["i"].notna().all()
    with pytest.raises(TypeError, match="cannot safely cast"):
        ImbSMOTE(random_state=0).fit_resample(df, y)


def test_missing_values_in_nullable_columns_stay_missing():
    X, y = _data()
    df = pd.DataFrame({"i": pd.array(np.arange(len(y)), dtype="Int64"),
                       "b": pd.array(X[:, 0] > 0, dtype="boolean")})
    df.loc[3, "i"] = pd.NA
    df.loc[4, "b"] = pd.NA
    out = RandomOverSampler(random_state=0).fit_resample(df, y)[0]
    assert out.dtypes.to_dict() == df.dtypes.to_dict()
    assert out["i"].isna().sum() >= 1 and out["b"].isna().sum() >= 1
    assert pd.isna(out.loc[3, "i"]) and pd.isna(out.loc[4, "b"])


# Item 8 -------------------------------------------------------------------

def test_callable_strategy_returning_none():
    X, y = _data()
    with pytest.raises(TypeError, match="must return a dict"):
        SMOTE(sampling_strategy=lambda y: None).fit_resample(X, y)
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'keys'"):
        ImbSMOTE(sampling_strategy=lambda y: None).fit_resample(X, y)


@pytest.mark.parametrize("value", [100.0, 100.5, "100", True])
def test_non_integer_strategy_dict_values(value):
    X, y = _data()
    with pytest.raises(TypeError, match=r"must be integers; got .* for class 0\. Pass whole"):
        RandomOverSampler(sampling_strategy={0: value}).fit_resample(X, y)


def test_float_strategy_dict_value_in_imblearn():
    X, y = _data()
    with pytest.raises(TypeError, match="expected a sequence of integers"):
        ImbROS(sampling_strategy={0: 100.0}).fit_resample(X, y)


def test_numpy_integer_strategy_values_accepted():
    X, y = _data()
    _, y_res = RandomOverSampler(sampling_strategy={0: np.int64(90)},
                                 random_state=0).fit_resample(X, y)
    assert (y_res == 0).sum() == 90


def test_adasyn_on_bool_and_unsigned_x():
    X, y = _data()
    X_bool = X > 0
    X_res, _ = ADASYN(random_state=0).fit_resample(X_bool, y)
    assert X_res.dtype == bool
    with pytest.raises(TypeError, match="boolean subtract"):
        ImbADASYN(random_state=0).fit_resample(X_bool, y)
    # uint8: imbalanced-learn's X[nb] - X[base] wraps around; ours is the
    # float result cast back (truncated), as for every other integer dtype.
    X_u8 = np.clip(np.round(X * 20 + 100), 0, 255).astype(np.uint8)
    ours = ADASYN(random_state=0).fit_resample(X_u8, y)[0]
    as_float = ADASYN(random_state=0).fit_resample(X_u8.astype(np.float64), y)[0]
    np.testing.assert_array_equal(ours, np.trunc(as_float).astype(np.uint8))
    theirs = ImbADASYN(random_state=0).fit_resample(X_u8, y)[0]
    assert np.abs(theirs.astype(int) - ours.astype(int)).max() > 100


@pytest.mark.parametrize("name, param", [
    ("SMOTE", "k_neighbors"), ("ADASYN", "n_neighbors"), ("BorderlineSMOTE", "m_neighbors"),
    ("SVMSMOTE", "k_neighbors"), ("KMeansSMOTE", "k_neighbors"),
    ("EditedNearestNeighbours", "n_neighbors"),
    ("RepeatedEditedNearestNeighbours", "n_neighbors"),
    ("NeighbourhoodCleaningRule", "n_neighbors"), ("NearMiss", "n_neighbors"),
])
def test_classifier_where_a_neighbours_object_is_needed(name, param):
    import imblearn.combine
    import imblearn.over_sampling
    import imblearn.under_sampling

    import gpuimb.over_sampling
    import gpuimb.under_sampling

    X, y = _data()
    mod = gpuimb.over_sampling if "SMOTE" in name or name == "ADASYN" \
        else gpuimb.under_sampling
    imb_mod = imblearn.over_sampling if mod is gpuimb.over_sampling \
        else imblearn.under_sampling
    params = {param: KNeighborsClassifier(n_neighbors=3)}
    with pytest.raises(ValueError, match=f"{param} must be an int or an unsupervised "
                       r".*NearestNeighbors\(n_neighbors=3\)"):
        getattr(mod, name)(**params).fit_resample(X, y)
    with pytest.raises(TypeError, match="missing 1 required positional argument: 'y'"):
        getattr(imb_mod, name)(**params).fit_resample(X, y)
    # The unsupervised estimator works in both.
    params = {param: NearestNeighbors(n_neighbors=3)}
    getattr(mod, name)(**params).fit_resample(X, y)


# README "Differences" rows: each shows imbalanced-learn's behaviour and ours.

@pytest.mark.parametrize("name, params", [
    ("SMOTE", {}), ("BorderlineSMOTE", {}), ("SVMSMOTE", {}), ("ADASYN", {}),
    ("KMeansSMOTE", {"kmeans_estimator": 2, "cluster_balance_threshold": 0.0}),
])
def test_uint8_no_wrap_around_in_smote_family(name, params):
    import imblearn.over_sampling

    import gpuimb.over_sampling

    X, y = _data(n=200)
    X_u8 = np.clip(np.round(X * 20 + 100), 0, 255).astype(np.uint8)
    ours = getattr(gpuimb.over_sampling, name)(random_state=0, **params)
    X_res = ours.fit_resample(X_u8, y)[0]
    as_float = getattr(gpuimb.over_sampling, name)(random_state=0, **params)
    expected = np.trunc(as_float.fit_resample(X_u8.astype(np.float64), y)[0])
    assert X_res.dtype == np.uint8
    np.testing.assert_array_equal(X_res, expected.astype(np.uint8))
    # imbalanced-learn subtracts in uint8: X[nb] - X[base] wraps around for a
    # neighbour below its base, and the synthetic rows leave the segment.
    theirs = getattr(imblearn.over_sampling, name)(random_state=0, **params)
    X_imb = theirs.fit_resample(X_u8, y)[0]
    assert np.abs(X_imb.astype(int) - expected).max() > 100


def test_borderline_smote_2_on_integer_x():
    from imblearn.over_sampling import BorderlineSMOTE as ImbBorderlineSMOTE

    from gpuimb.over_sampling import BorderlineSMOTE

    X, y = _data(n=200)
    X_int = np.round(X * 10).astype(np.int64)
    ours = BorderlineSMOTE(kind="borderline-2", random_state=0).fit_resample(X_int, y)[0]
    as_float = BorderlineSMOTE(kind="borderline-2", random_state=0)
    expected = np.trunc(as_float.fit_resample(X_int.astype(np.float64), y)[0])
    assert ours.dtype == np.int64
    np.testing.assert_array_equal(ours, expected)
    with pytest.raises(TypeError, match="Cannot cast ufunc 'multiply' output"):
        ImbBorderlineSMOTE(kind="borderline-2", random_state=0).fit_resample(X_int, y)


def test_enn_mode_on_string_labels():
    from imblearn.under_sampling import EditedNearestNeighbours as ImbENN

    from gpuimb.under_sampling import EditedNearestNeighbours

    X, y = _data(n=200)
    y_str = np.where(y == 1, "b", "a")  # same order as the integer labels
    on_str = EditedNearestNeighbours(kind_sel="mode")
    on_str.fit_resample(X, y_str)
    on_int = EditedNearestNeighbours(kind_sel="mode")
    on_int.fit_resample(X, y)
    np.testing.assert_array_equal(on_str.sample_indices_, on_int.sample_indices_)
    assert len(on_int.sample_indices_) < len(y)
    imb_int = ImbENN(kind_sel="mode")
    imb_int.fit_resample(X, y)
    np.testing.assert_array_equal(on_int.sample_indices_, imb_int.sample_indices_)
    with pytest.raises(TypeError, match="not recognized as numeric"):
        ImbENN(kind_sel="mode").fit_resample(X, y_str)


def test_cnn_on_sparse_arrays():
    import scipy.sparse as sp
    from imblearn.under_sampling import CondensedNearestNeighbour as ImbCNN

    from gpuimb.under_sampling import CondensedNearestNeighbour

    X, y = _data(n=200)
    dense = CondensedNearestNeighbour(random_state=0)
    dense.fit_resample(X, y)
    for container in (sp.csr_array, sp.csr_matrix):
        cnn = CondensedNearestNeighbour(random_state=0)
        X_res, _ = cnn.fit_resample(container(X), y)
        assert type(X_res) is container
        np.testing.assert_array_equal(cnn.sample_indices_, dense.sample_indices_)
    ImbCNN(random_state=0).fit_resample(sp.csr_matrix(X), y)  # matrices work there
    with pytest.raises(ValueError, match="Expected 2D input"):
        ImbCNN(random_state=0).fit_resample(sp.csr_array(X), y)
