"""Under-samplers: remove samples from the over-represented classes."""

from gpuimb.under_sampling._prototype_selection import RandomUnderSampler

__all__ = ["RandomUnderSampler"]
from gpuimb.under_sampling._prototype_selection import (  # noqa: E402
    AllKNN,
    EditedNearestNeighbours,
    NearMiss,
    RepeatedEditedNearestNeighbours,
    TomekLinks,
)

__all__ += ["EditedNearestNeighbours", "RepeatedEditedNearestNeighbours", "AllKNN",
            "TomekLinks", "NearMiss"]
from gpuimb.under_sampling._prototype_selection import (  # noqa: E402
    CondensedNearestNeighbour,
    InstanceHardnessThreshold,
    NeighbourhoodCleaningRule,
    OneSidedSelection,
)

__all__ += ["CondensedNearestNeighbour", "InstanceHardnessThreshold",
            "NeighbourhoodCleaningRule", "OneSidedSelection"]
from gpuimb.under_sampling._prototype_generation import ClusterCentroids  # noqa: E402

__all__ += ["ClusterCentroids"]
