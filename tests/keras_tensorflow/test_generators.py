"""Keras/TensorFlow balanced batches: imbalanced-learn's batches, without Keras
installed (a stand-in ``keras`` module provides ``utils.Sequence``)."""

import sys
import types

import array_api_strict
import numpy as np
import pytest
from imblearn.tensorflow import balanced_batch_generator as imb_generator
from imblearn.under_sampling import NearMiss as ImbNearMiss
from scipy import sparse
from sklearn.datasets import load_iris
from sklearn.preprocessing import LabelBinarizer

from gpuimb._backends import to_host
from gpuimb.datasets import make_imbalance
from gpuimb.keras import _generator as keras_generator
from gpuimb.over_sampling import RandomOverSampler
from gpuimb.tensorflow import balanced_batch_generator
from gpuimb.under_sampling import ClusterCentroids, NearMiss

DEVICE1 = array_api_strict.Device("device1")


@pytest.fixture
def data():
    X, y = load_iris(return_X_y=True)
    X, y = make_imbalance(X, y, sampling_strategy={0: 30, 1: 50, 2: 40}, random_state=0)
    return X.astype(np.float32), y


@pytest.fixture
def fake_keras(monkeypatch):
    class Sequence:
        def __init__(self):
            self.initialised_by_keras = True

    keras = types.ModuleType("keras")
    keras.utils = types.SimpleNamespace(Sequence=Sequence)
    monkeypatch.setitem(sys.modules, "keras", keras)
    keras_generator.balanced_batch_generator_class.cache_clear()
    yield Sequence
    keras_generator.balanced_batch_generator_class.cache_clear()


def _batches(generator, n):
    return [next(generator) for _ in range(n)]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ours_sampler, theirs_sampler",
                         [(None, None), (NearMiss(), ImbNearMiss())])
def test_generator_equals_imbalanced_learn(data, ours_sampler, theirs_sampler, weighted):
    X, y = data
    w = np.random.RandomState(0).uniform(size=len(y)) if weighted else None
    ours, steps = balanced_batch_generator(X, y, sample_weight=w, sampler=ours_sampler,
                                           batch_size=7, random_state=42)
    theirs, steps_exp = imb_generator(X, y, sample_weight=w, sampler=theirs_sampler,
                                      batch_size=7, random_state=42)
    assert steps == steps_exp
    # two passes: the generator cycles, the last batch of a pass is short
    for got, expected in zip(_batches(ours, 2 * steps + 2), _batches(theirs, 2 * steps + 2),
                             strict=True):
        assert len(got) == len(expected) == (3 if weighted else 2)
        for a, b in zip(got, expected, strict=True):
            np.testing.assert_array_equal(a, b)


def test_generator_on_device_and_sparse(data):
    X, y = data
    X_dev = array_api_strict.asarray(X, device=DEVICE1)
    y_dev = array_api_strict.asarray(y, device=DEVICE1)
    ours, steps = balanced_batch_generator(X_dev, y_dev, batch_size=16, random_state=3)
    theirs, _ = imb_generator(X, y, batch_size=16, random_state=3)
    for _ in range(steps + 1):
        (X_b, y_b), (X_e, y_e) = next(ours), next(theirs)
        assert X_b.device == DEVICE1
        np.testing.assert_array_equal(to_host(X_b), X_e)
        np.testing.assert_array_equal(to_host(y_b), y_e)
    for keep_sparse in (False, True):
        batches, _ = balanced_batch_generator(sparse.csr_matrix(X), y, batch_size=10,
                                              keep_sparse=keep_sparse, random_state=0)
        assert sparse.issparse(next(batches)[0]) == keep_sparse


def test_generator_needs_sample_indices(data):
    with pytest.raises(ValueError, match="needs to have an attribute 'sample_indices_'"):
        balanced_batch_generator(*data, sampler=ClusterCentroids(random_state=0))


@pytest.mark.parametrize("sampler", [None, RandomOverSampler(random_state=0)])
def test_keras_sequence(data, fake_keras, sampler):
    from gpuimb.keras import BalancedBatchGenerator, balanced_batch_generator

    X, y = data
    y_onehot = LabelBinarizer().fit_transform(y).astype(np.int32)
    sequence = BalancedBatchGenerator(X, y_onehot, sampler=sampler, batch_size=10,
                                      random_state=42)
    assert isinstance(sequence, fake_keras) and sequence.initialised_by_keras
    assert BalancedBatchGenerator.__module__ == "gpuimb.keras"
    batches, steps = balanced_batch_generator(X, y_onehot, sampler=sampler,
                                              batch_size=10, random_state=42)
    assert len(sequence) == steps
    for i in range(len(sequence)):
        X_b, y_b = sequence[i]
        X_e, y_e = next(batches)
        np.testing.assert_array_equal(X_b, X_e)
        np.testing.assert_array_equal(y_b, y_e)
        assert y_b.shape == (10, 3)
    assert sequence.sampler_.sample_indices_.shape == sequence.indices_.shape
    with pytest.raises(ValueError, match="needs to have an attribute"):
        BalancedBatchGenerator(X, y, sampler=ClusterCentroids(random_state=0))


def test_keras_missing(monkeypatch):
    for name in ("keras", "tensorflow"):
        monkeypatch.setitem(sys.modules, name, None)  # import raises ImportError
    keras_generator.balanced_batch_generator_class.cache_clear()
    try:
        from gpuimb.keras import BalancedBatchGenerator

        with pytest.raises(ImportError, match="No module named 'keras'"):
            BalancedBatchGenerator(np.zeros((4, 1)), np.array([0, 0, 1, 1]))
    finally:
        keras_generator.balanced_batch_generator_class.cache_clear()
