"""The samplers on Dask collections, one function per sampler.

Each function takes the sampler (validated parameters, ``sampling_strategy_``
already set) and :class:`~gpuimb.dask._ops.Data`, and returns lazy
``(X_resampled, y_resampled)`` Dask arrays equal to what the single-machine
sampler returns for the same ``random_state``: same rows, same order, same
synthetic values. Random numbers are drawn on the client with the same host
``RandomState`` calls, in the same order, as the single-machine code.
"""

import numbers
import warnings

import dask.array as da
import numpy as np
from sklearn.utils import check_random_state

from gpuimb._backends import to_host
from gpuimb._backends._base import kneighbors_error as _kneighbors_error
from gpuimb.dask._knn import kneighbors
from gpuimb.dask._ops import host_take as take
from gpuimb.dask._ops import mask_counts, select, select_by_class, take_class
from gpuimb.over_sampling._adasyn import NO_OTHER_CLASS_NEIGHBOUR
from gpuimb.utils._random import choice_positions


def _xp(a):
    from array_api_compat import array_namespace

    return array_namespace(a)


def _host(array):
    """Compute a small Dask array and bring it to the client as NumPy."""
    return np.asarray(to_host(array.compute()))


def _require_int(value, name, sampler):
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        return int(value)
    raise TypeError(
        f"{type(sampler).__name__}: on Dask collections {name} must be an integer "
        f"(the exact distributed search answers it); got {type(value).__name__}. A "
        "neighbours estimator cannot be distributed."
    )


def _host_chunks_only(sampler, X, why):
    """NotImplementedError for CuPy-backed chunks where the single-GPU sampler
    computes differently from the host kernels the Dask version reproduces."""
    if type(X._meta).__module__.split(".")[0] == "cupy":
        raise NotImplementedError(
            f"{type(sampler).__name__} on CuPy-backed Dask collections is not exact: "
            f"{why}. Opt in explicitly with gpuimb.dask.fit_resample(sampler, X, y, "
            "gather=True), or use NumPy-backed chunks (equal to host gpuimb)."
        )


def _persist(*arrays):
    import dask

    return dask.persist(*arrays)


def _take_dask(array, index):
    """``array[index]`` for a lazy Dask integer ``index`` (known chunks)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", da.PerformanceWarning)
        return array[index]


def _output_chunks(n, like):
    rows = max(int(max(like.chunks[0], default=1)), 1)
    return (n,) if n <= rows else rows


# --------------------------------------------------------------------------- random


def random_under_sampler(sampler, data):
    """RandomUnderSampler: client draws, one distributed take.

    Client memory: the draws (``choice(n_class, n_kept, replace=False)`` is a
    permutation of the class, so O(n_class) int64 for each under-sampled class).
    """
    random_state = check_random_state(sampler.random_state)
    kept = []
    for klass, count in data.stats.items():
        if klass in sampler.sampling_strategy_:
            positions = choice_positions(random_state, int(count),
                                         sampler.sampling_strategy_[klass],
                                         sampler.replacement)
        else:
            positions = np.arange(int(count))
        kept.append((klass, positions))
    return _take_kept(sampler, data, kept)


def _take_kept(sampler, data, kept):
    """X and y of the ``(class, positions)`` pairs, in order; sets ``sample_indices_``."""
    parts = [take_class(data, klass, positions, [data.X, data.y, "rows"])
             for klass, positions in kept]
    sampler.sample_indices_ = da.concatenate([part[2] for part in parts])
    return (da.concatenate([part[0] for part in parts]),
            da.concatenate([part[1] for part in parts]))


def _smoothed_noise_chunk(state, rows, n_features):
    rs = np.random.RandomState()
    rs.set_state(state)
    noise = rs.randn(rows, n_features)
    return noise, rs.get_state()


def _noise_chain(state, n_rows, n_features, chunk_rows):
    """``RandomState.randn(n_rows, n_features)`` generated on the workers.

    A chain of tasks, each continuing the previous one's generator state, so
    the values equal one big client-side call while no task holds more than
    ``chunk_rows`` rows.
    """
    import dask

    sizes = [min(chunk_rows, n_rows - s) for s in range(0, n_rows, chunk_rows)] or [0]
    blocks = []
    current = state
    for size in sizes:
        pair = dask.delayed(_smoothed_noise_chunk, nout=2)(current, size, n_features)
        blocks.append(da.from_delayed(pair[0], shape=(size, n_features), dtype=np.float64))
        current = pair[1]
    return da.concatenate(blocks)


def _like(block, meta):
    """``block`` (NumPy) as an array of ``meta``'s library (NumPy or CuPy)."""
    if type(meta).__module__.split(".")[0] == "cupy":
        import cupy

        return cupy.asarray(block)
    return block


def _advance_randn(random_state, n):
    """Advance ``random_state`` past ``randn(n)`` without keeping the values."""
    step = 2**20
    for start in range(0, n, step):
        random_state.randn(min(step, n - start))


def random_over_sampler(sampler, data):
    """RandomOverSampler: client draws, a take of the drawn rows appended to X.

    Client memory: the drawn positions (int64 per new sample). With
    ``shrinkage``, the Gaussian noise is generated on the workers by a chain
    of tasks continuing the client's generator state.
    """
    random_state = check_random_state(sampler.random_state)
    shrinkage = _shrinkage(sampler, data)
    X, y = data.X, data.y
    n_samples, n_features = X.shape
    X_blocks, y_blocks = [X], [y]
    idx_blocks = [da.arange(n_samples, chunks=X.chunks[0], dtype=np.int64)]
    chunk_rows = int(max(X.chunks[0], default=1)) or 1
    for klass, n_new in sampler.sampling_strategy_.items():
        count = data.stats[klass]
        positions = choice_positions(random_state, int(count), n_new, True)
        picked, y_new, drawn = take_class(data, klass, positions, [X, y, "rows"])
        idx_blocks.append(drawn)
        if shrinkage is not None:
            smoothing = (4 / ((n_features + 2) * n_samples)) ** (1 / (n_features + 4))
            X_class = select(X, data.codes() == data.code_of(klass),
                             data.table[:, data.code_of(klass)])
            scale = (shrinkage[klass] * smoothing * _column_std(X_class)).astype(np.float64)
            state = random_state.get_state()
            noise = _noise_chain(state, n_new, n_features, chunk_rows)
            _advance_randn(random_state, n_new * n_features)
            out_dtype = X.dtype if np.issubdtype(X.dtype, np.floating) else np.float64
            picked = picked.rechunk((noise.chunks[0], -1))
            noise = noise.map_blocks(_like, picked._meta, dtype=np.float64, meta=picked._meta)
            picked = (noise * scale[None, :] + picked.astype(np.float64)).astype(out_dtype)
        X_blocks.append(picked)
        y_blocks.append(y_new)
    sampler.sample_indices_ = da.concatenate(idx_blocks)
    return da.concatenate(X_blocks), da.concatenate(y_blocks)


def _shrinkage(sampler, data):
    if sampler.shrinkage is None:
        sampler.shrinkage_ = None
        return None
    if isinstance(sampler.shrinkage, numbers.Real):
        sampler.shrinkage_ = {k: sampler.shrinkage for k in sampler.sampling_strategy_}
    else:
        missing = set(sampler.sampling_strategy_) - set(sampler.shrinkage)
        if missing:
            raise ValueError(
                f"`shrinkage` should contain a shrinkage factor for each class that "
                f"will be resampled. The missing classes are: {missing!r}"
            )
        sampler.shrinkage_ = dict(sampler.shrinkage)
    for klass, factor in sampler.shrinkage_.items():
        if factor < 0:
            raise ValueError(
                f"The shrinkage factor needs to be >= 0. Got {factor} for class {klass}."
            )
    if not np.issubdtype(data.X.dtype, np.number) or data.X.dtype.kind == "c":
        raise ValueError(
            "When shrinkage is not None, X needs to contain only numerical data to "
            f"later generate a smoothed bootstrap sample (X has non-numeric dtype "
            f"{data.X.dtype})"
        )
    return sampler.shrinkage_


def _column_std(X):
    """Population standard deviation of each column, as NumPy's two-pass formula."""
    if not np.issubdtype(X.dtype, np.floating):
        X = X.astype(np.float64)
    mean = X.mean(axis=0)
    return da.sqrt(((X - mean[None, :]) ** 2).mean(axis=0))


# --------------------------------------------------------------------------- SMOTE


def _interpolate(base, target, steps, dtype):
    xp = _xp(base)
    if not xp.isdtype(base.dtype, "real floating"):
        base = xp.astype(base, xp.float64)
        target = xp.astype(target, xp.float64)
    out = base + steps * (target - base)
    return xp.astype(out, dtype)


def _class_block(data, klass):
    code = data.code_of(klass)
    return select(data.X, data.codes() == code, data.table[:, code])


