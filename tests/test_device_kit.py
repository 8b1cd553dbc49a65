"""The device kit still runs end to end where there is no GPU (no timing asserted)."""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `benchmarks` lives beside the package, not in it
    sys.path.insert(0, str(ROOT))

from benchmarks import device_kit  # noqa: E402


def test_without_a_gpu_every_gpu_stage_is_skipped(tmp_path, monkeypatch):
    monkeypatch.setattr(device_kit, "cuda_device", lambda: (False, "no CUDA device (test)"))
    out = tmp_path / "report.md"
    start = time.perf_counter()
    device_kit.main(["--out", str(out)])
    assert time.perf_counter() - start < 10
    report = out.read_text()
    assert report.startswith("# gpuimb device kit report")
    assert "| numpy |" in report and "| CUDA device | no CUDA device (test) |" in report
    for stage in device_kit.GPU_STAGES:
        assert f"| {stage} | skipped: no CUDA device (test) |" in report
    assert "## Tests" not in report  # skipped stages get no section


def test_test_stage_reports_each_outcome(tmp_path, monkeypatch):
    # The pytest plugin records results as they come: a failure, its message and
    # the backend that was set all reach the report.
    monkeypatch.setattr(device_kit, "cuda_device", lambda: (False, "no CUDA device (test)"))
    tests = tmp_path / "test_probe.py"
    tests.write_text(
        "import pytest\n"
        "import gpuimb\n"
        "def test_backend():\n"
        "    assert gpuimb.get_config()['backend'] == 'auto'\n"
        "def test_fails():\n"
        "    assert 1 == 2, 'planted failure'\n"
        "@pytest.mark.skip(reason='planted skip')\n"
        "def test_skipped():\n"
        "    pass\n"
    )
    out = tmp_path / "report.md"
    device_kit.main(["--out", str(out), "--force", "--stages", "tests-auto",
                     "--test-files", str(tests)])
    report = out.read_text()
    assert "- backend: requested 'auto', used 'auto'" in report
    assert "- results: 1 failed, 1 passed, 1 skipped" in report
    assert "test_fails" in report and "planted failure" in report
    assert "| tests-auto | ok (test failures) |" in report


def test_knn_and_bench_stages_on_the_host():
    # The GPU stages' code on NumPy, in this process (the numbers mean nothing
    # here, but every line of the stages runs and reaches the report).
    stages = {}
    for name, run in (("knn", device_kit.stage_knn), ("bench", device_kit.stage_bench)):
        records = []
        kwargs = {"xp_name": "numpy"} if name == "knn" else {
            "device": "host", "samplers": ["RandomUnderSampler"]}
        run(records.append, rows=1500, **kwargs)
        stages[name] = {"status": "ok", "seconds": 1.0, "limit": 60, "records": records}
    report = device_kit.render(stages, ["- test"])
    assert "| knn | ok |" in report and "| bench | ok |" in report
    assert "self-kNN, 1,500 x 32 float32, k=5" in report
    assert "same neighbour indices 100.00%" in report  # exact on distinct points
    assert "| RandomUnderSampler | synthetic-2c | 1500 |" in report


def test_gpu_test_selection_finds_the_gpu_marked_files():
    files = device_kit.gpu_test_files()
    assert "tests/test_strict_device.py" in files
    assert "tests/test_device_kit.py" not in files
    assert all((ROOT / f).is_file() for f in files)
