"""The dispatch layer: exact kNN, k-means and classifiers on three engines.

This package is the only place in gpuimb that imports scikit-learn's neighbours
and clustering estimators, cuML or CuPy-specific code; cuML and CuPy are only
imported when an engine that needs them runs.

- ``_base``: the engine contract and the shared kNN rules (arguments, margin,
  tie order, certificate); ``_registry``: the engines by name and
  :func:`get_engine`, which picks one for the data.
- one module per engine: ``_sklearn``, ``_cuml``, ``_array_api``.
- kernels the engines share: ``_bruteforce``, ``_kmeans``, ``_selection``,
  ``_tiles``; user estimators: ``_adapt``. Namespaces and moving arrays are
  the bottom layer's, :mod:`gpuimb.utils._array_api` (re-exported here:
  ``to_host``, ``to_namespace``).
"""

import importlib

# Loaded on first use, so that the configuration can read the registry
# without importing scikit-learn.
_HOMES = {
    "HostEstimator": "_adapt", "adapt_estimator": "_adapt",
    "ArrayApiEngine": "_array_api", "Engine": "_base",
    "direct_sq_distances": "_base",
    "BruteForceNeighbors": "_bruteforce", "fits_float32": "_bruteforce",
    "is_small_search": "_bruteforce",
    "kneighbors": "_bruteforce", "CumlEngine": "_cuml",
    "KMeans": "_kmeans", "MiniBatchKMeans": "_kmeans", "kmeans_plusplus": "_kmeans",
    "to_host": "..utils._array_api", "to_namespace": "..utils._array_api",
    "BACKENDS": "_registry", "ENGINE_NAMES": "_registry",
    "engine_class": "_registry", "get_engine": "_registry",
    "lexsort_rows": "_selection", "smallest_k": "_selection",
    "SklearnEngine": "_sklearn",
    "host_single_thread": "_tiles", "run_host_tiles": "_tiles",
}


def __getattr__(name):
    if name in _HOMES:
        home = _HOMES[name]
        module = (importlib.import_module(home, __name__) if home.startswith("..")
                  else importlib.import_module(f"{__name__}.{home}"))
        return getattr(module, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "BACKENDS",
    "ENGINE_NAMES",
    "ArrayApiEngine",
    "BruteForceNeighbors",
    "CumlEngine",
    "Engine",
    "HostEstimator",
    "KMeans",
    "MiniBatchKMeans",
    "SklearnEngine",
    "adapt_estimator",
    "direct_sq_distances",
    "engine_class",
    "fits_float32",
    "get_engine",
    "host_single_thread",
    "is_small_search",
    "kmeans_plusplus",
    "kneighbors",
    "lexsort_rows",
    "run_host_tiles",
    "smallest_k",
    "to_host",
    "to_namespace",
]
