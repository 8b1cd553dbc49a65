"""An endless generator of balanced batches (imbalanced-learn's tensorflow API)."""

from sklearn.utils import check_random_state

from gpuimb.utils._batches import balanced_indices, batch


def balanced_batch_generator(X, y, *, sample_weight=None, sampler=None, batch_size=32,
                             keep_sparse=False, random_state=None):
    """Balance ``(X, y)`` with a sampler, then yield its rows batch after batch.

    The sampler (any sampler exposing ``sample_indices_``; by default a
    :class:`~gpuimb.under_sampling.RandomUnderSampler`) picks the rows once; they
    are shuffled and cut into batches of ``batch_size``, cycling forever. With the
    same ``random_state`` the batches are imbalanced-learn's. Device arrays (CuPy,
    any array-API namespace) are sampled and indexed on their device.

    Parameters
    ----------
    X : array-like or sparse matrix of shape (n_samples, n_features)
        The imbalanced data.
    y : array-like of shape (n_samples,) or (n_samples, n_classes)
        Its targets (labels or one-hot).
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

    Returns
    -------
    generator : generator of tuple
        Yields ``(X_batch, y_batch)`` or ``(X_batch, y_batch, sample_weight_batch)``.
    steps_per_epoch : int
        Number of full batches in one pass over the kept rows.

    Examples
    --------
    >>> from sklearn.datasets import load_iris
    >>> from gpuimb.datasets import make_imbalance
    >>> from gpuimb.tensorflow import balanced_batch_generator
    >>> X, y = load_iris(return_X_y=True)
    >>> X, y = make_imbalance(X, y, sampling_strategy={0: 30, 1: 50, 2: 40},
    ...                       random_state=0)
    >>> batches, steps_per_epoch = balanced_batch_generator(X, y, batch_size=10,
    ...                                                     random_state=42)
    >>> steps_per_epoch
    9
    >>> X_batch, y_batch = next(batches)
    >>> X_batch.shape
    (10, 4)
    """
    random_state = check_random_state(random_state)
    _, indices = balanced_indices(X, y, sampler, random_state)
    n_kept = int(indices.shape[0])

    def generator():
        while True:
            for start in range(0, n_kept, batch_size):
                yield batch(X, y, sample_weight, indices, start, batch_size, keep_sparse)

    return generator(), n_kept // batch_size
