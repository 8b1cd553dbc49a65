"""The three engines and :func:`get_engine`, which picks one for the data."""

import numpy as np

from .._config import get_config
from ._adapt import HostEstimator
from ._bruteforce import BruteForceNeighbors, _direct_sq_distances_xp
from ._bruteforce import kneighbors as _bruteforce_kneighbors
from ._kmeans import KMeans, MiniBatchKMeans
from ._namespace import (
    array_namespace,
    device,
    is_cupy_namespace,
    is_host_namespace,
    module_available,
)
from ._selection import lexsort_rows

__all__ = ["CumlEngine", "CupyEngine", "SklearnEngine", "get_engine"]

_CLASSIFIERS = ("svc", "random_forest", "kneighbors")

_INSTALL_HINT = 'pip install "gpuimb[cuda12]" (CUDA 12) or pip install "gpuimb[cuda13]" (CUDA 13)'

# Host data goes to the array-API brute force instead of scikit-learn when all
# of these hold (measured in benchmarks/RESULTS.md, "Engines": with float32
# screening, the tiled GEMM + selection beat scikit-learn's brute force above
# 15 features and its KD-tree above 7, from 2**16 query-index pairs):
# - dense floating data with more than _BRUTE_MIN_FEATURES features (trees
#   win below);
# - at least _BRUTE_MIN_PAIRS query/index pairs, below which both take
#   milliseconds and scikit-learn's lower overhead wins.
_BRUTE_MIN_FEATURES = 7
_BRUTE_MIN_PAIRS = 2**16


def _check_classifier(name):
    if name not in _CLASSIFIERS:
        raise ValueError(f"classifier name must be one of {_CLASSIFIERS}; got {name!r}.")


def _kmeans_params(init, n_init, max_iter, tol, random_state, minibatch, batch_size):
    params = {"init": init, "n_init": n_init, "random_state": random_state}
    if max_iter is not None:
        params["max_iter"] = max_iter
    if tol is not None:
        params["tol"] = tol
    if minibatch:
        params["batch_size"] = batch_size
    return params


class _Engine:
    """Shared protocol; subclasses provide the estimator factories."""

    name = None

    def __init__(self, xp):
        self.xp = xp

    def __repr__(self):
        return f"<gpuimb engine {self.name!r} on {self.xp.__name__}>"

    def kmeans(
        self,
        X,
        n_clusters,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=None,
        tol=None,
        random_state=None,
        minibatch=False,
        batch_size=1024,
    ):
        """Cluster ``X``; return ``(centers, labels)`` in the data's namespace.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Data.
        n_clusters : int
            Number of clusters.
        init : {"k-means++", "random"} or array, default="k-means++"
            Seeding.
        n_init : "auto" or int, default="auto"
            Number of seedings.
        max_iter : int, default=None
            None means the estimator's default (300 for k-means, 100 mini-batch).
        tol : float, default=None
            None means the estimator's default (1e-4 for k-means, 0 mini-batch).
        random_state : int, RandomState instance or None, default=None
            Seed.
        minibatch : bool, default=False
            Use mini-batch k-means.
        batch_size : int, default=1024
            Mini-batch size.

        Returns
        -------
        centers : array of shape (n_clusters, n_features)
        labels : array of shape (n_samples,)
        """
        params = _kmeans_params(init, n_init, max_iter, tol, random_state, minibatch, batch_size)
        estimator = self.kmeans_estimator(n_clusters, minibatch=minibatch, **params)
        labels = estimator.fit_predict(X)
        return estimator.cluster_centers_, labels


