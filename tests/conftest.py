"""Shared fixtures: array namespaces to run the same test on, and the gpu marker."""

import numpy as np
import pytest
from threadpoolctl import threadpool_limits


def _cuda_available():
    try:
        import cupy

        return cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


CUDA = _cuda_available()


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


def to_namespace(name, array):
    """Convert a numpy array to the namespace called ``name``."""
    if name == "numpy":
        return array
    if name == "array_api_strict":
        import array_api_strict

        return array_api_strict.asarray(array)
    if name == "cupy":
        import cupy

        return cupy.asarray(array)
    raise ValueError(name)


HOST_NAMESPACES = ["numpy", "array_api_strict"]


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
