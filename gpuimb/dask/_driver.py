"""``fit_resample`` on Dask collections: validate, count, dispatch, wrap back.

The sampler's own parameter validation runs first; then one distributed pass
(:func:`gpuimb.dask._ops.scan`) validates X and y and counts the classes per
chunk; ``sampling_strategy_`` is computed on the client from the counts; the
sampler's Dask function builds the lazy result.
"""

from collections import OrderedDict
from numbers import Real

import numpy as np

from gpuimb.dask import _collections, _ops, _samplers

# Samplers whose result on Dask equals the single-machine result.
_EXACT = {
    "RandomUnderSampler": _samplers.random_under_sampler,
    "RandomOverSampler": _samplers.random_over_sampler,
    "SMOTE": _samplers.smote,
    "EditedNearestNeighbours": _samplers.edited_nearest_neighbours,
    "TomekLinks": _samplers.tomek_links,
    "BorderlineSMOTE": _samplers.borderline_smote,
    "ADASYN": _samplers.adasyn,
    "SMOTEENN": _samplers.smote_then_clean,
    "SMOTETomek": _samplers.smote_then_clean,
    "RepeatedEditedNearestNeighbours": _samplers.repeated_edited_nearest_neighbours,
    "AllKNN": _samplers.all_knn,
    "NearMiss": _samplers.near_miss,
    "NeighbourhoodCleaningRule": _samplers.neighbourhood_cleaning_rule,
    "OneSidedSelection": _samplers.one_sided_selection,
    "CondensedNearestNeighbour": _samplers.condensed_nearest_neighbour,
    "SMOTEN": _samplers.smoten,
    "SMOTENC": _samplers.smotenc,
}

# No exact distributed algorithm exists (an SVC, K-means or a cross-validated
# classifier on all of X): these run only when the caller opts in to gathering.
_GATHER_ONLY = {
    "SVMSMOTE": "it trains an SVC on all of X and no distributed SVC exists",
    "KMeansSMOTE": "distributed K-means (k-means||) finds other centres than K-means++",
    "ClusterCentroids": "distributed K-means (k-means||) finds other centres than K-means++",
    "InstanceHardnessThreshold": "it cross-validates a classifier on all of X",
}
_GATHER_ONLY["ClusterCentroids"] += " (and its centroids are new rows from all of X)"


def handler_for(sampler):
    """The Dask function of a sampler, or NotImplementedError."""
    handler = _handler(sampler)
    if handler is None:
        raise _unsupported(sampler)
    return handler


def _handler(sampler):
    cls = type(sampler)
    name = cls.__name__
    if cls.__module__.startswith("gpuimb.") and name in _EXACT:
        return _EXACT[name]
    return None


def _unsupported(sampler):
    name = type(sampler).__name__
    why = _GATHER_ONLY.get(name, "it has no distributed implementation in gpuimb.dask yet")
    return NotImplementedError(
        f"{name} cannot resample Dask collections exactly: {why}. To run it anyway "
        "on one machine, opt in explicitly with gpuimb.dask.fit_resample(sampler, X, "
        "y, gather=True), which loads all of X and y into the client's memory, or "
        "compute the collections yourself. Samplers that run distributed and "
        f"exactly: {', '.join(sorted(_EXACT))}."
    )


def strategy_for(sampler, data):
    """``check_sampling_strategy`` from the client's class counts."""
    from gpuimb.utils import _validation as v

    strategy, kind = sampler.sampling_strategy, sampler._sampling_type
    stats = data.stats
    if len(stats) <= 1:
        raise ValueError(
            "The target 'y' needs to have more than 1 class. "
            f"Got {len(stats)} class instead"
        )
    if isinstance(strategy, str):
        if strategy not in v._STRATEGY_BY_NAME:
            raise ValueError(
                "When 'sampling_strategy' is a string, it needs to be one of "
                f"{list(v._STRATEGY_BY_NAME)}. Got '{strategy}' instead."
            )
        result = v._STRATEGY_BY_NAME[strategy](stats, kind)
    elif isinstance(strategy, dict):
        result = v._strategy_dict(strategy, stats, kind)
    elif isinstance(strategy, list):
        result = v._strategy_list(strategy, stats, kind)
    elif isinstance(strategy, Real):
        if strategy <= 0 or strategy > 1:
            raise ValueError(
                "When 'sampling_strategy' is a float, it should be "
                f"in the range (0, 1]. Got {strategy} instead."
            )
        result = v._strategy_float(strategy, stats, kind)
    else:
        # A callable needs y itself: y (never X) is gathered to the client.
        return v.check_sampling_strategy(strategy, np.asarray(data.y.compute()), kind)
    return OrderedDict(sorted(result.items()))


