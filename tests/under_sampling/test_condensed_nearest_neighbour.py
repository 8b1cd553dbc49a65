"""CondensedNearestNeighbour: parity with imbalanced-learn, the skip-set fix, namespaces."""

from collections import Counter

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from imblearn.under_sampling import CondensedNearestNeighbour as ImbCNN
from sklearn.datasets import make_classification
from sklearn.neighbors import KNeighborsClassifier, NearestNeighbors
from sklearn.utils._param_validation import InvalidParameterError

from gpuimb.under_sampling import CondensedNearestNeighbour
from tests._helpers import to_namespace


def _data(seed, n=300, n_classes=2, majority_first=False):
    weights = [0.25, 0.75] if n_classes == 2 else [0.15, 0.35, 0.5]
    X, y = make_classification(
        n_samples=n, n_features=5, n_informative=3, n_classes=n_classes,
        weights=weights, flip_y=0.1, class_sep=0.6, random_state=seed,
    )
    if majority_first:
        # Rows of the cleaned class first: its global and local indices agree,
        # so imbalanced-learn's skip-set bug cannot change anything.
        order = np.argsort(y != np.bincount(y).argmax(), kind="stable")
        X, y = X[order], y[order]
    return X, y


def _hart_single_pass(X, y, seed, k=1, n_seeds=1, mixed_skip=False):
    """Reference CNN with a k-NN refit per sample (test oracle, slow on purpose).

    ``mixed_skip=True`` reproduces imbalanced-learn's skip rule: a candidate at
    class-local position p is skipped when p equals the *global* index of a
    stored sample. Otherwise the stored seeds (by local position) are skipped.
    """
    rs = np.random.RandomState(seed)
    stats = Counter(y)
    minority = min(stats, key=stats.get)
    kept = []
    for klass in np.unique(y):
        idx = np.flatnonzero(y == klass)
        if klass == minority:
            kept.append(idx)
            continue
        seeds = idx[rs.randint(0, stats[klass], size=n_seeds)]
        store = list(seeds)
        C = list(np.flatnonzero(y == minority)) + store
        seed_positions = set(np.searchsorted(idx, seeds).tolist())
        for p in range(idx.size):
            skipped = p in set(store) if mixed_skip else p in seed_positions
            if skipped:
                continue
            knn = KNeighborsClassifier(n_neighbors=k).fit(X[C], y[C])
            if knn.predict(X[idx[p]][None, :])[0] != klass:
                store.append(idx[p])
                C.append(idx[p])
        kept.append(np.asarray(store))
    return np.concatenate(kept)


@pytest.mark.parametrize("seed", [0, 1])
@pytest.mark.parametrize("n_classes", [2, 3])
@pytest.mark.parametrize("n_neighbors", [None, 3])
def test_matches_corrected_reference_and_imblearn_where_bug_is_silent(
        seed, n_classes, n_neighbors):
    X, y = _data(seed, n=200, n_classes=n_classes)
    k = 1 if n_neighbors is None else n_neighbors
    ours = CondensedNearestNeighbour(random_state=seed, n_neighbors=n_neighbors)
    X_res, y_res = ours.fit_resample(X, y)
    imb = ImbCNN(random_state=seed, n_neighbors=n_neighbors)
    imb.fit_resample(X, y)
    right = _hart_single_pass(X, y, seed, k)
    mixed = _hart_single_pass(X, y, seed, k, mixed_skip=True)
    np.testing.assert_array_equal(ours.sample_indices_, right)
    # imbalanced-learn's output is exactly the mixed-index skip rule...
    np.testing.assert_array_equal(imb.sample_indices_, mixed)
    # ...so it equals ours whenever that rule skips nothing it should not.
    if np.array_equal(right, mixed):
        np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)
    np.testing.assert_array_equal(X_res, X[ours.sample_indices_])
    np.testing.assert_array_equal(y_res, y[ours.sample_indices_])


def test_skip_set_bug_bites_on_interleaved_data():
    """imbalanced-learn skips misclassified samples whose local position equals a
    stored sample's global index; the corrected rule keeps them."""
    X, y = _data(0, n=200)
    imb = ImbCNN(random_state=0)
    imb.fit_resample(X, y)
    ours = CondensedNearestNeighbour(random_state=0)
    ours.fit_resample(X, y)
    assert not np.array_equal(ours.sample_indices_, imb.sample_indices_)
    # Every sample imbalanced-learn keeps is kept by us (we only add the
    # wrongly skipped ones and their consequences are additions, not removals).
    missing = np.setdiff1d(ours.sample_indices_, imb.sample_indices_)
    assert missing.size > 0
    majority = np.bincount(y).argmax()
    local = np.searchsorted(np.flatnonzero(y == majority), missing)
    # The first one imbalanced-learn misses sits at a local position that is
    # the global index of a sample stored before it was visited.
    first = local.min()
    stored_before = [g for g in imb.sample_indices_ if y[g] == majority
                     and np.searchsorted(np.flatnonzero(y == majority), g) < first]
    assert first in stored_before


