"""NearMiss-2's distance kernels: the sum of the distances from each row to its
``k`` farthest minority rows, and the pruning that computes few of them.

Exact in float64 (float32 only screens candidates, with a rounding-error bound),
tiled within the configured working memory; NearMiss in ``_nearmiss.py`` calls
:func:`_farthest_order`.
"""

import numpy as np

from gpuimb._backends import (
    direct_sq_distances,
    fits_float32,
    is_small_search,
    run_host_tiles,
    smallest_k,
)
from gpuimb._backends._tiles import tile_rows
from gpuimb.utils._array_api import is_sparse, row_sq_norms, take_rows


def _host_farthest_sums(X_min, X_cls, k):
    """Host, dense, ``k < len(X_min)`` case of :func:`_farthest_sums`.

    Candidates are screened with float32 GEMM scores (twice the speed of
    float64): the ``k + 1`` best per row have their squared distances
    recomputed in float64 from the rows, and a row is accepted when its k-th
    exact value beats the (k+1)-th screening score by more than the float32
    rounding-error bound, so no other row of ``X_min`` can be among its ``k``
    farthest. The other rows are ranked again with float64 scores.
    """
    # Uncentred rows for the direct distances: centring by a non-integer mean
    # rounds, and exactly tied sums (integer data) would then be ordered by
    # rounding, which moves with an offset of the data.
    B_raw = np.asarray(X_min, dtype=np.float64)
    A_raw = np.asarray(X_cls, dtype=np.float64)
    centre = np.mean(B_raw, axis=0)
    B = B_raw - centre
    A_all = A_raw - centre
    b2 = np.einsum("ij,ij->i", B, B)
    B_aug = np.concatenate([-2 * B, b2[:, None]], axis=1).T.copy()
    # Negated, so that the farthest rows have the smallest scores.
    B_neg32 = np.negative(B_aug).astype(np.float32)
    b_max = float(np.sqrt(b2.max()))
    # |float32 score - exact score| <= (K + 4) u (2 |a| |b| + |b|^2), K terms of
    # rounded inputs; doubled for safety.
    # The absolute term covers float32 underflow of tiny values.
    err_scale = 2 * (B_aug.shape[0] + 4) * float(np.finfo(np.float32).eps)
    tiny = float(np.finfo(np.float32).smallest_normal / np.finfo(np.float32).eps)
    m = k + 1
    out = np.empty(A_all.shape[0], dtype=np.float64)

    # A small problem is ranked by float64 scores at once (is_small_search).
    small = is_small_search(A_all.shape[0], B.shape[0], B.shape[1])

    def tile(start, stop):
        A = A_all[start:stop]
        ones = np.ones((A.shape[0], 1))
        aug = np.concatenate([A, ones], axis=1)
        if small:
            scores = aug @ B_aug
            far = np.argpartition(scores, scores.shape[1] - k, axis=1)[:, -k:]
            top = direct_sq_distances(np, B_raw, A_raw[start:stop], far)
            top.sort(axis=1)
            np.clip(top, 0, None, out=top)
            np.sqrt(top, out=top)
            out[start:stop] = top.sum(axis=1)
            return
        screened, cols = smallest_k(aug.astype(np.float32) @ B_neg32, m)
        d2 = direct_sq_distances(np, B_raw, A_raw[start:stop], cols)
        d2.sort(axis=1)
        top = d2[:, 1:]
        a2 = np.einsum("ij,ij->i", A, A)
        bound = a2 - screened.max(axis=1).astype(np.float64)
        bound += err_scale * (2 * np.sqrt(a2) * b_max + b_max * b_max + tiny)
        redo = np.flatnonzero(top[:, 0] <= bound)
        if redo.shape[0]:
            # The k farthest by float64 scores, their distances direct.
            scores = aug[redo] @ B_aug
            far = np.argpartition(scores, scores.shape[1] - k, axis=1)[:, -k:]
            exact = direct_sq_distances(np, B_raw, A_raw[start:stop][redo], far)
            exact.sort(axis=1)
            top[redo] = exact
        np.clip(top, 0, None, out=top)
        np.sqrt(top, out=top)
        out[start:stop] = top.sum(axis=1)

    run_host_tiles(A_all.shape[0], B.shape[0], tile)
    return out


