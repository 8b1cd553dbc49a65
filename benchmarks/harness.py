"""Time gpuimb against imbalanced-learn, side by side, in one process.

For each (sampler, dataset) case:

1. warm-up: both libraries resample a strided subset of 1000 rows once
   (imports, caches, CUDA kernel compilation), untimed;
2. timing: ``repeat`` rounds, interleaved gpuimb, imblearn, gpuimb, imblearn, ...,
   on the same arrays, each call a fresh sampler; medians are reported. A call
   slower than ``timeout`` seconds is stopped (SIGALRM) and that library is not
   called again for the case (nor at larger n of the same sampler); rounds stop
   early once a case has used ``budget`` seconds, after at least one round;
3. memory: one more call each, under ``tracemalloc`` on the host (numpy,
   scipy and Python allocations; not BLAS scratch buffers) or a CuPy memory-pool
   hook on the device, skipped when that library's median exceeded ``mem_max``
   seconds.
"""

import re
import signal
import statistics
import time
import tracemalloc
import warnings
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from functools import partial

LIBS = ("gpuimb", "imblearn")
WARMUP_ROWS = 1000
WARMUP_TIMEOUT = 10.0  # seconds


class CaseTimeout(BaseException):
    """Raised by the alarm; a BaseException so samplers cannot swallow it."""


@contextmanager
def time_limit(seconds):
    """Interrupt the block after ``seconds`` (POSIX only; no limit elsewhere)."""
    if not seconds or not hasattr(signal, "SIGALRM"):
        yield
        return

    def on_alarm(signum, frame):
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@dataclass
class Settings:
    """How hard to try on each case."""

    repeat: int = 3
    timeout: float = 30.0  # seconds, one call
    budget: float = 10.0  # seconds, whole case, before skipping further rounds
    mem_max: float = 2.0  # seconds; slower libraries get no memory run
    imblearn_repeat: int | None = None  # cap imblearn's rounds (GPU suite)
    imblearn_timeout: float | None = None
    # "interleaved": the libraries alternate call by call; "blocked": each
    # library's rounds back to back (no call follows the other library's, whose
    # OpenMP threads may still spin: benchmarks/RESULTS.md, KEEL fifth round).
    order: str = "interleaved"


@dataclass
class Result:
    """One row of the results table."""

    sampler: str
    dataset: str
    n: int
    d: int
    classes: int
    device: str = "host"
    times: dict = field(default_factory=lambda: {lib: [] for lib in LIBS})
    status: dict = field(default_factory=lambda: {lib: "ok" for lib in LIBS})
    peak_bytes: dict = field(default_factory=lambda: {lib: None for lib in LIBS})
    n_out: dict = field(default_factory=lambda: {lib: None for lib in LIBS})
    engine: str = ""
    note: str = ""

    def median(self, lib):
        return statistics.median(self.times[lib]) if self.times[lib] else None

    @property
    def ratio(self):
        g, i = self.median("gpuimb"), self.median("imblearn")
        return g / i if g is not None and i else None

    @classmethod
    def from_dict(cls, row):
        """Rebuild a result saved by :meth:`as_dict`."""
        fields = {k: v for k, v in row.items() if k not in ("median", "ratio")}
        return cls(**fields)

    def as_dict(self):
        out = asdict(self)
        out["median"] = {lib: self.median(lib) for lib in LIBS}
        out["ratio"] = self.ratio
        return out


# -- devices -------------------------------------------------------------------

def _no_sync():
    pass


def device_tools(device):
    """Return ``(to_device, sync, peak_bytes)`` for gpuimb's input on ``device``."""
    if device == "host":
        return (lambda a: a), _no_sync, host_peak
    if device == "array_api_strict":  # stand-in for a device in tests, no GPU
        import array_api_strict

        return array_api_strict.asarray, _no_sync, host_peak
    import cupy

    def sync():
        cupy.cuda.Device().synchronize()

    return cupy.asarray, sync, cupy_peak


def host_peak(fn):
    """Peak bytes traced by ``tracemalloc`` while ``fn()`` runs."""
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def cupy_peak(fn):
    """Peak bytes held from CuPy's memory pool while ``fn()`` runs.

    Counts what CuPy allocates (arrays, kNN tiles); memory that cuML takes
    through RMM outside CuPy's pool is not seen.
    """
    import cupy

    class PeakHook(cupy.cuda.MemoryHook):
        name = "gpuimb-benchmarks-peak"

        def __init__(self):
            self.used = self.peak = 0

        def malloc_postprocess(self, **kwargs):
            self.used += kwargs["mem_size"]
            self.peak = max(self.peak, self.used)

        def free_postprocess(self, **kwargs):
            self.used -= kwargs["mem_size"]

    with PeakHook() as hook:
        fn()
        cupy.cuda.Device().synchronize()
    return hook.peak


