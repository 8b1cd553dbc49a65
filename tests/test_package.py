"""The package surface: light import, subpackages as attributes, show_versions."""

import os
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def test_import_is_light_and_subpackages_are_attributes():
    code = (
        "import sys, gpuimb\n"
        "assert 'sklearn' not in sys.modules and 'cupy' not in sys.modules\n"
        "from imblearn import over_sampling, under_sampling, combine, pipeline\n"
        "assert gpuimb.over_sampling.SMOTE.__name__ == over_sampling.SMOTE.__name__\n"
        "assert set(under_sampling.__all__) <= set(dir(gpuimb.under_sampling))\n"
        "assert set(combine.__all__) <= set(dir(gpuimb.combine))\n"
        "assert gpuimb.pipeline.make_pipeline and gpuimb.plotting.plot_resampling\n"
        "assert {'over_sampling', 'pipeline', 'show_versions'} <= set(dir(gpuimb))\n"
        "try:\n    gpuimb.no_such_thing\nexcept AttributeError as exc:\n"
        "    print(exc)\n"
    )
    env = {**os.environ, "PYTHONPATH": ROOT}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "module 'gpuimb' has no attribute 'no_such_thing'"


def test_versions_name_every_dependency():
    from gpuimb._show_versions import versions

    info = versions()
    for key in ("gpuimb", "numpy", "scikit-learn", "cupy", "cuml", "cudf", "dask", "gpus"):
        assert key in info
    import numpy
    import sklearn

    assert info["numpy"] == numpy.__version__
    assert info["scikit-learn"] == sklearn.__version__
    assert isinstance(info["gpus"], list)
