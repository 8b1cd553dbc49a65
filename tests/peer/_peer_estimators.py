"""gpuimb's public estimators, listed as imbalanced-learn's ``all_estimators`` lists its own.

Copied next to the peer tests (the rewritten instance generator imports
``all_estimators`` from here) and imported by ``test_peer_suite``.
"""

import importlib
import inspect
import pkgutil
from operator import itemgetter

from sklearn.base import BaseEstimator


def all_estimators(type_filter=None):
    """``[(name, class), ...]`` of gpuimb's public, concrete estimators, sorted by name.

    Parameters
    ----------
    type_filter : {"sampler", ["sampler"]} or None, default=None
        Keep only the samplers.

    Returns
    -------
    estimators : list of tuple
        Class name and class.
    """
    import gpuimb
    from gpuimb.base import SamplerMixin

    modules = [gpuimb]
    for info in pkgutil.walk_packages(gpuimb.__path__, prefix="gpuimb."):
        parts = info.name.split(".")
        if "tests" in parts or any(part.startswith("_") for part in parts):
            continue
        try:
            modules.append(importlib.import_module(info.name))
        except ImportError:  # an optional dependency (dask, tensorflow...) is missing
            continue
    found = set()
    for module in modules:
        names = getattr(module, "__all__", None) or [
            name for name, _ in inspect.getmembers(module, inspect.isclass)]
        for name in names:
            obj = getattr(module, name, None)
            if (inspect.isclass(obj) and not name.startswith("_")
                    and issubclass(obj, BaseEstimator)
                    and obj.__module__.startswith("gpuimb")
                    and not inspect.isabstract(obj)):
                found.add((name, obj))
    if type_filter is not None:
        if type_filter not in ("sampler", ["sampler"]):
            raise ValueError(
                f"Parameter type_filter must be 'sampler' or None, got {type_filter!r}.")
        found = {(name, cls) for name, cls in found if issubclass(cls, SamplerMixin)}
    return sorted(found, key=itemgetter(0))
