"""The bottom layer (gpuimb/utils/_array_api.py): moving arrays, scatter updates."""

import numpy as np
import pytest
import scipy.sparse as sp

from gpuimb.utils._array_api import (
    is_host_namespace,
    place_rows,
    sparse_module,
    to_host,
    to_namespace,
    vstack,
)


def _strict_device1():
    xps = pytest.importorskip("array_api_strict")
    return xps, xps.Device("device1")


def test_to_namespace_moves_host_data_to_a_device_and_back():
    xps, dev = _strict_device1()
    for values in ([3, 1, 2], np.array([3, 1, 2]), np.int64(3)):
        moved = to_namespace(values, xps, dev)
        assert moved.device == dev and moved.dtype == xps.int64
        np.testing.assert_array_equal(to_host(moved), np.asarray(values))
    as_float = to_namespace([1, 2], xps, dev, dtype=xps.float32)
    assert as_float.dtype == xps.float32 and as_float.device == dev
    back = to_namespace(as_float, np)
    assert isinstance(back, np.ndarray) and back.dtype == np.float32


def test_to_namespace_keeps_an_array_already_there_and_copies_host_buffers():
    xps, dev = _strict_device1()
    on_device = to_namespace(np.arange(3), xps, dev)
    assert to_namespace(on_device, xps, dev) is on_device
    cast = to_namespace(on_device, xps, dev, dtype=xps.float64)
    assert cast.dtype == xps.float64 and cast.device == dev
    # Another device of the same namespace: moved there.
    assert to_namespace(on_device, xps, xps.Device("CPU_DEVICE")).device != dev
    host = np.arange(3)
    moved = to_namespace(host, xps, dev)
    host[0] = 99  # the device copy does not share the caller's buffer
    assert int(moved[0]) == 0
    assert to_namespace(host, np) is host


@pytest.mark.parametrize("where", ["numpy", "device1"])
def test_place_rows_is_a_boolean_assignment_into_a_copy(where):
    rng = np.random.default_rng(0)
    into = rng.random((7, 3)).astype(np.float32)
    mask = np.array([0, 1, 1, 0, 0, 1, 0], dtype=bool)
    rows = rng.random((3, 3))  # float64: the result is promoted
    expected = into.astype(np.float64)
    expected[mask] = rows
    if where == "numpy":
        args = (into, mask, rows)
    else:
        xps, dev = _strict_device1()
        args = tuple(to_namespace(a, xps, dev) for a in (into, mask, rows))
    out = place_rows(*args)
    np.testing.assert_array_equal(to_host(out), expected)
    assert to_host(out).dtype == np.float64
    np.testing.assert_array_equal(to_host(args[0]), into)  # input untouched
    # 1-D, and no row to place
    flat = place_rows(args[0][:, 0], args[1], args[2][:, 0])
    np.testing.assert_array_equal(to_host(flat), expected[:, 0])
    none = place_rows(args[0], args[1] & False, args[2][:0, :])
    np.testing.assert_array_equal(to_host(none), into)


def test_sparse_module_and_vstack_keep_the_format():
    assert sparse_module(np) is sp
    xps, _ = _strict_device1()
    assert sparse_module(xps) is None and not is_host_namespace(xps)
    a = sp.csc_matrix(np.eye(2))
    stacked = vstack([a, a], like=a)
    assert stacked.format == "csc" and stacked.shape == (4, 2)
