"""gpuimb.plotting: rendered with Agg, checked through the figure's artists."""

import os

import numpy as np
import pandas as pd
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from gpuimb.over_sampling import SMOTE  # noqa: E402
from gpuimb.plotting import (  # noqa: E402
    plot_class_counts,
    plot_resampling,
    resampling_origin,
    scatter_resampling,
)
from gpuimb.under_sampling import ClusterCentroids, RandomUnderSampler  # noqa: E402

# Set GPUIMB_PLOT_DIR to keep the pictures and look at them.
PLOT_DIR = os.environ.get("GPUIMB_PLOT_DIR")


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def data():
    rng = np.random.RandomState(0)
    X = np.r_[rng.randn(80, 2), rng.randn(20, 2) * 0.7 + [2, 2]]
    return X, np.r_[np.zeros(80, int), np.ones(20, int)]


def _by_label(ax):
    return {c.get_label(): c for c in ax.collections}


def _save(fig, name):
    if PLOT_DIR:
        fig.savefig(os.path.join(PLOT_DIR, name), dpi=90)


def test_smote_synthetic_rows_sit_on_their_provenance_segments(data):
    X, y = data
    sampler = SMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    fig = plot_resampling(X, y, X_res, y_res, sampler=sampler, show_provenance=True)
    _save(fig, "smote_provenance.png")
    scatter, bars = fig.axes
    found = _by_label(scatter)
    assert sorted(found) == ["0 kept", "1 kept", "1 synthetic", "provenance"]
    assert len(found["0 kept"].get_offsets()) == 80
    assert len(found["1 kept"].get_offsets()) == 20
    synthetic = np.asarray(found["1 synthetic"].get_offsets())
    np.testing.assert_allclose(synthetic, X_res[100:])
    segments = np.asarray(found["provenance"].get_segments())
    assert segments.shape == (60, 2, 2)
    # Each synthetic point is on the segment from its base row to its neighbour.
    a, b = segments[:, 0], segments[:, 1]
    cross = ((b - a)[:, 0] * (synthetic - a)[:, 1] - (b - a)[:, 1] * (synthetic - a)[:, 0])
    np.testing.assert_allclose(cross, 0, atol=1e-9)
    assert [[int(r.get_height()) for r in c] for c in bars.containers] == [[80, 20],
                                                                          [80, 80]]
    assert fig._suptitle.get_text() == "SMOTE"


def test_under_sampling_shows_removed_rows(data):
    X, y = data
    sampler = RandomUnderSampler(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    ax = scatter_resampling(X, y, X_res, y_res, sampler=sampler)
    found = _by_label(ax)
    assert sorted(found) == ["0 kept", "0 removed", "1 kept"]
    kept = np.asarray(found["0 kept"].get_offsets())
    np.testing.assert_allclose(kept, X[np.sort(sampler.sample_indices_[:20])])
    assert len(found["0 removed"].get_offsets()) == 60


def test_without_sampler_rows_are_matched_by_value(data):
    X, y = data
    X_res = np.r_[X[[5, 90, 5]], [[100.0, 100.0], [-3.0, 7.0]]]
    y_res = np.array([0, 1, 0, 0, 1])
    kept, synthetic, segments = resampling_origin(X, X_res)
    assert segments is None
    assert synthetic.tolist() == [False, False, False, True, True]
    assert np.flatnonzero(kept).tolist() == [5, 90]
    ax = scatter_resampling(X, y, X_res, y_res)
    found = _by_label(ax)
    assert {k: len(v.get_offsets()) for k, v in found.items()} == {
        "0 kept": 1, "0 removed": 79, "0 synthetic": 1, "1 kept": 1, "1 removed": 19,
        "1 synthetic": 1}
    with pytest.raises(ValueError, match="provenance_"):
        scatter_resampling(X, y, X_res, y_res, show_provenance=True)


def test_cluster_centroids_picture(data):
    X, y = data
    sampler = ClusterCentroids(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    fig = plot_resampling(X, y, X_res, y_res, sampler=sampler)
    _save(fig, "cluster_centroids.png")
    found = _by_label(fig.axes[0])
    assert len(found["0 synthetic"].get_offsets()) + len(found["0 kept"].get_offsets()) \
        >= 20
    assert len(found["1 kept"].get_offsets()) == 20


def test_wide_data_is_projected_with_pca_or_named_columns():
    rng = np.random.RandomState(1)
    X = pd.DataFrame(rng.randn(60, 5), columns=list("abcde"))
    y = pd.Series(["maj"] * 45 + ["min"] * 15)
    sampler = SMOTE(random_state=0)
    X_res, y_res = sampler.fit_resample(X, y)
    fig = plot_resampling(X, y, X_res, y_res, sampler=sampler, show_provenance=True)
    _save(fig, "smote_pca.png")
    assert fig.axes[0].get_xlabel().startswith("PC1 (")
    ax = scatter_resampling(X, y, X_res, y_res, sampler=sampler, features=["c", "e"])
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("c", "e")
    np.testing.assert_allclose(_by_label(ax)["min synthetic"].get_offsets(),
                               X_res[["c", "e"]].to_numpy()[60:])


def test_class_counts_of_three_classes():
    ax = plot_class_counts([2, 0, 0, 1, 0, 0], [0, 0, 1, 1, 2, 2])
    assert [t.get_text() for t in ax.get_xticklabels()] == ["0", "1", "2"]
    assert [[int(r.get_height()) for r in c] for c in ax.containers] == [[4, 1, 1],
                                                                        [2, 2, 2]]
    assert [c.get_label() for c in ax.containers] == ["before", "after"]
