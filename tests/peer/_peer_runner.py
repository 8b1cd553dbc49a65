"""Run imbalanced-learn's own test modules against gpuimb's classes.

At test time the modules listed in :data:`PEER_MODULES` are copied out of the
*installed* imbalanced-learn package into a temporary directory, twice:

* ``gpuimb/``: their imports of imbalanced-learn's public classes and functions
  point at gpuimb's (``from imblearn.over_sampling import SMOTE`` becomes
  ``from gpuimb.over_sampling import SMOTE``); imbalanced-learn's test
  utilities (``imblearn.utils``, ``imblearn.exceptions``) stay in place;
* ``imblearn/``: unchanged, the baseline.

The gpuimb copy runs in full; then only the tests that failed there run again on
the baseline copy, in the same session, so "passes with imbalanced-learn" is
decided here and now, never from a stored list. Nothing of imbalanced-learn is
committed to this repository.

Run ``python tests/peer/_peer_runner.py`` to print the outcome counts.
"""

import ast
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent.parent

# imbalanced-learn's public modules and their gpuimb counterparts. Names a gpuimb
# module lacks keep coming from imbalanced-learn (e.g. a data helper used to build
# test data), unless the row needs that module (then the import fails, loudly).
PUBLIC_MODULES = {
    "imblearn": "gpuimb",
    "imblearn.base": "gpuimb.base",
    "imblearn.pipeline": "gpuimb.pipeline",
    "imblearn.over_sampling": "gpuimb.over_sampling",
    "imblearn.under_sampling": "gpuimb.under_sampling",
    "imblearn.combine": "gpuimb.combine",
    "imblearn.ensemble": "gpuimb.ensemble",
    "imblearn.datasets": "gpuimb.datasets",
    "imblearn.metrics": "gpuimb.metrics",
    "imblearn.metrics.pairwise": "gpuimb.metrics.pairwise",
    "imblearn.model_selection": "gpuimb.model_selection",
    "imblearn.keras": "gpuimb.keras",
    "imblearn.tensorflow": "gpuimb.tensorflow",
}

# imbalanced-learn's instance generation for its common checks, copied next to
# the tests under this name with the same rewriting, so its INIT_PARAMS and
# per-check parameters are keyed on gpuimb's classes.
INSTANCE_GENERATOR = "utils/_test_common/instance_generator.py"
LOCAL_GENERATOR = "_peer_instance_generator"
# ``all_estimators`` (which crawls a package) is replaced by gpuimb's crawl.
LOCAL_ESTIMATORS = "_peer_estimators"
SPECIAL_IMPORTS = {
    ("imblearn.utils._test_common.instance_generator", None): LOCAL_GENERATOR,
    ("imblearn.utils.testing", "all_estimators"): LOCAL_ESTIMATORS,
}


@dataclass(frozen=True)
class PeerModule:
    """One imbalanced-learn test module and the gpuimb modules it exercises."""

    path: str  # relative to the installed imblearn package
    # gpuimb modules ("module" or "module:name") the tests exercise; the row is
    # skipped while one does not import (or lacks the name).
    needs: tuple
    extra: tuple = field(default=())  # more files the test imports (copied too)


