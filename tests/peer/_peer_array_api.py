"""scikit-learn's check_array_api_input on array_api_strict for gpuimb's estimators.

Copied into the peer run's gpuimb directory as ``test_gpuimb_array_api.py``;
that process has ``SCIPY_ARRAY_API=1`` set before SciPy is imported, which
scikit-learn's array-API support needs. Every estimator whose tags declare
array-API support is checked, with values compared to the NumPy run.
"""

import pytest
from _peer_estimators import all_estimators
from sklearn.utils import get_tags
from sklearn.utils._array_api import yield_namespace_device_dtype_combinations
from sklearn.utils.estimator_checks import check_array_api_input

# Parameters an estimator needs to be built (as imbalanced-learn builds it).
_INIT = {"SMOTENC": {"categorical_features": [0]}}
# A Pipeline needs steps; its array-API behaviour is its steps'.
_NOT_BUILDABLE = {"Pipeline"}


def _declaring():
    for name, cls in all_estimators():
        if name in _NOT_BUILDABLE:
            continue
        estimator = cls(**_INIT.get(name, {}))
        if "random_state" in estimator.get_params():
            estimator.set_params(random_state=0)
        if get_tags(estimator).array_api_support:
            yield pytest.param(estimator, id=name)


_COMBINATIONS = [
    pytest.param(device, dtype, id=f"{device}-{dtype}")
    for namespace, device, dtype in yield_namespace_device_dtype_combinations()
    if namespace == "array_api_strict"
]


@pytest.mark.parametrize("estimator", list(_declaring()))
@pytest.mark.parametrize("device_name, dtype_name", _COMBINATIONS)
def test_check_array_api_input_strict(estimator, device_name, dtype_name):
    check_array_api_input(type(estimator).__name__, estimator,
                          array_namespace="array_api_strict", device_name=device_name,
                          dtype_name=dtype_name, check_values=True)
