"""Exact k-nearest neighbours between Dask arrays, in gpuimb's tie order.

The search runs the engine's own brute-force kernel
(:func:`gpuimb._backends.kneighbors`) on every (query block, index block)
pair, on the blocks' own namespace (NumPy or CuPy), and merges the per-pair
candidates by (squared distance, global index) in a tree of small tasks.

Why this equals the single-machine search, bit for bit:

- each pair returns the exact ``k`` (``k + 1`` when a query row's own row may
  be in the block) nearest rows of that block, in (distance, index) order;
  the block's rows are a contiguous range of the global rows, so the local
  order is the global order restricted to the block, and the union of the
  per-block lists holds the global ``k`` nearest;
- the candidates' squared distances are recomputed with the engine's direct
  formula (sum of squared differences, the one the single-machine engines
  rank with), on the same row values and dtype, so they are the same
  floating-point numbers whichever block they came from;
- the merge sorts by (squared distance, global index), as the engines do.

No task holds more than two input blocks, the engine's scratch memory (sized
from the worker's memory limit) and ``rows x k`` candidates.
"""

from collections import namedtuple

import dask.array as da
import numpy as np
from dask.base import tokenize
from dask.highlevelgraph import HighLevelGraph

from gpuimb._backends import kneighbors as _bruteforce_kneighbors
from gpuimb._backends._base import direct_sq_distances
from gpuimb._backends._tiles import MIB as _MIB
from gpuimb.dask._collections import meta_like
from gpuimb.dask._memory import block_rows, reusing_allocator, worker_task_bytes

__all__ = ["Neighbours", "kneighbors"]

# Fan-in of the merge tree over index blocks.
_SPLIT_EVERY = 8

Neighbours = namedtuple("Neighbours", ["indices", "distances", "labels"])
Neighbours.__doc__ = """Dask arrays of shape (n_query, k): neighbour rows, their
Euclidean distances (None unless asked for) and their labels (None unless
index labels were given)."""


def _namespace(a):
    from array_api_compat import array_namespace

    return array_namespace(a)


def _float(xp, index, query):
    """The dtypes the single-machine engines compute in."""
    if not xp.isdtype(index.dtype, "real floating"):
        index = xp.astype(index, xp.float64)
    return index, xp.astype(query, index.dtype, copy=False)


def _pair(query, index, own, q_start, offset, k, labels, want_own_range):
    """Exact k nearest rows of ``index`` (global rows offset + j) per query row."""
    xp = _namespace(index)
    index, query = _float(xp, index, query)
    n_b = index.shape[0]
    if want_own_range:
        own = xp.arange(q_start, q_start + query.shape[0], dtype=xp.int64)
    extra = 0 if own is None else 1
    kk = min(k + extra, n_b)
    budget = worker_task_bytes()
    # The engine's scratch gets half of what the inputs leave of the budget.
    held = (index.size + query.size) * index.dtype.itemsize
    working_memory = max((budget - held) / 2, 8 * _MIB) / _MIB
    with reusing_allocator():
        cols = _bruteforce_kneighbors(index, query, k=kk, exclude_self=False,
                                      return_distance=False, working_memory=working_memory)
    cols = xp.astype(cols, xp.int64)
    d2 = direct_sq_distances(xp, index, query, cols)
    gcols = cols + offset
    if own is not None:
        own = xp.astype(xp.asarray(own), xp.int64)
        d2 = xp.where(gcols == own[:, None], xp.inf, d2)
    labs = None
    if labels is not None:
        flat = xp.take(labels, xp.reshape(cols, (-1,)), axis=0)
        labs = xp.reshape(flat, cols.shape)
    return d2, gcols, labs


def _merge(parts, k):
    """The ``k`` smallest (squared distance, global index) pairs of each row."""
    parts = [p for p in parts if p[0].shape[1]]
    xp = _namespace(parts[0][0])
    d2 = xp.concat([p[0] for p in parts], axis=1)
    cols = xp.concat([p[1] for p in parts], axis=1)
    has_labels = parts[0][2] is not None
    labs = xp.concat([p[2] for p in parts], axis=1) if has_labels else None
    order = xp.argsort(cols, axis=1, stable=True)
    by_d2 = xp.argsort(xp.take_along_axis(d2, order, axis=1), axis=1, stable=True)
    order = xp.take_along_axis(order, by_d2, axis=1)[:, :k]
    d2 = xp.take_along_axis(d2, order, axis=1)
    cols = xp.take_along_axis(cols, order, axis=1)
    if has_labels:
        labs = xp.take_along_axis(labs, order, axis=1)
    return d2, cols, labs


def _field(result, i, sqrt=False):
    value = result[i]
    if sqrt:
        return _namespace(value).sqrt(value)
    return value


def _empty_rows(query, k, dtype):
    xp = _namespace(query)
    return xp.zeros((0, k), dtype=dtype)


