"""Cross-validation splitters for imbalanced data (imbalanced-learn's ``model_selection``)."""

from gpuimb.model_selection._split import InstanceHardnessCV

__all__ = ["InstanceHardnessCV"]
