"""Category kernels of SMOTE-NC and SMOTE-N.

The most frequent category among neighbours (SMOTE-NC's vote with random ties,
SMOTE-N's mode), integer codes to and from one-hot matrices, codes computed
and decoded where the data lives, and the VDM neighbours of SMOTE-N. None of
them builds an (n_new, k, n_categories) tensor or an n x n matrix.
"""

import numbers

import numpy as np
import scipy.sparse as sp

from gpuimb._backends._base import kneighbors_error
from gpuimb._backends._tiles import COMPARE_TILE, PAIR_TILE, row_tiles, tile_rows
from gpuimb.metrics.pairwise import VDMFeature, class_distributions, vdm_distances
from gpuimb.utils._array_api import device_of, is_sparse, place_rows, to_host


def _flat_take(xp, matrix, flat_indices):
    """``matrix.ravel()[flat_indices]`` for a dense 2-D array of any namespace."""
    return xp.take(xp.reshape(matrix, (-1,)), flat_indices)


def _counts_in_sorted_rows(xp, S):
    """For rows sorted along axis 1: how often each entry occurs in its row and
    whether it is the first occurrence of its value."""
    k = int(S.shape[1])
    counts = []
    for start, stop in row_tiles(int(S.shape[0]), tile_rows(k * k, COMPARE_TILE)):
        tile = S[start:stop, :]
        counts.append(xp.sum(xp.astype(tile[:, :, None] == tile[:, None, :], xp.int64),
                             axis=2))
    counts = xp.concat(counts, axis=0) if counts else xp.zeros(S.shape, dtype=xp.int64)
    first = xp.concat([xp.ones((S.shape[0], 1), dtype=xp.bool, device=device_of(S)),
                       S[:, 1:] != S[:, :-1]], axis=1)
    return counts, first


def _most_frequent_smallest(xp, codes):
    """Per row of ``codes`` (n, m): the most frequent value, the smallest on ties
    (what ``scipy.stats.mode`` returns).

    Rows are sorted, then scanned once along their ``m`` (a few) columns: the
    length of the run each entry ends, and the value ending the first longest
    run, which is the smallest of the most frequent values.
    """
    S = xp.sort(codes, axis=1, stable=False)
    run = xp.ones((S.shape[0],), dtype=xp.int64, device=device_of(S))
    best_run, best = run, S[:, 0]
    for j in range(1, int(S.shape[1])):
        run = xp.where(S[:, j] == S[:, j - 1], run + 1, xp.ones_like(run))
        longer = run > best_run
        best_run = xp.where(longer, run, best_run)
        best = xp.where(longer, S[:, j], best)
    return best


def most_frequent_per_feature(xp, votes):
    """Per row and feature of ``votes`` (n, k, n_features): the most frequent
    of the k codes, the smallest on ties (SMOTE-N's new category), every
    feature in one call."""
    n, k, n_features = votes.shape
    rows = xp.reshape(xp.permute_dims(votes, (0, 2, 1)), (n * n_features, k))
    return xp.reshape(_most_frequent_smallest(xp, rows), (n, n_features))


