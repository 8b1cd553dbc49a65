"""List the samplers gpuimb provides."""

import importlib

_MODULES = ("gpuimb.over_sampling", "gpuimb.under_sampling", "gpuimb.combine")


def all_samplers():
    """Return ``[(name, class), ...]`` for every public sampler, sorted by name.

    Returns
    -------
    samplers : list of tuple
        Class name and class of each sampler, ``FunctionSampler`` included.
    """
    found = {}
    for module_name in _MODULES:
        module = importlib.import_module(module_name)
        for name in getattr(module, "__all__", []):
            found[name] = getattr(module, name)
    from gpuimb._function_sampler import FunctionSampler

    found["FunctionSampler"] = FunctionSampler
    return sorted(found.items())
