"""The four ensembles against imbalanced-learn 0.14.2 on NumPy data: same members, same
draws, same predictions for the same ``random_state`` (binary and multiclass)."""

import warnings

import imblearn.ensemble as imb
import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_classification
from sklearn.linear_model import LogisticRegression
from sklearn.tree import DecisionTreeClassifier

import gpuimb.ensemble as gen
from gpuimb.over_sampling import RandomOverSampler
from gpuimb.pipeline import Pipeline
from gpuimb.under_sampling import RandomUnderSampler


def _data(n_classes, n=300, seed=0):
    weights = [0.8, 0.2] if n_classes == 2 else [0.6, 0.3, 0.1]
    return make_classification(n_samples=n, n_features=6, n_informative=4,
                               n_classes=n_classes, weights=weights, random_state=seed)


def _strategy(n_classes):
    # A dict strategy names the original labels; the ensembles re-key it.
    return {0: 40, 1: 30} if n_classes == 2 else {0: 30, 1: 25}


CASES = [
    ("BalancedBaggingClassifier", dict(n_estimators=4)),
    ("BalancedBaggingClassifier", dict(n_estimators=3, max_samples=0.7, max_features=0.5,
                                       bootstrap_features=True, oob_score=True,
                                       replacement=True)),
    ("BalancedBaggingClassifier", dict(n_estimators=3, bootstrap=False,
                                       estimator=LogisticRegression())),
    ("BalancedBaggingClassifier", dict(n_estimators=3, sampling_strategy="dict")),
    ("EasyEnsembleClassifier", dict(n_estimators=3)),
    ("EasyEnsembleClassifier", dict(n_estimators=2, replacement=True,
                                    estimator=DecisionTreeClassifier(max_depth=2))),
    ("BalancedRandomForestClassifier", dict(n_estimators=5)),
    ("BalancedRandomForestClassifier", dict(n_estimators=4, bootstrap=True, oob_score=True,
                                            sampling_strategy="auto", replacement=False)),
    ("BalancedRandomForestClassifier", dict(n_estimators=3, class_weight="balanced_subsample",
                                            bootstrap=True, max_depth=4,
                                            max_features=None)),
    ("BalancedRandomForestClassifier", dict(n_estimators=3, sampling_strategy="dict",
                                            criterion="entropy")),
    ("RUSBoostClassifier", dict(n_estimators=8)),
    ("RUSBoostClassifier", dict(n_estimators=5, learning_rate=0.5, replacement=True,
                                algorithm="SAMME.R")),
    ("RUSBoostClassifier", dict(n_estimators=4, sampling_strategy="dict")),
]


def _build(module, name, params, n_classes):
    params = dict(params)
    if params.get("sampling_strategy") == "dict":
        params["sampling_strategy"] = _strategy(n_classes)
    return getattr(module, name)(random_state=3, **params)


def _learner(member):
    return member[-1] if hasattr(member, "steps") else member


def _assert_same_members(ours, theirs, X):
    assert len(ours.estimators_) == len(theirs.estimators_)
    for a, b in zip(ours.estimators_, theirs.estimators_, strict=True):
        la, lb = _learner(a), _learner(b)
        assert la.get_params() == lb.get_params()
        if hasattr(la, "tree_"):
            for field in ("children_left", "feature", "threshold", "value"):
                np.testing.assert_array_equal(getattr(la.tree_, field),
                                              getattr(lb.tree_, field))
        X_member = X
        if hasattr(ours, "estimators_features_"):
            features = ours.estimators_features_[ours.estimators_.index(a)]
            X_member = X[:, features]
        np.testing.assert_array_equal(la.predict(X_member), lb.predict(X_member))
        if hasattr(a, "steps"):
            np.testing.assert_array_equal(a[0].sample_indices_, b[0].sample_indices_)


@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize(("name", "params"), CASES,
                         ids=[f"{n}-{i}" for i, (n, _) in enumerate(CASES)])