def kneighbors(index, query=None, *, k, exclude_self=None, labels=None,
               return_distance=False, max_block_rows=None):
    """Exact Euclidean k-nearest neighbours between Dask arrays.

    Parameters
    ----------
    index : dask.array.Array of shape (n_index, n_features)
        Points searched (NumPy or CuPy chunks).
    query : dask.array.Array of shape (n_query, n_features), default=None
        Points whose neighbours are wanted; None means ``index`` itself.
    k : int
        Number of neighbours.
    exclude_self : bool or array of int of shape (n_query,), default=None
        Exclude each query row's own index row: ``True`` when the query is the
        index (the default for ``query=None``), or each query row's global
        index row (a NumPy or Dask array).
    labels : dask.array.Array of shape (n_index,), default=None
        Labels of the index rows; the labels of the neighbours come back too
        (no second pass over the labels).
    return_distance : bool, default=False
        Return the distances too.
    max_block_rows : int, default=None
        Largest block of rows a task sees; None sizes blocks from the
        workers' memory limits (see :mod:`gpuimb.dask._memory`).

    Returns
    -------
    neighbours : Neighbours
        Lazy Dask arrays with the query's row chunks: ``indices`` (int64,
        global rows of ``index`` in (distance, index) order), ``distances``
        (or None) and ``labels`` (or None).

    Examples
    --------
    >>> import numpy as np, dask.array as da
    >>> from gpuimb.dask import kneighbors
    >>> X = da.from_array(np.array([[0.], [1.], [3.], [4.]]), chunks=2)
    >>> kneighbors(X, k=1).indices.compute().ravel().tolist()
    [1, 0, 3, 2]
    """
    if query is None:
        query = index
        if exclude_self is None:
            exclude_self = True
    elif exclude_self is None:
        exclude_self = False
    if index.ndim != 2 or query.ndim != 2 or query.shape[1] != index.shape[1]:
        raise ValueError(
            f"index and query must be 2-D with the same number of features; got "
            f"shapes {index.shape} and {query.shape}."
        )
    n_index, n_query = index.shape[0], query.shape[0]
    own_range = isinstance(exclude_self, bool | np.bool_) and bool(exclude_self)
    if own_range and n_query != n_index:
        raise ValueError(
            "exclude_self=True needs query rows to be the index rows; got "
            f"{n_query} query rows for {n_index} index rows."
        )
    own = None
    if not isinstance(exclude_self, bool | np.bool_):
        own = exclude_self
        if not isinstance(own, da.Array):
            own = da.from_array(np.asarray(own, dtype=np.int64), chunks=-1)
        if own.shape != (n_query,):
            raise ValueError(f"exclude_self must have shape ({n_query},); got {own.shape}.")
    excluding = own_range or own is not None
    k = int(k)
    n_avail = n_index - (1 if excluding else 0)
    if not 1 <= k <= n_avail:
        raise ValueError(
            f"Expected 1 <= k <= {n_avail} (the points available as neighbours); got k={k}."
        )

    row_bytes = max(index.dtype.itemsize, 8) * index.shape[1]
    limit = block_rows(row_bytes) if max_block_rows is None else int(max_block_rows)
    out_chunks = query.chunks[0]
    # Blocks of ``limit`` rows whatever the caller's chunks (tiny partitions
    # would make n_blocks**2 pair tasks); the result does not depend on them.
    index = index.rechunk((min(limit, max(n_index, 1)), -1))
    query = query.rechunk((min(limit, max(n_query, 1)), -1))
    if own is not None:
        own = own.rechunk((query.chunks[0],))
    if labels is not None:
        labels = labels.rechunk((index.chunks[0],))

    token = tokenize(index, query, own, labels, k, own_range, limit)
    pair_name, merge_name = f"knn-pair-{token}", f"knn-merge-{token}"
    dsk = {}
    offsets = np.concatenate([[0], np.cumsum(index.chunks[0])]).astype(int)
    q_offsets = np.concatenate([[0], np.cumsum(query.chunks[0])]).astype(int)
    blocks = [j for j, size in enumerate(index.chunks[0]) if size]
    finals = {}
    for i, q_size in enumerate(query.chunks[0]):
        if not q_size:
            continue
        level = []
        for j in blocks:
            key = (pair_name, i, j)
            dsk[key] = (
                _pair, (query.name, i, 0), (index.name, j, 0),
                None if own is None else (own.name, i), int(q_offsets[i]),
                int(offsets[j]), k, None if labels is None else (labels.name, j),
                own_range,
            )
            level.append(key)
        depth = 0
        while len(level) > 1 or depth == 0:
            nxt = []
            for g in range(0, len(level), _SPLIT_EVERY):
                key = (merge_name, i, depth, g)
                dsk[key] = (_merge, list(level[g:g + _SPLIT_EVERY]), k)
                nxt.append(key)
            level, depth = nxt, depth + 1
        finals[i] = level[0]

    deps = [index, query] + [a for a in (own, labels) if a is not None]

    def field(i, name_prefix, dtype, sqrt=False, chunk_meta=None):
        name = f"{name_prefix}-{token}"
        layer = dict(dsk)
        for b, q_size in enumerate(query.chunks[0]):
            if q_size:
                layer[(name, b, 0)] = (_field, finals[b], i, sqrt)
            else:
                layer[(name, b, 0)] = (_empty_rows, (query.name, b, 0), k, dtype)
        g = HighLevelGraph.from_collections(name, layer, dependencies=deps)
        return da.Array(g, name, chunks=(query.chunks[0], (k,)), meta=chunk_meta)

    indices = field(1, "knn-indices", np.int64,
                    chunk_meta=meta_like(query, (0, 0), np.int64))
    distances = labs = None
    if return_distance:
        dist_dtype = index.dtype if np.issubdtype(index.dtype, np.floating) else np.float64
        distances = field(0, "knn-distances", dist_dtype, sqrt=True,
                          chunk_meta=meta_like(query, (0, 0), dist_dtype))
    if labels is not None:
        labs = field(2, "knn-labels", labels.dtype,
                     chunk_meta=meta_like(labels, (0, 0), labels.dtype))
    fix = (out_chunks, (k,))
    return Neighbours(
        indices.rechunk(fix),
        None if distances is None else distances.rechunk(fix),
        None if labs is None else labs.rechunk(fix),
    )
