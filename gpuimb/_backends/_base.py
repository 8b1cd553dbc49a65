"""The engine contract and the kNN rules every engine shares.

An engine answers three kinds of request for the samplers: exact k-nearest
neighbours (:meth:`Engine.kneighbors`), k-means (:meth:`Engine.kmeans_estimator`)
and the few classifiers samplers train (:meth:`Engine.classifier`). Engines are
listed by name in :mod:`gpuimb._backends._registry`, which the configuration's
backend list, :func:`~gpuimb._backends.get_engine` and the error messages read.

The rules written here once, for every engine:

- argument checks of a kNN request and self exclusion (:class:`KnnRequest`),
  and scikit-learn's error for too few points (:func:`kneighbors_error`);
- the candidate margin asked for beyond ``k`` (:func:`candidate_margin`);
- the tie order: neighbours sorted by (distance, index) of directly computed
  squared distances (:func:`~gpuimb._backends._selection.lexsort_rows`);
- the guarantee: an engine whose search is approximate (scikit-learn's trees
  and brute force, cuML's float32 search) re-ranks its candidates with direct
  distances and proves each row exact with a rounding-error certificate, asking
  again with more candidates for the rows it cannot prove
  (:func:`certified_kneighbors`).
"""

import math
from abc import ABC, abstractmethod

import numpy as np
from array_api_compat import device

from ..utils._array_api import module_available, to_namespace
from ._selection import lexsort_rows
from ._tiles import tile_rows, working_memory_bytes

__all__ = [
    "CLASSIFIERS",
    "Engine",
    "KnnRequest",
    "candidate_margin",
    "certified_kneighbors",
    "check_classifier_name",
    "direct_sq_distances",
    "kneighbors_error",
    "power_of_two_scale",
]

CLASSIFIERS = ("svc", "random_forest", "kneighbors")

INSTALL_HINT = 'pip install "gpuimb[cuda12]" (CUDA 12) or pip install "gpuimb[cuda13]" (CUDA 13)'


