"""Per-row selection of the smallest entries of a 2-D array.

One function per job, a native fast path where the library has one, and a pure
array-API fallback that runs on any namespace (``array_api_strict`` in CI, CuPy
on a GPU).
"""

import math

import numpy as np
from array_api_compat import array_namespace, device

from ..utils._array_api import is_host_namespace

__all__ = ["GROUP", "lexsort_rows", "merge_smallest_k", "smallest_k"]

# Callers pad distance blocks to a multiple of GROUP columns; every group size
# the reduction picks (a power of two up to GROUP) then divides the width.
GROUP = 256

# Rows narrower than this are selected by a plain sort.
_SORT_WIDTH = 256
# On the host, k argmin passes beat the group reduction up to about this k and
# row width (benchmarks/RESULTS.md, "Engines"), and on narrow rows, which stay
# in cache through the passes, up to a larger k (KEEL fifth round).
_ARGMIN_MAX_K = 12
_ARGMIN_MAX_WIDTH = 16384
_ARGMIN_NARROW_MAX_K = 24
_ARGMIN_NARROW_WIDTH = 2048


def smallest_k(values, k, *, xp=None, method="auto"):
    """Return the ``k`` smallest entries of each row and their column numbers.

    Parameters
    ----------
    values : array of shape (n_rows, n_cols)
        Real values; ``+inf`` marks entries that must not be chosen unless
        fewer than ``k`` finite entries exist.
    k : int
        How many entries per row, ``1 <= k``. When ``k >= n_cols`` every
        column is returned.
    xp : module, default=None
        Array namespace of ``values``; inferred when None.
    method : {"auto", "groupmin", "argmin", "partition", "sort"}, default="auto"
        ``"groupmin"`` first reduces groups of columns to their minima and
        then only looks inside the ``k`` best groups; ``"argmin"`` (NumPy
        only) takes ``k`` row-wise argmins, masking each entry found;
        ``"partition"`` is ``argpartition`` (NumPy only) and ``"sort"`` sorts
        whole rows (any namespace). ``"auto"`` uses ``"groupmin"`` on wide
        rows, then ``"partition"`` on NumPy and ``"sort"`` elsewhere; on
        NumPy, small ``k`` on rows of moderate width use ``"argmin"``.

    Returns
    -------
    values : array of shape (n_rows, min(k, n_cols))
        The selected values, in no particular order.
    columns : array of shape (n_rows, min(k, n_cols))
        Their column numbers (int64).

    Notes
    -----
    Ties at the k-th value are broken arbitrarily; callers that need an order
    re-sort the (small) result. The group reduction is exact: a group holding
    one of the k smallest entries has a minimum no larger than that entry, so
    it is among the k groups with the smallest minima. Group ``j`` is the
    strided set of columns ``j, j + n_groups, j + 2 n_groups, ...``, so the
    reduction is an element-wise minimum of contiguous slabs (vectorised on
    the host, coalesced on a GPU).
    """
    if xp is None:
        xp = array_namespace(values)
    n_rows, n_cols = values.shape
    if k >= n_cols:
        cols = xp.arange(n_cols, dtype=xp.int64, device=device(values))
        cols = xp.broadcast_to(cols[None, :], (n_rows, n_cols))
        return values, xp.asarray(cols, copy=True)
    host = is_host_namespace(xp)
    if method == "auto":
        if host and ((k <= _ARGMIN_MAX_K and n_cols <= _ARGMIN_MAX_WIDTH)
                     or (k <= _ARGMIN_NARROW_MAX_K and n_cols <= _ARGMIN_NARROW_WIDTH)):
            method = "argmin"
        elif n_cols >= max(_SORT_WIDTH, 16 * k):
            method = "groupmin"
        else:
            method = "partition" if host else "sort"
    if method == "groupmin":
        return _groupmin(values, k, xp)
    if method == "argmin":
        if not host:
            raise ValueError("method='argmin' needs NumPy arrays.")
        return _by_argmin(values, k)
    if method == "partition":
        if not host:
            raise ValueError("method='partition' needs NumPy arrays.")
        cols = np.argpartition(values, k - 1, axis=1)[:, :k]
        return np.take_along_axis(values, cols, axis=1), cols.astype(np.int64)
    return _by_sort(values, k, xp)


def _by_argmin(values, k):
    # Each entry found is masked with +inf for the next pass, then restored:
    # cheaper than copying a block that is read only k times.
    if not values.flags.writeable:
        values = values.copy()
    rows = np.arange(values.shape[0])
    cols = np.empty((values.shape[0], k), dtype=np.int64)
    found = np.empty((values.shape[0], k), dtype=values.dtype)
    done = 0
    try:
        for j in range(k):
            cols[:, j] = np.argmin(values, axis=1)
            found[:, j] = values[rows, cols[:, j]]
            values[rows, cols[:, j]] = np.inf
            done += 1
    finally:
        # In reverse: a column found twice (rows short of finite entries)
        # gets its original value back last.
        for j in reversed(range(done)):
            values[rows, cols[:, j]] = found[:, j]
    short = np.flatnonzero(np.isinf(found[:, -1]))
    if short.size:
        # Rows with fewer than k finite entries: the masking could pick one
        # column twice there, so select them by partition.
        again = np.argpartition(values[short], k - 1, axis=1)[:, :k]
        cols[short] = again
        found[short] = np.take_along_axis(values[short], again, axis=1)
    return found, cols