# One row per imbalanced-learn test module. Rows for gpuimb modules that do not
# exist yet are skipped with the reason; adding a module later needs only a row.
PEER_MODULES = [
    PeerModule("over_sampling/tests/test_random_over_sampler.py", ("gpuimb.over_sampling",)),
    PeerModule("over_sampling/tests/test_adasyn.py", ("gpuimb.over_sampling",)),
    PeerModule("over_sampling/tests/test_common.py", ("gpuimb.over_sampling",)),
    PeerModule("over_sampling/_smote/tests/test_smote.py", ("gpuimb.over_sampling",)),
    PeerModule("over_sampling/_smote/tests/test_borderline_smote.py",
               ("gpuimb.over_sampling",)),
    PeerModule("over_sampling/_smote/tests/test_svm_smote.py", ("gpuimb.over_sampling",)),
    PeerModule("over_sampling/_smote/tests/test_kmeans_smote.py", ("gpuimb.over_sampling",)),
    PeerModule("over_sampling/_smote/tests/test_smote_nc.py", ("gpuimb.over_sampling",)),
    PeerModule("over_sampling/_smote/tests/test_smoten.py", ("gpuimb.over_sampling",)),
    PeerModule("under_sampling/_prototype_selection/tests/test_random_under_sampler.py",
               ("gpuimb.under_sampling",)),
    PeerModule("under_sampling/_prototype_selection/tests/test_allknn.py",
               ("gpuimb.under_sampling",)),
    PeerModule("under_sampling/_prototype_selection/tests/test_condensed_nearest_neighbour.py",
               ("gpuimb.under_sampling",)),
    PeerModule("under_sampling/_prototype_selection/tests/test_edited_nearest_neighbours.py",
               ("gpuimb.under_sampling",)),
    PeerModule(
        "under_sampling/_prototype_selection/tests/test_repeated_edited_nearest_neighbours.py",
        ("gpuimb.under_sampling",)),
    PeerModule("under_sampling/_prototype_selection/tests/test_instance_hardness_threshold.py",
               ("gpuimb.under_sampling",)),
    PeerModule("under_sampling/_prototype_selection/tests/test_nearmiss.py",
               ("gpuimb.under_sampling",)),
    PeerModule("under_sampling/_prototype_selection/tests/test_neighbourhood_cleaning_rule.py",
               ("gpuimb.under_sampling",)),
    PeerModule("under_sampling/_prototype_selection/tests/test_one_sided_selection.py",
               ("gpuimb.under_sampling",)),
    PeerModule("under_sampling/_prototype_selection/tests/test_tomek_links.py",
               ("gpuimb.under_sampling",)),
    PeerModule("under_sampling/_prototype_generation/tests/test_cluster_centroids.py",
               ("gpuimb.under_sampling",)),
    PeerModule("combine/tests/test_smote_enn.py", ("gpuimb.combine",)),
    PeerModule("combine/tests/test_smote_tomek.py", ("gpuimb.combine",)),
    # FunctionSampler
    PeerModule("tests/test_base.py", ("gpuimb",)),
    PeerModule("tests/test_pipeline.py", ("gpuimb.pipeline",)),
    # imbalanced-learn's common estimator checks, with its own instance generation.
    PeerModule("tests/test_common.py",
               ("gpuimb.over_sampling", "gpuimb.under_sampling", "gpuimb.combine",
                "gpuimb.pipeline"),
               extra=(INSTANCE_GENERATOR,)),
    # Modules other work adds to gpuimb: they run as soon as these import.
    PeerModule("ensemble/tests/test_bagging.py", ("gpuimb.ensemble",)),
    PeerModule("ensemble/tests/test_easy_ensemble.py", ("gpuimb.ensemble",)),
    PeerModule("ensemble/tests/test_forest.py", ("gpuimb.ensemble",)),
    PeerModule("ensemble/tests/test_weight_boosting.py", ("gpuimb.ensemble",)),
    PeerModule("metrics/tests/test_classification.py", ("gpuimb.metrics",)),
    PeerModule("metrics/tests/test_pairwise.py", ("gpuimb.metrics.pairwise",)),
    PeerModule("metrics/tests/test_score_objects.py", ("gpuimb.metrics",)),
    PeerModule("datasets/tests/test_imbalance.py", ("gpuimb.datasets:make_imbalance",)),
    PeerModule("datasets/tests/test_zenodo.py", ("gpuimb.datasets:fetch_datasets",)),
    PeerModule("model_selection/tests/test_split.py", ("gpuimb.model_selection",)),
    PeerModule("utils/tests/test_validation.py", ("gpuimb.utils",)),
    # Not keras/ and tensorflow/: copied as folders of those names, they shadow
    # the real packages (`import keras` finds the copy), so their results say
    # nothing; tests/keras_tensorflow covers gpuimb's generators instead.
]

