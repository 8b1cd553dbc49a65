"""Exact brute-force k-nearest neighbours, written against the array API.

The same functions run on NumPy, ``array_api_strict`` and CuPy. Distances are
found in two stages:

1. *Screening*: tiles of ``-2 q.x + |x|^2`` on centred data (one GEMM per
   tile) and a per-row selection of ``k + margin`` candidates, merged over
   index tiles, so no block larger than ``working_memory`` ever exists.
2. *Re-ranking*: the candidates' squared distances are recomputed directly from
   the rows (sum of squared differences) and sorted by (distance, index).

A rounding-error bound of the expanded form then certifies, row by row, that no
point outside the candidates can be nearer than the k-th re-ranked one. Rows
that fail pay for their ties only:

- when many fail and the index holds many duplicate rows, they are searched
  again over its distinct rows and the groups found are expanded (members of
  a group share their distance; :func:`_search_grouped`);
- rows whose float32 error bound is large against their k-th distance (large
  values, small gaps) are screened again in the data's dtype;
- the others get the tie band (:func:`_band`): only the points that may tie
  get direct distances, and only those are sorted.

A large query searches a few rows first to choose among these ways for the
rest (:func:`_search`). The result is therefore the exact (distance, index)
order of the directly computed distances, whatever the offset of the data.
"""


import functools
import math

import numpy as np
from array_api_compat import array_namespace, device
from sklearn.base import BaseEstimator

from .._config import get_config
from ..utils._array_api import native_module, place_rows, repeat_positions
from ._base import (
    KnnRequest,
    candidate_margin,
    direct_sq_distances,
    kneighbors_error,
    power_of_two_scale,
)
from ._selection import GROUP, lexsort_rows, merge_smallest_k, smallest_k
from ._tiles import (
    HOST_KNN_BLOCK_BYTES,
    HOST_WORKERS,
    host_map,
    host_single_thread,
    tile_rows,
    working_memory_bytes,
)

__all__ = ["BruteForceNeighbors", "centre", "kneighbors"]

# Tiny searches (query rows x index rows x features up to this) skip the
# screening: direct distances and one stable sort cost less than its set-up.
_EXHAUSTIVE_CELLS = 2**14
# Integer data exact in float64 only (values up to about 2**24: byte counts,
# ids) is searched exactly in float64 at once up to this many query x index x
# feature cells, instead of a float32 screening that must keep
# candidate_margin(k) extra candidates for its crowds of ties (RESULTS, KEEL
# sixth round: crx, australian, the vehicle and shuttle sets).
_EXACT_DIRECT_CELLS = 2**26
# Searches screened in the data's own dtype (see is_small_search): at most
# _FINE_SCREEN_CELLS query x index x feature cells, or an index of at most
# _FINE_SCREEN_NARROW_INDEX rows and at most _FINE_SCREEN_NARROW_PAIRS
# query x index pairs.
_FINE_SCREEN_CELLS = 2**22
_FINE_SCREEN_NARROW_INDEX = 512
_FINE_SCREEN_NARROW_PAIRS = 2**21
# Up to this k, exact integer searches select by k first-occurrence argmin
# passes on the host (a stable sort of every row beyond).
_EXACT_ARGMIN_MAX_K = 16
# When at least this share of a search's rows fail the certificate (ties), the
# index is checked for duplicate rows; if its distinct rows are at most
# _GROUPED_MAX_SHARE of it, those rows are searched again over the distinct
# rows (see _Groups). Tie-free searches never get here.
_GROUPED_MIN_REDO = 1 / 16
_GROUPED_MAX_SHARE = 0.9
# A band of at most this many points per row and neighbour is narrow: ties
# and near-ties, not a crowd of duplicates or float32 too coarse for the data.
_BAND_MAX_PAIRS_PER_K = 16
# Queries of at least _PROBE_MIN_QUERY rows and _PROBE_MIN_PAIRS query-index
# pairs search their first _PROBE_ROWS rows first, to choose the way for the
# others (see _search); smaller searches cost too little for a second pass to
# matter.
_PROBE_ROWS = 32
_PROBE_MIN_QUERY = 512
_PROBE_MIN_PAIRS = 2**20


def kneighbors(
    index,
    query=None,
    *,
    k,
    exclude_self=None,
    return_distance=True,
    working_memory=None,
):
    """Exact Euclidean k-nearest neighbours by tiled brute force.

    Parameters
    ----------
    index : array of shape (n_index, n_features)
        Points searched.
    query : array of shape (n_query, n_features), default=None
        Points whose neighbours are wanted; None means ``index`` itself.
    k : int
        Number of neighbours.
    exclude_self : bool or array of int of shape (n_query,), default=None
        Exclude each query point's own row of ``index``. ``True`` means query
        row ``i`` is index row ``i`` (the default when ``query`` is None); an
        integer array gives each query row's own index row. Duplicates of a
        point are other samples and are never excluded.
    return_distance : bool, default=True
        Return the distances as well as the indices.
    working_memory : float, default=None
        MiB of scratch memory per tile; None reads ``get_config()``.

    Returns
    -------
    distances : array of shape (n_query, k)
        Euclidean distances in the data's floating dtype, increasing.
    indices : array of shape (n_query, k)
        int64 index rows, in (distance, index) order.
    """
    xp = array_namespace(index) if query is None else array_namespace(index, query)
    if working_memory is None:
        working_memory = get_config()["working_memory"]
    if index.ndim == 2 and not xp.isdtype(index.dtype, "real floating"):
        index = xp.astype(index, xp.float64)
    if query is not None and query.ndim == 2 and query.dtype != index.dtype:
        query = xp.astype(query, index.dtype)
    request = KnnRequest(xp, index, query, k, exclude_self)
    index, query, own, k = request.index, request.query, request.own, request.k
    dev = device(index)
    if request.n_query == 0:
        empty = xp.zeros((0, k), dtype=xp.int64, device=dev)
        return (xp.zeros((0, k), dtype=index.dtype, device=dev), empty) \
            if return_distance else empty
    # Power-of-two rescaling when squares would overflow (|x| ~ 1e155 in
    # float64) or underflow: exact, so the (distance, index) order is the
    # unscaled one, and without it inf norms lose the screen to the padding
    # rows (IndexError). Squared distances are scaled back at the end.
    scale = power_of_two_scale(xp, index, query)
    if scale != 1.0:
        same = query is index
        index = index * scale
        query = index if same else query * scale
    integer = _integer_valued(xp, index, query)
    exact = _exact_plan(xp, index, query, working_memory) if integer and scale == 1.0 else None
    plan = None
    if exact is None or exact.screen_dtype != xp.float32:
        cells = request.n_query * request.n_index * index.shape[1]
        small = is_small_search(request.n_query, request.n_index, index.shape[1]) or (
            exact is not None and cells <= _EXACT_DIRECT_CELLS)
        plan = _Plan(xp, index, working_memory, screen_dtype=index.dtype if small else None,
                     mean=None if exact is None else exact.mean)
    if exact is not None and (plan is None or plan.screen_dtype == exact.screen_dtype):
        # Exact selection costs no more than the screening would.
        with host_single_thread(exact.native is np, user_api="blas"):
            d2, ind = _search_exact(exact, query, own, k)
    else:
        # Integer data exact only in float64 is screened in float32 and the
        # rows the certificate leaves open are searched again exactly.
        plan.exact = exact  # None unless integer data exact in float64 only
        margin = candidate_margin(k) if integer else 1
        n_candidates = min(k + margin, request.n_available)
        with host_single_thread(plan.native is np, user_api="blas"):
            d2, ind = _search(plan, query, own, k, n_candidates, request.n_available)
    if not return_distance:
        return ind
    # Scaled back after the square root: distances of huge values are finite
    # where their squares are not.
    dist = xp.sqrt(d2)
    return (dist if scale == 1.0 else dist / scale), ind


