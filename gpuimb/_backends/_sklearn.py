"""The host engine: scikit-learn's estimators on NumPy and SciPy sparse data."""

import numpy as np

from ..utils._array_api import is_host_namespace
from ._base import (
    Engine,
    KnnRequest,
    certified_kneighbors,
    check_classifier_name,
    power_of_two_scale,
)
from ._bruteforce import centre, kneighbors

__all__ = ["SklearnEngine", "sklearn_classifier"]

# Host data goes to the array-API brute force instead of scikit-learn when all
# of these hold (measured in benchmarks/RESULTS.md, "Engines": with float32
# screening, the tiled GEMM + selection beat scikit-learn's brute force above
# 15 features and its KD-tree above 7, from 2**16 query-index pairs):
# - dense floating data with more than _BRUTE_MIN_FEATURES features (trees
#   win below);
# - at least _BRUTE_MIN_PAIRS query/index pairs;
# and on any dense data below _BRUTE_SMALL_PAIRS pairs, whatever the number of
# features: there one GEMM tile on one thread costs well under a millisecond,
# where scikit-learn's estimator costs about 0.5 ms of validation and set-up
# and its brute force starts OpenMP threads (tens of milliseconds on a busy
# machine); exact ties (integer features, duplicate rows) are also cheaper
# there (benchmarks/RESULTS.md, "KEEL").
_BRUTE_MIN_FEATURES = 7
_BRUTE_MIN_PAIRS = 2**16
_BRUTE_SMALL_PAIRS = 2**20


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

    def _use_brute_force(self, index, query):
        if self.brute_force != "auto" or not isinstance(index, np.ndarray):
            return False
        if query is not None and not isinstance(query, np.ndarray):
            return False
        if index.ndim != 2:
            return False
        n_query = index.shape[0] if query is None else query.shape[0]
        pairs = n_query * index.shape[0]
        return pairs < _BRUTE_SMALL_PAIRS or (
            index.shape[1] > _BRUTE_MIN_FEATURES and pairs >= _BRUTE_MIN_PAIRS
        )

    def _kneighbors(self, index, query, k, exclude_self):
        if self._use_brute_force(index, query):
            self._record("array_api")
            return kneighbors(index, query, k=k, exclude_self=exclude_self)
        self._record(self.name)
        return _sklearn_kneighbors(index, query, k, exclude_self)

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


def _sklearn_kneighbors(index, query, k, exclude_self):
    """scikit-learn's search, re-ranked and certified (see certified_kneighbors).

    Dense data is centred first, so that the rounding error of scikit-learn's
    expanded-form distances does not grow with the data's offset; sparse data
    is searched as is and scikit-learn's distances are taken as exact.
    """
    from scipy import sparse
    from sklearn.neighbors import NearestNeighbors

    is_sparse = sparse.issparse(index) or (query is not None and sparse.issparse(query))
    scale = 1.0
    if not is_sparse:
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
    if is_sparse:
        search_index, search_query = request.index, request.query
    else:
        request.centre = centre(np, request.index)
        search_index = request.index - request.centre
        search_query = (
            search_index if query is None else request.query - request.centre
        )
    nn = NearestNeighbors().fit(search_index)

    def screen(rows, n):
        dist, cols = nn.kneighbors(search_query[rows], n_neighbors=n)
        return dist * dist, cols

    eps = float(np.finfo(np.float64 if is_sparse else index.dtype).eps)
    d2, cols = certified_kneighbors(request, screen, eps=eps, direct=not is_sparse)
    return np.sqrt(d2) / scale, cols.astype(np.intp, copy=False)