# Tests gpuimb fails on purpose, each tied to README's "Differences from
# imbalanced-learn". Key: node id as pytest prints it, relative to the copied
# package (e.g. "tests/test_pipeline.py::test_x"). Value: the README entry.
# test_deliberate_failures_still_fail keeps this list true.
DELIBERATE_FAILURES: dict = {
    # Its second half expects "auto" to find no categorical column in a frame of
    # string columns; gpuimb's "auto" takes string columns (asked for by the CLI:
    # a CSV's categories are strings).
    "over_sampling/_smote/tests/test_smote_nc.py::"
    "test_smote_nc_categorical_features_auto_error":
        'Deliberate differences: SMOTENC `categorical_features="auto"`',
}


# gpuimb-only test modules run in the gpuimb directory (no imbalanced-learn
# counterpart, so any failure counts): name there -> source file here.
GPUIMB_ONLY_MODULES = {"test_gpuimb_array_api.py": "_peer_array_api.py"}


def imblearn_root():
    import imblearn

    return Path(imblearn.__file__).resolve().parent


def missing_modules(needs):
    """The entries of ``needs`` ("module" or "module:name") gpuimb lacks, with why."""
    missing = {}
    for need in needs:
        name, _, attr = need.partition(":")
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            missing[need] = f"does not import ({type(exc).__name__}: {exc})"
            continue
        if attr and not hasattr(module, attr):
            missing[need] = f"{name} has no {attr}"
    return missing


def _gpuimb_has(module, name):
    try:
        return hasattr(importlib.import_module(module), name)
    except ImportError:
        return False


def _target(module, name, needs):
    """Where ``from module import name`` should come from in the gpuimb copy."""
    if (module, None) in SPECIAL_IMPORTS:
        return SPECIAL_IMPORTS[(module, None)]
    if (module, name) in SPECIAL_IMPORTS:
        return SPECIAL_IMPORTS[(module, name)]
    counterpart = PUBLIC_MODULES.get(module)
    if counterpart is None:
        return module
    if counterpart in needs or _gpuimb_has(counterpart, name):
        return counterpart
    return module


def rewrite_imports(source, needs):
    """Point ``from imblearn... import ...`` statements at gpuimb's modules.

    Parameters
    ----------
    source : str
        A Python module's text.
    needs : iterable of str
        gpuimb modules the test exercises: names from their imbalanced-learn
        counterparts always come from them.

    Returns
    -------
    source : str
        The text with each such import statement replaced by one import per
        target module, indented as the original.
    """
    needs = {need.partition(":")[0] for need in needs}
    lines = source.splitlines(keepends=True)
    edits = []
    for node in ast.walk(ast.parse(source)):
        if not (isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                and node.module.split(".")[0] == "imblearn"):
            continue
        by_target = {}
        for alias in node.names:
            target = _target(node.module, alias.name, needs)
            by_target.setdefault(target, []).append(
                alias.name if alias.asname is None else f"{alias.name} as {alias.asname}")
        if list(by_target) == [node.module]:
            continue
        first = lines[node.lineno - 1]
        indent = first[:node.col_offset]
        if indent.strip():
            raise ValueError(f"cannot rewrite an import sharing line {node.lineno}")
        text = "".join(f"{indent}from {target} import {', '.join(names)}\n"
                       for target, names in by_target.items())
        edits.append((node.lineno, node.end_lineno, text))
    for start, end, text in sorted(edits, reverse=True):
        lines[start - 1:end] = [text]
    return "".join(lines)


