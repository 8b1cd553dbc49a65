"""Per-row selection helpers, on every namespace and method."""

import numpy as np
import pytest
from backends_helpers import NAMESPACES, as_namespace, cuda_available, host, namespace

from gpuimb._backends import lexsort_rows, smallest_k


@pytest.mark.parametrize("xp_name", NAMESPACES)
@pytest.mark.parametrize("method", ["auto", "groupmin", "sort", "partition", "argmin"])
@pytest.mark.parametrize("shape, k", [((7, 5000), 13), ((3, 300), 1), ((4, 256), 40)])
def test_smallest_k_selects_the_smallest(xp_name, method, shape, k):
    if method in ("partition", "argmin") and xp_name != "numpy":
        pytest.skip("argpartition is the NumPy fast path")
    rng = np.random.RandomState(0)
    values = rng.randn(*shape).astype(np.float32)
    values[:, ::7] = np.inf  # masked entries are never chosen
    xp = namespace(xp_name)
    given = as_namespace(xp_name, values)
    got_values, cols = smallest_k(given, k, xp=xp, method=method)
    got_values, cols = host(got_values), host(cols)
    assert cols.dtype == np.int64 and cols.shape == (shape[0], k)
    np.testing.assert_array_equal(np.take_along_axis(values, cols, 1), got_values)
    np.testing.assert_array_equal(np.sort(got_values, axis=1), np.sort(values, axis=1)[:, :k])
    assert all(len(set(row)) == k for row in cols)
    # The input comes back unchanged (the argmin path masks and restores).
    np.testing.assert_array_equal(host(given), values)


@pytest.mark.parametrize("xp_name", NAMESPACES)
def test_smallest_k_with_ties_and_k_too_large(xp_name):
    values = np.zeros((2, 3000))
    values[:, 100:] = 1.0
    xp = namespace(xp_name)
    got, cols = smallest_k(as_namespace(xp_name, values), 50, xp=xp, method="groupmin")
    assert np.all(host(cols) < 100) and np.all(host(got) == 0)
    got, cols = smallest_k(as_namespace(xp_name, values[:, :5]), 9, xp=xp)
    np.testing.assert_array_equal(host(cols), np.tile(np.arange(5), (2, 1)))


@pytest.mark.parametrize("xp_name", NAMESPACES)
def test_lexsort_rows(xp_name):
    d = np.array([[1.0, 0.5, 1.0, 0.5], [2.0, 2.0, 2.0, 1.0]])
    i = np.array([[9, 7, 3, 8], [5, 1, 3, 4]])
    sd, si = lexsort_rows(as_namespace(xp_name, d), as_namespace(xp_name, i))
    np.testing.assert_array_equal(host(si), [[7, 8, 3, 9], [4, 1, 3, 5]])
    np.testing.assert_array_equal(host(sd), [[0.5, 0.5, 1.0, 1.0], [1.0, 2.0, 2.0, 2.0]])


def test_argmin_rows_with_fewer_finite_entries_than_k():
    values = np.full((3, 40), np.inf)
    values[0, :2] = [3.0, 1.0]  # two finite entries, k = 4
    values[1, :] = np.arange(40.0)
    values[2, 5] = 0.0
    got, cols = smallest_k(values, 4, method="argmin")
    assert all(len(set(row)) == 4 for row in cols)  # no column twice
    np.testing.assert_array_equal(np.sort(got[0])[:2], [1.0, 3.0])
    np.testing.assert_array_equal(np.sort(cols[1]), [0, 1, 2, 3])
    assert 5 in cols[2]
    np.testing.assert_array_equal(np.take_along_axis(values, cols, 1), got)
    read_only = np.arange(12.0).reshape(2, 6)
    read_only.flags.writeable = False
    _, cols = smallest_k(read_only, 2, method="argmin")
    np.testing.assert_array_equal(np.sort(cols), [[0, 1], [0, 1]])


def test_partition_needs_numpy():
    import array_api_strict as xs

    with pytest.raises(ValueError, match="NumPy"):
        smallest_k(xs.asarray(np.zeros((2, 10))), 2, method="partition")


@pytest.mark.gpu
@pytest.mark.skipif(not cuda_available(), reason="needs a CUDA device")
@pytest.mark.parametrize("method", ["auto", "groupmin", "sort"])
def test_cupy_selection_matches_numpy(method):
    cupy = pytest.importorskip("cupy")
    rng = np.random.RandomState(1)
    values = rng.randn(64, 100_000).astype(np.float32)
    got, cols = smallest_k(cupy.asarray(values), 12, method=method)
    assert isinstance(cols, cupy.ndarray)
    np.testing.assert_array_equal(
        np.sort(cupy.asnumpy(got), axis=1), np.sort(values, axis=1)[:, :12]
    )
    np.testing.assert_array_equal(
        np.take_along_axis(values, cupy.asnumpy(cols), 1), cupy.asnumpy(got)
    )
