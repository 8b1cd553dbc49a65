"""Under-samplers that generate new samples (cluster centroids)."""

__all__ = []
