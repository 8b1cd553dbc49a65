"""The SMOTE family of over-samplers."""

from gpuimb.over_sampling._smote.base import SMOTE, SMOTEN, SMOTENC, BaseSMOTE

__all__ = ["BaseSMOTE", "SMOTE", "SMOTEN", "SMOTENC"]

from gpuimb.over_sampling._smote.cluster import KMeansSMOTE  # noqa: E402
from gpuimb.over_sampling._smote.filter import SVMSMOTE, BorderlineSMOTE  # noqa: E402

__all__ += ["BorderlineSMOTE", "KMeansSMOTE", "SVMSMOTE"]
