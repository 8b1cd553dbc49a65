"""gpuimb.pipeline against imbalanced-learn's Pipeline."""

import pickle

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
    with pytest.raises(TypeError, match="implement fit and transform or fit_resample"):
        make_pipeline(object(), LogisticRegression()).fit(X, Y)


def test_cross_validation_and_names():
    pipe = make_pipeline(RandomUnderSampler(random_state=0),
                         RandomUnderSampler(random_state=1), LogisticRegression())
    assert [name for name, _ in pipe.steps] == [
        "randomundersampler-1", "randomundersampler-2", "logisticregression"]
    scores = cross_val_score(pipe, X, Y, cv=3)
    assert scores.shape == (3,)


# Metadata routing (sklearn.set_config(enable_metadata_routing=True)).

class _WeightedUnderSampler(RandomUnderSampler):
    """A sampler that consumes metadata: keeps the rows of positive weight first."""

    def fit_resample(self, X, y, sample_weight=None):
        self.seen_weight_ = sample_weight
        return super().fit_resample(X, y)


def _routing_data():
    X, y = make_classification(n_samples=300, weights=[0.8, 0.2], random_state=3)
    weight = np.random.default_rng(3).uniform(0.5, 2.0, size=X.shape[0])
    return X, y, weight


def _routed_steps(sampler):
    return [("scale", StandardScaler().set_fit_request(sample_weight=True)),
            ("under", sampler),
            ("clf", LogisticRegression().set_fit_request(sample_weight=False)
             .set_score_request(sample_weight=True))]


def test_routing_to_a_transformer_before_a_sampler_matches_imblearn():
    import sklearn
    from imblearn.pipeline import Pipeline as ImbPipeline

    X, y, weight = _routing_data()
    with sklearn.config_context(enable_metadata_routing=True):
        a = Pipeline(_routed_steps(RandomUnderSampler(random_state=0)))
        a.fit(X, y, sample_weight=weight)
        b = ImbPipeline(_routed_steps(ImbRUS(random_state=0)))
        b.fit(X, y, sample_weight=weight)
        np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_allclose(a.named_steps["scale"].mean_,
                               np.average(X, axis=0, weights=weight))
    np.testing.assert_array_equal(a.named_steps["scale"].mean_,
                                  b.named_steps["scale"].mean_)
    np.testing.assert_array_equal(a.named_steps["clf"].coef_,
                                  b.named_steps["clf"].coef_)


def test_routing_reaches_a_sampler_through_fit_resample_request():
    import sklearn

    X, y, weight = _routing_data()
    with sklearn.config_context(enable_metadata_routing=True):
        sampler = _WeightedUnderSampler(random_state=0).set_fit_resample_request(
            sample_weight=True)
        clf = LogisticRegression().set_fit_request(sample_weight=False)
        pipe = Pipeline([("under", sampler), ("clf", clf)])
        pipe.fit(X, y, sample_weight=weight)
        assert pipe.named_steps["under"].seen_weight_ is weight
        sampler.seen_weight_ = None
        scale = StandardScaler().set_fit_request(sample_weight=False)
        X_res, _ = Pipeline([("scale", scale), ("under", sampler)]).fit_resample(
            X, y, sample_weight=weight)
        assert sampler.seen_weight_ is weight
        assert X_res.shape[0] == 2 * np.bincount(y).min()


def test_routing_unrequested_metadata_errors_like_sklearn():
    import sklearn

    X, y, weight = _routing_data()
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline([("under", RandomUnderSampler(random_state=0)),
                         ("clf", LogisticRegression())])
        with pytest.raises(ValueError, match=r"\[sample_weight\] are passed but"):
            pipe.fit(X, y, sample_weight=weight)
        pipe = Pipeline([("under", RandomUnderSampler(random_state=0)),
                         ("clf", LogisticRegression().set_fit_request(sample_weight=False))])
        with pytest.raises(TypeError, match="sample_weight"):
            pipe.fit(X, y, sample_weight=weight)


def test_routing_at_inference_skips_the_sampler():
    import sklearn

    X, y, weight = _routing_data()
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline(_routed_steps(RandomUnderSampler(random_state=0)))
        pipe.fit(X, y, sample_weight=weight)
        np.testing.assert_array_equal(
            pipe.predict(X),
            pipe.named_steps["clf"].predict(pipe.named_steps["scale"].transform(X)))
        assert "under" not in [name for _, name, _ in pipe._iter()]


def test_routing_in_cross_validation():
    import sklearn
    from sklearn.model_selection import cross_validate

    X, y, weight = _routing_data()
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline(_routed_steps(RandomUnderSampler(random_state=0)))
        scores = cross_validate(pipe, X, y, params={"sample_weight": weight}, cv=3,
                                error_score="raise")
    assert np.all(np.isfinite(scores["test_score"]))