def _vote_with_random_ties(xp, neighbor_codes, n_categories, unit, rng, ctx):
    """Category chosen for each row among the codes of its k neighbours.

    Reproduces imbalanced-learn's SMOTE-NC rule without its one-hot tensor: the
    categories whose summed (one-hot * ``unit``) score is ``isclose`` to the row's
    maximum are listed as (row, category) pairs in row-major order, the pairs are
    shuffled with ``rng.permutation`` and each row takes its first pair.
    """
    n, k = int(neighbor_codes.shape[0]), int(neighbor_codes.shape[1])
    S = xp.sort(neighbor_codes, axis=1, stable=False)
    counts, first = _counts_in_sorted_rows(xp, S)
    scores = xp.astype(counts, xp.float64) * unit
    best = xp.max(scores, axis=1, keepdims=True)
    tol = 1e-8 + 1e-5 * xp.abs(best)
    if bool(xp.any(best <= tol)) and n_categories > 1:
        # Degenerate scale: absent categories are "close" to the maximum too.
        return _vote_dense(xp, neighbor_codes, n_categories, unit, rng, ctx)
    qualifies = first & (xp.abs(scores - best) <= tol)
    flat_q = xp.reshape(qualifies, (-1,))
    n_pairs = int(xp.sum(xp.astype(flat_q, xp.int64)))
    order = rng.permutation(n_pairs)
    position_of_pair = ctx.asarray(np.argsort(order), dtype=xp.int64)
    position = place_rows(xp.full(flat_q.shape, n_pairs, dtype=xp.int64, device=ctx.device),
                          flat_q, position_of_pair)
    chosen = xp.argmin(xp.reshape(position, (n, k)), axis=1)
    rows = xp.arange(n, dtype=xp.int64, device=ctx.device)
    return _flat_take(xp, S, rows * k + xp.astype(chosen, xp.int64))


def _vote_dense(xp, neighbor_codes, n_categories, unit, rng, ctx):
    """Fallback of :func:`_vote_with_random_ties` for a near-zero ``unit``:
    per-category scores, (n, n_categories) for this one feature."""
    n, k = int(neighbor_codes.shape[0]), int(neighbor_codes.shape[1])
    categories = xp.arange(n_categories, dtype=neighbor_codes.dtype, device=ctx.device)
    scores = xp.zeros((n, n_categories), dtype=xp.float64, device=ctx.device)
    for j in range(k):
        scores = scores + xp.astype(neighbor_codes[:, j:j + 1] == categories[None, :],
                                    xp.float64) * unit
    best = xp.max(scores, axis=1, keepdims=True)
    qualifies = xp.reshape(xp.abs(scores - best) <= 1e-8 + 1e-5 * xp.abs(best), (-1,))
    n_pairs = int(xp.sum(xp.astype(qualifies, xp.int64)))
    position_of_pair = ctx.asarray(np.argsort(rng.permutation(n_pairs)), dtype=xp.int64)
    position = place_rows(xp.full(qualifies.shape, n_pairs, dtype=xp.int64,
                                  device=ctx.device), qualifies, position_of_pair)
    return xp.astype(xp.argmin(xp.reshape(position, (n, n_categories)), axis=1),
                     neighbor_codes.dtype)


def _codes_from_onehot(X_ohe, offsets):
    """Column codes (n, n_features) of a one-hot CSR matrix with feature blocks
    starting at ``offsets``; -1 where a row has no entry for a feature."""
    X_ohe = sp.csr_matrix(X_ohe)
    X_ohe.eliminate_zeros()
    n_rows, n_features = X_ohe.shape[0], len(offsets) - 1
    rows = np.repeat(np.arange(n_rows), np.diff(X_ohe.indptr))
    columns = X_ohe.indices
    feature = np.searchsorted(offsets, columns, side="right") - 1
    codes = np.full((n_rows, n_features), -1, dtype=np.int64)
    codes[rows, feature] = columns - offsets[feature]
    return codes


def _onehot_from_codes(codes, offsets, dtype):
    """Sparse CSR one-hot matrix of host ``codes`` (n, n_features)."""
    n_rows, n_features = codes.shape
    indices = (codes + offsets[:-1][None, :]).ravel()
    indptr = np.arange(0, n_rows * n_features + 1, n_features)
    data = np.ones(n_rows * n_features, dtype=dtype)
    return sp.csr_matrix((data, indices, indptr), shape=(n_rows, int(offsets[-1])))


def _dense_onehot(xp, codes, sizes, unit, dtype, device):
    """Dense one-hot blocks (non-host namespaces without sparse support)."""
    blocks = []
    for f, size in enumerate(sizes):
        cats = xp.arange(size, dtype=codes.dtype, device=device)
        blocks.append(xp.astype(codes[:, f:f + 1] == cats[None, :], dtype) * unit)
    return xp.concat(blocks, axis=1)


