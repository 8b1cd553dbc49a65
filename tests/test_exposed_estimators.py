"""The fitted neighbours estimators samplers expose (``nn_``, ``nn_k_``...)."""

import numpy as np
import pytest
from imblearn import over_sampling as imb_over
from imblearn import under_sampling as imb_under
from sklearn.datasets import make_classification

from gpuimb import over_sampling, under_sampling

CASES = [
    ("SMOTE", "nn_k_", {"random_state": 0}),
    ("ADASYN", "nn_", {"random_state": 0}),
    ("BorderlineSMOTE", "nn_m_", {"random_state": 0}),
    ("BorderlineSMOTE", "nn_k_", {"random_state": 0}),
    ("EditedNearestNeighbours", "nn_", {}),
    ("NearMiss", "nn_", {}),
    ("NeighbourhoodCleaningRule", "nn_", {}),
]


@pytest.fixture(scope="module")
def data():
    # Few features and enough rows: scikit-learn would build a KD-tree.
    return make_classification(n_samples=1500, n_features=4, n_informative=3,
                               n_redundant=0, weights=[0.8], random_state=0)


@pytest.mark.parametrize(("name", "attribute", "params"), CASES)
def test_exposed_estimator_matches_imblearn(data, name, attribute, params):
    X, y = data
    module, reference = ((over_sampling, imb_over) if hasattr(over_sampling, name)
                         else (under_sampling, imb_under))
    ours, theirs = getattr(module, name)(**params), getattr(reference, name)(**params)
    ours.fit_resample(X, y)
    theirs.fit_resample(X, y)
    ours, theirs = getattr(ours, attribute), getattr(theirs, attribute)
    assert type(ours) is type(theirs)
    assert ours.get_params() == theirs.get_params()
    assert ours.n_samples_fit_ == theirs.n_samples_fit_
    np.testing.assert_array_equal(ours.kneighbors(X[:50], return_distance=False),
                                  theirs.kneighbors(X[:50], return_distance=False))
    # The engine answered the sampler's searches, so no tree was built for show.
    assert ours._fit_method == "brute"


def test_user_estimator_is_fitted_as_usual(data):
    from sklearn.neighbors import NearestNeighbors

    X, y = data
    sampler = over_sampling.SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6),
                                  random_state=0)
    sampler.fit_resample(X, y)
    assert sampler.nn_k_._fit_method == "kd_tree"


@pytest.mark.parametrize(("name", "attribute"), [("ADASYN", "nn_"), ("SMOTE", "nn_k_"),
                                                 ("BorderlineSMOTE", "nn_k_"),
                                                 ("BorderlineSMOTE", "nn_m_")])
def test_last_fit_is_shown_with_several_classes(name, attribute):
    # Fitted once per class in imbalanced-learn; gpuimb runs only the last fit,
    # at the end of the call: the same data either way.
    X, y = make_classification(n_samples=900, n_features=5, n_informative=4,
                               n_redundant=0, n_classes=3, weights=[0.6, 0.3, 0.1],
                               random_state=1)
    ours = getattr(over_sampling, name)(random_state=0)
    theirs = getattr(imb_over, name)(random_state=0)
    ours.fit_resample(X, y)
    theirs.fit_resample(X, y)
    ours, theirs = getattr(ours, attribute), getattr(theirs, attribute)
    assert ours.n_samples_fit_ == theirs.n_samples_fit_
    np.testing.assert_array_equal(ours._fit_X, theirs._fit_X)


def test_each_exposed_classifier_is_fitted(data):
    X, y = data
    X, y = X[:400], y[:400]
    ours = under_sampling.OneSidedSelection(random_state=0)
    theirs = imb_under.OneSidedSelection(random_state=0)
    ours.fit_resample(X, y)
    theirs.fit_resample(X, y)
    assert len(ours.estimators_) == len(theirs.estimators_)
    for mine, reference in zip(ours.estimators_, theirs.estimators_, strict=True):
        assert mine.get_params() == reference.get_params()
        np.testing.assert_array_equal(mine._fit_X, reference._fit_X)
        np.testing.assert_array_equal(mine.predict(X[:30]), reference.predict(X[:30]))
    # CondensedNearestNeighbour's classifier holds the final store: the kept
    # rows (gpuimb corrects imbalanced-learn's skip-set bug, so the stores of
    # the two libraries may differ; see its tests).
    cnn = under_sampling.CondensedNearestNeighbour(random_state=0)
    cnn.fit_resample(X, y)
    (store,) = cnn.estimators_
    np.testing.assert_array_equal(np.sort(store._fit_X, axis=0),
                                  np.sort(X[cnn.sample_indices_], axis=0))


def test_too_few_rows_raise_scikit_learns_message():
    # The put-off fit must not turn scikit-learn's error into NotFittedError.
    X, y = make_classification(n_samples=60, n_features=4, weights=[0.95],
                               random_state=3)
    with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
        over_sampling.SMOTE(k_neighbors=10).fit_resample(X, y)
