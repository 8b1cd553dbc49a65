"""Under-samplers that select a subset of the original samples."""

from gpuimb.under_sampling._prototype_selection._random_under_sampler import (
    RandomUnderSampler,
)

__all__ = ["RandomUnderSampler"]
