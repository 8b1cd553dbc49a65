"""Make any estimator accept and return arrays of the data's namespace."""

import logging

from array_api_compat import device
from sklearn.base import clone

from ..utils._array_api import is_cupy_namespace, is_host_namespace, to_host, to_namespace

logger = logging.getLogger("gpuimb")

__all__ = ["HostEstimator", "adapt_estimator"]

# Fitted attributes that are arrays with one entry per sample or cluster; they
# come back in the data's namespace. Other attributes are passed through as is.
_ARRAY_ATTRIBUTES = ("cluster_centers_", "labels_")


def _is_cuml(estimator):
    return type(estimator).__module__.split(".", 1)[0] == "cuml"


def _is_namespace_generic(estimator):
    # gpuimb's own estimators work in whatever namespace they are given.
    from ._bruteforce import BruteForceNeighbors
    from ._kmeans import KMeans, MiniBatchKMeans

    return isinstance(estimator, BruteForceNeighbors | KMeans | MiniBatchKMeans | HostEstimator)


def adapt_estimator(estimator, xp):
    """Return ``estimator`` usable with arrays of namespace ``xp``.

    Parameters
    ----------
    estimator : object
        A scikit-learn, cuML, gpuimb or duck-typed estimator (``kneighbors``,
        ``fit``/``predict``, ``cluster_centers_``...). None is returned as is.
    xp : module
        Namespace of the data the estimator will see.

    Returns
    -------
    estimator : object
        ``estimator`` itself when it already accepts such arrays (NumPy data,
        cuML with CuPy data, gpuimb's namespace-generic estimators); otherwise
        a :class:`HostEstimator` that moves inputs to the host and results back.
    """
    if estimator is None or is_host_namespace(xp):
        return estimator
    if _is_namespace_generic(estimator):
        return estimator
    if is_cupy_namespace(xp) and _is_cuml(estimator):
        return estimator
    return HostEstimator(estimator, xp)


class HostEstimator:
    """Run a host (NumPy) estimator on device data, moving arrays explicitly.

    Inputs of ``fit``, ``kneighbors``, ``predict``... are copied to the host;
    array results, ``cluster_centers_`` and ``labels_`` are copied back to the
    namespace and device of the data seen by ``fit``. Every other attribute is
    the wrapped estimator's. One INFO line on the ``gpuimb`` logger says so.

    Parameters
    ----------
    estimator : object
        The host estimator.
    xp : module
        Namespace of the caller's arrays.
    engine : str, default="array_api"
        Name of the engine that asked, for the log line.
    """

    def __init__(self, estimator, xp, engine="array_api"):
        self.estimator = estimator
        self.xp = xp
        self.engine = engine
        self._device = None
        self._logged = False

    def __repr__(self):
        return f"HostEstimator({self.estimator!r})"

    def _in(self, array):
        if array is None:
            return None
        if self._device is None and hasattr(array, "shape"):
            try:
                self._device = device(array)
            except TypeError:
                pass
        if not self._logged:
            logger.info(
                "gpuimb: engine %r ran %s on the host; data moved to the host and results back.",
                self.engine,
                type(self.estimator).__name__,
            )
            self._logged = True
        return to_host(array) if hasattr(array, "shape") else array

    def _out(self, result):
        if isinstance(result, tuple):
            return tuple(self._out(r) for r in result)
        if hasattr(result, "shape") and hasattr(result, "dtype"):
            return to_namespace(result, self.xp, device=self._device)
        return result

    def fit(self, X, y=None, **fit_params):
        """Fit the wrapped estimator on host copies; return self."""
        self.estimator.fit(self._in(X), self._in(y), **fit_params)
        return self

    def kneighbors(self, X=None, n_neighbors=None, return_distance=True):
        """Wrapped ``kneighbors``, results in the data's namespace."""
        return self._out(
            self.estimator.kneighbors(
                self._in(X), n_neighbors=n_neighbors, return_distance=return_distance
            )
        )

    def predict(self, X):
        """Wrapped ``predict``, results in the data's namespace."""
        return self._out(self.estimator.predict(self._in(X)))

    def predict_proba(self, X):
        """Wrapped ``predict_proba``, results in the data's namespace."""
        return self._out(self.estimator.predict_proba(self._in(X)))

    def decision_function(self, X):
        """Wrapped ``decision_function``, results in the data's namespace."""
        return self._out(self.estimator.decision_function(self._in(X)))

    def fit_predict(self, X, y=None):
        """Wrapped ``fit_predict``, results in the data's namespace."""
        return self._out(self.estimator.fit_predict(self._in(X), self._in(y)))

    def transform(self, X):
        """Wrapped ``transform``, results in the data's namespace."""
        return self._out(self.estimator.transform(self._in(X)))

    def get_params(self, deep=True):
        """The wrapped estimator's parameters."""
        return self.estimator.get_params(deep=deep)

    def set_params(self, **params):
        """Set the wrapped estimator's parameters; return self."""
        self.estimator.set_params(**params)
        return self

    def __sklearn_clone__(self):
        return HostEstimator(clone(self.estimator), self.xp, self.engine)

    def __getattr__(self, name):
        if name.startswith("__") or name in ("estimator", "xp", "engine"):
            raise AttributeError(name)
        value = getattr(self.estimator, name)
        if name in _ARRAY_ATTRIBUTES:
            return self._out(value)
        return value
