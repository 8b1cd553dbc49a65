"""The suites: which datasets, at which sizes, with which patience."""

import os
import platform
import sys

import numpy as np

from benchmarks import data, registry
from benchmarks.harness import Settings

SUITES = {
    # 2 cores: the quick suite stays under 10 minutes thanks to the per-call cap
    # (a library slower than `timeout` at 10k is not run again at 50k).
    "quick": dict(datasets=((10_000, 2), (10_000, 3), (50_000, 2)), keel=False,
                  settings=Settings(repeat=3, timeout=15, budget=4, mem_max=1.5)),
    "full": dict(datasets=tuple((n, k) for n in (10_000, 50_000, 200_000)
                                for k in (2, 3)), keel=True,
                 settings=Settings(repeat=5, timeout=600, budget=60, mem_max=30)),
    # CuPy arrays for gpuimb, the same float32 data on the host for imblearn;
    # sizes per sampler come from registry.GPU_SIZES.
    "gpu": dict(datasets=None, keel=False,
                settings=Settings(repeat=3, timeout=600, budget=60, mem_max=60,
                                  imblearn_repeat=1, imblearn_timeout=300)),
}


def plan(suite, entries, sizes=None, classes=None, keel=None):
    """Return ``[(entry, dataset_key, device)]``, smallest datasets first.

    ``sizes`` and ``classes`` replace the suite's datasets by their cross product.
    """
    spec = SUITES[suite]
    device = "cuda" if suite == "gpu" else "host"
    dtype = np.float32 if suite == "gpu" else np.float64
    cases = []
    for entry in entries:
        if sizes or classes:
            default_sizes = sorted({n for n, _ in spec["datasets"] or ()})
            default_classes = sorted({k for _, k in spec["datasets"] or ((0, 2),)})
            if suite == "gpu":
                default_sizes = registry.GPU_SIZES.get(entry.name, ())
            pairs = [(n, k) for n in (sizes or default_sizes)
                     for k in (classes or default_classes)]
        elif suite == "gpu":
            pairs = [(n, 2) for n in registry.GPU_SIZES.get(entry.name, ())]
        else:
            pairs = spec["datasets"]
        cases += [(n, k, entry) for n, k in pairs]
    # Small n first, so that a cap hit at 10k carries over to 50k.
    order = [entry.name for entry in entries]
    cases.sort(key=lambda c: (c[0], c[1], order.index(c[2].name)))
    out = [(entry, ("synthetic", n, k, dtype), device) for n, k, entry in cases]
    if keel if keel is not None else spec["keel"]:
        out += [(entry, ("keel", name), "host") for name in data.KEEL
                for entry in entries]
    return out


def load(key, cache):
    """Build (once) the dataset named by a plan key; ``(dataset, note)``."""
    if key not in cache:
        if key[0] == "synthetic":
            _, n, k, dtype = key
            cache.clear()  # keep one large dataset in memory at a time
            cache[key] = (data.synthetic(n, k, dtype=dtype), "")
        else:
            cache[key] = data.keel(key[1])
    return cache[key]


def machine(device="host"):
    """A one-paragraph description of the machine and library versions."""
    import imblearn
    import sklearn

    import gpuimb

    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count()
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    text = (f"{cpu}, {cores} cores available (load average at start {load}); "
            f"Python {sys.version.split()[0]}, "
            f"numpy {np.__version__}, scikit-learn {sklearn.__version__}, "
            f"imbalanced-learn {imblearn.__version__}, gpuimb {gpuimb.__version__}")
    if device != "host":
        import cupy
        props = cupy.cuda.runtime.getDeviceProperties(0)
        name = props["name"]
        name = name.decode() if isinstance(name, bytes) else name
        text += f"; GPU {name}, CuPy {cupy.__version__}"
    return text
