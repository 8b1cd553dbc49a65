"""Sampling strategies, targets and bad input, against imbalanced-learn 0.14.2."""

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from imblearn.utils import check_sampling_strategy as imb_check_sampling_strategy
from imblearn.utils import check_target_type as imb_check_target_type
from sklearn.datasets import make_classification

from gpuimb.over_sampling import RandomOverSampler
from gpuimb.under_sampling import RandomUnderSampler
from gpuimb.utils import check_sampling_strategy, check_target_type
from tests._helpers import to_namespace

Y_BINARY = np.array([0] * 30 + [1] * 10)
Y_MULTI = np.array([0] * 30 + [1] * 20 + [2] * 10)
Y_STR = np.array(["a"] * 30 + ["b"] * 20 + ["c"] * 10, dtype=object)

STRATEGIES = ["auto", "all", "minority", "majority", "not minority", "not majority",
              "bogus", 0.5, 1.0, 0.1, 1.5, -0.2, {0: 30, 1: 40}, {0: 5, 1: 8},
              {0: -1}, {7: 3}, [0, 1], [9], lambda y: {0: 30, 1: 35},
              lambda y: {0: 1}]


def _outcome(func, strategy, y, kind):
    try:
        return "ok", dict(func(strategy, y, kind))
    except ValueError as exc:
        return "error", str(exc)


@pytest.mark.parametrize("y", [Y_BINARY, Y_MULTI, Y_STR], ids=["bin", "multi", "str"])
@pytest.mark.parametrize("kind", ["over-sampling", "under-sampling", "clean-sampling"])
@pytest.mark.parametrize("strategy", STRATEGIES, ids=repr)
def test_same_strategy_or_same_error_as_imblearn(y, kind, strategy):
    if isinstance(strategy, dict) and y is Y_STR:
        strategy = {{0: "a", 1: "b", 7: "z"}.get(k, k): v for k, v in strategy.items()}
    ours = _outcome(check_sampling_strategy, strategy, y, kind)
    theirs = _outcome(imb_check_sampling_strategy, strategy, y, kind)
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "ok":
        assert ours[1] == theirs[1]
        assert list(ours[1]) == list(theirs[1])  # same (sorted) order
    else:
        assert _normalise(ours[1]) == _normalise(theirs[1])


def _normalise(message):
    # imbalanced-learn prints the dict of string options; we print their names.
    return re.sub(r"\{[^}]*\}|\[[^]]*\]", "<...>", message)


def test_strategy_on_array_api_strict(xp_name):
    y = to_namespace(xp_name, Y_MULTI)
    assert check_sampling_strategy("auto", y, "over-sampling") == \
        imb_check_sampling_strategy("auto", Y_MULTI, "over-sampling")


def test_one_class_is_an_error():
    with pytest.raises(ValueError, match="needs to have more than 1 class"):
        check_sampling_strategy("auto", np.zeros(10), "over-sampling")


@pytest.mark.parametrize("y", [Y_MULTI, np.eye(3)[Y_MULTI], Y_MULTI[:, None]])
def test_target_type_matches_imblearn(y):
    ours, ours_ova = check_target_type(y, indicate_one_vs_all=True)
    theirs, theirs_ova = imb_check_target_type(y, indicate_one_vs_all=True)
    np.testing.assert_array_equal(ours, theirs)
    assert ours_ova == theirs_ova


def test_multilabel_rejected():
    y = np.array([[1, 1, 0], [0, 1, 0], [1, 0, 0], [0, 0, 1]])
    with pytest.raises(ValueError, match="Multilabel and multioutput targets"):
        RandomUnderSampler().fit_resample(np.ones((4, 2)), y)


X, Y = make_classification(n_samples=60, n_features=4, weights=[0.7], random_state=0)


@pytest.mark.parametrize("sampler", [RandomUnderSampler(), RandomOverSampler(),
                                     RandomOverSampler(shrinkage=1.0)])
@pytest.mark.parametrize("case, X_bad, y_bad, error, match", [
    ("1d X", X[:, 0], Y, ValueError, "Expected 2D array"),
    ("lengths", X, Y[:-1], ValueError, "inconsistent numbers of samples"),
    ("one class", X, np.zeros(len(Y)), ValueError, "more than 1 class"),
    ("empty", X[:0], Y[:0], ValueError, "0 sample"),
    ("continuous y", X, np.linspace(0, 1, len(Y)), ValueError, "Unknown label type"),
])
def test_bad_input(sampler, case, X_bad, y_bad, error, match, assert_unchanged):
    check = assert_unchanged(X_bad, y_bad)
    with pytest.raises(error, match=match):
        sampler.fit_resample(X_bad, y_bad)
    check()


