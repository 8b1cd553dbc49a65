"""SMOTETomek: SMOTE over-sampling followed by removal of Tomek links."""

import numbers

from gpuimb.combine._base import BaseSMOTEThenClean
from gpuimb.over_sampling import SMOTE
from gpuimb.over_sampling.base import BaseOverSampler
from gpuimb.under_sampling import TomekLinks


class SMOTETomek(BaseSMOTEThenClean):
    """Over-sample with SMOTE, then remove Tomek links.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        SMOTE's sampling strategy when ``smote`` is None.
    random_state : int, RandomState instance or None, default=None
        SMOTE's random state when ``smote`` is None.
    smote : SMOTE object, default=None
        The over-sampler (gpuimb's ``SMOTE`` or a subclass); None means
        ``SMOTE(sampling_strategy=sampling_strategy, random_state=random_state)``.
    tomek : TomekLinks object, default=None
        The cleaner; None means ``TomekLinks(sampling_strategy="all")``.
    n_jobs : int, default=None
        Passed to the default cleaner.

    Attributes
    ----------
    sampling_strategy_ : dict or str
        The ``sampling_strategy`` parameter, as imbalanced-learn stores it.
    smote_ : sampler object
        The fitted over-sampler.
    tomek_ : sampler object
        The fitted cleaner.
    n_features_in_ : int
        Number of features of X.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.
    engine_ : str
        What ran the resampling.
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