def _make_samples(sampler, X_base, nn_num, n_samples, random_state, step_size=1.0,
                  rows_like=None):
    """New rows ``X_base[r] + step * (X_base[nn_num[r, c]] - X_base[r])``.

    Draws: ``randint(n_base * k)`` then ``uniform``, from ``random_state``, as
    the single-machine ``_make_samples``. Returns the lazy rows and the host
    (rows, flat positions, steps).
    """
    n_base, k = int(nn_num.shape[0]), int(nn_num.shape[1])
    flat = random_state.randint(low=0, high=n_base * k, size=n_samples)
    steps = step_size * random_state.uniform(size=n_samples)
    rows = np.floor_divide(flat, k)
    chunks = _output_chunks(n_samples, X_base if rows_like is None else rows_like)
    # The class's neighbour table (k ints per class row) comes to the client and
    # is indexed there: an O(new rows) array computed on the cluster would be
    # assembled on one worker first.
    neighbors = _host(nn_num).reshape(-1)[flat].astype(np.int64)
    base = take(X_base, rows).rechunk((chunks, -1))
    target = take(X_base, neighbors).rechunk((base.chunks[0], -1))
    steps_d = da.from_array(steps, chunks=(base.chunks[0],))
    out = da.map_blocks(_interpolate, base, target, steps_d[:, None], X_base.dtype,
                        dtype=X_base.dtype, meta=X_base._meta)
    return out, rows, neighbors, steps


def smote(sampler, data):
    """SMOTE: exact in-class kNN per over-sampled class, client draws.

    Client memory: the draws (two numbers per new sample).
    """
    k = _require_int(sampler.k_neighbors, "k_neighbors", sampler)
    X_blocks, y_blocks = [data.X], [data.y]
    for klass, n_samples in sampler.sampling_strategy_.items():
        if n_samples == 0:
            continue
        n_class = data.stats[klass]
        if k + 1 > n_class:
            raise _kneighbors_error(k + 1, n_class, n_class)
        X_class = _class_block(data, klass)
        nns = kneighbors(X_class, X_class, k=k + 1, exclude_self=False).indices[:, 1:]
        random_state = check_random_state(sampler.random_state)
        X_new, *_ = _make_samples(sampler, X_class, nns, n_samples, random_state,
                                  rows_like=data.X)
        X_blocks.append(X_new)
        y_blocks.append(_labels_for(X_new, data.y, klass))
    return da.concatenate(X_blocks), da.concatenate(y_blocks)


# --------------------------------------------------------------------------- cleaning


def _targeted_codes(data, classes):
    return np.asarray([data.code_of(c) for c in classes], dtype=np.int32)


def _agree_block(nb_codes, codes, kind_sel, n_classes):
    xp = _xp(nb_codes)
    if kind_sel == "all":
        return xp.all(nb_codes == codes[:, None], axis=1)
    votes = xp.stack([xp.sum(xp.astype(nb_codes == c, xp.int32), axis=1)
                      for c in range(n_classes)], axis=1)
    return xp.argmax(votes, axis=1) == codes


def _isin(codes, targets):
    xp = _xp(codes)
    out = xp.zeros(codes.shape, dtype=xp.bool)
    for t in targets:
        out = out | (codes == int(t))
    return out


def _keep_block(agree, codes, targets):
    return ~_isin(codes, targets) | agree


def edited_nearest_neighbours(sampler, data):
    """EditedNearestNeighbours: one exact distributed kNN carrying the labels.

    Client memory: the (chunk x class) table of kept rows. Workers keep the
    kept-row mask (one byte per row) between the count and the output.
    """
    keep, codes = _enn_keep(sampler, data)
    return _finish_cleaning(sampler, data, keep, codes)


def _enn_keep(sampler, data):
    """Lazy mask of the rows ENN keeps, and the lazy class codes."""
    k = _require_int(sampler.n_neighbors, "n_neighbors", sampler)
    codes = data.codes()
    targets = _targeted_codes(data, sampler.sampling_strategy_)
    n = data.X.shape[0]
    n_targeted = int(data.table[:, targets].sum()) if len(targets) else 0
    if n_targeted == 0:
        keep = da.ones(n, chunks=data.X.chunks[0], dtype=bool)
    else:
        if k + 1 > n:
            first = next(data.stats[c] for c in data.classes
                         if c in sampler.sampling_strategy_)
            raise _kneighbors_error(k + 1, n, int(first))
        nb = kneighbors(data.X, k=k, exclude_self=True, labels=codes).labels
        agree = da.blockwise(_agree_block, "i", nb, "ij", codes, "i", sampler.kind_sel,
                             None, len(data.classes), None, dtype=bool, concatenate=True,
                             meta=np.empty((0,), dtype=bool))
        keep = da.map_blocks(_keep_block, agree, codes, targets, dtype=bool)
    return keep, codes


def _minority(data):
    """The minority class; among equal counts the one seen first in y."""
    counts = data.stats
    smallest = min(counts.values())
    tied = [c for c, v in counts.items() if v == smallest]
    return tied[int(np.argmin([data.first[data.code_of(c)] for c in tied]))]


def _not_in_block(codes, rows, block_info=None):
    start = block_info[0]["array-location"][0][0]
    xp = _xp(codes)
    here = np.arange(start, start + codes.shape[0])
    return xp.asarray(~np.isin(here, rows))


def neighbourhood_cleaning_rule(sampler, data):
    """NeighbourhoodCleaningRule: the Dask ENN, then the neighbours of the
    minority rows a k-NN vote misclassifies (both from the exact kNN).

    Client memory: the rows near misclassified minority samples (at most
    ``n_neighbors`` per minority row) and the (chunk x class) kept table.
    """
    from gpuimb.under_sampling import EditedNearestNeighbours

    k = _require_int(sampler.n_neighbors, "n_neighbors", sampler)
    if sampler.edited_nearest_neighbours is None:
        enn = EditedNearestNeighbours(sampling_strategy=sampler.sampling_strategy,
                                      n_neighbors=sampler.n_neighbors, kind_sel="mode",
                                      n_jobs=sampler.n_jobs)
    else:
        from sklearn.base import clone

        enn = clone(sampler.edited_nearest_neighbours)
        if type(enn) is not EditedNearestNeighbours:
            raise TypeError(
                "On Dask collections, edited_nearest_neighbours must be None or a gpuimb "
                f"EditedNearestNeighbours; got {type(enn).__name__}."
            )
    from gpuimb.dask._driver import strategy_for

    enn._validate_params()
    enn.sampling_strategy_ = strategy_for(enn, data)
    kept_by_enn, codes = _enn_keep(enn, data)
    sampler.edited_nearest_neighbours_ = enn

    stats = data.stats
    minority = _minority(data)
    by_first = sorted(stats, key=lambda c: data.first[data.code_of(c)])
    sampler.classes_to_clean_ = [
        c for c in by_first
        if c in sampler.sampling_strategy_
        and stats[c] > stats[minority] * sampler.threshold_cleaning
    ]
    from sklearn.neighbors import KNeighborsClassifier

    sampler.nn_ = KNeighborsClassifier(n_neighbors=k, n_jobs=sampler.n_jobs)
    n = data.X.shape[0]
    if k + 1 > n:
        raise _kneighbors_error(k + 1, n, stats[minority])
    X_min = _class_block(data, minority)
    found = kneighbors(data.X, X_min, k=k + 1, exclude_self=False, labels=codes)
    labels = _host(found.labels)
    min_code = data.code_of(minority)
    # The k-NN classifier's vote over the first k neighbours (the sample itself
    # included): most frequent class, ties to the smallest label.
    votes = np.stack([(labels[:, :k] == c).sum(axis=1) for c in range(len(data.classes))],
                     axis=1)
    misclassified = np.argmax(votes, axis=1) != min_code
    rows = np.flatnonzero(misclassified)
    near = np.unique(_host(take(found.indices[:, 1:], rows)).ravel()) if rows.size else \
        np.zeros(0, dtype=np.int64)
    clean_codes = _targeted_codes(data, sampler.classes_to_clean_)
    near_errors = ~da.map_blocks(_not_in_block, codes, near, dtype=bool)
    to_clean = da.map_blocks(_isin, codes, clean_codes, dtype=bool)
    keep = kept_by_enn & ~(near_errors & to_clean)
    return _finish_cleaning(sampler, data, keep, codes, by_class=False)


def _finish_cleaning(sampler, data, keep, codes, by_class=True):
    (keep,) = _persist(keep)
    table = mask_counts(keep, codes, len(data.classes))
    if by_class:
        X, y, idx = select_by_class(data, keep, codes, table)
    else:
        counts = table.sum(axis=1)
        everyone = da.arange(data.X.shape[0], chunks=data.X.chunks[0], dtype=np.int64)
        X, y, idx = (select(data.X, keep, counts), select(data.y, keep, counts),
                     select(everyone, keep, counts))
    sampler.sample_indices_ = idx
    return X, y


def _tomek_block(nearest_of_nearest, nb_codes, codes, targets, block_info=None):
    xp = _xp(codes)
    start = block_info[2]["array-location"][0][0]
    own = xp.arange(start, start + codes.shape[0], dtype=xp.int64)
    links = (nearest_of_nearest == own) & (nb_codes != codes) & _isin(codes, targets)
    return ~links


