"""K-means on any array namespace: k-means++ seeding, Lloyd and mini-batch.

Arithmetic is array-API code (GEMM distances on centred data, one-hot GEMMs for
the centre sums), so the same estimator runs on NumPy, ``array_api_strict`` and
CuPy. Every random draw comes from a host :class:`numpy.random.RandomState`, in
the same order on every namespace, so CPU and GPU runs start identically.
"""

import math
import numbers

import numpy as np
from array_api_compat import array_namespace, device
from sklearn.base import BaseEstimator, ClusterMixin
from sklearn.exceptions import NotFittedError
from sklearn.utils import check_random_state

from ..utils._array_api import to_host
from ._tiles import tile_rows

__all__ = ["KMeans", "MiniBatchKMeans", "kmeans_plusplus", "small_clustering_threads"]

# Below this many row x cluster x feature products (one Lloyd iteration's
# distance work) a host clustering runs on one thread: on a busy 2-core machine
# the OpenMP workers that scikit-learn's KMeans wakes on every iteration made
# ClusterCentroids 2 to 7 times slower on the KEEL sets, up to SATIMAGE's
# 5,809 x 36 rows in 626 clusters (benchmarks/RESULTS.md, "KEEL").
_SINGLE_THREAD_WORK = 2**28


def small_clustering_threads(on_host, shape, n_clusters):
    """Context holding a small host clustering to one BLAS/OpenMP thread.

    ``shape`` is the data's ``(n_rows, n_features)``; ``n_clusters`` may be
    None (then 8, scikit-learn's default). Off the host it does nothing.
    """
    from ._tiles import host_single_thread

    n_rows, n_features = shape
    work = n_rows * (8 if n_clusters is None else int(n_clusters)) * max(n_features, 1)
    return host_single_thread(on_host and work < _SINGLE_THREAD_WORK)


def _sq_distances(X, centers, xp):
    """Squared distances (n, k) between rows of X and centres, clipped at 0."""
    x_norms = xp.sum(X * X, axis=1)
    c_norms = xp.sum(centers * centers, axis=1)
    d2 = x_norms[:, None] - 2 * (X @ xp.matrix_transpose(centers)) + c_norms[None, :]
    return xp.clip(d2, 0, None)


