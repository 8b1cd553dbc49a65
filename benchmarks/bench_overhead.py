"""The fixed cost of a call: every sampler on a 100-row input, both libraries.

Run from the repository root::

    python -m benchmarks overhead                       # every sampler, 100 x 5
    python -m benchmarks overhead --samplers SMOTE,TomekLinks --rows 200

On so small an input the algorithms themselves cost little, so the time is mostly
what every call pays: validation, the sampling strategy, the context, the engine
choice, estimator set-up and thread start-up. Calls alternate between gpuimb and
imbalanced-learn in one process (a fresh sampler each time); each library gets up
to ``--repeat`` calls or ``--budget`` seconds per sampler, and the table shows the
medians. The last rows time the host engine's exact kNN alone (k = 5, self
excluded) and scikit-learn's ``NearestNeighbors`` fit and query that
imbalanced-learn pays for the same answer.
"""

import statistics
import sys
import time
import warnings
from functools import partial

from benchmarks import registry

TARGET_MS = 0.3


def _data(n, d, entry):
    from sklearn.datasets import make_classification

    X, y = make_classification(n, d, n_informative=3, n_redundant=1, weights=[0.8],
                               random_state=0)
    if entry is not None and entry.prepare is not None:
        X = entry.prepare(X)
    return X, y


def _call(cls, params, X, y):
    return cls(**params).fit_resample(X, y)


def _medians(calls, repeat, budget):
    """Alternate the calls; per call, the median seconds (None if it failed)."""
    times = [[] for _ in calls]
    alive = [True] * len(calls)
    for j, fn in enumerate(calls):  # warm-up, and drop what fails
        try:
            fn()
        except Exception:  # noqa: BLE001 - reported as "failed"
            alive[j] = False
    start = time.perf_counter()
    for _ in range(repeat):
        for j, fn in enumerate(calls):
            if alive[j]:
                t0 = time.perf_counter()
                fn()
                times[j].append(time.perf_counter() - t0)
        if time.perf_counter() - start > budget:
            break
    return [statistics.median(t) if t else None for t in times], len(times[0])


def overhead(samplers=None, n=100, d=5, repeat=200, budget=2.0):
    """Markdown table of per-call medians in milliseconds at ``n`` x ``d``."""
    import numpy as np
    from sklearn.neighbors import NearestNeighbors

    from gpuimb._backends import get_engine

    lines = [f"| sampler ({n} x {d}) | gpuimb | imblearn | ratio | calls | "
             f"≤ {TARGET_MS} ms |", "|---|---|---|---|---|---|"]

    def fmt(seconds):
        return "failed" if seconds is None else f"{1e3 * seconds:.3f} ms"

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for entry in registry.select(samplers):
            ours, theirs, note = entry.classes()
            if ours is None or theirs is None:
                lines.append(f"| {entry.name} | — | — | — | — | {note} |")
                continue
            X, y = _data(n, d, entry)
            params = entry.resolved_params(X.shape)
            (g, i), runs = _medians(
                [partial(_call, ours, params, X, y), partial(_call, theirs, params, X, y)],
                repeat, budget)
            ratio = "—" if g is None or i is None else f"{g / i:.2f}"
            met = "—" if g is None else ("met" if g * 1e3 <= TARGET_MS else "missed")
            lines.append(f"| {entry.name} | {fmt(g)} | {fmt(i)} | {ratio} | {runs} | {met} |")
        X, _ = _data(n, d, None)
        engine = get_engine(np)
        (g, i), runs = _medians(
            [lambda: engine.kneighbors(X, k=5),
             lambda: NearestNeighbors(n_neighbors=6).fit(X).kneighbors(X)], repeat, budget)
        lines.append(f"| kNN alone (k=5) | {fmt(g)} | {fmt(i)} | {g / i:.2f} | {runs} | |")
    return "\n".join(lines)


def run(args):
    import os

    from benchmarks import suites

    load_start = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    table = overhead(args.samplers, n=args.rows, d=args.features, repeat=args.repeat or 200,
                     budget=args.budget or 2.0)
    load_end = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    print("\n".join([
        f"## Fixed cost of a call ({args.rows} x {args.features})", "",
        f"- machine: {suites.machine()}; load average at the start {load_start}, "
        f"at the end {load_end}",
        f"- command: `{args.command}`", "", table, ""]))


def add_arguments(parser):
    parser.add_argument("--rows", type=int, default=100, help="rows of the input")
    parser.add_argument("--features", type=int, default=5, help="features of the input")


if __name__ == "__main__":
    from benchmarks.__main__ import main

    main(["overhead", *sys.argv[1:]])