def tomek_links(sampler, data):
    """TomekLinks: exact 1-NN carrying labels, then a distributed mutual check.

    Client memory: the (chunk x class) table of kept rows. Workers keep the
    nearest-neighbour column (int64 per row) and the kept-row mask.
    """
    codes = data.codes()
    if data.X.shape[0] < 2:
        raise _kneighbors_error(2, data.X.shape[0], data.X.shape[0])
    nn = kneighbors(data.X, k=1, exclude_self=True, labels=codes)
    nearest, nb_codes = _persist(nn.indices[:, 0], nn.labels[:, 0])
    nearest_of_nearest = _take_dask(nearest, nearest)
    targets = _targeted_codes(data, sampler.sampling_strategy_)
    keep = da.map_blocks(_tomek_block, nearest_of_nearest.rechunk(codes.chunks),
                         nb_codes, codes, targets, dtype=bool)
    return _finish_cleaning(sampler, data, keep, codes, by_class=False)


# --------------------------------------------------------------------------- SMOTE variants


def _interpolate_diffs_first(base, target, steps, dtype):
    """``base + steps * (target - base)`` with the difference taken in X's dtype
    (ADASYN's order of operations)."""
    xp = _xp(base)
    diffs = target - base
    if not xp.isdtype(base.dtype, "real floating"):
        base = xp.astype(base, xp.float64)
        diffs = xp.astype(diffs, xp.float64)
    return xp.astype(base + steps * diffs, dtype)


def _interpolated(X_base, rows, nn_data, neighbors, steps, like, diffs_first=False):
    """Lazy ``X_base[rows] + steps * (nn_data[neighbors] - X_base[rows])``."""
    n = len(rows)
    chunks = _output_chunks(n, like)
    base = take(X_base, rows).rechunk((chunks, -1))
    target = take(nn_data, neighbors).rechunk((base.chunks[0], -1))
    steps_d = da.from_array(np.asarray(steps, dtype=np.float64), chunks=(base.chunks[0],))
    func = _interpolate_diffs_first if diffs_first else _interpolate
    return da.map_blocks(func, base, target, steps_d[:, None], X_base.dtype,
                         dtype=X_base.dtype, meta=X_base._meta)


def _labels_for(X_new, y, klass):
    return da.full((X_new.shape[0],), klass, dtype=y.dtype, chunks=(X_new.chunks[0],))


def _other_class_neighbours(data, X_class, klass, k, codes):
    """Per row of ``X_class`` (the rows of ``klass``), how many of its ``k``
    nearest rows of all of X (itself excluded) belong to another class; host."""
    n = data.X.shape[0]
    if k + 1 > n:
        raise _kneighbors_error(k + 1, n, data.stats[klass])
    labels = kneighbors(data.X, X_class, k=k + 1, exclude_self=False,
                        labels=codes).labels[:, 1:]
    return _host((labels != data.code_of(klass)).astype(np.int64).sum(axis=1))


def borderline_smote(sampler, data):
    """BorderlineSMOTE: danger test on all of X, then SMOTE from the danger rows.

    Client memory: the danger mask of each over-sampled class (one bool per
    class row), the draws and the neighbour of each new sample.
    """
    k = _require_int(sampler.k_neighbors, "k_neighbors", sampler)
    m = _require_int(sampler.m_neighbors, "m_neighbors", sampler)
    codes = data.codes()
    sampler.in_danger_indices = {}
    X_blocks, y_blocks = [data.X], [data.y]
    for klass, n_samples in sampler.sampling_strategy_.items():
        if n_samples == 0:
            continue
        code = data.code_of(klass)
        X_class = _class_block(data, klass)
        n_other = _other_class_neighbours(data, X_class, klass, m, codes)
        danger = (2 * n_other >= m) & (n_other < m)
        danger_local = np.flatnonzero(danger)
        if danger_local.size == 0:
            continue
        class_rows = data.class_rows(klass)
        sampler.in_danger_indices[klass] = _host(take(class_rows, danger_local))
        X_danger = take(X_class, danger_local)
        if sampler.kind == "borderline-1":
            nn_data, nn_labels = X_class, None
        else:
            nn_data, nn_labels = data.X, codes
        if k + 1 > nn_data.shape[0]:
            raise _kneighbors_error(k + 1, nn_data.shape[0], danger_local.size)
        found = kneighbors(nn_data, X_danger, k=k + 1, exclude_self=False,
                           labels=nn_labels)
        nns = found.indices[:, 1:]
        random_state = check_random_state(sampler.random_state)
        n_base = danger_local.size
        flat = random_state.randint(low=0, high=n_base * k, size=n_samples)
        steps = random_state.uniform(size=n_samples)
        rows = np.floor_divide(flat, k)
        neighbors = _host(nns).reshape(-1)[flat].astype(np.int64)
        if nn_labels is not None:
            nb_codes = _host(found.labels[:, 1:]).reshape(-1)[flat]
            other = nb_codes != code
            shrink_state = check_random_state(sampler.random_state)
            factors = shrink_state.uniform(low=0.0, high=0.5, size=(int(other.sum()), 1))[:, 0]
            steps = steps.copy()
            steps[other] = steps[other] * factors
        X_new = _interpolated(X_danger, rows, nn_data, neighbors, steps, data.X)
        X_blocks.append(X_new)
        y_blocks.append(_labels_for(X_new, data.y, klass))
    return da.concatenate(X_blocks), da.concatenate(y_blocks)


def adasyn(sampler, data):
    """ADASYN: per-row difficulty from a kNN over all of X, then SMOTE-like draws.

    Client memory: one neighbour count per class row, the draws and the
    neighbour of each new sample.
    """
    k = _require_int(sampler.n_neighbors, "n_neighbors", sampler)
    codes = data.codes()
    random_state = check_random_state(sampler.random_state)
    X_blocks, y_blocks = [data.X], [data.y]
    for klass, n_samples in sampler.sampling_strategy_.items():
        n_samples = int(n_samples)
        if n_samples == 0:
            continue
        n_class = data.stats[klass]
        X_class = _class_block(data, klass)
        other = _other_class_neighbours(data, X_class, klass, k, codes)
        ratio_nn = other.astype(np.float64) / k
        total = float(np.sum(ratio_nn))
        if not total:
            raise RuntimeError(NO_OTHER_CLASS_NEIGHBOUR)
        ratio_nn = ratio_nn / np.sum(ratio_nn)
        n_per_sample = np.round(ratio_nn * n_samples).astype(np.int64)
        n_samples = int(np.sum(n_per_sample))
        if not n_samples:
            raise ValueError("No samples will be generated with the provided ratio settings.")
        if k + 1 > n_class:
            raise _kneighbors_error(k + 1, n_class, n_class)
        nns = kneighbors(X_class, X_class, k=k + 1, exclude_self=False).indices[:, 1:]
        rows = np.repeat(np.arange(n_class, dtype=np.int64), n_per_sample)
        cols = random_state.choice(k, size=n_samples).astype(np.int64)
        steps = random_state.uniform(size=n_samples)
        neighbors = _host(nns).reshape(-1)[rows * k + cols].astype(np.int64)
        X_new = _interpolated(X_class, rows, X_class, neighbors, steps, data.X,
                              diffs_first=True)
        X_blocks.append(X_new)
        y_blocks.append(_labels_for(X_new, data.y, klass))
    return da.concatenate(X_blocks), da.concatenate(y_blocks)


def smote_then_clean(sampler, data):
    """SMOTEENN / SMOTETomek: the Dask SMOTE, then the Dask cleaner on its output.

    The cleaner's class table comes from the SMOTE output's labels only (X is
    not scanned again); SMOTE's rows are recomputed lazily where needed.
    """
    from gpuimb.dask._driver import handler_for, strategy_for

    sampler._validate_estimator()
    sampler.sampling_strategy_ = sampler.sampling_strategy
    smote = sampler.smote_
    smote._validate_params()
    smote.sampling_strategy_ = strategy_for(smote, data)
    X1, y1 = handler_for(smote)(smote, data)
    smote.engine_ = "dask"
    X1 = X1.rechunk({1: -1})
    y1 = y1.rechunk((X1.chunks[0],))
    from gpuimb.dask._ops import scan

    data1 = scan(X1, y1, check_x=False, labels_only=True)
    cleaner = getattr(sampler, sampler._cleaner + "_")
    cleaner._validate_params()
    cleaner.sampling_strategy_ = strategy_for(cleaner, data1)
    X2, y2 = handler_for(cleaner)(cleaner, data1)
    cleaner.engine_ = "dask"
    return X2, y2


# --------------------------------------------------------------------------- RENN, AllKNN


# Extra kNN table columns beyond what the first edition needs (as the
# single-machine editor): rows that run out of alive neighbours are searched again.
TABLE_MARGIN = 8


def _first_alive_block(table, labels, codes, alive, wanted, k, kind_sel, n_classes):
    """One chunk of an edition: agreement of each row with its first k alive
    neighbours in the table, and the rows whose table ran out of alive ones."""
    table = np.asarray(to_host(table))
    nb_alive = alive[table]
    order = np.argsort(~nb_alive, axis=1, kind="stable")[:, :k]
    nb_codes = np.take_along_axis(np.asarray(to_host(labels)), order, axis=1)
    codes = np.asarray(to_host(codes))
    need = wanted & (nb_alive.sum(axis=1) < k)
    agree = np.asarray(_agree_block(nb_codes, codes, kind_sel, n_classes))
    return agree, need