def test_same_as_imblearn(name, params, n_classes):
    X, y = _data(n_classes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = _build(gen, name, params, n_classes).fit(X, y)
        theirs = _build(imb, name, params, n_classes).fit(X, y)
    _assert_same_members(ours, theirs, X)
    np.testing.assert_array_equal(ours.classes_, theirs.classes_)
    assert ours.n_classes_ == theirs.n_classes_
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))
    if hasattr(theirs, "samplers_"):
        assert len(ours.samplers_) == len(theirs.samplers_)
        for a, b in zip(ours.samplers_, theirs.samplers_, strict=True):
            assert isinstance(a, RandomUnderSampler)
            assert a.random_state == b.random_state
            np.testing.assert_array_equal(a.sample_indices_, b.sample_indices_)
        assert len(ours.pipelines_) == len(theirs.pipelines_)
        assert isinstance(ours.pipelines_[0], Pipeline)
    if name in ("BalancedBaggingClassifier", "EasyEnsembleClassifier"):
        for a, b in zip(ours.estimators_samples_, theirs.estimators_samples_, strict=True):
            np.testing.assert_array_equal(a, b)
        for a, b in zip(ours.estimators_features_, theirs.estimators_features_,
                        strict=True):
            np.testing.assert_array_equal(a, b)
    if name == "RUSBoostClassifier":
        np.testing.assert_array_equal(ours.estimator_weights_, theirs.estimator_weights_)
        np.testing.assert_array_equal(ours.estimator_errors_, theirs.estimator_errors_)
        np.testing.assert_array_equal(ours.decision_function(X),
                                      theirs.decision_function(X))
    if name == "BalancedRandomForestClassifier":
        np.testing.assert_array_equal(ours.feature_importances_,
                                      theirs.feature_importances_)
    if params.get("oob_score"):
        assert ours.oob_score_ == theirs.oob_score_
        np.testing.assert_array_equal(ours.oob_decision_function_,
                                      theirs.oob_decision_function_)


@pytest.mark.parametrize("name", ["BalancedBaggingClassifier", "EasyEnsembleClassifier",
                                  "BalancedRandomForestClassifier", "RUSBoostClassifier"])
def test_parameters_and_defaults_match(name):
    ours, theirs = getattr(gen, name)(), getattr(imb, name)()
    assert set(ours.get_params()) == set(theirs.get_params())
    for key, value in theirs.get_params().items():
        assert repr(ours.get_params()[key]) == repr(value), key


def test_brf_estimators_samples_are_the_rows_each_tree_grew_on():
    # imbalanced-learn raises AttributeError here; gpuimb gives the rows of X.
    X, y = _data(2)
    forest = gen.BalancedRandomForestClassifier(n_estimators=3, bootstrap=True,
                                                random_state=0).fit(X, y)
    for rows, tree, sampler in zip(forest.estimators_samples_, forest.estimators_,
                                   forest.samplers_, strict=True):
        # A tree refitted on exactly these rows (bootstrap off) is the same tree.
        refit = DecisionTreeClassifier(max_features="sqrt",
                                       random_state=tree.random_state)
        refit.fit(X[rows].astype(np.float32), y[rows])
        assert np.isin(rows, sampler.sample_indices_).all()
        assert rows.shape == sampler.sample_indices_.shape
        counts = np.bincount(y[sampler.sample_indices_])
        assert counts[0] == counts[1] == np.bincount(y).min()
        np.testing.assert_array_equal(refit.predict(X), tree.predict(X))


def test_brf_n_jobs_gives_the_same_forest():
    X, y = _data(3)
    one = gen.BalancedRandomForestClassifier(n_estimators=6, random_state=1).fit(X, y)
    two = gen.BalancedRandomForestClassifier(n_estimators=6, random_state=1,
                                             n_jobs=2).fit(X, y)
    np.testing.assert_array_equal(one.predict_proba(X), two.predict_proba(X))


