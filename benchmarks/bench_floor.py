"""The kNN cleaners at 50k x 20 against their arithmetic floor.

Run from the repository root::

    python -m benchmarks.bench_floor                 # ENN, Tomek, NCR, OSS
    python -m benchmarks.bench_floor --repeat 1 --n 20000

A self-kNN over n rows of d features needs at least 2 n^2 d floating-point
operations (the distance GEMM); this measures NumPy's float32 GEMM rate on a
4096^3 product on this machine and reports each cleaner's median time, for
gpuimb and imbalanced-learn (side by side through
:func:`benchmarks.harness.run_case`), as a multiple of that floor.
"""

import argparse
import dataclasses
import shlex
import statistics
import sys
import time

import numpy as np

from benchmarks import data, registry, suites
from benchmarks.harness import Settings, fmt_time, run_case

CLEANERS = ("EditedNearestNeighbours", "TomekLinks", "NeighbourhoodCleaningRule",
            "OneSidedSelection")


def gemm_rate(size=4096, repeat=3):
    """Median FLOP/s of a float32 ``size`` x ``size`` GEMM with NumPy."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((size, size), dtype=np.float32)
    b = rng.standard_normal((size, size), dtype=np.float32)
    a @ b  # warm-up
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        a @ b
        times.append(time.perf_counter() - start)
    return 2 * size**3 / statistics.median(times)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_floor")
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--samplers", default=",".join(CLEANERS))
    args = parser.parse_args(argv)
    command = "python -m benchmarks.bench_floor " + shlex.join(argv or sys.argv[1:])
    machine = suites.machine()
    rate = gemm_rate()
    dataset = data.synthetic(args.n, 2)
    floor = 2 * dataset.n**2 * dataset.d / rate
    settings = dataclasses.replace(Settings(repeat=args.repeat, timeout=600,
                                            budget=300, mem_max=0))
    lines = [f"## kNN cleaners at {dataset.n} x {dataset.d} against the GEMM floor", "",
             f"- machine: {machine}",
             f"- command: `{command}`",
             f"- float32 GEMM (4096^3, NumPy): {rate / 1e9:.0f} GFLOP/s; self-kNN floor "
             f"2 n^2 d = {2 * dataset.n**2 * dataset.d:.2g} FLOP = {fmt_time(floor)}", "",
             "| sampler | gpuimb | imblearn | ratio (g/i) | gpuimb / floor "
             "| imblearn / floor |", "|---|---|---|---|---|---|"]
    for entry in registry.select(args.samplers.split(",")):
        result = run_case(entry, dataset, settings)
        g, i = result.median("gpuimb"), result.median("imblearn")
        ratio = "—" if g is None or not i else f"{g / i:.2f}"
        lines.append(f"| {entry.name} | {fmt_time(g)} | {fmt_time(i)} | {ratio} "
                     f"| {'—' if g is None else f'{g / floor:.1f}×'} "
                     f"| {'—' if i is None else f'{i / floor:.1f}×'} |")
        print(lines[-1], file=sys.stderr, flush=True)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
