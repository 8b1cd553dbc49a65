"""FunctionSampler: turn any ``func(X, y, **kw_args)`` into a sampler."""


from gpuimb import _io
from gpuimb.base import BaseSampler, _one_hot
from gpuimb.utils._validation import check_sampling_strategy


def _identity(X, y):
    return X, y


class FunctionSampler(BaseSampler):
    """Build a sampler from a callable.

    Parameters
    ----------
    func : callable, default=None
        ``func(X, y, **kw_args)`` returning ``(X_resampled, y_resampled)``; the
        identity when None.
    accept_sparse : bool, default=True
        Whether sparse X is accepted.
    kw_args : dict, default=None
        Keyword arguments passed to ``func``.
    validate : bool, default=True
        Validate X and y (and give the result back in the caller's container
        type). With False, X and y reach ``func`` untouched and its output is
        returned as is.

    Attributes
    ----------
    sampling_strategy_ : dict
        Unused by this sampler, kept for API compatibility.
    n_features_in_ : int
        Number of features of X (when validated).
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names of X, when they are all strings.
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
        from gpuimb.base import _is_device_or_array_api

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
