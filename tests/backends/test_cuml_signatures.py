"""Every keyword gpuimb passes to cuML, checked against cuML's real signatures.

CI has no cuML (it needs CUDA wheels of several GB), so ``cuml_signatures.json``,
written by ``tools/cuml_signatures.py`` from the installed wheels of several
cuML releases (see the ``package`` of each entry), stands in for it:

- a fake ``cuml`` package is built from each recorded release: its classes bind
  their constructor and method arguments against the recorded signatures and
  raise TypeError on an unknown keyword, as cuML does, and run scikit-learn's
  estimators underneath so that samplers can finish ``fit_resample``;
- gpuimb's source is scanned for calls of the engine's estimator factories
  (``classifier``, ``kmeans_estimator``, ``nearest_neighbors``) and of cuML
  classes it imports; each call is replayed with its literal keywords through
  the cuML engine onto every recorded release, so a new keyword is checked as
  soon as it is written;
- the samplers that build cuML estimators run end to end on the fake;
- every estimator the engine builds names its ``output_type`` (issue 11, finding 12).

Where cuML itself is importable (``pip install cuml-cu12`` works on a machine
without a GPU), ``test_live_cuml_matches_snapshot`` compares the installed
release with the snapshot::

    RAPIDS_NO_INITIALIZE=1 python -m pytest tests/backends/test_cuml_signatures.py
"""

import ast
import importlib
import importlib.machinery
import importlib.util
import inspect
import json
import os
import sys
import types
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from sklearn.datasets import make_classification

import gpuimb
from gpuimb._backends import get_engine

ROOT = Path(__file__).resolve().parents[2]
SNAPSHOT = json.loads(Path(__file__).with_name("cuml_signatures.json").read_text())
RELEASES = SNAPSHOT["snapshots"]
RELEASE_IDS = [f"{r['package'].split()[0]}-{r['cuml_version']}" for r in RELEASES]

# The engine's classifier names and the cuML class each one builds.
CLASSIFIERS = {
    "svc": "cuml.svm.SVC",
    "random_forest": "cuml.ensemble.RandomForestClassifier",
    "kneighbors": "cuml.neighbors.KNeighborsClassifier",
}
FACTORIES = ("classifier", "kmeans_estimator", "nearest_neighbors")
SINGLE_GPU = ("cuml.neighbors.NearestNeighbors", "cuml.neighbors.KNeighborsClassifier",
              "cuml.cluster.KMeans", "cuml.svm.SVC", "cuml.ensemble.RandomForestClassifier")

# A value the scan cannot know (an expression, not a literal).
UNKNOWN = None


# -- the fake cuml package ---------------------------------------------------------

def _signature(desc):
    """An inspect.Signature from a recorded description (without ``self``)."""
    params, var_pos_added = [], False
    for entry in desc["parameters"]:
        kind = getattr(inspect.Parameter, entry["kind"])
        if desc["var_positional"] and kind is inspect.Parameter.KEYWORD_ONLY and not var_pos_added:
            params.append(inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL))
            var_pos_added = True
        default = entry.get("default", inspect.Parameter.empty)
        params.append(inspect.Parameter(entry["name"], kind, default=default))
    if desc["var_positional"] and not var_pos_added:
        params.append(inspect.Parameter("args", inspect.Parameter.VAR_POSITIONAL))
    if desc["var_keyword"]:
        params.append(inspect.Parameter("kwargs", inspect.Parameter.VAR_KEYWORD))
    return inspect.Signature(params)


