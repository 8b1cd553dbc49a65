"""The gpuimb command line: demo, resample, and one-line errors with exit 2."""

import os
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from imblearn.under_sampling import RandomUnderSampler as ImbRUS

from gpuimb.cli import main


@pytest.fixture
def table(tmp_path):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.randn(120), "b": rng.randn(120),
                          "label": ["yes"] * 100 + ["no"] * 20})
    path = tmp_path / "in.csv"
    frame.to_csv(path, index=False)
    return frame, path


def test_demo_runs_every_sampler():
    result = subprocess.run([sys.executable, "-m", "gpuimb.cli", "demo",
                             "--n-samples", "600"],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "RandomUnderSampler" in result.stdout
    assert "failed" not in result.stdout


def test_resample_round_trips_csv(table, tmp_path, capsys):
    frame, path = table
    out = tmp_path / "out.csv"
    code = main(["resample", str(path), "--target", "label", "--sampler",
                 "RandomUnderSampler", "--random-state", "3", "--output", str(out)])
    assert code == 0
    written = pd.read_csv(out)
    assert list(written.columns) == ["a", "b", "label"]
    X_ref, y_ref = ImbRUS(random_state=3).fit_resample(frame[["a", "b"]],
                                                       frame["label"])
    np.testing.assert_allclose(written[["a", "b"]].to_numpy(), X_ref.to_numpy())
    np.testing.assert_array_equal(written["label"].to_numpy(), y_ref.to_numpy())
    assert "classes after" in capsys.readouterr().out


def test_resample_params_parsed(table, tmp_path):
    _, path = table
    out = tmp_path / "out.csv"
    code = main(["resample", str(path), "--target", "label", "--sampler",
                 "RandomOverSampler", "--param", "sampling_strategy=0.5",
                 "--param", "shrinkage=0.1", "--output", str(out)])
    assert code == 0
    assert (pd.read_csv(out)["label"] == "no").sum() == 50


def test_parquet_round_trip(table, tmp_path):
    pytest.importorskip("pyarrow")
    frame, _ = table
    src = tmp_path / "in.parquet"
    frame.to_parquet(src)
    out = tmp_path / "out.parquet"
    assert main(["resample", str(src), "--target", "label", "--sampler",
                 "RandomOverSampler", "--output", str(out)]) == 0
    assert len(pd.read_parquet(out)) == 200


@pytest.mark.parametrize("args, message", [
    (["--target", "label", "--sampler", "RandomUnderSampler", "missing.csv"],
     "input file not found"),
    (["--target", "nope", "--sampler", "RandomUnderSampler"], "target column 'nope'"),
    (["--target", "label", "--sampler", "NoSuchSampler"], "unknown sampler"),
    (["--target", "label", "--sampler", "RandomUnderSampler", "--param", "bogus=1"],
     "unknown parameter"),
    (["--target", "label", "--sampler", "RandomUnderSampler", "--param",
      "sampling_strategy='bad'"], "failed"),
    (["--target", "label", "--sampler", "RandomUnderSampler", "ONECLASS"],
     "more than 1 class"),
])
def test_bad_input_exits_2_without_output(table, tmp_path, args, message):
    frame, path = table
    if "ONECLASS" in args:
        one = tmp_path / "one.csv"
        frame.assign(label="yes").to_csv(one, index=False)
        args = [a if a != "ONECLASS" else str(one) for a in args]
    elif not any(a.endswith(".csv") for a in args):
        args = [*args, str(path)]
    out = tmp_path / "out.csv"
    result = subprocess.run(
        [sys.executable, "-m", "gpuimb.cli", "resample", *args, "--output", str(out)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
    assert "Traceback" not in result.stderr
    assert not out.exists()
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".gpuimb-")]
