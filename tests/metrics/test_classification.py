"""The metrics equal imbalanced-learn's (to 1e-12) on the host and on array-API
devices, and device targets are never converted to NumPy."""

import warnings

import array_api_strict
import numpy as np
import pytest
from imblearn import metrics as imb

from gpuimb import metrics as gm
from gpuimb._backends import to_host

DEVICE1 = array_api_strict.Device("device1")
KINDS = ["numpy", "list", "strict", "strict-device1"]

rng = np.random.RandomState(0)
BINARY = (rng.randint(0, 2, 60), rng.randint(0, 2, 60))
MULTI = (rng.randint(0, 4, 80), rng.randint(0, 4, 80))
# a label (7) that only y_pred has, and one (3) nobody predicts
SKEWED = (np.array([0] * 30 + [1] * 8 + [3] * 2), np.array([0] * 25 + [1] * 10 + [7] * 5))
WEIGHTS = {len(BINARY[0]): rng.uniform(0.1, 2, 60), len(MULTI[0]): rng.uniform(0.1, 2, 80),
           len(SKEWED[0]): rng.uniform(0.1, 2, 40)}


def convert(kind, a):
    if a is None:
        return None
    if kind == "numpy":
        return np.asarray(a)
    if kind == "list":
        return list(np.asarray(a).tolist())
    device = DEVICE1 if kind == "strict-device1" else None
    return array_api_strict.asarray(np.asarray(a), device=device)


def to_numpy(value, kind):
    """Results back on the host, checking their kind on the way."""
    if value is None or isinstance(value, (int, float, np.floating, np.integer)):
        return value
    if kind.startswith("strict"):
        assert isinstance(value, array_api_strict._array_object.Array)
        expected = DEVICE1 if kind == "strict-device1" else array_api_strict.Device()
        assert value.device == expected
        return to_host(value)
    assert isinstance(value, np.ndarray)
    return value


def assert_same(ours, theirs, kind):
    if isinstance(theirs, tuple):
        assert len(ours) == len(theirs)
        for a, b in zip(ours, theirs, strict=True):
            assert_same(a, b, kind)
        return
    ours = to_numpy(ours, kind)
    if theirs is None:
        assert ours is None
        return
    np.testing.assert_allclose(np.asarray(ours, dtype=float),
                               np.asarray(theirs, dtype=float), rtol=1e-12, atol=1e-12)
    assert np.shape(ours) == np.shape(theirs)


def run_both(name, kind, y_true, y_pred, sample_weight=None, **kwargs):
    with warnings.catch_warnings(record=True) as theirs_w:
        warnings.simplefilter("always")
        expected = getattr(imb, name)(y_true, y_pred, sample_weight=sample_weight, **kwargs)
    with warnings.catch_warnings(record=True) as ours_w:
        warnings.simplefilter("always")
        got = getattr(gm, name)(convert(kind, y_true), convert(kind, y_pred),
                                sample_weight=convert(kind, sample_weight), **kwargs)
    # the same kinds of warnings (ill-defined metric, ignored pos_label)
    assert {str(w.message) for w in ours_w} == {str(w.message) for w in theirs_w}
    return got, expected


CASES = [
    ("binary", BINARY, {}),
    ("binary", BINARY, {"pos_label": 0, "average": "binary"}),
    ("binary", BINARY, {"pos_label": None, "average": "weighted"}),
    ("multi", MULTI, {"average": None}),
    ("multi", MULTI, {"average": "macro"}),
    ("multi", MULTI, {"average": "micro"}),
    ("multi", MULTI, {"average": "weighted"}),
    ("multi", MULTI, {"average": None, "labels": [3, 1]}),
    ("multi", MULTI, {"average": "macro", "labels": [2, 0, 9]}),
    ("multi", MULTI, {"average": "macro", "pos_label": 2}),  # warns: ignored
    ("skewed", SKEWED, {"average": None}),  # zero divisions
    ("skewed", SKEWED, {"average": "weighted", "labels": [3]}),
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[2]}")
@pytest.mark.parametrize("kind", KINDS)
def test_sensitivity_specificity_support(kind, case, weighted):
    _, (y_true, y_pred), kwargs = case
    kwargs = {"average": None, **kwargs}
    w = WEIGHTS[len(y_true)] if weighted else None
    got, expected = run_both("sensitivity_specificity_support", kind, y_true, y_pred, w,
                             **kwargs)
    assert_same(got, expected, kind)


