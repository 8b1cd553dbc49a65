"""Over-samplers: add samples to the under-represented classes."""

from gpuimb.over_sampling._adasyn import ADASYN
from gpuimb.over_sampling._random_over_sampler import RandomOverSampler
from gpuimb.over_sampling._smote import (
    SMOTE,
    SMOTEN,
    SMOTENC,
    SVMSMOTE,
    BorderlineSMOTE,
    KMeansSMOTE,
)

__all__ = ["ADASYN", "RandomOverSampler", "SMOTE", "SMOTEN", "SMOTENC",
           "BorderlineSMOTE", "KMeansSMOTE", "SVMSMOTE"]
