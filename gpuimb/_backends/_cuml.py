"""The cuML engine: cuML's estimators on CuPy data.

Every cuML estimator is built with ``output_type="cupy"``, so a global
``cuml.set_global_output_type("cudf")`` cannot change what gpuimb receives;
keywords that only mean something on the host (``n_jobs``) are dropped: cuML's
RandomForestClassifier refuses ``n_jobs`` (in 25.10 through its ``**kwargs``),
as the cuML signature snapshot (``tests/backends/``) shows. Work runs inside the
data's CUDA device context.
"""

import importlib
import inspect

from ..utils._array_api import device_scope, is_cupy_namespace
from ._base import (
    INSTALL_HINT,
    Engine,
    KnnRequest,
    certified_kneighbors,
    check_classifier_name,
    power_of_two_scale,
)

__all__ = ["CumlEngine", "cuml_estimator"]

# Keywords that tune host parallelism: meaningless on a GPU, and refused by
# some cuML classes (RandomForestClassifier >= 25.08).
_HOST_ONLY_KEYWORDS = ("n_jobs",)

_CLASSIFIER_PATHS = {
    "svc": ("cuml.svm", "SVC"),
    "random_forest": ("cuml.ensemble", "RandomForestClassifier"),
    "kneighbors": ("cuml.neighbors", "KNeighborsClassifier"),
}


def _accepts(cls, keyword):
    params = inspect.signature(cls.__init__).parameters
    return keyword in params or any(
        p.kind is inspect.Parameter.VAR_KEYWORD for p in params.values()
    )


def cuml_estimator(module, name, **params):
    """Build cuML's ``module.name`` with ``output_type="cupy"``.

    Host-only keywords are dropped; any other unknown keyword raises cuML's
    own TypeError.
    """
    cls = getattr(importlib.import_module(module), name)
    for keyword in _HOST_ONLY_KEYWORDS:
        params.pop(keyword, None)
    if _accepts(cls, "output_type"):
        params.setdefault("output_type", "cupy")
    return cls(**params)


class CumlEngine(Engine):
    """cuML engine for CuPy data.

    Float32 policy: cuML's neighbour search and k-means compute in float32.
    :meth:`kneighbors` centres the data, searches in float32 with cuML, then
    re-ranks the candidates with distances computed directly in the data's
    dtype, sorts them by (distance, index) and certifies each row against
    float32 rounding, asking again with more candidates for rows it cannot
    prove: the result is exact, as on every engine. The estimators returned by
    the factories are cuML's own, with cuML's dtype behaviour. Mini-batch
    k-means does not exist in cuML: full k-means is used.
    """

    name = "cuml"
    requires = ("cuml", "cupy")
    install_hint = INSTALL_HINT

    @classmethod
    def check_data(cls, xp, sparse):
        if sparse:
            raise ValueError(
                "backend='cuml' does not take sparse data here: gpuimb moves cupyx "
                "sparse input to the host once. Use backend='auto' or 'sklearn'."
            )
        if not is_cupy_namespace(xp):
            raise ValueError(
                f"backend='cuml' runs on CuPy arrays; got arrays of {xp.__name__}. "
                "Move the data to the GPU (cupy.asarray, cudf) or use backend='auto'."
            )

    def _kneighbors(self, index, query, k, exclude_self):
        self._record(self.name)
        with device_scope(index):
            return self._search(self.xp, index, query, k, exclude_self)

    def _search(self, xp, index, query, k, exclude_self):
        if not xp.isdtype(index.dtype, "real floating"):
            index = xp.astype(index, xp.float64)
        if query is not None and query.dtype != index.dtype:
            query = xp.astype(query, index.dtype)
        scale = power_of_two_scale(xp, index, index if query is None else query)
        if scale != 1.0:  # exact: see power_of_two_scale
            index = index * scale
            query = None if query is None else query * scale
        request = KnnRequest(xp, index, query, k, exclude_self)
        request.centre = xp.mean(index, axis=0)
        search_index = xp.astype(index - request.centre, xp.float32)
        search_query = (
            search_index if query is None
            else xp.astype(request.query - request.centre, xp.float32)
        )
        nn = cuml_estimator("cuml.neighbors", "NearestNeighbors")
        nn.fit(search_index)

        def screen(rows, n):
            dist, cols = nn.kneighbors(xp.take(search_query, rows, axis=0), n_neighbors=n)
            dist = xp.astype(xp.asarray(dist), index.dtype)
            return dist * dist, xp.asarray(cols)

        eps = float(xp.finfo(xp.float32).eps)
        d2, cols = certified_kneighbors(request, screen, eps=eps)
        return xp.sqrt(d2) / scale, cols

    def nearest_neighbors(self, n_neighbors):
        """Unfitted ``cuml.neighbors.NearestNeighbors``."""
        self._record(self.name)
        return cuml_estimator("cuml.neighbors", "NearestNeighbors", n_neighbors=n_neighbors)

    def kmeans_estimator(self, n_clusters=8, *, minibatch=False, random_state=None, **params):
        """Unfitted ``cuml.cluster.KMeans`` (also for ``minibatch=True``)."""
        self._record(self.name)
        params.pop("batch_size", None)
        if params.get("n_init") == "auto":
            # scikit-learn's "auto" is one run for k-means++ seeding.
            params["n_init"] = 1
        return cuml_estimator(
            "cuml.cluster", "KMeans", n_clusters=n_clusters, random_state=random_state, **params
        )

    def classifier(self, name, **params):
        """Unfitted cuML SVC, RandomForestClassifier or KNeighborsClassifier."""
        check_classifier_name(name)
        self._record(self.name)
        module, cls = _CLASSIFIER_PATHS[name]
        return cuml_estimator(module, cls, **params)
