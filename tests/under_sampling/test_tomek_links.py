"""TomekLinks against imbalanced-learn 0.14.2."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import TomekLinks as ImbTomekLinks
from sklearn.datasets import make_classification
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.under_sampling import TomekLinks


def _data(n_classes, seed, n=400):
    weights = [0.7, 0.3] if n_classes == 2 else [0.5, 0.3, 0.2]
    return make_classification(n_samples=n, n_features=4, n_informative=3,
                               n_redundant=0, n_classes=n_classes, weights=weights,
                               flip_y=0.1, random_state=seed)


def _assert_same(gp, ref, out_gp, out_ref):
    X_a, y_a = out_gp
    X_b, y_b = out_ref
    if sp.issparse(X_b):
        assert sp.issparse(X_a) and X_a.format == X_b.format
        X_a, X_b = X_a.toarray(), X_b.toarray()
    np.testing.assert_array_equal(np.asarray(X_a), np.asarray(X_b))
    np.testing.assert_array_equal(np.asarray(y_a), np.asarray(y_b))
    np.testing.assert_array_equal(gp.sample_indices_, ref.sample_indices_)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("fmt", ["dense", "csr", "csc"])
@pytest.mark.parametrize("strategy", ["auto", "all", "majority", "not majority"])
def test_parity(seed, n_classes, fmt, strategy):
    X, y = _data(n_classes, seed)
    if fmt != "dense":
        X = getattr(sp, f"{fmt}_matrix")(X)
    gp, ref = TomekLinks(sampling_strategy=strategy), ImbTomekLinks(
        sampling_strategy=strategy)
    _assert_same(gp, ref, gp.fit_resample(X, y), ref.fit_resample(X, y))
    assert gp.sampling_strategy_ == ref.sampling_strategy_


def test_parity_list_strategy_and_string_labels():
    X, y = _data(3, 5)
    y = np.array(["a", "b", "c"], dtype=object)[y]
    gp, ref = TomekLinks(sampling_strategy=["a", "c"]), ImbTomekLinks(
        sampling_strategy=["a", "c"])
    _assert_same(gp, ref, gp.fit_resample(X, y), ref.fit_resample(X, y))


def test_parity_pandas():
    X, y = _data(3, 3)
    X = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    y = pd.Series(y, name="target")
    gp, ref = TomekLinks(), ImbTomekLinks()
    X_a, y_a = gp.fit_resample(X, y)
    X_b, y_b = ref.fit_resample(X, y)
    pd.testing.assert_frame_equal(X_a, X_b)
    pd.testing.assert_series_equal(y_a, y_b)
    np.testing.assert_array_equal(gp.feature_names_in_, ref.feature_names_in_)


@pytest.mark.parametrize("seed", [0, 1])
def test_is_tomek_matches_imblearn(seed):
    rng = np.random.RandomState(seed)
    y = rng.randint(0, 3, size=200)
    nn_index = rng.randint(0, 200, size=200)
    # plant mutual pairs so that links exist
    a, b = rng.permutation(200)[:60].reshape(2, 30)
    nn_index[a], nn_index[b] = b, a
    for class_type in ({0: 1}, [1, 2], {0: 1, 1: 1, 2: 1}):
        np.testing.assert_array_equal(
            TomekLinks.is_tomek(y, nn_index, class_type),
            ImbTomekLinks.is_tomek(y, nn_index, class_type),
        )


def test_input_not_mutated(assert_unchanged):
    X, y = _data(2, 0)
    check = assert_unchanged(X, y)
    TomekLinks().fit_resample(X, y)
    check()


@pytest.mark.parametrize("params, err, match", [
    ({"sampling_strategy": {0: 10}}, InvalidParameterError,
     "The 'sampling_strategy' parameter of"),
    ({"sampling_strategy": 0.5}, ValueError,
     "'clean-sampling' methods do let the user specify the sampling ratio"),
    ({"sampling_strategy": "minority"}, InvalidParameterError, "sampling_strategy"),
    ({"n_jobs": "two"}, InvalidParameterError, "n_jobs"),
])
def test_errors_like_imblearn(params, err, match):
    X, y = _data(2, 0)
    for cls in (TomekLinks, ImbTomekLinks):
        with pytest.raises(err, match=match):
            cls(**params).fit_resample(X, y)


@pytest.mark.gpu
@pytest.mark.parametrize("n_classes", [2, 3])
def test_device_matches_host(n_classes):
    import cupy

    X, y = _data(n_classes, 0)
    host = TomekLinks()
    X_h, y_h = host.fit_resample(X, y)
    dev = TomekLinks()
    X_d, y_d = dev.fit_resample(cupy.asarray(X), cupy.asarray(y))
    assert isinstance(X_d, cupy.ndarray)
    np.testing.assert_array_equal(cupy.asnumpy(dev.sample_indices_),
                                  host.sample_indices_)
    np.testing.assert_allclose(cupy.asnumpy(X_d), X_h)
