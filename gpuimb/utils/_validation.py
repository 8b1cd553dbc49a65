"""Validation of X, targets, sampling strategies and neighbour estimators.

The rules and error messages follow imbalanced-learn 0.14.2 so that gpuimb is a
drop-in replacement. Class statistics are computed once per call and kept on the
host: they are one count per class, whatever the size of the data.
"""

import copy
import inspect
from collections import OrderedDict
from collections.abc import Mapping
from numbers import Integral, Real

import numpy as np
from sklearn.base import clone
from sklearn.utils import column_or_1d
from sklearn.utils._param_validation import HasMethods, Interval, StrOptions
from sklearn.utils.multiclass import type_of_target

from gpuimb import _io
from gpuimb.utils._array_api import get_namespace, is_host_namespace, is_sparse, to_host

SAMPLING_KIND = ("over-sampling", "under-sampling", "clean-sampling", "ensemble",
                 "bypass")


def class_counts(y):
    """Return ``{class: count}`` (host scalars, sorted by class) for any namespace."""
    try:
        xp = get_namespace(y)
    except TypeError:
        y, xp = np.asarray(y), np
    if is_host_namespace(xp):
        classes, counts = np.unique(np.asarray(y), return_counts=True)
    else:
        classes, counts = xp.unique_counts(y)
        classes, counts = to_host(classes), to_host(counts)
    return dict(zip(classes, counts, strict=True))


_CLASSIFICATION_TARGETS = ("binary", "multiclass", "multiclass-multioutput",
                           "multilabel-indicator", "multilabel-sequences")


def check_target_type(y, indicate_one_vs_all=False):
    """Check that ``y`` is binary, multiclass or a one-hot encoded multiclass target.

    Other classification targets fail later; regression targets fail here with
    scikit-learn's ``check_classification_targets`` message.

    Parameters
    ----------
    y : array-like
        The target, on the host.
    indicate_one_vs_all : bool, default=False
        Also return whether ``y`` was one-hot encoded.

    Returns
    -------
    y : ndarray of shape (n_samples,)
        The target as a 1-D array of labels (one-hot targets become column indices).
    is_one_vs_all : bool
        Only returned when ``indicate_one_vs_all`` is True.
    """
    type_y = type_of_target(y, input_name="y")
    if type_y not in _CLASSIFICATION_TARGETS:
        # scikit-learn's check_classification_targets, without a second
        # type_of_target pass over y.
        raise ValueError(
            f"Unknown label type: {type_y}. Maybe you are trying to fit a "
            "classifier, which expects discrete classes on a regression target "
            "with continuous values."
        )
    if type_y == "multilabel-indicator":
        if np.any(np.asarray(y.sum(axis=1)) > 1):
            raise ValueError(
                "Imbalanced-learn currently supports binary, multiclass and "
                "binarized encoded multiclasss targets. Multilabel and "
                "multioutput targets are not supported."
            )
        y = np.asarray(y.argmax(axis=1)).ravel()
    else:
        y = column_or_1d(y)
    return (y, type_y == "multilabel-indicator") if indicate_one_vs_all else y


def _for_over(stats):
    n_majority = max(stats.values())
    return {c: n_majority - n for c, n in stats.items()}


def _for_under(stats):
    n_minority = min(stats.values())
    return {c: n_minority for c in stats}


def _majority(stats):
    return max(stats, key=stats.get)


def _minority(stats):
    return min(stats, key=stats.get)


def _strategy_all(stats, sampling_type):
    if sampling_type == "over-sampling":
        return _for_over(stats)
    return _for_under(stats)


def _strategy_majority(stats, sampling_type):
    if sampling_type == "over-sampling":
        raise ValueError(
            "'sampling_strategy'='majority' cannot be used with over-sampler."
        )
    majority = _majority(stats)
    return {c: n for c, n in _for_under(stats).items() if c == majority}


def _strategy_not_majority(stats, sampling_type):
    majority = _majority(stats)
    return {c: n for c, n in _strategy_all(stats, sampling_type).items()
            if c != majority}


def _strategy_not_minority(stats, sampling_type):
    minority = _minority(stats)
    return {c: n for c, n in _strategy_all(stats, sampling_type).items()
            if c != minority}


def _strategy_minority(stats, sampling_type):
    if sampling_type != "over-sampling":
        raise ValueError(
            "'sampling_strategy'='minority' cannot be used with"
            " under-sampler and clean-sampler."
        )
    minority = _minority(stats)
    return {c: n for c, n in _for_over(stats).items() if c == minority}


def _strategy_auto(stats, sampling_type):
    if sampling_type == "over-sampling":
        return _strategy_not_majority(stats, sampling_type)
    return _strategy_not_minority(stats, sampling_type)