def _sklearn_delegate(path, params):
    """The scikit-learn estimator that does the work of a fake cuML estimator."""
    from sklearn.cluster import KMeans
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
    from sklearn.svm import SVC

    if path.endswith("NearestNeighbors"):
        return NearestNeighbors(n_neighbors=params.get("n_neighbors", 5))
    if path.endswith("KNeighborsClassifier"):
        return KNeighborsClassifier(n_neighbors=params.get("n_neighbors", 5),
                                    weights=params.get("weights", "uniform"))
    if path.endswith("KMeans"):
        init = params.get("init", "k-means++")
        if isinstance(init, str) and init not in ("k-means++", "random"):
            init = "k-means++"  # cuML's "scalable-k-means++" / "k-means||"
        return KMeans(n_clusters=params.get("n_clusters", 8), init=init,
                      n_init=params.get("n_init", "auto"),
                      max_iter=params.get("max_iter", 300), tol=params.get("tol", 1e-4),
                      random_state=params.get("random_state"))
    if path.endswith("SVC"):
        return SVC(C=params.get("C", 1.0), kernel=params.get("kernel", "rbf"),
                   gamma=params.get("gamma", "scale"), random_state=params.get("random_state"))
    if path.endswith("RandomForestClassifier"):
        # Ten trees: the fake checks arguments, not forests.
        return RandomForestClassifier(n_estimators=min(params.get("n_estimators", 100), 10),
                                      random_state=params.get("random_state"))
    raise NotImplementedError(path)


class _FakeEstimator:
    """Base of the fake cuML classes; ``_spec`` is the recorded class description."""

    _path = ""
    _spec = {}
    _log = None

    def __init__(self, *args, **kwargs):
        spec = self._spec
        bound = _signature(spec["init"]).bind(*args, **kwargs)  # TypeError like cuML
        forwards = spec.get("kwargs_forwarded")
        extra = bound.arguments.get("kwargs", {}) if spec["init"]["var_keyword"] else {}
        if forwards:
            for name in extra:
                if name in forwards["reserved"]:
                    raise TypeError(f"{forwards['to']}() got multiple values for keyword "
                                    f"argument {name!r} (the Dask estimator sets it)")
                if name not in forwards["accepted"] and not forwards["open_ended"]:
                    raise TypeError(f"{forwards['to']}.__init__() got an unexpected "
                                    f"keyword argument {name!r}")
        bound.apply_defaults()
        params = {k: v for k, v in bound.arguments.items() if k not in ("args", "kwargs")}
        params.update(extra)
        self.__dict__["_params"] = params
        self.__dict__["_delegate"] = None
        if self._log is not None:
            self._log.append((self._path, dict(kwargs)))

    def get_params(self, deep=True):
        return dict(self._params)

    def set_params(self, **params):
        names = {p["name"] for p in self._spec["init"]["parameters"]}
        unknown = set(params) - names
        if unknown and not self._spec["init"]["var_keyword"]:
            raise ValueError(f"Invalid parameter(s) {sorted(unknown)} for {self._path}")
        self._params.update(params)
        return self

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        if name in self.__dict__.get("_params", {}):
            return self._params[name]
        attributes = self._spec["attributes"]
        known = set(attributes["documented"]) | set(attributes["assigned"])
        delegate = self.__dict__.get("_delegate")
        if name in known and delegate is not None:
            return getattr(delegate, name)
        raise AttributeError(f"fake {self._path} has no attribute {name!r} (the recorded "
                             f"cuML release documents or assigns: {sorted(known)})")


def _fake_method(name, desc):
    signature = _signature(desc)

    def method(self, *args, **kwargs):
        bound = signature.bind(*args, **kwargs)  # TypeError like cuML
        if name == "fit":
            delegate = _sklearn_delegate(self._path, self._params)
            args_ = [bound.arguments[p] for p in ("X", "y") if p in bound.arguments]
            args_ = [a for a in args_ if a is not None]
            delegate.fit(*args_)
            self.__dict__["_delegate"] = delegate
            return self
        if name == "fit_predict":
            self.fit(bound.arguments["X"])
            return self._delegate.labels_
        if self._delegate is None:
            raise RuntimeError(f"fake {self._path}.{name} called before fit")
        extra = {k: v for k, v in bound.arguments.items()
                 if k in ("n_neighbors", "return_distance")}
        first = bound.arguments.get("X")
        return getattr(self._delegate, name)(first, **extra)

    method.__name__ = name
    return method