@pytest.mark.parametrize("value, match", [(np.nan, "NaN"), (np.inf, "infinity")])
def test_non_finite_rejected_where_not_accepted(value, match):
    from gpuimb import FunctionSampler

    X_bad = X.copy()
    X_bad[3, 1] = value
    with pytest.raises(ValueError, match=match):
        FunctionSampler().fit_resample(X_bad, Y)
    with pytest.raises(ValueError, match=match):
        RandomOverSampler(shrinkage=1.0).fit_resample(X_bad, Y)


@pytest.mark.parametrize("value, match", [(float("nan"), "NaN"),
                                          (float("inf"), "infinity")])
def test_non_finite_rejected_on_array_api(value, match):
    from gpuimb import FunctionSampler

    X_bad = X.copy()
    X_bad[3, 1] = value
    with pytest.raises(ValueError, match=match):
        FunctionSampler().fit_resample(to_namespace("array_api_strict", X_bad),
                                       to_namespace("array_api_strict", Y))


@pytest.mark.parametrize("case, X_bad, y_bad, match", [
    ("1d X", X[:, 0], Y, "Expected 2D array"),
    ("lengths", X, Y[:-1], "inconsistent numbers of samples"),
    ("one class", X, np.zeros(len(Y), dtype=np.int64), "more than 1 class"),
    ("empty", X[:0], Y[:0], "0 sample"),
    ("continuous y", X, np.linspace(0, 1, len(Y)), "Unknown label type"),
])
def test_bad_input_on_array_api(case, X_bad, y_bad, match):
    with pytest.raises(ValueError, match=match):
        RandomUnderSampler().fit_resample(to_namespace("array_api_strict", X_bad),
                                          to_namespace("array_api_strict", y_bad))


@pytest.mark.parametrize("strategy, match", [
    ({5: 10}, r"The \{5\} target class is/are not present"),
    (0.5, "can be a float only when the type of target is binary"),
])
def test_strategy_errors_through_sampler(strategy, match):
    X3, y3 = make_classification(n_samples=90, n_classes=3, n_informative=3,
                                 weights=[0.5, 0.3], random_state=0)
    with pytest.raises(ValueError, match=match):
        RandomOverSampler(sampling_strategy=strategy).fit_resample(X3, y3)


def test_invalid_parameter_type():
    with pytest.raises(ValueError, match="sampling_strategy"):
        RandomUnderSampler(sampling_strategy="minority").fit_resample(X, Y)
    with pytest.raises(ValueError, match="replacement"):
        RandomUnderSampler(replacement="yes").fit_resample(X, Y)


# --- property-based: any class counts, any strategy, same answer as imblearn ---



@settings(max_examples=150, deadline=None)
@given(
    counts=st.lists(st.integers(min_value=1, max_value=40), min_size=2, max_size=5),
    kind=st.sampled_from(["over-sampling", "under-sampling", "clean-sampling"]),
    strategy=st.one_of(
        st.sampled_from(["auto", "all", "minority", "majority", "not minority",
                         "not majority"]),
        st.floats(min_value=0.01, max_value=1.0),
        st.dictionaries(st.integers(0, 5), st.integers(-1, 60), max_size=4),
        st.lists(st.integers(0, 5), max_size=3),
    ),
)
def test_property_same_as_imblearn(counts, kind, strategy):
    y = np.repeat(np.arange(len(counts)), counts)
    ours = _outcome(check_sampling_strategy, strategy, y, kind)
    theirs = _outcome(imb_check_sampling_strategy, strategy, y, kind)
    assert ours[0] == theirs[0], (ours, theirs)
    if ours[0] == "ok":
        assert ours[1] == theirs[1]
    else:
        assert _normalise(ours[1]) == _normalise(theirs[1])


@settings(max_examples=40, deadline=None)
@given(counts=st.lists(st.integers(min_value=1, max_value=30), min_size=2, max_size=4),
       seed=st.integers(0, 2**31 - 1))
def test_property_random_under_sampler_parity(counts, seed):
    from imblearn.under_sampling import RandomUnderSampler as ImbRUS

    y = np.random.RandomState(seed).permutation(np.repeat(np.arange(len(counts)), counts))
    X = np.arange(len(y) * 2, dtype=float).reshape(-1, 2)
    ours = RandomUnderSampler(random_state=seed)
    theirs = ImbRUS(random_state=seed)
    np.testing.assert_array_equal(ours.fit_resample(X, y)[0], theirs.fit_resample(X, y)[0])
    np.testing.assert_array_equal(ours.sample_indices_, theirs.sample_indices_)