@pytest.mark.parametrize("name", ["sensitivity_score", "specificity_score"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", CASES, ids=lambda c: f"{c[0]}-{c[2]}")
@pytest.mark.parametrize("kind", ["numpy", "strict-device1"])
def test_sensitivity_and_specificity_scores(name, kind, case, weighted):
    _, (y_true, y_pred), kwargs = case
    if case[0] != "binary" and "average" not in kwargs:
        kwargs = {**kwargs, "average": "macro"}
    w = WEIGHTS[len(y_true)] if weighted else None
    got, expected = run_both(name, kind, y_true, y_pred, w, **kwargs)
    assert_same(got, expected, kind)


GMEAN_CASES = [
    (BINARY, {}),
    (MULTI, {}),
    (MULTI, {"correction": 0.001}),
    (SKEWED, {}),
    (SKEWED, {"correction": 0.01}),
    (MULTI, {"labels": [1, 3]}),
    *[(data, {"average": a}) for data in (MULTI, SKEWED)
      for a in (None, "macro", "micro", "weighted")],
    (BINARY, {"average": "binary", "pos_label": 0}),
]


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("case", GMEAN_CASES, ids=lambda c: str(c[1]))
@pytest.mark.parametrize("kind", KINDS)
def test_geometric_mean_score(kind, case, weighted):
    (y_true, y_pred), kwargs = case
    w = WEIGHTS[len(y_true)] if weighted else None
    got, expected = run_both("geometric_mean_score", kind, y_true, y_pred, w, **kwargs)
    assert_same(got, expected, kind)


@pytest.mark.parametrize("squared", [True, False])
@pytest.mark.parametrize("kind", ["numpy", "strict-device1"])
def test_make_index_balanced_accuracy(kind, squared):
    for data, kwargs in [(BINARY, {}), (MULTI, {"average": None}),
                         (MULTI, {"average": "weighted"}), (SKEWED, {})]:
        ours = gm.make_index_balanced_accuracy(alpha=0.3, squared=squared)(
            gm.geometric_mean_score)
        theirs = imb.make_index_balanced_accuracy(alpha=0.3, squared=squared)(
            imb.geometric_mean_score)
        w = WEIGHTS[len(data[0])]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = theirs(*data, sample_weight=w, **kwargs)
            got = ours(convert(kind, data[0]), convert(kind, data[1]),
                       sample_weight=convert(kind, w), **kwargs)
        assert_same(got, expected, kind)
    from sklearn.metrics import average_precision_score

    with pytest.raises(AttributeError, match="has an unsupported attribute"):
        gm.make_index_balanced_accuracy()(average_precision_score)([0, 1], [0.1, 0.4])


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kwargs", [{}, {"zero_division": 1}, {"zero_division": 0},
                                    {"labels": [3, 0, 7], "digits": 4},
                                    {"target_names": ["a", "bb", "ccc", "dddd"]}])
@pytest.mark.parametrize("kind", ["numpy", "list", "strict-device1"])
def test_classification_report_imbalanced(kind, kwargs, weighted):
    y_true, y_pred = SKEWED
    w = WEIGHTS[len(y_true)] if weighted else None
    got, expected = run_both("classification_report_imbalanced", kind, y_true, y_pred,
                             w, **kwargs)
    assert got == expected
    got, expected = run_both("classification_report_imbalanced", kind, y_true, y_pred,
                             w, output_dict=True, **kwargs)
    assert got.keys() == expected.keys()
    for key, value in expected.items():
        if isinstance(value, dict):
            assert got[key].keys() == value.keys()
            for name, v in value.items():
                assert got[key][name] == pytest.approx(v, rel=1e-12, abs=1e-12)
        else:
            assert got[key] == pytest.approx(value, rel=1e-12, abs=1e-12)


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("kind", KINDS)
def test_macro_averaged_mean_absolute_error(kind, weighted):
    y_true = rng.randint(0, 5, 70)
    y_pred = np.clip(y_true + rng.randint(-2, 3, 70), 0, 4)
    w = rng.uniform(0.1, 2, 70) if weighted else None
    got, expected = run_both("macro_averaged_mean_absolute_error", kind, y_true, y_pred, w)
    assert_same(got, expected, kind)
    # a class only predicted: imbalanced-learn's error
    with pytest.raises(ValueError, match="Found array with 0 sample"):
        gm.macro_averaged_mean_absolute_error(convert(kind, [1, 1, 2]),
                                              convert(kind, [1, 3, 2]))


