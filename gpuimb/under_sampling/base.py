"""Base classes of the under-samplers and cleaning samplers."""

import numbers
from collections.abc import Mapping

from sklearn.utils._param_validation import Interval, StrOptions

from gpuimb.base import BaseSampler


class BaseUnderSampler(BaseSampler):
    """Base class of the under-samplers (they reach a target count per class)."""

    _sampling_type = "under-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
            Mapping,
            callable,
        ],
    }


class BaseCleaningSampler(BaseSampler):
    """Base class of the cleaning samplers (they remove noisy samples)."""

    _sampling_type = "clean-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions({"auto", "majority", "not minority", "not majority", "all"}),
            list,
            callable,
        ],
    }
