"""Over-samplers: add samples to the under-represented classes."""

from gpuimb.over_sampling._random_over_sampler import RandomOverSampler

__all__ = ["RandomOverSampler"]
