"""Timing of the dispatch layer's exact kNN engines.

Run from the repository root::

    python -m benchmarks.bench_engines            # host part, and GPU if present
    python -m benchmarks.bench_engines --n-host 20000 --repeat 1   # quick look

Host: self-kNN (d=32, k=4, float32) with scikit-learn's NearestNeighbors (what
the "sklearn" engine and imbalanced-learn run) and with the array-API engine on
NumPy (tiled GEMM + selection + exact re-ranking). GPU (when CuPy sees a
device): the CuPy engine on a 1M-point self-kNN and on 1M x 10k queries,
reported against the FP32 GEMM floor 2 * n_query * n_index * d FLOP at the
SGEMM rate measured on the same device.
"""

import argparse
import os
import platform
import statistics
import time

import numpy as np


def _median_time(fn, repeat, sync=lambda: None):
    times = []
    result = None
    for _ in range(repeat):
        sync()
        start = time.perf_counter()
        result = fn()
        sync()
        times.append(time.perf_counter() - start)
    return statistics.median(times), times, result


def bench_host(n, d, k, repeat, seed=0):
    """Median seconds of both host engines on one self-kNN; returns a dict."""
    from sklearn.neighbors import NearestNeighbors

    from gpuimb._backends import kneighbors

    X = np.random.RandomState(seed).randn(n, d).astype(np.float32)

    def sklearn_run():
        return NearestNeighbors(n_neighbors=k).fit(X).kneighbors()

    def array_api_run():
        return kneighbors(X, k=k)

    # Interleave the two so machine load affects both alike.
    sk_times, aa_times = [], []
    sk_res = aa_res = None
    for _ in range(repeat):
        t, _, sk_res = _median_time(sklearn_run, 1)
        sk_times.append(t)
        t, _, aa_res = _median_time(array_api_run, 1)
        aa_times.append(t)
    agree = float(np.mean(sk_res[1] == aa_res[1]))
    dist_gap = float(np.max(np.abs(sk_res[0] - aa_res[0])))
    return {
        "n": n,
        "d": d,
        "k": k,
        "sklearn_s": statistics.median(sk_times),
        "array_api_s": statistics.median(aa_times),
        "sklearn_all": sk_times,
        "array_api_all": aa_times,
        "index_agreement": agree,
        "max_distance_gap": dist_gap,
    }


def _sgemm_rate(cupy, size=8192, repeat=5):
    a = cupy.random.standard_normal((size, size), dtype=cupy.float32)
    b = cupy.random.standard_normal((size, size), dtype=cupy.float32)
    sync = cupy.cuda.Device().synchronize
    a @ b
    t, _, _ = _median_time(lambda: a @ b, repeat, sync)
    return 2 * size**3 / t


def bench_gpu(n_index, n_query_big, d, k, repeat, seed=0):
    """CuPy-engine figures; returns a list of dicts (empty without a GPU)."""
    try:
        import cupy

        if cupy.cuda.runtime.getDeviceCount() == 0:
            return []
    except Exception:
        return []
    from gpuimb._backends import get_engine

    engine = get_engine(cupy, backend="cupy")
    rate = _sgemm_rate(cupy)
    sync = cupy.cuda.Device().synchronize
    rng = cupy.random.default_rng(seed)
    X = rng.standard_normal((n_index, d), dtype=cupy.float32)
    small = rng.standard_normal((10_000, d), dtype=cupy.float32)
    big = rng.standard_normal((n_query_big, d), dtype=cupy.float32)
    cases = [
        (f"self-kNN n={n_index}", lambda: engine.kneighbors(X, k=k), n_index, n_index),
        (
            f"{n_query_big} queries x 10k index",
            lambda: engine.kneighbors(small, big, k=k),
            n_query_big,
            10_000,
        ),
        (
            f"10k queries x {n_index} index",
            lambda: engine.kneighbors(X, small, k=k),
            10_000,
            n_index,
        ),
    ]
    rows = []
    pool = cupy.get_default_memory_pool()
    for name, fn, nq, ni in cases:
        fn()  # warm-up (kernel compilation, memory pool)
        pool.free_all_blocks()
        t, times, _ = _median_time(fn, repeat, sync)
        floor = 2 * nq * ni * d / rate
        rows.append(
            {
                "case": name,
                "seconds": t,
                "all": times,
                "floor_s": floor,
                "floor_fraction": floor / t,
                "sgemm_tflops": rate / 1e12,
                "pool_peak_bytes": pool.total_bytes(),
            }
        )
    return rows


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-host", type=int, default=100_000)
    parser.add_argument("--n-gpu", type=int, default=1_000_000)
    parser.add_argument("--d", type=int, default=32)
    parser.add_argument("--k", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--no-host", action="store_true")
    parser.add_argument("--no-gpu", action="store_true")
    args = parser.parse_args(argv)

    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, "
        f"python {platform.python_version()}, numpy {np.__version__}"
    )
    if not args.no_host:
        r = bench_host(args.n_host, args.d, args.k, args.repeat)
        print(f"host self-kNN n={r['n']} d={r['d']} k={r['k']} float32, median of {args.repeat}:")
        print(
            f"  sklearn NearestNeighbors : {r['sklearn_s']:.2f} s  "
            f"{[round(t, 2) for t in r['sklearn_all']]}"
        )
        print(
            f"  array-API engine (numpy) : {r['array_api_s']:.2f} s  "
            f"{[round(t, 2) for t in r['array_api_all']]}"
        )
        print(
            f"  ratio sklearn/array-API  : {r['sklearn_s'] / r['array_api_s']:.2f}x; "
            f"index agreement {r['index_agreement']:.5f}, "
            f"max |distance gap| {r['max_distance_gap']:.2e}"
        )
    if not args.no_gpu:
        rows = bench_gpu(args.n_gpu, 1_000_000, args.d, args.k, args.repeat)
        if not rows:
            print("GPU: no CuPy device; skipped")
        for row in rows:
            print(
                f"GPU {row['case']}: {row['seconds']:.3f} s (median), floor "
                f"{row['floor_s']:.3f} s at {row['sgemm_tflops']:.1f} TFLOP/s SGEMM "
                f"= {100 * row['floor_fraction']:.0f}% of floor speed, "
                f"pool {row['pool_peak_bytes'] / 2**30:.2f} GiB"
            )


if __name__ == "__main__":
    main()
