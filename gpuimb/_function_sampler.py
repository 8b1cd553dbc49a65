"""FunctionSampler: turn any ``func(X, y, **kw_args)`` into a sampler."""


from gpuimb import _io
from gpuimb.base import BaseSampler, _one_hot
from gpuimb.utils._validation import check_sampling_strategy


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

    def _validated(self, X, y):
        X, x_info = _io.unwrap(X)
        y, _ = _io.unwrap(y)
        self._accept_sparse = ("csr", "csc") if self.accept_sparse else ()
        if self._is_host(X, y):
            X, y, binarize_y = self._check_X_y(
                X, y, accept_sparse=["csr", "csc"] if self.accept_sparse else False)
        else:
            X, y, binarize_y = self._check_X_y_xp(X, y, x_info)
        return X, y, binarize_y

    @staticmethod
    def _is_host(X, y):
        from gpuimb.utils._validation import _is_device_or_array_api

        return not (_is_device_or_array_api(X) or _is_device_or_array_api(y))

    def fit(self, X, y):
        """Check inputs and compute ``sampling_strategy_``.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Data array.
        y : array-like of shape (n_samples,)
            Target array.

        Returns
        -------
        self : object
            The fitted sampler.
        """
        self._validate_params()
        if self.validate:
            X, y, _ = self._validated(X, y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y, self._sampling_type
        )
        return self

    def fit_resample(self, X, y):
        """Resample with ``func``.

        Parameters
        ----------
        X : {array-like, dataframe, sparse matrix} of shape (n_samples, n_features)
            Data to resample.
        y : array-like of shape (n_samples,)
            Labels of X.

        Returns
        -------
        X_resampled, y_resampled
            What ``func`` returned, in the caller's container types when
            ``validate=True``.
        """
        self._validate_params()
        if not self.validate:
            self.sampling_strategy_ = check_sampling_strategy(
                self.sampling_strategy, y, self._sampling_type
            )
            return self._fit_resample(X, y, None)
        _, x_info = _io.unwrap(X)
        _, y_info = _io.unwrap(y)
        X_arr, y_arr, binarize_y = self._validated(X, y)
        self.sampling_strategy_ = check_sampling_strategy(
            self.sampling_strategy, y_arr, self._sampling_type
        )
        output = self._fit_resample(X_arr, y_arr, None)
        y_res = _one_hot(output[1], y_arr) if binarize_y else output[1]
        X_out = _io.wrap(output[0], x_info)
        y_out = _io.wrap(y_res, y_info, index_like=X_out)
        return (X_out, y_out) if len(output) == 2 else (X_out, y_out, output[2])

    def _fit_resample(self, X, y, ctx):
        func = _identity if self.func is None else self.func
        return func(X, y, **(self.kw_args or {}))