def fake_cuml(release, log=None):
    """The modules of a fake ``cuml`` package built from one recorded release."""
    modules = {}

    def module(name):
        if name not in modules:
            mod = types.ModuleType(name)
            mod.__spec__ = importlib.machinery.ModuleSpec(name, None)
            modules[name] = mod
            parent, _, child = name.rpartition(".")
            if parent:
                setattr(module(parent), child, mod)
        return modules[name]

    module("cuml").__version__ = release["cuml_version"]
    for path, spec in release["classes"].items():
        module_name, _, name = path.rpartition(".")
        namespace = {"_path": path, "_spec": spec, "_log": log, "__module__": module_name}
        for method, desc in spec["methods"].items():
            if method not in ("get_params", "set_params"):
                namespace[method] = _fake_method(method, desc)
        setattr(module(module_name), name, type(name, (_FakeEstimator,), namespace))
    for path, desc in release.get("functions", {}).items():
        module_name, _, name = path.rpartition(".")
        signature = _signature(desc)

        def function(*args, _signature=signature, **kwargs):
            _signature.bind(*args, **kwargs)

        setattr(module(module_name), name, function)
    return modules


@pytest.fixture(params=RELEASES, ids=RELEASE_IDS)
def release(request):
    return request.param


@pytest.fixture
def cuml_log(release, monkeypatch):
    """Install the fake ``cuml`` of ``release``; return the list of constructions.

    The cuML engine runs on CuPy data only; here NumPy stands in for CuPy (the
    fake cuML computes with scikit-learn), so the engine's own code runs.
    """
    import gpuimb._backends._base as base_module
    import gpuimb._backends._cuml as cuml_module

    log = []
    for name, mod in fake_cuml(release, log).items():
        monkeypatch.setitem(sys.modules, name, mod)
    available = base_module.module_available
    monkeypatch.setattr(base_module, "module_available",
                        lambda name: name == "cupy" or available(name))
    monkeypatch.setattr(cuml_module, "is_cupy_namespace", lambda xp: True)
    return log


# -- scanning gpuimb's source ------------------------------------------------------

@dataclass
class CallSite:
    """One call in gpuimb's source that builds a cuML estimator (directly or not)."""

    where: str
    target: str  # a factory name, or a cuML class path
    args: list = field(default_factory=list)
    kwargs: dict = field(default_factory=dict)
    star_kwargs: bool = False
    guarded: bool = False  # inside ``try: ... except TypeError``

    def __str__(self):
        return f"{self.where} {self.target}"


def _literal(node):
    try:
        return ast.literal_eval(node)
    except ValueError:
        return UNKNOWN


def _catches_type_error(handler):
    names = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    return handler.type is None or any(
        isinstance(n, ast.Name) and n.id in ("TypeError", "Exception") for n in names)


def _scope_imports(scope):
    """Names imported directly in one scope (not in nested functions): name -> dotted path."""
    names, todo = {}, list(ast.iter_child_nodes(scope))
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                names[alias.asname or alias.name] = f"{node.module}.{alias.name}"
        elif isinstance(node, ast.Import):
            for alias in node.names:
                local = alias.asname or alias.name.split(".")[0]
                names[local] = alias.name if alias.asname else local
        todo.extend(ast.iter_child_nodes(node))
    return names


