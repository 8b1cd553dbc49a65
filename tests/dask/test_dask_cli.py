"""``gpuimb resample --dask``: Parquet directory in, partitioned Parquet out."""

import numpy as np
import pytest

pd = pytest.importorskip("pandas")
pytest.importorskip("pyarrow")
distributed = pytest.importorskip("distributed")

from gpuimb.cli import main  # noqa: E402
from gpuimb.under_sampling import RandomUnderSampler  # noqa: E402


@pytest.fixture(scope="module")
def client():
    with distributed.Client(processes=False, n_workers=1, threads_per_worker=1,
                            dashboard_address=":0") as c:
        yield c


@pytest.fixture
def parquet_dir(tmp_path):
    rng = np.random.RandomState(0)
    frame = pd.DataFrame(rng.randn(300, 3), columns=["a", "b", "c"])
    frame["label"] = np.r_[np.zeros(240, int), np.ones(60, int)]
    path = tmp_path / "train"
    path.mkdir()
    for i, start in enumerate((0, 100, 200)):
        frame.iloc[start:start + 100].to_parquet(path / f"part.{i}.parquet")
    return path, frame


def test_dask_resample_equals_the_single_machine_result(client, parquet_dir, tmp_path, capsys):
    path, frame = parquet_dir
    out = tmp_path / "out"
    status = main(["resample", str(path), "--target", "label", "--sampler",
                   "RandomUnderSampler", "--random-state", "0", "--output", str(out),
                   "--dask", "--no-progress"])
    assert status == 0, capsys.readouterr().err
    assert "on Dask" in capsys.readouterr().out
    result = pd.read_parquet(out)
    X_ref, y_ref = RandomUnderSampler(random_state=0).fit_resample(
        frame[["a", "b", "c"]], frame["label"])
    np.testing.assert_array_equal(result[["a", "b", "c"]].to_numpy(), X_ref.to_numpy())
    np.testing.assert_array_equal(result["label"].to_numpy(), y_ref.to_numpy())


@pytest.mark.parametrize("case", ["exists", "refused_sampler"])
def test_dask_failures_are_one_line_and_leave_nothing(client, parquet_dir, tmp_path,
                                                      capsys, case):
    path, _ = parquet_dir
    out = tmp_path / "out"
    sampler = "RandomUnderSampler"
    if case == "exists":
        out.mkdir()
    else:
        sampler = "SVMSMOTE"  # needs an explicit opt-in on Dask
    before = sorted(p.name for p in tmp_path.iterdir())
    status = main(["resample", str(path), "--target", "label", "--sampler", sampler,
                   "--output", str(out), "--dask", "--no-progress"])
    err = capsys.readouterr().err.strip().splitlines()
    assert status == 2 and len(err) == 1 and err[0].startswith("gpuimb: error:")
    assert "Traceback" not in err[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == before
