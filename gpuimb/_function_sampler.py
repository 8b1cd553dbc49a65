"""FunctionSampler: turn any ``func(X, y, **kw_args)`` into a sampler."""

from gpuimb.base import BaseSampler


def _identity(X, y):
    return X, y


class FunctionSampler(BaseSampler):
    """Build a sampler from a function of X and y.

    Wraps any function returning a resampled ``(X, y)`` as a sampler, so that
    it can be a step of :class:`gpuimb.pipeline.Pipeline` (fitted during
    ``fit`` only, skipped at predict time) or be cloned and searched over like
    the other samplers. Outlier removal is the classic use.

    Read more in imbalanced-learn's user guide on custom samplers.

    Parameters
    ----------
    func : callable, default=None
        ``func(X, y, **kw_args)`` returning ``(X_resampled, y_resampled)``.
        ``None`` is the identity (X and y are given back unchanged).
    accept_sparse : bool, default=True
        Whether a sparse X is accepted when validating.
    kw_args : dict, default=None
        Keyword arguments passed to ``func``.
    validate : bool, default=True
        Check X and y (and give the result back in the caller's container
        type: pandas in, pandas out). With ``False``, X and y reach ``func``
        untouched and its output is returned as it is, so ``func`` may take
        any data, e.g. text.

    Attributes
    ----------
    sampling_strategy_ : dict
        Unused by this sampler, kept for API compatibility.
    n_features_in_ : int
        Number of features (columns) of the X given to ``fit_resample``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X; only set when X has column names that are all
        strings (a pandas or cuDF DataFrame).
    engine_ : str
        Name of X's array namespace (the function runs no engine); set by
        ``fit_resample`` when ``validate=True``.

    See Also
    --------
    gpuimb.pipeline.Pipeline : Pipelines that run samplers during fit only.

    Notes
    -----
    The function runs on whatever X is: with CuPy data it receives CuPy
    arrays, so it should use array-API functions to stay on the GPU.

    Examples
    --------
    >>> import numpy as np
    >>> from gpuimb import FunctionSampler
    >>> X = np.array([[0.0], [0.1], [0.2], [9.0], [1.0], [1.1]])
    >>> y = np.array([0, 0, 0, 0, 1, 1])
    >>> def drop_far_rows(X, y, limit):
    ...     keep = np.abs(X[:, 0]) < limit
    ...     return X[keep], y[keep]
    >>> sampler = FunctionSampler(func=drop_far_rows, kw_args={"limit": 5.0})
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> X_res.ravel().tolist(), y_res.tolist()
    ([0.0, 0.1, 0.2, 1.0, 1.1], [0, 0, 0, 1, 1])
    """

    _sampling_type = "bypass"

    _parameter_constraints: dict = {
        "func": [callable, None],
        "accept_sparse": ["boolean"],
        "kw_args": [dict, None],
        "validate": ["boolean"],
    }

    def __init__(self, *, func=None, accept_sparse=True, kw_args=None, validate=True):
        super().__init__()
        self.func = func
        self.accept_sparse = accept_sparse
        self.kw_args = kw_args
        self.validate = validate

    @property
    def _accept_sparse(self):
        # Read by the template's validation and by the tags.
        return ("csr", "csc") if self.accept_sparse else ()

    def _validates_input(self):
        return self.validate

    def _fit_resample(self, X, y, ctx):
        func = _identity if self.func is None else self.func
        return func(X, y, **(self.kw_args or {}))
