"""Ensembles that balance each member's training data (imbalanced-learn's ``ensemble``).

- :class:`BalancedBaggingClassifier`: bagging, each bag resampled by a sampler.
- :class:`BalancedRandomForestClassifier`: random forest, each tree on a balanced
  bootstrap.
- :class:`EasyEnsembleClassifier`: AdaBoost learners on balanced bags.
- :class:`RUSBoostClassifier`: AdaBoost with random under-sampling at each round.

Each class's docstring says which data and learner combinations stay on the device.
"""

from gpuimb.ensemble._bagging import BalancedBaggingClassifier
from gpuimb.ensemble._easy_ensemble import EasyEnsembleClassifier
from gpuimb.ensemble._forest import BalancedRandomForestClassifier
from gpuimb.ensemble._weight_boosting import RUSBoostClassifier

__all__ = [
    "BalancedBaggingClassifier",
    "BalancedRandomForestClassifier",
    "EasyEnsembleClassifier",
    "RUSBoostClassifier",
]