# -- one case --------------------------------------------------------------------

def _prepare(entry, dataset):
    X = entry.prepare(dataset.X) if entry.prepare else dataset.X
    return X, dataset.y


def run_case(entry, dataset, settings, device="host", capped=None):
    """Benchmark one sampler on one dataset; return a :class:`Result`.

    ``capped`` is a set of ``(sampler, dataset name, lib)`` that timed out at a
    smaller n in this run; those libraries are skipped (and the set is updated).
    """
    capped = set() if capped is None else capped
    gpu_cls, imb_cls, missing = entry.classes()
    result = Result(entry.name, dataset.name, dataset.n, dataset.d,
                    dataset.n_classes, device=device)
    if missing:
        result.status = {lib: "missing" for lib in LIBS}
        result.note = missing
        return result

    to_device, sync, peak = device_tools(device)
    X, y = _prepare(entry, dataset)
    params = entry.resolved_params(X.shape)
    inputs = {"gpuimb": (to_device(X), to_device(y)), "imblearn": (X, y)}
    classes = {"gpuimb": gpu_cls, "imblearn": imb_cls}
    syncs = {"gpuimb": sync, "imblearn": _no_sync}
    peaks = {"gpuimb": peak, "imblearn": host_peak}
    timeouts = {"gpuimb": settings.timeout,
                "imblearn": settings.imblearn_timeout or settings.timeout}
    rounds = {"gpuimb": settings.repeat,
              "imblearn": min(settings.repeat, settings.imblearn_repeat or
                              settings.repeat)}
    last = {}

    def call(lib, Xl, yl):
        sampler = classes[lib](**params)
        with warnings.catch_warnings():  # same warnings from both, every round
            warnings.simplefilter("ignore")
            out = sampler.fit_resample(Xl, yl)
        syncs[lib]()
        last[lib] = (sampler, out[0].shape[0])

    for lib in LIBS:
        if (entry.name, dataset.name, lib) in capped:
            result.status[lib] = f"capped (> {timeouts[lib]:g} s at smaller n)"

    # 1. warm-up on a small subset; its failures are not reported (a sampler may
    # legitimately refuse so few rows): the timed calls show real errors.
    Xs, ys = _prepare(entry, dataset.subsample(WARMUP_ROWS))
    for lib in LIBS:
        if result.status[lib] != "ok":
            continue
        Xw, yw = (Xs, ys) if lib == "imblearn" else (to_device(Xs), to_device(ys))
        try:
            with time_limit(min(timeouts[lib], WARMUP_TIMEOUT)):
                call(lib, Xw, yw)
        except (CaseTimeout, Exception):
            pass
    last.clear()

    # 2. timed rounds, interleaved (or blocked, see Settings.order)
    def timed(lib):
        t0 = time.perf_counter()
        try:
            with time_limit(timeouts[lib]):
                call(lib, *inputs[lib])
            result.times[lib].append(time.perf_counter() - t0)
        except CaseTimeout:
            result.status[lib] = f"> {timeouts[lib]:g} s (capped)"
            capped.add((entry.name, dataset.name, lib))
        except Exception as exc:  # noqa: BLE001 - reported in the table
            result.status[lib] = f"error: {type(exc).__name__}: {exc}"[:160]

    if settings.order == "blocked":
        groups, budget = [[lib] for lib in LIBS], settings.budget / len(LIBS)
    else:
        groups, budget = [list(LIBS)], settings.budget
    for libs in groups:
        start = time.perf_counter()
        for r in range(max(rounds.values())):
            for lib in libs:
                if result.status[lib] == "ok" and r < rounds[lib]:
                    timed(lib)
            if time.perf_counter() - start > budget:
                break

    # 3. peak memory, one extra call each
    for lib in LIBS:
        median = result.median(lib)
        if median is None or median > settings.mem_max:
            continue
        try:
            with time_limit(timeouts[lib]):
                result.peak_bytes[lib] = peaks[lib](partial(call, lib, *inputs[lib]))
        except (CaseTimeout, Exception):
            pass  # the table shows "—"

    for lib in LIBS:
        if lib in last:
            result.n_out[lib] = int(last[lib][1])
    if "gpuimb" in last:
        result.engine = str(getattr(last["gpuimb"][0], "engine_", "?"))
    if None not in result.n_out.values() and len(set(result.n_out.values())) > 1:
        result.note = (f"row counts differ: gpuimb {result.n_out['gpuimb']}, "
                       f"imblearn {result.n_out['imblearn']}")
    return result


# -- formatting ------------------------------------------------------------------

def fmt_time(seconds):
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_bytes(nbytes):
    return "—" if nbytes is None else f"{nbytes / 2**20:.1f} MiB"