@pytest.mark.parametrize("seed, n_neighbors, n_seeds_S",
                         [(0, None, 1), (1, 3, 4), (2, 1, 1), (3, None, 4)])
def test_parity_many_additions_bug_free_order(seed, n_neighbors, n_seeds_S):
    X, y = _data(seed, n=1000, majority_first=True)
    ours = CondensedNearestNeighbour(random_state=seed, n_neighbors=n_neighbors,
                                     n_seeds_S=n_seeds_S)
    X_res, y_res = ours.fit_resample(X, y)
    imb = ImbCNN(random_state=seed, n_neighbors=n_neighbors, n_seeds_S=n_seeds_S)
    X_imb, y_imb = imb.fit_resample(X, y)
    n_added = len(ours.sample_indices_) - (y == np.bincount(y).argmin()).sum()
    assert n_added > 100
    np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)
    np.testing.assert_array_equal(X_res, X_imb)
    np.testing.assert_array_equal(y_res, y_imb)
    assert len(ours.estimators_) == len(imb.estimators_) == 1


@pytest.mark.parametrize("container", ["sparse", "pandas"])
def test_parity_containers(container):
    X, y = _data(3, majority_first=True)
    Xc = sp.csr_matrix(X) if container == "sparse" else pd.DataFrame(
        X, columns=[f"f{i}" for i in range(X.shape[1])])
    yc = y if container == "sparse" else pd.Series(y, name="target")
    X_res, y_res = CondensedNearestNeighbour(random_state=3).fit_resample(Xc, yc)
    X_imb, y_imb = ImbCNN(random_state=3).fit_resample(Xc, yc)
    if container == "sparse":
        assert sp.issparse(X_res)
        np.testing.assert_allclose(X_res.toarray(), X_imb.toarray())
    else:
        assert list(X_res.columns) == list(X_imb.columns)
        np.testing.assert_allclose(X_res.to_numpy(), X_imb.to_numpy())
    np.testing.assert_array_equal(np.asarray(y_res), np.asarray(y_imb))


def test_sampling_strategy_all_cleans_minority_to_its_seeds():
    X, y = _data(4, majority_first=True)
    ours = CondensedNearestNeighbour(random_state=4, sampling_strategy="all")
    ours.fit_resample(X, y)
    imb = ImbCNN(random_state=4, sampling_strategy="all")
    imb.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)
    assert len(ours.estimators_) == len(imb.estimators_) == 2
    # Every minority sample is in its own store, so only its seed is kept.
    assert Counter(y[ours.sample_indices_])[np.bincount(y).argmin()] == 1


class BareKNN:
    """A k-NN classifier that is not scikit-learn's (duck typing)."""

    def __init__(self, n_neighbors=1):
        self.n_neighbors = n_neighbors

    def get_params(self, deep=True):
        return {"n_neighbors": self.n_neighbors}

    def set_params(self, **params):
        self.n_neighbors = params.get("n_neighbors", self.n_neighbors)
        return self

    def fit(self, X, y):
        self._X, self._y = np.asarray(X), np.asarray(y)
        return self

    def kneighbors(self, X, n_neighbors=None, return_distance=True):
        k = n_neighbors or self.n_neighbors
        d = np.sqrt(((np.asarray(X)[:, None, :] - self._X[None]) ** 2).sum(-1))
        ind = np.argsort(d, axis=1, kind="stable")[:, :k]
        dist = np.take_along_axis(d, ind, axis=1)
        return (dist, ind) if return_distance else ind

    def kneighbors_graph(self, X=None, n_neighbors=None, mode="connectivity"):
        raise NotImplementedError

    def predict(self, X):
        ind = self.kneighbors(X, return_distance=False)
        labels = self._y[ind]
        return np.array([np.bincount(row).argmax() for row in labels])


@pytest.mark.parametrize("k", [1, 3])
def test_duck_typed_neighbours(k):
    X, y = _data(5)
    expected = CondensedNearestNeighbour(random_state=5, n_neighbors=k)
    expected.fit_resample(X, y)
    for estimator in (BareKNN(k), KNeighborsClassifier(k), NearestNeighbors(n_neighbors=k)):
        cnn = CondensedNearestNeighbour(random_state=5, n_neighbors=estimator)
        cnn.fit_resample(X, y)
        np.testing.assert_array_equal(cnn.sample_indices_, expected.sample_indices_)
    # imbalanced-learn cannot use anything but its own KNeighborsClassifier.
    with pytest.raises(UnboundLocalError):
        ImbCNN(random_state=5, n_neighbors=NearestNeighbors(n_neighbors=k)).fit_resample(X, y)