def is_small_search(n_query, n_index, n_features):
    """Whether a search is small enough to screen in the data's own dtype.

    There a float32 screening saves little (the GEMM is a small part, and
    against a narrow index, a few hundred rows such as a minority class, it
    runs far from either dtype's peak), and where float32 is too coarse for
    the data (large values, small gaps: KC1, PC1, the kddcup sets) most rows
    would be ranked a second time.
    """
    pairs = n_query * n_index
    return (pairs * n_features <= _FINE_SCREEN_CELLS
            or (n_index <= _FINE_SCREEN_NARROW_INDEX and pairs <= _FINE_SCREEN_NARROW_PAIRS))


def _integer_valued(xp, index, query):
    """Whether every value of the index and the query is an integer.

    Such data (counts, codes, one-hot columns) is where exact distance ties come
    in crowds. Its expanded-form distances are exact when small enough (see
    :func:`_exact_plan`); otherwise the screening keeps
    :func:`~._base.candidate_margin` candidates beyond ``k``. Data with a
    fractional value screens one candidate beyond ``k``: the margin only absorbs
    near-ties at the k-th distance (a row whose ties spill past it fails the
    certificate and is finished by the band), and each candidate fewer saves a
    selection pass over every screening block.
    """
    return bool(xp.all(index == xp.round(index))) and (
        query is index or bool(xp.all(query == xp.round(query))))


def _exact_plan(xp, index, query, working_memory):
    """A plan whose screening values are exact integers, or None.

    Integer data centred on an integer point (the column medians of a sample
    are data values) has integer centred coordinates of magnitude at most
    ``m``; every partial sum of ``|x|^2 - 2 q.x`` then is an integer of
    magnitude at most ``3 d m^2``, exact in a floating dtype while
    ``(4 d + 4) m^2`` stays below ``2**mantissa``, whatever order the GEMM
    adds in. Selecting by (value, index) on those values is the exact answer:
    no certificate, no tie band. The screening runs in float32 where that is
    exact (pixel values, counts, codes), else in the data's dtype, whose
    direct distances must be exact too.
    """
    mean = centre(xp, index)
    spread = float(xp.max(xp.abs(index - mean)))
    if query is not index:
        spread = max(spread, float(xp.max(xp.abs(query - mean))))
    size = (4 * index.shape[1] + 4) * spread * spread
    for dtype in (xp.float32, index.dtype):
        mantissa = -math.frexp(float(xp.finfo(dtype).eps))[1] + 1
        if size < 2.0**mantissa:
            return _Plan(xp, index, working_memory, grouping=False, screen_dtype=dtype,
                         mean=mean)
    return None


