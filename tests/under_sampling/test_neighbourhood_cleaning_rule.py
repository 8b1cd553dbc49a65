"""NeighbourhoodCleaningRule: parity with imbalanced-learn, namespaces, errors."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import EditedNearestNeighbours as ImbENN
from imblearn.under_sampling import NeighbourhoodCleaningRule as ImbNCR
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.under_sampling import EditedNearestNeighbours, NeighbourhoodCleaningRule


def _data(seed, n_classes=2, n=400):
    weights = [0.25, 0.75] if n_classes == 2 else [0.15, 0.35, 0.5]
    return make_classification(n_samples=n, n_features=5, n_informative=3,
                               n_classes=n_classes, weights=weights, flip_y=0.1,
                               class_sep=0.6, random_state=seed)


def _check_same(ours, imb, X, y):
    X_res, y_res = ours.fit_resample(X, y)
    X_imb, y_imb = imb.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)
    np.testing.assert_array_equal(np.asarray(y_res), np.asarray(y_imb))
    assert ours.classes_to_clean_ == imb.classes_to_clean_
    return X_res, X_imb


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("n_neighbors", [3, 5])
def test_parity(seed, n_classes, n_neighbors):
    X, y = _data(seed, n_classes)
    X_res, X_imb = _check_same(NeighbourhoodCleaningRule(n_neighbors=n_neighbors),
                               ImbNCR(n_neighbors=n_neighbors), X, y)
    np.testing.assert_array_equal(X_res, X_imb)


@pytest.mark.parametrize("threshold", [0.1, 0.5, 2.0, 10.0])
@pytest.mark.parametrize("strategy", ["auto", "all", "majority", [1]])
def test_parity_threshold_and_strategy(threshold, strategy):
    X, y = _data(3, 3)
    _check_same(NeighbourhoodCleaningRule(threshold_cleaning=threshold,
                                          sampling_strategy=strategy),
                ImbNCR(threshold_cleaning=threshold, sampling_strategy=strategy), X, y)


def test_classes_to_clean_in_first_appearance_order():
    X, y = _data(4, 3)
    order = np.argsort(y != 2, kind="stable")  # class 2 appears first
    ours = NeighbourhoodCleaningRule(threshold_cleaning=0.1)
    _check_same(ours, ImbNCR(threshold_cleaning=0.1), X[order], y[order])
    assert ours.classes_to_clean_[0] == 2


def test_parity_estimator_objects():
    X, y = _data(5)
    nn = NearestNeighbors(n_neighbors=4)
    _check_same(NeighbourhoodCleaningRule(n_neighbors=nn), ImbNCR(n_neighbors=nn), X, y)
    # A classifier as n_neighbors needs an explicit editor (the default ENN
    # fits its neighbours without y, in both libraries).
    knn = KNeighborsClassifier(n_neighbors=3, weights="distance")
    _check_same(NeighbourhoodCleaningRule(n_neighbors=knn,
                                          edited_nearest_neighbours=EditedNearestNeighbours()),
                ImbNCR(n_neighbors=knn, edited_nearest_neighbours=ImbENN()), X, y)
    _check_same(
        NeighbourhoodCleaningRule(edited_nearest_neighbours=EditedNearestNeighbours(
            n_neighbors=5, kind_sel="all")),
        ImbNCR(edited_nearest_neighbours=ImbENN(n_neighbors=5, kind_sel="all")), X, y)


def test_attributes():
    X, y = _data(6)
    ncr = NeighbourhoodCleaningRule(n_neighbors=4).fit(X, y)
    ncr.fit_resample(X, y)
    assert ncr.nn_.n_neighbors == 4
    assert isinstance(ncr.edited_nearest_neighbours_, EditedNearestNeighbours)
    assert ncr.edited_nearest_neighbours_.kind_sel == "mode"


@pytest.mark.parametrize("container", ["sparse", "pandas"])
def test_parity_containers(container):
    X, y = _data(7)
    if container == "sparse":
        X = sp.csr_matrix(X)
    else:
        X, y = pd.DataFrame(X, columns=list("abcde")), pd.Series(y)
    X_res, X_imb = _check_same(NeighbourhoodCleaningRule(), ImbNCR(), X, y)
    if container == "sparse":
        assert sp.issparse(X_res)
        np.testing.assert_allclose(X_res.toarray(), X_imb.toarray())
    else:
        assert list(X_res.columns) == list(X_imb.columns)
        np.testing.assert_allclose(X_res.to_numpy(), X_imb.to_numpy())


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(9)
    check = assert_unchanged(X, y)
    NeighbourhoodCleaningRule().fit_resample(X, y)
    check()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_neighbors": 0}, "n_neighbors"),
        ({"n_neighbors": None}, "n_neighbors"),
        ({"threshold_cleaning": 0}, "threshold_cleaning"),
        ({"threshold_cleaning": -1.0}, "threshold_cleaning"),
        ({"edited_nearest_neighbours": NearestNeighbors()}, "edited_nearest_neighbours"),
        ({"n_jobs": "x"}, "n_jobs"),
    ],
)
def test_parameter_errors(params, match):
    X, y = _data(10)
    with pytest.raises(InvalidParameterError, match=match):
        NeighbourhoodCleaningRule(**params).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match=match):
        ImbNCR(**params).fit_resample(X, y)


