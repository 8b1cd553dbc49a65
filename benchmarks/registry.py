"""Which samplers the benchmarks compare, and how each one is built.

Every entry names one class that exists in both ``gpuimb`` and ``imblearn`` (same
module layout, same class name) and the parameters both are built with. A class
that gpuimb does not provide yet is reported as skipped, so the suite grows by
itself as samplers land: add an entry here only for a new class or a new
parameter set.
"""

import importlib
from dataclasses import dataclass, field

import numpy as np


def _quantise(X, columns, n_bins=5):
    """Return a copy of X whose ``columns`` hold integer codes 0..n_bins-1."""
    X = X.copy()
    for j in columns:
        edges = np.quantile(X[:, j], np.linspace(0, 1, n_bins + 1)[1:-1])
        X[:, j] = np.searchsorted(edges, X[:, j])
    return X


def _last_two_categorical(X):
    return _quantise(X, [X.shape[1] - 2, X.shape[1] - 1])


def _all_categorical(X):
    return _quantise(X, range(X.shape[1]))


@dataclass(frozen=True)
class Entry:
    """One benchmarked configuration.

    Parameters
    ----------
    name : str
        Name shown in the tables (``NearMiss-2`` for ``NearMiss(version=2)``).
    module : str
        ``over_sampling``, ``under_sampling`` or ``combine``.
    cls : str
        Class name, identical in gpuimb and imblearn.
    params : dict
        Parameters given to both classes. A callable value is called with the
        data shape ``(n, d)`` (for parameters that depend on the data).
    knn : bool
        kNN-heavy: drawn in the scaling curves and in the GPU suite targets.
    prepare : callable or None
        Turns the numeric benchmark matrix into the input this sampler needs
        (categorical columns for SMOTENC and SMOTEN).
    """

    name: str
    module: str
    cls: str
    params: dict = field(default_factory=dict)
    knn: bool = False
    prepare: object = None

    def resolved_params(self, shape):
        return {k: (v(shape) if callable(v) else v) for k, v in self.params.items()}

    def classes(self):
        """Return ``(gpuimb_class, imblearn_class, note)``; a class is None if missing."""
        found, why = [], ""
        for package in ("gpuimb", "imblearn"):
            try:
                module = importlib.import_module(f"{package}.{self.module}")
                found.append(getattr(module, self.cls, None))
            except Exception as exc:  # noqa: BLE001 - a half-written module
                found.append(None)
                why = why or f" ({type(exc).__name__}: {exc})"
        note = ""
        if found[0] is None:
            note = f"gpuimb.{self.module}.{self.cls} not importable yet{why}"
        elif found[1] is None:
            note = f"imblearn.{self.module}.{self.cls} not importable{why}"
        return found[0], found[1], note


_RS = {"random_state": 0}

SAMPLERS = [
    Entry("RandomOverSampler", "over_sampling", "RandomOverSampler", _RS),
    Entry("SMOTE", "over_sampling", "SMOTE", _RS, knn=True),
    Entry("SMOTENC", "over_sampling", "SMOTENC",
          {**_RS, "categorical_features": lambda shape: [shape[1] - 2, shape[1] - 1]},
          knn=True, prepare=_last_two_categorical),
    Entry("SMOTEN", "over_sampling", "SMOTEN", _RS, knn=True, prepare=_all_categorical),
    Entry("ADASYN", "over_sampling", "ADASYN", _RS, knn=True),
    Entry("BorderlineSMOTE", "over_sampling", "BorderlineSMOTE", _RS, knn=True),
    Entry("SVMSMOTE", "over_sampling", "SVMSMOTE", _RS, knn=True),
    # The default threshold finds no usable cluster on make_classification data
    # ("No clusters found with sufficient samples"); 0.05 does, in both libraries.
    Entry("KMeansSMOTE", "over_sampling", "KMeansSMOTE",
          {**_RS, "cluster_balance_threshold": 0.05}, knn=True),
    Entry("RandomUnderSampler", "under_sampling", "RandomUnderSampler", _RS),
    Entry("ClusterCentroids", "under_sampling", "ClusterCentroids", _RS),
    Entry("NearMiss-1", "under_sampling", "NearMiss", {"version": 1}, knn=True),
    Entry("NearMiss-2", "under_sampling", "NearMiss", {"version": 2}, knn=True),
    Entry("NearMiss-3", "under_sampling", "NearMiss", {"version": 3}, knn=True),
    Entry("TomekLinks", "under_sampling", "TomekLinks", knn=True),
    Entry("EditedNearestNeighbours", "under_sampling", "EditedNearestNeighbours",
          knn=True),
    Entry("RepeatedEditedNearestNeighbours", "under_sampling",
          "RepeatedEditedNearestNeighbours", knn=True),
    Entry("AllKNN", "under_sampling", "AllKNN", knn=True),
    Entry("CondensedNearestNeighbour", "under_sampling", "CondensedNearestNeighbour",
          _RS, knn=True),
    Entry("OneSidedSelection", "under_sampling", "OneSidedSelection", _RS, knn=True),
    Entry("NeighbourhoodCleaningRule", "under_sampling", "NeighbourhoodCleaningRule",
          knn=True),
    Entry("InstanceHardnessThreshold", "under_sampling", "InstanceHardnessThreshold",
          _RS),
    Entry("SMOTEENN", "combine", "SMOTEENN", _RS, knn=True),
    Entry("SMOTETomek", "combine", "SMOTETomek", _RS, knn=True),
]

BY_NAME = {entry.name: entry for entry in SAMPLERS}

# The GPU suite's samplers (issue 6): name -> sizes on the device.
GPU_SIZES = {
    "SMOTE": (1_000_000, 10_000_000),
    "RandomOverSampler": (1_000_000, 10_000_000),
    "RandomUnderSampler": (1_000_000, 10_000_000),
    "EditedNearestNeighbours": (1_000_000,),
    "RepeatedEditedNearestNeighbours": (1_000_000,),
    "AllKNN": (1_000_000,),
    "NearMiss-1": (1_000_000,),
    "NearMiss-2": (1_000_000,),
    "NearMiss-3": (1_000_000,),
    "TomekLinks": (1_000_000,),
}


def select(names=None):
    """Return the entries named in ``names`` (all when None), in registry order."""
    if not names:
        return list(SAMPLERS)
    unknown = [n for n in names if n not in BY_NAME]
    if unknown:
        raise SystemExit(f"unknown sampler(s) {unknown}; known: {sorted(BY_NAME)}")
    return [e for e in SAMPLERS if e.name in names]
