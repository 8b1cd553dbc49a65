"""The dispatch layer: exact kNN, k-means and classifiers on three engines.

This package is the only place in gpuimb that imports scikit-learn's neighbours
and clustering estimators, cuML or CuPy-specific code; cuML and CuPy are only
imported when an engine that needs them runs.

- :func:`get_engine` picks the engine for the data's array namespace.
- :func:`adapt_estimator` makes a user-supplied estimator accept and return
  arrays of the data's namespace.
- :func:`to_host` / :func:`to_namespace` move arrays.
"""

from ._adapt import HostEstimator, adapt_estimator
from ._bruteforce import BruteForceNeighbors, fits_float32, kneighbors
from ._engines import CumlEngine, CupyEngine, SklearnEngine, get_engine
from ._kmeans import KMeans, MiniBatchKMeans, kmeans_plusplus
from ._namespace import to_host, to_namespace
from ._selection import lexsort_rows, smallest_k
from ._tiles import host_blas_single_thread, run_host_tiles

__all__ = [
    "BruteForceNeighbors",
    "CumlEngine",
    "CupyEngine",
    "HostEstimator",
    "KMeans",
    "MiniBatchKMeans",
    "SklearnEngine",
    "adapt_estimator",
    "fits_float32",
    "get_engine",
    "host_blas_single_thread",
    "kmeans_plusplus",
    "kneighbors",
    "lexsort_rows",
    "run_host_tiles",
    "smallest_k",
    "to_host",
    "to_namespace",
]
