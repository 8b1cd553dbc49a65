"""Every sampler, configured to run on small data, for the property,
metamorphic and bad-input tests (issue 18)."""

import importlib

import numpy as np
from sklearn.linear_model import LogisticRegression

from gpuimb.utils.discovery import all_samplers

OVER_SAMPLERS = {"ADASYN", "BorderlineSMOTE", "KMeansSMOTE", "RandomOverSampler", "SMOTE",
                 "SMOTEN", "SMOTENC", "SVMSMOTE"}
# Samplers whose result is decided by Euclidean nearest neighbours.
KNN_SAMPLERS = {"ADASYN", "AllKNN", "BorderlineSMOTE", "CondensedNearestNeighbour",
                "EditedNearestNeighbours", "NearMiss", "NeighbourhoodCleaningRule",
                "OneSidedSelection", "RepeatedEditedNearestNeighbours", "SMOTE",
                "SMOTEENN", "SMOTENC", "SMOTETomek", "SVMSMOTE", "TomekLinks"}


def configured(name, cls):
    """[(id, sampler), ...]: instances of one sampler class for small data."""
    if name == "SMOTENC":
        return [(name, cls(categorical_features=[0], random_state=0))]
    params = cls().get_params()
    base = {"random_state": 0} if "random_state" in params else {}
    if name == "NearMiss":
        return [(f"{name}-{v}", cls(version=v)) for v in (1, 2, 3)]
    if name == "BorderlineSMOTE":
        return [(f"{name}-{k}", cls(kind=k, **base)) for k in ("borderline-1", "borderline-2")]
    if name == "RandomOverSampler":
        return [(name, cls(**base)), (f"{name}-shrinkage", cls(shrinkage=0.5, **base))]
    if name == "KMeansSMOTE":
        return [(name, cls(kmeans_estimator=2, cluster_balance_threshold=0.0, **base))]
    if name == "InstanceHardnessThreshold":
        return [(name, cls(estimator=LogisticRegression(), cv=3, **base))]
    if name == "ClusterCentroids":
        from sklearn.cluster import KMeans

        return [(name, cls(estimator=KMeans(n_init=1, random_state=0), **base))]
    return [(name, cls(**base))]


SAMPLERS = [pair for name, cls in all_samplers() for pair in configured(name, cls)]
SAMPLER_IDS = [name for name, _ in SAMPLERS]
KNN = [(name, s) for name, s in SAMPLERS if name.split("-")[0] in KNN_SAMPLERS]


def base_name(sampler):
    return type(sampler).__name__


def blobs(seed, counts, n_features, *, spread=4.0, integer=True):
    """Overlapping Gaussian classes (integer-valued by default), shuffled.

    Column 0 takes few values, so SMOTENC can treat it as categorical and
    SMOTEN sees repeated categories.
    """
    rng = np.random.RandomState(seed)
    X = np.concatenate([rng.randn(n, n_features) * spread + klass
                        for klass, n in enumerate(counts)])
    y = np.repeat(np.arange(len(counts)), counts)
    X[:, 0] = rng.randint(0, 3, size=X.shape[0])
    if integer:
        X = np.round(X)
    order = rng.permutation(len(y))
    return X[order], y[order]


def imblearn_twin(sampler):
    """imbalanced-learn's sampler of the same name and parameters."""
    name = base_name(sampler)
    for module in ("imblearn.over_sampling", "imblearn.under_sampling", "imblearn.combine",
                   "imblearn"):
        cls = getattr(importlib.import_module(module), name, None)
        if cls is not None:
            params = {k: v for k, v in sampler.get_params(deep=False).items()
                      if name == "SMOTENC" or k in cls().get_params()}
            return cls(**params)
    raise LookupError(name)
