"""The device kit: what a session with a GPU runs first, in one command.

::

    python -m benchmarks.device_kit --out device_report.md

writes one markdown report (and prints it) with:

1. ``env``: GPU, driver, CUDA runtime, and the versions of CuPy, PyTorch, JAX,
   NumPy, scikit-learn, imbalanced-learn, array-api-compat/strict and cuML;
2. ``tests-auto``: the gpu-marked tests plus the strict-device matrix
   (``tests/test_strict_device.py``, all of it) with ``backend="auto"``;
3. ``knn``: the self-kNN of 1M x 32 float32 points (k=5) on CuPy through the
   array-API brute force, a check of 256 rows against float64 distances, and
   the measured FP32 GEMM floor: CuPy matmul tiles of the kNN's tile size timed
   for their achieved TFLOP/s, and the time 2 n^2 d FLOP would take at that
   rate; reported as kNN time / floor time;
4. ``bench``: the kNN samplers (and the random ones) on 1M rows of CuPy data
   against imbalanced-learn on the same float32 data on the host, imblearn
   capped at ``--imblearn-timeout`` seconds (then the ratio is an upper bound);
5. ``tests-array_api``: the same tests with the array-API engine
   (``backend="array_api"``, or its older name ``"cupy"``).

Each stage runs in its own process with its own time limit, all within
``--budget`` seconds (450 by default: the kit fits 8 minutes on an H200 with
the wheel install); a stage that fails or runs out of time is reported as such
and the next one runs. Peak device memory is CuPy's memory-pool high-water mark
per stage. Without a CUDA device the report says so, marks the GPU stages
skipped and takes a few seconds. benchmarks/README.md ("Device kit") says how
to carry the test dependencies to a machine without package access.

This module is also the pytest plugin of the test stages (``-p
benchmarks.device_kit``): it sets the backend, selects the tests and writes
each result as it comes, so a stage cut short still reports what ran.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from importlib import metadata, util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STRICT_DEVICE = "tests/test_strict_device.py"

# Stage -> default time limit in seconds (each is also cut to what is left of --budget).
STAGES = {
    "env": 20,
    "tests-auto": 150,
    "knn": 75,
    "bench": 150,
    "tests-array_api": 90,
}
GPU_STAGES = ("tests-auto", "knn", "bench", "tests-array_api")
# Most telling first: a stage cut at its limit keeps the earlier rows.
BENCH_SAMPLERS = ("SMOTE", "EditedNearestNeighbours", "TomekLinks", "NearMiss-1",
                  "BorderlineSMOTE", "ADASYN", "NearMiss-3", "RandomUnderSampler")
PACKAGES = ("numpy", "scipy", "scikit-learn", "imbalanced-learn", "sklearn-compat",
            "array-api-compat", "array-api-strict", "cupy-cuda13x", "cupy-cuda12x", "cupy",
            "torch", "jax", "cuml-cu12", "cuml-cu13", "pytest", "pytest-timeout",
            "hypothesis", "pandas", "threadpoolctl")


# -- helpers ----------------------------------------------------------------------

def cuda_device():
    """``(True, name)`` when CuPy sees a CUDA device, else ``(False, reason)``."""
    if util.find_spec("cupy") is None:
        return False, "CuPy is not installed"
    try:
        import cupy

        count = cupy.cuda.runtime.getDeviceCount()
    except Exception as exc:  # noqa: BLE001 - no driver, no device, broken install
        return False, f"no CUDA device ({type(exc).__name__}: {str(exc)[:120]})"
    if count < 1:
        return False, "no CUDA device (device count 0)"
    name = cupy.cuda.runtime.getDeviceProperties(0)["name"]
    return True, name.decode() if isinstance(name, bytes) else str(name)


def _emit(path, record):
    """Append one JSON record (a line) to ``path``: results survive a killed stage."""
    with open(path, "a") as f:
        f.write(json.dumps(record, default=str) + "\n")


def _read(path):
    records = []
    if path and Path(path).exists():
        for line in Path(path).read_text().splitlines():
            try:
                records.append(json.loads(line))
            except json.JSONDecodeError:
                pass  # a line cut by the kill
    return records


def _pool_bytes():
    cupy = sys.modules.get("cupy")
    if cupy is None:
        return None
    try:
        return int(cupy.get_default_memory_pool().total_bytes())
    except Exception:  # noqa: BLE001 - CuPy without a device
        return None


def _mib(nbytes):
    return "—" if nbytes is None else f"{nbytes / 2**20:,.0f} MiB"


def _cell(text, limit=300):
    text = " ".join(str(text).split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return text.replace("|", "\\|")


def run_stage(argv, limit, env=None):
    """Run ``argv`` for at most ``limit`` seconds; ``(status, seconds, output)``.

    The process gets its own session so that a timeout ends everything it
    started.
    """
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, **(env or {})},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)
    try:
        out, _ = proc.communicate(timeout=limit)
        status = "ok" if proc.returncode == 0 else f"exit {proc.returncode}"
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, _ = proc.communicate()
        status = f"timed out ({limit:.0f} s)"
    return status, time.perf_counter() - start, out or ""


# -- stage: environment -----------------------------------------------------------

def environment():
    """Rows ``(what, value)`` describing the machine and the installed versions."""
    rows = [("date (UTC)", datetime.datetime.now(datetime.timezone.utc).isoformat(
        timespec="seconds")),
        ("python", f"{sys.version.split()[0]} ({sys.executable})"),
        ("platform", platform.platform()),
        ("cpu cores", str(os.cpu_count()))]
    try:
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                                capture_output=True, text=True, timeout=5).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        commit = ""
    rows.append(("gpuimb tree", f"{ROOT} {commit or '(no git)'}"))
    ok, what = cuda_device()
    rows.append(("CUDA device", what))
    if ok:
        import cupy

        props = cupy.cuda.runtime.getDeviceProperties(0)
        rows += [
            ("device count", str(cupy.cuda.runtime.getDeviceCount())),
            ("device memory", _mib(props["totalGlobalMem"])),
            ("compute capability", f"{props['major']}.{props['minor']}"),
            ("CUDA runtime / driver", f"{cupy.cuda.runtime.runtimeGetVersion()} / "
                                      f"{cupy.cuda.runtime.driverGetVersion()}"),
            ("CUPY_TF32", os.environ.get("CUPY_TF32", "unset (FP32 GEMMs without TF32)")),
        ]
    smi = shutil.which("nvidia-smi")
    if smi:
        try:
            out = subprocess.run([smi, "--query-gpu=name,driver_version,memory.total,"
                                  "clocks.max.sm", "--format=csv,noheader"],
                                 capture_output=True, text=True, timeout=10).stdout
            rows.append(("nvidia-smi", out.strip().replace("\n", "; ")))
        except (OSError, subprocess.SubprocessError) as exc:
            rows.append(("nvidia-smi", f"failed: {exc}"))
    for name in PACKAGES:
        try:
            rows.append((name, metadata.version(name)))
        except metadata.PackageNotFoundError:
            pass
    rows.append(("cuML importable", "yes" if util.find_spec("cuml") else "no"))
    return rows


# -- stage: tests (run by pytest, this module as its plugin) ----------------------

def gpu_test_files():
    """Test files with gpu-marked tests, plus the strict-device matrix if present."""
    files = []
    for path in sorted((ROOT / "tests").rglob("test_*.py")):
        rel = path.relative_to(ROOT).as_posix()
        if rel == STRICT_DEVICE or re.search(r"mark\.gpu\b", path.read_text(errors="replace")):
            files.append(rel)
    return files


def tests_argv(files, per_test_timeout=60):
    argv = [sys.executable, "-m", "pytest", "-p", "benchmarks.device_kit", "-q", "-rfE",
            "-p", "no:cacheprovider", "--continue-on-collection-errors"]
    if util.find_spec("pytest_timeout") is not None:
        argv += [f"--timeout={per_test_timeout}"]
    return argv + list(files)


def pytest_configure(config):
    """Plugin: set gpuimb's backend for the session (GPUIMB_KIT_BACKEND)."""
    results = os.environ.get("GPUIMB_KIT_RESULTS")
    backend = os.environ.get("GPUIMB_KIT_BACKEND")
    if not results or not backend:
        return
    import gpuimb

    used = backend
    try:
        gpuimb.set_config(backend=backend)
    except ValueError:
        if backend != "array_api":
            raise
        used = "cupy"  # the array-API engine's name before it was renamed
        gpuimb.set_config(backend=used)
    _emit(results, {"kind": "backend", "requested": backend, "used": used})


