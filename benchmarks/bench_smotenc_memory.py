"""Peak memory of gpuimb's SMOTENC where imbalanced-learn's blows up.

imbalanced-learn's SMOTE-NC densifies the one-hot encoded class
(``nn_data.toarray()``) and gathers a (n_new, k, n_encoded_columns) tensor to
vote the categories; gpuimb votes on integer codes instead. This script runs
gpuimb in a fresh subprocess on ``--n-rows`` rows (default 200,000) with 20
numeric and 30 categorical columns of 1,000 categories each, reports the peak
resident memory (``ru_maxrss``) and the size imbalanced-learn's two dense
arrays would need for the same data (computed, not allocated). With
``--imblearn-rows N`` it also measures imbalanced-learn on N rows.

Usage::

    python -m benchmarks.bench_smotenc_memory [--n-rows N] [--imblearn-rows N]
"""

import argparse
import json
import subprocess
import sys
import time

GIB = 2**30
MIB = 2**20


def make_data(n_rows, n_numeric=20, n_categorical=30, n_categories=1000,
              minority=0.1, seed=0):
    """Numeric + categorical data (categories as float codes) and a binary target."""
    import numpy as np

    rng = np.random.RandomState(seed)
    y = (rng.uniform(size=n_rows) < minority).astype(np.int64)
    numeric = rng.randn(n_rows, n_numeric) + y[:, None]
    categorical = rng.randint(0, n_categories, size=(n_rows, n_categorical))
    X = np.hstack([numeric, categorical.astype(np.float64)])
    return X, y, list(range(n_numeric, n_numeric + n_categorical))


def imblearn_estimate(y, n_numeric=20, n_categorical=30, n_categories=1000, k=5):
    """Bytes of imbalanced-learn's dense arrays for this data (float64)."""
    import numpy as np

    counts = np.bincount(y)
    n_minority = int(counts.min())
    n_new = int(counts.max() - counts.min())
    width = n_numeric + n_categorical * n_categories
    return {
        "n_new": n_new,
        "encoded_columns": width,
        "neighbour_tensor_bytes": n_new * k * width * 8,
        "dense_class_bytes": n_minority * width * 8,
    }


def _child(library, n_rows):
    import resource

    X, y, categorical = make_data(n_rows)
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    if library == "gpuimb":
        from gpuimb.over_sampling import SMOTENC
    else:
        from imblearn.over_sampling import SMOTENC
    start = time.perf_counter()
    X_res, y_res = SMOTENC(categorical, random_state=0).fit_resample(X, y)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(json.dumps({"library": library, "n_rows": n_rows, "seconds": seconds,
                      "peak_bytes": peak, "data_bytes": baseline,
                      "n_out": int(X_res.shape[0])}))


def measure(library, n_rows):
    """Run one SMOTENC in a fresh interpreter; return its JSON report."""
    out = subprocess.run(
        [sys.executable, "-m", "benchmarks.bench_smotenc_memory", "--child", library,
         "--n-rows", str(n_rows)],
        capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-rows", type=int, default=200_000)
    parser.add_argument("--imblearn-rows", type=int, default=0,
                        help="also measure imbalanced-learn on this many rows")
    parser.add_argument("--child", choices=["gpuimb", "imblearn"], help="internal")
    args = parser.parse_args(argv)
    if args.child:
        _child(args.child, args.n_rows)
        return 0

    X, y, _ = make_data(args.n_rows)
    estimate = imblearn_estimate(y)
    del X
    report = measure("gpuimb", args.n_rows)
    print(f"gpuimb SMOTENC, {args.n_rows} rows x (20 numeric + 30 categorical of "
          f"1000 categories), {estimate['n_new']} new rows:")
    print(f"  peak RSS {report['peak_bytes'] / MIB:,.0f} MiB "
          f"(data alone {report['data_bytes'] / MIB:,.0f} MiB), "
          f"{report['seconds']:.1f} s; within 4 GiB: {report['peak_bytes'] <= 4 * GIB}")
    print("imbalanced-learn 0.14.2 on the same data would allocate (float64):")
    print(f"  (n_new, k, {estimate['encoded_columns']}) neighbour tensor: "
          f"{estimate['neighbour_tensor_bytes'] / GIB:,.1f} GiB")
    print(f"  densified minority class: {estimate['dense_class_bytes'] / GIB:,.1f} GiB")
    if args.imblearn_rows:
        small = measure("imblearn", args.imblearn_rows)
        mine = measure("gpuimb", args.imblearn_rows)
        print(f"measured on {args.imblearn_rows} rows: imbalanced-learn peak "
              f"{small['peak_bytes'] / MIB:,.0f} MiB in {small['seconds']:.1f} s, "
              f"gpuimb peak {mine['peak_bytes'] / MIB:,.0f} MiB in "
              f"{mine['seconds']:.1f} s")
    return 0 if report["peak_bytes"] <= 4 * GIB else 1


if __name__ == "__main__":
    sys.exit(main())
