"""gpuimb: imbalanced-learn's samplers on the GPU when the data is there.

Importing gpuimb imports neither scikit-learn nor any GPU library; CuPy, cuML
and cuDF are imported only when data that needs them arrives. The subpackages
(``gpuimb.over_sampling``, ``gpuimb.under_sampling``, ``gpuimb.combine``,
``gpuimb.pipeline``, ...) load on first attribute access.

Each ``fit_resample`` logs one INFO line (sampler, engine, device, rows in and
out, seconds) on the ``"gpuimb"`` logger; ``logging.basicConfig(level="INFO")``
shows it.
"""

import importlib
import logging

from gpuimb._config import config_context, get_config, set_config

__version__ = "0.1.0"

logging.getLogger("gpuimb").addHandler(logging.NullHandler())

# Sub-packages reachable as attributes (``gpuimb.metrics``), imported on first use.
_SUBMODULES = ("combine", "datasets", "ensemble", "keras", "metrics", "model_selection",
               "over_sampling", "pipeline", "plotting", "tensorflow", "torch",
               "under_sampling", "utils")

__all__ = ["FunctionSampler", "config_context", "get_config", "set_config",
           "show_versions", "__version__", *_SUBMODULES]


def __getattr__(name):
    # FunctionSampler and the subpackages pull in scikit-learn; load them on first use.
    if name == "FunctionSampler":
        from gpuimb._function_sampler import FunctionSampler

        return FunctionSampler
    if name == "show_versions":
        from gpuimb._show_versions import show_versions

        return show_versions
    if name in _SUBMODULES:
        return importlib.import_module(f"gpuimb.{name}")
    raise AttributeError(f"module 'gpuimb' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__))