def pytest_collection_modifyitems(config, items):
    """Plugin: keep gpu-marked tests and the whole strict-device matrix."""
    if os.environ.get("GPUIMB_KIT_SELECT") != "1":
        return
    keep, drop = [], []
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        (keep if path == STRICT_DEVICE or item.get_closest_marker("gpu") else drop).append(item)
    if drop:
        config.hook.pytest_deselected(items=drop)
        items[:] = keep


_PEAK = {"bytes": None}


def _track_pool():
    held = _pool_bytes()
    if held is not None:
        _PEAK["bytes"] = max(held, _PEAK["bytes"] or 0)


def pytest_collectreport(report):
    results = os.environ.get("GPUIMB_KIT_RESULTS")
    if results and report.failed:
        _emit(results, {"kind": "test", "nodeid": report.nodeid, "when": "collect",
                        "outcome": "error", "message": _message(report)})


def pytest_runtest_logreport(report):
    """Plugin: one record per test as it finishes."""
    results = os.environ.get("GPUIMB_KIT_RESULTS")
    if not results:
        return
    if report.when == "call" or report.outcome != "passed":
        outcome = report.outcome
        if report.when != "call" and outcome == "failed":
            outcome = "error"
        record = {"kind": "test", "nodeid": report.nodeid, "when": report.when,
                  "outcome": outcome, "seconds": round(report.duration, 3)}
        if outcome != "passed":
            record["message"] = _message(report)
        _emit(results, record)
    if report.when == "teardown":
        _track_pool()


