"""BalancedBatchSampler: balanced, reproducible index batches; a DataLoader over
tensors when PyTorch is installed (it is optional and not in the test extra)."""

import array_api_strict
import numpy as np
import pytest

from gpuimb.torch import BalancedBatchSampler
from gpuimb.under_sampling import ClusterCentroids, NearMiss, RandomUnderSampler

rng = np.random.RandomState(0)
Y = np.array([0] * 170 + [1] * 20 + [2] * 10)
rng.shuffle(Y)
X = rng.normal(size=(200, 3)) + Y[:, None]


def _epoch(sampler):
    return [list(b) for b in sampler]


def test_batches_are_balanced_and_cover_the_draw():
    sampler = BalancedBatchSampler(Y, batch_size=8, random_state=0)
    assert len(sampler) == 4  # 30 kept rows: 3 full batches and one of 6
    batches = _epoch(sampler)
    assert [len(b) for b in batches] == [8, 8, 8, 6]
    rows = np.concatenate(batches)
    assert len(set(rows.tolist())) == 30
    np.testing.assert_array_equal(np.bincount(Y[rows]), [10, 10, 10])
    # the draw is the under-sampler's: its sample_indices_, shuffled
    assert set(rows.tolist()) == set(sampler.sampler_.sample_indices_.tolist())
    assert isinstance(sampler.sampler_, RandomUnderSampler)


def test_reproducible_and_fresh_every_epoch():
    a = BalancedBatchSampler(Y, batch_size=10, random_state=5)
    b = BalancedBatchSampler(Y, batch_size=10, random_state=5)
    epochs_a = [_epoch(a) for _ in range(3)]
    epochs_b = [_epoch(b) for _ in range(3)]
    assert epochs_a == epochs_b
    majority = [{r for batch in e for r in batch if Y[r] == 0} for e in epochs_a]
    assert majority[0] != majority[1]  # a new share of the majority class each epoch
    fixed = BalancedBatchSampler(Y, batch_size=10, random_state=5,
                                 resample_every_epoch=False)
    assert _epoch(fixed) == _epoch(fixed)
    assert _epoch(BalancedBatchSampler(Y, batch_size=10, random_state=6)) != epochs_a[0]


def test_len_draw_is_the_next_epoch_and_drop_last():
    sampler = BalancedBatchSampler(Y, batch_size=7, drop_last=True, random_state=1,
                                   shuffle=False)
    assert len(sampler) == 4
    kept = sampler.sampler_.sample_indices_
    batches = _epoch(sampler)
    assert [len(b) for b in batches] == [7] * 4
    assert np.concatenate(batches).tolist() == kept[:28].tolist()


def test_samplers_that_look_at_features_and_device_labels():
    sampler = BalancedBatchSampler(Y, X, sampler=NearMiss(), batch_size=30)
    (batch,) = _epoch(sampler)
    near_miss = NearMiss()
    near_miss.fit_resample(X, Y)
    expected = near_miss.sample_indices_
    assert sorted(batch) == sorted(expected.tolist())
    device = array_api_strict.Device("device1")
    on_device = BalancedBatchSampler(array_api_strict.asarray(Y, device=device),
                                     batch_size=30, random_state=0)
    (batch,) = _epoch(on_device)
    assert np.bincount(Y[batch]).tolist() == [10, 10, 10]
    assert all(isinstance(i, int) for i in batch)


def test_errors():
    with pytest.raises(ValueError, match="batch_size should be a positive integer"):
        BalancedBatchSampler(Y, batch_size=0)
    with pytest.raises(ValueError, match="needs to have an attribute 'sample_indices_'"):
        _epoch(BalancedBatchSampler(Y, X, sampler=ClusterCentroids(random_state=0)))


def test_with_a_torch_dataloader():
    torch = pytest.importorskip("torch")
    from torch.utils.data import DataLoader, Sampler, TensorDataset

    X_t = torch.as_tensor(X, dtype=torch.float32)
    y_t = torch.as_tensor(Y)
    sampler = BalancedBatchSampler(y_t, X_t, batch_size=10, random_state=0)
    assert isinstance(sampler, Sampler)
    loader = DataLoader(TensorDataset(X_t, y_t), batch_sampler=sampler)
    batches = list(loader)
    assert len(batches) == len(sampler) == 3
    labels = torch.cat([yb for _, yb in batches])
    assert torch.bincount(labels).tolist() == [10, 10, 10]
    again = list(DataLoader(TensorDataset(X_t, y_t),
                            batch_sampler=BalancedBatchSampler(y_t, X_t, batch_size=10,
                                                               random_state=0)))
    for (xa, ya), (xb, yb) in zip(batches, again, strict=True):
        assert torch.equal(xa, xb) and torch.equal(ya, yb)
