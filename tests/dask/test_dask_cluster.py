"""Parquet in/out, a worker killed mid-run, and dask-cuda: the cluster side of gpuimb.dask."""

import os
import pathlib
import signal
import time

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

import dask  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402

from gpuimb.over_sampling import SMOTE, SMOTEN, SMOTENC  # noqa: E402
from gpuimb.under_sampling import EditedNearestNeighbours, OneSidedSelection  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _frame(n=400):
    import pandas as pd

    X, y = make_classification(n_samples=n, n_features=4, n_informative=3, n_redundant=0,
                               weights=[0.8], random_state=0)
    frame = pd.DataFrame(X, columns=list("abcd"))
    frame["label"] = y
    return frame


def test_resample_parquet_equals_single_machine(client, tmp_path):
    import pandas as pd

    from gpuimb.dask import resample_parquet

    frame = _frame()
    for i in range(3):
        frame.iloc[i * 150:(i + 1) * 150].to_parquet(tmp_path / f"in{i}.parquet")
    out = tmp_path / "out"
    summary = resample_parquet(str(tmp_path / "in*.parquet"), out, SMOTE(random_state=0),
                               target="label", scheduler=client)
    assert summary["output_dir"] == str(out)
    result = pd.read_parquet(out)
    X_ref, y_ref = SMOTE(random_state=0).fit_resample(frame[list("abcd")], frame["label"])
    np.testing.assert_array_equal(result[list("abcd")].to_numpy(), X_ref.to_numpy())
    np.testing.assert_array_equal(result["label"].to_numpy(), y_ref.to_numpy())
    assert list(result.columns) == list(frame.columns)

    with pytest.raises(FileExistsError, match="overwrite=True"):
        resample_parquet(str(tmp_path / "in*.parquet"), out, SMOTE(), target="label",
                         scheduler=client)
    with pytest.raises(ValueError, match="'nope' is not in the input columns"):
        resample_parquet(str(tmp_path / "in*.parquet"), tmp_path / "o2", SMOTE(),
                         target="nope", scheduler=client)
    assert not (tmp_path / "o2").exists()


def test_resample_parquet_leaves_no_partial_output(client, tmp_path, monkeypatch):
    from gpuimb.dask import _parquet, resample_parquet

    frame = _frame()
    frame.to_parquet(tmp_path / "in.parquet")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "old.txt").write_text("previous output")

    def failing(tmp, output_dir):
        assert any(p.suffix == ".parquet" for p in pathlib.Path(tmp).iterdir())
        raise OSError("disk full")

    monkeypatch.setattr(_parquet, "_replace", failing)
    with pytest.raises(OSError, match="disk full"):
        resample_parquet(str(tmp_path / "in.parquet"), tmp_path / "out",
                         SMOTE(random_state=0), target="label", scheduler=client,
                         overwrite=True)
    # The previous output is untouched and no temporary directory is left.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.parquet", "out"]
    assert (tmp_path / "out" / "old.txt").read_text() == "previous output"


def test_worker_killed_mid_run():
    """A worker process dies while the kNN runs: the result is still exact.

    ``processes=True``: a real worker process is killed (SIGKILL); its nanny
    restarts it and the scheduler recomputes the lost tasks.
    """
    X, y = make_classification(n_samples=3000, n_features=8, weights=[0.7], random_state=1)
    X_ref, y_ref = EditedNearestNeighbours().fit_resample(X, y)
    env = {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT),
                                                        os.environ.get("PYTHONPATH")]))}
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, memory_limit="1GiB",
                                  env=env) as cluster, distributed.Client(cluster) as client:
        Xd = da.from_array(X, chunks=(250, 8))
        yd = da.from_array(y, chunks=250)
        sampler = EditedNearestNeighbours()
        from gpuimb.dask._knn import kneighbors

        # Kill a worker as soon as the distributed kNN has started running.
        found = kneighbors(Xd, k=3, max_block_rows=100)
        future = client.compute(found.indices)
        pids = client.run(os.getpid)
        victim = sorted(pids)[0]
        deadline = time.monotonic() + 60
        while not client.processing().get(victim) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert client.processing().get(victim), "the kNN never reached the worker"
        os.kill(pids[victim], signal.SIGKILL)
        indices = future.result(timeout=120)
        assert not future.cancelled()
        # The nanny started a new worker process in place of the killed one.
        client.wait_for_workers(2, timeout=60)
        assert pids[victim] not in client.run(os.getpid).values()
        from gpuimb._backends import get_engine

        np.testing.assert_array_equal(indices, get_engine(np).kneighbors(
            X, k=3, return_distance=False))
        X_res, y_res = sampler.fit_resample(Xd, yd)
        X_out, y_out = dask.compute(X_res, y_res)
        # Samplers whose tasks carry encoders (pickled to real worker processes).
        X_mixed = X[:, :4].copy()
        X_mixed[:, 0] = np.round(np.abs(X_mixed[:, 0]) * 2)
        for other, X_other in ((SMOTENC(categorical_features=[0], random_state=0), X_mixed),
                               (SMOTEN(random_state=0), np.round(np.abs(X[:, :3])))):
            X_want, y_want = type(other)(**other.get_params()).fit_resample(X_other, y)
            X_got, y_got = dask.compute(*other.fit_resample(
                da.from_array(X_other, chunks=(700, X_other.shape[1])), yd))
            np.testing.assert_array_equal(X_got, X_want)
            np.testing.assert_array_equal(y_got, y_want)
    np.testing.assert_array_equal(X_out, X_ref)
    np.testing.assert_array_equal(y_out, y_ref)