class SklearnEngine(_Engine):
    """Host engine: scikit-learn estimators on NumPy / SciPy sparse data.

    Parameters
    ----------
    brute_force : {"auto", "never"}, default="never"
        ``"auto"`` lets :meth:`kneighbors` use the array-API brute force on
        dense data where it was measured faster (see ``get_engine``);
        ``"never"`` always asks scikit-learn. The estimator factories always
        return scikit-learn's estimators.
    """

    name = "sklearn"

    def __init__(self, xp=np, *, brute_force="never"):
        super().__init__(xp)
        self.brute_force = brute_force

    def _use_brute_force(self, index, query):
        if self.brute_force != "auto" or not isinstance(index, np.ndarray):
            return False
        if query is not None and not isinstance(query, np.ndarray):
            return False
        n_query = index.shape[0] if query is None else query.shape[0]
        return (
            index.ndim == 2
            and index.shape[1] > _BRUTE_MIN_FEATURES
            and n_query * index.shape[0] >= _BRUTE_MIN_PAIRS
        )

    def kneighbors(self, index, query=None, *, k, exclude_self=None, return_distance=True):
        """Exact Euclidean kNN; see :func:`gpuimb._backends.kneighbors`."""
        if self._use_brute_force(index, query):
            return _bruteforce_kneighbors(
                index,
                query,
                k=k,
                exclude_self=exclude_self,
                return_distance=return_distance,
            )
        return _sklearn_kneighbors(index, query, k, exclude_self, return_distance)

    def nearest_neighbors(self, n_neighbors):
        """Unfitted :class:`sklearn.neighbors.NearestNeighbors`."""
        from sklearn.neighbors import NearestNeighbors

        return NearestNeighbors(n_neighbors=n_neighbors)

    def kmeans_estimator(self, n_clusters=8, *, minibatch=False, random_state=None, **params):
        """Unfitted :class:`sklearn.cluster.KMeans` or ``MiniBatchKMeans``."""
        from sklearn.cluster import KMeans as SkKMeans
        from sklearn.cluster import MiniBatchKMeans as SkMiniBatchKMeans

        cls = SkMiniBatchKMeans if minibatch else SkKMeans
        return cls(n_clusters=n_clusters, random_state=random_state, **params)

    def classifier(self, name, **params):
        """Unfitted scikit-learn SVC, RandomForestClassifier or KNeighborsClassifier."""
        _check_classifier(name)
        return _sklearn_classifier(name, **params)


def _sklearn_classifier(name, **params):
    if name == "svc":
        from sklearn.svm import SVC

        return SVC(**params)
    if name == "random_forest":
        from sklearn.ensemble import RandomForestClassifier

        return RandomForestClassifier(**params)
    from sklearn.neighbors import KNeighborsClassifier

    return KNeighborsClassifier(**params)


def _own_rows(exclude_self, query, n_index, n_query):
    if exclude_self is None:
        exclude_self = query is None
    if isinstance(exclude_self, bool | np.bool_):
        if not exclude_self:
            return None
        if n_query != n_index:
            raise ValueError(
                "exclude_self=True needs query rows to be the index rows; got "
                f"{n_query} query rows for {n_index} index rows."
            )
        return np.arange(n_query)
    return np.asarray(exclude_self, dtype=np.int64)


