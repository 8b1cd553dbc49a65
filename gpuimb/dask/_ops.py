"""Distributed building blocks of the Dask samplers.

One pass (:func:`scan`) gives the client the only statistics it keeps: a
(chunk x class) count table, each class's first row, and the validation
flags of X and y. Everything else is lazy and chunk-wise: class codes,
the global rows of a class, row selections with known chunk sizes.
"""

from dataclasses import dataclass

import dask
import dask.array as da
import numpy as np

from gpuimb._backends import to_host
from gpuimb.dask._collections import meta_like


def _xp(a):
    from array_api_compat import array_namespace

    return array_namespace(a)


def _chunk_scan(yb, xb, check_x):
    y_host = np.asarray(to_host(yb))
    classes, first, counts = np.unique(y_host, return_index=True, return_counts=True)
    out = {"classes": classes, "first": first, "counts": counts, "y_nonint": False,
           "y_nonfinite": False, "x_nan": False, "x_inf": False}
    if y_host.dtype.kind == "f":
        finite = np.isfinite(y_host)
        out["y_nonfinite"] = not bool(finite.all())
        out["y_nonint"] = bool(np.any(y_host[finite] != np.round(y_host[finite])))
    if check_x and getattr(xb.dtype, "kind", "O") in "fc":
        xp = _xp(xb)
        out["x_nan"] = bool(xp.any(xp.isnan(xb)))
        out["x_inf"] = bool(xp.any(xp.isinf(xb)))
    return out


@dataclass
class Data:
    """Validated X, y and the client-side class table.

    Attributes
    ----------
    X, y : dask.array.Array
        Aligned row chunks; X has one column block.
    classes : ndarray
        Sorted class labels (host).
    table : ndarray of shape (n_chunks, n_classes)
        Rows of each class in each chunk (host, int64).
    first : ndarray of shape (n_classes,)
        Global row of each class's first sample.
    """

    X: object
    y: object
    classes: np.ndarray
    table: np.ndarray
    first: np.ndarray

    @property
    def stats(self):
        """``{class: count}`` sorted by class, as ``class_counts`` gives it."""
        totals = self.table.sum(axis=0)
        return {c: int(n) for c, n in zip(self.classes, totals, strict=True)}

    @property
    def offsets(self):
        return np.concatenate([[0], np.cumsum(self.X.chunks[0])]).astype(np.int64)

    def code_of(self, klass):
        return int(np.searchsorted(self.classes, klass))

    def codes(self):
        """Lazy int32 class code of every row (position in ``classes``)."""
        classes = self.classes
        return self.y.map_blocks(_codes, classes, dtype=np.int32,
                                 meta=meta_like(self.y, (0,), np.int32))

    def class_rows(self, klass):
        """Lazy int64 global rows of ``klass``, in row order, known chunks."""
        code = self.code_of(klass)
        return masked_rows(self.codes(), self.table[:, code], _equal, code)


def _codes(yb, classes):
    xp = _xp(yb)
    host = np.asarray(to_host(yb))
    codes = np.searchsorted(classes, host).astype(np.int32)
    return codes if xp is np or type(yb).__module__.startswith("numpy") else \
        xp.asarray(codes)


def _equal(codes, code):
    return codes == code


def _rows_where(block, predicate, arg, block_info=None):
    xp = _xp(block)
    start = block_info[0]["array-location"][0][0]
    mask = predicate(block, arg)
    return xp.astype(xp.nonzero(mask)[0], xp.int64) + start


def masked_rows(array, counts, predicate, arg):
    """Global rows where ``predicate(block, arg)`` holds; ``counts`` per chunk."""
    return array.map_blocks(
        _rows_where, predicate, arg, chunks=(tuple(int(c) for c in counts),),
        dtype=np.int64, meta=meta_like(array, (0,), np.int64),
    )


