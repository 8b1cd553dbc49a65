"""benchmarks/bench_ensemble.py runs (tiny case) and reports equal forests; no timing asserted."""

from benchmarks.bench_ensemble import bench_forest, markdown


def test_bench_ensemble_smoke():
    result = bench_forest(n=400, n_classes=3, trees=2, repeat=1, n_jobs=None)
    assert result["same_predictions"] is True
    assert set(result["median"]) == {"gpuimb", "imblearn"}
    assert result["ratio"] > 0
    assert "| 400 | 20 | 3 | 2 |" in markdown(result)
