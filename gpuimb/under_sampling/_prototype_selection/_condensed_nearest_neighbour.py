"""CondensedNearestNeighbour: keep a store of prototypes that classifies the rest.

imbalanced-learn refits a k-NN classifier on the store after every addition and
predicts each candidate separately. Here the k nearest store members of every
candidate are found once, and each addition updates all pending candidates in
one array operation (insert its distance into their sorted neighbour lists), so
the Python loop runs once per *addition*, with O(n) array work each time.
"""

import numpy as np

from gpuimb._backends._base import kneighbors_error
from gpuimb.under_sampling._prototype_selection._common import (
    _NeighborSearch,
    _SeededStoreSampler,
    fitted_classifier,
    minority_class,
    neighbors_setting,
    vote_is_target,
)
from gpuimb.utils._array_api import (
    device_of,
    flatnonzero,
    get_namespace,
    is_host_namespace,
    place_rows,
    python_scalar,
    take_rows,
    to_host,
    to_namespace,
)
from gpuimb.utils._progress import progress


def check_enough_neighbors(k, n_fit, n_query):
    if k > n_fit:
        raise kneighbors_error(k, n_fit, n_query)


def _block_columns(distance_matrix, entrywise, X_S, y_S, start, stop):
    """``column(r, cur)``: host distances from candidate ``r`` of the block
    ``start:stop`` to its candidates ``cur:`` (block positions).

    On the host, ``entrywise`` distances are computed one added member at a
    time (a row of ``n_block`` entries each); otherwise (a device, a user's
    estimator, sparse X) one matrix over the block, on the first addition:
    entry for entry the same values when they are entrywise.
    """
    X_blk = X_S[start:stop, :]
    if entrywise and is_host_namespace(get_namespace(X_blk)):
        def column(r, cur):
            d = distance_matrix(X_blk[r:r + 1, :], None, X_blk[cur:, :])
            return np.asarray(to_host(d), dtype=np.float64)[:, 0]

        return column
    D = []

    def column(r, cur):
        if not D:
            matrix = distance_matrix(X_blk, None if y_S is None else y_S[start:stop], X_blk)
            D.append(np.asarray(to_host(matrix), dtype=np.float64))
        return D[0][cur:, r]

    return column


def _scan_block(dist, is_target, seeds, weights, target_first, block_column):
    """Sequential condensing scan of one block of candidates (host arrays).

    ``dist``/``is_target`` (block, k) hold each candidate's current nearest
    store members; they are updated in place. Returns the block positions
    added, in order. One loop step per addition.
    """
    added = []
    cur = 0
    n, k = dist.shape
    while cur < n:
        wrong = ~vote_is_target(np, is_target[cur:], dist[cur:], weights,
                                target_first) & ~seeds[cur:]
        if not wrong.any():
            break
        r = cur + int(np.argmax(wrong))
        added.append(r)
        cur = r + 1
        if cur == n:
            break
        new = block_column(r, cur).astype(dist.dtype, copy=False)
        d, t = dist[cur:], is_target[cur:]
        if k == 1:
            closer = new < d[:, 0]
            d[closer, 0] = new[closer]
            t[closer, 0] = True
            continue
        # Insert after equal distances: the new member has the largest index.
        slot = (d <= new[:, None]).sum(axis=1)
        rows = np.flatnonzero(slot < k)
        slot = slot[rows]
        cols = np.arange(k)[None, :]
        shifted_d = np.concatenate([d[rows, :1], d[rows, :-1]], axis=1)
        shifted_t = np.concatenate([t[rows, :1], t[rows, :-1]], axis=1)
        before = cols < slot[:, None]
        at = cols == slot[:, None]
        d[rows] = np.where(before, d[rows], np.where(at, new[rows, None], shifted_d))
        t[rows] = np.where(before, t[rows], at | shifted_t)
    return added