class _Edition:
    """The repeated-edition state: client-side alive mask and class codes.

    Client memory: one int32 class code and one bool per row. The kNN table
    (``n_columns`` neighbours and their labels per row) stays on the workers.
    """

    def __init__(self, sampler, data, n_columns):
        import dask

        self.sampler, self.data = sampler, data
        self.codes_d = data.codes()
        self.codes = _host(self.codes_d)
        self.n = data.X.shape[0]
        self.n_classes = len(data.classes)
        n_columns = min(n_columns, self.n - 1)
        found = kneighbors(data.X, k=n_columns, exclude_self=True, labels=self.codes_d)
        self.table, self.labels = dask.persist(found.indices, found.labels)
        self.targeted = np.zeros(self.n, dtype=bool)
        counts = data.stats
        smallest = min(counts.values())
        tied = [c for c, v in counts.items() if v == smallest]
        firsts = [data.first[data.code_of(c)] for c in tied]
        self.minority = tied[int(np.argmin(firsts))]

    def retarget(self, alive, first_round):
        from gpuimb.utils._validation import check_sampling_strategy

        y_now = self.data.classes[self.codes if first_round else self.codes[alive]]
        wanted = check_sampling_strategy(self.sampler.sampling_strategy, y_now,
                                         "clean-sampling")
        targets = [self.data.code_of(c) for c in wanted]
        self.targeted = np.isin(self.codes, targets)

    def class_sizes(self, alive):
        return np.bincount(self.codes[alive], minlength=self.n_classes).tolist()

    def check_size(self, alive, k):
        n_alive = int(alive.sum())
        if k + 1 > n_alive:
            sizes = self.class_sizes(alive & self.targeted)
            first = next((s for s in sizes if s), 0)
            raise _kneighbors_error(k + 1, n_alive, first)

    def edit(self, alive, k):
        import dask

        self.check_size(alive, k)
        wanted = alive & self.targeted
        alive_d = dask.delayed(alive, pure=True)
        offsets = self.data.offsets
        kind, n_classes = self.sampler.kind_sel, self.n_classes
        parts = []
        for j, (tb, lb, cb) in enumerate(zip(self.table.to_delayed().ravel(),
                                             self.labels.to_delayed().ravel(),
                                             self.codes_d.to_delayed().ravel(), strict=True)):
            w = wanted[offsets[j]:offsets[j + 1]]
            parts.append(dask.delayed(_first_alive_block)(tb, lb, cb, alive_d, w, k, kind,
                                                          n_classes))
        results = dask.compute(*parts)
        agree = np.concatenate([r[0] for r in results]) if results else np.ones(0, bool)
        need = np.concatenate([r[1] for r in results]) if results else np.zeros(0, bool)
        redo = np.flatnonzero(need)
        if redo.size:
            agree[redo] = self._search_alive(alive, redo, k)
        return alive & ~(self.targeted & ~agree)

    def _search_alive(self, alive, rows, k):
        """Agreement of ``rows`` with their k nearest alive rows, searched anew."""
        alive_idx = np.flatnonzero(alive)
        position = np.cumsum(alive) - 1
        X_alive = select(self.data.X, da.from_array(alive, chunks=(self.data.X.chunks[0],)),
                         _chunk_sums(alive, self.data.X.chunks[0]))
        X_rows = take(self.data.X, rows)
        codes_alive = da.from_array(self.codes[alive_idx], chunks=(X_alive.chunks[0],))
        labels = kneighbors(X_alive, X_rows, k=k, exclude_self=position[rows],
                            labels=codes_alive).labels
        nb_codes = _host(labels)
        return np.asarray(_agree_block(nb_codes, self.codes[rows], self.sampler.kind_sel,
                                       self.n_classes))

    def stops(self, sizes, allow_minority=False):
        n_minority = self.data.stats[self.minority]
        present = [(c, s) for c, s in zip(self.data.classes, sizes, strict=True) if s]
        became_minority = any(s < n_minority for c, s in present if c != self.minority)
        if allow_minority:
            became_minority = False
        return became_minority or len(present) < self.n_classes

    def finish(self, alive):
        keep = da.from_array(alive, chunks=(self.data.X.chunks[0],))
        return _finish_cleaning(self.sampler, self.data, keep, self.codes_d)


def _chunk_sums(mask, chunks):
    ends = np.cumsum(chunks)
    return np.add.reduceat(mask.astype(np.int64), np.r_[0, ends[:-1]]) * (np.asarray(chunks) > 0)


def _validate_repeated(sampler):
    from gpuimb.base import SamplingContext

    sampler._validate_estimator(SamplingContext(xp=np, device="cpu"))


def repeated_edited_nearest_neighbours(sampler, data):
    """RepeatedEditedNearestNeighbours: one distributed kNN table, editions on it."""
    k = _require_int(sampler.n_neighbors, "n_neighbors", sampler)
    _validate_repeated(sampler)
    edition = _Edition(sampler, data, 2 * k + TABLE_MARGIN)
    alive = np.ones(edition.n, dtype=bool)
    n_alive = edition.n
    sampler.n_iter_ = 0
    while sampler.n_iter_ < sampler.max_iter:
        edition.retarget(alive, sampler.n_iter_ == 0)
        sampler.n_iter_ += 1
        alive = edition.edit(alive, k)
        sizes = edition.class_sizes(alive)
        converged = sum(sizes) == n_alive
        n_alive = sum(sizes)
        if converged or edition.stops(sizes):
            break
    return edition.finish(alive)


def all_knn(sampler, data):
    """AllKNN: editions with 1, 2, ..., n_neighbors neighbours on one table."""
    k_max = _require_int(sampler.n_neighbors, "n_neighbors", sampler)
    _validate_repeated(sampler)
    edition = _Edition(sampler, data, k_max + max(k_max, TABLE_MARGIN))
    alive = np.ones(edition.n, dtype=bool)
    for k in range(1, k_max + 1):
        sampler.enn_.n_neighbors = k
        edition.retarget(alive, k == 1)
        alive = edition.edit(alive, k)
        if edition.stops(edition.class_sizes(alive), sampler.allow_minority):
            break
    return edition.finish(alive)


# --------------------------------------------------------------------------- NearMiss


def _chunk_smallest(scores, n, start):
    """Up to ``n`` smallest (score, position) pairs of a chunk, in that order."""
    scores = np.asarray(to_host(scores))
    order = np.argsort(scores, kind="stable")[:n]
    return scores[order], order.astype(np.int64) + start


def _smallest_positions(scores, n):
    """Positions of the ``n`` smallest scores of a lazy 1-D array, ties by position.

    Each chunk sends its own ``n`` best (score, position) pairs to the client,
    which merges them: the same selection as a stable argsort of all scores.
    """
    import dask

    offsets = np.concatenate([[0], np.cumsum(scores.chunks[0])]).astype(np.int64)
    parts = [dask.delayed(_chunk_smallest)(block, n, int(offsets[j]))
             for j, block in enumerate(scores.to_delayed().ravel()) if scores.chunks[0][j]]
    results = dask.compute(*parts)
    if not results:
        return np.zeros(0, dtype=np.int64)
    values = np.concatenate([r[0] for r in results])
    positions = np.concatenate([r[1] for r in results])
    order = np.lexsort((positions, values))[:n]
    return positions[order]


def _row_sums(dist):
    xp = _xp(dist)
    return xp.sum(xp.astype(dist, xp.float64), axis=1)


def near_miss(sampler, data):
    """NearMiss versions 1 and 3: exact distances to the minority class.

    Client memory: for each under-sampled class, the kept count of (score,
    position) pairs per chunk; version 3 also the candidate positions (at
    most ``n_neighbors_ver3`` per minority row). Version 2: see
    :func:`near_miss_2`.
    """
    import warnings as _warnings

    k = _require_int(sampler.n_neighbors, "n_neighbors", sampler)
    counts = data.stats
    smallest = min(counts.values())
    tied = [c for c, v in counts.items() if v == smallest]
    minority = tied[int(np.argmin([data.first[data.code_of(c)] for c in tied]))]
    X_min = _class_block(data, minority)
    n_min = counts[minority]
    kept = []
    for klass, count in counts.items():
        positions = np.arange(int(count))
        if klass in sampler.sampling_strategy_:
            n_samples = sampler.sampling_strategy_[klass]
            X_cls = _class_block(data, klass)
            if sampler.version == 3:
                k3 = _require_int(sampler.n_neighbors_ver3, "n_neighbors_ver3", sampler)
                if k3 > count:
                    raise _kneighbors_error(k3, int(count), n_min)
                found = kneighbors(X_cls, X_min, k=k3).indices
                candidates = np.unique(_host(found).ravel())
                if k > n_min:
                    raise _kneighbors_error(k, n_min, candidates.size)
                dist = kneighbors(X_min, take(X_cls, candidates), k=k,
                                  return_distance=True).distances
                scores = dist.map_blocks(_row_sums, drop_axis=1, dtype=np.float64)
                # Farthest first, ties in candidate order: the smallest negated scores.
                keep = _smallest_positions(-scores, min(n_samples, candidates.size))
                positions = candidates[keep]
            elif sampler.version == 2:
                positions = near_miss_2(sampler, data, minority, X_min, X_cls,
                                        min(n_samples, int(count)))
            else:
                if k > n_min:
                    raise _kneighbors_error(k, n_min, int(count))
                dist = kneighbors(X_min, X_cls, k=k, return_distance=True).distances
                scores = dist.map_blocks(_row_sums, drop_axis=1, dtype=np.float64)
                positions = _smallest_positions(scores, min(n_samples, int(count)))
            if positions.size < n_samples:
                _warnings.warn(
                    "The number of the samples to be selected is larger"
                    " than the number of samples available. The"
                    " balancing ratio cannot be ensure and all samples"
                    " will be returned."
                )
        kept.append((klass, positions))
    return _take_kept(sampler, data, kept)