def _dotted(node, imports):
    """The dotted cuML path a call's function names, or None (not cuML)."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name) and node.id in imports:
        path = ".".join([imports[node.id], *reversed(parts)])
        return path if path.split(".")[0] == "cuml" else None
    return None


def scan_calls(package=ROOT / "gpuimb"):
    """Every factory call (on an ``...engine``) and every cuML class call in the package."""
    sites, cuml_names = [], set()
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(), filename=str(path))
        parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
        scopes = {tree: _scope_imports(tree)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                scopes[node] = _scope_imports(node)
        for table in scopes.values():
            cuml_names.update(v for v in table.values() if v.split(".")[0] == "cuml")
        guarded = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Try) and any(_catches_type_error(h) for h in node.handlers):
                guarded.update(id(n) for stmt in node.body for n in ast.walk(stmt))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            imports, scope = {}, node
            while scope is not None:  # innermost scope wins
                imports = {**scopes.get(scope, {}), **imports}
                scope = parents.get(scope)
            target = _dotted(node.func, imports)
            if target is not None:
                cuml_names.add(target)
            elif (isinstance(node.func, ast.Attribute) and node.func.attr in FACTORIES
                  and "engine" in ast.unparse(node.func.value)):
                target = node.func.attr
            else:
                continue
            sites.append(CallSite(
                where=f"{path.relative_to(ROOT)}:{node.lineno}",
                target=target,
                args=[_literal(a) for a in node.args],
                kwargs={k.arg: _literal(k.value) for k in node.keywords if k.arg},
                star_kwargs=any(k.arg is None for k in node.keywords),
                guarded=id(node) in guarded,
            ))
    return sites, cuml_names


SITES, CUML_NAMES = scan_calls()
FACTORY_SITES = [s for s in SITES if s.target in FACTORIES]
CLASS_SITES = [s for s in SITES if s.target not in FACTORIES]


def test_scan_finds_the_known_call_sites():
    # The scan itself must keep working: these calls exist today (a rename of the
    # factories would otherwise silently leave nothing to check).
    found = {(s.target, s.args[0] if s.args else None) for s in FACTORY_SITES}
    assert ("classifier", "random_forest") in found
    assert ("classifier", "svc") in found
    assert ("classifier", "kneighbors") in found
    assert any(t == "kmeans_estimator" for t, _ in found)
    assert any(t == "nearest_neighbors" for t, _ in found)
    iht = [s for s in FACTORY_SITES if s.args[:1] == ["random_forest"]]
    assert iht and "n_estimators" in iht[0].kwargs  # literal keywords are read


def test_snapshot_covers_every_cuml_name_gpuimb_uses():
    """A cuML class or function imported anywhere in gpuimb must be in every snapshot."""
    assert RELEASES, "cuml_signatures.json holds no release"
    for release in RELEASES:
        recorded = set(release["classes"]) | set(release.get("functions", {}))
        modules = {p.rpartition(".")[0] for p in recorded} | {"cuml"}
        missing = sorted(n for n in CUML_NAMES if n not in recorded and n not in modules)
        assert not missing, (
            f"gpuimb uses {missing}, not recorded for {release['package']}: add them to "
            "tools/cuml_signatures.py (CLASSES or FUNCTIONS) and re-run it")


def test_snapshot_has_what_gpuimb_reads():
    """Methods gpuimb calls exist and the fitted attributes it reads are cuML's."""
    for release in RELEASES:
        assert not release["unavailable"], (release["package"], release["unavailable"])
        for path, spec in release["classes"].items():
            assert not spec["missing_methods"], (release["package"], path)
            absent = [a for a, ok in spec["attributes"]["gpuimb_reads"].items() if not ok]
            assert not absent, (release["package"], path, absent)


@pytest.mark.parametrize("path", SINGLE_GPU)
def test_output_type_cupy_is_accepted(release, cuml_log, path):
    module_name, _, name = path.rpartition(".")
    cls = getattr(sys.modules[module_name], name)
    assert release["classes"][path]["output_type"] == "parameter"
    assert cls(output_type="cupy").get_params()["output_type"] == "cupy"


def test_fake_refuses_unknown_keywords_like_cuml(release, cuml_log):
    """The fake is only useful if it refuses what the recorded cuML refuses."""
    from cuml.neighbors import NearestNeighbors

    with pytest.raises(TypeError):
        NearestNeighbors(n_neighbors=3, no_such_keyword=1)
    with pytest.raises(TypeError):
        NearestNeighbors(3)  # keyword-only in every recorded release
    nn = NearestNeighbors(n_neighbors=2).fit(np.arange(10.0).reshape(5, 2))
    with pytest.raises(TypeError):
        nn.kneighbors(np.zeros((1, 2)), k=2)