def merge_members(xp, dist, is_target, d_new):
    """Merge new target-class store members into sorted k-nearest lists.

    Old members sort before new ones at equal distance (smaller store index),
    and new ones among themselves by position, hence stable sorts.
    """
    k = dist.shape[1]
    if d_new.shape[0] == 0:
        return dist, is_target
    nearest_new = xp.min(d_new, axis=1)
    if k == 1:
        closer = (nearest_new < dist[:, 0])[:, None]
        return xp.where(closer, nearest_new[:, None], dist), is_target | closer
    changed = nearest_new < dist[:, k - 1]
    if not bool(xp.any(changed)):
        return dist, is_target
    rows = flatnonzero(xp, changed)
    merged_d = xp.concat([xp.take(dist, rows, axis=0), xp.take(d_new, rows, axis=0)],
                         axis=1)
    merged_t = xp.concat([xp.take(is_target, rows, axis=0),
                          xp.ones((rows.shape[0], d_new.shape[1]), dtype=xp.bool)],
                         axis=1)
    order = xp.argsort(merged_d, axis=1, stable=True)[:, :k]
    upd_d = xp.take_along_axis(merged_d, order, axis=1)
    upd_t = xp.take_along_axis(merged_t, order, axis=1)
    return place_rows(dist, changed, upd_d), place_rows(is_target, changed, upd_t)


class CondensedNearestNeighbour(_SeededStoreSampler):
    """Under-sample with the condensed nearest neighbour rule (Hart, 1968).

    For each targeted class, a store starts with all the minority rows and
    ``n_seeds_S`` random rows of the class. The class's rows are then visited
    in order, and each row that the store's k-NN rule misclassifies is added
    to the store. The class keeps its rows in the store: a small subset that
    still classifies the class's other rows correctly. Rows far inside the
    class are dropped; border and noisy rows stay.

    Read more in imbalanced-learn's user guide on condensed nearest neighbour.

    Parameters
    ----------
    sampling_strategy : str, list or callable, default="auto"
        Which classes the rule may remove samples from; the rule itself decides
        how many go, so a number of samples cannot be asked for.

        - str: ``"majority"`` (the largest class), ``"not minority"`` (all but
          the smallest), ``"not majority"`` (all but the largest), ``"all"``
          (every class) or ``"auto"``, the same as ``"not minority"``.
        - list: the labels of the classes to clean.
        - callable: ``f(y)`` returning a dict whose keys are the classes to
          clean.
    random_state : int, RandomState instance or None, default=None
        Controls the random draws. An int makes every call draw the same
        samples; a ``numpy.random.RandomState`` is used (and advanced) as it is;
        ``None`` takes NumPy's global random state. The draws are made on the
        host and then moved next to X, so a seed makes the same choices whether
        X lives on the CPU or on a GPU.
    n_neighbors : int or estimator object, default=None
        Size of the store's k-NN rule (``None`` means 1). An object with
        ``kneighbors`` (a k-NN classifier or a nearest-neighbours estimator)
        is used with its own ``n_neighbors``, metric and ``weights``.
    n_seeds_S : int, default=1
        Number of random rows of the class that start the store.
    n_jobs : int, default=None
        Passed to the k-NN estimators (host only).

    Attributes
    ----------
    sampling_strategy_ : dict
        Classes the rule condenses.
    estimators_ : list of estimator objects
        For each condensed class, the k-NN classifier fitted on its final store.
    sample_indices_ : array of shape (n_new_samples,)
        Index, in the X given to ``fit_resample``, of each output row; the
        array lives in X's namespace and on its device.
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        Name of what answered the nearest-neighbour queries: ``"sklearn"`` for
        host data, ``"cuml"`` or the array-API engine for device data (set by
        ``gpuimb.config_context(backend=...)`` or chosen from the data).

    See Also
    --------
    OneSidedSelection : One pass of the rule, then Tomek links.
    EditedNearestNeighbours : Remove the noisy rows instead.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.

    The visit is sequential by nature; gpuimb scans blocks of candidates
    and updates the later candidates' neighbours once per block. With
    ``gpuimb.set_config(show_progress=True)`` and tqdm installed, the blocks
    show a progress bar.

    References
    ----------
    .. [1] P. Hart, "The condensed nearest neighbor rule", IEEE Transactions on
       Information Theory, 14(3), pp. 515-516, 1968.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.under_sampling import CondensedNearestNeighbour
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.8,
    ...                            random_state=10)
    >>> X_res, y_res = CondensedNearestNeighbour(random_state=42).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 117), (1, 51)]
    """

    # Candidates scanned sequentially between two batched store updates.
    _block_size = 256

    def _fit_resample(self, X, y, ctx):
        xp = ctx.xp
        k, weights, user_nn = neighbors_setting(self.n_neighbors, 1)
        search = _NeighborSearch(ctx, user_nn)
        minority = minority_class(y)
        minority_indices = flatnonzero(xp, y == python_scalar(minority))
        kept = []
        self.estimators_ = []
        for klass, class_indices, seeds in self._seeded_classes(y, ctx, kept):
            added = self._condense(X, y, ctx, search, class_indices, minority_indices,
                                   seeds, k, weights,
                                   target_first=bool(klass < minority),
                                   target_is_minority=bool(klass == minority))
            positions = np.concatenate([seeds, np.asarray(added, dtype=np.int64)])
            store = xp.astype(xp.take(class_indices, ctx.asarray(positions)), xp.int64)
            C_indices = xp.concat([xp.astype(minority_indices, xp.int64), store])
            self.estimators_.append(fitted_classifier(
                ctx, self.n_neighbors, k, self.n_jobs, take_rows(X, C_indices),
                xp.take(y, C_indices)))
            kept.append(store)
        return self._keep_rows(ctx, X, y, xp.concat(kept))

    def _condense(self, X, y, ctx, search, class_indices, minority_indices, seeds,
                  k, weights, target_first, target_is_minority):
        """Class-local positions added to the store, in the order they are added.

        Candidates are scanned in blocks: inside a block the scan is sequential
        (one step per addition, array work of the block's size, on the host),
        then the block's additions update every later candidate's k nearest
        store members in one neighbour query and one merge.
        """
        xp = ctx.xp
        C_indices = xp.concat([minority_indices,
                               xp.take(class_indices, ctx.asarray(seeds))])
        n_class = class_indices.shape[0]
        check_enough_neighbors(k, C_indices.shape[0], 1)
        X_S = take_rows(X, class_indices)
        y_S = xp.take(y, class_indices)
        dist, nn_pos = search.kneighbors(take_rows(X, C_indices), xp.take(y, C_indices),
                                         X_S, k)
        dist = xp.asarray(dist)
        # Store members after the minority block belong to the target class.
        is_target = xp.asarray(nn_pos) >= minority_indices.shape[0]
        if target_is_minority:
            is_target = xp.ones_like(is_target)
        seed_mask = np.zeros(n_class, dtype=bool)
        seed_mask[seeds] = True
        return scan_candidates(xp, X_S, y_S, dist, is_target, seed_mask, weights,
                               target_first, search.distance_matrix, self._block_size,
                               entrywise=search.entrywise, label=type(self).__name__)


