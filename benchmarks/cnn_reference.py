"""CondensedNearestNeighbour against per-sample 1-NN references (a correctness check).

Runs gpuimb and imbalanced-learn on the benchmark data, then two deliberately
slow references that visit the samples one by one: Hart's rule with the correct
skip set (the stored seeds) and with imbalanced-learn's mixed skip set (a
class-local position skipped when it equals a stored sample's global index).

Usage: ``python -m benchmarks.cnn_reference 10000``
"""

import argparse
import time
from collections import Counter

import numpy as np

from benchmarks.data import synthetic


def hart_reference(X, y, seed, mixed_skip):
    """Indices kept by one pass of Hart's 1-NN rule, per sample, in order."""
    rs = np.random.RandomState(seed)
    stats = Counter(y.tolist())
    minority = min(stats, key=stats.get)
    kept = []
    for klass in np.unique(y):
        idx = np.flatnonzero(y == klass)
        if klass == minority:
            kept.append(idx)
            continue
        seeds = idx[rs.randint(0, stats[klass], size=1)]
        store = list(seeds)
        stored = set(store)
        members = np.concatenate([np.flatnonzero(y == minority), seeds])
        X_store, y_store = X[members], y[members]
        seed_positions = set(np.searchsorted(idx, seeds).tolist())
        for p in range(idx.size):
            if (p in stored) if mixed_skip else (p in seed_positions):
                continue
            d2 = ((X_store - X[idx[p]]) ** 2).sum(axis=1)
            if y_store[np.argmin(d2)] != klass:
                store.append(idx[p])
                stored.add(idx[p])
                X_store = np.vstack([X_store, X[idx[p]][None, :]])
                y_store = np.append(y_store, klass)
        kept.append(np.asarray(store))
    return np.concatenate(kept)


def main(argv=None):
    from imblearn.under_sampling import CondensedNearestNeighbour as ImbCNN

    from gpuimb.under_sampling import CondensedNearestNeighbour

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, nargs="?", default=10000)
    n = parser.parse_args(argv).n
    data = synthetic(n)
    X, y = data.X, data.y
    results = {}
    for name, cls in (("gpuimb", CondensedNearestNeighbour), ("imblearn", ImbCNN)):
        start = time.perf_counter()
        sampler = cls(random_state=0)
        sampler.fit_resample(X, y)
        results[name] = (sampler.sample_indices_, time.perf_counter() - start)
    right = hart_reference(X, y, 0, mixed_skip=False)
    mixed = hart_reference(X, y, 0, mixed_skip=True)
    for name, reference, rule in (("gpuimb", right, "correct"),
                                  ("imblearn", mixed, "mixed")):
        kept, seconds = results[name]
        print(f"n={n} {name}: {len(kept)} rows in {seconds:.2f} s; equal (same order) "
              f"to the {rule}-skip reference ({len(reference)} rows): "
              f"{np.array_equal(kept, reference)}")


if __name__ == "__main__":
    main()
