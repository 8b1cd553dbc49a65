"""Distance ties in RENN's and AllKNN's later rounds, and in NCR's k-NN vote.

imbalanced-learn runs each round on the previous round's output, whose rows are
grouped by class (sorted), so with an exact kNN that breaks ties by (distance,
position) the first round prefers the smaller original index and later rounds
the smaller (class, original index). gpuimb follows that order: on tie-heavy data
it equals imbalanced-learn run with such an exact kNN. Integer features keep the
ties exact (no rounding can split or merge them).
"""

from collections import Counter

import imblearn.under_sampling as imb
import imblearn.under_sampling._prototype_selection._neighbourhood_cleaning_rule as imb_ncr
import imblearn.utils._validation as imb_validation
import numpy as np
import pytest
from sklearn.base import BaseEstimator, ClassifierMixin

import gpuimb.under_sampling as gp
from tests._helpers import to_namespace


class _ExactNeighbors(BaseEstimator):
    """Brute-force kNN whose ties are broken by (distance, index)."""

    def __init__(self, n_neighbors=5, n_jobs=None):
        self.n_neighbors = n_neighbors
        self.n_jobs = n_jobs

    def fit(self, X, y=None):
        self.fit_X_ = np.asarray(X, dtype=np.float64)
        if y is not None:
            self.classes_, self.codes_ = np.unique(y, return_inverse=True)
        return self

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        query = self.fit_X_ if X is None else np.asarray(X, dtype=np.float64)
        d2 = ((query[:, None, :] - self.fit_X_[None, :, :]) ** 2).sum(axis=2)
        order = np.argsort(d2, axis=1, kind="stable")[:, :n_neighbors or self.n_neighbors]
        if return_distance:
            return np.sqrt(np.take_along_axis(d2, order, axis=1)), order
        return order

    def kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
        raise NotImplementedError


class _ExactKNNClassifier(ClassifierMixin, _ExactNeighbors):
    """Majority vote of the exact neighbours; a tied vote goes to the smallest class."""

    def predict(self, X):
        codes = self.codes_[self.kneighbors(X, return_distance=False)]
        votes = np.stack([(codes == c).sum(axis=1) for c in range(len(self.classes_))],
                         axis=1)
        return self.classes_[votes.argmax(axis=1)]


@pytest.fixture
def exact_imblearn(monkeypatch):
    """imbalanced-learn with every kNN it builds replaced by the exact one."""
    monkeypatch.setattr(imb_validation, "NearestNeighbors", _ExactNeighbors)
    monkeypatch.setattr(imb_ncr, "KNeighborsClassifier", _ExactKNNClassifier)
    return imb


def _grid_data(seed, n=160, n_features=3, levels=5):
    """Integer grid points, duplicates removed: many exactly equal distances."""
    rng = np.random.RandomState(seed)
    X = rng.randint(0, levels, size=(n, n_features)).astype(np.float64)
    _, first = np.unique(X, axis=0, return_index=True)
    X = X[np.sort(first)]
    y = (rng.rand(X.shape[0]) < 0.3).astype(np.int64)
    return X, y


def _rounds_in_original_order(name, X, y, k=3):
    """The rule gpuimb had before: every round breaks ties by original index."""
    idx = np.arange(y.shape[0])
    start = Counter(y)
    minority = min(start, key=start.get)
    sizes = range(1, k + 1) if name == "AllKNN" else [k] * 100
    for size in sizes:
        enn = imb.EditedNearestNeighbours(n_neighbors=size)
        enn.fit_resample(X[idx], y[idx])
        kept = np.sort(idx[enn.sample_indices_])
        converged, idx = kept.shape[0] == idx.shape[0], kept
        counts = Counter(y[idx])
        if ((name != "AllKNN" and converged) or len(counts) < len(start)
                or any(n < start[minority] for c, n in counts.items() if c != minority)):
            break
    return idx


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("name", ["RepeatedEditedNearestNeighbours", "AllKNN"])
def test_later_rounds_tie_order_is_imblearns(exact_imblearn, name, seed):
    X, y = _grid_data(seed)
    ref = getattr(exact_imblearn, name)()
    X_ref, y_ref = ref.fit_resample(X, y)
    ours = getattr(gp, name)()
    X_res, y_res = ours.fit_resample(X, y)
    np.testing.assert_array_equal(X_res, X_ref)
    np.testing.assert_array_equal(y_res, y_ref)
    np.testing.assert_array_equal(np.sort(ours.sample_indices_), np.sort(ref.sample_indices_))
    # The data does exercise the rule: keeping the original order in every
    # round (gpuimb's previous rule) keeps other rows.
    if name == "AllKNN" or seed in (1, 2):
        assert set(_rounds_in_original_order(name, X, y)) != set(ref.sample_indices_)


@pytest.mark.parametrize("name", ["RepeatedEditedNearestNeighbours", "AllKNN",
                                  "NeighbourhoodCleaningRule"])
def test_later_rounds_tie_order_on_array_api(name, xp_name):
    X, y = _grid_data(1)
    host = getattr(gp, name)()
    X_h, _ = host.fit_resample(X, y)
    dev = getattr(gp, name)()
    X_d, _ = dev.fit_resample(to_namespace(xp_name, X), to_namespace(xp_name, y))
    np.testing.assert_array_equal(np.asarray(X_d), X_h)
    np.testing.assert_array_equal(np.asarray(dev.sample_indices_), host.sample_indices_)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_neighbors", [3, 5])
def test_ncr_vote_and_neighbours_are_exact(exact_imblearn, seed, n_neighbors):
    # NCR's k-NN vote on the minority samples counts the sample itself and its
    # k - 1 nearest others, ties by (distance, index), as the exact classifier.
    X, y = _grid_data(seed, n=200)
    ref = exact_imblearn.NeighbourhoodCleaningRule(n_neighbors=n_neighbors)
    ref.fit_resample(X, y)
    ours = gp.NeighbourhoodCleaningRule(n_neighbors=n_neighbors)
    ours.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, ref.sample_indices_)
