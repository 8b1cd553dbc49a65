"""The value difference metric (VDM) between rows of categorical codes.

Two categories of a feature are close when the classes are distributed alike
among their samples. The per-feature pieces live here once and serve both the
public :class:`ValueDifferenceMetric` and SMOTEN's neighbour search:

- :func:`class_distributions` counts (category, class) pairs where the data
  lives and returns each feature's small (n_categories, n_classes) table of
  ``p(class | category)`` on the host;
- :class:`VDMFeature` holds one feature's category-to-category distances (a
  lookup table, or the distributions when there are too many categories for a
  table) and answers ``(n_query, n_index)`` blocks on the data's device;
- :func:`vdm_distances` sums the features.
"""

import numbers

import numpy as np
from sklearn.base import BaseEstimator
from sklearn.utils._param_validation import StrOptions

from gpuimb._backends._tiles import PAIR_TILE, row_tiles, tile_rows
from gpuimb.utils._array_api import (
    device_of,
    get_namespace,
    is_host_namespace,
    to_host,
    to_namespace,
)

# Above this many categories a feature's VDM is computed pair by pair from the
# class distributions rather than looked up in an n_categories² table.
VDM_TABLE_MAX_CATEGORIES = 256

def class_distributions(codes, class_pos, n_classes, sizes, xp):
    """Per feature, the host table ``p(class | category)`` of shape (size, n_classes).

    ``codes`` (n, n_features) are category codes ``0 .. size - 1`` and
    ``class_pos`` (n,) class positions ``0 .. n_classes - 1``, both of namespace
    ``xp``; only the (category, class) counts come to the host, all features'
    in one count (each feature's keys offset past the previous features').
    Categories without samples get a row of zeros.
    """
    sizes = [int(size) for size in sizes]
    n_features = len(sizes)
    if not n_features:
        return []
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]]) * n_classes
    dev = device_of(codes)
    keys = (xp.astype(codes, xp.int64) * n_classes
            + xp.asarray(offsets, dtype=xp.int64, device=dev)[None, :]
            + xp.astype(class_pos, xp.int64)[:, None])
    keys, counts = xp.unique_counts(xp.reshape(keys, (-1,)))
    table = np.zeros(sum(sizes) * n_classes, dtype=np.float64)
    table[np.asarray(to_host(keys))] = np.asarray(to_host(counts))
    tables = []
    for offset, size in zip(offsets, sizes, strict=True):
        counts = table[offset:offset + size * n_classes].reshape(size, n_classes)
        with np.errstate(invalid="ignore"):
            proba = counts / counts.sum(axis=1).reshape(-1, 1)
        tables.append(np.nan_to_num(proba))
    return tables


def _namespace(a):
    return np if isinstance(a, np.ndarray) else get_namespace(a)


def _vdm_power(diff, k, r, axis):
    """``minkowski_k(diff) ** r`` along ``axis``, with scipy's Minkowski rules
    (no root for k=1) and an exact square for r=2."""
    xp = _namespace(diff)
    d = xp.sum(diff, axis=axis) if k == 1 else xp.sum(diff ** k, axis=axis) ** (1.0 / k)
    return d * d if r == 2 else d ** r


