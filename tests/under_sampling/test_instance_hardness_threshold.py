"""InstanceHardnessThreshold: parity with imbalanced-learn, labels, namespaces, errors."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import InstanceHardnessThreshold as ImbIHT
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import KFold
from sklearn.naive_bayes import GaussianNB
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.under_sampling import InstanceHardnessThreshold
from tests._helpers import to_namespace


def _data(seed, n_classes=2, n=240):
    weights = [0.3, 0.7] if n_classes == 2 else [0.2, 0.3, 0.5]
    return make_classification(n_samples=n, n_features=6, n_informative=3,
                               n_classes=n_classes, weights=weights, flip_y=0.05,
                               random_state=seed)


def _fast_forest():
    from sklearn.ensemble import RandomForestClassifier

    return RandomForestClassifier(n_estimators=10)


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("estimator", [None, "logistic", "forest"])
def test_parity(seed, n_classes, estimator):
    est = {"logistic": LogisticRegression(), "forest": _fast_forest()}.get(estimator)
    X, y = _data(seed, n_classes)
    ours = InstanceHardnessThreshold(estimator=est, random_state=seed, cv=3)
    X_res, y_res = ours.fit_resample(X, y)
    imb = ImbIHT(estimator=est, random_state=seed, cv=3)
    X_imb, y_imb = imb.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)
    np.testing.assert_array_equal(X_res, X_imb)
    np.testing.assert_array_equal(y_res, y_imb)
    assert type(ours.estimator_) is type(imb.estimator_)
    assert ours.estimator_.get_params() == imb.estimator_.get_params()


def test_parity_random_state_instance_and_ratio():
    X, y = _data(4)
    ours = InstanceHardnessThreshold(estimator=_fast_forest(), sampling_strategy=0.8,
                                     random_state=np.random.RandomState(4))
    ours.fit_resample(X, y)
    imb = ImbIHT(estimator=_fast_forest(), sampling_strategy=0.8,
                 random_state=np.random.RandomState(4))
    imb.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)


@pytest.mark.parametrize("random_state", [3, "instance"])
@pytest.mark.parametrize("show_progress", [False, True])
def test_parity_folds_side_by_side(random_state, show_progress):
    # From 1,000 samples the folds are fitted on the tile threads: the result
    # must not depend on the order they finish in.
    from gpuimb import config_context
    from gpuimb.under_sampling._prototype_selection import _instance_hardness_threshold

    X, y = _data(5, n=_instance_hardness_threshold._SIDE_BY_SIDE_ROWS + 200)

    def state():
        return np.random.RandomState(3) if random_state == "instance" else random_state

    ours = InstanceHardnessThreshold(estimator=_fast_forest(), random_state=state(), cv=4)
    with config_context(show_progress=show_progress):
        ours.fit_resample(X, y)
    imb = ImbIHT(estimator=_fast_forest(), random_state=state(), cv=4)
    imb.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)


@pytest.mark.parametrize("container", ["sparse", "pandas"])
def test_parity_containers(container):
    X, y = _data(5)
    if container == "sparse":
        X = sp.csr_matrix(X)
    else:
        X = pd.DataFrame(X, columns=[f"c{i}" for i in range(X.shape[1])])
        y = pd.Series(y)
    X_res, y_res = InstanceHardnessThreshold(estimator=_fast_forest(), random_state=5,
                                             cv=3).fit_resample(X, y)
    X_imb, y_imb = ImbIHT(estimator=_fast_forest(), random_state=5,
                          cv=3).fit_resample(X, y)
    if container == "sparse":
        assert sp.issparse(X_res)
        np.testing.assert_array_equal(X_res.toarray(), X_imb.toarray())
    else:
        assert list(X_res.columns) == list(X_imb.columns)
        np.testing.assert_array_equal(X_res.to_numpy(), X_imb.to_numpy())
    np.testing.assert_array_equal(np.asarray(y_res), np.asarray(y_imb))


def test_labels_other_than_0_to_k_minus_1():
    """imbalanced-learn indexes the probability columns with the labels
    themselves, which is only right for labels 0..K-1; gpuimb uses each
    label's column, so relabelling the classes changes nothing."""
    X, y = _data(6)
    codes = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=6)
    codes.fit_resample(X, y)
    for labels in (np.array([1, 2]), np.array(["neg", "pos"])):
        y_named = labels[y]
        ours = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=6)
        _, y_res = ours.fit_resample(X, y_named)
        np.testing.assert_array_equal(ours.sample_indices_, codes.sample_indices_)
        np.testing.assert_array_equal(y_res, y_named[codes.sample_indices_])
        with pytest.raises(IndexError):
            ImbIHT(estimator=LogisticRegression(), random_state=6).fit_resample(X, y_named)


