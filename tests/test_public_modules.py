"""imbalanced-learn's modules beyond the samplers: importable names, signatures,
lazy loading (``import gpuimb`` stays light)."""

import importlib
import inspect
import subprocess
import sys

import pytest

MODULES = {
    "metrics": ["sensitivity_specificity_support", "sensitivity_score",
                "specificity_score", "geometric_mean_score",
                "make_index_balanced_accuracy", "classification_report_imbalanced",
                "macro_averaged_mean_absolute_error"],
    "metrics.pairwise": ["ValueDifferenceMetric"],
    "datasets": ["make_imbalance", "fetch_datasets"],
    "model_selection": ["InstanceHardnessCV"],
    "keras": ["BalancedBatchGenerator", "balanced_batch_generator"],
    "tensorflow": ["balanced_batch_generator"],
    "utils": ["check_neighbors_object", "check_sampling_strategy", "check_target_type"],
}


@pytest.mark.parametrize("module", sorted(MODULES))
def test_same_names_and_signatures_as_imbalanced_learn(module):
    ours = importlib.import_module(f"gpuimb.{module}")
    theirs = importlib.import_module(f"imblearn.{module}")
    for name in MODULES[module]:
        if module == "keras" and name == "BalancedBatchGenerator":
            # imbalanced-learn's class is unusable without Keras; compare __init__
            generator = importlib.import_module("gpuimb.keras._generator")
            ours_sig = inspect.signature(generator._BalancedBatches.__init__)
            theirs_sig = inspect.signature(theirs.BalancedBatchGenerator.__init__)
        else:
            ours_sig = inspect.signature(getattr(ours, name))
            theirs_sig = inspect.signature(getattr(theirs, name))
        ours_params = list(ours_sig.parameters.values())
        theirs_params = list(theirs_sig.parameters.values())
        # imbalanced-learn's parameters, in order, same kinds and defaults; ours may
        # only add keyword-only parameters with defaults after them
        assert ours_params[:len(theirs_params)] == theirs_params, (module, name)
        for extra in ours_params[len(theirs_params):]:
            assert extra.kind is inspect.Parameter.KEYWORD_ONLY
            assert extra.default is not inspect.Parameter.empty


def test_import_gpuimb_is_light_and_submodules_are_lazy():
    code = (
        "import sys, gpuimb\n"
        "heavy = ('sklearn', 'scipy', 'dask', 'cupy', 'cuml', 'torch', 'keras', "
        "'tensorflow')\n"
        "assert not [m for m in sys.modules if m.split('.')[0] in heavy], 'import gpuimb'\n"
        "assert gpuimb.metrics.geometric_mean_score([0, 1, 1], [0, 1, 0]) > 0\n"
        "assert callable(gpuimb.datasets.make_imbalance)\n"
        "assert gpuimb.model_selection.InstanceHardnessCV\n"
        "assert gpuimb.tensorflow.balanced_batch_generator and gpuimb.keras and gpuimb.torch\n"
        "assert gpuimb.utils.check_target_type\n"
        "bad = [m for m in sys.modules if m.split('.')[0] in "
        "('cupy', 'cuml', 'torch', 'keras', 'tensorflow', 'dask')]\n"
        "assert not bad, bad\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