class VDMFeature:
    """One feature's value difference metric, ``minkowski_k(p_a, p_b) ** r``.

    Parameters
    ----------
    proba : ndarray of shape (n_categories, n_classes)
        Host class distributions of the feature's categories.
    k, r : int
        Exponents of the metric (SMOTEN uses k=1, r=2).
    xp, device :
        Namespace and device of the codes to be compared.
    """

    def __init__(self, proba, k, r, xp, device):
        self.k, self.r = k, r
        if proba.shape[0] <= VDM_TABLE_MAX_CATEGORIES:
            diff = np.abs(proba[:, None, :] - proba[None, :, :])
            table = _vdm_power(diff, k, r, axis=2)
            self.table = to_namespace(table, xp, device, dtype=xp.float64)
            self.proba = None
        else:
            self.table = None
            self.proba = to_namespace(proba, xp, device, dtype=xp.float64)

    def distances(self, query_codes, index_codes, xp):
        """(n_query, n_index) distances between the categories of two code vectors."""
        if self.table is not None:
            size = int(self.table.shape[0])
            key = query_codes[:, None] * size + index_codes[None, :]
            flat = xp.take(xp.reshape(self.table, (-1,)), xp.reshape(key, (-1,)))
            return xp.reshape(flat, key.shape)
        query = xp.take(self.proba, query_codes, axis=0)
        index = xp.take(self.proba, index_codes, axis=0)
        diff = xp.abs(query[:, None, :] - index[None, :, :])
        return _vdm_power(diff, self.k, self.r, axis=2)


def vdm_distances(codes_query, codes_index, features, xp, device):
    """(n_query, n_index) VDM between rows of codes: the sum over the features."""
    d = xp.zeros((int(codes_query.shape[0]), int(codes_index.shape[0])),
                 dtype=xp.float64, device=device)
    for f, feature in enumerate(features):
        d = d + feature.distances(codes_query[:, f], codes_index[:, f], xp)
    return d