def _sklearn_kneighbors(index, query, k, exclude_self, return_distance):
    """scikit-learn's kNN with the protocol's self exclusion and tie order.

    ``k + margin`` neighbours are asked for, their distances recomputed
    directly (dense data) and sorted by (distance, index), so ties at the k-th
    distance resolve to the smaller index as long as they fit in the margin.
    """
    from scipy import sparse
    from sklearn.neighbors import NearestNeighbors

    n_index = index.shape[0]
    n_query = n_index if query is None else query.shape[0]
    own = _own_rows(exclude_self, query, n_index, n_query)
    extra = 0 if own is None else 1
    if not 1 <= k <= n_index - extra:
        raise ValueError(
            f"Expected 1 <= k <= {n_index - extra} (the points available as neighbours); got k={k}."
        )
    n_request = min(k + extra + max(8, k // 2), n_index)
    q = index if query is None else query
    nn = NearestNeighbors(n_neighbors=n_request).fit(index)
    dist, ind = nn.kneighbors(q)
    if sparse.issparse(index) or sparse.issparse(q):
        d2 = dist * dist
    else:
        index = np.asarray(index)
        if not np.issubdtype(index.dtype, np.floating):
            index = index.astype(np.float64)
        q = np.asarray(q, dtype=index.dtype)
        d2 = _direct_sq_distances_xp(np, index, q, ind)
    if own is not None:
        d2[ind == own[:, None]] = np.inf
    order = _row_lexsort(d2, ind)[:, :k]
    d2 = np.take_along_axis(d2, order, axis=1)
    ind = np.take_along_axis(ind, order, axis=1).astype(np.intp, copy=False)
    return (np.sqrt(d2), ind) if return_distance else ind


def _row_lexsort(primary, secondary):
    order = np.argsort(secondary, axis=1, kind="stable")
    primary = np.take_along_axis(primary, order, axis=1)
    return np.take_along_axis(order, np.argsort(primary, axis=1, kind="stable"), 1)


class CupyEngine(_Engine):
    """Array-API engine: tiled brute-force kNN and k-means in the data's namespace.

    Runs on CuPy (its purpose), and equally on NumPy, ``array_api_strict`` or
    any array-API library. Classifiers are scikit-learn's, run on the host.
    """

    name = "cupy"

    def kneighbors(self, index, query=None, *, k, exclude_self=None, return_distance=True):
        """Exact Euclidean kNN; see :func:`gpuimb._backends.kneighbors`."""
        return _bruteforce_kneighbors(
            index, query, k=k, exclude_self=exclude_self, return_distance=return_distance
        )

    def nearest_neighbors(self, n_neighbors):
        """Unfitted :class:`BruteForceNeighbors`."""
        return BruteForceNeighbors(n_neighbors=n_neighbors)

    def kmeans_estimator(self, n_clusters=8, *, minibatch=False, random_state=None, **params):
        """Unfitted gpuimb :class:`KMeans` or :class:`MiniBatchKMeans`."""
        cls = MiniBatchKMeans if minibatch else KMeans
        if not minibatch:
            params.pop("batch_size", None)
        return cls(n_clusters=n_clusters, random_state=random_state, **params)

    def classifier(self, name, **params):
        """scikit-learn's classifier, moved to the host when data is not NumPy."""
        _check_classifier(name)
        estimator = _sklearn_classifier(name, **params)
        if is_host_namespace(self.xp):
            return estimator
        return HostEstimator(estimator, self.xp, engine=self.name)


class CumlEngine(_Engine):
    """cuML engine for CuPy data.

    Float32 policy: cuML's neighbour search and k-means compute in float32
    (inputs are cast explicitly). :meth:`kneighbors` then re-ranks
    ``k + margin`` cuML candidates with distances computed directly in the
    data's dtype and sorts them by (distance, index); the estimators returned
    by the factories are cuML's own, with cuML's dtype behaviour.
    Mini-batch k-means does not exist in cuML: full k-means is used.
    """

    name = "cuml"

    def kneighbors(self, index, query=None, *, k, exclude_self=None, return_distance=True):
        """Exact Euclidean kNN; see :func:`gpuimb._backends.kneighbors`."""
        from cuml.neighbors import NearestNeighbors

        xp = array_namespace(index)
        n_index = index.shape[0]
        n_query = n_index if query is None else query.shape[0]
        own = _own_rows(exclude_self, query, n_index, n_query)
        extra = 0 if own is None else 1
        if not 1 <= k <= n_index - extra:
            raise ValueError(
                f"Expected 1 <= k <= {n_index - extra} (the points available as "
                f"neighbours); got k={k}."
            )
        if not xp.isdtype(index.dtype, "real floating"):
            index = xp.astype(index, xp.float64)
        q = index if query is None else xp.astype(query, index.dtype)
        n_candidates = min(k + extra + max(8, k // 2), n_index)
        nn = NearestNeighbors(n_neighbors=n_candidates)
        nn.fit(xp.astype(index, xp.float32))
        _, cols = nn.kneighbors(xp.astype(q, xp.float32))
        cols = xp.astype(xp.asarray(cols), xp.int64)
        d2 = _direct_sq_distances_xp(xp, index, q, cols)
        if own is not None:
            own = xp.asarray(own, device=device(index))
            d2 = xp.where(cols == own[:, None], xp.inf, d2)
        d2, cols = lexsort_rows(d2, cols, xp=xp)
        d2, cols = d2[:, :k], cols[:, :k]
        return (xp.sqrt(d2), cols) if return_distance else cols

    def nearest_neighbors(self, n_neighbors):
        """Unfitted ``cuml.neighbors.NearestNeighbors``."""
        from cuml.neighbors import NearestNeighbors

        return NearestNeighbors(n_neighbors=n_neighbors)

    def kmeans_estimator(self, n_clusters=8, *, minibatch=False, random_state=None, **params):
        """Unfitted ``cuml.cluster.KMeans`` (also for ``minibatch=True``)."""
        from cuml.cluster import KMeans as CuKMeans

        params.pop("batch_size", None)
        if params.get("n_init") == "auto":
            params["n_init"] = 1
        return CuKMeans(n_clusters=n_clusters, random_state=random_state, **params)

    def classifier(self, name, **params):
        """Unfitted cuML SVC, RandomForestClassifier or KNeighborsClassifier."""
        _check_classifier(name)
        if name == "svc":
            from cuml.svm import SVC

            return SVC(**params)
        if name == "random_forest":
            from cuml.ensemble import RandomForestClassifier

            return RandomForestClassifier(**params)
        from cuml.neighbors import KNeighborsClassifier

        return KNeighborsClassifier(**params)


def get_engine(xp, *, sparse=False, backend=None):
    """Return the engine that answers kNN, k-means and classifier requests.

    Parameters
    ----------
    xp : module
        Array namespace of the data (NumPy, CuPy, ``array_api_strict``...).
    sparse : bool, default=False
        The data is a SciPy sparse matrix (host engine only).
    backend : {"auto", "sklearn", "cuml", "cupy"}, default=None
        None reads ``get_config()["backend"]``.

    Returns
    -------
    engine : SklearnEngine, CumlEngine or CupyEngine
        Has ``name`` and the methods ``kneighbors``, ``nearest_neighbors``,
        ``kmeans_estimator``, ``kmeans`` and ``classifier``.
    """
    if backend is None:
        backend = get_config()["backend"]
    host = is_host_namespace(xp)
    cupy = is_cupy_namespace(xp)
    if sparse and backend not in ("auto", "sklearn", "cuml"):
        raise ValueError(
            f"backend={backend!r} cannot handle sparse data; use 'sklearn', 'cuml' or 'auto'."
        )
    if backend == "auto":
        if sparse and cupy:
            # cupyx sparse: cuML's brute-force kNN takes it; without cuML the
            # scikit-learn estimators run on a host copy (ctx.adapt moves and logs).
            if module_available("cuml"):
                return CumlEngine(xp)
            return SklearnEngine(np, brute_force="never")
        if host or sparse:
            # Host rule: the scikit-learn engine, whose estimator factories give
            # imbalanced-learn's exact estimators; its kneighbors uses the
            # array-API brute force where that was measured faster at equal
            # exactness (_BRUTE_MIN_FEATURES and _BRUTE_MIN_PAIRS above).
            return SklearnEngine(np, brute_force="never" if sparse else "auto")
        if cupy and module_available("cuml"):
            return CumlEngine(xp)
        return CupyEngine(xp)
    if backend == "sklearn":
        if not (host or sparse):
            raise ValueError(
                "backend='sklearn' is a host engine and needs host data (NumPy "
                f"or SciPy sparse); got arrays of {xp.__name__}. Move the data "
                "to the host or use backend='auto'."
            )
        return SklearnEngine(np)
    if backend == "cuml":
        if not module_available("cuml"):
            raise ImportError(
                f"backend='cuml' needs cuML, which is not importable. Install it "
                f"with {_INSTALL_HINT}."
            )
        if not (cupy or host):
            raise ValueError(f"backend='cuml' needs CuPy or NumPy data; got {xp.__name__}.")
        return CumlEngine(xp)
    if backend == "cupy":
        return CupyEngine(xp)
    raise ValueError(
        f"backend must be one of ('auto', 'sklearn', 'cuml', 'cupy'); got {backend!r}."
    )
