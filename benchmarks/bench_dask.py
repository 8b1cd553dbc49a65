"""Dask benchmarks: out-of-core resampling and the cleaning samplers at 1M rows.

Two studies (results in ``benchmarks/RESULTS.md``, "Dask"):

``out-of-core``
    A ``LocalCluster`` of ``--workers`` x ``--worker-memory`` resamples a Parquet
    dataset of ``--factor`` times the cluster's memory, generated on disk by the
    cluster itself, with :func:`gpuimb.dask.resample_parquet` (Parquet in,
    Parquet out). Reports time, each worker's peak memory (RSS sampled from the
    scheduler's heartbeats) against its limit, and whether a worker was
    restarted. Then imbalanced-learn gets the same total memory (``RLIMIT_AS`` of
    a subprocess) and tries to load X.

``cleaning``
    ENN and TomekLinks on ``--rows`` x ``--features`` (same data everywhere):
    single-process gpuimb in a subprocess (time, peak RSS) against a
    ``LocalCluster`` (time, peak worker RSS); the outputs are checked equal.

Commands::

    python benchmarks/bench_dask.py out-of-core --workers 2 --worker-memory 2GiB --factor 3
    python benchmarks/bench_dask.py cleaning --rows 1000000 --features 20
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time

import numpy as np

_GIB = 2**30
_MIB = 2**20


def _bytes(text):
    from dask.utils import parse_bytes

    return int(parse_bytes(text))


# --------------------------------------------------------------------------- data


def make_partition(seed, rows, n_features, minority):
    """A deterministic block of two Gaussian classes (``minority`` share of class 1)."""
    import pandas as pd

    rng = np.random.default_rng(seed)
    y = (rng.random(rows) < minority).astype(np.int8)
    X = rng.standard_normal((rows, n_features), dtype=np.float64)
    X[y == 1] += 0.75
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(n_features)])
    frame["label"] = y
    return frame


def _write_partition(seed, rows, n_features, minority, path):
    make_partition(seed, rows, n_features, minority).to_parquet(path, compression=None)
    return rows


def generate(client, directory, n_rows, n_features, minority, partition_rows):
    """Write the dataset as Parquet files, one task per file on the workers."""
    os.makedirs(directory, exist_ok=True)
    futures = []
    for i, start in enumerate(range(0, n_rows, partition_rows)):
        rows = min(partition_rows, n_rows - start)
        path = os.path.join(directory, f"part.{i:06d}.parquet")
        futures.append(client.submit(_write_partition, 1000 + i, rows, n_features,
                                     minority, path, pure=False))
    return sum(client.gather(futures))


# --------------------------------------------------------------------------- monitoring


class MemoryWatch:
    """Peak RSS of each worker, from the scheduler's worker metrics."""

    def __init__(self, client, every=0.25):
        self.client, self.every = client, every
        self.peak, self.limits = {}, {}
        self.workers_seen = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                info = self.client.scheduler_info(n_workers=-1)["workers"]
            except Exception:  # the scheduler is busy; try again
                info = {}
            for address, worker in info.items():
                self.workers_seen.add(address)
                memory = worker.get("metrics", {}).get("memory", 0)
                self.peak[address] = max(self.peak.get(address, 0), memory)
                self.limits[address] = worker.get("memory_limit", 0)
            self._stop.wait(self.every)

    def __enter__(self):
        self._start_workers = set(self.client.scheduler_info(n_workers=-1)["workers"])
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        end = set(self.client.scheduler_info(n_workers=-1)["workers"])
        self.restarted = sorted((self.workers_seen | end) - self._start_workers)
        return False


# --------------------------------------------------------------------------- out-of-core


_IMBLEARN_LOAD = """
import resource, sys, time
limit = int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
t0 = time.perf_counter()
try:
    import pandas as pd
    from imblearn.under_sampling import RandomUnderSampler
    frame = pd.read_parquet(sys.argv[1])
    X, y = frame.drop(columns="label").to_numpy(), frame["label"].to_numpy()
    RandomUnderSampler(random_state=0).fit_resample(X, y)
    print("loaded and resampled in %.1f s" % (time.perf_counter() - t0))
except MemoryError as exc:
    print("MemoryError after %.1f s: %s" % (time.perf_counter() - t0, str(exc)[:120]))
"""


