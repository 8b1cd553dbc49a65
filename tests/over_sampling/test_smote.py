"""SMOTE and the shared BaseSMOTE machinery against imbalanced-learn 0.14.2."""

import re

import numpy as np
import pytest
import scipy.sparse as sp
from imblearn.over_sampling import SMOTE as ImbSMOTE
from sklearn.datasets import make_classification
from sklearn.neighbors import NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.base import SamplingContext
from gpuimb.over_sampling import SMOTE
from gpuimb.over_sampling._provenance import SyntheticProvenance


def _data(n_classes=2, n_samples=300, seed=0):
    weights = [0.8, 0.2] if n_classes == 2 else [0.6, 0.3, 0.1]
    return make_classification(n_samples=n_samples, n_classes=n_classes,
                               n_informative=4, weights=weights, random_state=seed)


def _dense(X):
    return X.toarray() if sp.issparse(X) else np.asarray(X)


def _assert_same(expected, got):
    X_e, y_e = expected
    X_g, y_g = got
    assert type(X_g) is type(X_e)
    assert X_g.dtype == X_e.dtype
    np.testing.assert_allclose(_dense(X_g), _dense(X_e), rtol=1e-6, atol=1e-12)
    np.testing.assert_array_equal(np.asarray(y_g), np.asarray(y_e))


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("kind", ["dense", "float32", "csr", "csc"])
def test_parity_with_imblearn(seed, n_classes, kind):
    X, y = _data(n_classes, seed=seed)
    if kind == "float32":
        X = X.astype(np.float32)
    elif kind != "dense":
        X = getattr(sp, f"{kind}_matrix")(X)
    expected = ImbSMOTE(random_state=seed).fit_resample(X, y)
    _assert_same(expected, SMOTE(random_state=seed).fit_resample(X, y))


@pytest.mark.parametrize("k_neighbors", [1, 3, 7])
def test_parity_k_neighbors_and_strategy(k_neighbors):
    X, y = _data(3, seed=4)
    strategy = {0: 200, 1: 150, 2: 120}
    expected = ImbSMOTE(random_state=3, k_neighbors=k_neighbors,
                        sampling_strategy=strategy).fit_resample(X, y)
    got = SMOTE(random_state=3, k_neighbors=k_neighbors,
                sampling_strategy=strategy).fit_resample(X, y)
    _assert_same(expected, got)


def test_parity_random_state_instance_and_estimator():
    # A shared RandomState continues across classes (no re-seeding).
    X, y = _data(3, seed=5)
    expected = ImbSMOTE(random_state=np.random.RandomState(7),
                        k_neighbors=NearestNeighbors(n_neighbors=4)).fit_resample(X, y)
    sampler = SMOTE(random_state=np.random.RandomState(7),
                    k_neighbors=NearestNeighbors(n_neighbors=4))
    _assert_same(expected, sampler.fit_resample(X, y))
    assert sampler.nn_k_.n_neighbors == 4


def test_string_labels_and_lists():
    X, y = _data(3, seed=6)
    labels = np.array(["a", "b", "c"], dtype=object)[y]
    expected = ImbSMOTE(random_state=0).fit_resample(X.tolist(), labels.tolist())
    got = SMOTE(random_state=0).fit_resample(X.tolist(), labels.tolist())
    np.testing.assert_allclose(np.asarray(got[0]), np.asarray(expected[0]), rtol=1e-6)
    assert list(got[1]) == list(expected[1])


def test_fitted_attributes():
    X, y = _data(2)
    sampler = SMOTE(random_state=0, k_neighbors=3).fit(X, y)
    assert dict(sampler.sampling_strategy_) == dict(
        ImbSMOTE(k_neighbors=3).fit(X, y).sampling_strategy_)
    sampler.fit_resample(X, y)
    assert sampler.nn_k_.n_neighbors == 4
    assert sampler.n_features_in_ == X.shape[1]
    assert isinstance(sampler.provenance_, SyntheticProvenance)


@pytest.mark.parametrize("kind", ["dense", "csr"])
def test_provenance_invariant(kind):
    X, y = _data(3, seed=8)
    X_in = sp.csr_matrix(X) if kind == "csr" else X
    sampler = SMOTE(random_state=1)
    X_res, y_res = sampler.fit_resample(X_in, y)
    prov = sampler.provenance_
    n = X.shape[0]
    assert prov.n_original == n
    assert prov.n_synthetic == X_res.shape[0] - n
    base, nbr, steps = prov.base_indices, prov.neighbor_indices, prov.steps
    expected = X[base] + steps[:, None] * (X[nbr] - X[base])
    np.testing.assert_allclose(_dense(X_res)[n:], expected, rtol=1e-9, atol=1e-12)
    # base and neighbour are of the synthetic row's class, steps in [0, 1)
    np.testing.assert_array_equal(y[base], y_res[n:])
    np.testing.assert_array_equal(y[nbr], y_res[n:])
    assert np.all((steps >= 0) & (steps < 1))


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(2)
    check = assert_unchanged(X, y)
    SMOTE(random_state=0).fit_resample(X, y)
    check()