def fmt_ratio(result):
    value, exact = _ratio_bound(result)
    if value is None:
        return "—"
    return f"{value:.3g}" if exact else f"< {value:.2g}"  # imblearn hit its cap


def _cell(result, lib):
    if result.times[lib]:
        return fmt_time(result.median(lib))
    status = result.status[lib]
    return "error (see note)" if status.startswith("error") else status.replace(
        "ok", "—")


HEADER = ("| sampler | dataset | n | d | classes | gpuimb time | imblearn time "
          "| ratio (g/i) | gpuimb peak | imblearn peak | engine | note |")


def markdown_table(results):
    """The results as one markdown table (medians; ratio < 1 means gpuimb faster)."""
    lines = [HEADER, "|" + "---|" * (HEADER.count("|") - 1)]
    for r in results:
        if r.status["gpuimb"] == "missing":
            continue
        notes = [r.note] if r.note else []
        notes += [f"{lib}: {s}" for lib, s in r.status.items()
                  if s.startswith("error")]
        rounds = {lib: len(r.times[lib]) for lib in LIBS}
        notes.append("runs g/i: {gpuimb}/{imblearn}".format(**rounds))
        peak_g = fmt_bytes(r.peak_bytes["gpuimb"])
        if r.device == "cuda" and r.peak_bytes["gpuimb"] is not None:
            peak_g += " (device)"
        lines.append(
            f"| {r.sampler} | {r.dataset} | {r.n} | {r.d} | {r.classes} "
            f"| {_cell(r, 'gpuimb')} | {_cell(r, 'imblearn')} | {fmt_ratio(r)} "
            f"| {peak_g} | {fmt_bytes(r.peak_bytes['imblearn'])} "
            f"| {r.engine or '—'} | {'; '.join(notes)} |"
        )
    return "\n".join(lines)


def missing_note(results):
    """One line naming the samplers gpuimb does not provide yet."""
    names = sorted({r.sampler for r in results if r.status["gpuimb"] == "missing"})
    return f"Not yet in gpuimb (skipped): {', '.join(names)}." if names else ""


# -- targets (issue 6) -----------------------------------------------------------

def imblearn_floor(result):
    """Seconds imblearn took at least, when it was capped (here or at smaller n).

    A cap at a smaller n counts too: no sampler gets faster with more rows.
    """
    match = re.search(r"> ([0-9.]+) s", result.status["imblearn"])
    return float(match.group(1)) if match else None


def _ratio_bound(result):
    """``(value, exact)``: the ratio, or an upper bound when imblearn was capped."""
    g, i = result.median("gpuimb"), result.median("imblearn")
    if g is not None and i:
        return g / i, True
    if g is not None and imblearn_floor(result):
        return g / imblearn_floor(result), False
    return None, False


def _verdict(result, limit, what):
    value, exact = _ratio_bound(result)
    head = f"{result.sampler}, {result.dataset}, n={result.n}: {what}"
    if value is None:
        return f"{head} — not determined (gpuimb {result.status['gpuimb']}, " \
               f"imblearn {result.status['imblearn']})"
    shown = (f"ratio {value:.3g}" if exact
             else f"ratio < {value:.3g} (imblearn capped)")
    if value <= limit:
        return f"{head} — **met** ({shown})"
    if not exact:
        return f"{head} — not determined ({shown})"
    by = (f"{(value / limit - 1) * 100:.0f}%" if value < 2 * limit
          else f"{value / limit:.2g}×")
    return f"{head} — **missed** by {by} ({shown})"


def target_lines(results):
    """Check the issue's targets against whatever cases ``results`` contain."""
    lines = []
    for r in results:
        if r.status["gpuimb"] == "missing":
            continue
        synthetic = r.dataset.startswith("synthetic")
        if r.device == "host" and synthetic and r.n == 50_000:
            lines.append(_verdict(r, 1.0, "ratio ≤ 1"))
        if r.device == "host" and synthetic and r.n == 10_000:
            if r.sampler == "CondensedNearestNeighbour":
                lines.append(_verdict(r, 0.01, "≥ 100× faster (ratio ≤ 0.01)"))
            if r.sampler == "NearMiss-2":
                lines.append(_verdict(r, 0.05, "≥ 20× faster (ratio ≤ 0.05)"))
        if r.device != "host" and r.n == 1_000_000 and r.sampler != "RandomOverSampler" \
                and r.sampler != "RandomUnderSampler":
            lines.append(_verdict(r, 0.02, "≥ 50× faster (ratio ≤ 0.02)"))
        if r.device != "host" and r.sampler == "SMOTE" and r.n == 10_000_000:
            g = r.median("gpuimb")
            met = g is not None and g < 1.0
            lines.append(f"SMOTE, {r.dataset}, n={r.n}: under 1 s on the GPU — "
                         f"{'**met**' if met else '**missed**'} (gpuimb {fmt_time(g)})")
    return lines