# Appended to the gpuimb copy of the instance generator: imbalanced-learn's
# checks find per-check parameters through their own module's function and test
# isinstance against imbalanced-learn's base classes; point both at gpuimb's.
_GENERATOR_FOOTER = '''

# --- added by gpuimb's peer runner ---
import imblearn.utils.estimator_checks as _imb_checks
from imblearn.over_sampling.base import BaseOverSampler as _ImbOver
from imblearn.under_sampling.base import BaseCleaningSampler as _ImbCleaning
from imblearn.under_sampling.base import BaseUnderSampler as _ImbUnder

from gpuimb.over_sampling.base import BaseOverSampler as _Over
from gpuimb.under_sampling.base import BaseCleaningSampler as _Cleaning
from gpuimb.under_sampling.base import BaseUnderSampler as _Under

_imb_checks._yield_instances_for_check = _yield_instances_for_check
_ImbOver.register(_Over)
_ImbUnder.register(_Under)
_ImbCleaning.register(_Cleaning)
'''



def prepare(rows, workdir):
    """Copy the rows' modules into ``workdir/gpuimb`` (rewritten) and ``workdir/imblearn``."""
    src = imblearn_root()
    collector = (HERE / "_peer_collector.py").read_text(encoding="utf-8")
    for side in ("gpuimb", "imblearn"):
        root = Path(workdir, side)
        root.mkdir(parents=True, exist_ok=True)
        (root / "conftest.py").write_text(collector, encoding="utf-8")
        (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    gpu_root = Path(workdir, "gpuimb")
    shutil.copy(HERE / f"{LOCAL_ESTIMATORS}.py", gpu_root / f"{LOCAL_ESTIMATORS}.py")
    for name, source in GPUIMB_ONLY_MODULES.items():
        shutil.copy(HERE / source, gpu_root / name)
    for row in rows:
        text = (src / row.path).read_text(encoding="utf-8")
        for side, body in (("gpuimb", rewrite_imports(text, row.needs)), ("imblearn", text)):
            dest = Path(workdir, side, row.path)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(body, encoding="utf-8")
        if INSTANCE_GENERATOR in row.extra:
            generator = (src / INSTANCE_GENERATOR).read_text(encoding="utf-8")
            (gpu_root / f"{LOCAL_GENERATOR}.py").write_text(
                rewrite_imports(generator, ()) + _GENERATOR_FOOTER, encoding="utf-8")


def _run_pytest(root, targets, out, select=None):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT), str(root)] + [p for p in [env.get("PYTHONPATH")] if p])
    env["GPUIMB_PEER_OUT"] = str(out)
    env.pop("GPUIMB_PEER_SELECT", None)
    # The outer pytest's options (-x, -k...) are not the peer run's.
    env.pop("PYTEST_ADDOPTS", None)
    env.pop("PYTEST_CURRENT_TEST", None)
    if select is not None:
        env["GPUIMB_PEER_SELECT"] = str(select)
    # scikit-learn's array-API checks (in its parametrize_with_checks) run on
    # array_api_strict only when SciPy's array-API mode is on before import.
    env["SCIPY_ARRAY_API"] = "1"
    # One BLAS/OpenMP thread, as tests/conftest.py pins for the main run.
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
           "--rootdir", str(root), "-c", str(Path(root, "pytest.ini")),
           "-o", "console_output_style=classic", "--tb=no", "--no-header",
           "--continue-on-collection-errors", "--import-mode=importlib", *targets]
    proc = subprocess.run(cmd, cwd=root, env=env, capture_output=True, text=True,
                          check=False)
    if not Path(out).exists():
        raise RuntimeError(f"peer run produced no results:\n{proc.stdout[-3000:]}"
                           f"\n{proc.stderr[-3000:]}")
    with open(out, encoding="utf-8") as fh:
        return {k: tuple(v) for k, v in json.load(fh).items()}


