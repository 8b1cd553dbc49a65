"""Base classes of the under-samplers and cleaning samplers."""

from collections.abc import Mapping

from gpuimb.base import BaseSampler
from gpuimb.utils._validation import sampling_strategy_constraint

_UNDER_STRATEGIES = {"auto", "majority", "not minority", "not majority", "all"}


class BaseUnderSampler(BaseSampler):
    """Base class of the under-samplers (they reach a target count per class)."""

    _sampling_type = "under-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": sampling_strategy_constraint(_UNDER_STRATEGIES, Mapping),
    }


class BaseCleaningSampler(BaseSampler):
    """Base class of the cleaning samplers (they remove noisy samples)."""

    _sampling_type = "clean-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": sampling_strategy_constraint(_UNDER_STRATEGIES, list),
    }
