"""The array-API engine: tiled brute-force kNN and k-means in the data's namespace."""

from ..utils._array_api import is_host_namespace
from ._adapt import HostEstimator
from ._base import Engine, check_classifier_name
from ._bruteforce import BruteForceNeighbors, kneighbors
from ._kmeans import KMeans, MiniBatchKMeans
from ._sklearn import sklearn_classifier

__all__ = ["ArrayApiEngine"]


class ArrayApiEngine(Engine):
    """Array-API engine: exact brute-force kNN and k-means written once for any namespace.

    Runs on CuPy (its purpose: GPU data without cuML, or a user asking for
    CuPy's kernels with ``backend="cupy"``), and equally on NumPy,
    ``array_api_strict`` or any array-API library. Classifiers are
    scikit-learn's, run on a host copy of the data (recorded in ``ran`` as
    ``"sklearn-host"`` and logged).
    """

    name = "array_api"
    requires = ("array_api_compat",)
    install_hint = "pip install array-api-compat"

    @classmethod
    def check_data(cls, xp, sparse):
        if sparse:
            raise ValueError(
                "backend='array_api' cannot handle sparse data; use 'sklearn' or 'auto'."
            )

    def _kneighbors(self, index, query, k, exclude_self):
        self._record(self.name)
        return kneighbors(index, query, k=k, exclude_self=exclude_self)

    def nearest_neighbors(self, n_neighbors):
        """Unfitted :class:`BruteForceNeighbors`."""
        self._record(self.name)
        return BruteForceNeighbors(n_neighbors=n_neighbors)

    def kmeans_estimator(self, n_clusters=8, *, minibatch=False, random_state=None, **params):
        """Unfitted gpuimb :class:`KMeans` or :class:`MiniBatchKMeans`."""
        self._record(self.name)
        cls = MiniBatchKMeans if minibatch else KMeans
        if not minibatch:
            params.pop("batch_size", None)
        return cls(n_clusters=n_clusters, random_state=random_state, **params)

    def classifier(self, name, **params):
        """scikit-learn's classifier, on a host copy when data is not NumPy."""
        check_classifier_name(name)
        estimator = sklearn_classifier(name, **params)
        if is_host_namespace(self.xp):
            self._record("sklearn")
            return estimator
        self._record("sklearn-host")
        return HostEstimator(estimator, self.xp, engine=self.name)