_STRATEGY_BY_NAME = {
    "minority": _strategy_minority,
    "majority": _strategy_majority,
    "not minority": _strategy_not_minority,
    "not majority": _strategy_not_majority,
    "all": _strategy_all,
    "auto": _strategy_auto,
}


def _check_classes_present(requested, stats):
    missing = set(requested) - set(stats)
    if missing:
        raise ValueError(
            f"The {missing} target class is/are not present in the data."
        )


def _strategy_dict(strategy, stats, sampling_type):
    _check_classes_present(strategy.keys(), stats)
    for klass, n_wanted in strategy.items():
        # imbalanced-learn fails later with "expected a sequence of integers".
        if isinstance(n_wanted, bool | np.bool_) or not isinstance(n_wanted, Integral):
            raise TypeError(
                "The values of a 'sampling_strategy' dict are numbers of samples and "
                f"must be integers; got {n_wanted!r} ({type(n_wanted).__name__}) for "
                f"class {klass!r}. Pass whole numbers, e.g. {{{klass!r}: "
                f"{_as_int_hint(n_wanted)}}}."
            )
    if any(n < 0 for n in strategy.values()):
        raise ValueError(
            "The number of samples in a class cannot be negative."
            f"'sampling_strategy' contains some negative value: {strategy}"
        )
    if sampling_type == "clean-sampling":
        raise ValueError(
            "'sampling_strategy' as a dict for cleaning methods is "
            "not supported. Please give a list of the classes to be "
            "targeted by the sampling."
        )
    result = {}
    for klass, n_wanted in strategy.items():
        n_have = stats[klass]
        if sampling_type == "over-sampling":
            if n_wanted < n_have:
                raise ValueError(
                    "With over-sampling methods, the number of samples in a class "
                    "should be greater or equal to the original number of samples. "
                    f"Originally, there is {n_have} samples and {n_wanted} samples "
                    "are asked."
                )
            result[klass] = n_wanted - n_have
        else:
            if n_wanted > n_have:
                raise ValueError(
                    "With under-sampling methods, the number of samples in a class "
                    "should be less or equal to the original number of samples. "
                    f"Originally, there is {n_have} samples and {n_wanted} samples "
                    "are asked."
                )
            result[klass] = n_wanted
    return result


def _as_int_hint(value):
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return 100


def _strategy_list(strategy, stats, sampling_type):
    if sampling_type != "clean-sampling":
        raise ValueError(
            "'sampling_strategy' cannot be a list for samplers "
            "which are not cleaning methods."
        )
    _check_classes_present(strategy, stats)
    n_minority = min(stats.values())
    return {klass: n_minority for klass in strategy}


def _strategy_float(ratio, stats, sampling_type):
    if len(stats) != 2:
        raise ValueError(
            '"sampling_strategy" can be a float only when the type '
            "of target is binary. For multi-class, use a dict."
        )
    if sampling_type == "over-sampling":
        majority = _majority(stats)
        n_majority = stats[majority]
        result = {c: int(n_majority * ratio - n) for c, n in stats.items()
                  if c != majority}
        if any(n <= 0 for n in result.values()):
            raise ValueError(
                "The specified ratio required to remove samples "
                "from the minority class while trying to "
                "generate new samples. Please increase the "
                "ratio."
            )
        return result
    if sampling_type == "under-sampling":
        minority = _minority(stats)
        n_minority = stats[minority]
        result = {c: int(n_minority / ratio) for c in stats if c != minority}
        if any(n > stats[c] for c, n in result.items()):
            raise ValueError(
                "The specified ratio required to generate new "
                "sample in the majority class while trying to "
                "remove samples. Please increase the ratio."
            )
        return result
    raise ValueError(
        "'clean-sampling' methods do let the user specify the sampling ratio."
    )


