"""Under-samplers that generate new samples (cluster centroids)."""

from gpuimb.under_sampling._prototype_generation._cluster_centroids import (
    ClusterCentroids,
)

__all__ = ["ClusterCentroids"]
