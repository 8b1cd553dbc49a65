"""On a CUDA device: CuPy targets in, CuPy per-label results out, imbalanced-learn's
values (run when a GPU is present)."""

import numpy as np
import pytest
from imblearn import metrics as imb
from imblearn.metrics.pairwise import ValueDifferenceMetric as ImbVDM

from gpuimb import metrics as gm
from gpuimb.metrics.pairwise import ValueDifferenceMetric

pytestmark = pytest.mark.gpu

rng = np.random.RandomState(0)
Y_TRUE, Y_PRED = rng.randint(0, 4, 500), rng.randint(0, 4, 500)
W = rng.uniform(0.1, 2, 500)


def test_metrics_on_cupy():
    cupy = pytest.importorskip("cupy")
    yt, yp, w = cupy.asarray(Y_TRUE), cupy.asarray(Y_PRED), cupy.asarray(W)
    sen, spe, sup = gm.sensitivity_specificity_support(yt, yp, sample_weight=w)
    exp = imb.sensitivity_specificity_support(Y_TRUE, Y_PRED, sample_weight=W)
    for got, expected in zip((sen, spe, sup), exp, strict=True):
        assert isinstance(got, cupy.ndarray)
        np.testing.assert_allclose(got.get(), expected, rtol=1e-12)
    for average in ("macro", "weighted", "micro"):
        got = gm.geometric_mean_score(yt, yp, average=average, sample_weight=w)
        assert isinstance(got, float)
        assert got == pytest.approx(imb.geometric_mean_score(
            Y_TRUE, Y_PRED, average=average, sample_weight=W), rel=1e-12)
    assert gm.geometric_mean_score(yt, yp, correction=0.01) == pytest.approx(
        imb.geometric_mean_score(Y_TRUE, Y_PRED, correction=0.01), rel=1e-12)
    assert gm.classification_report_imbalanced(yt, yp, sample_weight=w) == \
        imb.classification_report_imbalanced(Y_TRUE, Y_PRED, sample_weight=W)
    assert gm.macro_averaged_mean_absolute_error(yt, yp) == pytest.approx(
        imb.macro_averaged_mean_absolute_error(Y_TRUE, Y_PRED), rel=1e-12)


def test_value_difference_metric_on_cupy():
    cupy = pytest.importorskip("cupy")
    X = rng.randint(0, 5, size=(300, 3))
    got = ValueDifferenceMetric(k=2, r=2).fit(cupy.asarray(X), cupy.asarray(Y_TRUE[:300]))
    D = got.pairwise(cupy.asarray(X))
    assert isinstance(D, cupy.ndarray)
    expected = ImbVDM(k=2, r=2).fit(X, Y_TRUE[:300]).pairwise(X)
    np.testing.assert_allclose(D.get(), expected, rtol=1e-12, atol=1e-12)


def test_make_imbalance_on_cupy():
    cupy = pytest.importorskip("cupy")
    from imblearn.datasets import make_imbalance as imb_make_imbalance

    from gpuimb.datasets import make_imbalance

    X = rng.normal(size=(500, 4))
    strategy = {0: 20, 1: 50}
    X_res, y_res = make_imbalance(cupy.asarray(X), cupy.asarray(Y_TRUE),
                                  sampling_strategy=strategy, random_state=0)
    X_exp, y_exp = imb_make_imbalance(X, Y_TRUE, sampling_strategy=strategy,
                                      random_state=0)
    assert isinstance(X_res, cupy.ndarray)
    np.testing.assert_array_equal(X_res.get(), X_exp)
    np.testing.assert_array_equal(y_res.get(), y_exp)
