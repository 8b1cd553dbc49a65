"""Balanced batch generator for TensorFlow training loops (imbalanced-learn's API).

Nothing here imports TensorFlow: the generator yields the data's own arrays.
"""

from gpuimb.tensorflow._generator import balanced_batch_generator

__all__ = ["balanced_batch_generator"]
