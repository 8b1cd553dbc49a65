"""scikit-learn's estimator checks on the four ensembles (as imbalanced-learn runs them).

Random under-sampling is not equivalent to repeating rows, so the sample-weight
equivalence checks fail by design for the two ensembles that take ``sample_weight``
(imbalanced-learn lists them as expected failures too).
"""

from sklearn.utils.estimator_checks import parametrize_with_checks

from gpuimb.ensemble import (
    BalancedBaggingClassifier,
    BalancedRandomForestClassifier,
    EasyEnsembleClassifier,
    RUSBoostClassifier,
)

WEIGHTS_ARE_NOT_REPEATS = {
    "check_sample_weight_equivalence_on_dense_data": "random under-sampling",
    "check_sample_weight_equivalence_on_sparse_data": "random under-sampling",
}


def _expected_failures(estimator):
    if isinstance(estimator, BalancedRandomForestClassifier | RUSBoostClassifier):
        return WEIGHTS_ARE_NOT_REPEATS
    return {}


# Seeded: the members see random subsets, so whether one of them meets the bad
# row check_dtype_object plants (and raises) must not depend on test order.
@parametrize_with_checks(
    [BalancedBaggingClassifier(n_estimators=3, random_state=0),
     BalancedRandomForestClassifier(n_estimators=3, random_state=0),
     EasyEnsembleClassifier(n_estimators=2, random_state=0),
     RUSBoostClassifier(n_estimators=3, random_state=0)],
    expected_failed_checks=_expected_failures,
)
def test_sklearn_compatible_estimator(estimator, check):
    check(estimator)