def test_warm_start_matches_imblearn():
    X, y = _data(2)
    for module in (gen, imb):
        forest = module.BalancedRandomForestClassifier(n_estimators=3, warm_start=True,
                                                       random_state=2).fit(X, y)
        forest.set_params(n_estimators=5).fit(X, y)
        if module is gen:
            ours = forest
    np.testing.assert_array_equal(ours.predict_proba(X), forest.predict_proba(X))
    bag = {}
    for module in (gen, imb):
        model = module.BalancedBaggingClassifier(n_estimators=2, warm_start=True,
                                                 random_state=2).fit(X, y)
        bag[module] = model.set_params(n_estimators=4).fit(X, y)
    np.testing.assert_array_equal(bag[gen].predict_proba(X), bag[imb].predict_proba(X))


def test_pandas_input_and_string_labels():
    X, y = _data(3)
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    labels = np.array(["a", "b", "c"])[y]
    ours = gen.BalancedBaggingClassifier(n_estimators=3, random_state=0).fit(frame, labels)
    theirs = imb.BalancedBaggingClassifier(n_estimators=3, random_state=0).fit(frame, labels)
    np.testing.assert_array_equal(ours.feature_names_in_, theirs.feature_names_in_)
    np.testing.assert_array_equal(ours.predict(frame), theirs.predict(frame))
    forest = gen.BalancedRandomForestClassifier(n_estimators=3, random_state=0)
    assert set(forest.fit(frame, labels).predict(frame)) <= {"a", "b", "c"}


def test_bagging_with_an_over_sampler():
    X, y = _data(2)
    from imblearn.over_sampling import RandomOverSampler as ImbROS

    ours = gen.BalancedBaggingClassifier(n_estimators=3, sampler=RandomOverSampler(),
                                         random_state=0).fit(X, y)
    theirs = imb.BalancedBaggingClassifier(n_estimators=3, sampler=ImbROS(),
                                           random_state=0).fit(X, y)
    assert isinstance(ours.sampler_, RandomOverSampler)
    np.testing.assert_array_equal(ours.predict_proba(X), theirs.predict_proba(X))


def test_caller_arrays_are_not_modified():
    X, y = _data(2)
    X0, y0 = X.copy(), y.copy()
    weight = np.ones(len(y))
    gen.BalancedRandomForestClassifier(n_estimators=2, random_state=0).fit(X, y, weight)
    gen.RUSBoostClassifier(n_estimators=2, random_state=0).fit(X, y, weight)
    gen.BalancedBaggingClassifier(n_estimators=2, random_state=0).fit(X, y)
    np.testing.assert_array_equal(X, X0)
    np.testing.assert_array_equal(y, y0)
    np.testing.assert_array_equal(weight, np.ones(len(y)))


def test_brf_oob_uses_the_bootstrap_each_tree_grew_on():
    # With max_samples set, imbalanced-learn redraws each tree's bootstrap with a
    # different size when scoring, so positions a tree was trained on count as out
    # of bag. gpuimb uses the bootstrap the tree was grown with (out of bag: the
    # positions of the tree's balanced sample that its bootstrap did not draw, as
    # imbalanced-learn defines it); a direct computation gives the same result.
    from sklearn.ensemble._forest import _generate_sample_indices

    X, y = _data(2)
    params = dict(n_estimators=6, bootstrap=True, oob_score=True, max_samples=0.5,
                  random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ours = gen.BalancedRandomForestClassifier(**params).fit(X, y)
        theirs = imb.BalancedRandomForestClassifier(**params).fit(X, y)
    total, count = np.zeros((len(y), 2)), np.zeros(len(y))
    for tree, sampler in zip(ours.estimators_, ours.samplers_, strict=True):
        balanced = sampler.sample_indices_
        drawn = _generate_sample_indices(tree.random_state, len(balanced),
                                         min(len(y) // 2, len(balanced)), None)
        out = np.unique(balanced[np.setdiff1d(np.arange(len(balanced)), drawn)])
        total[out] += tree.predict_proba(X[out].astype(np.float32))
        count[out] += 1
    count[count == 0] = 1
    np.testing.assert_array_equal(ours.oob_decision_function_, total / count[:, None])
    assert not np.allclose(theirs.oob_decision_function_, total / count[:, None])
