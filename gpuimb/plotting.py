"""Pictures of a resampling: the data before/after in 2-D, and the class counts.

matplotlib is optional: it is imported when a function here is called. The
scatter tells apart, for every class, the original rows that were kept, the
rows an under-sampler removed and the rows an over-sampler (or a prototype
generator) created; on request it draws each synthetic row's provenance
segment, from the row it grew from to the neighbour it moved towards.

Where each output row came from is read from the fitted sampler
(``provenance_`` of the interpolating over-samplers, ``sample_indices_`` of the
selecting samplers) or, without a sampler, by matching rows of the output
against rows of the input.
"""

import numpy as np

from gpuimb._io import to_numpy

__all__ = ["plot_class_counts", "plot_resampling", "scatter_resampling",
           "resampling_origin"]


def _features(X, features):
    """Host float array of the chosen columns (names for DataFrames, or positions)."""
    if features is not None and hasattr(X, "columns"):
        columns = list(X.columns)
        positions = [columns.index(f) if f in columns else f for f in features]
    else:
        positions = features
    X = to_numpy(X)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D, got an array of shape {X.shape}")
    if positions is not None:
        if len(positions) != 2:
            raise ValueError(f"features must name exactly 2 columns, got {features!r}")
        X = X[:, list(positions)]
    try:
        return X.astype(np.float64)
    except (TypeError, ValueError) as exc:
        raise TypeError("the plotted features must be numeric; choose numeric columns "
                        "with features=[a, b]") from exc


def resampling_origin(X, X_res, sampler=None):
    """Where the rows of a resampling come from.

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data given to ``fit_resample``.
    X_res : array-like of shape (n_samples_new, n_features)
        Its output.
    sampler : fitted sampler, default=None
        The sampler that produced ``X_res``. Its ``provenance_`` or
        ``sample_indices_`` says exactly where each row came from; without it
        (or when they do not describe ``X_res``), output rows equal to an input
        row count as original and the others as synthetic.

    Returns
    -------
    kept : ndarray of bool, shape (n_samples,)
        Input rows present in the output.
    synthetic : ndarray of bool, shape (n_samples_new,)
        Output rows that are no input row.
    segments : tuple of two int arrays or None
        For an interpolating over-sampler: the input rows each synthetic row
        grew from and moved towards, in the order of the synthetic rows.

    Examples
    --------
    >>> import numpy as np
    >>> from gpuimb.over_sampling import SMOTE
    >>> from gpuimb.plotting import resampling_origin
    >>> X = np.arange(20.0).reshape(10, 2)
    >>> y = np.array([0] * 7 + [1] * 3)
    >>> sampler = SMOTE(k_neighbors=2, random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> kept, synthetic, segments = resampling_origin(X, X_res, sampler)
    >>> int(kept.sum()), int(synthetic.sum()), segments[0].shape
    (10, 4, (4,))
    """
    A, B = to_numpy(X), to_numpy(X_res)
    n, n_res = A.shape[0], B.shape[0]
    provenance = getattr(sampler, "provenance_", None)
    if provenance is not None and provenance.n_original == n and \
            n + provenance.n_synthetic == n_res:
        synthetic = np.zeros(n_res, dtype=bool)
        synthetic[n:] = True
        segments = (to_numpy(provenance.base_indices).astype(np.int64),
                    to_numpy(provenance.neighbor_indices).astype(np.int64))
        return np.ones(n, dtype=bool), synthetic, segments
    indices = getattr(sampler, "sample_indices_", None)
    if indices is not None and to_numpy(indices).shape[0] == n_res:
        kept = np.zeros(n, dtype=bool)
        kept[to_numpy(indices).astype(np.int64)] = True
        return kept, np.zeros(n_res, dtype=bool), None
    # No record: match rows by value.
    rows = {row.tobytes() for row in np.ascontiguousarray(A, dtype=np.float64)}
    out_rows = [row.tobytes() for row in np.ascontiguousarray(B, dtype=np.float64)]
    synthetic = np.array([r not in rows for r in out_rows], dtype=bool)
    present = set(out_rows)
    kept = np.array([row.tobytes() in present
                     for row in np.ascontiguousarray(A, dtype=np.float64)], dtype=bool)
    return kept, synthetic, None