# --------------------------------------------------------------------------- OneSidedSelection


def _not_seed_block(block, seeds):
    """False at the class positions drawn as seeds (``block`` holds positions)."""
    xp = _xp(block)
    return xp.asarray(~np.isin(np.asarray(to_host(block)), seeds))


def _wrong_block(labels, code, k, target_first):
    """OneSidedSelection's test: the store's k-NN vote does not pick ``code``."""
    from gpuimb.under_sampling._prototype_selection._common import (
        vote_is_target,
    )

    xp = _xp(labels)
    is_target = labels[:, :k] == code
    unit = xp.ones(is_target.shape, dtype=xp.float64)
    return ~vote_is_target(xp, is_target, unit, "uniform", target_first)


def _n_true(mask):
    return int(np.count_nonzero(np.asarray(to_host(mask))))


def _count_true(mask):
    """Host count of True per chunk of a lazy 1-D bool array."""
    import dask

    parts = [dask.delayed(_n_true)(b) for b in mask.to_delayed().ravel()]
    return np.asarray(dask.compute(*parts), dtype=np.int64)


def one_sided_selection(sampler, data):
    """OneSidedSelection: one exact k-NN query against the store (the minority
    class and the class's seeds), then the Dask TomekLinks on the rows kept.

    Client memory: the seeds (``n_seeds_S`` positions per targeted class) and
    per-chunk counts. The rows kept before the Tomek step stay a lazy Dask
    selection; ``estimators_`` is not set on Dask (its store holds the whole
    minority class).
    """
    from gpuimb.dask._driver import strategy_for
    from gpuimb.dask._ops import scan
    from gpuimb.under_sampling import TomekLinks

    if sampler.n_neighbors is None:
        k = 1
    else:
        k = _require_int(sampler.n_neighbors, "n_neighbors", sampler)
    random_state = check_random_state(sampler.random_state)
    minority = _minority(data)
    min_code = data.code_of(minority)
    n_min = data.stats[minority]
    X_min = _class_block(data, minority)
    Xs, ys, rows = [], [], []
    for klass, count in data.stats.items():
        code = data.code_of(klass)
        counts = data.table[:, code]
        class_rows = data.class_rows(klass)
        if klass not in sampler.sampling_strategy_:
            Xs.append(_class_block(data, klass))
            ys.append(select(data.y, data.codes() == code, counts))
            rows.append(class_rows)
            continue
        seeds = random_state.randint(low=0, high=count, size=sampler.n_seeds_S)
        distinct = np.unique(seeds)
        n_rest = int(count) - distinct.size
        if n_rest == 0:
            raise ValueError(
                f"Found array with 0 sample(s) (shape=(0, {data.X.shape[1]})) while a "
                "minimum of 1 is required by KNeighborsClassifier: every sample of class "
                f"{klass!r} is a seed; OneSidedSelection needs more samples of it."
            )
        n_store = n_min + seeds.size
        if k > n_store:
            raise _kneighbors_error(k, n_store, n_rest)
        X_cls = _class_block(data, klass)
        X_seeds = take(X_cls, seeds)
        seed_rows = take(class_rows, seeds)
        # The class's other rows, in class order (chunk counts from the seeds).
        positions = da.arange(int(count), chunks=(X_cls.chunks[0],), dtype=np.int64)
        rest = da.map_blocks(_not_seed_block, positions, distinct, dtype=bool)
        ends = np.cumsum(X_cls.chunks[0])
        starts = ends - np.asarray(X_cls.chunks[0])
        rest_counts = [int(e - s - np.count_nonzero((distinct >= s) & (distinct < e)))
                       for s, e in zip(starts, ends, strict=True)]
        X_S = select(X_cls, rest, rest_counts)
        S_rows = select(class_rows, rest, rest_counts)
        # The store: the minority rows, then the seeds (the single machine's order).
        X_C = da.concatenate([X_min, X_seeds])
        labels_C = da.concatenate([
            da.full((n_min,), min_code, dtype=np.int32, chunks=(X_min.chunks[0],)),
            da.full((seeds.size,), code, dtype=np.int32, chunks=(X_seeds.chunks[0],))])
        labels = kneighbors(X_C, X_S, k=k, labels=labels_C).labels
        wrong = labels.map_blocks(_wrong_block, code, k, bool(klass < minority),
                                  drop_axis=1, dtype=bool)
        (wrong,) = _persist(wrong)
        wrong_counts = _count_true(wrong)
        Xs += [X_seeds, select(X_S, wrong, wrong_counts)]
        n_kept = seeds.size + int(wrong_counts.sum())
        ys.append(da.full((n_kept,), klass, dtype=data.y.dtype,
                          chunks=(tuple(X_seeds.chunks[0]) + tuple(wrong_counts),)))
        rows += [seed_rows, select(S_rows, wrong, wrong_counts)]
    X_sub, y_sub, idx_under = da.concatenate(Xs), da.concatenate(ys), da.concatenate(rows)
    y_sub = y_sub.rechunk((X_sub.chunks[0],))
    sub = scan(X_sub, y_sub, check_x=False, labels_only=True)
    tomek = TomekLinks(sampling_strategy=list(sampler.sampling_strategy_.keys()),
                       n_jobs=sampler.n_jobs)
    tomek._validate_params()
    tomek.sampling_strategy_ = strategy_for(tomek, sub)
    X_res, y_res = tomek_links(tomek, sub)
    sampler.sample_indices_ = _take_dask(idx_under.rechunk((X_sub.chunks[0],)),
                                         tomek.sample_indices_)
    return X_res, y_res


# ------------------------------------------------------------------- CondensedNearestNeighbour


def _store_distances(X_index, y_index, X_query, limit=None):
    from gpuimb.dask._memory import worker_task_bytes
    from gpuimb.under_sampling._prototype_selection._common import direct_distances

    return direct_distances(_xp(X_query), X_index, X_query,
                            working_memory=worker_task_bytes() / 4 / 2**20, limit=limit)


