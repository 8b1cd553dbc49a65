"""Over-sampling followed by cleaning."""

__all__ = []
