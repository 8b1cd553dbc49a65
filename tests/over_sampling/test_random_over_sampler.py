"""RandomOverSampler (plain and smoothed bootstrap) against imbalanced-learn 0.14.2."""

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import RandomOverSampler as ImbROS

from gpuimb.over_sampling import RandomOverSampler
from tests._helpers import (
    check_categorical_and_mixed_dtypes_survive,
    check_dataframe_index_follows_imblearn,
    check_non_finite_pass_through,
    check_non_finite_pass_through_on_namespace,
    check_parity_each_strategy,
    check_parity_on_container,
    check_parity_with_random_state_instance,
    check_same_selection_on_namespace,
    check_strings_and_nan_accepted,
    imbalanced_data,
    same_counts,
    to_namespace,
)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_parity_every_strategy(n_classes, seed):
    X, y = imbalanced_data(n_classes, seed)
    counts = np.bincount(y)
    strategies = ["auto", "all", "not minority", "not majority", "minority", same_counts,
                  {0: int(counts[0]), 1: int(counts[0] + 5)}]
    if n_classes == 2:
        strategies.append(0.8)
    check_parity_each_strategy(RandomOverSampler, ImbROS, X, y, strategies, seed)


@pytest.mark.parametrize("container", ["list", "pandas", "csr", "csc", "float32"])
def test_parity_containers(container):
    X, y = imbalanced_data(3, seed=3)
    check_parity_on_container(RandomOverSampler, ImbROS, X, y, container)


def test_parity_random_state_instance():
    X, y = imbalanced_data(3, seed=5)
    check_parity_with_random_state_instance(RandomOverSampler, ImbROS, X, y)


@pytest.mark.parametrize("shrinkage", [0.0, 0.5, 2.0, "dict"])
@pytest.mark.parametrize("sparse", [False, True])
def test_smoothed_bootstrap_parity(shrinkage, sparse):
    X, y = imbalanced_data(3, seed=2)
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
    X, y = imbalanced_data(2, seed=2)
    X32 = X.astype(np.float32)
    X_res, _ = RandomOverSampler(random_state=0, shrinkage=1.0).fit_resample(X32, y)
    assert X_res.dtype == np.float32
    X_ref, _ = ImbROS(random_state=0, shrinkage=1.0).fit_resample(X32, y)
    np.testing.assert_allclose(X_res, X_ref, rtol=1e-5, atol=1e-6)


def test_strings_and_nan_accepted():
    check_strings_and_nan_accepted(RandomOverSampler, ImbROS)


def test_dataframe_index_follows_imblearn():
    X, y = imbalanced_data(2, seed=4, n=80)
    check_dataframe_index_follows_imblearn(RandomOverSampler, ImbROS, X, y)


def test_categorical_and_mixed_dtypes_survive():
    check_categorical_and_mixed_dtypes_survive(RandomOverSampler)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_array_api_strict_same_selection(n_classes, xp_name):
    X, y = imbalanced_data(n_classes, seed=9)
    check_same_selection_on_namespace(RandomOverSampler, X, y, xp_name)


def test_array_api_strict_smoothed_bootstrap(xp_name):
    X, y = imbalanced_data(3, seed=9)
    host = RandomOverSampler(random_state=3, shrinkage=0.7).fit_resample(X, y)
    dev = RandomOverSampler(random_state=3, shrinkage=0.7).fit_resample(
        to_namespace(xp_name, X), to_namespace(xp_name, y))
    np.testing.assert_allclose(np.asarray(dev[0]), host[0], rtol=1e-12)


def test_inputs_not_modified(assert_unchanged):
    X, y = imbalanced_data(3, seed=1)
    check = assert_unchanged(X, y)
    RandomOverSampler(random_state=0).fit_resample(X, y)
    RandomOverSampler(random_state=0, shrinkage=1.0).fit_resample(X, y)
    check()


def test_shrinkage_errors():
    X, y = imbalanced_data(3, seed=1)
    with pytest.raises(ValueError, match="missing classes"):
        RandomOverSampler(shrinkage={1: 1.0}).fit_resample(X, y)
    with pytest.raises(ValueError, match="shrinkage factor needs to be >= 0"):
        RandomOverSampler(shrinkage={1: -1.0, 2: 1.0}).fit_resample(X, y)
    with pytest.raises(ValueError, match="shrinkage"):
        RandomOverSampler(shrinkage=-1.0).fit_resample(X, y)
    X_str = np.array([["a"], ["b"], ["c"], ["d"]], dtype=object)
    with pytest.raises(ValueError, match="only numerical data"):
        RandomOverSampler(shrinkage=1.0).fit_resample(X_str, [0, 0, 0, 1])


@pytest.mark.parametrize("container", ["numpy", "csr", "pandas"])
def test_nan_and_inf_pass_through_like_imblearn(container):
    X, y = imbalanced_data(3, seed=5, n=120)
    check_non_finite_pass_through(RandomOverSampler, ImbROS, X, y, container)


def test_nan_and_inf_pass_through_array_api(xp_name):
    X, y = imbalanced_data(2, seed=6, n=90)
    check_non_finite_pass_through_on_namespace(RandomOverSampler, X, y, xp_name)


@pytest.mark.parametrize("value", [np.nan, np.inf])
def test_smoothed_bootstrap_rejects_non_finite_like_imblearn(value, xp_name):
    # The smoothed bootstrap computes on X: imbalanced-learn refuses NaN/inf there.
    X, y = imbalanced_data(2, seed=6, n=90)
    X[4, 1] = value
    msg = "When shrinkage is not None, X needs to contain only numerical data"
    with pytest.raises(ValueError, match=msg):
        ImbROS(shrinkage=1.0, random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match=msg):
        RandomOverSampler(shrinkage=1.0, random_state=0).fit_resample(
            to_namespace(xp_name, X), to_namespace(xp_name, y))