def test_distance_weights_follow_the_classifier():
    X, y = _data(6, majority_first=True)
    knn = KNeighborsClassifier(n_neighbors=3, weights="distance")
    ours = CondensedNearestNeighbour(random_state=6, n_neighbors=knn)
    ours.fit_resample(X, y)
    imb = ImbCNN(random_state=6, n_neighbors=knn)
    imb.fit_resample(X, y)
    np.testing.assert_array_equal(ours.sample_indices_, imb.sample_indices_)


def test_inputs_not_mutated(assert_unchanged):
    X, y = _data(8)
    check = assert_unchanged(X, y)
    CondensedNearestNeighbour(random_state=8, n_neighbors=3).fit_resample(X, y)
    check()


@pytest.mark.parametrize(
    "params, err, match",
    [
        ({"n_neighbors": 0}, InvalidParameterError, "n_neighbors"),
        ({"n_neighbors": "a"}, InvalidParameterError, "n_neighbors"),
        ({"n_seeds_S": 0}, InvalidParameterError, "n_seeds_S"),
        ({"n_jobs": "x"}, InvalidParameterError, "n_jobs"),
        ({"sampling_strategy": {0: 10}}, InvalidParameterError, "sampling_strategy"),
    ],
)
def test_parameter_errors(params, err, match):
    X, y = _data(9)
    with pytest.raises(err, match=match):
        CondensedNearestNeighbour(**params).fit_resample(X, y)
    with pytest.raises(err, match=match):
        ImbCNN(**params).fit_resample(X, y)


def test_too_many_neighbours_for_the_store():
    X, y = np.arange(20, dtype=float).reshape(10, 2), np.array([0] * 2 + [1] * 8)
    match = "Expected n_neighbors <= n_samples_fit"
    with pytest.raises(ValueError, match=match):
        CondensedNearestNeighbour(n_neighbors=5, random_state=0).fit_resample(X, y)
    with pytest.raises(ValueError, match=match):
        ImbCNN(n_neighbors=5, random_state=0).fit_resample(X, y)


def _issue_18_data(dtype, scale=40):
    """Integer-valued features (issue 18), majority rows first (no skip-set bug)."""
    rng = np.random.RandomState(0)
    y = np.r_[np.zeros(200, int), np.ones(100, int)]
    X = np.clip(np.round(rng.randn(300, 3) * scale), -128, 127)
    return X.astype(dtype), y


@pytest.mark.parametrize("n_neighbors", [None, 3])
@pytest.mark.parametrize("dtype", [np.int8, np.int16, np.int32, np.uint8, np.float32])
def test_integer_dtypes_do_not_wrap_around(dtype, n_neighbors):
    # X*X and X @ X.T in int8 used to wrap around: 121 rows kept instead of 213.
    X, y = _issue_18_data(np.float64)
    X = X - X.min() if dtype == np.uint8 else X
    expected = CondensedNearestNeighbour(random_state=0, n_neighbors=n_neighbors)
    expected.fit_resample(X, y)
    cnn = CondensedNearestNeighbour(random_state=0, n_neighbors=n_neighbors)
    X_res, _ = cnn.fit_resample(X.astype(dtype), y)
    np.testing.assert_array_equal(cnn.sample_indices_, expected.sample_indices_)
    assert X_res.dtype == dtype
    # imbalanced-learn too is dtype-blind (its order among tied integer
    # distances differs from the (distance, index) rule, hence no parity here).
    imb_int = ImbCNN(random_state=0, n_neighbors=n_neighbors)
    imb_int.fit_resample(X.astype(dtype), y)
    imb_float = ImbCNN(random_state=0, n_neighbors=n_neighbors)
    imb_float.fit_resample(X, y)
    np.testing.assert_array_equal(imb_int.sample_indices_, imb_float.sample_indices_)


def test_bool_features_match_float():
    rng = np.random.RandomState(1)
    X = rng.rand(300, 6) < 0.4
    y = np.r_[np.zeros(200, int), np.ones(100, int)]
    expected = CondensedNearestNeighbour(random_state=0)
    expected.fit_resample(X.astype(float), y)
    cnn = CondensedNearestNeighbour(random_state=0)
    X_res, _ = cnn.fit_resample(X, y)
    np.testing.assert_array_equal(cnn.sample_indices_, expected.sample_indices_)
    assert X_res.dtype == bool


