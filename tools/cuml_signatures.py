"""Record the parts of cuML's API that gpuimb relies on, from an installed cuML.

gpuimb builds cuML estimators in its cuML engine (``gpuimb/_backends``) and
reads a few fitted attributes from them. No GPU is needed to see their
signatures: cuML imports on a CPU-only machine when ``RAPIDS_NO_INITIALIZE=1``
is set. This script, run in an environment where cuML is installed, writes (or
updates) one entry per cuML version of ``tests/backends/cuml_signatures.json``:

- each class's ``__init__`` parameters (name, kind, default), whether it takes
  ``**kwargs``, and whether ``output_type`` is one of its parameters;
- the signatures of the methods gpuimb calls (``fit``, ``kneighbors``, ...);
- fitted attributes: those named in the class docstring's "Attributes"
  section, those the class source assigns (``self.name_ = ...``) or declares
  at class level, and, for the attributes gpuimb reads, whether any of those
  sources has them (fitting needs a GPU, so they cannot be observed).

The test ``tests/backends/test_cuml_signatures.py`` checks every keyword gpuimb
passes to a cuML constructor against every recorded version, and, where cuML
is importable, that the live signatures still match the recorded ones.

The committed snapshot was made on 2026-11-30 from four releases, each installed
in its own virtual environment with Python 3.11 and the ``[dask]`` extra:
cuml-cu12 26.10.0 and cuml-cu13 26.10.0 (the newest on PyPI), cuml-cu12 25.10.0
and cuml-cu13 25.10.0 (the oldest with real wheels on PyPI; cuml-cu12 25.02 to
25.08, which the ``cuda12`` extra also allows, exist there only as stub packages
that download the wheel from pypi.nvidia.com, so they are not covered). cuML
25.10 does not import beside scikit-learn 1.9, which pip installs with it
(AttributeError: BaseEstimator has no ``_get_default_requests``): those two
environments had scikit-learn 1.7.2. The JSON says, per entry, which package
and version it came from.

Usage::

    python3 -m venv /tmp/venv-cuml && /tmp/venv-cuml/bin/pip install "cuml-cu12[dask]"
    RAPIDS_NO_INITIALIZE=1 /tmp/venv-cuml/bin/python tools/cuml_signatures.py \\
        [--out tests/backends/cuml_signatures.json] [--print]

An existing entry for the same version and package is replaced; entries for
other versions are kept.
"""

import argparse
import datetime
import importlib
import inspect
import json
import math
import os
import re
import sys
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "tests" / "backends" / "cuml_signatures.json"

# Class path as gpuimb imports it -> methods gpuimb calls, fitted attributes it reads.
CLASSES = {
    "cuml.neighbors.NearestNeighbors": {
        "methods": ["fit", "kneighbors", "get_params", "set_params"],
        "attributes": [],
    },
    "cuml.neighbors.KNeighborsClassifier": {
        "methods": ["fit", "predict", "predict_proba", "kneighbors", "get_params",
                    "set_params"],
        "attributes": ["classes_"],
    },
    "cuml.cluster.KMeans": {
        "methods": ["fit", "predict", "fit_predict", "get_params", "set_params"],
        "attributes": ["cluster_centers_", "labels_"],
    },
    "cuml.svm.SVC": {
        "methods": ["fit", "get_params", "set_params"],
        "attributes": ["support_", "n_support_", "classes_"],
    },
    "cuml.ensemble.RandomForestClassifier": {
        "methods": ["fit", "predict", "predict_proba", "get_params", "set_params"],
        "attributes": ["classes_"],
    },
    "cuml.dask.neighbors.NearestNeighbors": {
        "methods": ["fit", "kneighbors"],
        "attributes": [],
    },
    "cuml.dask.cluster.KMeans": {
        "methods": ["fit", "predict", "fit_predict"],
        "attributes": ["cluster_centers_", "labels_"],
    },
}

# Functions gpuimb may call to choose cuML's output type.
FUNCTIONS = ["cuml.using_output_type", "cuml.set_global_output_type"]

_JSON_SCALARS = (bool, int, float, str, type(None))


def _default(value):
    """A JSON-safe form of a parameter default."""
    if isinstance(value, _JSON_SCALARS) and not (
        isinstance(value, float) and not math.isfinite(value)
    ):
        return value
    return {"repr": repr(value)}