def _farthest_sums(ctx, X_min, X_cls, k):
    """Sum of the distances from each row of ``X_cls`` to its ``k`` farthest
    rows of ``X_min``, in increasing-distance order.

    For a fixed row ``a``, ``|a - b|^2`` ranks the rows ``b`` as
    ``|b|^2 - 2 a.b`` does, which one GEMM per tile of ``X_cls`` rows gives
    (dense data is centred and augmented with a column of ones); ``|a|^2`` is
    added, and the square root taken, for the ``k`` selected entries only.
    Everything is float64 and memory stays under the configured working memory.
    """
    xp = ctx.xp
    n_min, n_cls = X_min.shape[0], X_cls.shape[0]
    k = min(k, n_min)
    if n_cls == 0:
        return xp.zeros((0,), dtype=xp.float64)
    if (ctx.on_host and not ctx.sparse and k < n_min
            and fits_float32(np, np.mean(X_min, axis=0), X_min, X_cls)):
        return xp.asarray(_host_farthest_sums(X_min, X_cls, k))
    if ctx.sparse:
        B = X_min.astype(np.float64)
        A_all = X_cls.astype(np.float64)
        b2 = row_sq_norms(xp, B)
        B_t = B.T
    else:
        B = xp.astype(X_min, xp.float64, copy=False)
        centre = xp.mean(B, axis=0)
        B = B - centre
        A_all = xp.astype(X_cls, xp.float64, copy=False) - centre
        b2 = row_sq_norms(xp, B)
        B_aug = xp.concat([-2 * B, b2[:, None]], axis=1).T

    def scores_of(A):
        if ctx.sparse:
            cross = A @ B_t
            cross = xp.asarray(cross.toarray() if is_sparse(cross) else cross)
            return b2[None, :] - 2 * cross
        ones = xp.ones((A.shape[0], 1), dtype=A.dtype, device=ctx.device)
        return xp.concat([A, ones], axis=1) @ B_aug

    def sums_of(A):
        scores = scores_of(A)
        if ctx.on_host:
            scores = np.asarray(scores)
            top = np.sort(scores, axis=1) if k == n_min else _largest_ascending(scores, k)
        else:
            top = xp.sort(scores, axis=1, stable=False)[:, n_min - k:]
        d2 = xp.clip(top + row_sq_norms(xp, A)[:, None], 0, None)
        return xp.sum(xp.sqrt(d2), axis=1)

    return _per_row_blocks(ctx, A_all, n_min, sums_of)


def _per_row_blocks(ctx, rows, n_cols, values_of):
    """Apply ``values_of`` (one float64 per row) to row blocks of ``rows``.

    Blocks are sized for an ``n_cols``-wide float64 temporary: on the host,
    cache-sized tiles, one per core; elsewhere, blocks within the configured
    working memory (three such temporaries live at once).
    """
    xp = ctx.xp
    n_rows = rows.shape[0]
    if n_rows == 0:
        return xp.zeros((0,), dtype=xp.float64)
    if not ctx.on_host:
        step = tile_rows(3 * 8 * max(n_cols, 1))
        return xp.concat([values_of(rows[start:min(start + step, n_rows), :])
                          for start in range(0, n_rows, step)])
    out = np.empty(n_rows, dtype=np.float64)

    def tile(start, stop):
        out[start:stop] = np.asarray(values_of(rows[start:stop, :]))

    run_host_tiles(n_rows, n_cols, tile)
    return xp.asarray(out)


# NearMiss-2's lower bounds use this many of the most outlying minority rows
# (an eighth of them, at least 8 per neighbour): for most rows, they hold the
# farthest ones.
_BOUND_ROWS_MIN, _BOUND_ROWS_MAX = 64, 128


