"""Over-sampling followed by cleaning."""

from gpuimb.combine._smote_enn import SMOTEENN
from gpuimb.combine._smote_tomek import SMOTETomek

__all__ = ["SMOTEENN", "SMOTETomek"]
