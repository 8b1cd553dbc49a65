"""Resample Dask collections (dask.array, dask.dataframe, dask-cudf).

Importing :mod:`gpuimb` never imports Dask; passing a Dask collection to a
sampler's ``fit_resample`` loads this package.
"""

from gpuimb.dask._knn import Neighbours, kneighbors

__all__ = ["Neighbours", "kneighbors"]