def _farthest_order(ctx, X_min, X_cls, k, n_keep):
    """Positions of the ``n_keep`` rows of ``X_cls`` with the smallest
    :func:`_farthest_sums`, in (sum, position) order: the first ``n_keep``
    entries of a stable argsort of all the sums.

    When few rows are kept, most sums need not be computed. A cheap lower
    bound of every row's sum (:func:`_farthest_lower_bounds`) orders the rows;
    exact sums are computed in that order, a chunk at a time, until the
    ``n_keep``-th smallest exact sum is below the bound of every row left.
    Those rows cannot be kept, so the result equals the full computation's.
    """
    xp = ctx.xp
    n_cls, n_min = X_cls.shape[0], X_min.shape[0]
    k = min(k, n_min)
    n_bound = max(min(max(_BOUND_ROWS_MIN, n_min // 8), _BOUND_ROWS_MAX), 8 * k)
    if ctx.sparse or 4 * n_keep > n_cls or 4 * n_bound > n_min:
        sums = _farthest_sums(ctx, X_min, X_cls, k)
        return xp.argsort(sums, stable=True)[:n_keep]

    lower = _farthest_lower_bounds(ctx, X_min, X_cls, k, n_bound)
    by_bound = xp.argsort(lower, stable=False)
    lower = xp.take(lower, by_bound)
    chunk = max(n_keep // 4, 256)
    done = min(n_cls, n_keep + chunk)
    sums = [_farthest_sums(ctx, X_min, take_rows(X_cls, by_bound[:done]), k)]
    while done < n_cls:
        kept_sums = xp.sort(xp.concat(sums), stable=False)[n_keep - 1]
        if float(lower[done]) > float(kept_sums):
            break
        stop = min(n_cls, done + chunk)
        sums.append(_farthest_sums(ctx, X_min, take_rows(X_cls, by_bound[done:stop]), k))
        done = stop

    # Back to position order, so that the stable sort breaks ties by position.
    rows = by_bound[:done]
    by_position = xp.argsort(rows, stable=False)
    rows = xp.take(rows, by_position)
    sums = xp.take(xp.concat(sums), by_position)
    return xp.take(rows, xp.argsort(sums, stable=True)[:n_keep])


def _farthest_lower_bounds(ctx, X_min, X_cls, k, n_bound):
    """A lower bound of the value :func:`_farthest_sums` computes for each row.

    The ``n_bound`` rows of ``X_min`` farthest from its mean are dealt into
    ``k`` groups; the farthest row of each group are ``k`` distinct rows, so
    the sum of their distances is at most the sum of the ``k`` farthest. (A
    column-wise maximum per group is far cheaper than a top-k per row.) The
    squared distances are ``(1 - 2 rel) (|a|^2 + |b|^2) - 2 a.b`` from one
    float64 product: the shrunk norms absorb the product's rounding error,
    ``rel (|a|^2 + |b|^2)`` at most. The result is then lowered by the error
    bound of the computed sums, ``sqrt(rel) (|a| + max |b|)`` per distance,
    which also covers their expanded-form paths (all distances centred on
    the minority mean).
    """
    xp = ctx.xp
    B = xp.astype(X_min, xp.float64, copy=False)
    centre = xp.mean(B, axis=0)
    B = B - centre
    b2 = row_sq_norms(xp, B)
    b_max = float(xp.sqrt(xp.max(b2)))
    eps = float(xp.finfo(xp.float64).eps)
    rel = 4 * (B.shape[1] + 4) * eps
    shrink = 1 - 2 * rel
    outlying = xp.argsort(-b2, stable=True)[:n_bound]
    # Negated scores, so that the farthest rows have the smallest ones.
    B_neg = xp.concat([2 * xp.take(B, outlying, axis=0),
                       -shrink * xp.take(b2, outlying)[:, None]], axis=1)

    def bounds(rows):
        A = xp.astype(rows, xp.float64, copy=False) - centre
        ones = xp.ones((A.shape[0], 1), dtype=xp.float64, device=ctx.device)
        neg_scores = B_neg @ xp.concat([A, ones], axis=1).T
        a2 = shrink * row_sq_norms(xp, A)
        total = xp.zeros_like(a2)
        for group in range(k):
            far2 = a2 - xp.min(neg_scores[group::k, :], axis=0)
            total = total + xp.sqrt(xp.clip(far2, 0, None))
        slack = 2 * k * rel**0.5 * (xp.sqrt(a2) + b_max)
        return total * (1 - 4 * k * eps) - slack

    return _per_row_blocks(ctx, X_cls, n_bound, bounds)


def _largest_ascending(values, k):
    """The k largest entries of each row of a host array, in increasing order.

    ``values`` (a temporary) is negated in place.
    """
    smallest, _ = smallest_k(np.negative(values, out=values), k)
    return np.sort(-smallest, axis=1)