def scan_candidates(xp, X_S, y_S, dist, is_target, seed_mask, weights, target_first,
                    distance_matrix, block_size, entrywise=True, label=None):
    """The condensing visit of the candidates ``X_S``, in order.

    ``dist``/``is_target`` (n, k) hold each candidate's k nearest store
    members so far (increasing distance, ties in store order);
    ``seed_mask`` marks the candidates already in the store.
    ``distance_matrix(X_index, y_index, X_query, limit=...)`` gives the
    distances from new members to later candidates (``y_index`` is None when
    ``y_S`` is: labels only matter to a user's estimator); it may give ``inf``
    for those above a candidate's ``limit``, its k-th nearest member's
    distance, as only nearer members change anything. ``entrywise``
    distances (the default search on dense X) are asked one added member at
    a time inside a block. Inside a block of ``block_size``
    candidates the scan is sequential (one step per addition, array work of
    the block's size, on the host); then the block's additions update every
    later candidate's k nearest store members in one distance block and one
    merge. Returns the positions (into ``X_S``) added, in order.

    The single-machine sampler runs it over a whole class; on Dask, each
    partition of the class runs it in turn, after merging the members that
    earlier partitions added (:mod:`gpuimb.dask`).
    """
    n_class = X_S.shape[0]
    added = []
    blocks = range(0, n_class, block_size)
    if label is not None:
        blocks = progress(blocks, label, unit="block")
    for start in blocks:
        stop = min(start + block_size, n_class)
        width = stop - start
        d_blk = np.array(to_host(dist[:width, :]), copy=True)
        t_blk = np.array(to_host(is_target[:width, :]), copy=True)
        dist, is_target = dist[width:, :], is_target[width:, :]
        new = _scan_block(d_blk, t_blk, seed_mask[start:stop], weights, target_first,
                          _block_columns(distance_matrix, entrywise, X_S, y_S, start, stop))
        if not new:
            continue
        members = to_namespace(np.asarray(new, dtype=np.int64) + start, xp,
                               device_of(X_S))
        added += [start + r for r in new]
        if stop == n_class:
            break
        d_new = distance_matrix(take_rows(X_S, members),
                                None if y_S is None else xp.take(y_S, members),
                                X_S[stop:, :], limit=dist[:, -1])
        dist, is_target = merge_members(xp, dist, is_target, xp.astype(d_new, dist.dtype))
    return added
