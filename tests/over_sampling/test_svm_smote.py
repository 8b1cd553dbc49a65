"""SVMSMOTE against imbalanced-learn 0.14.2."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import SVMSMOTE as ImbSVMSMOTE
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.neighbors import NearestNeighbors
from sklearn.svm import SVC
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.over_sampling import SVMSMOTE
from tests._helpers import to_namespace


def _data(n_classes, seed=0, n=400):
    weights = [0.75, 0.25] if n_classes == 2 else [0.6, 0.25, 0.15]
    return make_classification(n_samples=n, n_features=5, n_informative=3,
                               n_redundant=1, n_classes=n_classes, weights=weights,
                               class_sep=0.8, random_state=seed)


def _dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _assert_same(ours, theirs):
    (X_a, y_a), (X_b, y_b) = ours, theirs
    X_a, X_b = _dense(X_a), _dense(X_b)
    assert X_a.shape == X_b.shape
    np.testing.assert_allclose(X_a, X_b, rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(y_a), np.asarray(y_b))


def _assert_provenance(X, X_res, sampler):
    prov = sampler.provenance_
    X, X_res = _dense(X), _dense(X_res)
    assert prov.n_original == X.shape[0]
    assert prov.n_synthetic == X_res.shape[0] - X.shape[0]
    base, nbr, steps = (np.asarray(a) for a in (prov.base_indices,
                                                prov.neighbor_indices, prov.steps))
    expected = X[base] + steps[:, None] * (X[nbr] - X[base])
    np.testing.assert_allclose(X_res[X.shape[0]:], expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_parity(n_classes, seed):
    X, y = _data(n_classes, seed)
    gp, ref = SVMSMOTE(random_state=seed), ImbSVMSMOTE(random_state=seed)
    res = gp.fit_resample(X, y)
    _assert_same(res, ref.fit_resample(X, y))
    np.testing.assert_array_equal(gp.svm_estimator_.support_, ref.svm_estimator_.support_)
    assert gp.sampling_strategy_ == ref.sampling_strategy_
    _assert_provenance(X, res[0], gp)


@pytest.mark.parametrize("params", [
    {"out_step": 0.0}, {"out_step": 1.0}, {"k_neighbors": 3, "m_neighbors": 6},
    {"sampling_strategy": "all"}, {"sampling_strategy": {0: 240, 1: 150, 2: 200}},
    {"svm_estimator": SVC(kernel="linear", C=0.5)},
    {"k_neighbors": NearestNeighbors(n_neighbors=4),
     "m_neighbors": NearestNeighbors(n_neighbors=9)},
])
def test_parity_parameters(params):
    X, y = _data(3, seed=2)
    gp, ref = SVMSMOTE(random_state=3, **params), ImbSVMSMOTE(random_state=3, **params)
    _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y))
    assert gp.svm_estimator_ is not params.get("svm_estimator")


def test_parity_random_state_instance():
    """Each default SVC fit draws one number from a shared RandomState."""
    X, y = _data(3, seed=4)
    gp = SVMSMOTE(random_state=np.random.RandomState(5))
    ref = ImbSVMSMOTE(random_state=np.random.RandomState(5))
    for _ in range(2):
        _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y))


@pytest.mark.parametrize("container", ["csr", "csc", "pandas", "float32"])
def test_parity_containers(container):
    X, y = _data(3, seed=6)
    if container == "pandas":
        X_in = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
        y_in = pd.Series(y, name="target")
    elif container == "float32":
        X_in, y_in = X.astype(np.float32), y
    else:
        X_in, y_in = sp.csr_matrix(X).asformat(container), y
    gp, ref = SVMSMOTE(random_state=2), ImbSVMSMOTE(random_state=2)
    res_gp, res_ref = gp.fit_resample(X_in, y_in), ref.fit_resample(X_in, y_in)
    assert type(res_gp[0]) is type(res_ref[0])
    if container == "pandas":
        pd.testing.assert_frame_equal(res_gp[0], res_ref[0])
        pd.testing.assert_series_equal(res_gp[1], res_ref[1])
    if container in ("csr", "csc"):
        assert res_gp[0].format == res_ref[0].format
        _assert_provenance(X, res_gp[0], gp)
    if container == "float32":
        assert res_gp[0].dtype == res_ref[0].dtype == np.float32
    _assert_same(res_gp, res_ref)


def test_provenance_extrapolation_steps():
    """Safe support vectors extrapolate: step = -out_step * u, u in [0, 1)."""
    X, y = _data(2, seed=7)
    gp = SVMSMOTE(random_state=0, out_step=0.3)
    X_res, y_res = gp.fit_resample(X, y)
    prov = gp.provenance_
    steps = prov.steps
    assert (steps < 0).any() and (steps > 0).any()
    assert ((steps >= -0.3) & (steps < 1.0)).all()
    y_new = y_res[X.shape[0]:]
    np.testing.assert_array_equal(y[prov.base_indices], y_new)
    np.testing.assert_array_equal(y[prov.neighbor_indices], y_new)
    assert np.isin(prov.base_indices, gp.svm_estimator_.support_).all()
    _assert_provenance(X, X_res, gp)


def test_only_safe_or_only_danger_support_vectors():
    """One group empty: only the other group's share is generated, as in
    imbalanced-learn (so fewer samples than sampling_strategy_ asks)."""
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (150, 2)), rng.normal(4, 1, (40, 2))])
    y = np.array([0] * 150 + [1] * 40)
    gp, ref = SVMSMOTE(random_state=1), ImbSVMSMOTE(random_state=1)
    X_res, y_res = gp.fit_resample(X, y)
    _assert_same((X_res, y_res), ref.fit_resample(X, y))
    _assert_provenance(X, X_res, gp)
    # no support vector in danger here: only extrapolated (safe) samples
    assert (gp.provenance_.steps <= 0).all()
    assert 0 < gp.provenance_.n_synthetic < gp.sampling_strategy_[1]


def test_array_api_strict_user_svm_estimator():
    X, y = _data(3, seed=9)
    svm = SVC(kernel="poly", degree=2)
    X_ref, y_ref = ImbSVMSMOTE(random_state=0, svm_estimator=svm).fit_resample(X, y)
    X_x, y_x = SVMSMOTE(random_state=0, svm_estimator=svm).fit_resample(
        to_namespace("array_api_strict", X), to_namespace("array_api_strict", y))
    np.testing.assert_allclose(np.asarray(X_x), X_ref, rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(y_x), y_ref)


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(2, seed=10)
    check = assert_unchanged(X, y)
    SVMSMOTE(random_state=0).fit_resample(X, y)
    check()


def _noise_only_data():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.uniform(0, 10, size=(400, 2)),
                   [[2.0, 2.0], [2.0, 8.0], [8.0, 2.0], [8.0, 8.0]]])
    return X, np.array([0] * 400 + [1] * 4)


@pytest.mark.parametrize("make, params, err, match", [
    (_data, {"out_step": 1.5}, InvalidParameterError,
     "The 'out_step' parameter of SVMSMOTE"),
    (_data, {"svm_estimator": "svc"}, InvalidParameterError,
     "The 'svm_estimator' parameter of SVMSMOTE"),
    (_data, {"m_neighbors": "x"}, InvalidParameterError,
     "The 'm_neighbors' parameter of SVMSMOTE"),
    (_data, {"svm_estimator": LogisticRegression()}, RuntimeError,
     "`svm_estimator` is required to exposed a `support_` fitted attribute"),
    (_noise_only_data, {}, ValueError, "All support vectors are considered as noise"),
])
def test_errors(make, params, err, match):
    X, y = make(2) if make is _data else make()
    with pytest.raises(err, match=match):
        ImbSVMSMOTE(random_state=0, **params).fit_resample(X, y)
    with pytest.raises(err, match=match):
        SVMSMOTE(random_state=0, **params).fit_resample(X, y)


@pytest.mark.gpu
def test_cupy_default_engine_runs_on_device():
    import cupy

    X, y = _data(3, seed=13)
    gp = SVMSMOTE(random_state=0)
    X_d, y_d = gp.fit_resample(cupy.asarray(X), cupy.asarray(y))
    assert isinstance(X_d, cupy.ndarray) and isinstance(y_d, cupy.ndarray)
    _assert_provenance(X, cupy.asnumpy(X_d), _HostProvenance(gp))


class _HostProvenance:
    def __init__(self, sampler):
        import cupy

        prov = sampler.provenance_
        self.provenance_ = type(prov)(prov.n_original,
                                      *(cupy.asnumpy(a) for a in (
                                          prov.base_indices, prov.neighbor_indices,
                                          prov.steps)))


class _RepeatedSupportSVC(SVC):
    """An SVC whose ``support_`` repeats and shuffles its indices, like cuML's
    multiclass SVC (one-vs-one machines' supports concatenated)."""

    def fit(self, X, y, sample_weight=None):
        super().fit(X, y, sample_weight)
        support = self.support_
        self.cuml_like_support_ = np.concatenate([support[::-1], support[: len(support) // 2]])
        return self

    def __getattribute__(self, name):
        if name == "support_" and "cuml_like_support_" in vars(self):
            return vars(self)["cuml_like_support_"]
        return super().__getattribute__(name)


def test_repeated_unsorted_support_indices_give_the_same_result():
    X, y = _data(3, seed=2)
    ref = SVMSMOTE(random_state=0, svm_estimator=SVC(gamma="scale", random_state=0))
    ours = SVMSMOTE(random_state=0,
                    svm_estimator=_RepeatedSupportSVC(gamma="scale", random_state=0))
    _assert_same(ours.fit_resample(X, y), ref.fit_resample(X, y))
