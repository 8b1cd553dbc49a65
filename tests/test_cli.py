"""The gpuimb command line: resample, info, demo, formats, devices, one-line errors."""

import os
import stat
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from imblearn.over_sampling import SMOTENC as ImbSMOTENC
from imblearn.under_sampling import RandomUnderSampler as ImbRUS

import gpuimb
from gpuimb.cli import main, table_format

# Subprocesses import the gpuimb of this checkout, not whichever one is installed.
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join(
    [ROOT, *filter(None, [os.environ.get("PYTHONPATH")])])}


@pytest.fixture
def table(tmp_path):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame({"a": rng.randn(120), "b": rng.randn(120),
                          "label": ["yes"] * 100 + ["no"] * 20})
    path = tmp_path / "in.csv"
    frame.to_csv(path, index=False)
    return frame, path


@pytest.fixture
def mixed(tmp_path):
    """Numeric and string columns, as a CSV of a real job has them."""
    rng = np.random.RandomState(1)
    n = 90
    frame = pd.DataFrame({"a": rng.randn(n), "b": rng.randn(n),
                          "region": rng.choice(["north", "south", "east"], n),
                          "plan": rng.choice(["basic", "pro"], n),
                          "label": [0] * 70 + [1] * 20})
    path = tmp_path / "mixed.csv"
    frame.to_csv(path, index=False)
    return frame, path


def _resample(path, out, *extra, sampler="RandomUnderSampler"):
    return main(["resample", str(path), "--target", "label", "--sampler", sampler,
                 "--output", str(out), *extra])