def _message(report):
    if report.outcome == "skipped" and isinstance(report.longrepr, tuple):
        return str(report.longrepr[2])
    text = getattr(report, "longreprtext", "") or str(report.longrepr or "")
    errors = [line for line in text.splitlines() if line.startswith("E ")]
    return (errors[-1][1:].strip() if errors else (text.strip().splitlines() or [""])[-1])[:400]


def pytest_sessionfinish(session, exitstatus):
    results = os.environ.get("GPUIMB_KIT_RESULTS")
    if results:
        _track_pool()
        _emit(results, {"kind": "session", "exitstatus": int(exitstatus),
                        "peak_pool_bytes": _PEAK["bytes"]})


def summarize_tests(records):
    """Counts by outcome and the list of failures and errors."""
    tests = [r for r in records if r.get("kind") == "test"]
    counts = {}
    for r in tests:
        counts[r["outcome"]] = counts.get(r["outcome"], 0) + 1
    bad = [r for r in tests if r["outcome"] in ("failed", "error")]
    session = next((r for r in records if r.get("kind") == "session"), None)
    backend = next((r for r in records if r.get("kind") == "backend"), None)
    return counts, bad, session, backend


# -- stage: self-kNN against the GEMM floor ---------------------------------------

def _array_module(name):
    """``(xp, synchronize)``: CuPy on the device, or NumPy to try the stage on a CPU."""
    if name == "numpy":
        import numpy

        return numpy, lambda: None
    import cupy

    return cupy, cupy.cuda.Device().synchronize


