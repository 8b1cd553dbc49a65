"""The engines by name, and the rule that picks one for the data.

This module imports no engine: the configuration reads :data:`ENGINE_NAMES`
without loading scikit-learn, and :func:`engine_class` imports an engine's
module on first use.
"""

import importlib

# name -> (module, class). Registration order is the order of the docs.
_ENGINES = {
    "sklearn": ("gpuimb._backends._sklearn", "SklearnEngine"),
    "cuml": ("gpuimb._backends._cuml", "CumlEngine"),
    "array_api": ("gpuimb._backends._array_api", "ArrayApiEngine"),
}
# Other names users may ask for: "cupy" is the array-API engine on CuPy data
# (CuPy's own kernels rather than cuML's).
ALIASES = {"cupy": "array_api"}

ENGINE_NAMES = tuple(_ENGINES)
BACKENDS = ("auto", *ENGINE_NAMES, *ALIASES)

__all__ = ["ALIASES", "BACKENDS", "ENGINE_NAMES", "engine_class", "get_engine"]


def engine_class(name):
    """Return the engine class registered as ``name`` (an engine or alias name)."""
    name = ALIASES.get(name, name)
    if name not in _ENGINES:
        raise ValueError(f"backend must be one of {BACKENDS}; got {name!r}.")
    module, cls = _ENGINES[name]
    return getattr(importlib.import_module(module), cls)


def get_engine(xp, *, sparse=False, backend=None):
    """Return the engine that answers kNN, k-means and classifier requests.

    Parameters
    ----------
    xp : module
        Array namespace of the data (NumPy, CuPy, ``array_api_strict``...).
    sparse : bool, default=False
        The data is a SciPy sparse matrix (device sparse data is moved to the
        host before it reaches an engine).
    backend : str, default=None
        ``"auto"``, an engine name of :data:`ENGINE_NAMES` or an alias; None
        reads ``get_config()["backend"]``.

    Returns
    -------
    engine : Engine
        Its ``name`` is the engine that runs; ``ran`` lists what answered.

    Raises
    ------
    ImportError
        The requested engine's library is not importable (the message names
        the package to install); never silently replaced by another engine.
    ValueError
        Unknown name, or an engine that cannot run on such data.
    """
    from gpuimb._config import get_config

    from ..utils._array_api import is_cupy_namespace, is_host_namespace, module_available

    if backend is None:
        backend = get_config()["backend"]
    if backend == "auto":
        # Host data: scikit-learn (imbalanced-learn's own estimators, the parity
        # reference). CuPy: cuML when importable, else the array-API engine on
        # CuPy. Any other array-API namespace: the array-API engine.
        if is_host_namespace(xp) or sparse:
            return engine_class("sklearn")(xp, brute_force="never" if sparse else "auto")
        if is_cupy_namespace(xp) and module_available("cuml"):
            return engine_class("cuml")(xp)
        return engine_class("array_api")(xp)
    cls = engine_class(backend)
    cls.check_available()
    if backend == "cupy":
        if not module_available("cupy"):
            raise ImportError(
                "backend='cupy' runs the array-API engine on CuPy arrays and needs "
                "CuPy, which is not importable. Install it with "
                f"{cls.install_hint}, or use backend='array_api'."
            )
        if not is_cupy_namespace(xp):
            raise ValueError(
                "backend='cupy' runs on CuPy arrays; got arrays of "
                f"{getattr(xp, '__name__', xp)}. Move the data with cupy.asarray, "
                "or use backend='array_api' to run the same engine on these arrays."
            )
    cls.check_data(xp, sparse)
    return cls(xp)
