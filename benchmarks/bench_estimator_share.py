"""How much of imbalanced-learn's time on the KEEL sets is a scikit-learn estimator.

Some samplers spend most of their time fitting a scikit-learn estimator that
gpuimb must fit too, on the same rows with the same parameters, to give the
same result: SVMSMOTE's ``SVC``, ClusterCentroids' ``KMeans``, KMeansSMOTE's
``MiniBatchKMeans`` and InstanceHardnessThreshold's random forest. On the host
that time is the same in both libraries, so it bounds from below the ratio
gpuimb can reach. This command runs imbalanced-learn on every KEEL set (one
warm-up, then the median of ``--repeat`` calls) with those estimators' ``fit``,
``fit_predict``, ``predict`` and ``predict_proba`` timed, and reports per
sampler the total, the estimators' share of it, and so the best ratio any
reimplementation with identical results could reach::

    python -m benchmarks.bench_estimator_share
    python -m benchmarks.bench_estimator_share --samplers SVMSMOTE --sets glass0,yeast1
"""

import argparse
import functools
import os
import sys
import time
import warnings

import numpy as np

from benchmarks import data, registry, suites

SAMPLERS = ("SVMSMOTE", "ClusterCentroids", "KMeansSMOTE", "InstanceHardnessThreshold")
_METHODS = ("fit", "fit_predict", "predict", "predict_proba")


def _estimator_classes():
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.svm import SVC

    return (SVC, KMeans, MiniBatchKMeans, RandomForestClassifier)


class _Clock:
    """Seconds spent inside the estimators' timed methods (outermost calls only)."""

    def __init__(self):
        self.seconds = 0.0
        self.depth = 0
        self.saved = []

    def __enter__(self):
        owners = set()
        for cls in _estimator_classes():
            for name in _METHODS:
                # Patched where it is defined (SVC.fit is BaseLibSVM's).
                owner = next((c for c in cls.__mro__ if name in vars(c)), None)
                if owner is not None and (owner, name) not in owners:
                    owners.add((owner, name))
                    original = vars(owner)[name]
                    self.saved.append((owner, name, original))
                    setattr(owner, name, self._timed(original))
        return self

    def __exit__(self, *exc):
        for cls, name, original in reversed(self.saved):
            setattr(cls, name, original)
        self.saved.clear()

    def _timed(self, method):
        clock = self

        @functools.wraps(method)
        def timed(*args, **kwargs):
            clock.depth += 1
            start = time.perf_counter()
            try:
                return method(*args, **kwargs)
            finally:
                clock.depth -= 1
                if clock.depth == 0:
                    clock.seconds += time.perf_counter() - start

        return timed


def measure(entry, dataset, repeat):
    """``(total, estimator)`` medians of imbalanced-learn's calls, or None."""
    _, imblearn_class, missing = entry.classes()
    if missing or imblearn_class is None:
        return None
    X, y = dataset.X, dataset.y
    if entry.prepare is not None:
        X = entry.prepare(X)
    params = entry.resolved_params(X.shape)
    totals, shares = [], []
    for round_ in range(repeat + 1):
        with warnings.catch_warnings(), _Clock() as clock:
            warnings.simplefilter("ignore")
            start = time.perf_counter()
            try:
                imblearn_class(**params).fit_resample(X, y)
            except Exception:  # noqa: BLE001 - a set the sampler refuses
                return None
            elapsed = time.perf_counter() - start
        if round_:  # the first call warms up
            totals.append(elapsed)
            shares.append(clock.seconds)
    return float(np.median(totals)), float(np.median(shares))


def run(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_estimator_share",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--samplers", type=lambda t: [v for v in t.split(",") if v],
                        default=list(SAMPLERS))
    parser.add_argument("--sets", type=lambda t: [v for v in t.split(",") if v])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    names = [n for n in data.keel_sets() if not args.sets or n.removeprefix("keel:") in args.sets]
    entries = registry.select(args.samplers)
    print(f"- machine: {suites.machine()}")
    given = " ".join(argv if argv is not None else sys.argv[1:])
    command = "python -m benchmarks.bench_estimator_share" + (f" {given}" if given else "")
    print(f"- command: `{command}`")
    rows = []
    for entry in entries:
        total = estimator = 0.0
        n_sets = 0
        for name in names:
            dataset, _ = data.keel(name)
            if dataset is None:
                continue
            found = measure(entry, dataset, args.repeat)
            if found is None:
                continue
            total += found[0]
            estimator += found[1]
            n_sets += 1
        rows.append((entry.name, n_sets, total, estimator))
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print(f"- load average at the end: {load}\n")
    print("| sampler | sets | imblearn total | in the estimator | share "
          "(best ratio with identical results) |")
    print("|---|---|---|---|---|")
    for name, n_sets, total, estimator in rows:
        share = estimator / total if total else float("nan")
        print(f"| {name} | {n_sets} | {total * 1e3:.1f} ms | {estimator * 1e3:.1f} ms "
              f"| {share:.2f} |")
    return rows


if __name__ == "__main__":
    run()
