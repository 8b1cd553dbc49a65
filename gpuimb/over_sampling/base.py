"""Base class of the over-samplers."""

import numbers
from collections.abc import Mapping

from sklearn.utils._param_validation import Interval, StrOptions

from gpuimb.base import BaseSampler


class BaseOverSampler(BaseSampler):
    """Base class of the over-samplers (they add samples to reach a count)."""

    _sampling_type = "over-sampling"

    _parameter_constraints: dict = {
        "sampling_strategy": [
            Interval(numbers.Real, 0, 1, closed="right"),
            StrOptions({"auto", "minority", "not minority", "not majority", "all"}),
            Mapping,
            callable,
        ],
        "random_state": ["random_state"],
    }