def test_demo_runs_every_sampler():
    result = subprocess.run([sys.executable, "-m", "gpuimb.cli", "demo",
                             "--n-samples", "600"],
                            capture_output=True, text=True, timeout=600, env=ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "RandomUnderSampler" in result.stdout
    assert "failed" not in result.stdout


def test_resample_round_trips_csv_and_reports_the_run(table, tmp_path, capsys):
    frame, path = table
    out = tmp_path / "out.csv"
    assert _resample(path, out, "--random-state", "3") == 0
    written = pd.read_csv(out)
    assert list(written.columns) == ["a", "b", "label"]
    X_ref, y_ref = ImbRUS(random_state=3).fit_resample(frame[["a", "b"]], frame["label"])
    np.testing.assert_allclose(written[["a", "b"]].to_numpy(), X_ref.to_numpy())
    np.testing.assert_array_equal(written["label"].to_numpy(), y_ref.to_numpy())
    report = capsys.readouterr().out
    assert "RandomUnderSampler on engine numpy, device cpu (pandas)" in report
    assert "rows: 120 in, 40 out" in report
    assert "classes after:  {'no': 20, 'yes': 20}" in report
    assert "time: read " in report and " s, resample " in report


def test_resample_params_parsed(table, tmp_path):
    _, path = table
    out = tmp_path / "out.csv"
    assert _resample(path, out, "--param", "sampling_strategy=0.5", "--param",
                     "shrinkage=0.1", sampler="RandomOverSampler") == 0
    assert (pd.read_csv(out)["label"] == "no").sum() == 50


@pytest.mark.parametrize("name, expected", [
    ("t.csv", ("csv", None)), ("t.CSV", ("csv", None)), ("t.csv.gz", ("csv", "gzip")),
    ("t.csv.BZ2", ("csv", "bz2")), ("t.csv.zst", ("csv", "zstd")),
    ("t.csv.xz", ("csv", "xz")), ("t.parquet", ("parquet", None)),
    ("t.PARQUET", ("parquet", None)), ("t.pq", ("parquet", None)),
    ("t.feather", ("feather", None)),
])
def test_table_format_from_extension(name, expected):
    assert table_format(name) == expected


@pytest.mark.parametrize("suffix", ["csv.gz", "csv.bz2", "csv.xz", "csv.zst", "PARQUET",
                                    "pq", "feather"])
def test_output_format_follows_the_extension(table, tmp_path, suffix):
    pytest.importorskip("pyarrow")
    if suffix.endswith("zst"):
        pytest.importorskip("zstandard")
    frame, path = table
    out = tmp_path / f"out.{suffix}"
    assert _resample(path, out, "--random-state", "0") == 0
    fmt, compression = table_format(out)
    if fmt == "csv":
        written = pd.read_csv(out, compression=compression)
        with open(out, "rb") as handle:  # really compressed, not CSV under a wrong name
            assert not handle.read(5).startswith(b"a,b,l")
    else:
        written = getattr(pd, f"read_{fmt}")(out)
    X_ref, y_ref = ImbRUS(random_state=0).fit_resample(frame[["a", "b"]], frame["label"])
    np.testing.assert_allclose(written[["a", "b"]].to_numpy(), X_ref.to_numpy())
    np.testing.assert_array_equal(written["label"].to_numpy(), y_ref.to_numpy())


def test_parquet_input_named_pq(table, tmp_path):
    pytest.importorskip("pyarrow")
    frame, _ = table
    src = tmp_path / "train.pq"
    frame.to_parquet(src)
    out = tmp_path / "out.parquet"
    assert _resample(src, out, sampler="RandomOverSampler") == 0
    assert len(pd.read_parquet(out)) == 200


def test_output_gets_the_users_umask(table, tmp_path):
    _, path = table
    out = tmp_path / "out.csv"
    old = os.umask(0o022)
    try:
        assert _resample(path, out) == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o644


def test_smotenc_auto_takes_string_columns(mixed, tmp_path):
    frame, path = mixed
    out = tmp_path / "out.csv"
    assert _resample(path, out, "--param", "categorical_features=auto",
                     "--random-state", "0", sampler="SMOTENC") == 0
    written = pd.read_csv(out)
    X = frame.drop(columns="label")
    X_ref, y_ref = ImbSMOTENC(categorical_features=["region", "plan"],
                              random_state=0).fit_resample(X, frame["label"])
    np.testing.assert_allclose(written[["a", "b"]].to_numpy(), X_ref[["a", "b"]].to_numpy())
    np.testing.assert_array_equal(written[["region", "plan"]].to_numpy(),
                                  X_ref[["region", "plan"]].to_numpy())
    np.testing.assert_array_equal(written["label"].to_numpy(), y_ref.to_numpy())


def test_list_syntax_for_categorical_features(mixed, tmp_path):
    _, path = mixed
    out = tmp_path / "out.csv"
    assert _resample(path, out, "--param", "categorical_features=['region','plan']",
                     sampler="SMOTENC") == 0
    assert (pd.read_csv(out)["label"] == 1).sum() == 70


def test_help_shows_the_param_syntax(capsys):
    with pytest.raises(SystemExit):
        main(["resample", "--help"])
    text = capsys.readouterr().out
    assert "categorical_features=['region','plan']" in text
    assert "--backend" in text and "--device" in text and "--plot" in text
    for engine in gpuimb._config.BACKENDS:
        assert engine in text


def test_version_and_info(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.strip() == f"gpuimb {gpuimb.__version__}"
    assert main(["info"]) == 0
    text = capsys.readouterr().out
    for key in ("gpuimb: ", "numpy: ", "scikit-learn: ", "cupy: ", "cuml: ", "cudf: ",
                "dask: "):
        assert key in text
    assert "gpu" in text.splitlines()[-1]
    gpuimb.show_versions()
    assert capsys.readouterr().out == text


def test_backend_option_reaches_the_sampler(table, tmp_path, capsys):
    _, path = table
    out = tmp_path / "out.csv"
    assert _resample(path, out, "--backend", "sklearn",
                     sampler="EditedNearestNeighbours") == 0
    assert "on engine sklearn" in capsys.readouterr().out


def test_plot_option_draws_a_picture(table, tmp_path, capsys):
    pytest.importorskip("matplotlib")
    _, path = table
    out, picture = tmp_path / "out.csv", tmp_path / "plot.png"
    assert _resample(path, out, "--plot", str(picture), sampler="SMOTE") == 0
    with open(picture, "rb") as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert f"plot: {picture}" in capsys.readouterr().out


# ----------------------------------------------------------------- the exit-2 contract

def _assert_one_line_failure(code, err, message, tmp_path, out):
    assert code == 2
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("gpuimb: error: ") and message in lines[0], lines[0]
    assert "Traceback" not in err and "Warning" not in err
    assert not os.path.exists(out) or os.path.isdir(out)
    assert not [f for f in os.listdir(tmp_path) if f.startswith(".gpuimb-")]


def _raise_index_error(self, X, y, ctx):
    raise IndexError("index 481 is out of bounds for axis 0 with size 300")


def _unwritable(monkeypatch, tmp_path):
    """The output directory refuses new files (chmod is no obstacle for root)."""
    target = tmp_path / "locked"
    target.mkdir()
    if os.geteuid() == 0:
        def refuse(*args, **kwargs):
            raise PermissionError(13, "Permission denied", str(target / ".gpuimb-x"))

        monkeypatch.setattr("tempfile.mkstemp", refuse)
    else:
        target.chmod(0o500)
    return target / "out.csv"


@pytest.mark.parametrize("case, message", [
    ("smotenc_without_categorical", "SMOTENC needs --param categorical_features="),
    ("output_is_directory", "is a directory"),
    ("unwritable_directory", "cannot write {out}: Permission denied"),
    ("corrupt_parquet", "cannot read"),
    ("sampler_index_error", "SMOTE failed: index 481 is out of bounds"),
    ("uppercase_unknown_extension", "cannot tell the table format"),
    ("strings_for_smote", "SMOTENC"),
    ("missing_input", "input file not found"),
    ("bad_target", "target column 'nope'"),
    ("unknown_sampler", "unknown sampler"),
    ("unknown_param", "unknown parameter"),
    ("bad_param_value", "RandomUnderSampler failed"),
    ("one_class", "more than 1 class"),
    ("bad_backend", "--backend"),
    ("no_gpu", "--device gpu:"),
    ("plot_extension", "--plot"),
    ("plot_of_strings_only", "--plot needs at least one numeric feature column"),
])
def test_failure_matrix_exits_2_with_one_line(case, message, table, mixed, tmp_path,
                                               monkeypatch, capsys):
    frame, path = table
    out = tmp_path / "out.csv"
    args = ["--target", "label", "--sampler", "RandomUnderSampler"]
    if case == "smotenc_without_categorical":
        path, args[3] = mixed[1], "SMOTENC"
    elif case == "output_is_directory":
        out = tmp_path / "dir.csv"
        out.mkdir()
    elif case == "unwritable_directory":
        out = _unwritable(monkeypatch, tmp_path)
        message = message.format(out=out)
    elif case == "corrupt_parquet":
        path = tmp_path / "broken.parquet"
        path.write_bytes(b"PAR1 this is not a parquet file")
    elif case == "sampler_index_error":
        from gpuimb.over_sampling import SMOTE

        monkeypatch.setattr(SMOTE, "_fit_resample", _raise_index_error)
        args[3] = "SMOTE"
    elif case == "uppercase_unknown_extension":
        out = tmp_path / "out.XLSX"
    elif case == "strings_for_smote":
        path, args[3] = mixed[1], "SMOTE"
    elif case == "missing_input":
        path = tmp_path / "missing.csv"
    elif case == "bad_target":
        args[1] = "nope"
    elif case == "unknown_sampler":
        args[3] = "NoSuchSampler"
    elif case == "unknown_param":
        args += ["--param", "bogus=1"]
    elif case == "bad_param_value":
        args += ["--param", "sampling_strategy='bad'"]
    elif case == "one_class":
        path = tmp_path / "one.csv"
        frame.assign(label="yes").to_csv(path, index=False)
    elif case == "bad_backend":
        args += ["--backend", "no-such-engine"]
    elif case == "no_gpu":
        from gpuimb.cli import _gpu_status

        if _gpu_status()[0]:
            pytest.skip("a GPU is usable here: --device gpu succeeds")
        args += ["--device", "gpu:0"]
    elif case == "plot_extension":
        args += ["--plot", str(tmp_path / "plot.txt")]
    elif case == "plot_of_strings_only":
        path, args[3] = tmp_path / "strings.csv", "SMOTEN"
        mixed[0][["region", "plan", "label"]].to_csv(path, index=False)
        args += ["--plot", str(tmp_path / "plot.png")]
    code = main(["resample", str(path), *args, "--output", str(out)])
    _assert_one_line_failure(code, capsys.readouterr().err, message, tmp_path, out)


def test_demo_with_no_samples_exits_2(capsys):
    assert main(["demo", "--n-samples", "0"]) == 2
    err = capsys.readouterr().err
    assert err.strip().splitlines() == [
        "gpuimb: error: --n-samples must be at least 200 (the smallest class has 5% of "
        "the rows); got 0"]
    assert main(["demo", "--backend", "no-such-engine"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("gpuimb: error: --backend: ")


def test_nan_target_is_one_line_without_warning(table, tmp_path):
    """In a real process, so that no warning filter of pytest's hides a RuntimeWarning."""
    frame, _ = table
    src = tmp_path / "nan.csv"
    frame.assign(label=np.r_[np.ones(100), np.zeros(19), np.nan]).to_csv(src, index=False)
    out = tmp_path / "out.csv"
    result = subprocess.run(
        [sys.executable, "-W", "default", "-m", "gpuimb.cli", "resample", str(src),
         "--target", "label", "--sampler", "SMOTE", "--output", str(out)],
        capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env=ENV)
    _assert_one_line_failure(result.returncode, result.stderr,
                             "target column 'label' has 1 missing value(s)", tmp_path, out)


def test_failure_in_a_real_process_has_no_traceback(tmp_path):
    src = tmp_path / "broken.parquet"
    src.write_bytes(b"garbage")
    out = tmp_path / "out.parquet"
    result = subprocess.run(
        [sys.executable, "-m", "gpuimb.cli", "resample", str(src), "--target", "label",
         "--sampler", "SMOTENC", "--param", "categorical_features=auto",
         "--output", str(out)], capture_output=True, text=True, cwd=tmp_path, timeout=120,
        env=ENV)
    _assert_one_line_failure(result.returncode, result.stderr, "cannot read", tmp_path, out)


@pytest.mark.gpu
def test_gpu_run_reads_and_writes_with_cudf(table, tmp_path, monkeypatch, capsys):
    """On a CUDA machine the table goes file -> cuDF -> CuPy -> cuDF -> file."""
    pytest.importorskip("cupy")
    cudf = pytest.importorskip("cudf")
    frame, _ = table
    src = tmp_path / "in.parquet"
    frame.assign(label=(frame["label"] == "no").astype("int64")).to_parquet(src)

    def no_pandas(*args, **kwargs):
        raise AssertionError("the GPU path must not go through pandas")

    monkeypatch.setattr(pd, "read_parquet", no_pandas)
    monkeypatch.setattr(pd.DataFrame, "to_parquet", no_pandas)
    monkeypatch.setattr(cudf.DataFrame, "to_pandas", no_pandas)
    out = tmp_path / "out.parquet"
    assert _resample(src, out, "--device", "gpu", "--random-state", "0",
                     sampler="RandomOverSampler") == 0
    report = capsys.readouterr().out
    assert "device gpu:0 (cuDF)" in report
    monkeypatch.undo()
    written = pd.read_parquet(out)
    assert written["label"].value_counts().to_dict() == {0: 100, 1: 100}


def test_progress_on_a_terminal_by_default(table, tmp_path, monkeypatch, capsys):
    pytest.importorskip("tqdm")
    _, path = table
    out = tmp_path / "out.csv"
    assert _resample(path, out, sampler="CondensedNearestNeighbour") == 0
    assert capsys.readouterr().err == ""  # not a terminal: no bars
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert _resample(path, out, sampler="CondensedNearestNeighbour") == 0
    err = capsys.readouterr().err
    assert "gpuimb resample" in err and "CondensedNearestNeighbour" in err
    assert _resample(path, out, "--no-progress", sampler="CondensedNearestNeighbour") == 0
    assert capsys.readouterr().err == ""
    assert gpuimb.get_config()["show_progress"] is False
