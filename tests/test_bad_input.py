"""Bad-input matrix: every sampler x every kind of bad input (issue 18).

For each case imbalanced-learn 0.14.2 decides: where it accepts the input
gpuimb must accept it too (except where gpuimb is deliberately stricter, listed
in STRICTER and in README "Differences"); where it refuses, gpuimb refuses with
the same exception type and a message naming the problem (imbalanced-learn's or
scikit-learn's words). Never an IndexError/AttributeError from deep inside, and
never a modified input.
"""

import re
import warnings

import numpy as np
import pytest
from sklearn.base import clone

from tests.fuzz_samplers import SAMPLER_IDS, SAMPLERS, base_name, blobs, imblearn_twin


def _cases():
    X, y = blobs(0, [20, 12], 3)
    cases = {}
    X_nan = X.copy()
    X_nan[2, 1] = np.nan
    cases["nan"] = (X_nan, y)
    X_inf = X.copy()
    X_inf[2, 1] = np.inf
    cases["inf"] = (X_inf, y)
    cases["empty"] = (X[:0], y[:0])
    cases["one_class"] = (X, np.zeros_like(y))
    cases["one_per_class"] = (X[:2], np.array([0, 1]))
    cases["k_gt_class"] = (X[:14], np.r_[np.zeros(11, int), np.ones(3, int)])
    cases["x_1d"] = (X[:, 0], y)
    cases["x_3d"] = (X[:, :, None], y)
    cases["length"] = (X, y[:-1])
    cases["y_continuous"] = (X, np.linspace(0, 1, len(y)))
    cases["y_multilabel"] = (X, np.c_[y, 1 - y, y])
    y_nan = y.astype(float)
    y_nan[3] = np.nan
    cases["y_nan"] = (X, y_nan)
    X_obj = X.astype(object)
    X_obj[0, 0] = "a"
    cases["x_object"] = (X_obj, y)
    return cases


CASES = _cases()

# What the message must say, per case (imbalanced-learn's / scikit-learn's words).
MESSAGES = {
    "nan": r"contains NaN",
    "inf": r"contains infinity|numerical data",
    "empty": r"0 sample\(s\)",
    "one_class": r"needs to have more than 1 class",
    "one_per_class": r"n_neighbors|n_splits|0 sample",
    "k_gt_class": r"Expected n_neighbors <= n_samples_fit|No clusters found",
    "x_1d": r"Expected 2D array.*Reshape your data",
    "x_3d": r"Found array with dim 3",
    "length": r"inconsistent numbers of samples",
    "y_continuous": r"Unknown label type: continuous",
    "y_multilabel": r"Multilabel and multioutput targets are not supported",
    "y_nan": r"y contains NaN",
    "x_object": r"could not convert string to float|uniformly strings or numbers"
                r"|numerical data",
}

# (sampler, case) where imbalanced-learn accepts the input and gpuimb refuses it
# on purpose (README "Differences"): X and y of different lengths.
STRICTER = {("RandomOverSampler", "length"), ("RandomUnderSampler", "length"),
            ("SMOTENC", "length")}


def _outcome(sampler, X, y):
    X_copy, y_copy = np.array(X, copy=True), np.array(y, copy=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            result = sampler.fit_resample(X, y)
        except Exception as exc:  # noqa: BLE001 - the type is what is compared
            result = exc
    np.testing.assert_array_equal(X, X_copy)
    np.testing.assert_array_equal(y, y_copy)
    return result


@pytest.mark.parametrize("case", list(CASES))
@pytest.mark.parametrize("sampler", [s for _, s in SAMPLERS], ids=SAMPLER_IDS)
def test_bad_input(sampler, case):
    X, y = CASES[case]
    ours = _outcome(clone(sampler), X, y)
    theirs = _outcome(imblearn_twin(sampler), X, y)
    if (base_name(sampler), case) in STRICTER:
        assert not isinstance(theirs, Exception)
        assert isinstance(ours, ValueError)
        assert "inconsistent numbers of samples: [32, 31]" in str(ours)
        return
    if not isinstance(theirs, Exception):
        assert not isinstance(ours, Exception), f"imbalanced-learn accepts; gpuimb: {ours!r}"
        X_res, y_res = ours
        assert X_res.shape[0] == y_res.shape[0]
        return
    assert isinstance(ours, Exception), "imbalanced-learn refuses this input; gpuimb accepts"
    assert type(ours) is type(theirs), (ours, theirs)
    assert isinstance(ours, ValueError | TypeError | RuntimeError)
    assert re.search(MESSAGES[case], str(ours), re.DOTALL), str(ours)


def test_smotenc_length_mismatch_imblearn_returns_mismatched_output():
    # README "Differences": imbalanced-learn's SMOTENC skips the length check
    # and returns X and y of different lengths; gpuimb refuses.
    from imblearn.over_sampling import SMOTENC as ImbSMOTENC

    from gpuimb.over_sampling import SMOTENC

    X, y = CASES["length"]
    X_res, y_res = ImbSMOTENC(categorical_features=[0], random_state=0).fit_resample(X, y)
    assert X_res.shape[0] != y_res.shape[0]
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SMOTENC(categorical_features=[0], random_state=0).fit_resample(X, y)


def test_random_samplers_length_mismatch_imblearn_is_wrong():
    # README "Differences": imbalanced-learn's random samplers do not check
    # that X and y have the same length.
    from imblearn.over_sampling import RandomOverSampler as ImbROS
    from imblearn.under_sampling import RandomUnderSampler as ImbRUS

    from gpuimb.over_sampling import RandomOverSampler
    from gpuimb.under_sampling import RandomUnderSampler

    X, y = CASES["length"]  # one row of X more than labels
    X_res, y_res = ImbROS(random_state=0).fit_resample(X, y)
    assert X_res.shape[0] == y_res.shape[0] + 1  # mismatched output
    imb_rus = ImbRUS(random_state=0)
    X_res, y_res = imb_rus.fit_resample(X, y)  # the unlabelled row is dropped silently
    assert X_res.shape[0] == y_res.shape[0]
    with pytest.raises(IndexError):  # one label more than rows
        ImbRUS(random_state=0).fit_resample(X[:-2], y)
    for ours in (RandomOverSampler, RandomUnderSampler):
        for X_bad, y_bad in ((X, y), (X[:-2], y)):
            with pytest.raises(ValueError, match="inconsistent numbers of samples"):
                ours(random_state=0).fit_resample(X_bad, y_bad)