@dataclass
class PeerResult:
    """Outcomes of one peer run."""

    gpuimb: dict  # node id -> (outcome, message) with gpuimb's classes
    baseline: dict  # same, imbalanced-learn's classes, for the tests that failed above
    skipped_rows: dict  # row path -> reason

    def failures(self):
        return {k: v for k, v in self.gpuimb.items() if v[0] in ("failed", "error")}

    def regressions(self):
        """Failures with gpuimb whose imbalanced-learn run passed (or has no counterpart)."""
        out = {}
        for nodeid, (_, message) in self.failures().items():
            if nodeid in DELIBERATE_FAILURES:
                continue
            base = self.baseline.get(nodeid, ("absent", ""))[0]
            if base not in ("failed", "error"):
                out[nodeid] = f"{message} [imbalanced-learn: {base}]"
        return out

    def counts(self):
        total = len(self.gpuimb)
        failed = self.failures()
        deliberate = sum(1 for k in failed if k in DELIBERATE_FAILURES)
        passed = sum(1 for v in self.gpuimb.values() if v[0] == "passed")
        return {"total": total, "passed": passed, "deliberate": deliberate,
                "failed": len(failed),
                "skipped/xfail": total - passed - len(failed)}


# imbalanced-learn's common checks take most of the time: the second process
# runs these of them, the first everything else.
_SECOND_SHARD = ["tests/test_common.py::test_estimators_imblearn"]


def _shards(rows):
    """``(files, select)`` for two pytest processes of about equal length."""
    files = [row.path for row in rows] + list(GPUIMB_ONLY_MODULES)
    if "tests/test_common.py" in files:
        return [(files, {"prefixes": _SECOND_SHARD, "exclude": True}),
                (["tests/test_common.py"], {"prefixes": _SECOND_SHARD})]
    return [(files[::2], None), (files[1::2], None)]



def run_peer_suite(workdir=None, rows=None):
    """Copy, rewrite and run the peer modules; return a :class:`PeerResult`."""
    rows = PEER_MODULES if rows is None else rows
    skipped = {}
    runnable = []
    for row in rows:
        absent = [path for path in (row.path, *row.extra)
                  if not (imblearn_root() / path).exists()]
        if absent:
            skipped[row.path] = f"not in the installed imbalanced-learn: {absent}"
            continue
        missing = missing_modules(row.needs)
        if missing:
            skipped[row.path] = "; ".join(f"{k}: {v}" for k, v in missing.items())
            continue
        runnable.append(row)
    own_tmp = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="gpuimb_peer_") if own_tmp else workdir)
    try:
        prepare(runnable, workdir)
        shards = [shard for shard in _shards(runnable) if shard[0]]
        gpu_root = workdir / "gpuimb"

        def run_shard(i):
            files, spec = shards[i]
            select = None
            if spec is not None:
                select = workdir / f"select_{i}.json"
                select.write_text(json.dumps(spec), encoding="utf-8")
            return _run_pytest(gpu_root, files, workdir / f"gpuimb_{i}.json", select)

        with ThreadPoolExecutor(max_workers=2) as pool:
            parts = list(pool.map(run_shard, range(len(shards))))
        gpuimb = {k: v for part in parts for k, v in part.items()}
        failed = sorted(k for k, v in gpuimb.items() if v[0] in ("failed", "error"))
        baseline = {}
        if failed:
            select = workdir / "select.json"
            select.write_text(json.dumps({"ids": failed}), encoding="utf-8")
            files = sorted({k.split("::")[0] for k in failed
                            if (workdir / "imblearn" / k.split("::")[0]).is_file()})
            if files:
                baseline = _run_pytest(workdir / "imblearn", files,
                                       workdir / "imblearn.json", select=select)
        return PeerResult(gpuimb, baseline, skipped)
    finally:
        if own_tmp:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    result = run_peer_suite()
    for path, reason in result.skipped_rows.items():
        print(f"SKIPPED ROW {path}: {reason}")
    for nodeid, (outcome, message) in sorted(result.failures().items()):
        base = result.baseline.get(nodeid, ("absent",))[0]
        tag = "deliberate" if nodeid in DELIBERATE_FAILURES else f"imblearn {base}"
        print(f"{outcome.upper()} [{tag}] {nodeid}: {message}")
    print(result.counts())
    print("regressions:", len(result.regressions()))