@pytest.mark.parametrize("kind", KINDS)
def test_errors_match_imbalanced_learn(kind):
    y_true, y_pred = MULTI
    cases = [
        ("sensitivity_specificity_support", (y_true, y_pred), {"average": "binary"}),
        ("sensitivity_specificity_support", (y_true, y_pred), {"average": "samples"}),
        ("sensitivity_specificity_support", BINARY, {"average": "binary", "pos_label": 5}),
        ("sensitivity_specificity_support", (y_true, y_pred[:-1]), {}),
        ("geometric_mean_score", (y_true, y_pred + 0.5), {}),
        ("geometric_mean_score", (y_true[:0], y_pred[:0]), {"average": None}),
        ("specificity_score", (y_true, y_pred),
         {"sample_weight": np.ones((80, 2)), "average": "macro"}),
        ("sensitivity_score", (y_true, y_pred),
         {"sample_weight": np.zeros(80), "average": "macro"}),
        ("sensitivity_specificity_support",
         (np.eye(3, dtype=int)[MULTI[0] % 3], np.eye(3, dtype=int)[MULTI[1] % 3]), {}),
    ]
    for name, (a, b), kwargs in cases:
        kwargs = dict(kwargs)
        w = kwargs.pop("sample_weight", None)
        with pytest.raises(ValueError) as theirs:
            getattr(imb, name)(a, b, sample_weight=w, **kwargs)
        with pytest.raises(ValueError) as ours:
            getattr(gm, name)(convert(kind, a), convert(kind, b),
                              sample_weight=convert(kind, w), **kwargs)
        assert str(ours.value) == str(theirs.value), name
    from sklearn.utils._param_validation import InvalidParameterError

    with pytest.raises(InvalidParameterError, match="'average' parameter"):
        gm.geometric_mean_score(convert(kind, y_true), convert(kind, y_pred),
                                average="unknown")


def test_labels_given_as_a_device_array():
    y_true, y_pred = (convert("strict-device1", a) for a in MULTI)
    labels = convert("strict-device1", [3, 1])
    got = gm.specificity_score(y_true, y_pred, labels=labels, average=None)
    expected = imb.specificity_score(*MULTI, labels=[3, 1], average=None)
    assert_same(got, expected, "strict-device1")
    assert (gm.classification_report_imbalanced(y_true, y_pred, labels=labels)
            == imb.classification_report_imbalanced(*MULTI, labels=[3, 1]))


def test_single_class_binary_returns_zeros():
    for kind in KINDS:
        got = gm.sensitivity_specificity_support(convert(kind, [0, 0, 0]),
                                                 convert(kind, [0, 0, 0]),
                                                 average="binary")
        assert got == imb.sensitivity_specificity_support([0, 0, 0], [0, 0, 0],
                                                          average="binary")


def test_string_labels_on_host():
    y_true = np.array(["cat", "dog", "pig", "cat", "dog", "pig"])
    y_pred = np.array(["cat", "pig", "dog", "cat", "cat", "dog"])
    for average in (None, "macro", "weighted"):
        assert_same(gm.sensitivity_specificity_support(y_true, y_pred, average=average),
                    imb.sensitivity_specificity_support(y_true, y_pred, average=average),
                    "numpy")
    assert (gm.classification_report_imbalanced(y_true, y_pred)
            == imb.classification_report_imbalanced(y_true, y_pred))


def test_device_targets_never_reach_numpy(monkeypatch):
    # array_api_strict refuses implicit NumPy conversion; make sure no explicit
    # whole-array copy (tolist / DLPack / __array__) is taken either.
    Array = array_api_strict._array_object.Array
    y_true = convert("strict-device1", MULTI[0])
    y_pred = convert("strict-device1", MULTI[1])
    big = {id(y_true), id(y_pred)}

    def refuse(self, *args, **kwargs):
        if id(self) in big or self.size >= 80:
            raise AssertionError("a whole target was copied to the host")
        return original(self, *args, **kwargs)

    original = Array.__dlpack__
    monkeypatch.setattr(Array, "__dlpack__", refuse)
    gm.classification_report_imbalanced(y_true, y_pred, sample_weight=convert(
        "strict-device1", WEIGHTS[80]))
    gm.geometric_mean_score(y_true, y_pred)
    gm.macro_averaged_mean_absolute_error(y_true, y_pred)