def _select_columns(X, columns, ctx):
    """Columns of X (numpy, DataFrame, sparse or xp array) at host ``columns``."""
    from sklearn.utils import _safe_indexing

    if ctx.on_host or is_sparse(X):
        return _safe_indexing(X, columns, axis=1)
    xp = ctx.xp
    return xp.take(X, ctx.asarray(columns, dtype=xp.int64), axis=1)


def encode_on_device(X, encoder, xp):
    """Integer codes of each column's values, computed where X is.

    ``encoder`` (an unfitted ``OneHotEncoder`` or ``OrdinalEncoder``) is fitted
    on the (small) category lists only. Returns ``(codes, sizes)``: int64 codes
    of shape (n, n_features) in ``xp`` and the number of categories per column.
    """
    codes, categories = [], []
    for f in range(int(X.shape[1])):
        values, inverse = xp.unique_inverse(X[:, f])
        codes.append(xp.astype(inverse, xp.int64)[:, None])
        categories.append(np.asarray(to_host(values)))
    longest = max(c.size for c in categories)
    encoder.fit(np.column_stack([np.resize(c, longest) for c in categories]))
    return xp.concat(codes, axis=1), [c.size for c in categories]


def decode_on_device(codes, categories, ctx):
    """Values of integer ``codes`` (n, n_features): column ``f`` looks its codes
    up in the host list ``categories[f]``, moved next to the codes."""
    xp = ctx.xp
    columns = [xp.take(ctx.asarray(cats), codes[:, f])[:, None]
               for f, cats in enumerate(categories)]
    return xp.concat(columns, axis=1)


def vdm_tables(codes, y, sizes, ctx):
    """Per feature, what the VDM (k=1, r=2) needs: the squared L1 distance
    between the class distributions of two categories.

    Few categories: the whole (n_categories, n_categories) table, looked up
    per pair. Many categories (the table would outgrow the data): the
    (n_categories, n_classes) distributions, compared per pair instead.
    """
    xp = ctx.xp
    if ctx.on_host:
        _, class_pos = np.unique(y, return_inverse=True)
        n_classes = int(class_pos.max()) + 1
        class_pos = class_pos.astype(np.int64)
    else:
        values, class_pos = xp.unique_inverse(y)
        n_classes = int(values.shape[0])
        class_pos = xp.astype(class_pos, xp.int64)
    probas = class_distributions(codes, class_pos, n_classes, sizes, xp)
    return [VDMFeature(proba, 1, 2, xp, ctx.device) for proba in probas]


def vdm_neighbors(codes_class, tables, k_neighbors, nn, ctx):
    """The k+1 nearest rows (the row itself included) under the VDM.

    An integer ``k_neighbors`` searches exactly, tile by tile; otherwise the
    user's estimator ``nn`` (metric "precomputed") is given the distances.
    """
    xp = ctx.xp
    n = int(codes_class.shape[0])
    if not isinstance(k_neighbors, numbers.Integral):
        # A user estimator expects the precomputed distance matrix.
        distances = vdm_distances(codes_class, codes_class, tables, xp, ctx.device)
        nn.fit(distances)
        return xp.astype(nn.kneighbors(distances, return_distance=False), xp.int64)
    n_neighbors = k_neighbors + 1
    if n_neighbors > n:
        raise kneighbors_error(n_neighbors, n, n)
    blocks = []
    for start, stop in row_tiles(n, tile_rows(n, PAIR_TILE)):
        d = vdm_distances(codes_class[start:stop, :], codes_class, tables, xp, ctx.device)
        order = xp.argsort(d, axis=1, stable=True)
        blocks.append(order[:, :n_neighbors])
    return xp.astype(xp.concat(blocks, axis=0), xp.int64)
