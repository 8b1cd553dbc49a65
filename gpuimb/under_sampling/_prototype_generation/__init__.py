"""Under-samplers that generate new samples (cluster centroids)."""

__all__ = []
from gpuimb.under_sampling._prototype_generation._cluster_centroids import (  # noqa: E402
    ClusterCentroids,
)

__all__ += ["ClusterCentroids"]
