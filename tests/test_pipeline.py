"""gpuimb.pipeline against imbalanced-learn's Pipeline."""

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline as imb_make_pipeline
from imblearn.under_sampling import RandomUnderSampler as ImbRUS
from sklearn.datasets import make_classification
from sklearn.decomposition import PCA
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_score
from sklearn.preprocessing import StandardScaler

from gpuimb import FunctionSampler
from gpuimb.over_sampling import RandomOverSampler
from gpuimb.pipeline import Pipeline, make_pipeline
from gpuimb.under_sampling import RandomUnderSampler

X, Y = make_classification(n_samples=400, n_features=8, weights=[0.85],
                           random_state=0)


def test_same_model_as_imblearn_pipeline():
    ours = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0),
                         LogisticRegression())
    theirs = imb_make_pipeline(StandardScaler(), ImbRUS(random_state=0),
                               LogisticRegression())
    ours.fit(X, Y)
    theirs.fit(X, Y)
    np.testing.assert_allclose(ours[-1].coef_, theirs[-1].coef_)
    np.testing.assert_array_equal(ours.predict(X), theirs.predict(X))
    np.testing.assert_allclose(ours.predict_proba(X), theirs.predict_proba(X))
    assert ours.score(X, Y) == theirs.score(X, Y)


def test_sampler_acts_only_during_fit():
    seen = []

    def spy(X, y):
        seen.append(len(X))
        return X[:100], y[:100]

    pipe = make_pipeline(FunctionSampler(func=spy), LogisticRegression())
    pipe.fit(X, Y)
    assert seen == [len(X)]
    assert pipe.predict(X).shape == (len(X),)  # no resampling at predict time
    assert seen == [len(X)]


def test_fit_params_routed_by_step_name():
    weights = np.linspace(0.5, 1.5, len(X))
    pipe = make_pipeline(RandomOverSampler(random_state=0), LogisticRegression())
    with pytest.raises(ValueError, match="stepname__parameter"):
        pipe.fit(X, Y, sample_weight=weights)
    pipe = Pipeline([("pca", PCA(n_components=3)), ("clf", LogisticRegression())])
    pipe.fit(X, Y, clf__sample_weight=weights)
    ref = LogisticRegression().fit(PCA(n_components=3).fit_transform(X), Y,
                                   sample_weight=weights)
    np.testing.assert_allclose(pipe[-1].coef_, ref.coef_)


def test_fit_resample_and_fit_transform():
    pipe = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=1))
    X_res, y_res = pipe.fit_resample(X, Y)
    assert np.bincount(y_res).tolist() == [np.bincount(Y).min()] * 2
    pipe = make_pipeline(RandomUnderSampler(random_state=1), PCA(n_components=2))
    Xt = pipe.fit_transform(X, Y)
    assert Xt.shape == (2 * np.bincount(Y).min(), 2)
    assert pipe.transform(X).shape == (len(X), 2)


def test_invalid_steps():
    class Both:
        def fit(self, X, y):
            return self

        def transform(self, X):
            return X

        def fit_resample(self, X, y):
            return X, y

    with pytest.raises(TypeError, match="implements both"):
        make_pipeline(Both(), LogisticRegression()).fit(X, Y)
    with pytest.raises(TypeError, match="should be transformers"):
        make_pipeline(object(), LogisticRegression()).fit(X, Y)


def test_cross_validation_and_names():
    pipe = make_pipeline(RandomUnderSampler(random_state=0),
                         RandomUnderSampler(random_state=1), LogisticRegression())
    assert [name for name, _ in pipe.steps] == [
        "randomundersampler-1", "randomundersampler-2", "logisticregression"]
    scores = cross_val_score(pipe, X, Y, cv=3)
    assert scores.shape == (3,)
