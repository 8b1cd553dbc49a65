"""ValueDifferenceMetric equals imbalanced-learn's, on the host and on a device."""

import array_api_strict
import numpy as np
import pytest
from imblearn.metrics.pairwise import ValueDifferenceMetric as ImbVDM
from sklearn.exceptions import NotFittedError

from gpuimb._backends import to_host
from gpuimb.metrics.pairwise import VDM_TABLE_MAX_CATEGORIES, ValueDifferenceMetric

DEVICE1 = array_api_strict.Device("device1")


def data(n=120, sizes=(3, 5, 2), n_classes=3, seed=0):
    rng = np.random.RandomState(seed)
    X = np.column_stack([rng.randint(0, s, n) for s in sizes]).astype(np.int32)
    y = rng.randint(0, n_classes, n)
    return X, y


@pytest.mark.parametrize("k, r", [(1, 1), (1, 2), (2, 1), (2, 2), (3, 2)])
@pytest.mark.parametrize("kind", ["numpy", "strict-device1"])
def test_pairwise_equals_imbalanced_learn(kind, k, r):
    X, y = data()
    X_test, _ = data(n=30, seed=1)
    theirs = ImbVDM(k=k, r=r).fit(X, y)
    expected_xx = theirs.pairwise(X)
    expected_xy = theirs.pairwise(X_test, X)
    if kind == "numpy":
        ours = ValueDifferenceMetric(k=k, r=r).fit(X, y)
        got_xx, got_xy = ours.pairwise(X), ours.pairwise(X_test, X)
        assert isinstance(got_xx, np.ndarray)
    else:
        on = lambda a: array_api_strict.asarray(a, device=DEVICE1)  # noqa: E731
        ours = ValueDifferenceMetric(k=k, r=r).fit(on(X), on(y))
        got_xx, got_xy = ours.pairwise(on(X)), ours.pairwise(on(X_test), on(X))
        assert got_xx.device == DEVICE1
        got_xx, got_xy = to_host(got_xx), to_host(got_xy)
    np.testing.assert_array_equal(ours.n_categories_, theirs.n_categories_)
    for a, b in zip(ours.proba_per_class_, theirs.proba_per_class_, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-12)
    np.testing.assert_allclose(got_xx, expected_xx, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(got_xy, expected_xy, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("kind", ["numpy", "strict-device1"])
def test_many_categories_compare_distributions(kind):
    # more categories than the lookup-table limit: the pair-by-pair path
    X, y = data(n=400, sizes=(VDM_TABLE_MAX_CATEGORIES + 40, 4), n_classes=2)
    expected = ImbVDM(k=2, r=1).fit(X, y).pairwise(X[:50], X)
    if kind == "numpy":
        got = ValueDifferenceMetric(k=2, r=1).fit(X, y).pairwise(X[:50], X)
    else:
        on = lambda a: array_api_strict.asarray(a, device=DEVICE1)  # noqa: E731
        got = to_host(ValueDifferenceMetric(k=2, r=1).fit(on(X), on(y))
                      .pairwise(on(X[:50]), on(X)))
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)


def test_string_targets_and_given_categories():
    X, y = data()
    labels = np.array(["apple", "pear", "plum"], dtype=object)[y]
    n_categories = [4, 6, 2]  # one more than seen for the first two features
    ours = ValueDifferenceMetric(n_categories=n_categories).fit(X, labels.tolist())
    theirs = ImbVDM(n_categories=n_categories).fit(X, labels.tolist())
    for a, b in zip(ours.proba_per_class_, theirs.proba_per_class_, strict=True):
        np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(ours.pairwise(X), theirs.pairwise(X))


def test_errors():
    X, y = data()
    with pytest.raises(NotFittedError):
        ValueDifferenceMetric().pairwise(X)
    with pytest.raises(ValueError, match="The length of n_categories is not consistent"):
        ValueDifferenceMetric(n_categories=[1, 2]).fit(X, y)
    with pytest.raises(ValueError) as theirs:
        ImbVDM().fit(-X, y)
    with pytest.raises(ValueError, match="Negative values in data passed to") as ours:
        ValueDifferenceMetric().fit(-X, y)
    assert str(ours.value) == str(theirs.value)
    strict = array_api_strict.asarray(-X, device=DEVICE1)
    with pytest.raises(ValueError, match=str(theirs.value)):
        ValueDifferenceMetric().fit(strict, array_api_strict.asarray(y, device=DEVICE1))
