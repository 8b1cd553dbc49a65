"""BalancedRandomForestClassifier on the host: gpuimb against imbalanced-learn.

Run from the repository root::

    python -m benchmarks.bench_ensemble                      # 50k x 20, 100 trees, 3 rounds
    python -m benchmarks.bench_ensemble --n 10000 --trees 20 --repeat 1   # quick look
    python -m benchmarks.bench_ensemble --n-jobs 2           # both libraries on 2 threads

Data: ``benchmarks.data.synthetic`` (``make_classification``, 20 features, weights
(0.9, 0.1), or (0.8, 0.15, 0.05) with ``--classes 3``). Both forests are built with
the same parameters and ``random_state``; the timed call is ``fit``. Rounds are
interleaved (gpuimb, imbalanced-learn, gpuimb, ...) so that load bursts on a shared
machine hit both; the table gives the median of each and the ratio gpuimb /
imbalanced-learn (below 1: gpuimb is faster). After the timing, the two forests of
the last round are checked to predict the same probabilities (same trees).
"""

import argparse
import statistics
import time

import numpy as np

from benchmarks import data, suites


def _fit_seconds(cls, params, X, y):
    model = cls(**params)
    start = time.perf_counter()
    model.fit(X, y)
    return time.perf_counter() - start, model


def bench_forest(n, n_classes, trees, repeat, n_jobs, seed=0):
    """Time both forests' ``fit``; return a dict of medians, ratio and the checks."""
    from imblearn.ensemble import BalancedRandomForestClassifier as ImbForest

    from gpuimb.ensemble import BalancedRandomForestClassifier as GpuimbForest

    dataset = data.synthetic(n, n_classes)
    X, y = dataset.X, dataset.y
    params = dict(n_estimators=trees, random_state=seed, n_jobs=n_jobs)
    # Warm-up on a small strided subset (imports, thread pools); not timed.
    small = dataset.subsample(1000)
    for cls in (GpuimbForest, ImbForest):
        cls(n_estimators=2, random_state=seed).fit(small.X, small.y)

    times = {"gpuimb": [], "imblearn": []}
    models = {}
    for _ in range(repeat):
        for name, cls in (("gpuimb", GpuimbForest), ("imblearn", ImbForest)):
            seconds, models[name] = _fit_seconds(cls, params, X, y)
            times[name].append(seconds)
    medians = {name: statistics.median(values) for name, values in times.items()}
    rows = slice(0, min(n, 5000))
    same = bool(np.array_equal(models["gpuimb"].predict_proba(X[rows]),
                               models["imblearn"].predict_proba(X[rows])))
    return {
        "n": n, "d": X.shape[1], "classes": n_classes, "trees": trees, "n_jobs": n_jobs,
        "times": times, "median": medians,
        "ratio": medians["gpuimb"] / medians["imblearn"],
        "same_predictions": same,
    }


def markdown(result):
    """One table row per library configuration."""
    times = {k: ", ".join(f"{t:.2f}" for t in v) for k, v in result["times"].items()}
    return "\n".join([
        "| n | d | classes | trees | n_jobs | gpuimb median | imblearn median | "
        "ratio (g/i) | gpuimb runs (s) | imblearn runs (s) | same predictions |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
        f"| {result['n']} | {result['d']} | {result['classes']} | {result['trees']} | "
        f"{result['n_jobs']} | {result['median']['gpuimb']:.2f} s | "
        f"{result['median']['imblearn']:.2f} s | {result['ratio']:.3f} | "
        f"{times['gpuimb']} | {times['imblearn']} | {result['same_predictions']} |",
    ])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=50_000, help="rows (default 50000)")
    parser.add_argument("--classes", type=int, default=2, choices=(2, 3))
    parser.add_argument("--trees", type=int, default=100, help="n_estimators (default 100)")
    parser.add_argument("--repeat", type=int, default=3, help="timed rounds per library")
    parser.add_argument("--n-jobs", type=int, default=None,
                        help="n_jobs for both forests (default None: one thread)")
    args = parser.parse_args(argv)
    print(suites.machine())
    result = bench_forest(args.n, args.classes, args.trees, args.repeat, args.n_jobs)
    print(markdown(result))
    return result


if __name__ == "__main__":
    main()