def out_of_core(args):
    import distributed

    from gpuimb.dask import resample_parquet
    from gpuimb.over_sampling import SMOTE, RandomOverSampler
    from gpuimb.under_sampling import RandomUnderSampler

    worker_memory = _bytes(args.worker_memory)
    cluster_memory = worker_memory * args.workers
    row_bytes = 8 * args.features + 1
    n_rows = int(args.factor * cluster_memory / row_bytes)
    root = args.dir or tempfile.mkdtemp(prefix="gpuimb-dask-bench-")
    data_dir = os.path.join(root, "input")
    samplers = {
        "RandomUnderSampler": RandomUnderSampler(random_state=0),
        "RandomOverSampler": RandomOverSampler(random_state=0),
        "SMOTE": SMOTE(random_state=0),
    }
    wanted = args.samplers.split(",") if args.samplers else list(samplers)
    report = {"workers": args.workers, "worker_memory": worker_memory,
              "rows": n_rows, "features": args.features, "minority": args.minority,
              "dataset_bytes": n_rows * row_bytes, "runs": []}
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    pythonpath = os.pathsep.join(filter(None, [repo, os.environ.get("PYTHONPATH")]))
    with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                  processes=True, memory_limit=worker_memory,
                                  dashboard_address=None,
                                  env={"PYTHONPATH": pythonpath}) as cluster, \
            distributed.Client(cluster) as client:
        if not os.path.exists(data_dir):
            t0 = time.perf_counter()
            generate(client, data_dir, n_rows, args.features, args.minority,
                     args.partition_rows)
            report["generate_s"] = time.perf_counter() - t0
        disk = sum(os.path.getsize(os.path.join(data_dir, f)) for f in os.listdir(data_dir))
        report["dataset_on_disk"] = disk
        print(f"dataset: {n_rows} rows x {args.features} features, {disk / _GIB:.2f} GiB on "
              f"disk, cluster memory {cluster_memory / _GIB:.2f} GiB", flush=True)
        for name in wanted:
            out_dir = os.path.join(root, f"out-{name}")
            with MemoryWatch(client) as watch:
                t0 = time.perf_counter()
                try:
                    resample_parquet(data_dir, out_dir, samplers[name], target="label",
                                     scheduler=client, overwrite=True)
                    status = "ok"
                except Exception as exc:  # report, then go on with the next sampler
                    status = f"{type(exc).__name__}: {str(exc)[:200]}"
                elapsed = time.perf_counter() - t0
            n_out = 0
            if status == "ok":
                import pyarrow.parquet as pq

                n_out = sum(pq.ParquetFile(os.path.join(out_dir, f)).metadata.num_rows
                            for f in os.listdir(out_dir))
            run = {"sampler": name, "status": status, "seconds": elapsed, "rows_out": n_out,
                   "peak_worker_bytes": max(watch.peak.values(), default=0),
                   "worker_limit_bytes": max(watch.limits.values(), default=0),
                   "restarted_workers": watch.restarted}
            report["runs"].append(run)
            print(json.dumps(run), flush=True)
            if not args.keep_outputs:
                import shutil

                shutil.rmtree(out_dir, ignore_errors=True)
    proc = subprocess.run([sys.executable, "-c", _IMBLEARN_LOAD, data_dir,
                           str(cluster_memory)], capture_output=True, text=True)
    report["imblearn_same_memory"] = (proc.stdout + proc.stderr).strip().splitlines()[-1:]
    print("imbalanced-learn with", cluster_memory / _GIB, "GiB:", report["imblearn_same_memory"])
    return report


# --------------------------------------------------------------------------- cleaning


_SINGLE = """
import json, resource, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from bench_dask import make_blocks
from gpuimb.under_sampling import EditedNearestNeighbours, TomekLinks
rows, features, part = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
X, y = make_blocks(rows, features, part)
sampler = {"ENN": EditedNearestNeighbours(), "TomekLinks": TomekLinks()}[sys.argv[5]]
t0 = time.perf_counter()
X_res, y_res = sampler.fit_resample(X, y)
elapsed = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
print(json.dumps({"seconds": elapsed, "peak_bytes": peak, "rows_out": int(X_res.shape[0]),
                  "checksum": float(np.asarray(X_res, dtype=np.float64).sum())}))
"""


def make_blocks(rows, features, part):
    """The cleaning study's data (host), block by block as the Dask version makes it."""
    blocks = [make_partition(7 + i, min(part, rows - s), features, 0.1)
              for i, s in enumerate(range(0, rows, part))]
    X = np.concatenate([b.drop(columns="label").to_numpy() for b in blocks])
    y = np.concatenate([b["label"].to_numpy() for b in blocks])
    return X, y


