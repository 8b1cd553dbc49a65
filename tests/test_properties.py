"""Properties every sampler must have, on data drawn by hypothesis (issue 18).

- the output classes are a subset of the input classes, X and y keep their dtypes;
- ``X_res == X[sample_indices_]`` (and y) wherever ``sample_indices_`` exists;
- over-samplers return the original rows first, unchanged;
- each synthetic row lies on its ``provenance_`` segment;
- the same seed gives the same output;
- the caller's X and y are not modified.

When a sampler refuses the drawn data, imbalanced-learn must refuse it too.
Profiles: tests/conftest.py ("ci" by default, GPUIMB_HYPOTHESIS_PROFILE=long).
"""

import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sklearn.base import clone

from tests.fuzz_samplers import (
    OVER_SAMPLERS,
    SAMPLER_IDS,
    SAMPLERS,
    base_name,
    blobs,
    imblearn_twin,
)

DATA_REFUSALS = ("No samples will be generated", "Not any neigbours belong")


@st.composite
def datasets(draw):
    n_classes = draw(st.integers(2, 3))
    counts = draw(st.lists(st.integers(8, 40), min_size=n_classes, max_size=n_classes))
    n_features = draw(st.integers(2, 5))
    seed = draw(st.integers(0, 2**31 - 1))
    integer = draw(st.booleans())
    return blobs(seed, counts, n_features, integer=integer)


def _resample(sampler, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return sampler.fit_resample(X, y)


def _continuous_columns(sampler, n_features):
    if base_name(sampler) == "SMOTENC":
        return np.arange(1, n_features)
    return np.arange(n_features)


@pytest.mark.parametrize("sampler", [s for _, s in SAMPLERS], ids=SAMPLER_IDS)
@given(data=datasets())
def test_sampler_properties(sampler, data):
    X, y = data
    X_copy, y_copy = X.copy(), y.copy()
    first = clone(sampler)
    try:
        X_res, y_res = _resample(first, X, y)
    except (ValueError, RuntimeError) as exc:
        # Data-dependent refusal (e.g. ADASYN with nothing to generate): on
        # tie-free data the reference refuses the same data the same way; with
        # tied distances (integer data) neighbour orders may differ (README,
        # "Ties are broken by (distance, index)"), so only the reason is checked.
        assert any(reason in str(exc) for reason in DATA_REFUSALS), exc
        if not np.array_equal(X, np.round(X)):
            with pytest.raises(type(exc)):
                _resample(imblearn_twin(sampler), X, y)
        return
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    assert X_res.dtype == X.dtype and y_res.dtype == y.dtype
    assert X_res.shape[1] == X.shape[1] and X_res.shape[0] == y_res.shape[0]
    assert set(np.unique(y_res)) <= set(np.unique(y))

    indices = getattr(first, "sample_indices_", None)
    if indices is not None:
        np.testing.assert_array_equal(y_res, y[indices])
        if getattr(sampler, "shrinkage", None) is None:
            np.testing.assert_array_equal(X_res, X[indices])
        else:  # a smoothed bootstrap: the index is each new row's origin
            np.testing.assert_array_equal(indices[:X.shape[0]], np.arange(X.shape[0]))

    n = X.shape[0]
    if base_name(sampler) in OVER_SAMPLERS:
        np.testing.assert_array_equal(X_res[:n], X)
        np.testing.assert_array_equal(y_res[:n], y)

    provenance = getattr(first, "provenance_", None)
    if provenance is not None and base_name(sampler) != "SMOTEN":
        base = np.asarray(provenance.base_indices)
        nb = np.asarray(provenance.neighbor_indices)
        steps = np.asarray(provenance.steps)
        assert provenance.n_original == n
        assert X_res.shape[0] == n + base.shape[0]
        np.testing.assert_array_equal(y_res[n:], y[base])
        cols = _continuous_columns(sampler, X.shape[1])
        expected = X[base][:, cols] + steps[:, None] * (X[nb][:, cols] - X[base][:, cols])
        np.testing.assert_allclose(X_res[n:][:, cols], expected, rtol=1e-12, atol=1e-12)

    second = clone(sampler)
    X_again, y_again = _resample(second, X, y)
    np.testing.assert_array_equal(X_again, X_res)
    np.testing.assert_array_equal(y_again, y_res)