class ValueDifferenceMetric(BaseEstimator):
    r"""Value difference metric between samples of categorical features.

    For one feature, the distance between categories ``x`` and ``y`` is

    .. math:: \delta(x, y) = \Big(\sum_{c=1}^{C} |p(c|x) - p(c|y)|^{k}\Big)^{1/k}

    (the Minkowski distance of order ``k`` between the class distributions of
    the two categories); the distance between two samples is
    :math:`\sum_f \delta(x_f, y_f)^{r}`. This is the metric of Stanfill and Waltz
    (1986) as implemented by imbalanced-learn (whose results it reproduces).

    Device arrays (CuPy, any array-API namespace) are fitted and compared on
    their device; only the per-feature (n_categories, n_classes) distributions
    are kept on the host.

    Parameters
    ----------
    n_categories : "auto" or array-like of shape (n_features,), default="auto"
        Number of categories of each feature; "auto" takes ``X.max(axis=0) + 1``
        at ``fit``. Categories are codes ``0 .. n_categories - 1`` (for instance
        from :class:`~sklearn.preprocessing.OrdinalEncoder`).
    k : int, default=1
        Exponent of the distance between two categories' class distributions.
    r : int, default=2
        Exponent of each feature's distance in the sum over features.

    Attributes
    ----------
    n_categories_ : ndarray of shape (n_features,)
        Number of categories per feature.
    proba_per_class_ : list of ndarray of shape (n_categories, n_classes)
        Per feature, the class distribution of each category (host arrays).
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Names of the features seen during ``fit`` (string column names only).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.preprocessing import OrdinalEncoder
    >>> from gpuimb.metrics.pairwise import ValueDifferenceMetric
    >>> X = np.array(["green"] * 10 + ["red"] * 10 + ["blue"] * 10).reshape(-1, 1)
    >>> y = [1] * 8 + [0] * 5 + [1] * 7 + [0] * 9 + [1]
    >>> encoder = OrdinalEncoder(dtype=np.int32)
    >>> vdm = ValueDifferenceMetric().fit(encoder.fit_transform(X), y)
    >>> vdm.pairwise(encoder.transform([["green"], ["red"], ["blue"]]))
    array([[0.  , 0.04, 1.96],
           [0.04, 0.  , 1.44],
           [1.96, 1.44, 0.  ]])
    """

    _parameter_constraints: dict = {
        "n_categories": [StrOptions({"auto"}), "array-like"],
        "k": [numbers.Integral],
        "r": [numbers.Integral],
    }

    def __init__(self, *, n_categories="auto", k=1, r=2):
        self.n_categories = n_categories
        self.k = k
        self.r = r

    def _validate_codes(self, X, *, reset, y=None):
        """Codes as int64 arrays of X's namespace; the namespace and device."""
        try:
            xp = get_namespace(X)
        except TypeError:
            xp = np
        if is_host_namespace(xp):
            from sklearn.utils.validation import check_array, validate_data

            if reset:
                X, y = validate_data(self, X=X, y=y, reset=True, dtype=np.int32)
            X = check_array(X, ensure_non_negative=True, dtype=np.int32)
            return X.astype(np.int64), y, np, "cpu"
        from gpuimb.utils._validation import _check_array_xp

        X = _check_array_xp(X, allow_nan=False, accept_sparse=False)
        if reset:
            self.n_features_in_ = int(X.shape[1])
        X = xp.astype(X, xp.int64)
        if bool(xp.any(X < 0)):
            # scikit-learn's wording for an unnamed input, as imbalanced-learn shows it
            raise ValueError("Negative values in data passed to .")
        return X, y, xp, device_of(X)

    def fit(self, X, y):
        """Count the class distribution of every category of every feature.

        Parameters
        ----------
        X : array of shape (n_samples, n_features)
            Category codes (non-negative integers), host or device array.
        y : array-like of shape (n_samples,)
            The target.

        Returns
        -------
        self : object
            The fitted metric.
        """
        from sklearn.utils import check_consistent_length

        self._validate_params()
        check_consistent_length(X, y)
        codes, y, xp, device = self._validate_codes(X, reset=True, y=y)
        if isinstance(self.n_categories, str) and self.n_categories == "auto":
            self.n_categories_ = np.asarray(to_host(xp.max(codes, axis=0))) + 1
        else:
            if len(self.n_categories) != self.n_features_in_:
                raise ValueError(
                    "The length of n_categories is not consistent with the "
                    f"number of feature in X. Got {len(self.n_categories)} "
                    f"elements in n_categories and {self.n_features_in_} in X."
                )
            self.n_categories_ = np.asarray(self.n_categories)
        if xp is np:
            classes, class_pos = np.unique(np.asarray(y), return_inverse=True)
            class_pos = class_pos.reshape(-1).astype(np.int64)
        else:
            y = y if not isinstance(y, (list, tuple, np.ndarray)) else \
                to_namespace(np.asarray(y), xp, device)
            classes, class_pos = xp.unique_inverse(xp.reshape(y, (-1,)))
            class_pos = xp.astype(class_pos, xp.int64)
        n_classes = int(classes.shape[0])
        self.proba_per_class_ = class_distributions(codes, class_pos, n_classes,
                                                    self.n_categories_, xp)
        return self

    def pairwise(self, X, Y=None):
        """VDM between every row of ``X`` and every row of ``Y`` (default ``X``).

        Parameters
        ----------
        X : array of shape (n_samples_X, n_features)
            Category codes, host or device array.
        Y : array of shape (n_samples_Y, n_features), default=None
            Category codes of the same namespace and device as ``X``.

        Returns
        -------
        distance_matrix : array of shape (n_samples_X, n_samples_Y)
            float64, in the namespace and on the device of ``X``.
        """
        from sklearn.utils.validation import check_is_fitted

        check_is_fitted(self)
        codes_x, _, xp, device = self._validate_codes(X, reset=False)
        codes_y = codes_x if Y is None else self._validate_codes(Y, reset=False)[0]
        features = [VDMFeature(proba, self.k, self.r, xp, device)
                    for proba in self.proba_per_class_]
        n_y = int(codes_y.shape[0])
        blocks = [vdm_distances(codes_x[start:stop, :], codes_y, features, xp, device)
                  for start, stop in row_tiles(int(codes_x.shape[0]), tile_rows(n_y, PAIR_TILE))]
        if not blocks:
            return xp.zeros((0, n_y), dtype=xp.float64, device=device) if xp is not np \
                else np.zeros((0, n_y))
        return blocks[0] if len(blocks) == 1 else xp.concat(blocks, axis=0)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.positive_only = True
        return tags