def _cnn_partition(X_p, dist, store_pos, seeds, n_min, target_is_minority, target_first,
                   *earlier):
    """The condensing visit of one partition of a class, after the earlier ones.

    ``dist``/``store_pos`` are the partition's k nearest rows of the initial
    store (the minority class, then the seeds); ``earlier`` are the rows the
    earlier partitions added, in the order they were added. They are merged
    first (in batches that fit the task's memory), then the single-machine
    scan runs over the partition's rows. Returns the partition positions
    added and their rows.
    """
    from gpuimb.dask._memory import worker_task_bytes
    from gpuimb.under_sampling._prototype_selection._condensed_nearest_neighbour import (
        CondensedNearestNeighbour,
        merge_members,
        scan_candidates,
    )

    xp = _xp(X_p)
    n = X_p.shape[0]
    if target_is_minority:
        is_target = xp.ones(store_pos.shape, dtype=xp.bool)
    else:
        is_target = store_pos >= n_min
    members = [m for m in earlier if m.shape[0]]
    if members:
        members = xp.concat(members, axis=0) if len(members) > 1 else members[0]
        # (n, batch) distances and the merge's (changed rows, k + batch) copies.
        batch = max(1, worker_task_bytes() // (4 * max(n, 1) * 8))
        for start in range(0, members.shape[0], batch):
            d_new = _store_distances(members[start:start + batch, :], None, X_p,
                                     limit=dist[:, -1])
            dist, is_target = merge_members(xp, dist, is_target,
                                            xp.astype(d_new, dist.dtype))
    seed_mask = np.zeros(n, dtype=bool)
    seed_mask[seeds] = True
    added = scan_candidates(xp, X_p, None, dist, is_target, seed_mask, "uniform",
                            target_first, _store_distances,
                            CondensedNearestNeighbour._block_size)
    added = np.asarray(added, dtype=np.int64)
    rows = xp.take(X_p, xp.asarray(added), axis=0) if added.size \
        else X_p[:0, :]
    return added, rows


def condensed_nearest_neighbour(sampler, data):
    """CondensedNearestNeighbour: an exact kNN against the initial store, then
    the sequential scan, one partition after the other.

    Each targeted class's rows get their k nearest rows of the initial store
    (the minority class and the seeds) from the exact distributed kNN, in
    parallel. The scan itself is sequential: the class's partitions run in
    order, as a chain of tasks, each merging the rows the earlier partitions
    added before scanning its own rows with the single-machine code. Store
    distances are computed entry by entry (the engines' formula), so the
    result equals the single-machine sampler's whatever the partitioning.

    Client memory: the seeds and the store's positions (one int64 per row
    added: the class's output); the store's rows stay on the workers, each
    partition's task receiving those the earlier ones added (its memory:
    ``n_added x n_features`` plus its partition). ``estimators_`` is not set
    on Dask (its store holds the whole minority class).
    """
    import dask

    k = 1 if sampler.n_neighbors is None else _require_int(sampler.n_neighbors,
                                                          "n_neighbors", sampler)
    random_state = check_random_state(sampler.random_state)
    minority = _minority(data)
    n_min = data.stats[minority]
    X_min = _class_block(data, minority)
    chosen = []
    for klass, count in data.stats.items():
        if klass not in sampler.sampling_strategy_:
            chosen.append((klass, np.arange(int(count))))
            continue
        seeds = random_state.randint(low=0, high=count, size=sampler.n_seeds_S)
        n_store = n_min + seeds.size
        if k > n_store:
            raise _kneighbors_error(k, n_store, 1)
        X_cls = _class_block(data, klass)
        X_C = da.concatenate([X_min, take(X_cls, seeds)])
        found = kneighbors(X_C, X_cls, k=k, return_distance=True)
        ends = np.cumsum(X_cls.chunks[0])
        parts = zip(X_cls.to_delayed().ravel(), found.distances.to_delayed().ravel(),
                    found.indices.to_delayed().ravel(), ends - np.asarray(X_cls.chunks[0]),
                    ends, strict=True)
        added, earlier = [], []
        for X_p, d_p, i_p, start, stop in parts:
            if stop == start:
                continue
            local = seeds[(seeds >= start) & (seeds < stop)] - start
            positions, rows = dask.delayed(_cnn_partition, nout=2)(
                X_p, d_p, i_p, local, n_min, bool(klass == minority),
                bool(klass < minority), *earlier)
            added.append((int(start), positions))
            earlier.append(rows)
        computed = dask.compute(*[p for _, p in added])
        store = [seeds] + [start + p for (start, _), p in zip(added, computed, strict=True)]
        chosen.append((klass, np.concatenate(store).astype(np.int64)))
    return _take_kept(sampler, data, chosen)


# --------------------------------------------------------------------------- SMOTEN


def _default_encoder_only(sampler, name, kind):
    """Refuse a user's ``categorical_encoder``: the default one is fitted from
    each feature's distinct values, gathered per partition."""
    if sampler.categorical_encoder is not None:
        raise TypeError(
            f"{name} on Dask collections needs categorical_encoder=None (the default "
            f"{kind} encoder is fitted from each feature's distinct values, gathered "
            "per partition); a custom encoder would have to be fitted on all of X."
        )

# Rows of one block of SMOTEN's VDM search (None: from the task memory budget).
VDM_BLOCK_ROWS = None


def _chunk_uniques(block):
    from sklearn.utils._encode import _unique

    block = np.asarray(to_host(block))
    return [_unique(block[:, f]) for f in range(block.shape[1])]


def _encode_block(block, encoder, n_features):
    block = np.asarray(to_host(block))
    if block.shape[0] == 0:
        return np.zeros((0, n_features), dtype=np.int64)
    return np.asarray(encoder.transform(block), dtype=np.int64)


def _pair_counts(codes, classes, sizes, n_classes):
    """(category, class) counts of each feature in one chunk."""
    codes, classes = np.asarray(codes), np.asarray(to_host(classes)).astype(np.int64)
    return [np.bincount(codes[:, f] * n_classes + classes, minlength=size * n_classes)
            for f, size in enumerate(sizes)]


def _vdm_pair(query, index, offset, kk, probas):
    """The ``kk`` VDM-nearest rows of ``index`` (global rows offset + j), in
    (distance, index) order, with the single machine's kernels."""
    from gpuimb.metrics.pairwise import VDMFeature, vdm_distances

    features = [VDMFeature(p, 1, 2, np, "cpu") for p in probas]
    d = vdm_distances(query, index, features, np, "cpu")
    order = np.argsort(d, axis=1, kind="stable")[:, :min(kk, index.shape[0])]
    return np.take_along_axis(d, order, axis=1), order.astype(np.int64) + offset, None


def _vdm_neighbours(codes_class, kk, probas):
    """Host (n_class, kk) table of VDM neighbours (the row itself included),
    as the single machine's stable argsort over all the class's rows."""
    import dask

    from gpuimb.dask._knn import _SPLIT_EVERY, _merge
    from gpuimb.dask._memory import cluster_task_bytes

    n = codes_class.shape[0]
    rows = VDM_BLOCK_ROWS or max(64, int(np.sqrt(cluster_task_bytes() / 40)))
    blocks = codes_class.rechunk((min(rows, n), -1)).to_delayed().ravel()
    sizes = codes_class.rechunk((min(rows, n), -1)).chunks[0]
    offsets = np.concatenate([[0], np.cumsum(sizes)]).astype(int)
    finals = []
    for query in blocks:
        level = [dask.delayed(_vdm_pair)(query, index, int(offsets[j]), kk, probas)
                 for j, index in enumerate(blocks)]
        while len(level) > 1:
            level = [dask.delayed(_merge)(level[g:g + _SPLIT_EVERY], kk)
                     for g in range(0, len(level), _SPLIT_EVERY)]
        finals.append(dask.delayed(_merge)(level, kk))
    return np.concatenate([r[1] for r in dask.compute(*finals)])


def _vote_decode(votes, kk, encoder, dtype):
    """Each group of ``kk`` voter rows -> its most frequent categories, decoded."""
    from gpuimb.over_sampling._smote._categorical import most_frequent_per_feature

    votes = np.asarray(votes)
    codes = most_frequent_per_feature(np, votes.reshape(-1, kk, votes.shape[1]))
    decoded = encoder.inverse_transform(codes.astype(getattr(encoder, "dtype", np.int32)))
    return np.asarray(decoded).astype(dtype, copy=False)


def smoten(sampler, data):
    """SMOTEN: ordinal codes and VDM tables from distributed counts, an exact
    block-pair VDM neighbour search within each class, client draws.

    Client memory: each feature's categories and (category x class) counts,
    the class's neighbour table (``k_neighbors + 1`` ints per class row) and
    the draws (one int per new row).
    """
    import dask
    from sklearn.preprocessing import OrdinalEncoder
    from sklearn.utils._encode import _unique

    k = _require_int(sampler.k_neighbors, "k_neighbors", sampler)
    _default_encoder_only(sampler, "SMOTEN", "ordinal")
    X = data.X
    n_features = X.shape[1]
    parts = dask.compute(*[dask.delayed(_chunk_uniques)(b) for b in X.to_delayed().ravel()])
    categories = [_unique(np.concatenate([p[f] for p in parts])) for f in range(n_features)]
    longest = max(c.size for c in categories)
    encoder = OrdinalEncoder(dtype=np.int32)
    encoder.fit(np.column_stack([np.resize(c, longest) for c in categories]))
    sampler.categorical_encoder_ = encoder
    sizes = [c.size for c in encoder.categories_]
    codes = X.map_blocks(_encode_block, encoder, n_features, dtype=np.int64,
                         meta=np.empty((0, 0), dtype=np.int64))
    class_codes = data.codes()
    n_classes = len(data.classes)
    counted = dask.compute(*[dask.delayed(_pair_counts)(c, k_, sizes, n_classes)
                             for c, k_ in zip(codes.to_delayed().ravel(),
                                              class_codes.to_delayed().ravel(), strict=True)])
    probas = []
    for f, size in enumerate(sizes):
        table = np.sum([c[f] for c in counted], axis=0).astype(np.float64)
        table = table.reshape(size, n_classes)
        # p(class | category), as gpuimb.metrics.pairwise.class_distributions.
        with np.errstate(invalid="ignore"):
            probas.append(np.nan_to_num(table / table.sum(axis=1).reshape(-1, 1)))

    dec_dtype = encoder.inverse_transform(np.zeros((1, n_features), dtype=np.int32)).dtype
    out_dtype = np.result_type(X.dtype, dec_dtype)
    X_blocks, y_blocks = [X.astype(out_dtype)], [data.y]
    kk = k + 1
    for klass, n_samples in sampler.sampling_strategy_.items():
        if n_samples == 0:
            continue
        code = data.code_of(klass)
        n_class = data.stats[klass]
        if kk > n_class:
            raise _kneighbors_error(kk, n_class, n_class)
        codes_class = select(codes, class_codes == code, data.table[:, code])
        nn = _vdm_neighbours(codes_class, kk, probas)
        random_state = check_random_state(sampler.random_state)
        drawn = random_state.choice(np.arange(n_class), size=n_samples, replace=True)
        voters = nn[drawn].reshape(-1)
        per_block = max(1, int(max(X.chunks[0], default=1)))
        votes = take(codes_class, voters).rechunk((per_block * kk, -1))
        n_out = tuple(c // kk for c in votes.chunks[0])
        X_new = votes.map_blocks(_vote_decode, kk, encoder, out_dtype, dtype=out_dtype,
                                 chunks=(n_out, (n_features,)),
                                 meta=np.empty((0, 0), dtype=out_dtype))
        X_blocks.append(X_new.map_blocks(_like, X._meta, dtype=out_dtype, meta=X._meta)
                        if type(X._meta).__module__.startswith("cupy") else X_new)
        y_blocks.append(_labels_for(X_new, data.y, klass))
    return da.concatenate(X_blocks), da.concatenate(y_blocks)


# --------------------------------------------------------------------------- NearMiss-2


def _largest_sq(query, index, kk):
    """The ``kk`` largest direct squared distances from each ``query`` row to
    the ``index`` rows, ascending (NumPy; NearMiss-2's values)."""
    from gpuimb._backends import direct_sq_distances
    from gpuimb.dask._memory import worker_task_bytes

    A = np.asarray(to_host(query), dtype=np.float64)
    B = np.asarray(to_host(index), dtype=np.float64)
    n_b = B.shape[0]
    kk = min(kk, n_b)
    out = np.empty((A.shape[0], kk), dtype=np.float64)
    # Rows per step so that the (rows, n_b, n_features) differences fit the budget.
    step = max(1, int(worker_task_bytes() // (4 * 8 * max(n_b * B.shape[1], 1))))
    every = np.arange(n_b)
    for start in range(0, A.shape[0], step):
        stop = min(start + step, A.shape[0])
        d2 = direct_sq_distances(np, B, A[start:stop],
                                 np.broadcast_to(every, (stop - start, n_b)))
        top = np.partition(d2, n_b - kk, axis=1)[:, n_b - kk:]
        top.sort(axis=1)
        out[start:stop] = top
    return out


def _merge_largest(parts, kk):
    values = np.concatenate([p for p in parts if p.shape[1]], axis=1)
    n = values.shape[1]
    kk = min(kk, n)
    top = np.partition(values, n - kk, axis=1)[:, n - kk:]
    top.sort(axis=1)
    return top


def _sum_roots(top):
    # The single machine's last steps on its (rows, k) ascending values.
    np.sqrt(top, out=top)
    return top.sum(axis=1)


def _farthest_scores(X_min, X_cls, k):
    """Lazy NearMiss-2 score of each row of ``X_cls`` (sum of the distances to
    its ``k`` farthest rows of ``X_min``): a block-pair top-k of the largest
    squared distances and a merge, values only."""
    import dask

    from gpuimb.dask._knn import _SPLIT_EVERY
    from gpuimb.dask._memory import block_rows

    row_bytes = 8 * X_min.shape[1]
    rows = block_rows(row_bytes, parts=16)
    index = X_min.rechunk((min(rows, X_min.shape[0]), -1))
    query = X_cls.rechunk((min(rows, max(X_cls.shape[0], 1)), -1))
    blocks = index.to_delayed().ravel()
    out = []
    for q_size, q in zip(query.chunks[0], query.to_delayed().ravel(), strict=True):
        level = [dask.delayed(_largest_sq)(q, b, k) for b in blocks]
        while len(level) > 1:
            level = [dask.delayed(_merge_largest)(level[g:g + _SPLIT_EVERY], k)
                     for g in range(0, len(level), _SPLIT_EVERY)]
        sums = dask.delayed(_sum_roots)(level[0])
        out.append(da.from_delayed(sums, shape=(q_size,), dtype=np.float64))
    return da.concatenate(out)


def _host_ctx():
    from gpuimb.base import SamplingContext
    from gpuimb.utils._array_api import get_namespace

    return SamplingContext(xp=get_namespace(np.empty(0)), device="cpu")


def _all_minority_sums(block, X_min, k):
    """The single machine's kernel for ``k >= n_minority`` (tiny minority, held whole)."""
    from gpuimb.under_sampling._prototype_selection._nearmiss_distances import _farthest_sums

    block = np.asarray(to_host(block))
    if block.shape[0] == 0:
        return np.zeros(0, dtype=np.float64)
    return np.asarray(_farthest_sums(_host_ctx(), X_min, block, k), dtype=np.float64)


def near_miss_2(sampler, data, minority, X_min, X_cls, n_keep):
    """Positions (in the class) of the ``n_keep`` rows NearMiss-2 keeps.

    Client memory: per chunk, the best (score, position) pairs up to
    ``n_keep``; when ``n_neighbors`` covers the whole minority class (at most
    ``n_neighbors`` rows), those rows.
    """
    k = _require_int(sampler.n_neighbors, "n_neighbors", sampler)
    _host_chunks_only(sampler, data.X, "on the GPU the single-machine NearMiss-2 ranks "
                      "around the minority mean, which a distributed reduction rounds "
                      "differently")
    n_min = data.stats[minority]
    if k >= n_min:
        # The single machine centres on the minority mean here: use its kernel
        # with the (at most k) minority rows in every task.
        X_small = np.asarray(to_host(X_min.compute()))
        scores = X_cls.map_blocks(_all_minority_sums, X_small, k, drop_axis=1,
                                  dtype=np.float64)
    else:
        _check_spread(sampler, X_min, X_cls)
        scores = _farthest_scores(X_min, X_cls, k)
    return _smallest_positions(scores, n_keep)


def _max_abs(block):
    block = np.asarray(to_host(block))
    return float(np.max(np.abs(block))) if block.size else 0.0


def _check_spread(sampler, X_min, X_cls):
    """Refuse data whose values reach float32 overflow territory: the single
    machine then ranks around the minority mean (a value a distributed
    reduction does not reproduce bit for bit)."""
    import dask

    blocks = list(X_min.to_delayed().ravel()) + list(X_cls.to_delayed().ravel())
    biggest = max(dask.compute(*[dask.delayed(_max_abs)(b) for b in blocks]))
    if not 2 * biggest * (1 + 1e-6) < 2.0**50 / max(X_min.shape[1], 1):
        raise NotImplementedError(
            "NearMiss(version=2) on Dask collections needs |X| < 2**49 / n_features: "
            "beyond it the single-machine sampler ranks around the minority mean, which "
            "a distributed reduction rounds differently. Opt in explicitly with "
            "gpuimb.dask.fit_resample(sampler, X, y, gather=True) or scale X."
        )


# --------------------------------------------------------------------------- SMOTENC


def _columns_frame(data):
    """An empty pandas frame with the caller's columns and dtypes (dataframe
    input), else an empty array with X's width: what SMOTENC's column checks read."""
    info = getattr(data, "x_info", None)
    if info is not None and info.kind == "dataframe":
        import pandas as pd

        return pd.DataFrame({c: pd.Series([], dtype=t) for c, t in info.dtypes.items()})
    return np.empty((0, data.X.shape[1]), dtype=data.X.dtype)


def _nc_scan_block(block, cont, cat):
    """Distinct categories per categorical column, NaN flag of the continuous ones."""
    from sklearn.utils._encode import _unique

    block = np.asarray(to_host(block))
    values = block[:, cont].astype(np.float64) if block.dtype == object else block[:, cont]
    nan = bool(np.isnan(values).any()) if values.dtype.kind in "fc" else False
    return [_unique(block[:, f]) for f in cat], nan


def _nc_codes(block, cat, encoder, offsets):
    from gpuimb.over_sampling._smote._categorical import _codes_from_onehot

    block = np.asarray(to_host(block))
    if block.shape[0] == 0:
        return np.zeros((0, len(cat)), dtype=np.int64)
    return _codes_from_onehot(encoder.transform(block[:, cat]), offsets)


def _nc_cont(block, cont, dtype):
    return np.asarray(to_host(block))[:, cont].astype(dtype)


def _row_sum(acc, block, dtype):
    """Continue NumPy's axis-0 sum of a C-ordered 2-D array (rows added one
    after the other) over the rows of ``block``."""
    block = np.asarray(block, dtype=dtype)
    if block.shape[0] == 0:
        return acc
    if acc is None:
        return np.sum(block, axis=0)
    return np.sum(np.concatenate([acc[None, :], block]), axis=0)


def _sq_dev(block, mean, dtype):
    x = np.asarray(block, dtype=dtype) - mean
    return np.multiply(x, x, out=x)


def _median_std(X_cont_class, dtype):
    """``SMOTENC._median_std`` of the class's continuous rows, bit for bit.

    With two or more continuous features NumPy's ``var(axis=0)`` adds the rows
    one after the other: two chains of tasks (mean, then squared deviations)
    continue that sum partition by partition. With one feature NumPy sums
    pairwise: one task holds the class's column (8 bytes per class row).
    """
    import dask

    from gpuimb.over_sampling import SMOTENC

    n, width = X_cont_class.shape
    if width == 1:
        column = X_cont_class.rechunk((max(n, 1), 1)).to_delayed().ravel()[0]
        return dask.compute(dask.delayed(SMOTENC._median_std)(column, _host_ctx()))[0]
    count = np.intp(n)
    acc = None
    blocks = X_cont_class.to_delayed().ravel()
    for b in blocks:
        acc = dask.delayed(_row_sum)(acc, b, dtype)
    total = acc.compute()
    mean = np.true_divide(total, count, out=total, casting="unsafe")[None, :]
    acc = None
    for b in blocks:
        acc = dask.delayed(_row_sum)(acc, dask.delayed(_sq_dev)(b, mean, dtype), dtype)
    var = acc.compute()
    var = np.true_divide(var, count, out=var, casting="unsafe")
    return np.median(np.asarray(np.sqrt(var)))


def _nc_encoded(cont, codes, sizes, unit, dtype):
    from gpuimb.over_sampling._smote._categorical import _dense_onehot

    cont = np.asarray(cont)
    return np.concatenate([cont.astype(dtype),
                           _dense_onehot(np, np.asarray(codes), sizes, unit, dtype, "cpu")],
                          axis=1)


def _max_sq_norm(block):
    block = np.asarray(block, dtype=np.float64)
    return float(np.max(np.einsum("ij,ij->i", block, block))) if block.shape[0] else 0.0


def _has_near_tie(dist, tol):
    d2 = np.asarray(dist, dtype=np.float64) ** 2
    return np.asarray([bool(np.any(np.diff(d2, axis=1) <= tol))]) if d2.shape[0] else \
        np.zeros(1, dtype=bool)


def _untied_neighbours(X_enc, k, n_class, klass):
    """The class's k nearest neighbours in the encoded space (persisted), or
    NotImplementedError where two of a row's k + 2 nearest distances are equal
    to within rounding.

    The single machine searches a sparse matrix with scikit-learn, whose
    expanded-form distances round with the rows' norms, and orders candidates
    by those values: where distances tie (integer-valued data, duplicates) its
    order is decided by rounding, which the exact dense block pairs do not
    reproduce. Apart from near-ties both orders are the true one.
    """
    import dask

    kk = min(k + 2, n_class)
    found = kneighbors(X_enc, X_enc, k=kk, exclude_self=False, return_distance=True)
    norms = dask.compute(*[dask.delayed(_max_sq_norm)(b) for b in X_enc.to_delayed().ravel()])
    n_cols = X_enc.shape[1]
    # Expanded-form rounding bound (|x|^2 + |y|^2 + 2|x||y| <= 4 max |x|^2), doubled.
    tol = 8 * (n_cols + 4) * float(np.finfo(np.float64).eps) * 4 * max(norms, default=0.0)
    tied = found.distances.map_blocks(_has_near_tie, tol, drop_axis=1, dtype=bool,
                                      chunks=((1,) * len(found.distances.chunks[0]),))
    indices, tied = _persist(found.indices[:, 1:k + 1], tied)
    if bool(tied.any().compute()):
        raise NotImplementedError(
            f"SMOTENC on Dask: rows of class {klass!r} have neighbours at distances "
            "equal to within rounding (tied distances, as with integer-valued or "
            "duplicated rows). The single-machine sampler orders such neighbours by "
            "the rounding of scikit-learn's sparse search, which the exact distributed "
            "search does not reproduce. Opt in explicitly with gpuimb.dask.fit_resample("
            "sampler, X, y, gather=True) to run it on one machine."
        )
    return indices


class _Permutation:
    """A stand-in random state for one block of SMOTENC's vote: ``permutation``
    returns an order whose inverse ranks the block's pairs as the class-wide
    draw does (or records how many pairs the block has)."""

    def __init__(self, positions=None):
        self.positions, self.n = positions, None

    def permutation(self, n):
        self.n = int(n)
        if self.positions is None:
            return np.arange(n)
        return np.argsort(self.positions, kind="stable")


def _nc_vote(neighbor_codes, n_categories, unit, positions):
    from gpuimb.over_sampling._smote._categorical import _vote_with_random_ties

    rng = _Permutation(positions)
    chosen = _vote_with_random_ties(np, np.asarray(neighbor_codes), n_categories, unit,
                                    rng, _host_ctx())
    return chosen if positions is not None else np.asarray([rng.n])


def _nc_assemble(cont, codes, sampler, order, dtype):
    decoded = sampler._decode(np.asarray(codes), _host_ctx())
    return np.hstack((np.asarray(cont), decoded))[:, order].astype(dtype, copy=False)


def smotenc(sampler, data):
    """SMOTENC: categories and the class's median standard deviation from
    distributed passes (in NumPy's order), an exact block-pair search on the
    dense [continuous | one-hot x weight] rows, client draws, and the category
    vote per block with the class-wide random tie order.

    Client memory: each categorical feature's categories, the class's
    neighbour table (8 bytes x ``k`` per class row), the draws (16 bytes per
    new row) and, per categorical feature, the tie-breaking permutation
    (8 bytes per tied (row, category) pair of the new rows).
    """
    import dask
    from sklearn.preprocessing import OneHotEncoder
    from sklearn.utils._encode import _unique

    k = _require_int(sampler.k_neighbors, "k_neighbors", sampler)
    _default_encoder_only(sampler, "SMOTENC", "one-hot")
    X = data.X
    _host_chunks_only(sampler, X, "on the GPU the single-machine SMOTENC computes the "
                      "class's standard deviations with CuPy's reduction order")
    sampler.n_features_ = X.shape[1]
    sampler._validate_column_types(_columns_frame(data))
    sampler._validate_estimator(_host_ctx())
    cont, cat = sampler.continuous_features_, sampler.categorical_features_
    scanned = dask.compute(*[dask.delayed(_nc_scan_block)(b, cont, cat)
                             for b in X.to_delayed().ravel()])
    if any(nan for _, nan in scanned):
        raise ValueError("Input X contains NaN.")
    categories = [_unique(np.concatenate([u[f] for u, _ in scanned]))
                  for f in range(len(cat))]
    dtype = np.float64 if X.dtype == object else X.dtype
    longest = max(c.size for c in categories)
    encoder = OneHotEncoder(handle_unknown="ignore", dtype=dtype)
    encoder.fit(np.column_stack([np.resize(c, longest) for c in categories]))
    sampler.categorical_encoder_ = encoder
    offsets = sampler._offsets()
    sizes = [c.size for c in encoder.categories_]
    codes = X.map_blocks(_nc_codes, cat, encoder, offsets, dtype=np.int64,
                         chunks=(X.chunks[0], (len(cat),)),
                         meta=np.empty((0, 0), dtype=np.int64))
    X_cont = X.map_blocks(_nc_cont, cont, dtype, dtype=dtype,
                          chunks=(X.chunks[0], (len(cont),)),
                          meta=np.empty((0, 0), dtype=dtype))
    class_codes = data.codes()
    sampler.median_std_ = {}
    cont_blocks, code_blocks, y_blocks = [X_cont], [codes], [data.y]
    for klass, n_samples in sampler.sampling_strategy_.items():
        if n_samples == 0:
            continue
        code = data.code_of(klass)
        counts = data.table[:, code]
        n_class = int(counts.sum())
        X_cont_class = select(X_cont, class_codes == code, counts)
        codes_class = select(codes, class_codes == code, counts)
        median_std = _median_std(X_cont_class, X_cont_class.dtype
                                 if np.issubdtype(X_cont_class.dtype, np.floating)
                                 else np.float64)
        sampler.median_std_[klass] = median_std
        unit = np.asarray(median_std / np.sqrt(2)).astype(dtype).item()
        vote_unit = 1.0 if median_std == 0 else unit
        if vote_unit * (1 - 1e-5) <= 1e-8 * k:
            raise NotImplementedError(
                f"SMOTENC on Dask: class {klass!r} has a median standard deviation of "
                f"{median_std!r}, where the single-machine category vote switches to a "
                "per-category fallback decided over all new rows at once. Opt in with "
                "gpuimb.dask.fit_resample(sampler, X, y, gather=True) or rescale X."
            )
        if k + 1 > n_class:
            raise _kneighbors_error(k + 1, n_class, n_class)
        X_enc = da.map_blocks(_nc_encoded, X_cont_class, codes_class, sizes, unit, dtype,
                              dtype=dtype, chunks=(X_cont_class.chunks[0],
                                                   (len(cont) + int(offsets[-1]),)),
                              meta=np.empty((0, 0), dtype=dtype))
        nns = _untied_neighbours(X_enc, k, n_class, klass)
        random_state = check_random_state(sampler.random_state)
        X_new, rows, _, _ = _make_samples(sampler, X_cont_class, nns, n_samples,
                                          random_state, rows_like=X)
        rng = check_random_state(sampler.random_state)
        neighbor_rows = _host(nns)[rows]
        per_block = X_new.chunks[0]
        new_codes = []
        for f, cats in enumerate(encoder.categories_):
            nb = take(codes_class[:, f], neighbor_rows.reshape(-1))
            nb = nb.reshape((n_samples, k)).rechunk((per_block, k))
            n_pairs = nb.map_blocks(_nc_vote, int(cats.size), vote_unit, None,
                                    drop_axis=1, chunks=((1,) * len(per_block),),
                                    dtype=np.int64).compute()
            order = rng.permutation(int(n_pairs.sum()))
            position = np.argsort(order)
            ends = np.cumsum(n_pairs)
            blocks = []
            for b, part in enumerate(nb.to_delayed().ravel()):
                slice_ = position[ends[b] - n_pairs[b]:ends[b]]
                blocks.append(da.from_delayed(
                    dask.delayed(_nc_vote)(part, int(cats.size), vote_unit, slice_),
                    shape=(per_block[b],), dtype=np.int64))
            new_codes.append(da.concatenate(blocks)[:, None])
        cont_blocks.append(X_new)
        code_blocks.append(da.concatenate(new_codes, axis=1).rechunk((per_block, -1)))
        y_blocks.append(_labels_for(X_new, data.y, klass))
    cont_all = da.concatenate(cont_blocks)
    codes_all = da.concatenate(code_blocks).rechunk((cont_all.chunks[0], -1))
    order = np.argsort(np.hstack((cont, cat)))
    dec_dtype = np.result_type(*[c.dtype for c in encoder.categories_])
    out_dtype = np.result_type(cont_all.dtype, dec_dtype)
    X_res = da.map_blocks(_nc_assemble, cont_all, codes_all, sampler, order, out_dtype,
                          dtype=out_dtype, chunks=(cont_all.chunks[0], (X.shape[1],)),
                          meta=np.empty((0, 0), dtype=out_dtype))
    return X_res, da.concatenate(y_blocks)