class _Plan:
    """Index-side state shared by all query tiles: centring and tile sizes."""

    def __init__(self, xp, index, working_memory, *, grouping=True, screen_dtype=None,
                 mean=None):
        self.xp = xp
        self.native = native_module(xp)
        self.index = index
        self.working_memory = working_memory
        # False: not looked for yet; None: none, or too few duplicates to group.
        self._groups = False if grouping else None
        self._parent = None  # the plan a fine plan was made from (shares its groups)
        self._distinct = {}
        self._fine_plan = None
        # An exact plan of the same index (see _exact_plan) that finishes the
        # rows the certificate leaves open, when the data allows one.
        self.exact = None
        self.device = device(index)
        self.dtype = index.dtype
        self.itemsize = xp.finfo(self.dtype).bits // 8
        n_index, n_features = index.shape
        self.n_index = n_index
        self.n_features = n_features
        self.mean = centre(xp, index) if mean is None else mean
        self.screen_dtype = (_screen_dtype(xp, index, self.mean) if screen_dtype is None
                             else screen_dtype)
        finfo = xp.finfo(self.screen_dtype)
        self.screen_itemsize = finfo.bits // 8
        self.eps = float(finfo.eps)
        self.tiny = float(finfo.smallest_normal)
        self.big = float(finfo.max)
        budget = max(int(working_memory_bytes(working_memory)), 1)
        self.workers = 1
        if self.native is np:
            # NumPy's element-wise passes are single-threaded: run one query
            # tile per core (BLAS limited to one thread meanwhile), each with
            # its share of the budget, in blocks small enough to stay in cache.
            self.workers = HOST_WORKERS
            budget = budget // self.workers
            self.block_cap = min(budget, HOST_KNN_BLOCK_BYTES)
        else:
            self.block_cap = budget
        self.budget = max(budget, 1)
        # Bytes per cell of a screening block: the block and one temporary of
        # the same size (or, in generic code, a boolean mask).
        self.cell = 2 * self.screen_itemsize + (0 if self.native is not None else 1)
        row_bytes = (n_features + 1) * self.screen_itemsize
        width = _padded(n_index)
        min_rows = 64
        if width * (row_bytes + self.cell * min_rows) > self.block_cap:
            width = (self.block_cap // (row_bytes + self.cell * min_rows)) // GROUP
            width = max(GROUP, width * GROUP)
        self.width = width
        self._chunks = None
        if _padded(n_index) * row_bytes <= self.budget // 2:
            # The centred index fits in half the budget: build it once.
            self._chunks = [
                self._chunk(start, min(start + width, n_index))
                for start in range(0, n_index, width)
            ]

    def _chunk(self, start, stop):
        """Centred index rows ``start:stop`` with their squared norms appended.

        ``[-2 q, 1] @ [x, |x|^2].T`` gives the screening values in one GEMM.
        Padding rows (up to a multiple of GROUP, see :func:`_padded`) get a
        huge norm.
        """
        xp = self.xp
        centred = self.index[start:stop, :] - self.mean
        norms = xp.sum(centred * centred, axis=1)
        n_pad = 0 if self.n_index < GROUP else _round_up(stop - start, GROUP) - (stop - start)
        parts = [xp.concat([centred, norms[:, None]], axis=1)]
        if n_pad:
            pad = xp.zeros((n_pad, self.n_features + 1), dtype=self.dtype, device=self.device)
            # The screening dtype's largest value: finite after the cast.
            big = xp.full((n_pad, 1), self.big, dtype=self.dtype, device=self.device)
            parts.append(xp.concat([pad[:, :-1], big], axis=1))
        augmented = xp.concat(parts, axis=0) if n_pad else parts[0]
        return start, stop, xp.astype(augmented, self.screen_dtype, copy=False)

    def chunks(self):
        if self._chunks is not None:
            yield from self._chunks
            return
        for start in range(0, self.n_index, self.width):
            yield self._chunk(start, min(start + self.width, self.n_index))

    def query_rows(self, n_candidates):
        """Rows of a query tile that keep every block under the budget."""
        chunk_bytes = self.width * (self.n_features + 1) * self.screen_itemsize
        if self._chunks is not None:
            chunk_bytes = self.budget // 2
        per_row = max(
            self.width * self.cell,
            # gathered candidate rows for the re-rank, with one temporary
            2 * n_candidates * self.n_features * self.itemsize,
        )
        return tile_rows(per_row, min(self.block_cap, self.budget - chunk_bytes))

    def groups(self):
        """The index's groups of identical rows (:class:`_Groups`), or None
        when grouping would not pay (few duplicates); found once."""
        if self._parent is not None:
            return self._parent.groups()
        if self._groups is False:
            self._groups = _Groups.find(self.xp, self.index,
                                        _GROUPED_MAX_SHARE * self.n_index)
        return self._groups

    def fine_plan(self):
        """This plan screening in the data's own dtype (built once)."""
        if self.screen_dtype == self.dtype:
            return self
        if self._fine_plan is None:
            self._fine_plan = _Plan(self.xp, self.index, self.working_memory,
                                    screen_dtype=self.dtype, mean=self.mean)
            self._fine_plan._parent = self
        return self._fine_plan

    def distinct_plan(self, fine):
        """A plan over one row per group (see :func:`_search_grouped`),
        screening in the data's dtype when ``fine`` (built once each)."""
        fine = fine or self.screen_dtype == self.dtype
        if fine not in self._distinct:
            index = self.xp.take(self.index, self.groups().first, axis=0)
            # The parent's centre serves (any centre keeps the search exact).
            self._distinct[fine] = _Plan(self.xp, index, self.working_memory, grouping=False,
                                         screen_dtype=self.dtype if fine else None,
                                         mean=self.mean)
        return self._distinct[fine]

    def exhaustive_shape(self):
        """Rows and index width of one block of direct distances."""
        per_col = 2 * self.n_features * self.itemsize + self.cell
        width = min(self.n_index, tile_rows(per_col, self.block_cap))
        return tile_rows(per_col * width, self.block_cap), width


def centre(xp, index):
    """The point the screening measures from: the column medians of at most
    1,024 evenly spaced rows.

    Any centre keeps the search exact (the certificate measures each row's
    rounding error from it); a typical point keeps most rows' centred norms,
    and so their error bounds, small. The mean is pulled far from the bulk of
    the data by a few huge values (counts, byte sizes), and then every row's
    bound grows with that outlier.
    """
    n = index.shape[0]
    if n == 0:
        return xp.zeros((index.shape[1],), dtype=index.dtype, device=device(index))
    sample = index[::max(1, -(-n // 1024)), :]
    return xp.sort(sample, axis=0, stable=False)[sample.shape[0] // 2, :]


def _screen_dtype(xp, index, mean):
    """float32 screening for float64 data whose squares stay far from overflow.

    The screening only picks candidates; the certificate below uses the
    float32 error bound, so results stay exact (float32 halves the GEMM and
    the selection passes).
    """
    if index.dtype != xp.float64 or index.shape[0] == 0:
        return index.dtype
    return xp.float32 if fits_float32(xp, mean, index) else index.dtype


def fits_float32(xp, centre, *arrays):
    """True when float32 squared distances of ``arrays - centre`` stay far
    from overflow (so float32 screening can be certified)."""
    n_features = max(arrays[0].shape[1], 1)
    spread = max(float(xp.max(xp.abs(a - centre))) for a in arrays)
    return spread < 2.0**50 / n_features


def _round_up(n, multiple):
    return max(multiple, -(-n // multiple) * multiple)


def _padded(n_index):
    """Screening blocks' width for an index of ``n_index`` rows: a multiple of
    GROUP (see smallest_k), but an index narrower than GROUP stays as it is
    (its blocks are selected by argmin passes or a sort, which need no
    padding, and padding 30 rows to 256 makes the screening 8x wider)."""
    return n_index if n_index < GROUP else _round_up(n_index, GROUP)


def _mask_own(plan, block, own_tile, start, stop):
    """Set the query rows' own index columns of ``block`` to +inf."""
    xp = plan.xp
    inside = (own_tile >= start) & (own_tile < stop)
    if plan.native is not None:
        rows = plan.native.nonzero(inside)[0]
        if rows.shape[0]:
            block[rows, own_tile[rows] - start] = plan.native.inf
        return block
    if not bool(xp.any(inside)):
        return block
    cols = xp.arange(block.shape[1], dtype=xp.int64, device=plan.device) + start
    return xp.where(own_tile[:, None] == cols[None, :], xp.inf, block)


def _screen(plan, centred_query, own_tile, n_candidates):
    """Approximate ``|x|^2 - 2 q.x`` screening over all index chunks."""
    xp = plan.xp
    ones = xp.ones((centred_query.shape[0], 1), dtype=plan.dtype, device=plan.device)
    scaled = xp.concat([-2 * centred_query, ones], axis=1)
    scaled = xp.astype(scaled, plan.screen_dtype, copy=False)
    best_values = best_cols = None
    for start, stop, chunk in plan.chunks():
        block = scaled @ xp.matrix_transpose(chunk)
        if own_tile is not None:
            block = _mask_own(plan, block, own_tile, start, stop)
        if best_values is None:
            best_values, best_cols = smallest_k(block, n_candidates, xp=xp)
            best_cols = best_cols + start
        else:
            best_values, best_cols = merge_smallest_k(
                block, best_values, best_cols, start, xp=xp)
        del block
    return best_values, best_cols


def _search(plan, query, own, k, n_candidates, n_avail, parallel=True, probe=True):
    """Exact k nearest of the query rows; returns squared distances, indices.

    Rows that the first screening cannot certify are finished by
    :func:`_finish`. On a large query the first few rows are searched alone
    first (``probe``): when they show many ties over an index with duplicate
    rows, or float32 screening too coarse for the data, the other rows go the
    way that pays at once instead of being searched twice. The probe's rows
    are part of the answer, so the tie-free case pays nothing but their
    running on one thread.
    """
    xp = plan.xp
    if (n_candidates >= n_avail
            or query.shape[0] * plan.n_index * plan.n_features <= _EXHAUSTIVE_CELLS):
        return _exhaustive(plan, query, own, k)
    parallel = parallel and plan.workers > 1
    n_query = query.shape[0]
    if not probe or n_query < _PROBE_MIN_QUERY or n_query * plan.n_index < _PROBE_MIN_PAIRS:
        first = _first_pass(plan, query, own, k, n_candidates, parallel)
        return _finish(plan, query, own, k, n_candidates, n_avail, parallel, *first)
    head = slice(0, _PROBE_ROWS)
    rest = slice(_PROBE_ROWS, n_query)
    own_head = None if own is None else own[head]
    own_rest = None if own is None else own[rest]
    first = _first_pass(plan, query[head, :], own_head, k, n_candidates, False)
    failed, coarse = _failures(plan, *first[2:])
    d2, cols = _finish(plan, query[head, :], own_head, k, n_candidates, n_avail, False,
                       *first)
    fine = 2 * int(xp.count_nonzero(coarse)) >= _PROBE_ROWS
    tie_heavy = _GROUPED_MIN_REDO * _PROBE_ROWS <= int(xp.count_nonzero(failed))
    if tie_heavy and plan.exact is not None:
        d2_rest, cols_rest = _search_exact(plan.exact, query[rest, :], own_rest, k)
    elif tie_heavy and plan.groups() is not None:
        d2_rest, cols_rest = _search_grouped(plan, query[rest, :], own_rest, k, fine)
    else:
        d2_rest, cols_rest = _search(plan.fine_plan() if fine else plan, query[rest, :],
                                     own_rest, k, n_candidates, n_avail, parallel, False)
    return xp.concat([d2, d2_rest], axis=0), xp.concat([cols, cols_rest], axis=0)


def _first_pass(plan, query, own, k, n_candidates, parallel):
    """:func:`_search_tile` over all query tiles, results concatenated."""
    xp = plan.xp
    # A query that fits one tile stays on the calling thread: split over the
    # tile threads, a 650-row search gained 25 % alone but lost 90 % right
    # after a scikit-learn call whose OpenMP threads still spin (RESULTS,
    # KEEL fifth round).
    rows = plan.query_rows(n_candidates)

    def tile(start):
        stop = min(start + rows, query.shape[0])
        own_tile = None if own is None else own[start:stop]
        return _search_tile(plan, query[start:stop, :], own_tile, k, n_candidates)

    starts = range(0, query.shape[0], rows)
    results = host_map(tile, starts) if parallel else [tile(start) for start in starts]
    return tuple(parts[0] if len(parts) == 1 else xp.concat(parts, axis=0)
                 for parts in zip(*results, strict=True))


def _failures(plan, certified, q_norms, kth, bound):
    """Rows that failed the certificate, and among them the *coarse* ones:
    float32 screening whose error bound is not small against the row's k-th
    distance (large values, small gaps), where a band would hold far more
    points than the ties."""
    xp = plan.xp
    failed = ~certified
    if plan.screen_dtype == plan.dtype:
        return failed, xp.zeros_like(failed)
    return failed, failed & (kth > 0) & (2 * bound > kth)


def _finish(plan, query, own, k, n_candidates, n_avail, parallel,
            d2, cols, certified, q_norms, kth, bound):
    """Make exact the rows of a first pass that its certificate left open."""
    xp = plan.xp
    if bool(xp.all(certified)):
        return d2, cols
    if plan.exact is not None:
        # One exact pass for each open row: no band, no grouping.
        failed = ~certified
        redo = xp.nonzero(failed)[0]
        d2_redo, cols_redo = _search_exact(
            plan.exact, xp.take(query, redo, axis=0),
            None if own is None else xp.take(own, redo, axis=0), k)
        return place_rows(d2, failed, d2_redo), place_rows(cols, failed, cols_redo)
    failed, coarse = _failures(plan, certified, q_norms, kth, bound)
    redo = xp.nonzero(failed)[0]
    n_redo = redo.shape[0]
    n_coarse = int(xp.count_nonzero(coarse))
    if n_redo >= _GROUPED_MIN_REDO * query.shape[0]:
        # Many open rows. When they are mostly ties (not float32 too coarse
        # for the data, nor copies of the query row beyond its k nearest), a
        # narrow band (a few ties per row) finishes the ties at the cost of
        # one screening. Crowds of duplicates overflow it: over an index with
        # many duplicate rows, the open rows are searched again over the
        # distinct rows, where far fewer points tie.
        redone = None
        if not _crowded(xp, failed, coarse, kth):
            ties = failed & ~coarse
            redone = _band_rows(plan, query, own, xp.nonzero(ties)[0], q_norms, kth, bound,
                                k, parallel, max_pairs_per_row=_BAND_MAX_PAIRS_PER_K * k)
        if redone is not None:
            d2, cols = place_rows(d2, ties, redone[0]), place_rows(cols, ties, redone[1])
            if not n_coarse:
                return d2, cols
            failed, redo, n_redo = coarse, xp.nonzero(coarse)[0], n_coarse
        elif plan.groups() is not None:
            d2_redo, cols_redo = _search_grouped(
                plan, xp.take(query, redo, axis=0),
                None if own is None else xp.take(own, redo, axis=0), k,
                2 * n_coarse >= n_redo)
            return place_rows(d2, failed, d2_redo), place_rows(cols, failed, cols_redo)
    if n_coarse >= _GROUPED_MIN_REDO * query.shape[0]:
        # Many coarse rows are screened again in the data's dtype, cheaper
        # than a wide band (a few cost less in the band, whose second drawing
        # is in the data's dtype).
        rows = xp.nonzero(coarse)[0]
        d2_fine, cols_fine = _search(
            plan.fine_plan(), xp.take(query, rows, axis=0),
            None if own is None else xp.take(own, rows, axis=0), k, n_candidates,
            n_avail, parallel, False)
        d2, cols = place_rows(d2, coarse, d2_fine), place_rows(cols, coarse, cols_fine)
        if n_coarse == n_redo:
            return d2, cols
        failed = failed & ~coarse
        redo = xp.nonzero(failed)[0]
        n_redo = redo.shape[0]
    # Ties or near-ties at the k-th distance: only these rows, and in them
    # only the points that may tie, are looked at again (the band).
    d2_redo, cols_redo = _band_rows(plan, query, own, redo, q_norms, kth, bound, k, parallel)
    return place_rows(d2, failed, d2_redo), place_rows(cols, failed, cols_redo)


def _crowded(xp, failed, coarse, kth):
    """Whether most rows that failed the certificate would overflow a narrow
    band: float32 too coarse for the data (``coarse``), or more copies of the
    query row than its k nearest (a k-th distance of 0)."""
    crowded = int(xp.count_nonzero(failed & (coarse | (kth == 0))))
    return 2 * crowded >= int(xp.count_nonzero(failed))


def _band_rows(plan, query, own, rows, q_norms, kth, bound, k, parallel,
               max_pairs_per_row=None):
    """:func:`_band` for the query rows ``rows``, gathered from all tiles so
    that a few rows per tile cost one pass; None when a piece's band holds
    more than ``max_pairs_per_row`` points per row (see :func:`_band`)."""
    xp = plan.xp
    n_rows = rows.shape[0]
    piece = max(-(-n_rows // plan.workers), 128) if parallel else n_rows

    def band(start):
        sel = rows[start:min(start + piece, n_rows)]
        q = xp.take(query, sel, axis=0)
        max_pairs = None if max_pairs_per_row is None else max_pairs_per_row * sel.shape[0]
        return _band(plan, q, q - plan.mean, xp.take(q_norms, sel, axis=0),
                     xp.take(kth, sel, axis=0), xp.take(bound, sel, axis=0),
                     None if own is None else xp.take(own, sel, axis=0), k,
                     max_pairs=max_pairs)

    starts = range(0, n_rows, piece)
    redone = host_map(band, starts) if parallel else [band(start) for start in starts]
    if any(r is None for r in redone):
        return None
    if len(redone) == 1:
        return redone[0]
    return (xp.concat([r[0] for r in redone], axis=0),
            xp.concat([r[1] for r in redone], axis=0))


@functools.lru_cache(maxsize=64)
def _hash_weights(n_features):
    """The fixed random projection :class:`_Groups` hashes rows with."""
    weights = np.random.default_rng(20261201).standard_normal(n_features)
    weights.flags.writeable = False
    return weights


def _hash_runs(xp, index):
    """The index rows in the order of a hash (stable: equal hashes keep the
    rows' order), and which sorted positions start a run of equal hashes."""
    hashes = xp.sum(index * xp.asarray(_hash_weights(index.shape[1]), dtype=index.dtype,
                                       device=device(index)), axis=1)
    order = xp.argsort(hashes, stable=True)
    hashes = xp.take(hashes, order)
    starts = xp.concat([xp.ones((1,), dtype=xp.bool, device=device(index)),
                        hashes[1:] != hashes[:-1]])
    return order, starts


class _Groups:
    """The index rows grouped by value: identical rows share a group.

    Members of a group are at the same distance from any query, so a search
    over one row per group (the *distinct* rows) and an expansion of the groups
    found gives the neighbours of the whole index (:func:`_search_grouped`).
    Rows are hashed by one random projection and each hash run is checked
    against its first row: a group never holds different rows, and identical
    rows that a rounding difference or a collision keeps apart stay separate
    groups (less saving, the same answer).

    Attributes
    ----------
    n_groups : int
    first : array of int64 of shape (n_groups,)
        Each group's smallest index row, increasing (groups are numbered in
        the order of their first rows).
    group : array of int64 of shape (n_index,)
        Each index row's group.
    counts : array of int64 of shape (n_groups,)
    """

    @classmethod
    def find(cls, xp, index, max_groups):
        """The groups of ``index``, or None when it has more than
        ``max_groups``: runs of equal hashes never outnumber the groups, so
        one sort of the hashes tells, before any row is compared."""
        runs = _hash_runs(xp, index)
        if int(xp.count_nonzero(runs[1])) > max_groups:
            return None
        return cls(xp, index, runs)

    def __init__(self, xp, index, runs=None):
        n = index.shape[0]
        order, starts = _hash_runs(xp, index) if runs is None else runs
        run = xp.cumulative_sum(xp.astype(starts, xp.int64)) - 1
        # The stable sort puts each run's smallest row first.
        leader = xp.take(xp.take(order, xp.nonzero(starts)[0]), run)
        same = xp.all(xp.take(index, order, axis=0) == xp.take(index, leader, axis=0),
                      axis=1)
        rep = xp.where(same, leader, order)  # per sorted position
        self.first = xp.sort(xp.take(order, xp.nonzero(rep == order)[0]))
        self.n_groups = int(self.first.shape[0])
        native = native_module(xp)
        if native is not None:
            # Scatters: a row's group is its representative's rank among the
            # first rows, and the sorted positions go back to rows.
            rank = native.empty(n, dtype=native.int64)
            rank[self.first] = native.arange(self.n_groups, dtype=native.int64)
            self.group = native.empty(n, dtype=native.int64)
            self.group[order] = rank[rep]
        else:
            group_sorted = xp.astype(xp.searchsorted(self.first, rep), xp.int64)
            self.group = xp.take(group_sorted, xp.argsort(order))
        self._index = index
        self._by_group = None

    def members(self, m):
        """The first ``m`` index rows of each group, shape (n_groups, m);
        missing members are ``n_index``."""
        xp = array_namespace(self.group)
        n = self.group.shape[0]
        dev = device(self.group)
        if self._by_group is None:
            self._by_group = xp.astype(xp.argsort(self.group, stable=True), xp.int64)
            groups = xp.arange(self.n_groups, dtype=xp.int64, device=dev)
            sorted_groups = xp.take(self.group, self._by_group)
            self._starts = xp.astype(xp.searchsorted(sorted_groups, groups), xp.int64)
            ends = xp.concat([self._starts[1:], xp.asarray([n], dtype=xp.int64, device=dev)])
            self.counts = ends - self._starts
        slots = self._starts[:, None] + xp.arange(m, dtype=xp.int64, device=dev)[None, :]
        rows = xp.take(self._by_group, xp.reshape(xp.clip(slots, 0, n - 1), (-1,)))
        rows = xp.reshape(rows, slots.shape)
        return xp.where(slots < (self._starts + self.counts)[:, None], rows, n)


def _search_grouped(plan, query, own, k, fine):
    """Exact k nearest of the query rows through the index's distinct rows.

    The first ``k`` groups in (distance, first row) order hold every needed
    neighbour: fewer than ``k`` points lie nearer than the k-th distance, and
    of the groups at that distance, those whose first rows are smallest
    supply the smallest indices. Each group found gives its first ``k``
    members (``k + 1`` when a query row's own row may be among them), and
    those candidates are sorted by (distance, index). A query row's own group
    is left out of the search only when the row is its only member. ``fine``
    screens the distinct rows in the data's dtype.
    """
    xp = plan.xp
    groups = plan.groups()
    sub = plan.distinct_plan(fine)
    n_groups = groups.n_groups
    members = groups.members(k if own is None else k + 1)
    own_group = None
    if own is not None:
        own_group = xp.take(groups.group, own)
        alone = xp.take(groups.counts, own_group) == 1
        # -1 masks no column: the row's group has other members.
        own_group = xp.where(alone, own_group, xp.full_like(own_group, -1))
    n_avail = n_groups - (0 if own is None else 1)
    if k >= n_avail:
        # Few groups: take them all (an excluded own group comes last, at +inf).
        d2, found = _exhaustive(sub, query, own_group, n_groups)
    else:
        d2, found = _search(sub, query, own_group, k, min(k + candidate_margin(k), n_avail),
                            n_avail)
    n_rows, n_found = found.shape
    m = members.shape[1]
    n_keep = _groups_needed(xp, groups, found, d2, k if own is None else k + 1, m)
    step = tile_rows(4 * n_found * m * 8, plan.budget)
    d2_parts, col_parts = [], []
    for r0 in range(0, n_rows, step):
        r1 = min(r0 + step, n_rows)
        width = int(xp.max(n_keep[r0:r1]))
        d2_tile, cols_tile = _expand_groups(
            xp, members, groups.counts, found[r0:r1, :width], d2[r0:r1, :width],
            n_keep[r0:r1], None if own is None else own[r0:r1], k, plan.n_index)
        d2_parts.append(d2_tile)
        col_parts.append(cols_tile)
    if len(d2_parts) == 1:
        return d2_parts[0], col_parts[0]
    return xp.concat(d2_parts, axis=0), xp.concat(col_parts, axis=0)


def _expand_groups(xp, members, counts, found, group_d2, n_keep, own, k, n_index):
    """The k nearest index rows of each query row from the groups it needs.

    ``found`` and ``group_d2`` are a row's groups in (distance, first row)
    order and their distances; its first ``n_keep`` groups hold its answer
    (:func:`_groups_needed`). Their members (at most ``members.shape[1]``
    each) are laid out flat, one entry per real member, not padded to a
    full group each. Members of equal distance are those of groups of equal
    distance, so a member's rank of distance is its group's rank among the
    row's distinct group distances, and (row, rank, index) is one exact
    integer key: one sort of integers orders every row's members by
    (distance, index). A query row's own row gets the last rank.
    """
    n_rows, width = found.shape
    m = members.shape[1]
    dev = device(found)
    positions = xp.arange(width, dtype=xp.int64, device=dev)
    sizes = xp.reshape(xp.take(counts, xp.reshape(found, (-1,))), (n_rows, width))
    sizes = xp.where(positions[None, :] < n_keep[:, None],
                     xp.minimum(sizes, xp.asarray(m, dtype=sizes.dtype, device=dev)),
                     xp.zeros_like(sizes))
    sizes = xp.reshape(xp.astype(sizes, xp.int64), (-1,))
    entry = repeat_positions(xp, sizes)  # each member's (row, group position)
    starts = xp.cumulative_sum(sizes) - sizes
    slot = xp.arange(entry.shape[0], dtype=xp.int64, device=dev) - xp.take(starts, entry)
    cols = xp.take(xp.reshape(members, (-1,)),
                   xp.take(xp.reshape(found, (-1,)), entry) * m + slot)
    row = entry // width
    steps = xp.astype(group_d2[:, 1:] > group_d2[:, :-1], xp.int64)
    rank = xp.concat([xp.zeros((n_rows, 1), dtype=xp.int64, device=dev),
                      xp.cumulative_sum(steps, axis=1)], axis=1)
    member_rank = xp.take(xp.reshape(rank, (-1,)), entry)
    if own is not None:
        mine = cols == xp.take(own, row)
        member_rank = xp.where(mine, xp.full_like(member_rank, width), member_rank)
    keys = xp.sort((row * (width + 1) + member_rank) * (n_index + 1) + cols, stable=False)
    # Row i's members come after those of the rows before it; each row has
    # at least k besides its own row (_groups_needed).
    row_sizes = xp.sum(xp.reshape(sizes, (n_rows, width)), axis=1)
    first = xp.cumulative_sum(row_sizes) - row_sizes
    slots = first[:, None] + xp.arange(k, dtype=xp.int64, device=dev)[None, :]
    picked = xp.reshape(xp.take(keys, xp.reshape(slots, (-1,))), (n_rows, k))
    cols_out = picked % (n_index + 1)
    rank_out = (picked // (n_index + 1)) % (width + 1)
    # The distance of rank r is that of the first group of rank r.
    first_of_rank = xp.sum(xp.astype(rank[:, None, :] < positions[None, :, None], xp.int64),
                           axis=2)
    dist_of_rank = xp.take_along_axis(group_d2, xp.clip(first_of_rank, 0, width - 1), axis=1)
    d2_out = xp.take_along_axis(dist_of_rank, xp.clip(rank_out, 0, width - 1), axis=1)
    return d2_out, cols_out


def _groups_needed(xp, groups, found, d2, need, m):
    """Per row, how many of the groups found (in (distance, first row) order)
    hold its k nearest points.

    Once the first groups hold ``need`` members (``k``, one more when a row's
    own row may be among them), every point of the answer is at most as far
    as the last of them: the groups at that distance or nearer suffice. A
    group further down at the same distance has a larger first row than each
    of the ``k`` groups before it, so none of its members is needed. With few,
    crowded groups (the kddcup sets) that is one or two groups instead of k.
    """
    n_rows, n_found = found.shape
    dev = device(found)
    counts = xp.take(groups.counts, xp.reshape(found, (-1,)))
    counts = xp.reshape(xp.minimum(counts, xp.asarray(m, dtype=counts.dtype, device=dev)),
                        (n_rows, n_found))
    covered = xp.astype(xp.cumulative_sum(counts, axis=1) >= need, xp.int8)
    last = xp.where(xp.any(covered == 1, axis=1), xp.argmax(covered, axis=1),
                    xp.full((n_rows,), n_found - 1, dtype=xp.int64, device=dev))
    reach = xp.take_along_axis(d2, xp.astype(last, xp.int64)[:, None], axis=1)
    return xp.sum(xp.astype(d2 <= reach, xp.int64), axis=1)


def _search_tile(plan, query, own_tile, k, n_candidates):
    """Screened, re-ranked candidates of a query tile and their certificate.

    Returns the k best candidates (squared distances, indices), which rows are
    certified exact, and per row the centred norm, k-th distance and error
    bound that :func:`_band` needs for the others.
    """
    xp = plan.xp
    centred = query - plan.mean
    q_norms = xp.sum(centred * centred, axis=1)
    approx, cols = _screen(plan, centred, own_tile, n_candidates)
    threshold = xp.astype(xp.max(approx, axis=1), plan.dtype) + q_norms
    d2 = direct_sq_distances(xp, plan.index, query, cols)
    d2, cols = lexsort_rows(d2, cols, xp=xp)
    d2, cols = d2[:, :k], cols[:, :k]
    kth = d2[:, k - 1]
    # No point outside the candidates is nearer than the k-th once the
    # screening threshold exceeds it by more than the expanded form's error
    # bound (rounding to the screening dtype included); a point that near has
    # |x| <= |q| + sqrt(kth). The absolute term covers subnormal underflow.
    eps = plan.eps
    reach = xp.sqrt(q_norms) + xp.sqrt(kth)
    bound = (4 * plan.n_features + 16) * (
        eps * (q_norms + reach * reach + kth) + plan.tiny)
    certified = threshold > kth + bound
    return d2, cols, certified, q_norms, kth, bound


def _band(plan, query, centred, q_norms, kth, bound, own_tile, k, max_pairs=None):
    """Exact k nearest of rows whose screening could not be certified.

    Every index row that screens within the error bound of the k-th candidate
    distance ``kth`` (all the possible k nearest, ties included: the
    certificate's argument) gets a direct distance; those are sorted by (row,
    distance, index) and the first ``k`` of each row kept, chunk after chunk.
    The cost grows with the number of ties, not with the width of the rows:
    no full row is ever sorted. The band is first drawn with the screening
    arithmetic and ``bound``, its error bound; when that band is wide (large
    values, small gaps) it is drawn again in the data's dtype, whose error
    bound is far smaller. With ``max_pairs``, None when the band holds more
    points than that (its first drawing, in the screening dtype, if any).
    """
    xp = plan.xp
    n_rows = query.shape[0]
    best = None
    if plan.screen_dtype != plan.dtype:
        # Doubled bounds below also cover the rounding of the comparison.
        best = _band_pass(plan, query, centred, own_tile, k, kth + 2 * bound - q_norms,
                          screen=True, max_pairs=_BAND_MAX_PAIRS_PER_K * k * n_rows + 1024
                          if max_pairs is None else max_pairs)
        if best is None and max_pairs is not None:
            return None
    if best is None:
        if plan.screen_dtype != plan.dtype:
            # The float32 screening was too coarse to draw a narrow band (large
            # values, small gaps), so its k-th candidate may lie far beyond the
            # true k-th: find a tighter k-th in the data's dtype first, or the
            # band below would hold every point nearer than that candidate.
            kth = xp.minimum(kth, _kth_upper_bound(plan, query, centred, own_tile, k))
        finfo = xp.finfo(plan.dtype)
        reach = xp.sqrt(q_norms) + xp.sqrt(kth)
        bound = (4 * plan.n_features + 16) * (
            float(finfo.eps) * (q_norms + reach * reach + kth)
            + float(finfo.smallest_normal))
        best = _band_pass(plan, query, centred, own_tile, k, kth + 2 * bound - q_norms,
                          screen=False, max_pairs=max_pairs)
        if best is None:
            return None
    # Each row keeps at least its k screened candidates, which lie in the band.
    return xp.reshape(best[1], (n_rows, k)), xp.reshape(best[2], (n_rows, k))


def _kth_upper_bound(plan, query, centred, own_tile, k):
    """Per row, an upper bound of the k-th nearest squared distance.

    The ``k + margin`` nearest by screening in the data's own dtype, measured
    directly: ``k`` distinct points that near exist, so the k-th of them bounds
    the true k-th from above, however the screening rounded.
    """
    xp = plan.xp
    n_rows = query.shape[0]
    n = k + candidate_margin(k)
    ones = xp.ones((n_rows, 1), dtype=plan.dtype, device=plan.device)
    scaled = xp.concat([-2 * centred, ones], axis=1)
    best_values = best_cols = None
    for start, stop, chunk in _data_chunks(plan):
        block = scaled @ xp.matrix_transpose(chunk)
        if own_tile is not None:
            block = _mask_own(plan, block, own_tile, start, stop)
        values, cols = smallest_k(block, n, xp=xp)
        cols = cols + start
        del block
        if best_values is not None:
            values = xp.concat([best_values, values], axis=1)
            cols = xp.concat([best_cols, cols], axis=1)
            values, pos = smallest_k(values, n, xp=xp, method="sort")
            cols = xp.take_along_axis(cols, pos, axis=1)
        best_values, best_cols = values, cols
    d2 = direct_sq_distances(xp, plan.index, query, best_cols)
    if own_tile is not None:
        d2 = xp.where(best_cols == own_tile[:, None], xp.inf, d2)
    return xp.sort(d2, axis=1, stable=False)[:, k - 1]


def _band_pass(plan, query, centred, own_tile, k, limit, *, screen, max_pairs):
    """One drawing of the band (see :func:`_band`); None past ``max_pairs`` hits."""
    xp = plan.xp
    n_rows = query.shape[0]
    dtype = plan.screen_dtype if screen else plan.dtype
    ones = xp.ones((n_rows, 1), dtype=plan.dtype, device=plan.device)
    scaled = xp.astype(xp.concat([-2 * centred, ones], axis=1), dtype, copy=False)
    limit = xp.astype(limit, dtype)[:, None]
    chunks = plan.chunks() if screen else _data_chunks(plan)
    itemsize = xp.finfo(dtype).bits // 8
    # Rows per screening block (values plus a mask), and pairs per batch of
    # direct distances (a gathered block and a temporary).
    step = tile_rows(plan.width * (itemsize + 1), plan.block_cap)
    batch = tile_rows(2 * plan.n_features * plan.itemsize + 32, plan.block_cap)
    best, n_pairs = None, 0
    for start, stop, chunk in chunks:
        hits = []
        for r0 in range(0, n_rows, step):
            r1 = min(r0 + step, n_rows)
            # Padding columns of the screening chunks are never listed.
            block = (scaled[r0:r1, :] @ xp.matrix_transpose(chunk))[:, :stop - start]
            if own_tile is not None:
                block = _mask_own(plan, block, own_tile[r0:r1], start, stop)
            hit = block <= limit[r0:r1, :]
            del block
            if max_pairs is not None:
                # Counting is cheaper than listing: give up on a wide band early.
                n_pairs += int(xp.count_nonzero(hit))
                if n_pairs > max_pairs:
                    return None
            if plan.native is np:
                # One flat listing and a division: 2-D nonzero is several
                # times slower on NumPy.
                hit_rows, hit_cols = np.divmod(np.flatnonzero(hit), hit.shape[1])
            else:
                hit_rows, hit_cols = xp.nonzero(hit)
            del hit
            hits.append((xp.astype(hit_rows, xp.int64) + r0,
                         xp.astype(hit_cols, xp.int64) + start))
        hit_rows = xp.concat([h[0] for h in hits]) if len(hits) > 1 else hits[0][0]
        hit_cols = xp.concat([h[1] for h in hits]) if len(hits) > 1 else hits[0][1]
        n_hits = hit_rows.shape[0]
        if n_hits == 0:
            continue
        d2_parts = []
        for b0 in range(0, n_hits, batch):
            r = hit_rows[b0:min(b0 + batch, n_hits)]
            c = hit_cols[b0:min(b0 + batch, n_hits)]
            diff = xp.take(plan.index, c, axis=0) - xp.take(query, r, axis=0)
            d2_parts.append(xp.sum(diff * diff, axis=1))
            del diff
        hit_d2 = d2_parts[0] if len(d2_parts) == 1 else xp.concat(d2_parts)
        if best is not None:
            hit_rows = xp.concat([best[0], hit_rows])
            hit_d2 = xp.concat([best[1], hit_d2])
            hit_cols = xp.concat([best[2], hit_cols])
        best = _first_k_per_row(plan, hit_rows, hit_d2, hit_cols, n_rows, k)
    return best


def _data_chunks(plan):
    """:meth:`_Plan.chunks` in the data's own dtype (built as needed)."""
    xp = plan.xp
    for start in range(0, plan.n_index, plan.width):
        stop = min(start + plan.width, plan.n_index)
        centred = plan.index[start:stop, :] - plan.mean
        norms = xp.sum(centred * centred, axis=1)
        yield start, stop, xp.concat([centred, norms[:, None]], axis=1)


def _first_k_per_row(plan, rows, d2, cols, n_rows, k):
    """The first ``k`` entries of each row in (row, distance, index) order.

    The entries come in index order within each (row, distance): the kept
    entries of earlier chunks first, sorted, then a chunk's hits, listed in
    (row, index) order with larger indices. So a stable sort on (row,
    distance) is enough; the index needs no sort key.
    """
    xp = plan.xp
    if plan.native is np:
        order = np.lexsort((d2, rows))
    else:
        order = xp.argsort(d2, stable=True)
        order = xp.take(order, xp.argsort(xp.take(rows, order), stable=True))
    rows, d2, cols = (xp.take(a, order) for a in (rows, d2, cols))
    firsts = xp.searchsorted(rows, xp.arange(n_rows, dtype=rows.dtype, device=device(rows)))
    rank = xp.arange(rows.shape[0], dtype=xp.int64, device=device(rows)) - xp.take(
        xp.astype(firsts, xp.int64), rows)
    keep = xp.nonzero(rank < k)[0]
    return xp.take(rows, keep), xp.take(d2, keep), xp.take(cols, keep)


def _search_exact(plan, query, own, k):
    """Exact k nearest on a plan from :func:`_exact_plan`, by (value, index)."""
    xp = plan.xp
    rows = plan.query_rows(k)

    def tile(start):
        stop = min(start + rows, query.shape[0])
        own_tile = None if own is None else own[start:stop]
        cols = _exact_tile(plan, query[start:stop, :] - plan.mean, own_tile, k)
        return direct_sq_distances(xp, plan.index, query[start:stop, :], cols), cols

    starts = range(0, query.shape[0], rows)
    parallel = plan.workers > 1
    results = host_map(tile, starts) if parallel else [tile(start) for start in starts]
    if len(results) == 1:
        return results[0]
    return (xp.concat([r[0] for r in results], axis=0),
            xp.concat([r[1] for r in results], axis=0))


def _exact_tile(plan, centred_query, own_tile, k):
    """Columns of the k smallest exact screening values, in (value, index) order.

    Within a block the first-occurrence selection keeps ties in index order;
    every later chunk holds larger indices, so a stable merge keeps them too.
    """
    xp = plan.xp
    ones = xp.ones((centred_query.shape[0], 1), dtype=plan.dtype, device=plan.device)
    scaled = xp.astype(xp.concat([-2 * centred_query, ones], axis=1), plan.screen_dtype,
                       copy=False)
    best = None
    for start, stop, chunk in plan.chunks():
        block = scaled @ xp.matrix_transpose(chunk)
        if own_tile is not None:
            block = _mask_own(plan, block, own_tile, start, stop)
        best = _merge_in_order(plan, best, block, start, k)
    return best[1]


def _merge_in_order(plan, best, block, start, k):
    """The running k smallest (values, columns) of each row, in (value, index)
    order, with the block of columns ``start...`` merged in.

    Every column of the block is larger than the earlier ones, so a stable sort
    of the old entries followed by the block's keeps (value, index) order.
    """
    xp = plan.xp
    values, cols = _first_k_in_order(plan, block, min(k, block.shape[1]))
    cols = cols + start
    if best is not None:
        values = xp.concat([best[0], values], axis=1)
        cols = xp.concat([best[1], cols], axis=1)
        order = xp.argsort(values, axis=1, stable=True)[:, :k]
        values = xp.take_along_axis(values, order, axis=1)
        cols = xp.take_along_axis(cols, order, axis=1)
    return values, cols


def _first_k_in_order(plan, block, k):
    """The k smallest entries of each row in (value, column) order."""
    xp = plan.xp
    if plan.native is np and k <= _EXACT_ARGMIN_MAX_K and k < block.shape[1]:
        # Each argmin takes the first occurrence of the row's minimum; the
        # entries found are masked with +inf for the next pass, so the
        # passes list (value, column) order. With k below the width, a row
        # keeps k finite entries even with its own column masked.
        return smallest_k(block, k, method="argmin")
    order = xp.argsort(block, axis=1, stable=True)[:, :k]
    return xp.take_along_axis(block, order, axis=1), xp.astype(order, xp.int64)


def _exhaustive(plan, query, own_tile, k):
    """Direct distances to every index row, in chunks, merged in exact order."""
    xp = plan.xp
    n_rows = query.shape[0]
    rows, width = plan.exhaustive_shape()
    d2_parts, col_parts = [], []
    for r0 in range(0, n_rows, rows):
        r1 = min(r0 + rows, n_rows)
        q = query[r0:r1, :]
        best = None
        for start in range(0, plan.n_index, width):
            stop = min(start + width, plan.n_index)
            diff = plan.index[None, start:stop, :] - q[:, None, :]
            block = xp.sum(diff * diff, axis=2)
            del diff
            if own_tile is not None:
                block = _mask_own(plan, block, own_tile[r0:r1], start, stop)
            best = _merge_in_order(plan, best, block, start, k)
        d2_parts.append(best[0])
        col_parts.append(best[1])
    if len(d2_parts) == 1:
        return d2_parts[0], col_parts[0]
    return xp.concat(d2_parts, axis=0), xp.concat(col_parts, axis=0)


class BruteForceNeighbors(BaseEstimator):
    """Exact nearest neighbours on any array namespace (NumPy, CuPy, ...).

    A subset of :class:`sklearn.neighbors.NearestNeighbors` backed by the
    tiled, re-ranked brute force of :func:`kneighbors`. Arrays come back in
    the namespace and on the device of the fitted data.

    Parameters
    ----------
    n_neighbors : int, default=5
        Number of neighbours returned by :meth:`kneighbors`.
    """

    def __init__(self, n_neighbors=5):
        self.n_neighbors = n_neighbors

    def fit(self, X, y=None):
        """Store the index points.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Points to search.
        y : None
            Ignored.

        Returns
        -------
        self : BruteForceNeighbors
        """
        self._fit_X = X
        self.n_samples_fit_ = X.shape[0]
        self.n_features_in_ = X.shape[1]
        return self

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """Find the nearest neighbours of points.

        Parameters
        ----------
        X : array of shape (n_queries, n_features), default=None
            Query points. None queries the fitted points, each point excluded
            from its own neighbours.
        n_neighbors : int, default=None
            Defaults to the constructor's ``n_neighbors``.
        return_distance : bool, default=True
            Return distances too.

        Returns
        -------
        distances : array of shape (n_queries, n_neighbors)
            Only when ``return_distance`` is True.
        indices : array of shape (n_queries, n_neighbors)
        """
        if not hasattr(self, "_fit_X"):
            from sklearn.exceptions import NotFittedError

            raise NotFittedError(
                "This BruteForceNeighbors instance is not fitted yet. Call 'fit' first."
            )
        k = self.n_neighbors if n_neighbors is None else n_neighbors
        if X is None:
            if k >= self.n_samples_fit_:
                raise kneighbors_error(k, self.n_samples_fit_, self.n_samples_fit_,
                                       query_is_fit=True)
        elif k > self.n_samples_fit_:
            raise kneighbors_error(k, self.n_samples_fit_, X.shape[0])
        return kneighbors(self._fit_X, X, k=k, return_distance=return_distance)

    def kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
        """Return the k-neighbours graph as a host SciPy CSR matrix.

        Parameters
        ----------
        X : array of shape (n_queries, n_features), default=None
            Query points; None queries the fitted points.
        n_neighbors : int, default=None
            Defaults to the constructor's ``n_neighbors``.
        mode : {"connectivity", "distance"}, default="connectivity"
            Entries are ones or distances.

        Returns
        -------
        graph : scipy.sparse.csr_matrix of shape (n_queries, n_samples_fit)
        """
        from scipy.sparse import csr_matrix

        from ..utils._array_api import to_host

        dist, ind = self.kneighbors(X, n_neighbors)
        dist, ind = to_host(dist), to_host(ind)
        n_rows, k = ind.shape
        if mode == "connectivity":
            data = np.ones(n_rows * k)
        elif mode == "distance":
            data = dist.ravel()
        else:
            raise ValueError(
                'Unsupported mode, must be one of "connectivity", or "distance" '
                f"but got {mode!r} instead"
            )
        indptr = np.arange(0, n_rows * k + 1, k)
        return csr_matrix((data, ind.ravel(), indptr), shape=(n_rows, self.n_samples_fit_))