def stage_knn(emit, rows=1_000_000, features=32, k=5, check_rows=256, tiles=(8192, 16384),
              xp_name="cupy"):
    import numpy as np

    from gpuimb._backends import kneighbors

    xp, sync = _array_module(xp_name)
    X = xp.asarray(np.random.default_rng(0).standard_normal((rows, features),
                                                            dtype=np.float32))
    kneighbors(X[: min(rows, 20_000)], k=k)  # warm-up: kernel compilation
    sync()
    start = time.perf_counter()
    dist, ind = kneighbors(X, k=k)
    sync()
    seconds = time.perf_counter() - start
    emit({"kind": "knn", "rows": rows, "features": features, "k": k,
          "seconds": seconds, "pool_bytes": _pool_bytes()})

    # exactness on a sample: float64 distances to every row, own row excluded
    picked = xp.asarray(np.random.default_rng(1).choice(rows, size=min(check_rows, rows),
                                                         replace=False))
    Xd = X.astype(xp.float64)
    Q = Xd[picked]
    d2 = (Q * Q).sum(1)[:, None] - 2 * (Q @ Xd.T) + (Xd * Xd).sum(1)[None, :]
    d2[xp.arange(picked.shape[0]), picked] = xp.inf
    order = xp.argsort(d2, axis=1)[:, :k]
    best = xp.sqrt(xp.maximum(xp.take_along_axis(d2, order, axis=1), 0))
    gap = float(xp.max(xp.abs(best - dist[picked].astype(xp.float64))))
    same = float(xp.mean((order == ind[picked]).astype(xp.float64)))
    del Xd, Q, d2
    emit({"kind": "knn_check", "rows_checked": int(picked.shape[0]), "max_abs_diff": gap,
          "same_indices": same})

    # FP32 GEMM floor: tiles of the kNN's shape, best achieved rate
    best_rate, shapes = 0.0, []
    for tile in tiles:
        if 2 * tile > rows:
            continue
        A, B = X[:tile], X[tile: 2 * tile]
        C = A @ B.T  # warm-up, and the output buffer
        sync()
        reps = 10
        t0 = time.perf_counter()
        for _ in range(reps):
            xp.matmul(A, B.T, out=C)
        sync()
        elapsed = time.perf_counter() - t0
        rate = 2.0 * tile * tile * features * reps / elapsed
        shapes.append({"tile": tile, "tflops": rate / 1e12})
        best_rate = max(best_rate, rate)
        del A, B, C
    floor = 2.0 * rows * rows * features / best_rate if best_rate else None
    emit({"kind": "gemm", "tiles": shapes, "floor_seconds": floor,
          "ratio": seconds / floor if floor else None, "pool_bytes": _pool_bytes()})


# -- stage: GPU benchmark suite at 1M rows ----------------------------------------

def stage_bench(emit, rows=1_000_000, samplers=BENCH_SAMPLERS, imblearn_timeout=15.0,
                timeout=60.0, device="cuda"):
    import numpy as np

    from benchmarks import data, harness, registry

    # mem_max=5: no extra (memory) call for a library slower than 5 s, i.e.
    # imbalanced-learn at 1M rows, whose second capped call would double its time.
    settings = harness.Settings(repeat=2, timeout=timeout, budget=20, mem_max=5,
                                imblearn_repeat=1, imblearn_timeout=imblearn_timeout)
    dataset = data.synthetic(rows, 2, dtype=np.float32)
    capped = set()
    for name in samplers:
        result = harness.run_case(registry.BY_NAME[name], dataset, settings, device=device,
                                  capped=capped)
        emit({"kind": "bench", "result": result.as_dict(), "pool_bytes": _pool_bytes()})


# -- the report ---------------------------------------------------------------------

def _tests_section(title, stage):
    lines = [f"## {title}", ""]
    records = stage.get("records", [])
    counts, bad, session, backend = summarize_tests(records)
    lines.append(f"- status: {stage['status']}, {stage.get('seconds', 0):.0f} s "
                 f"(limit {stage.get('limit', 0):.0f} s)")
    if backend:
        lines.append(f"- backend: requested {backend['requested']!r}, used {backend['used']!r}")
    if stage.get("files"):
        lines.append(f"- files: {len(stage['files'])} "
                     f"({'with' if STRICT_DEVICE in stage['files'] else 'without'} "
                     f"{STRICT_DEVICE})")
    if counts:
        lines.append("- results: " + ", ".join(f"{v} {k}" for k, v in sorted(counts.items())))
    if session is None and stage["status"] != "skipped":
        lines.append("- the session did not finish: the counts cover the tests that ran")
    if bad:
        lines += ["", "| test | phase | outcome | message |", "|---|---|---|---|"]
        lines += [f"| `{_cell(r['nodeid'], 160)}` | {r['when']} | {r['outcome']} "
                  f"| {_cell(r.get('message', ''))} |" for r in bad[:60]]
        if len(bad) > 60:
            lines.append(f"\n({len(bad) - 60} more failures not shown)")
    return lines