def check_sampling_strategy(sampling_strategy, y, sampling_type, **kwargs):
    """Turn ``sampling_strategy`` into ``{class: n_samples}`` for a target ``y``.

    Parameters
    ----------
    sampling_strategy : float, str, dict, list or callable
        As in imbalanced-learn: a ratio (binary only), one of ``'minority'``,
        ``'majority'``, ``'not minority'``, ``'not majority'``, ``'all'``,
        ``'auto'``, a dict of wanted counts, a list of classes (cleaning
        samplers) or a callable ``f(y, **kwargs) -> dict``.
    y : array of shape (n_samples,)
        The target, in any supported namespace.
    sampling_type : {"over-sampling", "under-sampling", "clean-sampling", \
            "ensemble", "bypass"}
        The kind of sampler asking.
    **kwargs : dict
        Passed to ``sampling_strategy`` when it is callable.

    Returns
    -------
    sampling_strategy_ : OrderedDict
        For over-samplers the number of samples to add per class; for
        under-samplers the number to keep; sorted by class.
    """
    if sampling_type not in SAMPLING_KIND:
        raise ValueError(
            f"'sampling_type' should be one of {SAMPLING_KIND}. "
            f"Got '{sampling_type} instead."
        )
    stats = class_counts(y)
    if len(stats) <= 1:
        raise ValueError(
            "The target 'y' needs to have more than 1 class. "
            f"Got {len(stats)} class instead"
        )
    if sampling_type in ("ensemble", "bypass"):
        return sampling_strategy

    if isinstance(sampling_strategy, str):
        if sampling_strategy not in _STRATEGY_BY_NAME:
            raise ValueError(
                "When 'sampling_strategy' is a string, it needs to be one of "
                f"{list(_STRATEGY_BY_NAME)}. Got '{sampling_strategy}' instead."
            )
        result = _STRATEGY_BY_NAME[sampling_strategy](stats, sampling_type)
    elif isinstance(sampling_strategy, dict):
        result = _strategy_dict(sampling_strategy, stats, sampling_type)
    elif isinstance(sampling_strategy, list):
        result = _strategy_list(sampling_strategy, stats, sampling_type)
    elif isinstance(sampling_strategy, Real):
        if sampling_strategy <= 0 or sampling_strategy > 1:
            raise ValueError(
                "When 'sampling_strategy' is a float, it should be "
                f"in the range (0, 1]. Got {sampling_strategy} instead."
            )
        result = _strategy_float(sampling_strategy, stats, sampling_type)
    elif callable(sampling_strategy):
        wanted = sampling_strategy(to_host(y), **kwargs)
        if not isinstance(wanted, Mapping):
            raise TypeError(
                "A callable 'sampling_strategy' must return a dict mapping each "
                "class to resample to its number of samples; "
                f"{getattr(sampling_strategy, '__name__', 'it')} returned "
                f"{type(wanted).__name__}. Make it return such a dict."
            )
        result = _strategy_dict(wanted, stats, sampling_type)
    else:
        raise TypeError(
            "'sampling_strategy' must be a float, a str, a dict, a list or a "
            f"callable. Got {type(sampling_strategy).__name__} instead."
        )
    return OrderedDict(sorted(result.items()))


def neighbors_constraint(*extra):
    """The ``_parameter_constraints`` entry of a neighbours parameter: an int
    >= 1 or an object with ``kneighbors`` and ``kneighbors_graph``, plus
    ``extra`` options (``None`` where it means a default)."""
    return [
        Interval(Integral, 1, None, closed="left"),
        HasMethods(["kneighbors", "kneighbors_graph"]),
        *extra,
    ]


def sampling_strategy_constraint(strings, classes):
    """The ``_parameter_constraints`` entry of ``sampling_strategy``: a ratio in
    (0, 1], one of ``strings``, ``classes`` (``Mapping`` of counts or ``list`` of
    labels) or a callable."""
    return [Interval(Real, 0, 1, closed="right"), StrOptions(strings), classes, callable]


def check_neighbors_object(nn_name, nn_object, additional_neighbor=0, *, engine=None):
    """Return an unfitted k-nearest-neighbours estimator.

    Parameters
    ----------
    nn_name : str
        Name of the parameter, for error messages.
    nn_object : int or estimator with ``kneighbors``
        An integer asks the engine for a fresh estimator with
        ``nn_object + additional_neighbor`` neighbours; an estimator is cloned.
    additional_neighbor : int, default=0
        Extra neighbours (usually 1, for the query point itself).
    engine : engine, default=None
        The engine that builds estimators for integers; None means scikit-learn.

    Returns
    -------
    nn : estimator
        A clone of the given estimator or the engine's own.
    """
    if isinstance(nn_object, Integral) and not isinstance(nn_object, bool):
        n_neighbors = nn_object + additional_neighbor
        if engine is None:
            from sklearn.neighbors import NearestNeighbors

            return NearestNeighbors(n_neighbors=n_neighbors)
        return engine.nearest_neighbors(n_neighbors)
    if not hasattr(nn_object, "kneighbors"):
        raise ValueError(
            f"{nn_name} has to be one of an int or an object with a "
            f"'kneighbors' method. Got {type(nn_object).__name__} instead."
        )
    if fit_requires_y(nn_object):
        k = getattr(nn_object, "n_neighbors", 5)
        raise ValueError(
            f"{nn_name} must be an int or an unsupervised neighbours estimator "
            "whose fit takes X alone, such as sklearn.neighbors.NearestNeighbors("
            f"n_neighbors={k}); got {type(nn_object).__name__}, a classifier whose "
            "fit needs y. Pass an int or a NearestNeighbors object instead."
        )
    return clone_estimator(nn_object)


def clone_estimator(estimator):
    """scikit-learn's ``clone``, or a deep copy of a duck-typed estimator that
    ``clone`` refuses (no ``get_params``): the caller's object is never fitted."""
    try:
        return clone(estimator)
    except TypeError:
        return copy.deepcopy(estimator)