def _assign(X, centers, xp):
    """Nearest centre of every row (ties to the lower label) and its distance."""
    n = X.shape[0]
    rows = tile_rows(4 * max(centers.shape[0], X.shape[1], 1) * (xp.finfo(X.dtype).bits // 8))
    labels, dists = [], []
    for start in range(0, n, rows):
        d2 = _sq_distances(X[start : min(start + rows, n), :], centers, xp)
        lab = xp.argmin(d2, axis=1)
        labels.append(xp.astype(lab, xp.int64))
        dists.append(xp.min(d2, axis=1))
    if len(labels) == 1:
        return labels[0], dists[0]
    return xp.concat(labels, axis=0), xp.concat(dists, axis=0)


def _cluster_sums(X, labels, n_clusters, xp):
    """Per-cluster sums of rows and counts, via one-hot matrix products."""
    dev = device(X)
    ids = xp.arange(n_clusters, dtype=xp.int64, device=dev)
    rows = tile_rows(4 * max(n_clusters, X.shape[1], 1) * (xp.finfo(X.dtype).bits // 8))
    sums = xp.zeros((n_clusters, X.shape[1]), dtype=X.dtype, device=dev)
    counts = xp.zeros((n_clusters,), dtype=X.dtype, device=dev)
    for start in range(0, X.shape[0], rows):
        stop = min(start + rows, X.shape[0])
        onehot = xp.astype(labels[start:stop, None] == ids[None, :], X.dtype)
        sums = sums + xp.matrix_transpose(onehot) @ X[start:stop, :]
        counts = counts + xp.sum(onehot, axis=0)
    return sums, counts


def kmeans_plusplus(X, n_clusters, random_state, n_local_trials=None):
    """Greedy k-means++ seeding.

    Parameters
    ----------
    X : array of shape (n_samples, n_features)
        Data, in any array namespace.
    n_clusters : int
        Number of seeds.
    random_state : numpy.random.RandomState
        Host random state; all draws are taken from it.
    n_local_trials : int, default=None
        Candidates tried per seed; None means ``2 + int(log(n_clusters))``.

    Returns
    -------
    centers : array of shape (n_clusters, n_features)
        The seeds.
    indices : numpy.ndarray of shape (n_clusters,)
        Their rows in ``X``.
    """
    xp = array_namespace(X)
    dev = device(X)
    n = X.shape[0]
    if n_local_trials is None:
        n_local_trials = 2 + int(np.log(n_clusters))
    first = int(random_state.choice(n, p=np.full(n, 1.0 / n)))
    chosen = [first]
    closest = _sq_distances(X, X[first : first + 1, :], xp)[:, 0]
    potential = float(xp.sum(closest))
    for _ in range(1, n_clusters):
        draws = random_state.uniform(size=n_local_trials) * potential
        cumulative = xp.cumulative_sum(xp.astype(closest, xp.float64))
        candidates = xp.searchsorted(cumulative, xp.asarray(draws, dtype=xp.float64, device=dev))
        candidates = xp.clip(xp.astype(candidates, xp.int64), 0, n - 1)
        cand_rows = xp.take(X, candidates, axis=0)
        to_cand = xp.matrix_transpose(_sq_distances(X, cand_rows, xp))
        to_cand = xp.minimum(closest[None, :], to_cand)
        potentials = xp.sum(to_cand, axis=1)
        best = int(xp.argmin(potentials))
        closest = to_cand[best, :]
        potential = float(potentials[best])
        chosen.append(int(candidates[best]))
    indices = np.asarray(chosen, dtype=np.int64)
    rows = xp.take(X, xp.asarray(indices, device=dev), axis=0)
    return rows, indices


def _tolerance(X, tol, xp):
    if tol == 0:
        return 0.0
    return float(xp.mean(xp.var(X, axis=0))) * tol


def _relocate_empty(X, centers, counts, min_dist, xp):
    """Move centres of empty clusters onto the points farthest from theirs."""
    empty = np.flatnonzero(to_host(counts) == 0)
    if empty.size == 0:
        return centers
    far = xp.argsort(min_dist, descending=True, stable=True)[: empty.size]
    new_rows = xp.take(X, far, axis=0)
    ids = xp.arange(centers.shape[0], dtype=xp.int64, device=device(X))
    for pos, cluster in enumerate(empty.tolist()):
        centers = xp.where((ids == cluster)[:, None], new_rows[pos : pos + 1, :], centers)
    return centers


def _lloyd(X, centers, max_iter, tol, xp):
    n_clusters = centers.shape[0]
    labels_old = None
    strict = False
    n_iter = 0
    while n_iter < max_iter:
        n_iter += 1
        labels, min_dist = _assign(X, centers, xp)
        sums, counts = _cluster_sums(X, labels, n_clusters, xp)
        safe = xp.where(counts > 0, counts, xp.ones_like(counts))
        new_centers = xp.where(counts[:, None] > 0, sums / safe[:, None], centers)
        if bool(xp.any(counts == 0)):
            new_centers = _relocate_empty(X, new_centers, counts, min_dist, xp)
        shift = float(xp.sum((new_centers - centers) ** 2))
        centers = new_centers
        if labels_old is not None and bool(xp.all(labels == labels_old)):
            strict = True
            break
        if shift <= tol:
            break
        labels_old = labels
    if not strict:
        labels, min_dist = _assign(X, centers, xp)
    return centers, labels, float(xp.sum(min_dist)), n_iter


def _check_n_init(n_init, init, auto_value):
    if n_init == "auto":
        return 1 if isinstance(init, str) and init == "k-means++" else auto_value
    if not isinstance(n_init, numbers.Integral) or n_init < 1:
        raise ValueError(f"n_init should be > 0, got {n_init!r} instead.")
    return int(n_init)


def _initial_centers(X, n_clusters, init, random_state, xp):
    if isinstance(init, str):
        if init == "k-means++":
            return kmeans_plusplus(X, n_clusters, random_state)[0]
        if init == "random":
            rows = random_state.choice(X.shape[0], size=n_clusters, replace=False)
            return xp.take(X, xp.asarray(rows, device=device(X)), axis=0)
        raise ValueError(f"init should be 'k-means++', 'random' or an array; got {init!r}.")
    return xp.asarray(init, dtype=X.dtype, device=device(X))


class _KMeansBase(ClusterMixin, BaseEstimator):
    def _prepare(self, X):
        xp = array_namespace(X)
        if not xp.isdtype(X.dtype, "real floating"):
            X = xp.astype(X, xp.float64)
        if X.shape[0] < self.n_clusters:
            raise ValueError(f"n_samples={X.shape[0]} should be >= n_clusters={self.n_clusters}.")
        # Centring keeps the expanded-form distances accurate for offset data.
        mean = xp.mean(X, axis=0)
        return xp, X - mean, mean

    def _init_arg(self, xp, mean, dtype):
        if isinstance(self.init, str):
            return self.init
        return xp.asarray(self.init, dtype=dtype, device=device(mean)) - mean

    def predict(self, X):
        """Return the index of the nearest centre of each row.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            New data.

        Returns
        -------
        labels : array of shape (n_samples,)
            int64 labels in the namespace of ``X``.
        """
        if not hasattr(self, "cluster_centers_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet.")
        xp = array_namespace(X)
        centers = self.cluster_centers_
        if not xp.isdtype(X.dtype, "real floating"):
            X = xp.astype(X, centers.dtype)
        mean = xp.mean(centers, axis=0)
        return _assign(X - mean, centers - mean, xp)[0]

    def fit_predict(self, X, y=None):
        """Fit and return the labels of the training rows.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        labels : array of shape (n_samples,)
        """
        return self.fit(X).labels_


class KMeans(_KMeansBase):
    """K-means (k-means++ seeding, Lloyd iterations) on any array namespace.

    Mirrors :class:`sklearn.cluster.KMeans` (dense data, no sample weights).

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {"k-means++", "random"} or array of shape (n_clusters, n_features), \
            default="k-means++"
        Seeding method, or the initial centres.
    n_init : "auto" or int, default="auto"
        Number of seedings; the run with the lowest inertia wins. "auto" is 1
        for k-means++ and 10 otherwise.
    max_iter : int, default=300
        Maximum Lloyd iterations per run.
    tol : float, default=1e-4
        Convergence tolerance on the squared centre shift, relative to the
        mean feature variance.
    random_state : int, RandomState instance or None, default=None
        Source of every random draw (taken on the host).

    Attributes
    ----------
    cluster_centers_ : array of shape (n_clusters, n_features)
    labels_ : array of shape (n_samples,)
    inertia_ : float
    n_iter_ : int
    n_features_in_ : int
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        n_init="auto",
        max_iter=300,
        tol=1e-4,
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.n_init = n_init
        self.max_iter = max_iter
        self.tol = tol
        self.random_state = random_state

    def fit(self, X, y=None):
        """Compute the clustering.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Training data (NumPy, CuPy or any array-API array).
        y : None
            Ignored.

        Returns
        -------
        self : KMeans
        """
        xp, Xc, mean = self._prepare(X)
        random_state = check_random_state(self.random_state)
        n_init = _check_n_init(self.n_init, self.init, 10)
        init = self._init_arg(xp, mean, Xc.dtype)
        tol = _tolerance(Xc, self.tol, xp)
        best = None
        for _ in range(n_init):
            centers = _initial_centers(Xc, self.n_clusters, init, random_state, xp)
            result = _lloyd(Xc, centers, self.max_iter, tol, xp)
            if best is None or result[2] < best[2]:
                best = result
        centers, labels, inertia, n_iter = best
        self.cluster_centers_ = centers + mean
        self.labels_ = labels
        self.inertia_ = inertia
        self.n_iter_ = n_iter
        self.n_features_in_ = X.shape[1]
        return self


class MiniBatchKMeans(_KMeansBase):
    """Mini-batch k-means on any array namespace.

    Seeds with k-means++ on a random subset, then updates the centres from
    random batches with per-centre learning rates ``1 / count``. Unlike
    :class:`sklearn.cluster.MiniBatchKMeans` it does not reassign rarely hit
    centres, so its results differ from scikit-learn's in detail.

    Parameters
    ----------
    n_clusters : int, default=8
        Number of clusters.
    init : {"k-means++", "random"} or array, default="k-means++"
        Seeding method, or the initial centres.
    max_iter : int, default=100
        Maximum passes over the data (in batches).
    batch_size : int, default=1024
        Rows per batch.
    tol : float, default=0.0
        Stop when the squared centre shift of a batch, relative to the mean
        feature variance, is at most this; 0 disables the test.
    max_no_improvement : int or None, default=10
        Stop after this many batches without improvement of the smoothed batch
        inertia; None disables the test.
    init_size : int, default=None
        Rows used for seeding; None means ``3 * batch_size``.
    n_init : "auto" or int, default="auto"
        Seedings tried on the seeding subset; "auto" is 1 for k-means++ and 3
        otherwise.
    random_state : int, RandomState instance or None, default=None
        Source of every random draw (taken on the host).

    Attributes
    ----------
    cluster_centers_ : array of shape (n_clusters, n_features)
    labels_ : array of shape (n_samples,)
    inertia_ : float
    n_iter_ : int
    n_steps_ : int
    n_features_in_ : int
    """

    def __init__(
        self,
        n_clusters=8,
        *,
        init="k-means++",
        max_iter=100,
        batch_size=1024,
        tol=0.0,
        max_no_improvement=10,
        init_size=None,
        n_init="auto",
        random_state=None,
    ):
        self.n_clusters = n_clusters
        self.init = init
        self.max_iter = max_iter
        self.batch_size = batch_size
        self.tol = tol
        self.max_no_improvement = max_no_improvement
        self.init_size = init_size
        self.n_init = n_init
        self.random_state = random_state

    def fit(self, X, y=None):
        """Compute the clustering by mini-batches.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Training data.
        y : None
            Ignored.

        Returns
        -------
        self : MiniBatchKMeans
        """
        xp, Xc, mean = self._prepare(X)
        dev = device(Xc)
        n = Xc.shape[0]
        random_state = check_random_state(self.random_state)
        batch_size = min(int(self.batch_size), n)
        init_size = self.init_size if self.init_size is not None else 3 * batch_size
        init_size = min(max(int(init_size), self.n_clusters), n)
        n_init = _check_n_init(self.n_init, self.init, 3)
        init = self._init_arg(xp, mean, Xc.dtype)
        tol = _tolerance(Xc, self.tol, xp)

        subset = random_state.randint(0, n, init_size)
        X_init = xp.take(Xc, xp.asarray(subset, device=dev), axis=0)
        best = None
        for _ in range(n_init):
            centers = _initial_centers(X_init, self.n_clusters, init, random_state, xp)
            inertia = float(xp.sum(_assign(X_init, centers, xp)[1]))
            if best is None or inertia < best[1]:
                best = (centers, inertia)
        centers = best[0]

        counts = xp.zeros((self.n_clusters,), dtype=Xc.dtype, device=dev)
        steps_per_epoch = math.ceil(n / batch_size)
        n_steps = int(self.max_iter) * steps_per_epoch
        smoothed = best_smoothed = None
        no_improvement = 0
        alpha = min(1.0, 2.0 * batch_size / (n + 1))
        step = 0
        while step < n_steps:
            step += 1
            rows = random_state.randint(0, n, batch_size)
            batch = xp.take(Xc, xp.asarray(rows, device=dev), axis=0)
            labels, min_dist = _assign(batch, centers, xp)
            sums, batch_counts = _cluster_sums(batch, labels, self.n_clusters, xp)
            counts = counts + batch_counts
            safe = xp.where(counts > 0, counts, xp.ones_like(counts))
            hit = batch_counts[:, None] > 0
            new_centers = xp.where(
                hit,
                centers + (sums - batch_counts[:, None] * centers) / safe[:, None],
                centers,
            )
            shift = float(xp.sum((new_centers - centers) ** 2))
            centers = new_centers
            batch_inertia = float(xp.sum(min_dist)) / batch_size
            smoothed = (
                batch_inertia
                if smoothed is None
                else smoothed * (1 - alpha) + batch_inertia * alpha
            )
            if tol > 0 and shift <= tol:
                break
            if best_smoothed is None or smoothed < best_smoothed:
                best_smoothed = smoothed
                no_improvement = 0
            else:
                no_improvement += 1
            if self.max_no_improvement is not None and no_improvement >= self.max_no_improvement:
                break
        labels, min_dist = _assign(Xc, centers, xp)
        self.cluster_centers_ = centers + mean
        self.labels_ = labels
        self.inertia_ = float(xp.sum(min_dist))
        self.n_steps_ = step
        self.n_iter_ = math.ceil(step / steps_per_epoch)
        self.n_features_in_ = X.shape[1]
        return self
