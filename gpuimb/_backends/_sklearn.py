"""The host engine: scikit-learn's estimators on NumPy and SciPy sparse data."""

import math

import numpy as np

from ..utils._array_api import is_host_namespace
from ._base import (
    Engine,
    KnnRequest,
    certified_kneighbors,
    check_classifier_name,
    power_of_two_scale,
)
from ._bruteforce import kneighbors
from ._tiles import host_map, host_single_thread

__all__ = ["SklearnEngine", "sklearn_classifier"]

# Which search the host engine runs on dense data (measured on the KEEL sets
# and synthetic data, benchmarks/RESULTS.md, "Engines" and "KEEL"):
# - below _BRUTE_SMALL_PAIRS query/index pairs, the array-API brute force on
#   one thread: one GEMM tile costs well under a millisecond, where any
#   estimator costs about 0.5 ms of validation and set-up;
# - from there, on data of at most _TREE_MAX_FEATURES features, a KD-tree:
#   the brute force must write every one of the n_query x n_index distances,
#   and with few features that memory traffic, not the arithmetic, is its cost,
#   while a tree looks at a few leaves per query;
# - from there to _TREE_PROBE_MAX_FEATURES features (scikit-learn's own limit
#   for a KD-tree), on a search large enough to repay building one, the data
#   decides: the tree is built and _TREE_PROBE_ROWS query rows are searched;
#   where its distance calls per query say it costs less than the brute force
#   (real data often lies near a few dimensions: page-blocks' SMOTE output,
#   9,826 x 10, 32 against 50 ms), it answers, else the brute force (Gaussian
#   clusters at 10 features: the tree is 3.7x slower);
# - above that, the brute force (its tiled GEMM and selection beat
#   scikit-learn's brute force and trees there).
_BRUTE_SMALL_PAIRS = 2**20
_TREE_MAX_FEATURES = 7
_TREE_PROBE_MAX_FEATURES = 15
_TREE_PROBE_ROWS = 64
# A tree's costs in query-index pairs of the brute force (about 0.45 ns each,
# measured on 2 cores at 10 features): a query's fixed cost (about 2.1 us),
# one distance call of the tree (about 4.6 ns) and, per index row and tree
# level, the build (about 35 ns). The probe runs where the brute force would
# cost at least _TREE_PROBE_MIN_GAIN times the build, so a tree built in vain
# costs little.
_TREE_QUERY_COST = 5000
_TREE_CALL_COST = 10
_TREE_BUILD_COST = 80
_TREE_PROBE_MIN_GAIN = 8
# The probe first asks a tree of every _TREE_PROBE_SUBSAMPLE-th index row.
_TREE_PROBE_SUBSAMPLE = 8
# Query rows per tree query handed to one thread.
_TREE_QUERY_ROWS = 512


class SklearnEngine(Engine):
    """Host engine: scikit-learn estimators on NumPy / SciPy sparse data.

    Its estimator factories return imbalanced-learn's own estimators (the
    parity reference). Its :meth:`kneighbors` is scikit-learn's search made
    exact: candidates re-ranked by direct distances in (distance, index) order
    and certified, or, on dense data where it was measured faster, the
    array-API brute force (recorded in ``ran`` as ``"array_api"``).

    Parameters
    ----------
    xp : module, default=numpy
        NumPy (the engine runs on host data only).
    brute_force : {"auto", "never"}, default="never"
        ``"auto"`` lets :meth:`kneighbors` use the array-API brute force on
        dense data where it was measured faster; ``"never"`` always asks
        scikit-learn.
    """

    name = "sklearn"
    requires = ("sklearn",)
    install_hint = "pip install scikit-learn"
    accepts_sparse = True

    def __init__(self, xp=np, *, brute_force="never"):
        super().__init__(xp)
        self.brute_force = brute_force

    @classmethod
    def check_data(cls, xp, sparse):
        if not (is_host_namespace(xp) or sparse):
            raise ValueError(
                "backend='sklearn' is a host engine and needs host data (NumPy or "
                f"SciPy sparse); got arrays of {xp.__name__}. Move the data to the "
                "host or use backend='auto'."
            )

    def _search_kind(self, index, query):
        """``"brute"``, ``"tree"``, ``"probe"`` (a KD-tree if its probe says it
        pays, else the brute force) or ``"sklearn"``: which search answers."""
        if self.brute_force != "auto" or not isinstance(index, np.ndarray):
            return "sklearn"
        if query is not None and not isinstance(query, np.ndarray):
            return "sklearn"
        if index.ndim != 2:
            return "sklearn"
        n_query = index.shape[0] if query is None else query.shape[0]
        n_index, n_features = index.shape
        if n_query * n_index < _BRUTE_SMALL_PAIRS:
            return "brute"
        if n_features <= _TREE_MAX_FEATURES:
            return "tree"
        build = _TREE_BUILD_COST * n_index * math.log2(n_index)
        if (n_features <= _TREE_PROBE_MAX_FEATURES and n_index > _TREE_QUERY_COST
                and n_query * n_index >= _TREE_PROBE_MIN_GAIN * build):
            return "probe"
        return "brute"

    def _kneighbors(self, index, query, k, exclude_self):
        kind = self._search_kind(index, query)
        if kind != "brute":
            found = _sklearn_kneighbors(index, query, k, exclude_self,
                                        probe=kind == "probe")
            if found is not None:
                self._record(self.name)
                return found
        self._record("array_api")
        return kneighbors(index, query, k=k, exclude_self=exclude_self)

    def nearest_neighbors(self, n_neighbors):
        """Unfitted :class:`sklearn.neighbors.NearestNeighbors`."""
        from sklearn.neighbors import NearestNeighbors

        self._record(self.name)
        return NearestNeighbors(n_neighbors=n_neighbors)

    def kmeans_estimator(self, n_clusters=8, *, minibatch=False, random_state=None, **params):
        """Unfitted :class:`sklearn.cluster.KMeans` or ``MiniBatchKMeans``."""
        from sklearn.cluster import KMeans, MiniBatchKMeans

        self._record(self.name)
        cls = MiniBatchKMeans if minibatch else KMeans
        return cls(n_clusters=n_clusters, random_state=random_state, **params)

    def classifier(self, name, **params):
        """Unfitted scikit-learn SVC, RandomForestClassifier or KNeighborsClassifier."""
        check_classifier_name(name)
        self._record(self.name)
        return sklearn_classifier(name, **params)