def _engine():
    return get_engine(np, backend="cuml")


@pytest.mark.parametrize("site", FACTORY_SITES, ids=str)
def test_factory_call_site_matches_cuml(release, cuml_log, site):
    """Replay one factory call of gpuimb's source through the cuML engine."""
    assert not site.star_kwargs, f"{site}: **kwargs cannot be checked; pass literal keywords"
    factory = getattr(_engine(), site.target)
    args = list(site.args)
    if site.target == "classifier":
        assert isinstance(args[0], str), f"{site}: the classifier name must be a literal"
    elif site.target in ("kmeans_estimator", "nearest_neighbors") and args:
        args[0] = args[0] if isinstance(args[0], int) else 3
    try:
        factory(*args, **site.kwargs)
    except TypeError as exc:
        if site.guarded:
            return  # the call sits in ``try/except TypeError``; its fallback is a site too
        raise AssertionError(
            f"{site} passes {sorted(site.kwargs)} to cuML {release['cuml_version']} "
            f"({release['package']}): {exc}") from exc
    assert cuml_log, f"{site} built no cuML estimator"


@pytest.mark.parametrize("site", CLASS_SITES, ids=str)
def test_direct_cuml_call_site_matches_cuml(release, cuml_log, site):
    """A cuML class called by name in gpuimb gets keywords it accepts."""
    if site.target not in release["classes"]:
        pytest.fail(f"{site}: {site.target} is not in the snapshot")
    module_name, _, name = site.target.rpartition(".")
    cls = getattr(sys.modules[module_name], name)
    kwargs = {k: v for k, v in site.kwargs.items()}
    try:
        cls(*site.args, **kwargs)
    except TypeError as exc:
        raise AssertionError(f"{site} on cuML {release['cuml_version']}: {exc}") from exc


def test_engine_paths_with_computed_keywords(release, cuml_log):
    """The engine's own calls that pass ``**params`` (k-means, kNN) on every option."""
    X, _ = make_classification(n_samples=60, n_features=4, random_state=0)
    engine = _engine()
    for minibatch in (False, True):
        params = {"batch_size": 32} if minibatch else {}
        km = engine.kmeans_estimator(3, minibatch=minibatch, random_state=0, init="k-means++",
                                     n_init=2, max_iter=50, tol=1e-3, **params)
        labels = km.fit_predict(X)
        assert km.cluster_centers_.shape == (3, 4) and labels.shape == (60,)
    dist, ind = engine.kneighbors(X, k=3)
    assert dist.shape == ind.shape == (60, 3)
    assert {path for path, _ in cuml_log} >= {"cuml.cluster.KMeans",
                                              "cuml.neighbors.NearestNeighbors"}


def test_engine_gives_every_cuml_estimator_an_explicit_output_type(release, cuml_log):
    """Issue 11, finding 12: without ``output_type``, ``cuml.set_global_output_type``
    decides what cuML returns (cuDF frames under "cudf"); every estimator the
    engine builds must name its output type."""
    X, _ = make_classification(n_samples=60, n_features=4, random_state=0)
    engine = _engine()
    for site in FACTORY_SITES:
        args = list(site.args)
        if site.target != "classifier" and args and not isinstance(args[0], int):
            args[0] = 3
        try:
            getattr(engine, site.target)(*args, **site.kwargs)
        except TypeError:
            pass  # a refused keyword is test_factory_call_site_matches_cuml's failure
    engine.kmeans_estimator(3, random_state=0).fit(X)
    engine.kneighbors(X, k=3)
    missing = sorted({path for path, kwargs in cuml_log if kwargs.get("output_type") is None})
    assert cuml_log and not missing, f"built without output_type: {missing}"


def _data(n_classes=2):
    weights = [0.8, 0.2] if n_classes == 2 else [0.6, 0.3, 0.1]
    return make_classification(n_samples=150, n_features=5, n_informative=3,
                               n_redundant=0, n_classes=n_classes, weights=weights,
                               random_state=1)


