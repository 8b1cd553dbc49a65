"""Shared fixtures: array namespaces to run the same test on, and the gpu marker.

Helper functions live in ``tests/_helpers.py`` (import them from there).
"""

import os

import numpy as np
import pytest
from hypothesis import HealthCheck, settings
from threadpoolctl import threadpool_limits

from gpuimb._backends import _bruteforce
from tests._helpers import HOST_NAMESPACES, cuda_available, force_float32_screening

# Hypothesis profiles for the property / metamorphic tests. "ci" (the default)
# keeps them within CI's budget; GPUIMB_HYPOTHESIS_PROFILE=long explores more
# locally. Tests that set max_examples themselves are not affected.
_PROFILE_SETTINGS = dict(deadline=None, print_blob=True,
                         suppress_health_check=[HealthCheck.too_slow,
                                                HealthCheck.data_too_large])
settings.register_profile("ci", max_examples=6, derandomize=True, **_PROFILE_SETTINGS)
settings.register_profile("long", max_examples=150, **_PROFILE_SETTINGS)
settings.load_profile(os.environ.get("GPUIMB_HYPOTHESIS_PROFILE", "ci"))


CUDA = cuda_available()
_SMALL_SEARCH_LIMITS = {name: getattr(_bruteforce, name) for name in (
    "_FINE_SCREEN_CELLS", "_FINE_SCREEN_NARROW_INDEX", "_FINE_SCREEN_NARROW_PAIRS",
    "_EXACT_DIRECT_CELLS")}


def pytest_collection_modifyitems(config, items):
    if CUDA:
        return
    skip = pytest.mark.skip(reason="needs CUDA (cupy with a visible GPU)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def _single_threaded_blas_and_openmp():
    # On 2 busy cores, OpenMP/BLAS thread start-up dominates small fits (k-means
    # on 500 rows: 0.5 s instead of 0.01 s). One thread also makes scikit-learn's
    # neighbour order among exact ties reproducible.
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(autouse=True)
def _float32_screening_in_backend_tests(request, monkeypatch):
    # The backend tests use small data to exercise the float32 screening (see
    # force_float32_screening); a test of the small-search rule itself asks
    # for the small_search_rule fixture.
    if "backends" in request.node.path.parts:
        force_float32_screening(monkeypatch)


@pytest.fixture
def small_search_rule(monkeypatch):
    """The library's own limits for screening small searches in the data's
    dtype; returns the query x index x feature cells limit."""
    from gpuimb._backends import _bruteforce

    for name, value in _SMALL_SEARCH_LIMITS.items():
        monkeypatch.setattr(_bruteforce, name, value)
    return _SMALL_SEARCH_LIMITS["_FINE_SCREEN_CELLS"]


@pytest.fixture(params=HOST_NAMESPACES)
def xp_name(request):
    """Name of an array namespace runnable without a GPU."""
    return request.param


@pytest.fixture
def assert_unchanged():
    """Return a checker asserting that arrays were not modified by a call."""

    def snapshot(*arrays):
        copies = [np.array(a, copy=True) for a in arrays]

        def check():
            for original, copy in zip(arrays, copies, strict=True):
                np.testing.assert_array_equal(np.asarray(original), copy)

        return check

    return snapshot