def sklearn_classifier(name, **params):
    """scikit-learn's SVC, RandomForestClassifier or KNeighborsClassifier."""
    if name == "svc":
        from sklearn.svm import SVC

        return SVC(**params)
    if name == "random_forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(**params)
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(**params)


def _sklearn_kneighbors(index, query, k, exclude_self, *, probe=False):
    """scikit-learn's search, re-ranked and certified (see certified_kneighbors).

    Dense data is searched with a KD-tree, whose distances are sums of squared
    differences (their rounding error is relative to the distance, so the
    certificate is tight and a small candidate margin suffices), its queries
    split over the host's tile threads (the tree releases the GIL). Sparse data
    goes to scikit-learn's brute force and its distances are taken as exact.
    With ``probe``, None when :func:`_tree_pays` finds the tree too slow for
    the data.
    """
    from scipy import sparse

    if sparse.issparse(index) or (query is not None and sparse.issparse(query)):
        return _sparse_kneighbors(index, query, k, exclude_self)
    from sklearn.neighbors import KDTree

    index = np.asarray(index)
    if not np.issubdtype(index.dtype, np.floating):
        index = index.astype(np.float64)
    if query is not None:
        query = np.asarray(query, dtype=index.dtype)
    scale = power_of_two_scale(np, index, index if query is None else query)
    if scale != 1.0:  # exact: see power_of_two_scale
        index = index * scale
        query = None if query is None else query * scale
    request = KnnRequest(np, index, query, k, exclude_self)
    if probe and not _tree_pays(KDTree(request.index[::_TREE_PROBE_SUBSAMPLE]), request):
        return None
    tree = KDTree(request.index)
    if probe and not _tree_pays(tree, request):
        return None

    def screen(rows, n):
        queries = request.query[rows]
        starts = range(0, queries.shape[0], _TREE_QUERY_ROWS)
        with host_single_thread(len(starts) > 1, user_api="blas"):
            parts = host_map(
                lambda start: tree.query(queries[start:start + _TREE_QUERY_ROWS], k=n),
                starts)
        dist = np.concatenate([part[0] for part in parts])
        cols = np.concatenate([part[1] for part in parts])
        return dist * dist, cols

    # Tree distances are computed in float64 whatever the data's dtype.
    eps = max(float(np.finfo(index.dtype).eps), float(np.finfo(np.float64).eps))
    d2, cols = certified_kneighbors(request, screen, eps=eps, error="relative", margin=2)
    return np.sqrt(d2) / scale, cols.astype(np.intp, copy=False)


def _tree_pays(tree, request):
    """Whether ``tree`` answers ``request`` faster than the brute force would.

    _TREE_PROBE_ROWS query rows, evenly spaced, are searched; the tree's
    distance calls per row (deterministic: a property of the data, not of the
    clock) give its cost per query against the brute force's ``n_index``
    pairs per query row (see _TREE_QUERY_COST). A tree of a subsample of the
    index makes no more calls than the whole index's would, so it can say
    no at an eighth of the building.
    """
    rows = np.linspace(0, request.n_query - 1, min(_TREE_PROBE_ROWS, request.n_query))
    tree.reset_n_calls()
    n_tree = tree.get_arrays()[0].shape[0]
    tree.query(request.query[rows.astype(np.intp)], k=min(request.k + 2, n_tree))
    calls = tree.get_n_calls() / rows.shape[0]
    return _TREE_QUERY_COST + _TREE_CALL_COST * calls < request.n_index


def _sparse_kneighbors(index, query, k, exclude_self):
    """scikit-learn's brute force on sparse data, ties at the boundary guarded."""
    from sklearn.neighbors import NearestNeighbors

    request = KnnRequest(np, index, query, k, exclude_self)
    nn = NearestNeighbors().fit(request.index)

    def screen(rows, n):
        dist, cols = nn.kneighbors(request.query[rows], n_neighbors=n)
        return dist * dist, cols

    eps = float(np.finfo(np.float64).eps)
    d2, cols = certified_kneighbors(request, screen, eps=eps, direct=False)
    return np.sqrt(d2), cols.astype(np.intp, copy=False)
