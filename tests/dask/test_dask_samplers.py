"""Each sampler on Dask collections equals single-machine gpuimb, whatever the chunking."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import dask  # noqa: E402
from sklearn.base import clone  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402

from gpuimb.combine import SMOTEENN, SMOTETomek  # noqa: E402
from gpuimb.over_sampling import (  # noqa: E402
    ADASYN,
    SMOTE,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
    BorderlineSMOTE,
    RandomOverSampler,
)
from gpuimb.under_sampling import (  # noqa: E402
    AllKNN,
    ClusterCentroids,
    CondensedNearestNeighbour,
    EditedNearestNeighbours,
    NearMiss,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
    RandomUnderSampler,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)

N = 240


def _data(n=N, sort=False, seed=0):
    X, y = make_classification(n_samples=n, n_features=5, n_informative=4, n_redundant=0,
                               n_classes=3, weights=[0.55, 0.3], class_sep=0.5,
                               random_state=seed)
    if sort:
        # Classes grouped: most partitions miss some classes.
        order = np.argsort(y, kind="stable")
        X, y = X[order], y[order]
    return X, y


SAMPLERS = [
    RandomUnderSampler(random_state=0),
    RandomUnderSampler(random_state=1, replacement=True, sampling_strategy="not minority"),
    RandomOverSampler(random_state=2),
    SMOTE(random_state=3, k_neighbors=4),
    SMOTE(random_state=4, sampling_strategy="minority"),
    BorderlineSMOTE(random_state=5),
    BorderlineSMOTE(random_state=6, kind="borderline-2", m_neighbors=6),
    ADASYN(random_state=7),
    EditedNearestNeighbours(),
    EditedNearestNeighbours(kind_sel="mode", n_neighbors=5, sampling_strategy="all"),
    RepeatedEditedNearestNeighbours(sampling_strategy="all", kind_sel="mode"),
    AllKNN(n_neighbors=4, allow_minority=True),
    TomekLinks(),
    TomekLinks(sampling_strategy="all"),
    NearMiss(version=1),
    NearMiss(version=3, n_neighbors_ver3=2),
    NeighbourhoodCleaningRule(),
    NeighbourhoodCleaningRule(n_neighbors=4, threshold_cleaning=0.1, sampling_strategy="all"),
    SMOTEENN(random_state=8),
    SMOTETomek(random_state=9),
    NearMiss(version=2),
    NearMiss(version=2, n_neighbors=100, sampling_strategy="all"),  # k >= minority size
    OneSidedSelection(random_state=0),
    OneSidedSelection(random_state=1, n_neighbors=3, n_seeds_S=4, sampling_strategy="all"),
    CondensedNearestNeighbour(random_state=0),
    CondensedNearestNeighbour(random_state=1, n_neighbors=3, n_seeds_S=4,
                              sampling_strategy="all"),
]

CHUNKINGS = {
    "uneven-with-empty": (70, 0, 33, 1, 100, 0, 36),
    "single": (N,),
}


def _ids(samplers):
    return [f"{type(s).__name__}-{i}" for i, s in enumerate(samplers)]


def _same(sampler, X, y, Xd, yd):
    local = clone(sampler)
    X_ref, y_ref = local.fit_resample(X, y)
    dist = clone(sampler)
    X_res, y_res = dist.fit_resample(Xd, yd)
    assert isinstance(X_res, da.Array) and isinstance(y_res, da.Array)
    assert not any(np.isnan(c) for c in X_res.chunks[0]), "chunk sizes must be known"
    assert X_res.chunks[0] == y_res.chunks[0]
    X_out, y_out = dask.compute(X_res, y_res)
    np.testing.assert_array_equal(X_out, X_ref)
    np.testing.assert_array_equal(y_out, y_ref)
    assert X_out.dtype == X_ref.dtype and y_out.dtype == y_ref.dtype
    if hasattr(local, "sample_indices_"):
        np.testing.assert_array_equal(np.asarray(dist.sample_indices_), local.sample_indices_)
    if hasattr(local, "n_iter_"):
        assert dist.n_iter_ == local.n_iter_
    assert dist.sampling_strategy_ == local.sampling_strategy_
    assert dist.engine_ == "dask"
    return dist


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("sampler", SAMPLERS, ids=_ids(SAMPLERS))
def test_equal_to_single_machine(client, sampler, chunking):
    X, y = _data()
    chunks = CHUNKINGS[chunking]
    _same(sampler, X, y, da.from_array(X, chunks=(chunks, 5)),
          da.from_array(y, chunks=(chunks,)))


MISSING = [SAMPLERS[i] for i in (0, 2, 3, 5, 7, 8, 10, 12, 14, 16, 20, 23, 24, 25)]


@pytest.mark.parametrize("sampler", MISSING, ids=_ids(MISSING))
def test_classes_missing_from_partitions(client, sampler):
    X, y = _data(sort=True)
    chunks = (50, 70, 0, 60, 60)
    _same(sampler, X, y, da.from_array(X, chunks=(chunks, 5)),
          da.from_array(y, chunks=(chunks,)))


def test_many_small_partitions(client):
    X, y = _data()
    chunks = (20,) * 11 + (0, 20)
    for sampler in (RandomUnderSampler(random_state=0), SMOTE(random_state=0), TomekLinks()):
        _same(sampler, X, y, da.from_array(X, chunks=(chunks, 5)),
              da.from_array(y, chunks=(chunks,)))


def test_random_state_instance(client):
    X, y = _data()
    X_ref, _ = SMOTE(random_state=np.random.RandomState(3)).fit_resample(X, y)
    X_res, _ = SMOTE(random_state=np.random.RandomState(3)).fit_resample(
        da.from_array(X, chunks=60), da.from_array(y, chunks=60))
    np.testing.assert_array_equal(X_res.compute(), X_ref)


def test_float32_and_integer_data(client):
    X, y = _data()
    for Xc in (X.astype(np.float32), np.round(X * 3).astype(np.int64)):
        for sampler in (SMOTE(random_state=0), ADASYN(random_state=0),
                        EditedNearestNeighbours()):
            _same(sampler, Xc, y, da.from_array(Xc, chunks=(90, 5)),
                  da.from_array(y, chunks=90))


def test_dataframe_in_dataframe_out(client):
    import pandas as pd

    X, y = _data()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)]).astype(
        {"f0": np.float32})
    labels = pd.Series(np.array(["a", "b", "c"])[y], name="label")
    Xd = dd.from_pandas(frame, npartitions=4)
    yd = dd.from_pandas(labels, npartitions=3)
    for sampler in (RandomUnderSampler(random_state=0), SMOTE(random_state=0),
                    EditedNearestNeighbours()):
        X_ref, y_ref = clone(sampler).fit_resample(frame, labels)
        X_res, y_res = sampler.fit_resample(Xd, yd)
        assert isinstance(X_res, dd.DataFrame) and isinstance(y_res, dd.Series)
        X_out, y_out = dask.compute(X_res, y_res)
        assert list(X_out.columns) == list(frame.columns)
        assert dict(X_out.dtypes) == dict(frame.dtypes)
        assert y_out.name == "label"
        np.testing.assert_array_equal(X_out.to_numpy(), X_ref.to_numpy())
        np.testing.assert_array_equal(y_out.to_numpy(), y_ref.to_numpy())
        np.testing.assert_array_equal(sampler.feature_names_in_, frame.columns)


def test_shrinkage_close_to_single_machine(client):
    # The class spread is a distributed reduction: equal to rounding, not bitwise;
    # the draws (rows and noise) are the single machine's.
    X, y = _data()
    sampler = RandomOverSampler(random_state=0, shrinkage={1: 0.5, 2: 1.0})
    X_ref, y_ref = clone(sampler).fit_resample(X, y)
    X_res, y_res = sampler.fit_resample(da.from_array(X, chunks=70),
                                        da.from_array(y, chunks=70))
    X_out, y_out = dask.compute(X_res, y_res)
    np.testing.assert_array_equal(y_out, y_ref)
    np.testing.assert_allclose(X_out, X_ref, rtol=1e-12, atol=1e-12)


def test_fit_sets_strategy_without_resampling(client):
    X, y = _data()
    sampler = RandomUnderSampler().fit(da.from_array(X, chunks=50), da.from_array(y, chunks=50))
    assert sampler.sampling_strategy_ == RandomUnderSampler().fit(X, y).sampling_strategy_


def _mixed(seed=0):
    """Continuous columns 1-4 and an integer category in column 0."""
    X, y = _data(seed=seed)
    X[:, 0] = np.round(np.abs(X[:, 0]) * 2)
    return X, y


@pytest.mark.parametrize(
    "sampler", [SVMSMOTE(random_state=0), ClusterCentroids(random_state=0)],
    ids=["SVMSMOTE", "ClusterCentroids"])
def test_inexact_samplers_need_opt_in(client, sampler):
    from gpuimb.dask import fit_resample

    X, y = _mixed()
    Xd, yd = da.from_array(X, chunks=60), da.from_array(y, chunks=60)
    with pytest.raises(NotImplementedError, match="gather=True"):
        sampler.fit_resample(Xd, yd)
    X_res, y_res = fit_resample(clone(sampler), Xd, yd, gather=True)
    X_ref, y_ref = clone(sampler).fit_resample(X, y)
    # Gathered, the single-machine sampler runs: the same result.
    np.testing.assert_array_equal(y_res.compute(), y_ref)
    np.testing.assert_array_equal(X_res.compute(), X_ref)


def _categorical(strings, sort=False):
    rng = np.random.RandomState(0)
    y = rng.choice(3, size=N, p=[0.55, 0.3, 0.15])
    X = np.column_stack([rng.randint(0, 4, N) + y, rng.randint(0, 3, N),
                         rng.randint(0, 6, N)])
    if strings:
        X = np.array(list("abcdefghi"), dtype=object)[X]
    if sort:
        order = np.argsort(y, kind="stable")
        X, y = X[order], y[order]
    return X, y


SMOTEN_CASES = {
    "numbers-uneven-with-empty": (False, False, CHUNKINGS["uneven-with-empty"]),
    "strings-single": (True, False, CHUNKINGS["single"]),
    "strings-missing-classes": (True, True, (50, 70, 0, 60, 60)),
}


@pytest.mark.parametrize("case", list(SMOTEN_CASES))
def test_smoten_equal_to_single_machine(client, case, monkeypatch):
    from gpuimb.dask import _samplers

    strings, sort, chunks = SMOTEN_CASES[case]
    X, y = _categorical(strings, sort)
    Xd, yd = da.from_array(X, chunks=(chunks, 3)), da.from_array(y, chunks=(chunks,))
    _same(SMOTEN(random_state=0), X, y, Xd, yd)
    # Blocks of 17 rows: the VDM search merges many (query, index) block pairs.
    monkeypatch.setattr(_samplers, "VDM_BLOCK_ROWS", 17)
    sampler = SMOTEN(random_state=1, k_neighbors=3, sampling_strategy="minority")
    dist = _same(sampler, X, y, Xd, yd)
    local = clone(sampler)
    local.fit_resample(X, y)
    # The encoder fitted from the partitions' distinct values has the same categories.
    for mine, theirs in zip(dist.categorical_encoder_.categories_,
                            local.categorical_encoder_.categories_, strict=True):
        np.testing.assert_array_equal(mine, theirs)


def test_smoten_dataframe_of_strings(client):
    import pandas as pd

    X, y = _categorical(strings=True)
    frame = pd.DataFrame(X, columns=["a", "b", "c"])
    labels = pd.Series(y, name="label")
    sampler = SMOTEN(random_state=0)
    X_ref, y_ref = clone(sampler).fit_resample(frame, labels)
    X_res, y_res = sampler.fit_resample(dd.from_pandas(frame, npartitions=3),
                                        dd.from_pandas(labels, npartitions=4))
    X_out, y_out = dask.compute(X_res, y_res)
    assert list(X_out.columns) == ["a", "b", "c"]
    np.testing.assert_array_equal(X_out.to_numpy(), np.asarray(X_ref))
    np.testing.assert_array_equal(y_out.to_numpy(), np.asarray(y_ref))


SMOTENC_CASES = {
    "uneven-with-empty": (np.float64, 5, CHUNKINGS["uneven-with-empty"], False),
    "single": (np.float64, 5, CHUNKINGS["single"], False),
    "missing-classes": (np.float64, 5, (50, 70, 0, 60, 60), True),
    "float32-one-continuous": (np.float32, 2, (70, 0, 33, 137), False),
}


@pytest.mark.parametrize("case", list(SMOTENC_CASES))
def test_smotenc_equal_to_single_machine(client, case, monkeypatch):
    kind, width, chunks, sort = SMOTENC_CASES[case]
    X, y = _mixed()
    X = X.astype(kind)
    X = X[:, :width]
    if sort:
        order = np.argsort(y, kind="stable")
        X, y = X[order], y[order]
    Xd, yd = da.from_array(X, chunks=(chunks, width)), da.from_array(y, chunks=(chunks,))
    dist = _same(SMOTENC(categorical_features=[0], random_state=0), X, y, Xd, yd)
    local = SMOTENC(categorical_features=[0], random_state=0)
    local.fit_resample(X, y)
    assert dist.median_std_ == local.median_std_
    if case == "uneven-with-empty":
        from gpuimb.dask import _knn

        monkeypatch.setattr(_knn, "block_rows", lambda row_bytes, **kw: 23)
        _same(SMOTENC(categorical_features=[0], random_state=3, k_neighbors=3), X, y, Xd, yd)


def test_smotenc_refuses_tied_distances(client):
    # Integer-valued data: tied neighbours, which the single machine orders by the
    # rounding of its sparse search. Refused, never silently different.
    from gpuimb.dask import fit_resample

    X, y = _mixed()
    X = np.round(X * 2)
    Xd, yd = da.from_array(X, chunks=70), da.from_array(y, chunks=70)
    sampler = SMOTENC(categorical_features=[0], random_state=0)
    with pytest.raises(NotImplementedError, match="gather=True"):
        clone(sampler).fit_resample(Xd, yd)
    X_res, _ = fit_resample(clone(sampler), Xd, yd, gather=True)
    np.testing.assert_array_equal(X_res.compute(), clone(sampler).fit_resample(X, y)[0])


def test_smotenc_dataframe_auto_categories(client):
    import pandas as pd

    X, y = _mixed()
    frame = pd.DataFrame(X[:, 1:], columns=list("abcd"))
    colours = np.array(list("rgbcmykwz"))[X[:, 0].astype(int) % 9]
    frame["colour"] = pd.Series(colours).astype("category")
    labels = pd.Series(y, name="t")
    sampler = SMOTENC(categorical_features="auto", random_state=0)
    X_ref, y_ref = clone(sampler).fit_resample(frame, labels)
    X_res, y_res = sampler.fit_resample(dd.from_pandas(frame, npartitions=3),
                                        dd.from_pandas(labels, npartitions=4))
    X_out, y_out = dask.compute(X_res, y_res)
    assert dict(X_out.dtypes) == dict(X_ref.dtypes)
    np.testing.assert_array_equal(X_out.to_numpy(dtype=object), X_ref.to_numpy(dtype=object))
    np.testing.assert_array_equal(y_out.to_numpy(), np.asarray(y_ref))


def test_near_miss_2_refuses_huge_values(client):
    # Beyond 2**49 / n_features the single machine ranks around the minority mean.
    from gpuimb.dask import fit_resample

    X, y = _data()
    X = X * 2.0**48
    Xd, yd = da.from_array(X, chunks=70), da.from_array(y, chunks=70)
    with pytest.raises(NotImplementedError, match="gather=True"):
        NearMiss(version=2).fit_resample(Xd, yd)
    X_res, _ = fit_resample(NearMiss(version=2), Xd, yd, gather=True)
    np.testing.assert_array_equal(X_res.compute(), NearMiss(version=2).fit_resample(X, y)[0])


def test_near_miss_2_ties_and_float32(client):
    # Integer-valued data (exactly tied distances and sums) and float32 data.
    X, y = _data()
    for Xc in (np.round(X * 2), X.astype(np.float32)):
        _same(NearMiss(version=2), Xc, y, da.from_array(Xc, chunks=((70, 0, 33, 137), 5)),
              da.from_array(y, chunks=((70, 0, 33, 137),)))


def test_bad_input_errors(client):
    X, y = _data()
    Xd, yd = da.from_array(X, chunks=60), da.from_array(y, chunks=60)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SMOTE().fit_resample(Xd, yd[:-1])
    X_nan = X.copy()
    X_nan[100, 2] = np.nan
    with pytest.raises(ValueError, match="Input X contains NaN"):
        SMOTE().fit_resample(da.from_array(X_nan, chunks=60), yd)
    with pytest.raises(ValueError, match="continuous"):
        SMOTE().fit_resample(Xd, da.from_array(y + 0.5, chunks=60))
    with pytest.raises(ValueError, match="n_neighbors = 101"):
        SMOTE(k_neighbors=100).fit_resample(Xd, yd)
    with pytest.raises(TypeError, match="must be an integer"):
        from sklearn.neighbors import NearestNeighbors

        SMOTE(k_neighbors=NearestNeighbors(n_neighbors=6)).fit_resample(Xd, yd)
    with pytest.raises(ValueError, match="more than 1 class"):
        RandomUnderSampler().fit_resample(Xd, da.zeros(N, chunks=60, dtype=int))
    with pytest.raises(TypeError, match="dask.array.Array"):
        SMOTE().fit_resample(Xd, list(y))


@pytest.mark.parametrize("n_neighbors", [None, 3])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_condensed_nearest_neighbour_near_ties(client, monkeypatch, n_neighbors, dtype):
    # A lattice of non-representable steps (float) or small integers: many
    # exact ties, which only entry-by-entry store distances keep independent of
    # the partitions. Small scan blocks and merge batches of a few rows (a
    # tiny task budget) cover the chain's merge of earlier partitions' rows.
    from gpuimb.dask import _memory

    rng = np.random.default_rng(2)
    X = rng.integers(0, 5, size=(N, 3))
    X = X.astype(dtype) if dtype == np.int64 else (X * 0.1 + 0.3).astype(dtype)
    y = rng.choice(3, size=N, p=[0.2, 0.3, 0.5])
    monkeypatch.setattr(CondensedNearestNeighbour, "_block_size", 16)
    monkeypatch.setattr(_memory, "worker_task_bytes", lambda: 4096)
    chunks = (13, 0, 47, 1, 90, 0, 89)
    sampler = CondensedNearestNeighbour(random_state=3, n_neighbors=n_neighbors,
                                        sampling_strategy="all")
    _same(sampler, X, y, da.from_array(X, chunks=(chunks, 3)),
          da.from_array(y, chunks=(chunks,)))


def test_condensed_nearest_neighbour_refuses_an_estimator(client):
    from sklearn.neighbors import KNeighborsClassifier

    X, y = _data()
    Xd, yd = da.from_array(X, chunks=60), da.from_array(y, chunks=60)
    with pytest.raises(TypeError, match="must be an integer"):
        CondensedNearestNeighbour(n_neighbors=KNeighborsClassifier(2)).fit_resample(Xd, yd)
    with pytest.raises(ValueError, match="n_neighbors"):
        # More neighbours than the store (the minority class and one seed) holds.
        CondensedNearestNeighbour(n_neighbors=200).fit_resample(Xd, yd)


def test_exact_knn_with_ties_and_odd_blocks(client):
    from gpuimb._backends import kneighbors as brute_force
    from gpuimb.dask import kneighbors

    rng = np.random.RandomState(0)
    X = np.round(rng.randn(300, 4))  # many exact ties
    # The array-API brute force is exact in (distance, index) order at any tie
    # count (the host scikit-learn path only within its candidate margin).
    ref_d, ref_i = brute_force(X, k=6)
    found = kneighbors(da.from_array(X, chunks=((50, 0, 1, 149, 100), 4)), k=6,
                       return_distance=True, max_block_rows=37)
    ind, dist = dask.compute(found.indices, found.distances)
    np.testing.assert_array_equal(ind, ref_i)
    np.testing.assert_array_equal(dist, ref_d)


def test_import_gpuimb_does_not_import_dask():
    import subprocess
    import sys

    code = ("import sys, gpuimb, gpuimb.over_sampling, gpuimb.under_sampling; "
            "print(any(m == 'dask' or m.startswith('dask.') for m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


SMALL_BLOCKS = [SAMPLERS[i] for i in (3, 5, 7, 8, 10, 11, 12, 14, 15, 16, 20, 22, 25)]


@pytest.mark.parametrize("sampler", SMALL_BLOCKS, ids=_ids(SMALL_BLOCKS))
def test_many_knn_blocks(client, sampler, monkeypatch):
    # The memory budget normally fits these test sets in one kNN block; force
    # blocks of 23 rows so every search merges many (query, index) block pairs.
    from gpuimb.dask import _knn

    monkeypatch.setattr(_knn, "block_rows", lambda row_bytes, **kw: 23)
    X, y = _data()
    chunks = CHUNKINGS["uneven-with-empty"]
    _same(sampler, X, y, da.from_array(X, chunks=(chunks, 5)),
          da.from_array(y, chunks=(chunks,)))


def test_task_budget_follows_worker_memory_limit(client):
    from gpuimb.dask._memory import TASK_FRACTION, cluster_task_bytes, worker_task_bytes

    # The session cluster: 2 GiB workers with one thread each.
    assert cluster_task_bytes() == int(2 * 2**30 * TASK_FRACTION)
    assert client.submit(worker_task_bytes, pure=False).result() == int(2 * 2**30 * TASK_FRACTION)