def fit_requires_y(estimator):
    """Whether ``estimator.fit`` has a required second argument (a supervised
    estimator such as ``KNeighborsClassifier``, unlike ``NearestNeighbors``)."""
    fit = getattr(estimator, "fit", None)
    if fit is None:
        return False
    try:
        signature = inspect.signature(fit)
    except (TypeError, ValueError):
        return False
    positional = [p for p in signature.parameters.values()
                  if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 and positional[1].default is inspect.Parameter.empty


def _is_device_or_array_api(a):
    if isinstance(a, (np.ndarray, list, tuple)):
        return False
    kind = _io.container_kind(a)
    return kind in ("cupy", "cupyx_sparse", "array_api", "torch")


def _plain_numeric_X_y(X, y):
    """True for NumPy X (2-D, numeric, finite) and 1-D integer NumPy labels.

    Such input passes scikit-learn's checks unchanged and ``y`` is binary or
    multiclass; anything else (lists, frames, NaN, strings...) goes through
    the full checks and their error messages.
    """
    if type(X) is not np.ndarray or type(y) is not np.ndarray:
        return False
    if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
        return False
    if X.shape[0] < 1 or X.shape[1] < 1 or X.dtype.kind not in "fiu" or \
            y.dtype.kind not in "iu":
        return False
    # A finite sum means finite entries (an overflowing sum is only a false
    # alarm: the full check then runs).
    return X.dtype.kind != "f" or bool(np.isfinite(X.sum()))


def _check_host_X_loose(X, accept_sparse, *, numeric, allow_nan, allow_inf=False):
    """Validate host X for samplers that accept NaN and/or non-numeric data."""
    from sklearn.utils.validation import _num_samples, check_array

    n_samples = _num_samples(X)
    if n_samples < 1:
        raise ValueError(
            f"Found array with {n_samples} sample(s) while a minimum of 1 is required."
        )
    if _io.container_kind(X) == "pandas_dataframe":
        return X
    return check_array(
        X,
        accept_sparse=list(accept_sparse) if accept_sparse else False,
        dtype="numeric" if numeric else None,
        ensure_all_finite=False if allow_inf else ("allow-nan" if allow_nan else True),
    )


def _check_target_xp(y):
    xp = get_namespace(y)
    if y.ndim == 2 and y.shape[1] == 1:
        y = xp.reshape(y, (-1,))
    if y.ndim == 2:
        row_sums = xp.sum(xp.astype(y, xp.int64), axis=1)
        is_binary = bool(xp.all((y == 0) | (y == 1)))
        if not is_binary or bool(xp.any(row_sums > 1)):
            raise ValueError(
                "Imbalanced-learn currently supports binary, multiclass and "
                "binarized encoded multiclasss targets. Multilabel and "
                "multioutput targets are not supported."
            )
        return xp.argmax(y, axis=1), True
    if y.ndim != 1:
        raise ValueError(f"y should be a 1d array, got an array of shape {y.shape} "
                         "instead.")
    if xp.isdtype(y.dtype, "real floating"):
        if not bool(xp.all(xp.isfinite(y))):
            raise ValueError("Input y contains NaN or infinity.")
        if bool(xp.any(y != xp.round(y))):
            raise ValueError(
                "Unknown label type: continuous. Maybe you are trying to fit a "
                "classifier, which expects discrete classes on a regression target "
                "with continuous values."
            )
    return y, False


def _check_array_xp(X, *, allow_nan, accept_sparse, allow_inf=False):
    if is_sparse(X):
        if not accept_sparse:
            raise TypeError("Sparse data was passed, but dense data is required.")
        values = X.data
    else:
        values = X
    if X.ndim != 2:
        raise ValueError(
            f"Expected 2D array, got {X.ndim}D array instead. Reshape your data "
            "either using array.reshape(-1, 1) if your data has a single feature or "
            "array.reshape(1, -1) if it contains a single sample."
        )
    n_samples, n_features = X.shape
    if n_samples < 1:
        raise ValueError(f"Found array with {n_samples} sample(s) (shape={X.shape}) "
                         "while a minimum of 1 is required.")
    if n_features < 1:
        raise ValueError(f"Found array with {n_features} feature(s) (shape={X.shape}) "
                         "while a minimum of 1 is required.")
    xp = get_namespace(values)
    if xp.isdtype(values.dtype, "complex floating"):
        raise ValueError("Complex data not supported")
    if xp.isdtype(values.dtype, "real floating"):
        if not allow_nan and bool(xp.any(xp.isnan(values))):
            raise ValueError("Input X contains NaN.")
        if not allow_inf and bool(xp.any(xp.isinf(values))):
            raise ValueError(
                f"Input X contains infinity or a value too large for {values.dtype}."
            )
    return X