def _knn_section(stage):
    recs = {r["kind"]: r for r in stage.get("records", [])}
    knn, check, gemm = recs.get("knn"), recs.get("knn_check"), recs.get("gemm")
    shape = f"{knn['rows']:,} x {knn['features']}" if knn else "n x d"
    lines = [f"## Self-kNN at {shape} against the FP32 GEMM floor", "",
             f"- status: {stage['status']}, {stage.get('seconds', 0):.0f} s"]
    if knn:
        lines.append(f"- gpuimb brute-force self-kNN, {knn['rows']:,} x {knn['features']} "
                     f"float32, k={knn['k']}: **{knn['seconds']:.3f} s**")
    if check:
        lines.append(f"- exactness: {check['rows_checked']} rows against float64 distances, "
                     f"max |distance difference| {check['max_abs_diff']:.3g}, same neighbour "
                     f"indices {check['same_indices']:.2%}")
    if gemm:
        tiles = ", ".join(f"{t['tile']}x{t['tile']}: {t['tflops']:.3g} TFLOP/s"
                          for t in gemm["tiles"])
        lines.append(f"- FP32 matmul of tiles (tile x {knn['features'] if knn else 'd'} "
                     f"by d x tile): {tiles}")
        if gemm["floor_seconds"]:
            lines.append(f"- GEMM floor for 2 n^2 d FLOP at the best rate: "
                         f"{gemm['floor_seconds']:.3f} s; **kNN / floor = "
                         f"{gemm['ratio']:.2f}**")
    return lines


def _bench_section(stage):
    from benchmarks.harness import Result, markdown_table, target_lines

    results = [Result.from_dict(r["result"]) for r in stage.get("records", [])
               if r.get("kind") == "bench"]
    rows = f"{results[0].n:,}" if results else "n"
    lines = [f"## GPU benchmarks at {rows} rows (float32, gpuimb on "
             f"{'CuPy' if not results or results[0].device == 'cuda' else 'the host'} vs "
             "imbalanced-learn on the host)", "",
             f"- status: {stage['status']}, {stage.get('seconds', 0):.0f} s; imblearn is "
             f"capped at {stage.get('imblearn_timeout', '?')} s per call (ratio then an "
             "upper bound, `< x`); ratio < 1 means gpuimb is faster"]
    if results:
        lines += ["", markdown_table(results)]
        targets = target_lines(results)
        if targets:
            lines += ["", "Targets:", ""] + [f"- {t}" for t in targets]
    return lines


def render(stages, header):
    lines = ["# gpuimb device kit report", "", *header, "", "## Environment", "",
             "| what | value |", "|---|---|"]
    lines += [f"| {a} | {_cell(b)} |" for a, b in stages.get("env", {}).get("rows", [])]
    lines += ["", "## Stages", "", "| stage | status | seconds | limit | CuPy pool peak |",
              "|---|---|---|---|---|"]
    for name, stage in stages.items():
        peaks = [r.get("pool_bytes") or r.get("peak_pool_bytes")
                 for r in stage.get("records", [])]
        peaks = [p for p in peaks if p]
        lines.append(f"| {name} | {_cell(stage['status'], 200)} "
                     f"| {stage.get('seconds', 0):.1f} | {stage.get('limit', 0):.0f} "
                     f"| {_mib(max(peaks)) if peaks else '—'} |")
    for name, stage in stages.items():
        if stage["status"].startswith("skipped"):
            continue
        if name.startswith("tests-"):
            lines += [""] + _tests_section(f"Tests, backend {name[6:]!r}", stage)
        elif name == "knn":
            lines += [""] + _knn_section(stage)
        elif name == "bench":
            lines += [""] + _bench_section(stage)
        if stage["status"] != "ok" and stage.get("output"):
            tail = "\n".join(stage["output"].strip().splitlines()[-15:])
            lines += ["", f"<details><summary>{name}: last output lines</summary>", "",
                      "```", tail, "```", "</details>"]
    return "\n".join(lines) + "\n"


# -- orchestration ------------------------------------------------------------------

def _child(args):
    """Run one in-process stage (``--child NAME``), writing records to ``--records``."""
    def emit(record):
        _emit(args.records, record)

    if args.child == "knn":
        stage_knn(emit, rows=args.rows, features=args.features, xp_name=args.xp)
    elif args.child == "bench":
        stage_bench(emit, rows=args.rows, samplers=args.samplers,
                    imblearn_timeout=args.imblearn_timeout,
                    device="host" if args.xp == "numpy" else "cuda")
    else:
        raise SystemExit(f"unknown child stage {args.child!r}")