@pytest.mark.gpu
def test_local_cuda_cluster_cupy_chunks():
    """CuPy-backed dask arrays on dask-cuda equal single-machine gpuimb on CuPy."""
    cupy = pytest.importorskip("cupy")
    dask_cuda = pytest.importorskip("dask_cuda")
    X, y = make_classification(n_samples=2000, n_features=8, weights=[0.8], random_state=0)
    X_gpu, y_gpu = cupy.asarray(X), cupy.asarray(y)
    with dask_cuda.LocalCUDACluster(protocol="tcp", n_workers=1) as cluster, \
            distributed.Client(cluster):
        yd = da.from_array(y_gpu, chunks=300, asarray=False)
        X_cat = cupy.asarray(np.round(np.abs(X[:, :3])))
        for sampler, X_in in ((SMOTE(random_state=0), X_gpu),
                              (EditedNearestNeighbours(), X_gpu),
                              (OneSidedSelection(random_state=0), X_gpu),
                              (SMOTEN(random_state=0), X_cat)):
            Xd = da.from_array(X_in, chunks=(300, X_in.shape[1]), asarray=False)
            X_ref, y_ref = type(sampler)(**sampler.get_params()).fit_resample(X_in, y_gpu)
            X_res, y_res = sampler.fit_resample(Xd, yd)
            X_out, y_out = dask.compute(X_res, y_res)
            assert isinstance(X_out, cupy.ndarray)
            cupy.testing.assert_array_equal(X_out, X_ref)
            cupy.testing.assert_array_equal(y_out, y_ref)


def test_reusing_allocator_restores_distributed_thresholds(monkeypatch):
    from gpuimb.dask import _memory

    calls = []

    class FakeLibc:
        def mallopt(self, param, value):
            calls.append(("mallopt", param, value))
            return 1

        def malloc_trim(self, pad):
            calls.append(("trim", pad))
            return 1

    monkeypatch.setattr(_memory, "_LIBC", [FakeLibc()])
    monkeypatch.delenv("MALLOC_TRIM_THRESHOLD_", raising=False)
    with _memory.reusing_allocator():
        pass
    assert calls == []  # not in a distributed worker: nothing touched

    monkeypatch.setenv("MALLOC_TRIM_THRESHOLD_", "65536")
    with pytest.raises(RuntimeError, match="boom"):
        with _memory.reusing_allocator():
            with _memory.reusing_allocator():  # a second task of the same worker
                assert len(calls) == 2
            assert len(calls) == 2
            raise RuntimeError("boom")
    assert calls == [
        ("mallopt", _memory._M_MMAP_THRESHOLD, _memory._TASK_MMAP_THRESHOLD),
        ("mallopt", _memory._M_TRIM_THRESHOLD, _memory._TASK_TRIM_THRESHOLD),
        ("mallopt", _memory._M_MMAP_THRESHOLD, 128 * 1024),
        ("mallopt", _memory._M_TRIM_THRESHOLD, 65536),
        ("trim", 0),
    ]
    assert _memory._ALLOC_TASKS == [0]
