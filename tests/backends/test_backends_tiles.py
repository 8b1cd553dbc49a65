"""The host tile runner: every row once, nested calls, forked children."""

import multiprocessing
import sys

import numpy as np
import pytest

from gpuimb._backends import run_host_tiles
from gpuimb._backends._tiles import MIB, row_tiles, tile_rows, working_memory_bytes
from gpuimb._config import config_context


def _cover(n_rows, n_cols, **kwargs):
    hits = np.zeros(n_rows, dtype=np.int64)

    def tile(start, stop):
        hits[start:stop] += 1

    run_host_tiles(n_rows, n_cols, tile, **kwargs)
    return hits


@pytest.mark.parametrize("n_rows", [0, 1, 63, 64, 65, 1000, 100_003])
@pytest.mark.parametrize("n_cols", [1, 33, 5000])
def test_every_row_exactly_once(n_rows, n_cols):
    np.testing.assert_array_equal(_cover(n_rows, n_cols), np.ones(n_rows))
    np.testing.assert_array_equal(_cover(n_rows, n_cols, working_memory=1),
                                  np.ones(n_rows))


def test_tile_rows_fit_the_budget_and_row_tiles_cover_every_row_once():
    assert tile_rows(100, 1000) == 10 and tile_rows(1001, 1000) == 1
    assert tile_rows(0, 5) == 5  # a free row counts as one unit
    with config_context(working_memory=2):
        assert working_memory_bytes() == 2 * MIB
        assert tile_rows(MIB) == 2 and tile_rows(MIB, working_memory_bytes(0.5)) == 1
    assert list(row_tiles(7, 3)) == [(0, 3), (3, 6), (6, 7)]
    assert list(row_tiles(0, 3)) == []


def test_nested_tiles_run_without_deadlock():
    outer = np.zeros(4096, dtype=np.int64)

    def tile(start, stop):
        outer[start:stop] += _cover(stop - start, 8).sum() == stop - start

    run_host_tiles(outer.shape[0], 8, tile)
    np.testing.assert_array_equal(outer, np.ones_like(outer))


def test_tile_errors_reach_the_caller():
    def tile(start, stop):
        raise RuntimeError(f"tile {start}")

    with pytest.raises(RuntimeError, match="tile"):
        run_host_tiles(10_000, 8, tile)


def _child(queue):
    queue.put(int(_cover(10_000, 8).sum()))


@pytest.mark.skipif(sys.platform == "win32", reason="fork is POSIX only")
def test_forked_child_gets_its_own_pool():
    _cover(10_000, 8)  # the parent's pool exists before the fork
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    child = ctx.Process(target=_child, args=(queue,))
    child.start()
    child.join(timeout=60)
    assert child.exitcode == 0
    assert queue.get(timeout=5) == 10_000