def _classes(y, y_res):
    """The labels of ``y`` then those only ``y_res`` has, each once (sorted within each)."""
    return list(dict.fromkeys(np.concatenate([np.unique(y), np.unique(y_res)]).tolist()))


def _project(A, B, features):
    """2-D coordinates of X and X_res: the chosen columns, or PCA fitted on X."""
    if features is not None or A.shape[1] == 2:
        return A, B, None
    if A.shape[1] == 1:
        return (np.c_[A, np.zeros(len(A))], np.c_[B, np.zeros(len(B))], None)
    from sklearn.decomposition import PCA

    pca = PCA(n_components=2, random_state=0).fit(A)
    return pca.transform(A), pca.transform(B), pca


def scatter_resampling(X, y, X_res, y_res, *, sampler=None, features=None,
                       show_provenance=False, max_segments=300, ax=None):
    """Scatter the data before and after resampling in one 2-D picture.

    Every class has its colour. Kept original rows are dots, rows removed by
    the sampler are crosses, synthetic rows are hollow triangles. With more
    than two features the picture is the plane of the first two principal
    components of ``X`` (unless ``features`` picks two columns).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        The data given to ``fit_resample`` (NumPy, pandas, CuPy, cuDF...).
    y : array-like of shape (n_samples,)
        Its labels.
    X_res : array-like of shape (n_samples_new, n_features)
        The resampled data.
    y_res : array-like of shape (n_samples_new,)
        Its labels.
    sampler : fitted sampler, default=None
        The sampler that produced ``X_res``, to know exactly which rows are
        kept, removed and synthetic (see :func:`resampling_origin`).
    features : pair of int or str, default=None
        Two columns to plot (names for a DataFrame, else positions). ``None``
        plots two-feature data as it is and projects wider data with PCA.
    show_provenance : bool, default=False
        Draw the segment each synthetic row was interpolated on (from its base
        row to the chosen neighbour); needs a sampler with ``provenance_``.
    max_segments : int, default=300
        At most this many segments are drawn (the first ones), so the
        picture stays legible.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.

    Returns
    -------
    ax : matplotlib Axes
        The axes drawn on. Its collections are labelled
        ``"<class> kept"``, ``"<class> removed"``, ``"<class> synthetic"`` and
        ``"provenance"``.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from gpuimb.over_sampling import SMOTE
    >>> from gpuimb.plotting import scatter_resampling
    >>> rng = np.random.RandomState(0)
    >>> X = rng.randn(30, 2)
    >>> y = np.array([0] * 24 + [1] * 6)
    >>> sampler = SMOTE(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> ax = scatter_resampling(X, y, X_res, y_res, sampler=sampler,
    ...                         show_provenance=True)
    >>> [(c.get_label(), len(c.get_offsets())) for c in ax.collections[:3]]
    [('0 kept', 24), ('1 kept', 6), ('1 synthetic', 18)]
    >>> ax.collections[3].get_label(), len(ax.collections[3].get_segments())
    ('provenance', 18)
    """
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 5))
    A, B = _features(X, features), _features(X_res, features)
    y, y_res = to_numpy(y), to_numpy(y_res)
    if A.shape[0] != y.shape[0] or B.shape[0] != y_res.shape[0]:
        raise ValueError("X and y (and X_res and y_res) must have the same number of rows")
    kept, synthetic, segments = resampling_origin(X, X_res, sampler)
    P, Q, pca = _project(A, B, features)
    colors = plt.rcParams["axes.prop_cycle"].by_key()["color"]
    classes = _classes(y, y_res)
    for i, klass in enumerate(classes):
        color = colors[i % len(colors)]
        mine, mine_res = y == klass, y_res == klass
        if (mine & kept).any():
            ax.scatter(P[mine & kept, 0], P[mine & kept, 1], s=14, color=color, alpha=0.7,
                       label=f"{klass} kept")
        if (mine & ~kept).any():
            ax.scatter(P[mine & ~kept, 0], P[mine & ~kept, 1], s=22, marker="x",
                       color=color, alpha=0.5, linewidths=1, label=f"{klass} removed")
        if (mine_res & synthetic).any():
            ax.scatter(Q[mine_res & synthetic, 0], Q[mine_res & synthetic, 1], s=26,
                       marker="^", facecolors="none", edgecolors=color, linewidths=1,
                       label=f"{klass} synthetic")
    if show_provenance:
        if segments is None:
            raise ValueError("show_provenance=True needs the fitted over-sampler that "
                             "made X_res (one with provenance_), passed as sampler=")
        base, neighbor = segments
        shown = slice(0, max_segments)
        lines = np.stack([P[base[shown]], P[neighbor[shown]]], axis=1)
        # Under the points, so that the rows stay visible where segments crowd.
        ax.add_collection(LineCollection(lines, colors="0.5", linewidths=0.5, alpha=0.4,
                                         zorder=0.5, label="provenance"))
    ax.set_xlabel(_axis_label(X, features, 0, pca))
    ax.set_ylabel(_axis_label(X, features, 1, pca))
    ax.legend(fontsize="small", markerscale=1.2, loc="best")
    return ax


