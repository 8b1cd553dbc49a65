"""Under-samplers that select a subset of the original samples."""

from gpuimb.under_sampling._prototype_selection._condensed_nearest_neighbour import (
    CondensedNearestNeighbour,
)
from gpuimb.under_sampling._prototype_selection._edited_nearest_neighbours import (
    AllKNN,
    EditedNearestNeighbours,
    RepeatedEditedNearestNeighbours,
)
from gpuimb.under_sampling._prototype_selection._instance_hardness_threshold import (
    InstanceHardnessThreshold,
)
from gpuimb.under_sampling._prototype_selection._nearmiss import NearMiss
from gpuimb.under_sampling._prototype_selection._neighbourhood_cleaning_rule import (
    NeighbourhoodCleaningRule,
)
from gpuimb.under_sampling._prototype_selection._one_sided_selection import (
    OneSidedSelection,
)
from gpuimb.under_sampling._prototype_selection._random_under_sampler import (
    RandomUnderSampler,
)
from gpuimb.under_sampling._prototype_selection._tomek_links import TomekLinks

__all__ = [
    "RandomUnderSampler", "EditedNearestNeighbours", "RepeatedEditedNearestNeighbours",
    "AllKNN", "TomekLinks", "CondensedNearestNeighbour", "InstanceHardnessThreshold",
    "NeighbourhoodCleaningRule", "OneSidedSelection", "NearMiss",
]
