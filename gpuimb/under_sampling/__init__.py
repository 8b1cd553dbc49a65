"""Under-samplers: remove samples from the over-represented classes."""

from gpuimb.under_sampling._prototype_selection import RandomUnderSampler

__all__ = ["RandomUnderSampler"]