def _axis_label(X, features, i, pca):
    if pca is not None:
        return f"PC{i + 1} ({pca.explained_variance_ratio_[i]:.0%} of the variance)"
    if features is not None:
        return str(features[i])
    if hasattr(X, "columns") and len(X.columns) > i:
        return str(X.columns[i])
    return f"feature {i}"


def plot_class_counts(y, y_res, *, ax=None):
    """Bar chart of the class counts before and after resampling.

    Parameters
    ----------
    y : array-like of shape (n_samples,)
        Labels before.
    y_res : array-like of shape (n_samples_new,)
        Labels after.
    ax : matplotlib Axes, default=None
        Where to draw; a new figure when ``None``.

    Returns
    -------
    ax : matplotlib Axes
        Two bar containers, labelled ``"before"`` and ``"after"``, one bar per
        class, each bar annotated with its count.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> from gpuimb.plotting import plot_class_counts
    >>> ax = plot_class_counts(["a"] * 8 + ["b"] * 2, ["a"] * 8 + ["b"] * 8)
    >>> [[int(bar.get_height()) for bar in c] for c in ax.containers]
    [[8, 2], [8, 8]]
    """
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(5, 4))
    y, y_res = to_numpy(y), to_numpy(y_res)
    classes = _classes(y, y_res)
    before = [int(np.sum(y == k)) for k in classes]
    after = [int(np.sum(y_res == k)) for k in classes]
    positions = np.arange(len(classes))
    for offset, counts, label in ((-0.2, before, "before"), (0.2, after, "after")):
        bars = ax.bar(positions + offset, counts, width=0.4, label=label)
        ax.bar_label(bars, fontsize="small")
    ax.set_xticks(positions, [str(k) for k in classes])
    ax.set_xlabel("class")
    ax.set_ylabel("rows")
    ax.legend(fontsize="small")
    return ax


def plot_resampling(X, y, X_res, y_res, *, sampler=None, features=None,
                    show_provenance=False, title=None):
    """One figure: the 2-D scatter before/after and the class counts.

    Parameters
    ----------
    X, y, X_res, y_res, sampler, features, show_provenance
        As in :func:`scatter_resampling`.
    title : str, default=None
        Title of the figure (the sampler's class name when ``None`` and a
        sampler is given).

    Returns
    -------
    fig : matplotlib Figure
        Two axes: the scatter and the class counts.

    Examples
    --------
    >>> import matplotlib
    >>> matplotlib.use("Agg")
    >>> import numpy as np
    >>> from gpuimb.under_sampling import RandomUnderSampler
    >>> from gpuimb.plotting import plot_resampling
    >>> rng = np.random.RandomState(0)
    >>> X, y = rng.randn(40, 3), np.array([0] * 30 + [1] * 10)
    >>> sampler = RandomUnderSampler(random_state=0)
    >>> X_res, y_res = sampler.fit_resample(X, y)
    >>> fig = plot_resampling(X, y, X_res, y_res, sampler=sampler)
    >>> [c.get_label() for c in fig.axes[0].collections]
    ['0 kept', '0 removed', '1 kept']
    """
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4.5),
                                      gridspec_kw={"width_ratios": [3, 2]})
    scatter_resampling(X, y, X_res, y_res, sampler=sampler, features=features,
                       show_provenance=show_provenance, ax=left)
    plot_class_counts(y, y_res, ax=right)
    if title is None and sampler is not None:
        title = type(sampler).__name__
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    return fig
