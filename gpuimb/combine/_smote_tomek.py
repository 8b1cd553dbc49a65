"""SMOTETomek: SMOTE over-sampling followed by removal of Tomek links."""

import numbers

from gpuimb.combine._base import BaseSMOTEThenClean
from gpuimb.over_sampling import SMOTE
from gpuimb.over_sampling.base import BaseOverSampler
from gpuimb.under_sampling import TomekLinks


class SMOTETomek(BaseSMOTEThenClean):
    """Over-sample with SMOTE, then clean with TomekLinks.

    SMOTETomek first balances the classes with :class:`~gpuimb.over_sampling.SMOTE`,
    then removes both members of every Tomek link (pairs of rows of
    different classes that are each other's nearest neighbour), which clears
    the border between the classes. The cleaning may leave the classes slightly unbalanced again.

    Read more in imbalanced-learn's user guide on combining over- and under-sampling.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        How many samples each class should have once over-sampled.

        - float: the wanted ratio ``n_minority_after / n_majority`` of a binary
          problem, in (0, 1]. A ratio below the current one is an error (an
          over-sampler cannot remove samples).
        - str: which classes grow to the size of the majority class:
          ``"minority"`` (the smallest class), ``"not minority"`` (all but the
          smallest), ``"not majority"`` (all but the largest), ``"all"`` (every
          class) or ``"auto"``, the same as ``"not majority"``.
        - dict: ``{class label: number of samples wanted after resampling}``;
          classes left out keep their samples, and a number below a class's
          current size is an error.
        - callable: ``f(y)`` returning such a dict.
        Used for the default SMOTE only (when ``smote`` is None).
    random_state : int, RandomState instance or None, default=None
        Seed of the default SMOTE (when ``smote`` is None); see
        :class:`~gpuimb.over_sampling.SMOTE`.
    smote : sampler object, default=None
        The over-sampler: gpuimb's ``SMOTE`` or one of its subclasses,
        configured as wanted. ``None`` uses ``SMOTE(sampling_strategy=
        sampling_strategy, random_state=random_state)``.
    tomek : sampler object, default=None
        The cleaner: gpuimb's ``TomekLinks``, configured as wanted.
        ``None`` uses ``TomekLinks(sampling_strategy="all")`` with ``n_jobs``.
    n_jobs : int, default=None
        Passed to the default cleaner.

    Attributes
    ----------
    sampling_strategy_ : dict or str
        The ``sampling_strategy`` parameter, stored as imbalanced-learn does.
    smote_ : sampler object
        The fitted over-sampler.
    tomek_ : sampler object
        The fitted cleaner.
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        What ran the neighbour searches of both steps.

    See Also
    --------
    gpuimb.over_sampling.SMOTE : The first step alone.
    gpuimb.under_sampling.TomekLinks : The second step alone.

    Notes
    -----
    Data on a GPU (CuPy arrays, cuDF frames, CUDA torch tensors) is resampled
    on the GPU and returned in the same container; host data (NumPy, pandas,
    SciPy sparse) stays on the host. ``gpuimb.config_context(backend=...)``
    picks the engine; each call logs one INFO line on the ``"gpuimb"`` logger.
    The two steps each log their own line, then SMOTETomek logs the whole call.

    References
    ----------
    .. [1] G. Batista, A. L. Bazzan and M. C. Monard, "Balancing training data
       for automated annotation of keywords: a case study", WOB, pp. 10-18,
       2003.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from gpuimb.combine import SMOTETomek
    >>> X, y = make_classification(n_samples=500, weights=[0.9], class_sep=0.8,
    ...                            random_state=10)
    >>> sorted(Counter(y.tolist()).items())
    [(0, 449), (1, 51)]
    >>> X_res, y_res = SMOTETomek(random_state=42).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 449), (1, 449)]
    """

    _cleaner = "tomek"

    _parameter_constraints: dict = {
        **BaseOverSampler._parameter_constraints,
        "smote": [SMOTE, None],
        "tomek": [TomekLinks, None],
        "n_jobs": [numbers.Integral, None],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, smote=None,
                 tomek=None, n_jobs=None):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.smote = smote
        self.tomek = tomek
        self.n_jobs = n_jobs

    def _default_cleaner(self):
        return TomekLinks(sampling_strategy="all", n_jobs=self.n_jobs)
