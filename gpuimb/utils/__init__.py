"""Validation helpers shared by the samplers."""

from gpuimb.utils._validation import (
    check_neighbors_object,
    check_sampling_strategy,
    check_target_type,
)

__all__ = ["check_neighbors_object", "check_sampling_strategy", "check_target_type"]
