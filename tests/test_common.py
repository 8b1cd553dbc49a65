"""The sampler contract: imbalanced-learn's and scikit-learn's estimator checks."""

import pickle

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from imblearn.utils.estimator_checks import check_param_validation
from imblearn.utils.estimator_checks import (
    parametrize_with_checks as imb_parametrize_with_checks,
)
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.utils import estimator_checks as sk_checks

from gpuimb.utils.discovery import all_samplers


def _instances(cls):
    """Instances to check, configured as imbalanced-learn configures its own."""
    if cls.__name__ == "SMOTENC":
        return [cls(categorical_features=[0], random_state=0)]
    if cls.__name__ == "NearMiss":
        return [cls(version=v) for v in (1, 2, 3)]
    sampler = cls()
    params = sampler.get_params()
    if "random_state" in params:
        sampler.set_params(random_state=0)
    if "n_estimators" in params:
        sampler.set_params(n_estimators=5)
    if cls.__name__ == "ClusterCentroids":
        sampler.set_params(voting="soft", estimator=KMeans(random_state=0, n_init=1))
    if cls.__name__ == "KMeansSMOTE":
        sampler.set_params(kmeans_estimator=12)
    return [sampler]


SAMPLERS = [s for _, cls in all_samplers() for s in _instances(cls)]
# imbalanced-learn runs its sampler checks on continuous data, which SMOTENC
# cannot take; it excludes SMOTENC from them too.
IMB_CHECKED = [s for s in SAMPLERS if type(s).__name__ != "SMOTENC"]


@imb_parametrize_with_checks(IMB_CHECKED)
def test_imblearn_sampler_checks(estimator, check):
    check(estimator)


SKLEARN_CHECKS = [
    sk_checks.check_no_attributes_set_in_init,
    sk_checks.check_get_params_invariance,
    sk_checks.check_set_params,
    sk_checks.check_parameters_default_constructible,
    sk_checks.check_estimator_cloneable,
    sk_checks.check_estimator_repr,
    sk_checks.check_valid_tag_types,
    sk_checks.check_dont_overwrite_parameters,
    sk_checks.check_fit_check_is_fitted,
    sk_checks.check_n_features_in,
    sk_checks.check_estimators_overwrite_params,
    sk_checks.check_do_not_raise_errors_in_init_or_set_params,
]


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
@pytest.mark.parametrize("check", SKLEARN_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_common_checks(sampler, check):
    check(type(sampler).__name__, clone(sampler))


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_param_validation(sampler):
    check_param_validation(type(sampler).__name__, clone(sampler))


X, Y = make_classification(n_samples=300, n_features=6, n_informative=4,
                           n_classes=3, weights=[0.6, 0.3], random_state=0)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_pickle_round_trip_gives_same_result(sampler):
    fitted = clone(sampler)
    X_a, y_a = fitted.fit_resample(X, Y)
    restored = pickle.loads(pickle.dumps(fitted))
    X_b, y_b = restored.fit_resample(X, Y)
    np.testing.assert_allclose(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_usable_in_imblearn_pipeline(sampler):
    pipe = imb_make_pipeline(clone(sampler), LogisticRegression(max_iter=500))
    pipe.fit(X, Y)
    assert pipe.predict(X).shape == Y.shape


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_feature_names_out(sampler):
    import pandas as pd

    df = pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])])
    fitted = clone(sampler).fit(df, Y)
    np.testing.assert_array_equal(fitted.get_feature_names_out(), df.columns)
    np.testing.assert_array_equal(fitted.feature_names_in_, df.columns)
    assert fitted.n_features_in_ == X.shape[1]
