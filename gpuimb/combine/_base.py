"""What SMOTEENN and SMOTETomek share: SMOTE first, then a cleaning sampler."""

from sklearn.base import clone

from gpuimb.base import BaseSampler
from gpuimb.over_sampling import SMOTE
from gpuimb.utils._array_api import get_namespace


class BaseSMOTEThenClean(BaseSampler):
    """Over-sample with SMOTE, then clean with the sampler named ``_cleaner``.

    Not an over-sampler (the cleaning removes rows again), as in
    imbalanced-learn: ``sampling_strategy`` has the over-samplers' meaning.

    Subclasses set ``_cleaner`` (the parameter name, e.g. ``"enn"``; the fitted
    cleaner is stored as ``_cleaner + "_"``) and ``_default_cleaner()``.
    """

    _sampling_type = "over-sampling"
    _cleaner = None

    def _default_cleaner(self):
        raise NotImplementedError

    def _validate_estimator(self):
        if self.smote is not None:
            self.smote_ = clone(self.smote)
        else:
            self.smote_ = SMOTE(sampling_strategy=self.sampling_strategy,
                                random_state=self.random_state)
        cleaner = getattr(self, self._cleaner)
        setattr(self, self._cleaner + "_",
                clone(cleaner) if cleaner is not None else self._default_cleaner())

    def _row_origin(self):
        if not hasattr(self, "smote_"):
            return None
        smote_rows = self.smote_._row_origin()
        cleaned = getattr(self, self._cleaner + "_")._row_origin()
        xp = get_namespace(smote_rows)
        return xp.take(smote_rows, cleaned)

    def _fit_resample(self, X, y, ctx):
        self._validate_estimator()
        self.sampling_strategy_ = self.sampling_strategy
        X_res, y_res = self.smote_.fit_resample(X, y)
        cleaner = getattr(self, self._cleaner + "_")
        X_res, y_res = cleaner.fit_resample(X_res, y_res)
        # What ran in either part, in order of first use.
        ran = []
        for part in (self.smote_.engine_, cleaner.engine_):
            ran += [name for name in part.split("+") if name not in ran]
        ctx.engine_used = "+".join(ran)
        return X_res, y_res
