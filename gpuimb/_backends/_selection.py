"""Per-row selection of the smallest entries of a 2-D array.

One function per job, a native fast path where the library has one, and a pure
array-API fallback that runs on any namespace (``array_api_strict`` in CI, CuPy
on a GPU).
"""

import math

from ._namespace import array_namespace, device, is_host_namespace

__all__ = ["GROUP", "lexsort_rows", "smallest_k"]

# Width of the groups whose minima are taken in the generic path. A row of width
# n is reduced to n / GROUP minima in one read, so the selection proper works
# on an array GROUP times smaller than the distance block.
GROUP = 32

# Rows narrower than this are selected by a plain sort.
_SORT_WIDTH = 2048


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
    method : {"auto", "partition", "groupmin", "sort"}, default="auto"
        ``"partition"`` is NumPy's ``argpartition`` (host only); ``"groupmin"``
        reduces groups of :data:`GROUP` columns to their minima first and only
        looks inside the best groups; ``"sort"`` sorts whole rows. ``"auto"``
        uses ``"partition"`` on NumPy and ``"groupmin"`` elsewhere.

    Returns
    -------
    values : array of shape (n_rows, min(k, n_cols))
        The selected values, in no particular order.
    columns : array of shape (n_rows, min(k, n_cols))
        Their column numbers (int64).

    Notes
    -----
    Ties at the k-th value are broken arbitrarily; callers that need an order
    re-sort the (small) result. The group-minimum reduction is exact: a group
    that holds one of the k smallest entries has a minimum no larger than that
    entry, so it is among the k groups with the smallest minima.
    """
    if xp is None:
        xp = array_namespace(values)
    n_rows, n_cols = values.shape
    if k >= n_cols:
        cols = xp.arange(n_cols, dtype=xp.int64, device=device(values))
        cols = xp.broadcast_to(cols[None, :], (n_rows, n_cols))
        return values, xp.asarray(cols, copy=True)
    if method == "auto":
        method = "partition" if is_host_namespace(xp) else "groupmin"
    if method == "partition":
        import numpy as np

        values = np.asarray(values)
        cols = np.argpartition(values, k - 1, axis=1)[:, :k]
        return np.take_along_axis(values, cols, axis=1), cols.astype(np.int64)
    if method == "groupmin" and n_cols > max(_SORT_WIDTH, 4 * k * GROUP):
        return _groupmin(values, k, xp)
    return _by_sort(values, k, xp)


def _by_sort(values, k, xp):
    cols = xp.argsort(values, axis=1, stable=False)[:, :k]
    cols = xp.astype(cols, xp.int64)
    return xp.take_along_axis(values, cols, axis=1), cols


def _groupmin(values, k, xp):
    n_rows, n_cols = values.shape
    n_groups = math.ceil(n_cols / GROUP)
    width = n_groups * GROUP
    if width != n_cols:
        # Callers size their blocks in multiples of GROUP to avoid this copy.
        pad = xp.full(
            (n_rows, width - n_cols), xp.inf, dtype=values.dtype, device=device(values)
        )
        values = xp.concat([values, pad], axis=1)
    minima = xp.min(xp.reshape(values, (n_rows, n_groups, GROUP)), axis=2)
    _, groups = smallest_k(minima, k, xp=xp, method="groupmin")
    offsets = xp.arange(GROUP, dtype=xp.int64, device=device(values))
    cols = groups[:, :, None] * GROUP + offsets[None, None, :]
    cols = xp.reshape(cols, (n_rows, k * GROUP))
    candidates = xp.take_along_axis(values, cols, axis=1)
    chosen_values, chosen = _by_sort(candidates, k, xp)
    return chosen_values, xp.take_along_axis(cols, chosen, axis=1)


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
    order = xp.argsort(secondary, axis=1, stable=True)
    primary = xp.take_along_axis(primary, order, axis=1)
    secondary = xp.take_along_axis(secondary, order, axis=1)
    order = xp.argsort(primary, axis=1, stable=True)
    return (
        xp.take_along_axis(primary, order, axis=1),
        xp.take_along_axis(secondary, order, axis=1),
    )