def candidate_margin(k):
    """How many candidates beyond ``k`` an approximate search is asked for.

    A row whose ties at the k-th distance spill past the margin is not lost:
    the certificate fails and the row is searched again with more candidates.
    """
    return max(4, k // 2)


def kneighbors_error(n_neighbors, n_samples_fit, n_samples, *, query_is_fit=False):
    """The ValueError for a kNN query that asks for more neighbours than exist.

    Worded as scikit-learn's ``kneighbors`` words it (imbalanced-learn's
    samplers pass that message on), so gpuimb's engines, samplers and Dask
    functions all raise the same text. The caller decides when to raise it:
    ``n_neighbors > n_samples_fit``, or with ``query_is_fit`` (the query is the
    fitted data, whose own rows do not count) ``n_neighbors >= n_samples_fit``.

    Examples
    --------
    >>> str(kneighbors_error(6, 5, 5))
    'Expected n_neighbors <= n_samples_fit, but n_neighbors = 6, n_samples_fit = 5, n_samples = 5'
    """
    relation = "<" if query_is_fit else "<="
    return ValueError(
        f"Expected n_neighbors {relation} n_samples_fit, but n_neighbors = {n_neighbors}, "
        f"n_samples_fit = {n_samples_fit}, n_samples = {n_samples}"
    )


class KnnRequest:
    """One validated kNN request: ``k`` neighbours of ``query`` rows in ``index``.

    Parameters
    ----------
    xp : module
        Namespace of ``index``.
    index : array or sparse matrix of shape (n_index, n_features)
        Points searched.
    query : array or sparse matrix of shape (n_query, n_features) or None
        None means ``index`` itself.
    k : int
        Number of neighbours.
    exclude_self : bool, array of int of shape (n_query,) or None
        Each query row's own index row is never its neighbour. None means
        True when ``query`` is None; True means query row ``i`` is index row
        ``i``; an integer array gives each query row's own index row (on any
        device: it is moved next to ``index``). Duplicates of a row are other
        samples and stay eligible.

    Attributes
    ----------
    own : array of int64 of shape (n_query,) or None
        Each query row's own index row, in ``xp`` on the device of ``index``.
    n_available : int
        Index rows a query row may choose from.
    """

    def __init__(self, xp, index, query, k, exclude_self):
        if index.ndim != 2:
            raise ValueError(f"index must be 2-D; got shape {index.shape}.")
        if query is None:
            query = index
            if exclude_self is None:
                exclude_self = True
        else:
            if query.ndim != 2 or query.shape[1] != index.shape[1]:
                raise ValueError(
                    f"query must be 2-D with {index.shape[1]} features; got shape "
                    f"{query.shape}."
                )
            if exclude_self is None:
                exclude_self = False
        self.xp = xp
        self.index = index
        self.query = query
        self.n_index = int(index.shape[0])
        self.n_query = int(query.shape[0])
        self.own = self._own_rows(exclude_self)
        self.n_available = self.n_index - (0 if self.own is None else 1)
        k = int(k)
        if not 1 <= k <= self.n_available:
            raise ValueError(
                f"Expected 1 <= k <= {self.n_available} (the points available as "
                f"neighbours); got k={k}."
            )
        self.k = k
        # Set by engines that screen centred data (see certified_kneighbors).
        self.centre = None

    def _own_rows(self, exclude_self):
        xp = self.xp
        dev = _device_of(self.index)
        if isinstance(exclude_self, bool | np.bool_):
            if not exclude_self:
                return None
            if self.n_query != self.n_index:
                raise ValueError(
                    "exclude_self=True needs query rows to be the index rows; got "
                    f"{self.n_query} query rows for {self.n_index} index rows. Pass "
                    "the index row of each query row instead."
                )
            return xp.arange(self.n_query, dtype=xp.int64, device=dev)
        own = xp.astype(to_namespace(exclude_self, xp, device=dev), xp.int64)
        if own.shape != (self.n_query,):
            raise ValueError(
                f"exclude_self must have shape ({self.n_query},); got {own.shape}."
            )
        return own


def _device_of(array):
    try:
        return device(array)
    except (TypeError, NotImplementedError, AttributeError):
        return None  # SciPy sparse: host data (device sparse never reaches an engine)


def direct_sq_distances(xp, index, query, cols, working_memory=None):
    """Squared distances from each query row to the index rows ``cols``.

    Computed as sums of squared differences (no cancellation), in row tiles
    that keep the gathered ``(rows, n_cols, n_features)`` block under
    ``working_memory`` MiB (None reads the configuration).
    """
    n_rows, n_cols = cols.shape
    n_features = index.shape[1]
    itemsize = xp.finfo(index.dtype).bits // 8
    step = tile_rows(2 * n_cols * n_features * itemsize, working_memory_bytes(working_memory))
    parts = []
    for start in range(0, n_rows, step):
        stop = min(start + step, n_rows)
        block = cols[start:stop, :]
        rows = xp.take(index, xp.reshape(block, (-1,)), axis=0)
        rows = xp.reshape(rows, (stop - start, n_cols, n_features))
        if isinstance(rows, np.ndarray):
            # The same operations in place on the gathered copy: the same
            # values, without two more blocks of its size (3-4x faster).
            np.subtract(rows, query[start:stop, None, :], out=rows)
            np.square(rows, out=rows)
            parts.append(rows.sum(axis=2))
            continue
        diff = rows - query[start:stop, None, :]
        parts.append(xp.sum(diff * diff, axis=2))
    if len(parts) == 1:
        return parts[0]
    if not parts:
        return xp.zeros((0, n_cols), dtype=index.dtype, device=_device_of(index))
    return xp.concat(parts, axis=0)


def power_of_two_scale(xp, index, query):
    """1.0, or the power of two bringing the largest |value| near 1 when
    squared distances of the data would overflow or lose precision to
    underflow in its dtype."""
    if index.shape[0] == 0 or index.shape[1] == 0:
        return 1.0
    biggest = float(xp.max(xp.abs(index)))
    if query is not index and query.shape[0]:
        biggest = max(biggest, float(xp.max(xp.abs(query))))
    if biggest == 0 or not math.isfinite(biggest):
        return 1.0
    finfo = xp.finfo(index.dtype)
    exponent = math.frexp(biggest)[1]  # biggest < 2**exponent
    e_max = math.frexp(float(finfo.max))[1]
    e_min = math.frexp(float(finfo.smallest_normal))[1]
    mantissa = -math.frexp(float(finfo.eps))[1] + 1
    # |x - q|^2 <= n_features * (2 * biggest)^2 < 2**(2 * exponent + n_bits)
    n_bits = (4 * index.shape[1]).bit_length()
    # Differences are multiples of ulp(biggest); their squares must stay normal.
    if 2 * exponent + n_bits + 2 < e_max and 2 * (exponent - mantissa) > e_min:
        return 1.0
    return 2.0 ** min(-exponent, e_max - 2)


def certified_kneighbors(request, screen, *, eps, direct=True, error="expanded", margin=None):
    """Exact (distance, index)-ordered kNN from an approximate candidate search.

    Parameters
    ----------
    request : KnnRequest
        The validated request; its dense ``index``/``query`` are floating.
    screen : callable
        ``screen(rows, n) -> (approx_sq, cols)``: for the query rows at the
        integer positions ``rows`` (an ``xp`` array), the ``n`` nearest index
        rows by the search's own (approximate) squared distances, ascending,
        on the centred data.
    eps : float
        Relative rounding error of the search's arithmetic (its dtype's
        machine epsilon).
    direct : bool, default=True
        Recompute the candidates' distances directly from the rows (dense
        data). False takes the search's distances as exact (sparse data) and
        only guards ties at the candidate boundary.
    error : {"expanded", "relative"}, default="expanded"
        How the search rounds its distances. ``"expanded"``: the expanded
        form ``|q|^2 - 2 q.x + |x|^2`` on data centred on ``request.centre``,
        whose error grows with the centred norms. ``"relative"``: sums of
        squared differences (a tree's distances), whose error is a small
        multiple of the distance itself.
    margin : int, default=None
        Candidates asked for beyond ``k`` at first; None means
        :func:`candidate_margin`.

    Returns
    -------
    d2 : array of shape (n_query, k)
        Squared distances, increasing.
    cols : array of shape (n_query, k)
        int64 index rows in (distance, index) order.

    Notes
    -----
    A row is exact when the largest candidate's screened distance exceeds the
    k-th re-ranked distance by more than the expanded form's error bound: no
    other point can then be nearer (or tie at a smaller index). Rows that fail
    are screened again with four times the candidates; a search over every
    available row is exact by construction.
    """
    xp = request.xp
    k, n_avail = request.k, request.n_available
    extra = 0 if request.own is None else 1
    dev = _device_of(request.index)
    pending = xp.arange(request.n_query, dtype=xp.int64, device=dev)
    if margin is None:
        margin = candidate_margin(k)
    n_cand = min(k + margin, n_avail)
    done_rows, done_d2, done_cols = [], [], []
    centred_norms = None
    while pending.shape[0]:
        n_request = min(n_cand + extra, request.n_index)
        approx, cols = screen(pending, n_request)
        cols = xp.astype(cols, xp.int64)
        query = xp.take(request.query, pending, axis=0) if direct else None
        if direct:
            d2 = direct_sq_distances(xp, request.index, query, cols)
        else:
            d2 = xp.astype(approx, xp.float64)
        if request.own is not None:
            own = xp.take(request.own, pending, axis=0)
            d2 = xp.where(cols == own[:, None], xp.inf, d2)
        d2, cols = lexsort_rows(d2, cols, xp=xp)
        d2, cols = d2[:, :k], cols[:, :k]
        if n_request >= request.n_index:
            certified = xp.ones(pending.shape, dtype=xp.bool, device=dev)
        else:
            kth = d2[:, k - 1]
            threshold = xp.astype(xp.max(approx, axis=1), d2.dtype)
            n_features = request.index.shape[1]
            if direct and error == "relative":
                # Both sides are sums of squared differences: each is within
                # (n_features + 4) eps of the true value, relatively.
                certified = threshold > kth + (4 * n_features + 16) * eps * kth
            elif direct:
                if centred_norms is None:
                    centred_norms = _centred_query_norms(request)
                q_norms = xp.take(centred_norms, pending, axis=0)
                reach = xp.sqrt(q_norms) + xp.sqrt(kth)
                bound = (4 * n_features + 16) * eps * (q_norms + reach * reach + kth)
                certified = threshold > kth + bound
            else:
                certified = threshold > kth
        kept = xp.nonzero(certified)[0]
        done_rows.append(xp.take(pending, kept, axis=0))
        done_d2.append(xp.take(d2, kept, axis=0))
        done_cols.append(xp.take(cols, kept, axis=0))
        pending = xp.take(pending, xp.nonzero(~certified)[0], axis=0)
        n_cand = min(4 * n_cand, n_avail)
    if not done_rows:  # no query rows
        dtype = request.index.dtype if direct else xp.float64
        return (xp.zeros((0, k), dtype=dtype, device=dev),
                xp.zeros((0, k), dtype=xp.int64, device=dev))
    if len(done_rows) == 1:
        return done_d2[0], done_cols[0]
    order = xp.argsort(xp.concat(done_rows, axis=0))
    d2 = xp.take(xp.concat(done_d2, axis=0), order, axis=0)
    cols = xp.take(xp.concat(done_cols, axis=0), order, axis=0)
    return d2, cols


def _centred_query_norms(request):
    # The screen searched data centred on ``request.centre``: its rounding
    # error scales with the centred norms.
    xp = request.xp
    centred = request.query - request.centre
    return xp.sum(centred * centred, axis=1)


class Engine(ABC):
    """What every engine answers; each subclass is listed in the registry.

    Class attributes
    ----------------
    name : str
        Registry key, the value of ``backend=`` that selects the engine.
    requires : tuple of str
        Modules that must be importable for the engine to run.
    install_hint : str or None
        How to install them, for the error message.
    accepts_sparse : bool
        Whether :meth:`kneighbors` takes SciPy sparse matrices.

    Parameters
    ----------
    xp : module
        Array namespace of the data the engine will see.
    """

    name = None
    requires = ()
    install_hint = None
    # Whether kneighbors takes SciPy sparse matrices.
    accepts_sparse = False

    def __init__(self, xp):
        self.xp = xp
        # What actually answered the requests, in order of first use
        # (an engine may hand a request to another kernel or to the host).
        self.ran = []

    def __repr__(self):
        return f"<gpuimb engine {self.name!r} on {getattr(self.xp, '__name__', self.xp)}>"

    def _record(self, label):
        if label not in self.ran:
            self.ran.append(label)

    @classmethod
    def available(cls):
        """True when every module the engine needs is importable."""
        return all(module_available(name) for name in cls.requires)

    @classmethod
    def check_available(cls):
        """Raise ImportError naming the package to install when unavailable."""
        missing = [name for name in cls.requires if not module_available(name)]
        if missing:
            raise ImportError(
                f"backend={cls.name!r} needs {', '.join(missing)}, which is not "
                f"importable. Install it with {cls.install_hint}."
            )

    @classmethod
    @abstractmethod
    def check_data(cls, xp, sparse):
        """Raise ValueError when the engine cannot run on such data."""

    def kneighbors(self, index, query=None, *, k, exclude_self=None, return_distance=True):
        """Exact Euclidean k-nearest neighbours in (distance, index) order.

        Parameters
        ----------
        index : array or sparse matrix of shape (n_index, n_features)
            Points searched.
        query : array or sparse matrix of shape (n_query, n_features), default=None
            Points whose neighbours are wanted; None means ``index``.
        k : int
            Number of neighbours.
        exclude_self : bool or array of int of shape (n_query,), default=None
            See :class:`KnnRequest`.
        return_distance : bool, default=True
            Return the distances as well.

        Returns
        -------
        distances : array of shape (n_query, k)
            Euclidean distances, increasing. Only when ``return_distance``.
        indices : array of shape (n_query, k)
            int64 index rows, ties broken by the smaller index.
        """
        dist, cols = self._kneighbors(index, query, k, exclude_self)
        return (dist, cols) if return_distance else cols

    @abstractmethod
    def _kneighbors(self, index, query, k, exclude_self):
        """Return ``(distances, indices)`` of an exact kNN request."""

    @abstractmethod
    def nearest_neighbors(self, n_neighbors):
        """Unfitted neighbours estimator with ``fit`` and ``kneighbors``."""

    @abstractmethod
    def kmeans_estimator(self, n_clusters=8, *, minibatch=False, random_state=None, **params):
        """Unfitted k-means estimator (``fit``, ``predict``, ``cluster_centers_``)."""

    @abstractmethod
    def classifier(self, name, **params):
        """Unfitted classifier ``name`` (one of :data:`CLASSIFIERS`)."""


def check_classifier_name(name):
    """Raise ValueError for a classifier name no engine provides."""
    if name not in CLASSIFIERS:
        raise ValueError(f"classifier name must be one of {CLASSIFIERS}; got {name!r}.")
