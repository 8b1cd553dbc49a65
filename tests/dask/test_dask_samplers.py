"""Each sampler on Dask collections equals single-machine gpuimb, whatever the chunking."""

import numpy as np
import pytest

da = pytest.importorskip("dask.array")
dd = pytest.importorskip("dask.dataframe")
pytest.importorskip("distributed")

import dask  # noqa: E402
from sklearn.datasets import make_classification  # noqa: E402

from gpuimb.over_sampling import SMOTE, RandomOverSampler  # noqa: E402
from gpuimb.under_sampling import (  # noqa: E402
    EditedNearestNeighbours,
    RandomUnderSampler,
    TomekLinks,
)


def _data(n=360, sort=False, seed=0):
    X, y = make_classification(n_samples=n, n_features=5, n_informative=4, n_redundant=0,
                               n_classes=3, weights=[0.6, 0.3], class_sep=0.6,
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
    SMOTE(random_state=np.random.RandomState(4), sampling_strategy="minority"),
    EditedNearestNeighbours(),
    EditedNearestNeighbours(kind_sel="mode", n_neighbors=5, sampling_strategy="all"),
    TomekLinks(),
    TomekLinks(sampling_strategy="all"),
]

CHUNKINGS = {
    "uneven-with-empty": (100, 0, 37, 1, 150, 0, 72),
    "single": (360,),
    "many": (13,) * 27 + (9,),
}


def _ids(samplers):
    return [f"{type(s).__name__}-{i}" for i, s in enumerate(samplers)]


def _same(sampler, X, y, Xd, yd):
    from sklearn.base import clone

    local = clone(sampler) if not isinstance(sampler.get_params().get("random_state"),
                                              np.random.RandomState) else sampler
    X_ref, y_ref = local.fit_resample(X, y)
    dist = clone(sampler) if local is not sampler else _fresh(sampler)
    X_res, y_res = dist.fit_resample(Xd, yd)
    assert isinstance(X_res, da.Array) and isinstance(y_res, da.Array)
    assert not any(np.isnan(c) for c in X_res.chunks[0]), "chunk sizes must be known"
    X_out, y_out = dask.compute(X_res, y_res)
    np.testing.assert_array_equal(X_out, X_ref)
    np.testing.assert_array_equal(y_out, y_ref)
    assert X_out.dtype == X_ref.dtype and y_out.dtype == y_ref.dtype
    if hasattr(local, "sample_indices_"):
        np.testing.assert_array_equal(np.asarray(dist.sample_indices_), local.sample_indices_)
    assert dist.sampling_strategy_ == local.sampling_strategy_
    return dist


def _fresh(sampler):
    # A RandomState instance is consumed by the reference run: reseed a copy.
    params = sampler.get_params()
    params["random_state"] = np.random.RandomState(4)
    return type(sampler)(**params)


@pytest.mark.parametrize("chunking", list(CHUNKINGS))
@pytest.mark.parametrize("sampler", SAMPLERS, ids=_ids(SAMPLERS))
def test_equal_to_single_machine(client, sampler, chunking):
    X, y = _data()
    if isinstance(sampler.get_params().get("random_state"), np.random.RandomState):
        sampler = _fresh(sampler)
    chunks = CHUNKINGS[chunking]
    Xd = da.from_array(X, chunks=(chunks, 5))
    yd = da.from_array(y, chunks=(chunks,))
    _same(sampler, X, y, Xd, yd)


@pytest.mark.parametrize("sampler", SAMPLERS[:4] + SAMPLERS[5:6] + SAMPLERS[7:8],
                         ids=_ids(SAMPLERS[:4] + SAMPLERS[5:6] + SAMPLERS[7:8]))
def test_classes_missing_from_partitions(client, sampler):
    X, y = _data(sort=True)
    chunks = (50, 90, 0, 100, 120)
    _same(sampler, X, y, da.from_array(X, chunks=(chunks, 5)),
          da.from_array(y, chunks=(chunks,)))


def test_float32_and_integer_data(client):
    X, y = _data()
    for Xc in (X.astype(np.float32), np.round(X * 3).astype(np.int64)):
        for sampler in (SMOTE(random_state=0), EditedNearestNeighbours()):
            _same(sampler, Xc, y, da.from_array(Xc, chunks=(90, 5)),
                  da.from_array(y, chunks=90))


def test_dataframe_in_dataframe_out(client):
    import pandas as pd

    X, y = _data()
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(5)]).astype(
        {"f0": np.float32})
    labels = pd.Series(np.array(["a", "b", "c"])[y], name="label")
    Xd = dd.from_pandas(frame, npartitions=4)
    yd = dd.from_pandas(labels, npartitions=4)
    for sampler in (RandomUnderSampler(random_state=0), SMOTE(random_state=0),
                    EditedNearestNeighbours()):
        X_ref, y_ref = type(sampler)(**sampler.get_params()).fit_resample(frame, labels)
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
    # The class spread is a distributed reduction: equal to rounding, not bitwise.
    X, y = _data()
    sampler = RandomOverSampler(random_state=0, shrinkage={1: 0.5, 2: 1.0})
    X_ref, y_ref = sampler.fit_resample(X, y)
    X_res, y_res = sampler.fit_resample(da.from_array(X, chunks=70),
                                        da.from_array(y, chunks=70))
    X_out, y_out = dask.compute(X_res, y_res)
    np.testing.assert_array_equal(y_out, y_ref)
    np.testing.assert_allclose(X_out, X_ref, rtol=1e-12, atol=1e-12)
