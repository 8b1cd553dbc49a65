"""SMOTETomek: parity with imbalanced-learn, parts, namespaces, errors."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.combine import SMOTETomek as ImbSMOTETomek
from imblearn.over_sampling import SMOTE as ImbSMOTE
from imblearn.under_sampling import TomekLinks as ImbTomek
from sklearn.datasets import make_classification
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.combine import SMOTETomek
from gpuimb.over_sampling import SMOTE
from gpuimb.under_sampling import EditedNearestNeighbours, TomekLinks


def _data(seed, n_classes=2, n=300):
    weights = [0.2, 0.8] if n_classes == 2 else [0.15, 0.3, 0.55]
    return make_classification(n_samples=n, n_features=5, n_informative=3,
                               n_classes=n_classes, weights=weights, flip_y=0.05,
                               random_state=seed)


def _assert_same(ours, imb, X, y):
    X_res, y_res = ours.fit_resample(X, y)
    X_imb, y_imb = imb.fit_resample(X, y)
    to_dense = (lambda a: a.toarray()) if sp.issparse(X_imb) else np.asarray
    np.testing.assert_allclose(to_dense(X_res), to_dense(X_imb), rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(y_res), np.asarray(y_imb))
    return X_res, y_res


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
def test_parity_defaults(seed, n_classes):
    X, y = _data(seed, n_classes)
    ours = SMOTETomek(random_state=seed)
    _assert_same(ours, ImbSMOTETomek(random_state=seed), X, y)
    assert ours.sampling_strategy_ == "auto"
    assert isinstance(ours.smote_, SMOTE) and isinstance(ours.tomek_, TomekLinks)
    assert ours.tomek_.sampling_strategy == "all"


@pytest.mark.parametrize("strategy", [0.6, "not majority", "all"])
def test_parity_sampling_strategy(strategy):
    X, y = _data(3)
    _assert_same(SMOTETomek(sampling_strategy=strategy, random_state=3),
                 ImbSMOTETomek(sampling_strategy=strategy, random_state=3), X, y)


def test_parity_given_parts():
    X, y = _data(4, 3)
    ours = SMOTETomek(smote=SMOTE(k_neighbors=3, random_state=1),
                      tomek=TomekLinks(sampling_strategy="majority"))
    imb = ImbSMOTETomek(smote=ImbSMOTE(k_neighbors=3, random_state=1),
                        tomek=ImbTomek(sampling_strategy="majority"))
    _assert_same(ours, imb, X, y)
    assert ours.smote_ is not ours.smote and ours.smote_.k_neighbors == 3


@pytest.mark.parametrize("container", ["sparse", "pandas"])
def test_parity_containers(container):
    X, y = _data(5)
    if container == "sparse":
        X = sp.csr_matrix(X)
    else:
        X, y = pd.DataFrame(X, columns=list("abcde")), pd.Series(y, name="t")
    X_res, _ = _assert_same(SMOTETomek(random_state=5), ImbSMOTETomek(random_state=5), X, y)
    if container == "sparse":
        assert sp.issparse(X_res)
    else:
        assert list(X_res.columns) == list("abcde")


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(7)
    check = assert_unchanged(X, y)
    SMOTETomek(random_state=7).fit_resample(X, y)
    check()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"smote": "smote"}, "smote"),
        ({"tomek": EditedNearestNeighbours()}, "tomek"),
        ({"n_jobs": "x"}, "n_jobs"),
        ({"sampling_strategy": "majority"}, "sampling_strategy"),
    ],
)
def test_parameter_errors(params, match):
    X, y = _data(8)
    with pytest.raises(InvalidParameterError, match=match):
        SMOTETomek(**params).fit_resample(X, y)


def test_imblearn_parts_are_rejected_like_imblearn_rejects_ours():
    X, y = _data(9)
    with pytest.raises(InvalidParameterError, match="smote"):
        SMOTETomek(smote=ImbSMOTE()).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match="smote"):
        ImbSMOTETomek(smote=SMOTE()).fit_resample(X, y)


def test_ratio_error_message():
    X, y = _data(10)
    match = "The specified ratio required to remove samples"
    with pytest.raises(ValueError, match=match):
        SMOTETomek(sampling_strategy=0.1).fit_resample(X, y)
    with pytest.raises(ValueError, match=match):
        ImbSMOTETomek(sampling_strategy=0.1).fit_resample(X, y)