def test_cv_splitter_is_used():
    X, y = _data(7)
    splitter = KFold(3, shuffle=True, random_state=0)
    ours = InstanceHardnessThreshold(estimator=GaussianNB(), cv=splitter, random_state=0)
    ours.fit_resample(X, y)
    # Reference: out-of-fold probabilities of the own class with that splitter.
    from sklearn.model_selection import cross_val_predict

    proba = cross_val_predict(GaussianNB(), X, y, cv=splitter, method="predict_proba")
    own = proba[np.arange(len(y)), y]
    majority = np.flatnonzero(y == 1)
    threshold = np.percentile(own[majority], (1 - (y == 0).sum() / majority.size) * 100)
    expected = np.concatenate([np.flatnonzero(y == 0),
                               majority[own[majority] >= threshold]])
    np.testing.assert_array_equal(ours.sample_indices_, expected)


def test_duck_typed_classifier():
    class Bare:
        """A probabilistic classifier that is not a scikit-learn estimator."""

        def fit(self, X, y):
            self.classes_ = np.unique(y)
            self.means_ = np.stack([X[y == c].mean(axis=0) for c in self.classes_])
            return self

        def predict_proba(self, X):
            d = ((X[:, None, :] - self.means_[None]) ** 2).sum(-1)
            e = np.exp(-d)
            return e / e.sum(axis=1, keepdims=True)

    X, y = _data(8)
    ours = InstanceHardnessThreshold(estimator=Bare(), random_state=8)
    X_res, _ = ours.fit_resample(X, y)
    assert X_res.shape[0] < X.shape[0]
    assert np.bincount(y[ours.sample_indices_])[1] >= np.bincount(y)[0]


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(10)
    check = assert_unchanged(X, y)
    InstanceHardnessThreshold(estimator=_fast_forest(), random_state=0).fit_resample(X, y)
    check()


@pytest.mark.parametrize(
    "params, match",
    [
        ({"estimator": "forest"}, "estimator"),
        ({"estimator": KFold()}, "estimator"),
        ({"cv": "five"}, "cv"),
        ({"n_jobs": 1.5}, "n_jobs"),
        ({"sampling_strategy": "minority"}, "sampling_strategy"),
    ],
)
def test_parameter_errors(params, match):
    X, y = _data(11)
    with pytest.raises(InvalidParameterError, match=match):
        InstanceHardnessThreshold(**params).fit_resample(X, y)
    with pytest.raises(InvalidParameterError, match=match):
        ImbIHT(**params).fit_resample(X, y)


def test_more_folds_than_samples():
    X, y = _data(12)
    X, y = X[:8], np.r_[np.zeros(3, int), np.ones(5, int)]
    match = "Cannot have number of splits n_splits=10 greater than the number of samples"
    with pytest.raises(ValueError, match=match):
        InstanceHardnessThreshold(estimator=GaussianNB(), cv=10).fit_resample(X, y)
    with pytest.raises(ValueError, match=match):
        ImbIHT(estimator=GaussianNB(), cv=10).fit_resample(X, y)


@pytest.mark.gpu
def test_gpu_default_forest_runs_on_device():
    X, y = _data(13, n=600)
    iht = InstanceHardnessThreshold(random_state=13)
    X_res, y_res = iht.fit_resample(to_namespace("cupy", X), to_namespace("cupy", y))
    assert type(X_res).__module__.startswith("cupy")
    counts = np.bincount(y_res.get())
    assert counts[1] >= counts[0] == np.bincount(y)[0]


@pytest.mark.gpu
def test_gpu_user_estimator_matches_host():
    X, y = _data(14)
    expected = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=1)
    expected.fit_resample(X, y)
    iht = InstanceHardnessThreshold(estimator=LogisticRegression(), random_state=1)
    iht.fit_resample(to_namespace("cupy", X), to_namespace("cupy", y))
    np.testing.assert_array_equal(iht.sample_indices_.get(), expected.sample_indices_)
