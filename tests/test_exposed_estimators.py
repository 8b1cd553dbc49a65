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
