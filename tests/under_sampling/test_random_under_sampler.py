"""RandomUnderSampler against imbalanced-learn 0.14.2."""

import numpy as np
import pytest
from imblearn.under_sampling import RandomUnderSampler as ImbRUS

from gpuimb.under_sampling import RandomUnderSampler
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
)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_parity_every_strategy(n_classes, seed):
    X, y = imbalanced_data(n_classes, seed)
    counts = np.bincount(y)
    strategies = ["auto", "all", "not minority", "not majority", "majority", same_counts,
                  {0: int(counts.min()), 1: int(counts[1])}]
    if n_classes == 2:
        strategies.append(0.9)
    check_parity_each_strategy(RandomUnderSampler, ImbRUS, X, y, strategies, seed)


@pytest.mark.parametrize("container", ["list", "pandas", "csr", "csc", "float32"])
def test_parity_containers(container):
    X, y = imbalanced_data(3, seed=3)
    check_parity_on_container(RandomUnderSampler, ImbRUS, X, y, container)


def test_parity_replacement_and_random_state_instance():
    X, y = imbalanced_data(3, seed=5)
    check_parity_with_random_state_instance(RandomUnderSampler, ImbRUS, X, y,
                                            replacement=True)


def test_strings_and_nan_accepted():
    check_strings_and_nan_accepted(RandomUnderSampler, ImbRUS)


def test_dataframe_index_follows_imblearn():
    X, y = imbalanced_data(2, seed=4, n=80)
    check_dataframe_index_follows_imblearn(RandomUnderSampler, ImbRUS, X, y)


def test_categorical_and_mixed_dtypes_survive():
    check_categorical_and_mixed_dtypes_survive(RandomUnderSampler)


@pytest.mark.parametrize("n_classes", [2, 3])
def test_array_api_strict_same_selection(n_classes, xp_name):
    X, y = imbalanced_data(n_classes, seed=9)
    check_same_selection_on_namespace(RandomUnderSampler, X, y, xp_name)


def test_inputs_not_modified(assert_unchanged):
    X, y = imbalanced_data(3, seed=1)
    check = assert_unchanged(X, y)
    RandomUnderSampler(random_state=0).fit_resample(X, y)
    RandomUnderSampler(random_state=0, replacement=True).fit_resample(X, y)
    check()


@pytest.mark.parametrize("container", ["numpy", "csr", "pandas"])
def test_nan_and_inf_pass_through_like_imblearn(container):
    X, y = imbalanced_data(3, seed=5, n=120)
    check_non_finite_pass_through(RandomUnderSampler, ImbRUS, X, y, container)


def test_nan_and_inf_pass_through_array_api(xp_name):
    X, y = imbalanced_data(2, seed=6, n=90)
    check_non_finite_pass_through_on_namespace(RandomUnderSampler, X, y, xp_name)
