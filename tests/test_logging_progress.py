"""The "gpuimb" logger's line per fit_resample, and the optional progress bars."""

import logging
import sys

import numpy as np
import pytest

import gpuimb
from gpuimb.combine import SMOTEENN
from gpuimb.over_sampling import SMOTE, KMeansSMOTE
from gpuimb.under_sampling import (
    AllKNN,
    ClusterCentroids,
    CondensedNearestNeighbour,
    InstanceHardnessThreshold,
    RepeatedEditedNearestNeighbours,
)


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = np.r_[rng.randn(90, 2), rng.randn(30, 2) + 1.5]
    return X, np.r_[np.zeros(90, int), np.ones(30, int)]


def test_one_info_line_per_fit_resample(data, caplog):
    X, y = data
    with caplog.at_level(logging.INFO, logger="gpuimb"):
        SMOTE(random_state=0).fit_resample(X, y)
    records = [r for r in caplog.records if r.name == "gpuimb"]
    assert len(records) == 1
    assert records[0].levelno == logging.INFO
    message = records[0].getMessage()
    assert message.startswith("SMOTE: engine=sklearn+array_api device=cpu rows 120 -> 180 in ")
    assert message.endswith(" s")


def test_composite_samplers_log_their_parts_then_themselves(data, caplog):
    X, y = data
    with caplog.at_level(logging.INFO, logger="gpuimb"):
        _, y_res = SMOTEENN(random_state=0).fit_resample(X, y)
    messages = [r.getMessage() for r in caplog.records if r.name == "gpuimb"]
    assert [m.split(":")[0] for m in messages] == ["SMOTE", "EditedNearestNeighbours",
                                                  "SMOTEENN"]
    assert f"rows 120 -> {len(y_res)} in" in messages[-1]


def test_silent_below_info(data, caplog):
    X, y = data
    with caplog.at_level(logging.WARNING, logger="gpuimb"):
        SMOTE(random_state=0).fit_resample(X, y)
    assert not [r for r in caplog.records if r.name == "gpuimb"]


SLOW = [
    (CondensedNearestNeighbour, {"random_state": 0}),
    (RepeatedEditedNearestNeighbours, {}),
    (AllKNN, {}),
    (InstanceHardnessThreshold, {"random_state": 0, "cv": 3}),
    (ClusterCentroids, {"random_state": 0}),
    (KMeansSMOTE, {"random_state": 0, "cluster_balance_threshold": 0.01,
                   "kmeans_estimator": 3}),
]


@pytest.mark.parametrize("cls, params", SLOW, ids=lambda v: getattr(v, "__name__", ""))
def test_progress_bars_only_when_asked(cls, params, data, capsys):
    pytest.importorskip("tqdm")
    X, y = data
    quiet = cls(**params).fit_resample(X, y)
    assert capsys.readouterr().err == ""
    with gpuimb.config_context(show_progress=True):
        shown = cls(**params).fit_resample(X, y)
    assert cls.__name__ in capsys.readouterr().err
    for a, b in zip(quiet, shown, strict=True):
        np.testing.assert_array_equal(a, b)
    assert gpuimb.get_config()["show_progress"] is False


def test_no_tqdm_means_no_bar(data, capsys, monkeypatch):
    X, y = data
    monkeypatch.setitem(sys.modules, "tqdm.auto", None)  # import fails as if missing
    with gpuimb.config_context(show_progress=True):
        CondensedNearestNeighbour(random_state=0).fit_resample(X, y)
    assert capsys.readouterr().err == ""
