"""Keras ``Sequence`` of balanced batches, built on first use."""

import functools

from sklearn.utils import check_random_state

from gpuimb.utils._batches import balanced_indices, batch


def _keras_parent():
    """Keras's ``Sequence`` (``PyDataset`` in Keras 3), from keras or tensorflow.keras;
    None when neither is installed."""
    for load in (lambda: __import__("keras"),
                 lambda: __import__("tensorflow", fromlist=["keras"]).keras):
        try:
            utils = load().utils
        except (ImportError, AttributeError):  # not installed (or a stray folder)
            continue
        return utils.Sequence if hasattr(utils, "Sequence") else utils.PyDataset
    return None


class _BalancedBatches:
    """What BalancedBatchGenerator does, whatever Keras class it derives from."""

    use_sequence_api = True

    def __init__(self, X, y, *, sample_weight=None, sampler=None, batch_size=32,
                 keep_sparse=False, random_state=None):
        if self._keras_parent is None:
            raise ImportError("'No module named 'keras'")
        super().__init__()
        self.X = X
        self.y = y
        self.sample_weight = sample_weight
        self.sampler = sampler
        self.batch_size = batch_size
        self.keep_sparse = keep_sparse
        self.random_state = random_state
        self._sample()

    def _sample(self):
        random_state = check_random_state(self.random_state)
        self.sampler_, self.indices_ = balanced_indices(self.X, self.y, self.sampler,
                                                        random_state)

    def __len__(self):
        return int(self.indices_.shape[0]) // self.batch_size

    def __getitem__(self, index):
        return batch(self.X, self.y, self.sample_weight, self.indices_,
                     index * self.batch_size, self.batch_size, self.keep_sparse)


_DOC = """Keras ``Sequence`` of balanced batches, for ``model.fit``.

    The sampler (any sampler exposing ``sample_indices_``; by default a
    :class:`~gpuimb.under_sampling.RandomUnderSampler`) picks the rows once at
    construction; they are shuffled and cut into ``len(self)`` full batches. With
    the same ``random_state`` the batches are imbalanced-learn's. Device arrays are
    sampled and indexed on their device. The class derives from
    ``keras.utils.Sequence`` (``PyDataset`` in Keras 3), so Keras is imported when
    the class is first looked up in :mod:`gpuimb.keras`.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The imbalanced data.
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Its targets.
    sample_weight : array-like of shape (n_samples,), default=None
        Sample weights, batched alongside.
    sampler : sampler object, default=None
        Sampler with a ``sample_indices_`` attribute after ``fit_resample``.
    batch_size : int, default=32
        Rows per batch.
    keep_sparse : bool, default=False
        Keep sparse ``X`` batches sparse instead of densifying them.
    random_state : int, RandomState instance or None, default=None
        Seed of the default sampler's draws and of the shuffle.

    Attributes
    ----------
    sampler_ : sampler object
        The fitted sampler.
    indices_ : array of shape (n_kept,)
        The kept row indices, in batch order.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from gpuimb.keras import BalancedBatchGenerator
    >>> X, y = load_iris(return_X_y=True)
    >>> batches = BalancedBatchGenerator(X, y, batch_size=10,
    ...                                  random_state=42)  # doctest: +SKIP
    >>> model.fit(batches, epochs=10)  # doctest: +SKIP
    """


@functools.cache
def balanced_batch_generator_class():
    """Build ``BalancedBatchGenerator`` on Keras's base class (imports Keras once)."""
    parent = _keras_parent()
    bases = (_BalancedBatches,) if parent is None else (_BalancedBatches, parent)
    return type("BalancedBatchGenerator", bases,
                {"__doc__": _DOC, "__module__": "gpuimb.keras", "_keras_parent": parent,
                 "__qualname__": "BalancedBatchGenerator"})
