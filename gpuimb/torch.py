"""Balanced batches for PyTorch training loops (beyond imbalanced-learn).

:class:`BalancedBatchSampler` is a ``torch.utils.data.Sampler`` of index
batches for ``DataLoader(dataset, batch_sampler=...)``: every epoch it runs a
gpuimb sampler (by default a :class:`~gpuimb.under_sampling.RandomUnderSampler`)
on the labels (and features, for samplers that look at them) and yields the
kept rows, shuffled, ``batch_size`` at a time. Tensors on a CUDA device are
sampled on the device (through DLPack and CuPy); only the kept row numbers come
to the host, as the ``DataLoader`` protocol wants.

PyTorch is optional: it is imported when :class:`BalancedBatchSampler` is first
looked up. Without it the class is a plain iterable of index lists.
"""

import functools

import numpy as np
from sklearn.utils import check_random_state

__all__ = ["BalancedBatchSampler"]  # noqa: F822 (built by __getattr__)


def _placeholder_features(y):
    """A (n, 1) zero matrix of y's kind, for samplers that ignore the features."""
    n = int(y.shape[0]) if hasattr(y, "shape") else len(y)
    if type(y).__module__.split(".")[0] == "torch":
        import torch

        return torch.zeros((n, 1), dtype=torch.float32, device=y.device)
    if isinstance(y, (list, tuple, np.ndarray)) or hasattr(y, "iloc"):
        return np.zeros((n, 1))
    from gpuimb.utils._array_api import device_of, get_namespace

    xp = get_namespace(y)
    return xp.zeros((n, 1), dtype=xp.float32, device=device_of(y))


class _BalancedBatches:
    """The sampling logic of BalancedBatchSampler, whatever its base class."""

    def __init__(self, y, X=None, *, sampler=None, batch_size=32, drop_last=False,
                 shuffle=True, resample_every_epoch=True, random_state=None):
        if not isinstance(batch_size, int) or isinstance(batch_size, bool) \
                or batch_size < 1:
            raise ValueError(
                f"batch_size should be a positive integer value, but got "
                f"batch_size={batch_size!r}"
            )
        self.y = y
        self.X = X
        self.sampler = sampler
        self.batch_size = batch_size
        self.drop_last = drop_last
        self.shuffle = shuffle
        self.resample_every_epoch = resample_every_epoch
        self.random_state = random_state
        self._rng = check_random_state(random_state)
        self._next = None  # rows drawn ahead (by __len__), used by the next epoch
        self._fixed = None  # the one draw, when not resampling every epoch
        self.sampler_ = None

    def _draw(self):
        """Run a fresh clone of the sampler; return the kept rows in batch order."""
        from sklearn.base import clone

        from gpuimb.utils._array_api import to_host

        if self.sampler is None:
            from gpuimb.under_sampling import RandomUnderSampler

            sampler = RandomUnderSampler()
        else:
            sampler = clone(self.sampler)
        if "random_state" in sampler.get_params():
            sampler.set_params(random_state=int(self._rng.randint(np.iinfo(np.int32).max)))
        X = _placeholder_features(self.y) if self.X is None else self.X
        sampler.fit_resample(X, self.y)
        if not hasattr(sampler, "sample_indices_"):
            raise ValueError("'sampler' needs to have an attribute 'sample_indices_'.")
        self.sampler_ = sampler
        rows = np.asarray(to_host(sampler.sample_indices_), dtype=np.int64)
        if self.shuffle:
            rows = rows[self._rng.permutation(rows.shape[0])]
        return rows

    def _epoch_rows(self):
        if not self.resample_every_epoch:
            if self._fixed is None:
                self._fixed = self._draw()
            return self._fixed
        if self._next is not None:
            rows, self._next = self._next, None
            return rows
        return self._draw()

    def __iter__(self):
        rows = self._epoch_rows().tolist()
        stop = len(rows) - len(rows) % self.batch_size if self.drop_last else len(rows)
        for start in range(0, stop, self.batch_size):
            yield rows[start:start + self.batch_size]

    def __len__(self):
        if not self.resample_every_epoch:
            n_rows = len(self._epoch_rows())
        else:
            if self._next is None:
                self._next = self._draw()
            n_rows = len(self._next)
        if self.drop_last:
            return n_rows // self.batch_size
        return -(-n_rows // self.batch_size)


_DOC = """Batches of row indices balanced by a gpuimb sampler, for a ``DataLoader``.

    Each epoch (each iteration over the sampler) a fresh clone of ``sampler`` is
    fitted on ``(X, y)`` with a seed drawn from ``random_state``; its kept rows
    (``sample_indices_``) are shuffled and yielded as lists of ``batch_size``
    indices. Under-samplers thus show the model a different share of the
    majority classes every epoch while every batch stays balanced. The same
    ``random_state`` gives the same batches, epoch after epoch.

    Use it as ``DataLoader(dataset, batch_sampler=BalancedBatchSampler(y))``,
    where row ``i`` of ``dataset`` has label ``y[i]``; ``y`` (and ``X``) may be
    tensors on a CUDA device: the sampler then runs there.

    Parameters
    ----------
    y : tensor or array of shape (n_samples,) or (n_samples, n_classes)
        Labels of the dataset's rows (or their one-hot encoding).
    X : tensor or array of shape (n_samples, n_features), default=None
        Features, for samplers that look at them (NearMiss, Tomek links, ...).
        None suits samplers that only need the labels (the default random
        under-sampler).
    sampler : sampler object, default=None
        Any gpuimb (or imbalanced-learn) sampler with ``sample_indices_``; by
        default :class:`~gpuimb.under_sampling.RandomUnderSampler`.
    batch_size : int, default=32
        Indices per batch.
    drop_last : bool, default=False
        Drop the last, short batch of an epoch.
    shuffle : bool, default=True
        Shuffle the kept rows; otherwise they come in the sampler's order.
    resample_every_epoch : bool, default=True
        Draw new rows every epoch; False keeps the first draw (and reshuffles
        nothing between epochs).
    random_state : int, RandomState instance or None, default=None
        Seed of the sampler's seeds and of the shuffles.

    Attributes
    ----------
    sampler_ : sampler object
        The sampler fitted for the latest draw.

    Examples
    --------
    >>> import torch  # doctest: +SKIP
    >>> from torch.utils.data import DataLoader, TensorDataset  # doctest: +SKIP
    >>> from gpuimb.torch import BalancedBatchSampler  # doctest: +SKIP
    >>> X = torch.randn(1000, 8); y = (torch.rand(1000) < 0.1).long()  # doctest: +SKIP
    >>> loader = DataLoader(TensorDataset(X, y), batch_sampler=BalancedBatchSampler(
    ...     y, batch_size=32, random_state=0))  # doctest: +SKIP
    >>> X_batch, y_batch = next(iter(loader))  # doctest: +SKIP
    """


@functools.cache
def _balanced_batch_sampler_class():
    """Build the class on ``torch.utils.data.Sampler`` when PyTorch is installed."""
    try:
        from torch.utils.data import Sampler
    except ImportError:
        bases = (_BalancedBatches,)
    else:
        bases = (_BalancedBatches, Sampler)
    return type("BalancedBatchSampler", bases,
                {"__doc__": _DOC, "__module__": __name__,
                 "__qualname__": "BalancedBatchSampler"})


def __getattr__(name):
    if name == "BalancedBatchSampler":
        return _balanced_batch_sampler_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