SAMPLERS = {
    # sampler -> (module, class, params, the cuML class it must build)
    "InstanceHardnessThreshold": ("under_sampling", {"random_state": 0},
                                  "cuml.ensemble.RandomForestClassifier"),
    "SVMSMOTE": ("over_sampling", {"random_state": 0}, "cuml.svm.SVC"),
    "KMeansSMOTE": ("over_sampling", {"random_state": 0, "cluster_balance_threshold": 0.0},
                    "cuml.cluster.KMeans"),
    "ClusterCentroids": ("under_sampling", {"random_state": 0}, "cuml.cluster.KMeans"),
    "NeighbourhoodCleaningRule": ("under_sampling", {},
                                  "cuml.neighbors.KNeighborsClassifier"),
    "CondensedNearestNeighbour": ("under_sampling", {"random_state": 0},
                                  "cuml.neighbors.KNeighborsClassifier"),
    "SMOTE": ("over_sampling", {"random_state": 0}, "cuml.neighbors.NearestNeighbors"),
    "EditedNearestNeighbours": ("under_sampling", {}, "cuml.neighbors.NearestNeighbors"),
}


@pytest.mark.parametrize("name", sorted(SAMPLERS))
def test_sampler_builds_cuml_estimators_it_can_construct(release, cuml_log, name):
    module, params, expected = SAMPLERS[name]
    cls = getattr(importlib.import_module(f"gpuimb.{module}"), name)
    X, y = _data()
    with gpuimb.config_context(backend="cuml"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            X_res, y_res = cls(**params).fit_resample(X, y)
        except TypeError as exc:
            raise AssertionError(
                f"{name} with backend='cuml' on cuML {release['cuml_version']} "
                f"({release['package']}): {exc}") from exc
    assert X_res.shape[0] == y_res.shape[0] > 0
    assert expected in {path for path, _ in cuml_log}


# -- the real cuML, where it is installed -------------------------------------------

def _cuml_installed():
    return importlib.util.find_spec("cuml") is not None


@pytest.mark.skipif(not _cuml_installed(), reason="cuML is not installed")
def test_live_cuml_matches_snapshot():
    os.environ.setdefault("RAPIDS_NO_INITIALIZE", "1")
    spec = importlib.util.spec_from_file_location("cuml_signatures",
                                                  ROOT / "tools" / "cuml_signatures.py")
    tool = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tool)
    live = tool.snapshot()
    key = (live["cuml_version"], live["package"].split()[0])
    recorded = [r for r in RELEASES if (r["cuml_version"], r["package"].split()[0]) == key]
    assert recorded, (f"cuML {live['package']} is not in cuml_signatures.json: run "
                      "RAPIDS_NO_INITIALIZE=1 python tools/cuml_signatures.py and commit it")
    live = json.loads(json.dumps(live))  # same JSON forms as the file
    assert not live["unavailable"], (
        f"not importable here: {live['unavailable']} (the cuml.dask classes need the "
        f"[dask] extra: pip install \"{live['package'].split()[0]}[dask]\")")
    for part in ("classes", "functions", "unavailable"):
        assert live[part] == recorded[0][part], f"{part} drifted from the snapshot"


@pytest.mark.skipif(not _cuml_installed(), reason="cuML is not installed")
@pytest.mark.parametrize("site", FACTORY_SITES, ids=str)
def test_factory_call_site_on_live_cuml(site):
    """The same replay as above on the installed cuML (its constructors need no GPU)."""
    os.environ.setdefault("RAPIDS_NO_INITIALIZE", "1")
    import cuml

    args = list(site.args)
    if site.target != "classifier" and args and not isinstance(args[0], int):
        args[0] = 3
    try:
        estimator = getattr(_engine(), site.target)(*args, **site.kwargs)
    except TypeError as exc:
        if site.guarded:
            return
        raise AssertionError(f"{site} on the installed cuML {cuml.__version__}: {exc}") from exc
    assert type(estimator).__module__.split(".")[0] == "cuml"