def scan(X, y, *, check_x, labels_only=False):
    """One distributed pass: class table, first rows, validation flags.

    ``labels_only`` reads y alone (X is not computed).
    """
    if labels_only:
        parts = [dask.delayed(_chunk_scan)(yb, None, False) for yb in y.to_delayed().ravel()]
    else:
        parts = [dask.delayed(_chunk_scan)(yb, xb, check_x) for yb, xb in
                 zip(y.to_delayed().ravel(), X.to_delayed().ravel(), strict=True)]
    results = dask.compute(*parts)
    if any(r["y_nonfinite"] for r in results):
        raise ValueError("Input y contains NaN or infinity.")
    if any(r["y_nonint"] for r in results):
        raise ValueError(
            "Unknown label type: continuous. Maybe you are trying to fit a "
            "classifier, which expects discrete classes on a regression target "
            "with continuous values."
        )
    if any(r["x_nan"] for r in results):
        raise ValueError("Input X contains NaN.")
    if any(r["x_inf"] for r in results):
        raise ValueError(f"Input X contains infinity or a value too large for {X.dtype}.")
    classes = np.unique(np.concatenate([r["classes"] for r in results]))
    table = np.zeros((len(results), len(classes)), dtype=np.int64)
    first = np.full(len(classes), np.iinfo(np.int64).max, dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(X.chunks[0])])
    for j, r in enumerate(results):
        pos = np.searchsorted(classes, r["classes"])
        table[j, pos] = r["counts"]
        first[pos] = np.minimum(first[pos], r["first"] + offsets[j])
    return Data(X, y, classes, table, first)


def _select(block, mask):
    xp = _xp(block)
    rows = xp.nonzero(xp.asarray(mask))[0]
    return xp.take(block, rows, axis=0)


def select(array, mask, counts):
    """``array[mask]`` chunk by chunk, with known chunk sizes ``counts``.

    ``mask`` has ``array``'s row chunks; rows keep their order.
    """
    counts = tuple(int(c) for c in counts)
    if array.ndim == 1:
        return da.map_blocks(_select, array, mask, chunks=(counts,), dtype=array.dtype,
                             meta=array._meta)
    return da.map_blocks(_select, array, mask[:, None], chunks=(counts, array.chunks[1]),
                         dtype=array.dtype, meta=array._meta)


def mask_counts(mask, codes, n_classes):
    """Host (chunk x class) table of the rows kept by ``mask``."""
    parts = [dask.delayed(_count_kept)(m, c, n_classes)
             for m, c in zip(mask.to_delayed().ravel(), codes.to_delayed().ravel(),
                             strict=True)]
    return np.stack(dask.compute(*parts)).reshape(len(parts), n_classes)


def _count_kept(mask, codes, n_classes):
    mask, codes = np.asarray(to_host(mask)), np.asarray(to_host(codes))
    return np.bincount(codes[mask], minlength=n_classes).astype(np.int64)


def _keep_class(mask, codes, code):
    return mask & (codes == code)


def select_by_class(data, mask, codes, table):
    """Rows kept by ``mask``, grouped by class in sorted class order.

    This is the order of the single-machine cleaning samplers' output
    (``sample_indices_`` concatenated class by class).
    """
    Xs, ys, idx = [], [], []
    everyone = da.arange(data.X.shape[0], chunks=data.X.chunks[0], dtype=np.int64)
    for code in range(len(data.classes)):
        counts = table[:, code]
        if not counts.sum():
            continue
        keep = da.map_blocks(_keep_class, mask, codes, code, dtype=bool)
        Xs.append(select(data.X, keep, counts))
        ys.append(select(data.y, keep, counts))
        idx.append(select(everyone, keep, counts))
    return da.concatenate(Xs), da.concatenate(ys), da.concatenate(idx)


def take_class(data, klass, positions, arrays):
    """Members number ``positions`` of ``klass``, for each array of ``arrays``.

    ``positions`` (host ints, any order, repeats allowed) count the class's
    rows in row order, as ``flatnonzero(y == klass)[positions]`` does. The
    class's rows are first selected chunk by chunk (known sizes), then
    :func:`host_take` gathers the positions from budget-sized blocks of them: a
    small class is one block, so drawing many rows from it (over-sampling) is
    one embarrassingly parallel gather, not a shuffle of the output. ``arrays``
    are row-aligned with X; the string ``"rows"`` asks for the global rows.
    """
    positions = np.asarray(positions, dtype=np.int64)
    code = data.code_of(klass)
    counts = data.table[:, code]
    whole = positions.size == counts.sum() and np.array_equal(positions,
                                                              np.arange(positions.size))
    if not whole and 2 * positions.size <= counts.sum():
        # Few draws from a large class (under-sampling): each chunk picks its own
        # members, then one permutation of the (small) output restores the order.
        return _pick_by_chunk(data, klass, positions, arrays)
    keep = data.codes() == code
    everyone = da.arange(data.X.shape[0], chunks=data.X.chunks[0], dtype=np.int64)
    members = [select(everyone if isinstance(a, str) else a, keep, counts) for a in arrays]
    if whole:
        # The whole class in row order: the selection itself.
        return members
    return [host_take(m, positions) for m in members]