def _by_sort(values, k, xp):
    cols = xp.argsort(values, axis=1, stable=False)[:, :k]
    cols = xp.astype(cols, xp.int64)
    return xp.take_along_axis(values, cols, axis=1), cols


def _group_size(n_cols, k):
    # Selecting among n/s minima and then among k*s members costs about
    # n/s + k*s; s = sqrt(n/k) balances the two.
    size = 2 ** round(math.log2(max(n_cols / k, 1)) / 2)
    return int(min(max(size, 8), GROUP))


def _groupmin(values, k, xp):
    n_rows, n_cols = values.shape
    size = _group_size(n_cols, k)
    n_groups = -(-n_cols // size)
    width = n_groups * size
    if width != n_cols:
        # Callers size their blocks in multiples of GROUP to avoid this copy.
        pad = xp.full((n_rows, width - n_cols), xp.inf, dtype=values.dtype, device=device(values))
        values = xp.concat([values, pad], axis=1)
    minima = xp.min(xp.reshape(values, (n_rows, size, n_groups)), axis=1)
    _, groups = smallest_k(minima, k, xp=xp)
    members = n_groups * xp.arange(size, dtype=xp.int64, device=device(values))
    cols = xp.reshape(groups[:, :, None] + members[None, None, :], (n_rows, -1))
    candidates = xp.take_along_axis(values, cols, axis=1)
    chosen_values, chosen = smallest_k(
        candidates, k, xp=xp, method="partition" if is_host_namespace(xp) else "sort"
    )
    return chosen_values, xp.take_along_axis(cols, chosen, axis=1)


def merge_smallest_k(block, best_values, best_cols, offset, *, xp=None):
    """Merge a new block of columns into each row's running ``k`` smallest.

    Parameters
    ----------
    block : array of shape (n_rows, n_cols)
        New values; column ``j`` is column ``offset + j`` overall. On NumPy,
        ``n_cols`` should be a multiple of :data:`GROUP` (padded with large
        values).
    best_values, best_cols : arrays of shape (n_rows, k)
        The ``k`` smallest values seen so far and their column numbers.
    offset : int
        Overall column number of the block's first column.

    Returns
    -------
    best_values, best_cols : arrays of shape (n_rows, k)
        The ``k`` smallest of the old and new entries, in no particular order.
        An entry equal to a row's old ``k``-th value may be left out, which
        keeps every left-out entry at least as large as every kept one.
    """
    if xp is None:
        xp = array_namespace(block)
    if is_host_namespace(xp) and block.shape[1] % GROUP == 0:
        return _merge_below_threshold(block, best_values, best_cols, offset)
    k = best_values.shape[1]
    values, cols = smallest_k(block, k, xp=xp)
    values = xp.concat([best_values, values], axis=1)
    cols = xp.concat([best_cols, cols + offset], axis=1)
    values, pos = smallest_k(values, k, xp=xp, method="sort")
    return values, xp.take_along_axis(cols, pos, axis=1)


def _merge_below_threshold(block, best_values, best_cols, offset):
    # Once a row has k good values, few new entries beat its k-th: find them
    # through group minima, gather only those groups, and merge the few
    # survivors with one sort of (row, value) pairs. This avoids a partition
    # of every row of every block.
    n_rows, n_cols = block.shape
    k = best_values.shape[1]
    size = _group_size(n_cols, k)
    n_groups = n_cols // size
    threshold = best_values.max(axis=1)
    minima = block.reshape(n_rows, size, n_groups).min(axis=1)
    hit_rows, hit_groups = np.nonzero(minima < threshold[:, None])
    if hit_rows.size == 0:
        return best_values, best_cols
    cols = hit_groups[:, None] + n_groups * np.arange(size)
    values = block[hit_rows[:, None], cols]
    keep = values < threshold[hit_rows, None]
    rows = np.concatenate([np.repeat(np.arange(n_rows), k),
                           np.broadcast_to(hit_rows[:, None], keep.shape)[keep]])
    values = np.concatenate([best_values.ravel(), values[keep]])
    cols = np.concatenate([best_cols.ravel(), cols[keep] + offset])
    order = np.lexsort((values, rows))
    # Every row has at least its k old entries: keep the first k of each.
    firsts = np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=n_rows))[:-1]])
    take = order[firsts[:, None] + np.arange(k)]
    return values[take], cols[take].astype(np.int64, copy=False)


def lexsort_rows(primary, secondary, *, xp=None):
    """Sort each row by ``primary``, ties broken by ``secondary``.

    Parameters
    ----------
    primary : array of shape (n_rows, n_cols)
        Main key (a distance).
    secondary : array of shape (n_rows, n_cols)
        Tie-breaking key (an index); the pairs are expected to be distinct.

    Returns
    -------
    primary, secondary : arrays of shape (n_rows, n_cols)
        Both keys, permuted so that each row is in increasing (primary,
        secondary) order.
    """
    if xp is None:
        xp = array_namespace(primary, secondary)
    if is_host_namespace(xp):
        # One sort on both keys instead of two stable sorts.
        order = np.lexsort((secondary, primary), axis=-1)
        return (np.take_along_axis(primary, order, axis=1),
                np.take_along_axis(secondary, order, axis=1))
    order = xp.argsort(secondary, axis=1, stable=True)
    primary = xp.take_along_axis(primary, order, axis=1)
    secondary = xp.take_along_axis(secondary, order, axis=1)
    order = xp.argsort(primary, axis=1, stable=True)
    return (
        xp.take_along_axis(primary, order, axis=1),
        xp.take_along_axis(secondary, order, axis=1),
    )