def test_without_routing_step_params_still_work():
    X, y, weight = _routing_data()
    pipe = Pipeline([("scale", StandardScaler()),
                     ("under", RandomUnderSampler(random_state=0)),
                     ("clf", LogisticRegression())])
    pipe.fit(X, y, scale__sample_weight=weight)
    np.testing.assert_allclose(pipe.named_steps["scale"].mean_,
                               np.average(X, axis=0, weights=weight))
    with pytest.raises(ValueError, match="stepname__parameter"):
        pipe.fit(X, y, sample_weight=weight)


# Where imbalanced-learn 0.14.2's Pipeline is wrong, gpuimb's is right (README,
# "Differences"); each test runs both.

class _RecordingUnderSampler(RandomUnderSampler):
    def fit_resample(self, X, y, marker=None):
        self.marker_ = marker
        return super().fit_resample(X, y)


class _ImbRecordingUnderSampler(ImbRUS):
    def fit_resample(self, X, y, marker=None):
        self.marker_ = marker
        return super().fit_resample(X, y)


def test_fit_resample_through_passthrough_returns_X_and_y():
    X_res, y_res = make_pipeline(RandomUnderSampler(random_state=0),
                                 "passthrough").fit_resample(X, Y)
    assert X_res.shape[0] == y_res.shape[0] == 2 * np.bincount(Y).min()
    # imbalanced-learn returns X alone there.
    out = imb_make_pipeline(ImbRUS(random_state=0), "passthrough").fit_resample(X, Y)
    assert isinstance(out, np.ndarray) and out.shape == X_res.shape


def test_fit_transform_final_step_gets_resampled_y():
    from sklearn.base import BaseEstimator

    class FitThenTransform(BaseEstimator):  # fit and transform, no fit_transform
        def fit(self, X, y=None):
            assert y is None or len(y) == len(X)
            self.mean_ = X.mean(axis=0)
            return self

        def transform(self, X):
            return X - self.mean_

    Xt = make_pipeline(RandomUnderSampler(random_state=0),
                       FitThenTransform()).fit_transform(X, Y)
    assert Xt.shape[0] == 2 * np.bincount(Y).min()
    # imbalanced-learn fits that last step with the original y (wrong length).
    with pytest.raises(AssertionError):
        imb_make_pipeline(ImbRUS(random_state=0), FitThenTransform()).fit_transform(X, Y)


def test_step_params_reach_a_sampler_without_routing():
    pipe = Pipeline([("under", _RecordingUnderSampler(random_state=0)),
                     ("clf", LogisticRegression())])
    pipe.fit(X, Y, under__marker="seen")
    assert pipe.named_steps["under"].marker_ == "seen"
    # imbalanced-learn accepts the parameter and silently drops it.
    from imblearn.pipeline import Pipeline as ImbPipeline

    theirs = ImbPipeline([("under", _ImbRecordingUnderSampler(random_state=0)),
                          ("clf", LogisticRegression())])
    theirs.fit(X, Y, under__marker="seen")
    assert theirs.named_steps["under"].marker_ is None


def test_unfitted_inference_warns_and_verbose_prints_every_step(capsys):
    from sklearn.base import BaseEstimator

    class Stateless(BaseEstimator):
        def fit(self, X, y=None):
            return self

        def predict(self, X):
            return np.zeros(len(X))

    with pytest.warns(FutureWarning, match="This Pipeline instance is not fitted yet"):
        Pipeline([("model", Stateless())]).predict(X)
    pipe = Pipeline([("scale", StandardScaler()), ("skip", "passthrough"),
                     ("under", RandomUnderSampler(random_state=0)),
                     ("clf", LogisticRegression())], verbose=True)
    pipe.fit(X, Y)
    lines = capsys.readouterr().out.strip().splitlines()
    assert [line.split(") Processing ")[1].split()[0] for line in lines] == [
        "scale,", "skip,", "under,", "clf,"]


def test_transform_input_transforms_validation_metadata():
    import sklearn
    from sklearn.base import BaseEstimator, ClassifierMixin

    class NeedsValidation(ClassifierMixin, BaseEstimator):
        def fit(self, X, y, X_val=None):
            self.X_val_ = X_val
            return self

    X_val = X[:20]
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0),
                             NeedsValidation().set_fit_request(X_val=True),
                             transform_input=["X_val"])
        pipe.fit(X, Y, X_val=X_val)
    scaler = pipe.named_steps["standardscaler"]
    # Transformed by the scaler, not resampled by the sampler.
    np.testing.assert_allclose(pipe[-1].X_val_, scaler.transform(X_val))
    with pytest.raises(ValueError, match="can only be set if metadata routing"):
        make_pipeline(StandardScaler(), LogisticRegression(),
                      transform_input=["X_val"]).fit(X, Y)


