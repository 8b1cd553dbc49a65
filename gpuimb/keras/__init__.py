"""Balanced batches for Keras ``fit`` (imbalanced-learn's ``imblearn.keras`` API).

Keras (or TensorFlow's Keras) is imported the first time
:class:`BalancedBatchGenerator` is looked up, not with this package.
"""

# The same endless generator as gpuimb.tensorflow's (imbalanced-learn has both).
from gpuimb.tensorflow import balanced_batch_generator

__all__ = ["BalancedBatchGenerator", "balanced_batch_generator"]


def __getattr__(name):
    if name == "BalancedBatchGenerator":
        from gpuimb.keras._generator import balanced_batch_generator_class

        return balanced_batch_generator_class()
    raise AttributeError(f"module 'gpuimb.keras' has no attribute {name!r}")
