"""Datasets: imbalanced-learn's ``make_imbalance`` and ``fetch_datasets``, and a demo set.

``make_imbalance`` keeps device arrays on their device (it is a
:class:`~gpuimb.under_sampling.RandomUnderSampler` underneath);
``fetch_datasets`` caches imbalanced-learn's Zenodo benchmark collection under
scikit-learn's data home.
"""

from gpuimb.datasets._demo import make_demo_dataset
from gpuimb.datasets._imbalance import make_imbalance
from gpuimb.datasets._zenodo import fetch_datasets

__all__ = ["fetch_datasets", "make_demo_dataset", "make_imbalance"]