def test_k_neighbors_larger_than_class():
    X, y = _data(2)
    y = y.copy()
    keep = np.concatenate([np.flatnonzero(y == 0), np.flatnonzero(y == 1)[:4]])
    X, y = X[keep], y[keep]
    with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
        ImbSMOTE(k_neighbors=5).fit_resample(X, y)
    with pytest.raises(ValueError, match="Expected n_neighbors <= n_samples_fit"):
        SMOTE(k_neighbors=5).fit_resample(X, y)


@pytest.mark.parametrize("params", [{"k_neighbors": 0}, {"k_neighbors": "a"},
                                    {"k_neighbors": object()},
                                    {"sampling_strategy": "majority"}])
def test_parameter_errors_match_imblearn(params):
    X, y = _data(2)
    with pytest.raises((InvalidParameterError, ValueError)) as expected:
        ImbSMOTE(**params).fit_resample(X, y)
    with pytest.raises(type(expected.value)) as ours:
        SMOTE(**params).fit_resample(X, y)
    assert _canonical(str(ours.value)) == _canonical(str(expected.value))


def _canonical(message):
    """Sort the items of set literals: their print order follows string hashing."""
    return re.sub(r"\{([^{}]*)\}",
                  lambda m: "{" + ", ".join(sorted(m.group(1).split(", "))) + "}", message)


# --- BaseSMOTE helpers used by the other SMOTE variants -------------------------

def _ctx():
    return SamplingContext(xp=np, device="cpu")


@pytest.mark.parametrize("step_size", [1.0, -0.5])
@pytest.mark.parametrize("with_y", [False, True])
def test_make_samples_matches_imblearn(step_size, with_y):
    X, y = _data(2, seed=11)
    nn = NearestNeighbors(n_neighbors=6).fit(X)
    base_rows = np.flatnonzero(y == 1)[:20]
    nn_num = nn.kneighbors(X[base_rows], return_distance=False)[:, 1:]
    kwargs = {"y": y} if with_y else {}
    X_e, y_e = ImbSMOTE(random_state=3)._make_samples(
        X[base_rows], y.dtype, 1, X, nn_num, 50, step_size, **kwargs)
    X_g, y_g, (rows, nbrs, steps) = SMOTE(random_state=3)._make_samples(
        X[base_rows], y.dtype, 1, X, nn_num, 50, step_size, ctx=_ctx(), **kwargs)
    np.testing.assert_allclose(X_g, X_e, rtol=1e-9, atol=1e-12)
    np.testing.assert_array_equal(y_g, y_e)
    recomputed = X[base_rows][rows] + steps[:, None] * (X[nbrs] - X[base_rows][rows])
    np.testing.assert_allclose(X_g, recomputed, rtol=1e-9, atol=1e-12)


def test_generate_samples_matches_imblearn():
    X, _ = _data(2, seed=12)
    nn_num = NearestNeighbors(n_neighbors=4).fit(X).kneighbors(
        X[:30], return_distance=False)[:, 1:]
    rng = np.random.RandomState(0)
    rows, cols = rng.randint(0, 30, 40), rng.randint(0, 3, 40)
    steps = rng.uniform(size=(40, 1))
    X_e = ImbSMOTE(random_state=5)._generate_samples(X[:30], X, nn_num, rows, cols,
                                                    steps)
    X_g = SMOTE(random_state=5)._generate_samples(X[:30], X, nn_num, rows, cols, steps,
                                                 ctx=_ctx())
    np.testing.assert_allclose(X_g, X_e, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("kind", ["danger", "noise"])
def test_in_danger_noise_matches_imblearn(kind):
    X, y = _data(2, seed=13)
    X[:, 0] += np.where(y == 1, 0.5, 0.0)
    nn = NearestNeighbors(n_neighbors=8).fit(X)
    samples = X[y == 1]
    expected = ImbSMOTE()._in_danger_noise(nn, samples, 1, y, kind=kind)
    got = SMOTE()._in_danger_noise(nn, X, samples, 1, y, kind=kind, ctx=_ctx())
    np.testing.assert_array_equal(got, expected)