# Resampled metadata: per-row metadata follows the rows through the samplers.

from sklearn.base import BaseEstimator, ClassifierMixin  # noqa: E402

from gpuimb.over_sampling import SMOTE  # noqa: E402
from gpuimb.under_sampling import ClusterCentroids, TomekLinks  # noqa: E402

# Tomek link between rows 2 (x=2, class 0) and 3 (x=2.6, class 1): each is the
# other's nearest neighbour. With sampling_strategy="all" both go.
X_TOMEK = np.array([[0.0], [1.0], [2.0], [2.6], [5.0], [6.0]])
Y_TOMEK = np.array([0, 0, 0, 1, 1, 1])
W_TOMEK = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])


class _WeightRecorder(ClassifierMixin, BaseEstimator):
    def fit(self, X, y, sample_weight=None, groups=None):
        self.X_, self.sample_weight_, self.groups_ = X, sample_weight, groups
        self.classes_ = np.unique(y)
        return self

    def predict(self, X):
        return np.full(len(X), self.classes_[0])


def test_resample_metadata_by_hand():
    tomek = TomekLinks(sampling_strategy="all")
    tomek.fit_resample(X_TOMEK, Y_TOMEK)
    out = tomek.resample_metadata(sample_weight=W_TOMEK, groups=["a", "b", "c", "d",
                                                                 "e", "f"])
    np.testing.assert_array_equal(out["sample_weight"], [1.0, 2.0, 5.0, 6.0])
    np.testing.assert_array_equal(out["groups"], ["a", "b", "e", "f"])
    # A duplicated row (RandomOverSampler) carries its own weight: the X values
    # are distinct, so each output row's weight is that of the equal input row.
    X = np.array([[0.0], [1.0], [2.0], [3.0], [10.0], [11.0]])
    y = np.array([0, 0, 0, 0, 1, 1])
    w = np.array([1.0, 2.0, 3.0, 4.0, 7.0, 9.0])
    ros = RandomOverSampler(random_state=0)
    X_res, _ = ros.fit_resample(X, y)
    expected = {0.0: 1.0, 1.0: 2.0, 2.0: 3.0, 3.0: 4.0, 10.0: 7.0, 11.0: 9.0}
    np.testing.assert_array_equal(ros.resample_metadata(w=w)["w"],
                                  [expected[v] for v in X_res[:, 0]])
    # A synthetic row (SMOTE) carries the weight of the row it grew from. The
    # minority rows are x=10 (weight 7) and x=11 (weight 9); each synthetic row
    # lies between them and takes 7 or 9 as its base says.
    smote = SMOTE(k_neighbors=1, random_state=0)
    X_res, _ = smote.fit_resample(X, y)
    w_res = smote.resample_metadata(w=w)["w"]
    np.testing.assert_array_equal(w_res[:6], w)
    synthetic = X_res[6:, 0]
    assert synthetic.shape == (2,) and np.all((synthetic >= 10) & (synthetic <= 11))
    base = np.asarray(smote.provenance_.base_indices)
    np.testing.assert_array_equal(w_res[6:], np.where(base == 4, 7.0, 9.0))
    # pandas metadata keeps the labels of the rows it comes from.
    import pandas as pd

    s = pd.Series(W_TOMEK, index=list("uvwxyz"))
    assert list(tomek.resample_metadata(s=s)["s"].index) == ["u", "v", "y", "z"]


def test_resample_metadata_needs_known_rows():
    cc = ClusterCentroids(random_state=0)
    cc.fit_resample(X, Y)
    with pytest.raises(ValueError, match="cannot resample metadata"):
        cc.resample_metadata(sample_weight=np.ones(len(Y)))


def test_pipeline_routes_resampled_metadata_by_hand():
    import sklearn

    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline([
            ("scale", StandardScaler().set_fit_request(sample_weight=True)),
            ("tomek", TomekLinks(sampling_strategy="all")),
            ("clf", _WeightRecorder().set_fit_request(sample_weight=True, groups=True)),
        ])
        pipe.fit(X_TOMEK, Y_TOMEK, sample_weight=W_TOMEK, groups=np.arange(6))
    # The scaler (before the sampler) saw all six weights.
    np.testing.assert_allclose(pipe.named_steps["scale"].mean_,
                               [np.average(X_TOMEK[:, 0], weights=W_TOMEK)])
    np.testing.assert_array_equal(pipe[-1].sample_weight_, [1.0, 2.0, 5.0, 6.0])
    np.testing.assert_array_equal(pipe[-1].groups_, [0, 1, 4, 5])
    # Without routing, step__param metadata follows the rows the same way.
    pipe = make_pipeline(TomekLinks(sampling_strategy="all"), _WeightRecorder())
    pipe.fit(X_TOMEK, Y_TOMEK, _weightrecorder__sample_weight=W_TOMEK)
    np.testing.assert_array_equal(pipe[-1].sample_weight_, [1.0, 2.0, 5.0, 6.0])


