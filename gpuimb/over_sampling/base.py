"""Base class of the over-samplers."""

from collections.abc import Mapping

from gpuimb.base import BaseSampler
from gpuimb.utils._validation import sampling_strategy_constraint


class BaseOverSampler(BaseSampler):
    """Base class of the over-samplers (they add samples to reach a count)."""

    _sampling_type = "over-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": sampling_strategy_constraint(
            {"auto", "minority", "not minority", "not majority", "all"}, Mapping),
        "random_state": ["random_state"],
    }
