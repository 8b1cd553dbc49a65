"""Under-samplers that select a subset of the original samples."""

from gpuimb.under_sampling._prototype_selection._random_under_sampler import (
    RandomUnderSampler,
)

__all__ = ["RandomUnderSampler"]
from gpuimb.under_sampling._prototype_selection._edited_nearest_neighbours import (  # noqa: E402
    AllKNN,
    EditedNearestNeighbours,
    RepeatedEditedNearestNeighbours,
)
from gpuimb.under_sampling._prototype_selection._tomek_links import TomekLinks  # noqa: E402

__all__ += ["EditedNearestNeighbours", "RepeatedEditedNearestNeighbours", "AllKNN",
            "TomekLinks"]
from gpuimb.under_sampling._prototype_selection._condensed_nearest_neighbour import (  # noqa: E402, E501
    CondensedNearestNeighbour,
)
from gpuimb.under_sampling._prototype_selection._instance_hardness_threshold import (  # noqa: E402, E501
    InstanceHardnessThreshold,
)
from gpuimb.under_sampling._prototype_selection._neighbourhood_cleaning_rule import (  # noqa: E402, E501
    NeighbourhoodCleaningRule,
)
from gpuimb.under_sampling._prototype_selection._one_sided_selection import (  # noqa: E402
    OneSidedSelection,
)

__all__ += ["CondensedNearestNeighbour", "InstanceHardnessThreshold",
            "NeighbourhoodCleaningRule", "OneSidedSelection"]
from gpuimb.under_sampling._prototype_selection._nearmiss import NearMiss  # noqa: E402

__all__ += ["NearMiss"]