def _dask_blocks(rows, features, part):
    import dask
    import dask.array as da

    X_parts, y_parts = [], []
    for i, s in enumerate(range(0, rows, part)):
        n = min(part, rows - s)
        frame = dask.delayed(make_partition)(7 + i, n, features, 0.1)
        X_parts.append(da.from_delayed(
            dask.delayed(lambda f: f.drop(columns="label").to_numpy())(frame),
            shape=(n, features), dtype=np.float64))
        y_parts.append(da.from_delayed(dask.delayed(lambda f: f["label"].to_numpy())(frame),
                                       shape=(n,), dtype=np.int8))
    return da.concatenate(X_parts), da.concatenate(y_parts)


def cleaning(args):
    import dask
    import distributed

    from gpuimb.under_sampling import EditedNearestNeighbours, TomekLinks

    here = os.path.dirname(os.path.abspath(__file__))
    repo = os.path.dirname(here)
    report = {"rows": args.rows, "features": args.features, "runs": []}
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([repo, os.environ.get("PYTHONPATH", "")]))
    for name in args.samplers.split(","):
        single_started = _utc()
        proc = subprocess.run([sys.executable, "-c", _SINGLE, here, str(args.rows),
                               str(args.features), str(args.partition_rows), name],
                              capture_output=True, text=True, env=env)
        single = json.loads(proc.stdout.strip().splitlines()[-1]) if proc.returncode == 0 \
            else {"error": proc.stderr[-500:]}
        # Printed now: the cluster run may take far longer (or be stopped).
        print(json.dumps({"sampler": name, "single": single, "started_utc": single_started}),
              flush=True)
        dask_started = _utc()
        with distributed.LocalCluster(n_workers=args.workers, threads_per_worker=1,
                                      processes=True,
                                      memory_limit=_bytes(args.worker_memory),
                                      dashboard_address=None,
                                      env={"PYTHONPATH": env["PYTHONPATH"]}) as cluster, \
                distributed.Client(cluster) as client:
            X, y = _dask_blocks(args.rows, args.features, args.partition_rows)
            # Generated once on the workers before the clock starts (the
            # single-process run's clock also starts after make_blocks).
            X, y = client.persist([X, y])
            distributed.wait([X, y])
            sampler = {"ENN": EditedNearestNeighbours(), "TomekLinks": TomekLinks()}[name]
            with MemoryWatch(client) as watch:
                t0 = time.perf_counter()
                X_res, y_res = sampler.fit_resample(X, y)
                checksum, n_out = dask.compute(X_res.astype(np.float64).sum(), X_res.shape[0])
                elapsed = time.perf_counter() - t0
            client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
        run = {"sampler": name, "single": single,
               "dask": {"seconds": elapsed, "rows_out": int(n_out), "checksum": float(checksum),
                        "peak_worker_bytes": max(watch.peak.values(), default=0),
                        "client_peak_bytes": client_peak,
                        "restarted_workers": watch.restarted}}
        run["dask"]["started_utc"] = dask_started
        run["single"]["started_utc"] = single_started
        report["runs"].append(run)
        print(json.dumps(run), flush=True)
        if args.json:  # after each sampler: a run stopped later keeps what finished
            _write_json(args.json, report)
    return report


def _utc():
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def _write_json(path, report):
    with open(path, "w") as f:
        json.dump(report, f, indent=2)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="study", required=True)
    ooc = sub.add_parser("out-of-core")
    ooc.add_argument("--workers", type=int, default=2)
    ooc.add_argument("--worker-memory", default="2GiB")
    ooc.add_argument("--factor", type=float, default=3.0,
                     help="dataset size as a multiple of the cluster's memory")
    ooc.add_argument("--features", type=int, default=20)
    ooc.add_argument("--minority", type=float, default=0.001)
    ooc.add_argument("--partition-rows", type=int, default=400_000)
    ooc.add_argument("--samplers", default="")
    ooc.add_argument("--dir", default="", help="dataset directory (reused when present)")
    ooc.add_argument("--keep-outputs", action="store_true")
    cln = sub.add_parser("cleaning")
    cln.add_argument("--rows", type=int, default=1_000_000)
    cln.add_argument("--features", type=int, default=20)
    cln.add_argument("--workers", type=int, default=2)
    cln.add_argument("--worker-memory", default="4GiB")
    cln.add_argument("--partition-rows", type=int, default=125_000)
    cln.add_argument("--samplers", default="ENN,TomekLinks")
    for p in (ooc, cln):
        p.add_argument("--json", default="", help="write the report here")
    args = parser.parse_args(argv)
    report = out_of_core(args) if args.study == "out-of-core" else cleaning(args)
    if args.json:
        _write_json(args.json, report)
    return report


if __name__ == "__main__":
    main()
