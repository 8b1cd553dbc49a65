"""Brute-force kNN on huge and tiny values: power-of-two rescaling (issue 18, item 3)."""

import numpy as np
import pytest

from gpuimb._backends import kneighbors
from gpuimb.combine import SMOTETomek
from gpuimb.under_sampling import AllKNN, RepeatedEditedNearestNeighbours
from tests._helpers import to_namespace


@pytest.mark.parametrize("xp_name", ["numpy", "array_api_strict"])
@pytest.mark.parametrize("scale", [2.0**520, 2.0**1000, 2.0**-540, 2.0**-1000])
@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_scaled_data_same_neighbours(xp_name, scale, dtype):
    rng = np.random.RandomState(0)
    X = rng.randn(300, 10).astype(dtype)
    if dtype == np.float32:
        scale = float(np.float32(2.0 ** (np.sign(np.log2(scale)) * 100)))
    d_ref, i_ref = kneighbors(X, k=6)
    X_big = to_namespace(xp_name, X * np.asarray(scale, dtype=dtype))
    d, i = kneighbors(X_big, k=6)
    np.testing.assert_array_equal(np.asarray(i), i_ref)
    # Scaling by a power of two is exact, so distances are too.
    np.testing.assert_array_equal(np.asarray(d) / np.asarray(scale, dtype=dtype), d_ref)
    q = to_namespace(xp_name, X[:50] * np.asarray(scale, dtype=dtype))
    d, i = kneighbors(X_big, q, k=6)
    np.testing.assert_array_equal(np.asarray(i), kneighbors(X, X[:50], k=6)[1])


@pytest.mark.parametrize("sampler", [AllKNN(), RepeatedEditedNearestNeighbours()])
def test_huge_values_no_index_error(sampler):
    # Real rows' squared norms overflowed to inf while the padding rows had
    # finfo.max, so padding won the screen: "index 481 is out of bounds".
    rng = np.random.RandomState(0)
    y = np.r_[np.zeros(200, int), np.ones(100, int)]
    X = rng.randn(300, 10)
    expected = sampler.fit_resample(X, y)
    X_res, y_res = sampler.fit_resample(X * 2.0**515, y)  # about 1e155
    np.testing.assert_array_equal(y_res, expected[1])
    np.testing.assert_allclose(X_res / 2.0**515, expected[0], rtol=1e-12)


def test_smote_tomek_huge_values_runs():
    # Its Tomek step took the IndexError. (Its SMOTE step, 100 x 100 pairs,
    # runs on scikit-learn, whose expanded-form distances are inf here, so its
    # neighbours, hence the samples, are not those of the unscaled data.)
    rng = np.random.RandomState(0)
    y = np.r_[np.zeros(200, int), np.ones(100, int)]
    X_res, y_res = SMOTETomek(random_state=0).fit_resample(rng.randn(300, 10) * 1e155, y)
    assert X_res.shape[0] == y_res.shape[0] > 300
    assert np.isfinite(X_res).all()
