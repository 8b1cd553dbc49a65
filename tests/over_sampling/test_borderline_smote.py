"""BorderlineSMOTE against imbalanced-learn 0.14.2."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import BorderlineSMOTE as ImbBorderlineSMOTE
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.over_sampling import BorderlineSMOTE

KINDS = ["borderline-1", "borderline-2"]


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


def _assert_same_danger(gp, ref):
    assert gp.in_danger_indices.keys() == ref.in_danger_indices.keys()
    for klass, indices in ref.in_danger_indices.items():
        np.testing.assert_array_equal(gp.in_danger_indices[klass], indices)


def _assert_provenance(X, X_res, sampler):
    prov = sampler.provenance_
    X, X_res = _dense(X), _dense(X_res)
    assert prov.n_original == X.shape[0]
    assert prov.n_synthetic == X_res.shape[0] - X.shape[0]
    base, nbr, steps = (np.asarray(a) for a in (prov.base_indices,
                                                prov.neighbor_indices, prov.steps))
    expected = X[base] + steps[:, None] * (X[nbr] - X[base])
    np.testing.assert_allclose(X_res[X.shape[0]:], expected, rtol=1e-6, atol=1e-9)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("seed", [0, 1, 42])
def test_parity(kind, n_classes, seed):
    X, y = _data(n_classes, seed)
    gp = BorderlineSMOTE(random_state=seed, kind=kind)
    ref = ImbBorderlineSMOTE(random_state=seed, kind=kind)
    res = gp.fit_resample(X, y)
    _assert_same(res, ref.fit_resample(X, y))
    _assert_same_danger(gp, ref)
    assert gp.sampling_strategy_ == ref.sampling_strategy_
    _assert_provenance(X, res[0], gp)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("strategy", ["all", "minority", "not majority", 0.9, "dict"])
def test_parity_strategies_and_parameters(kind, strategy):
    X, y = _data(2, seed=3)
    if strategy == "dict":
        strategy = {0: 300, 1: 180}
    kw = dict(sampling_strategy=strategy, kind=kind, k_neighbors=3, m_neighbors=7)
    gp, ref = BorderlineSMOTE(random_state=5, **kw), ImbBorderlineSMOTE(random_state=5, **kw)
    _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y))
    _assert_same_danger(gp, ref)


@pytest.mark.parametrize("kind", KINDS)
def test_parity_neighbor_estimators_and_random_state_instance(kind):
    X, y = _data(3, seed=4)
    kw = dict(kind=kind, k_neighbors=NearestNeighbors(n_neighbors=4),
              m_neighbors=NearestNeighbors(n_neighbors=8))
    gp = BorderlineSMOTE(random_state=np.random.RandomState(3), **kw)
    ref = ImbBorderlineSMOTE(random_state=np.random.RandomState(3), **kw)
    for _ in range(2):  # the shared RandomState advances identically
        _assert_same(gp.fit_resample(X, y), ref.fit_resample(X, y))
    assert gp.nn_m_.n_neighbors == 8 and gp.nn_k_.n_neighbors == 4


@pytest.mark.parametrize("container", ["csr", "csc", "pandas", "float32", "list"])
def test_parity_containers(container):
    X, y = _data(3, seed=6)
    if container == "pandas":
        X_in = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
        y_in = pd.Series(y, name="target")
    elif container == "float32":
        X_in, y_in = X.astype(np.float32), y
    elif container == "list":
        X_in, y_in = X.tolist(), y.tolist()
    else:
        X_in, y_in = sp.csr_matrix(X).asformat(container), y
    gp, ref = BorderlineSMOTE(random_state=2), ImbBorderlineSMOTE(random_state=2)
    res_gp, res_ref = gp.fit_resample(X_in, y_in), ref.fit_resample(X_in, y_in)
    assert type(res_gp[0]) is type(res_ref[0])
    assert type(res_gp[1]) is type(res_ref[1])
    if container == "pandas":
        pd.testing.assert_frame_equal(res_gp[0], res_ref[0])
        pd.testing.assert_series_equal(res_gp[1], res_ref[1])
        assert list(gp.feature_names_in_) == list(X_in.columns)
    if container in ("csr", "csc"):
        assert res_gp[0].format == res_ref[0].format
    if container == "float32":
        assert res_gp[0].dtype == res_ref[0].dtype == np.float32
    _assert_same(res_gp, res_ref)


def test_sparse_borderline_2_matches_dense():
    """imbalanced-learn 0.14.2 fails on sparse X with kind="borderline-2"
    (``diffs[mask] *= ...`` on a sparse matrix raises a matmul ValueError);
    gpuimb gives the dense result, kept sparse."""
    X, y = _data(3, seed=7)
    with pytest.raises(ValueError, match="dimension mismatch"):
        ImbBorderlineSMOTE(random_state=0, kind="borderline-2").fit_resample(
            sp.csr_matrix(X), y)
    gp = BorderlineSMOTE(random_state=0, kind="borderline-2")
    X_sp, y_sp = gp.fit_resample(sp.csr_matrix(X), y)
    X_de, y_de = ImbBorderlineSMOTE(random_state=0, kind="borderline-2").fit_resample(X, y)
    assert sp.issparse(X_sp) and X_sp.format == "csr"
    _assert_same((X_sp, y_sp), (X_de, y_de))
    _assert_provenance(X, X_sp, gp)


@pytest.mark.parametrize("kind", KINDS)
def test_provenance_semantics(kind):
    X, y = _data(3, seed=9)
    gp = BorderlineSMOTE(random_state=0, kind=kind)
    X_res, y_res = gp.fit_resample(X, y)
    prov = gp.provenance_
    y_new = y_res[X.shape[0]:]
    np.testing.assert_array_equal(y[prov.base_indices], y_new)
    for klass, danger in gp.in_danger_indices.items():
        assert np.isin(prov.base_indices[y_new == klass], danger).all()
    same_class = y[prov.neighbor_indices] == y_new
    if kind == "borderline-1":
        assert same_class.all()
        assert ((prov.steps >= 0) & (prov.steps < 1)).all()
    else:
        assert (~same_class).any()
        assert ((prov.steps[~same_class] >= 0) & (prov.steps[~same_class] < 0.5)).all()


def test_class_without_danger_is_skipped():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(0, 1, (100, 2)), rng.normal(20, 1, (30, 2))])
    y = np.array([0] * 100 + [1] * 30)
    gp, ref = BorderlineSMOTE(random_state=0), ImbBorderlineSMOTE(random_state=0)
    X_res, y_res = gp.fit_resample(X, y)
    _assert_same((X_res, y_res), ref.fit_resample(X, y))
    assert gp.in_danger_indices == {} and X_res.shape == X.shape
    assert gp.provenance_.n_synthetic == 0


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(2, seed=10)
    check = assert_unchanged(X, y)
    BorderlineSMOTE(random_state=0, kind="borderline-2").fit_resample(X, y)
    check()


@pytest.mark.parametrize("params, err, match", [
    ({"kind": "rnd"}, InvalidParameterError, "The 'kind' parameter of BorderlineSMOTE"),
    ({"m_neighbors": "x"}, InvalidParameterError,
     "The 'm_neighbors' parameter of BorderlineSMOTE"),
    ({"m_neighbors": 0}, InvalidParameterError,
     "The 'm_neighbors' parameter of BorderlineSMOTE"),
    ({"k_neighbors": 0}, InvalidParameterError,
     "The 'k_neighbors' parameter of BorderlineSMOTE"),
    ({"k_neighbors": 500}, ValueError, "Expected n_neighbors <= n_samples_fit"),
])
def test_errors(params, err, match):
    X, y = _data(2, seed=11)
    with pytest.raises(err, match=match):
        ImbBorderlineSMOTE(**params).fit_resample(X, y)
    with pytest.raises(err, match=match):
        BorderlineSMOTE(**params).fit_resample(X, y)


