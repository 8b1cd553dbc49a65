"""What the peer suite does not already check on every sampler.

imbalanced-learn's own common tests (its sampler checks, scikit-learn's estimator
checks, parameter validation, column-name consistency) run against every gpuimb
estimator in ``tests/peer`` (row ``tests/test_common.py``), except SMOTENC, which
imbalanced-learn leaves out of them. Here: scikit-learn's checks and parameter
validation on SMOTENC, pickling of fitted samplers, and gpuimb samplers inside
imbalanced-learn's own pipeline.
"""

import dataclasses
import pickle

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from imblearn.utils.estimator_checks import check_param_validation
from sklearn.base import clone
from sklearn.cluster import KMeans
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.utils import estimator_checks as sk_checks

from gpuimb.over_sampling import SMOTENC
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

# scikit-learn's estimator checks that apply to a sampler (it has no predict).
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


@pytest.mark.parametrize("check", SKLEARN_CHECKS, ids=lambda c: c.__name__)
def test_sklearn_common_checks_on_smotenc(check):
    check("SMOTENC", SMOTENC(categorical_features=[0], random_state=0))


def test_param_validation_on_smotenc():
    check_param_validation("SMOTENC", SMOTENC(categorical_features=[0], random_state=0))


X, Y = make_classification(n_samples=300, n_features=6, n_informative=4,
                           n_classes=3, weights=[0.6, 0.3], random_state=0)


def _fitted_attributes(estimator):
    return {k: v for k, v in vars(estimator).items()
            if k.endswith("_") and not k.startswith("_")}


def _assert_same_state(a, b, where):
    """``a`` and ``b`` hold the same values, nested estimators' fitted state included."""
    assert type(a) is type(b), where
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b, err_msg=where)
    elif sp.issparse(a):
        assert a.shape == b.shape and (a != b).nnz == 0, where
    elif isinstance(a, dict):
        assert list(a) == list(b), where
        for key in a:
            _assert_same_state(a[key], b[key], f"{where}[{key!r}]")
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _assert_same_state(x, y, f"{where}[{i}]")
    elif hasattr(a, "get_params"):
        assert repr(a) == repr(b), where
        _assert_same_state(_fitted_attributes(a), _fitted_attributes(b), where)
    elif dataclasses.is_dataclass(a):
        for f in dataclasses.fields(a):
            _assert_same_state(getattr(a, f.name), getattr(b, f.name), f"{where}.{f.name}")
    elif isinstance(a, (int, float, str, bool, np.generic)) or a is None:
        assert a == b or (a != a and b != b), where
    # other objects (scikit-learn's trees, KD-trees): same type is all we ask


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_pickle_keeps_fitted_state_and_seed(sampler):
    unfitted = pickle.loads(pickle.dumps(clone(sampler)))
    fitted = clone(sampler)
    X_a, y_a = fitted.fit_resample(X, Y)
    state = _fitted_attributes(fitted)
    assert {"n_features_in_", "sampling_strategy_"} <= set(state)
    restored = pickle.loads(pickle.dumps(fitted))
    _assert_same_state(state, _fitted_attributes(restored), type(sampler).__name__)
    # A pickled unfitted sampler keeps its seed: it resamples as the original did.
    X_b, y_b = unfitted.fit_resample(X, Y)
    np.testing.assert_allclose(X_a, X_b)
    np.testing.assert_array_equal(y_a, y_b)


@pytest.mark.parametrize("sampler", SAMPLERS, ids=lambda s: type(s).__name__)
def test_usable_in_imblearn_pipeline(sampler):
    pipe = imb_make_pipeline(clone(sampler), LogisticRegression(max_iter=500))
    pipe.fit(X, Y)
    assert pipe.predict(X).shape == Y.shape