@pytest.mark.parametrize("offset", [1e4, 1e8, -1e9, 1.5e12])
def test_offset_does_not_change_the_result(offset):
    # |q|^2 + |x|^2 - 2 q.x without centring: X + 1e8 kept 125 rows, X kept 217.
    X, y = _issue_18_data(np.float64, scale=10)
    expected = CondensedNearestNeighbour(random_state=0, n_neighbors=3)
    expected.fit_resample(X, y)
    cnn = CondensedNearestNeighbour(random_state=0, n_neighbors=3)
    cnn.fit_resample(X + offset, y)
    np.testing.assert_array_equal(cnn.sample_indices_, expected.sample_indices_)
    # On tie-free data imbalanced-learn (KD-tree, direct differences) agrees.
    X, y = _data(12, majority_first=True)
    cnn = CondensedNearestNeighbour(random_state=0, n_neighbors=3)
    cnn.fit_resample(X + offset, y)
    imb = ImbCNN(random_state=0, n_neighbors=3)
    imb.fit_resample(X + offset, y)
    np.testing.assert_array_equal(cnn.sample_indices_, imb.sample_indices_)


@pytest.mark.parametrize("scale", [2.0**500, 2.0**-500])
def test_huge_and_tiny_values(scale):
    # Squares of 1e150 overflow to inf: the distances were inf or NaN.
    X, y = _data(11)
    expected = CondensedNearestNeighbour(random_state=0, n_neighbors=3)
    expected.fit_resample(X, y)
    cnn = CondensedNearestNeighbour(random_state=0, n_neighbors=3)
    cnn.fit_resample(X * scale, y)
    np.testing.assert_array_equal(cnn.sample_indices_, expected.sample_indices_)


def test_offset_on_array_api_strict():
    pytest.importorskip("array_api_strict")
    X, y = _issue_18_data(np.float64, scale=10)
    expected = CondensedNearestNeighbour(random_state=0).fit_resample(X, y)
    cnn = CondensedNearestNeighbour(random_state=0)
    X_res, _ = cnn.fit_resample(to_namespace("array_api_strict", X + 1e8),
                                to_namespace("array_api_strict", y))
    np.testing.assert_array_equal(np.asarray(X_res), expected[0] + 1e8)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("n_neighbors", [None, 3])
def test_result_does_not_depend_on_the_scan_blocks(monkeypatch, dtype, n_neighbors):
    # Store distances are computed entry by entry (direct_distances), so how
    # the candidates are batched cannot flip a near tie; Dask's partitions
    # rely on it.
    # A lattice of non-representable steps: many ties in exact arithmetic,
    # which a matrix product's rounding breaks differently per batch (the
    # former batched products flipped the result here).
    rng = np.random.default_rng(0)
    X = (rng.integers(0, 6, size=(300, 3)) * 0.1 + 0.3).astype(dtype)
    y = rng.choice(3, size=300, p=[0.2, 0.3, 0.5])
    results = []
    for block in (1, 7, 64, 256, 1000):
        monkeypatch.setattr(CondensedNearestNeighbour, "_block_size", block)
        sampler = CondensedNearestNeighbour(random_state=1, n_neighbors=n_neighbors)
        sampler.fit_resample(X, y)
        results.append(sampler.sample_indices_)
    for other in results[1:]:
        np.testing.assert_array_equal(other, results[0])


def test_direct_distances_do_not_depend_on_the_block():
    from gpuimb._backends._base import direct_sq_distances
    from gpuimb.under_sampling._prototype_selection._common import direct_distances

    rng = np.random.default_rng(0)
    for n_features in (1, 7, 9, 33):
        A = rng.normal(size=(90, n_features)) * 1e3 + 5.0
        B = rng.normal(size=(70, n_features)) * 1e3 + 5.0
        D = direct_distances(np, A, B)
        cols = np.tile(np.arange(A.shape[0]), (B.shape[0], 1))
        # The formula the kNN engines return, entry for entry.
        np.testing.assert_array_equal(D, np.sqrt(direct_sq_distances(np, A, B, cols)))
        for rows, columns in ((slice(5, 6), slice(7, 90)), (slice(0, 70), slice(11, 12)),
                              (slice(3, 50), slice(20, 60))):
            np.testing.assert_array_equal(direct_distances(np, A[columns], B[rows]),
                                          D[rows, columns])
        np.testing.assert_array_equal(direct_distances(np, A, B, working_memory=0.001), D)
        # With a limit, rows come back exact or all inf; every row with an
        # entry up to its limit (here: exactly at it, for half the rows) is exact.
        limit = np.where(np.arange(B.shape[0]) % 2 == 0, D[:, 3], D.min(axis=1) * 0.999)
        screened = direct_distances(np, A, B, limit=limit)
        computed = np.isfinite(screened).all(axis=1)
        assert np.array_equal(computed | np.isinf(screened).all(axis=1),
                              np.ones(B.shape[0], bool))
        np.testing.assert_array_equal(screened[computed], D[computed])
        assert computed[::2].all()