def describe_signature(func):
    """``{"parameters": [...], "var_keyword": bool, "var_positional": bool}``."""
    sig = inspect.signature(func)
    params, var_kw, var_pos = [], False, False
    for i, p in enumerate(sig.parameters.values()):
        if i == 0 and p.name == "self":
            continue
        if p.kind is p.VAR_KEYWORD:
            var_kw = True
            continue
        if p.kind is p.VAR_POSITIONAL:
            var_pos = True
            continue
        entry = {"name": p.name, "kind": p.kind.name}
        if p.default is not p.empty:
            entry["default"] = _default(p.default)
        params.append(entry)
    return {"parameters": params, "var_keyword": var_kw, "var_positional": var_pos}


_SECTION = re.compile(r"^\s*Attributes\s*\n\s*-{3,}\s*\n(.*?)(?=^\s*\w[\w ]*\n\s*-{3,}\s*$|\Z)",
                      re.S | re.M)


def documented_attributes(cls):
    """Names listed in the numpydoc "Attributes" section of the class docstring."""
    match = _SECTION.search(inspect.getdoc(cls) or "")
    if not match:
        return []
    return sorted(set(re.findall(r"^(\w+)\s*:", match.group(1), re.M)))


def _module_source(module_name):
    """Text of a module's .py or .pyx file, or "" when neither ships."""
    module = sys.modules.get(module_name) or importlib.import_module(module_name)
    path = getattr(module, "__file__", None)
    if not path:
        return ""
    path = Path(path)
    candidates = [path] if path.suffix == ".py" else []
    stem = path.name.split(".", 1)[0]
    candidates += [path.with_name(stem + ".pyx"), path.with_name(stem + ".py")]
    for candidate in candidates:
        if candidate.is_file():
            return candidate.read_text(errors="replace")
    return ""


def _class_body(source, name):
    """The text of ``class name`` (or ``cdef class name``) up to the next top-level line."""
    match = re.search(rf"^(?:cdef\s+)?class\s+{re.escape(name)}\b.*?$", source, re.M)
    if not match:
        return ""
    end = re.search(r"^\S", source[match.end() + 1:], re.M)
    return source[match.end(): match.end() + 1 + end.start() if end else len(source)]


def assigned_attributes(cls):
    """Public trailing-underscore names assigned in the class or its cuML bases."""
    names = set()
    for klass in cls.__mro__:
        if not klass.__module__.startswith("cuml"):
            continue
        body = _class_body(_module_source(klass.__module__), klass.__name__)
        names.update(re.findall(r"\bself\.([a-zA-Z]\w*_)\s*(?::[^=\n]*)?=(?!=)", body))
        names.update(re.findall(r"^\s{4}([a-zA-Z]\w*_)\s*(?::[^=\n]*)?=(?!=)", body, re.M))
        names.update(n for n, v in vars(klass).items()
                     if n.endswith("_") and not n.startswith("_") and not callable(v))
    return sorted(names)


def _forwarding(cls, init):
    """Where a class's ``**kwargs`` go, which keywords they may hold, which they may not.

    A single-GPU class with ``**kwargs`` hands them to its base class's
    ``__init__``. The ``cuml.dask`` estimators keep theirs and build one ``...MG``
    model per worker with ``ModelMG(handle=..., [output_type=...,] **kwargs)``: a
    keyword is accepted when that model (or a class it extends) takes it, and a
    keyword the Dask class already passes is refused there (TypeError on the worker).
    """
    reserved = []
    if cls.__module__.startswith("cuml.dask"):
        source = _module_source(cls.__module__)
        target = None
        imports = r"from\s+(cuml\.(?!dask)[\w.]*)\s+import\s+\(?\s*(\w+)(?:\s+as\s+(\w+))?"
        for found in re.finditer(imports, source):
            module_name, name, alias = found.groups()
            call = re.search(rf"\b{alias or name}\(([^()]*?)\*\*\w*kwargs", source, re.S)
            if call:
                target = getattr(importlib.import_module(module_name), name)
                reserved = sorted(set(re.findall(r"(\w+)\s*=", call.group(1))))
                break
        if target is None:
            return None
        chain = target.__mro__
    else:
        chain = cls.__mro__[1:]
        target = next((k for k in chain if "__init__" in vars(k)
                       and k.__module__.startswith("cuml")), None)
        if target is None:
            return None
    accepted, open_ended = set(), True
    for klass in chain:
        if "__init__" not in vars(klass) or not klass.__module__.startswith("cuml"):
            continue
        sig = describe_signature(klass.__init__)
        accepted.update(p["name"] for p in sig["parameters"])
        if not sig["var_keyword"]:
            open_ended = False
            break
    own = {p["name"] for p in init["parameters"]}
    return {
        "to": f"{target.__module__}.{target.__qualname__}",
        "reserved": reserved,
        "accepted": sorted(accepted - set(reserved) - own),
        "open_ended": open_ended,
    }


