"""Two source trees of gpuimb side by side: is a refactor slower?

Each round runs one fresh process per tree, alternating, on the same data (10k x 20,
two classes 9:1; SMOTENC and SMOTEN on their own mixed and categorical data), and
takes the best of three calls per sampler; the table gives the median over rounds.

Usage (check out the old revision in a worktree first)::

    git worktree add /tmp/old <rev>
    python -m benchmarks.bench_revisions /tmp/old . --rounds 7
"""

import argparse
import json
import os
import statistics
import subprocess
import sys

_ROUND = r"""
import json, time
import numpy as np
from sklearn.datasets import make_classification
from gpuimb.over_sampling import ADASYN, SMOTE, SMOTEN, SMOTENC, BorderlineSMOTE
from gpuimb.under_sampling import (
    EditedNearestNeighbours, NearMiss, NeighbourhoodCleaningRule, OneSidedSelection,
    RandomUnderSampler, TomekLinks)

X, y = make_classification(10000, 20, n_informative=10, weights=[0.9], random_state=0)
X_mixed = np.hstack([X[:, :5], (np.abs(X[:, 5:8]) * 3).astype(int)])
X_cat = np.random.default_rng(0).integers(0, 5, size=(4000, 6))
cases = {
    "SMOTE": (SMOTE(random_state=0), X, y),
    "ADASYN": (ADASYN(random_state=0), X, y),
    "BorderlineSMOTE": (BorderlineSMOTE(random_state=0), X, y),
    "SMOTENC": (SMOTENC([5, 6, 7], random_state=0), X_mixed, y),
    "SMOTEN": (SMOTEN(random_state=0), X_cat, y[:4000]),
    "EditedNearestNeighbours": (EditedNearestNeighbours(), X, y),
    "TomekLinks": (TomekLinks(), X, y),
    "NearMiss-1": (NearMiss(), X, y),
    "NearMiss-2": (NearMiss(version=2), X, y),
    "NeighbourhoodCleaningRule": (NeighbourhoodCleaningRule(), X, y),
    "OneSidedSelection": (OneSidedSelection(random_state=0), X, y),
    "RandomUnderSampler": (RandomUnderSampler(random_state=0), X, y),
}
best = {}
for name, (sampler, A, b) in cases.items():
    sampler.fit_resample(A, b)
    times = []
    for _ in range(3):
        start = time.perf_counter()
        sampler.fit_resample(A, b)
        times.append(time.perf_counter() - start)
    best[name] = min(times)
print(json.dumps(best))
"""


def _one_round(tree):
    env = dict(os.environ, PYTHONPATH=os.path.abspath(tree))
    done = subprocess.run([sys.executable, "-c", _ROUND], cwd=tree, env=env,
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("old", help="source tree of the old revision")
    parser.add_argument("new", help="source tree of the new revision")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    runs = {"old": [], "new": []}
    for _ in range(args.rounds):
        runs["old"].append(_one_round(args.old))
        runs["new"].append(_one_round(args.new))
    print("| sampler (10k x 20) | old | new | new / old |")
    print("|---|---|---|---|")
    for name in runs["old"][0]:
        old = statistics.median(r[name] for r in runs["old"])
        new = statistics.median(r[name] for r in runs["new"])
        print(f"| {name} | {old * 1e3:.1f} ms | {new * 1e3:.1f} ms | {new / old:.2f} |")


if __name__ == "__main__":
    main()