def _validate(sampler, X, y):
    sampler._validate_params()
    X_arr, y_arr, x_info, y_info = _collections.prepare(X, y)
    numeric_only = not getattr(sampler, "_allow_non_numeric", False)
    if numeric_only and (not np.issubdtype(X_arr.dtype, np.number)
                         or X_arr.dtype.kind == "c"):
        raise ValueError(
            f"X must be numeric for {type(sampler).__name__}; got dtype {X_arr.dtype}. "
            "Encode non-numeric columns first."
        )
    shrinking = getattr(sampler, "shrinkage", None) is not None
    check_x = not getattr(sampler, "_allow_nan", False) or shrinking
    try:
        data = _ops.scan(X_arr, y_arr, check_x=check_x and X_arr.dtype.kind in "fc")
    except ValueError as exc:
        if shrinking and "Input X" in str(exc):
            raise ValueError(
                "When shrinkage is not None, X needs to contain only numerical data "
                f"to later generate a smoothed bootstrap sample ({exc})"
            ) from exc
        raise
    sampler.n_features_in_ = int(X_arr.shape[1])
    columns = x_info.columns
    if columns is not None and all(isinstance(c, str) for c in columns):
        sampler.feature_names_in_ = np.asarray(list(columns), dtype=object)
    elif hasattr(sampler, "feature_names_in_"):
        del sampler.feature_names_in_
    sampler.sampling_strategy_ = strategy_for(sampler, data)
    data.x_info = x_info
    return data, x_info, y_info


def fit_dask(sampler, X, y):
    """``fit`` on Dask collections: validation and ``sampling_strategy_`` only."""
    _validate(sampler, X, y)
    return sampler


def fit_resample_dask(sampler, X, y, *, gather=False, **params):
    """Resample Dask collections; see :func:`gpuimb.dask.fit_resample`."""
    handler = _handler(sampler)
    if handler is None:
        if gather:
            return _gathered(sampler, X, y, **params)
        sampler._validate_params()
        raise _unsupported(sampler)
    if params:
        raise TypeError(
            f"fit_resample on Dask collections takes no extra parameters; got "
            f"{sorted(params)}."
        )
    data, x_info, y_info = _validate(sampler, X, y)
    try:
        X_res, y_res = handler(sampler, data)
    except NotImplementedError:
        # Data the exact version refuses (SMOTENC's tied distances, ...).
        if gather:
            return _gathered(sampler, X, y)
        raise
    sampler.engine_ = "dask"
    # Same row chunks for X and y: dataframes built from them share divisions.
    y_res = y_res.rechunk((X_res.chunks[0],))
    return _collections.wrap(X_res, x_info), _collections.wrap(y_res, y_info)


def _gathered(sampler, X, y, **params):
    """The opt-in fallback: compute X and y, resample on one machine, re-chunk."""
    import dask
    import dask.array as da

    X_arr, y_arr, x_info, y_info = _collections.prepare(X, y)
    X_local, y_local = dask.compute(X_arr, y_arr)
    output = sampler.fit_resample(X_local, y_local, **params)
    rows = int(max(X_arr.chunks[0]))
    X_res = da.from_array(output[0], chunks=(rows, -1))
    y_res = da.from_array(output[1], chunks=(rows,))
    return _collections.wrap(X_res, x_info), _collections.wrap(y_res, y_info)
