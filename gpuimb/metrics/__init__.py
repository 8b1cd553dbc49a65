"""Metrics for imbalanced classification, counted on the device that holds the targets.

The names and behaviour are imbalanced-learn's ``imblearn.metrics``; see
:mod:`gpuimb.metrics.pairwise` for the value difference metric.
"""

from gpuimb.metrics._classification import (
    classification_report_imbalanced,
    geometric_mean_score,
    macro_averaged_mean_absolute_error,
    make_index_balanced_accuracy,
    sensitivity_score,
    sensitivity_specificity_support,
    specificity_score,
)

__all__ = [
    "sensitivity_specificity_support",
    "sensitivity_score",
    "specificity_score",
    "geometric_mean_score",
    "macro_averaged_mean_absolute_error",
    "make_index_balanced_accuracy",
    "classification_report_imbalanced",
]