def test_pipeline_metadata_through_two_samplers_and_in_cross_validation():
    import sklearn
    from sklearn.model_selection import cross_validate

    w = np.random.default_rng(0).uniform(0.5, 2.0, size=len(Y))
    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline([
            ("smote", SMOTE(random_state=0)),
            ("under", RandomUnderSampler(random_state=0)),
            ("clf", _WeightRecorder().set_fit_request(sample_weight=True)),
        ])
        pipe.fit(X, Y, sample_weight=w)
        smote, under = pipe.named_steps["smote"], pipe.named_steps["under"]
        expected = smote.resample_metadata(w=w)["w"][under.sample_indices_]
        np.testing.assert_array_equal(pipe[-1].sample_weight_, expected)
        clf = (LogisticRegression().set_fit_request(sample_weight=True)
               .set_score_request(sample_weight=True))
        scores = cross_validate(
            Pipeline([("under", RandomUnderSampler(random_state=0)), ("clf", clf)]),
            X, Y, params={"sample_weight": w}, cv=3, error_score="raise")
    assert np.all(np.isfinite(scores["test_score"]))


def test_pipeline_metadata_after_a_sampler_without_row_origin_errors():
    import sklearn

    with sklearn.config_context(enable_metadata_routing=True):
        pipe = Pipeline([("cc", ClusterCentroids(random_state=0)),
                         ("clf", _WeightRecorder().set_fit_request(sample_weight=True))])
        with pytest.raises(ValueError, match="'cc' before it does not record"):
            pipe.fit(X, Y, sample_weight=np.ones(len(Y)))


def test_every_sampler_row_origin_points_at_its_rows():
    # Kept/duplicated rows equal the input row they name; synthetic rows follow
    # the original ones and name their base row.
    from gpuimb.utils.discovery import all_samplers

    Xs, ys = make_classification(n_samples=150, n_features=4, weights=[0.8],
                                 random_state=1)
    for name, cls in all_samplers():
        if name in ("ClusterCentroids", "FunctionSampler"):
            continue
        params = {"categorical_features": [0]} if name == "SMOTENC" else {}
        sampler = cls(**params)
        if "random_state" in sampler.get_params():
            sampler.set_params(random_state=0)
        X_res, _ = sampler.fit_resample(Xs, ys)
        origin = np.asarray(sampler._row_origin())
        assert len(origin) == len(X_res), name
        real = np.ones(len(origin), dtype=bool)
        if hasattr(sampler, "provenance_"):
            real[sampler.provenance_.n_original:] = False
        elif hasattr(sampler, "smote_"):  # SMOTEENN, SMOTETomek: SMOTE, then a cleaner
            cleaner = sampler.enn_ if hasattr(sampler, "enn_") else sampler.tomek_
            real = cleaner.sample_indices_ < sampler.smote_.provenance_.n_original
            assert not real.all(), name  # some synthetic rows survive the cleaning
        np.testing.assert_array_equal(X_res[real], Xs[origin[real]], err_msg=name)


def test_resample_metadata_on_array_api(xp_name):
    from tests._helpers import to_namespace

    rus = RandomUnderSampler(random_state=0)
    rus.fit_resample(to_namespace(xp_name, X), to_namespace(xp_name, Y))
    w = np.arange(len(Y), dtype=np.float64)
    on_device = rus.resample_metadata(w=to_namespace(xp_name, w))["w"]
    assert type(on_device) is type(to_namespace(xp_name, w))
    np.testing.assert_array_equal(np.asarray(on_device), np.asarray(rus.sample_indices_))
    np.testing.assert_array_equal(rus.resample_metadata(w=w)["w"],
                                  np.asarray(rus.sample_indices_))


def test_pickled_fitted_pipeline_predicts_with_its_fitted_steps():
    pipe = make_pipeline(StandardScaler(), RandomUnderSampler(random_state=0),
                         LogisticRegression()).fit(X, Y)
    restored = pickle.loads(pickle.dumps(pipe))
    np.testing.assert_array_equal(restored[1].sample_indices_, pipe[1].sample_indices_)
    np.testing.assert_array_equal(restored[-1].coef_, pipe[-1].coef_)
    np.testing.assert_array_equal(restored.predict_proba(X), pipe.predict_proba(X))
    # The fitted scaler is part of the state: a refit one on other rows predicts otherwise.
    refit = pickle.loads(pickle.dumps(pipe))
    refit[0].fit(X[:50] * 3)
    assert not np.array_equal(refit.predict_proba(X), pipe.predict_proba(X))