def run_kit(args):
    start = time.perf_counter()
    deadline = start + args.budget
    stages = {}
    gpu, what = cuda_device()
    scratch = Path(tempfile.mkdtemp(prefix="gpuimb-kit-"))
    for name in args.stages:
        limit = min(args.limits.get(name, STAGES[name]), deadline - time.perf_counter())
        stage = {"status": "", "limit": max(limit, 0), "records": []}
        stages[name] = stage
        if name == "env":
            t0 = time.perf_counter()
            try:
                stage["rows"] = environment()
                stage["status"] = "ok"
            except Exception as exc:  # noqa: BLE001 - reported, not fatal
                stage["status"] = f"error: {type(exc).__name__}: {exc}"
            stage["seconds"] = time.perf_counter() - t0
            continue
        if name in GPU_STAGES and not gpu and not args.force:
            stage["status"] = f"skipped: {what}"
            continue
        if limit < 10:
            stage["status"] = "skipped: no time left in the budget"
            continue
        records = scratch / f"{name}.jsonl"
        if name.startswith("tests-"):
            files = args.test_files or gpu_test_files()
            stage["files"] = files
            argv = tests_argv(files)
            env = {"GPUIMB_KIT_RESULTS": str(records), "GPUIMB_KIT_BACKEND": name[6:],
                   "GPUIMB_KIT_SELECT": "1" if not args.test_files else "0"}
        else:
            argv = [sys.executable, "-m", "benchmarks.device_kit", "--child", name,
                    "--records", str(records), "--rows", str(args.rows),
                    "--features", str(args.features),
                    "--imblearn-timeout", str(args.imblearn_timeout),
                    "--samplers", ",".join(args.samplers), "--xp", args.xp]
            env = {}
            stage["imblearn_timeout"] = args.imblearn_timeout
        print(f"[device kit] {name}: up to {limit:.0f} s", file=sys.stderr, flush=True)
        status, seconds, output = run_stage(argv, limit, env)
        if name.startswith("tests-") and status == "exit 1":
            status = "ok (test failures)"  # pytest's code for "some tests failed"
        stage.update(status=status, seconds=seconds, output=output, records=_read(records))
    shutil.rmtree(scratch, ignore_errors=True)
    total = time.perf_counter() - start
    header = [f"- command: `{args.command}`",
              f"- wall time: {total:.0f} s (budget {args.budget:.0f} s)",
              f"- device: {what if gpu else 'none: ' + what}"]
    return render(stages, header)


def _csv(text):
    return [v for v in text.split(",") if v]


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(prog="python -m benchmarks.device_kit",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("device_report.md"),
                        help="markdown report to write")
    parser.add_argument("--budget", type=float, default=450.0,
                        help="seconds for all stages together")
    parser.add_argument("--stages", type=_csv, default=list(STAGES),
                        help=f"comma-separated, in order (default {','.join(STAGES)})")
    parser.add_argument("--limit", action="append", default=[], metavar="STAGE=S",
                        help="replace one stage's time limit, e.g. --limit bench=200")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--features", type=int, default=32, help="kNN stage features")
    parser.add_argument("--samplers", type=_csv, default=list(BENCH_SAMPLERS))
    parser.add_argument("--imblearn-timeout", type=float, default=15.0)
    parser.add_argument("--test-files", type=_csv, default=None,
                        help="run these test files whole instead of the gpu selection")
    parser.add_argument("--force", action="store_true",
                        help="run the GPU stages even without a CUDA device (debugging)")
    parser.add_argument("--xp", choices=("cupy", "numpy"), default="cupy",
                        help="numpy runs the knn and bench stages on the host "
                             "(with --force: tries the kit on a machine without a GPU)")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--records", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        _child(args)
        return
    unknown = [s for s in args.stages if s not in STAGES]
    if unknown:
        parser.error(f"unknown stage(s) {unknown}; known: {list(STAGES)}")
    args.limits = {}
    for item in args.limit:
        name, _, seconds = item.partition("=")
        if name not in STAGES:
            parser.error(f"--limit {item!r}: unknown stage")
        args.limits[name] = float(seconds)
    args.command = "python -m benchmarks.device_kit " + " ".join(argv)
    report = run_kit(args)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
