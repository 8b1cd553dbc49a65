"""gpuimb: imbalanced-learn's samplers on the GPU when the data is there.

Importing gpuimb imports neither scikit-learn nor any GPU library; CuPy, cuML
and cuDF are imported only when data that needs them arrives.
"""

from gpuimb._config import config_context, get_config, set_config

__version__ = "0.1.0"

__all__ = ["FunctionSampler", "config_context", "get_config", "set_config",
           "__version__"]


# Sub-packages reachable as attributes (``gpuimb.metrics``), imported on first use.
_LAZY_SUBMODULES = ("datasets", "keras", "metrics", "model_selection", "tensorflow",
                    "torch", "utils")


def __getattr__(name):
    # FunctionSampler pulls in scikit-learn; load it on first use only.
    if name == "FunctionSampler":
        from gpuimb._function_sampler import FunctionSampler

        return FunctionSampler
    if name in _LAZY_SUBMODULES:
        import importlib

        return importlib.import_module(f"gpuimb.{name}")
    raise AttributeError(f"module 'gpuimb' has no attribute {name!r}")