def _pick(block, codes, code, ranks):
    """Rows number ``ranks`` (in order) among the rows of class ``code`` of a chunk."""
    xp = _xp(block)
    rows = xp.nonzero(codes == code)[0]
    rows = xp.take(rows, xp.asarray(ranks, dtype=xp.int64), axis=0)
    return xp.take(block, rows, axis=0)


def _pick_rows(codes, code, ranks, start):
    xp = _xp(codes)
    rows = xp.nonzero(codes == code)[0]
    return xp.astype(xp.take(rows, xp.asarray(ranks, dtype=xp.int64), axis=0), xp.int64) + start


def _pick_by_chunk(data, klass, positions, arrays):
    """Members number ``positions`` of ``klass``, for each array of ``arrays``.

    ``positions`` (host ints, any order, repeats allowed) count the class's
    rows in row order, as ``flatnonzero(y == klass)[positions]`` does. Each
    chunk picks its own members (no all-to-all slicing); one host permutation
    then restores the draw order. ``arrays`` are row-aligned with X; the
    string ``"rows"`` asks for the global row numbers.
    """
    from dask.base import tokenize
    from dask.highlevelgraph import HighLevelGraph

    positions = np.asarray(positions, dtype=np.int64)
    code = data.code_of(klass)
    counts = data.table[:, code]
    ends = np.cumsum(counts)
    chunk = np.searchsorted(ends, positions, side="right")
    ranks = positions - (ends - counts)[chunk]
    order = np.argsort(chunk, kind="stable")
    per_chunk = np.bincount(chunk, minlength=len(counts))
    split = np.split(ranks[order], np.cumsum(per_chunk)[:-1])
    used = [j for j in range(len(counts)) if per_chunk[j]]
    codes = data.codes()
    offsets = data.offsets
    out = []
    for array in arrays:
        rows_wanted = isinstance(array, str)
        like = codes if rows_wanted else array
        name = f"take-class-{tokenize(like, code, positions, rows_wanted)}"
        dsk = {}
        for b, j in enumerate(used):
            if rows_wanted:
                dsk[(name, b)] = (_pick_rows, (codes.name, j), code, split[j],
                                  int(offsets[j]))
            else:
                block = (array.name, j) if array.ndim == 1 else (array.name, j, 0)
                key = (name, b) if array.ndim == 1 else (name, b, 0)
                dsk[key] = (_pick, block, (codes.name, j), code, split[j])
        sizes = tuple(int(per_chunk[j]) for j in used) or (0,)
        if not used:
            # Nothing drawn: an empty block of the right type.
            empty = meta_like(like, (0,) if rows_wanted or array.ndim == 1
                              else (0, array.shape[1]), np.int64 if rows_wanted else None)
            grouped = da.from_array(empty, chunks=-1)
            out.append(grouped)
            continue
        deps = [codes] if rows_wanted else [array, codes]
        graph = HighLevelGraph.from_collections(name, dsk, dependencies=deps)
        if rows_wanted:
            grouped = da.Array(graph, name, chunks=(sizes,), dtype=np.int64,
                               meta=meta_like(codes, (0,), np.int64))
        elif array.ndim == 1:
            grouped = da.Array(graph, name, chunks=(sizes,), dtype=array.dtype,
                               meta=array._meta)
        else:
            grouped = da.Array(graph, name, chunks=(sizes, (array.shape[1],)),
                               dtype=array.dtype, meta=array._meta)
        if np.any(order != np.arange(order.size)):
            inverse = np.empty_like(order)
            inverse[order] = np.arange(order.size)
            grouped = host_take(grouped, inverse)
        out.append(grouped)
    return out


def host_take(array, index):
    """``array[index]`` for a host integer ``index`` (any order, repeats allowed).

    The rows are first regrouped into blocks of the memory budget's size:
    dask's take makes output chunks of the *average* input chunk, so an array
    spread thinly over many partitions (one class's rows) would give one tiny
    task per few rows; and it fails outright below one row per chunk.
    """
    import warnings

    from gpuimb.dask._memory import block_rows

    n = array.shape[0]
    row_bytes = max(array.dtype.itemsize, 1) * (array.shape[1] if array.ndim == 2 else 1)
    target = max(1, min(max(n, 1), block_rows(row_bytes, parts=8)))
    if n and (min(array.chunks[0]) == 0 or n / len(array.chunks[0]) < target / 2):
        array = array.rechunk({0: target})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", da.PerformanceWarning)
        return array[index]