def describe_class(path, needs):
    module_name, _, name = path.rpartition(".")
    cls = getattr(importlib.import_module(module_name), name)
    init = describe_signature(cls.__init__)
    forwards = _forwarding(cls, init) if init["var_keyword"] else None
    names = {p["name"] for p in init["parameters"]}
    if "output_type" in names:
        output_type = "parameter"
    elif forwards and "output_type" in forwards["reserved"]:
        output_type = "reserved"
    elif forwards and "output_type" in forwards["accepted"]:
        output_type = "forwarded"
    else:
        output_type = "no"
    documented = documented_attributes(cls)
    assigned = assigned_attributes(cls)
    # A cuml.dask estimator answers other attribute names from its internal
    # (combined single-GPU) model, through its __getattr__.
    internal = []
    delegates = any("__getattr__" in vars(k) for k in cls.__mro__
                    if k.__module__.startswith("cuml.dask"))
    if forwards and delegates:
        module_name, _, name = forwards["to"].rpartition(".")
        model = getattr(importlib.import_module(module_name), name)
        internal = sorted(set(documented_attributes(model)) | set(assigned_attributes(model)))
    methods = {}
    for method in needs["methods"]:
        if hasattr(cls, method):
            methods[method] = describe_signature(getattr(cls, method))
    return {
        "defined_in": f"{cls.__module__}.{cls.__qualname__}",
        "init": init,
        "kwargs_forwarded": forwards,
        "output_type": output_type,
        "methods": methods,
        "missing_methods": [m for m in needs["methods"] if m not in methods],
        "attributes": {
            "documented": documented,
            "assigned": assigned,
            "internal_model": internal,
            "gpuimb_reads": {a: (a in documented or a in assigned or a in internal)
                             for a in needs["attributes"]},
        },
    }


def _distribution():
    """The installed cuML distribution's name and version (cuml-cu12, cuml-cu13, ...)."""
    for name in ("cuml-cu12", "cuml-cu13", "cuml-cu11", "cuml"):
        try:
            return name, metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "unknown", "unknown"


def snapshot():
    """Describe the installed cuML; one entry of the JSON file."""
    os.environ.setdefault("RAPIDS_NO_INITIALIZE", "1")
    import cuml

    package, package_version = _distribution()
    classes, unavailable = {}, {}
    for path, needs in CLASSES.items():
        try:
            classes[path] = describe_class(path, needs)
        except Exception as exc:  # noqa: BLE001 - e.g. cuml.dask without dask
            unavailable[path] = f"{type(exc).__name__}: {exc}".splitlines()[0][:200]
    functions = {}
    for path in FUNCTIONS:
        module_name, _, name = path.rpartition(".")
        func = getattr(importlib.import_module(module_name), name, None)
        if func is None:
            unavailable[path] = "not found"
        else:
            functions[path] = describe_signature(func)
    return {
        "cuml_version": cuml.__version__,
        "package": f"{package} {package_version}",
        "python": sys.version.split()[0],
        "made": datetime.date.today().isoformat(),
        "classes": classes,
        "functions": functions,
        "unavailable": unavailable,
    }


def merge(existing, entry):
    """Replace the entry of the same version and package; keep the others, sorted."""
    key = (entry["cuml_version"], entry["package"].split()[0])
    kept = [e for e in existing.get("snapshots", [])
            if (e["cuml_version"], e["package"].split()[0]) != key]
    kept.append(entry)
    kept.sort(key=lambda e: (e["package"].split()[0], e["cuml_version"]))
    return {
        "about": ("cuML signatures and fitted attributes that gpuimb relies on; written "
                  "by tools/cuml_signatures.py, checked by "
                  "tests/backends/test_cuml_signatures.py"),
        "snapshots": kept,
    }


def dumps(data):
    """JSON with one line per innermost object or list of scalars (a small, diffable file)."""
    text = json.dumps(data, indent=1)
    flat = re.compile(r"([\[{])\n\s*([^\[\]{}]*?)\n\s*([\]}])")
    return flat.sub(lambda m: m.group(1) + " ".join(
        part.strip() for part in m.group(2).split("\n")) + m.group(3), text) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--print", action="store_true",
                        help="print the entry instead of writing the file")
    args = parser.parse_args(argv)
    entry = snapshot()
    if args.print:
        print(json.dumps(entry, indent=1))
        return
    existing = json.loads(args.out.read_text()) if args.out.exists() else {}
    args.out.write_text(dumps(merge(existing, entry)))
    print(f"{args.out}: cuML {entry['cuml_version']} ({entry['package']}), "
          f"{len(entry['classes'])} classes, unavailable: {sorted(entry['unavailable'])}")


if __name__ == "__main__":
    main()
