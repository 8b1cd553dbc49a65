"""Resample Dask collections (dask.array, dask.dataframe, dask-cudf).

Importing :mod:`gpuimb` never imports Dask; passing a Dask collection to a
sampler's ``fit_resample`` loads this package. Results equal single-machine
gpuimb bit for bit (same ``random_state``, any chunking) for RandomUnderSampler,
RandomOverSampler (``shrinkage`` to rounding), SMOTE, SMOTENC (refusing tied
distances), SMOTEN, BorderlineSMOTE,
ADASYN, TomekLinks, EditedNearestNeighbours, RepeatedEditedNearestNeighbours,
AllKNN, NearMiss (versions 1, 2 and 3), NeighbourhoodCleaningRule,
OneSidedSelection, CondensedNearestNeighbour, SMOTEENN and SMOTETomek; other
samplers (SVMSMOTE, KMeansSMOTE, ClusterCentroids, InstanceHardnessThreshold)
need ``fit_resample(..., gather=True)``. What each
sampler brings to the client is listed in the README ("Scale out with Dask").
"""

from gpuimb.dask._knn import Neighbours, kneighbors
from gpuimb.dask._parquet import resample_parquet

__all__ = ["Neighbours", "kneighbors", "resample_parquet"]


def fit_resample(sampler, X, y, *, gather=False, **params):
    """Resample Dask collections with a gpuimb sampler.

    ``sampler.fit_resample(X, y)`` does the same for the exact samplers; this
    function adds the explicit opt-in for the others.

    Parameters
    ----------
    sampler : gpuimb sampler
        An unfitted or fitted sampler (its parameters are used).
    X : dask.array.Array or dask.dataframe.DataFrame of shape (n_samples, n_features)
        Data, NumPy- or CuPy-backed (dask-cudf included).
    y : dask.array.Array or dask.dataframe.Series of shape (n_samples,)
        Labels.
    gather : bool, default=False
        For samplers without an exact distributed version (SVMSMOTE,
        KMeansSMOTE, ClusterCentroids, InstanceHardnessThreshold, ...): load X
        and y into the client's memory and run the single-machine sampler.
        The exact samplers never gather X, except where they refuse the data
        with ``NotImplementedError`` (SMOTENC on tied distances, NearMiss-2 on
        values beyond 2**49 / n_features): then this opt-in gathers it.
    **params : dict
        Passed to the single-machine ``fit_resample`` when gathering.

    Returns
    -------
    X_resampled, y_resampled : Dask collections
        The caller's collection types, lazy, with known chunk sizes.

    Examples
    --------
    >>> import numpy as np, dask.array as da
    >>> from gpuimb.dask import fit_resample
    >>> from gpuimb.under_sampling import RandomUnderSampler
    >>> X = da.from_array(np.arange(20.0).reshape(10, 2), chunks=4)
    >>> y = da.from_array(np.array([0] * 7 + [1] * 3), chunks=4)
    >>> X_res, y_res = fit_resample(RandomUnderSampler(random_state=0), X, y)
    >>> np.bincount(y_res.compute()).tolist()
    [3, 3]
    """
    from gpuimb.dask._driver import fit_resample_dask

    return fit_resample_dask(sampler, X, y, gather=gather, **params)


__all__ += ["fit_resample"]
