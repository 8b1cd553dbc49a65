"""OneSidedSelection: parity with imbalanced-learn, duck-typed neighbours, namespaces."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import OneSidedSelection as ImbOSS
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.under_sampling import OneSidedSelection


def _data(seed, n_classes=2, n=400):
    weights = [0.25, 0.75] if n_classes == 2 else [0.15, 0.35, 0.5]
    return make_classification(n_samples=n, n_features=5, n_informative=3,
                               n_classes=n_classes, weights=weights, flip_y=0.1,
                               class_sep=0.6, random_state=seed)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("n_neighbors, n_seeds_S", [(None, 1), (3, 5)])
def test_parity(seed, n_classes, n_neighbors, n_seeds_S):
    X, y = _data(seed, n_classes)
    ours = OneSidedSelection(random_state=seed, n_neighbors=n_neighbors,
                             n_seeds_S=n_seeds_S)
    X_res, y_res = ours.fit_resample(X, y)
    imb = ImbOSS(random_state=seed, n_neighbors=n_neighbors, n_seeds_S=n_seeds_S)
    X_imb, y_imb = imb.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)
    np.testing.assert_array_equal(X_res, X_imb)
    np.testing.assert_array_equal(y_res, y_imb)
    assert len(ours.estimators_) == len(imb.estimators_)


def test_parity_sampling_strategy_list():
    X, y = _data(3, 3)
    ours = OneSidedSelection(random_state=3, sampling_strategy=[2])
    ours.fit_resample(X, y)
    imb = ImbOSS(random_state=3, sampling_strategy=[2])
    imb.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)


@pytest.mark.parametrize("container", ["sparse", "pandas"])
def test_parity_containers(container):
    X, y = _data(4)
    if container == "sparse":
        X = sp.csr_matrix(X)
    else:
        X, y = pd.DataFrame(X, columns=list("abcde")), pd.Series(y)
    X_res, y_res = OneSidedSelection(random_state=4).fit_resample(X, y)
    X_imb, y_imb = ImbOSS(random_state=4).fit_resample(X, y)
    if container == "sparse":
        assert sp.issparse(X_res)
        np.testing.assert_allclose(X_res.toarray(), X_imb.toarray())
    else:
        assert list(X_res.columns) == list(X_imb.columns)
        np.testing.assert_allclose(X_res.to_numpy(), X_imb.to_numpy())
    np.testing.assert_array_equal(np.asarray(y_res), np.asarray(y_imb))


class BareKNN:
    """A k-NN classifier that is not scikit-learn's."""

    def __init__(self, n_neighbors=1):
        self.n_neighbors = n_neighbors

    def fit(self, X, y):
        self._X, self._y = np.asarray(X), np.asarray(y)
        return self

    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        d = np.sqrt(((np.asarray(X)[:, None, :] - self._X[None]) ** 2).sum(-1))
        ind = np.argsort(d, axis=1, kind="stable")[:, :n_neighbors or self.n_neighbors]
        return (np.take_along_axis(d, ind, 1), ind) if return_distance else ind

    def kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
        raise NotImplementedError

    def predict(self, X):
        labels = self._y[self.kneighbors(X, return_distance=False)]
        return np.array([np.bincount(row).argmax() for row in labels])


@pytest.mark.parametrize("k", [1, 3])
def test_duck_typed_neighbours(k):
    X, y = _data(5)
    expected = OneSidedSelection(random_state=5, n_neighbors=k)
    expected.fit_resample(X, y)
    for estimator in (BareKNN(k), KNeighborsClassifier(k), NearestNeighbors(n_neighbors=k)):
        oss = OneSidedSelection(random_state=5, n_neighbors=estimator)
        oss.fit_resample(X, y)
        np.testing.assert_array_equal(oss.sample_indices_, expected.sample_indices_)
    imb = ImbOSS(random_state=5, n_neighbors=KNeighborsClassifier(k))
    imb.fit_resample(X, y)
    np.testing.assert_array_equal(imb.sample_indices_, expected.sample_indices_)
    # imbalanced-learn fails on anything but its own KNeighborsClassifier.
    with pytest.raises(UnboundLocalError):
        ImbOSS(random_state=5, n_neighbors=NearestNeighbors(n_neighbors=k)).fit_resample(X, y)


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(7)
    check = assert_unchanged(X, y)
    OneSidedSelection(random_state=7).fit_resample(X, y)
    check()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"n_neighbors": 0}, "n_neighbors"),
        ({"n_neighbors": "three"}, "n_neighbors"),
        ({"n_seeds_S": 0}, "n_seeds_S"),
        ({"n_jobs": "all"}, "n_jobs"),
        ({"sampling_strategy": {0: 1}}, "sampling_strategy"),
    ],
)
def test_parameter_errors(params, match):
    X, y = _data(8)
    with pytest.raises(InvalidParameterError, match=match):
        OneSidedSelection(**params).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match=match):
        ImbOSS(**params).fit_resample(X, y)


def test_too_many_neighbours_for_the_store():
    X, y = np.arange(20, dtype=float).reshape(10, 2), np.array([0] * 2 + [1] * 8)
    with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
        OneSidedSelection(n_neighbors=5, random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
        ImbOSS(n_neighbors=5, random_state=0).fit_resample(X, y)


