"""Exact kNN of the array-API engine on NumPy and array_api_strict."""

import numpy as np
import pytest
from backends_helpers import NAMESPACES, as_namespace, exact_knn, host, namespace
from sklearn.base import clone
from sklearn.neighbors import NearestNeighbors

from gpuimb._backends import BruteForceNeighbors, get_engine, kneighbors
from gpuimb._config import config_context


@pytest.fixture(params=NAMESPACES)
def xp_name(request):
    return request.param


def _engine_knn(xp_name, X, Q=None, **kwargs):
    engine = get_engine(namespace(xp_name), backend="array_api")
    assert engine.name == "array_api"
    index = as_namespace(xp_name, X)
    query = None if Q is None else as_namespace(xp_name, Q)
    dist, ind = engine.kneighbors(index, query, **kwargs)
    assert type(dist) is type(index) and type(ind) is type(index)
    return host(dist), host(ind)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_random_data_matches_sklearn(xp_name, dtype):
    rng = np.random.RandomState(0)
    X = rng.randn(600, 7).astype(dtype)
    dist, ind = _engine_knn(xp_name, X, k=6)
    assert dist.dtype == dtype and ind.dtype == np.int64
    ref_dist, ref_ind = NearestNeighbors(n_neighbors=6, algorithm="brute").fit(X).kneighbors()
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-4 if dtype == np.float32 else 1e-10)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_query_matches_sklearn(xp_name, dtype):
    rng = np.random.RandomState(1)
    X = rng.rand(500, 4).astype(dtype)
    Q = rng.rand(130, 4).astype(dtype)
    dist, ind = _engine_knn(xp_name, X, Q, k=5)
    ref_dist, ref_ind = NearestNeighbors(n_neighbors=5, algorithm="brute").fit(X).kneighbors(Q)
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-4, atol=1e-6)


def test_duplicates_are_neighbours_but_self_is_not(xp_name):
    rng = np.random.RandomState(2)
    base = rng.randn(150, 3)
    X = np.concatenate([base, base, base[:40]])  # every row has 1-2 twins
    dist, ind = _engine_knn(xp_name, X, k=3)
    n = X.shape[0]
    assert not np.any(ind == np.arange(n)[:, None])
    # the twins come first, at distance zero, in index order
    twins = [np.flatnonzero((X == X[i]).all(axis=1)) for i in range(n)]
    for i in range(n):
        others = twins[i][twins[i] != i]
        np.testing.assert_array_equal(ind[i, : len(others)], others)
        np.testing.assert_array_equal(dist[i, : len(others)], 0)
    ref_dist, ref_ind = exact_knn(X, X, 3, own=np.arange(n))
    np.testing.assert_array_equal(ind, ref_ind)


def test_exact_ties_in_distance_index_order(xp_name):
    # integer grid: many neighbours at exactly equal distances
    g = np.arange(12, dtype=np.float64)
    X = np.stack(np.meshgrid(g, g, g), axis=-1).reshape(-1, 3)
    rng = np.random.RandomState(3)
    X = X[rng.permutation(len(X))]
    dist, ind = _engine_knn(xp_name, X, k=8)
    ref_dist, ref_ind = exact_knn(X, X, 8, own=np.arange(len(X)))
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_array_equal(dist, ref_dist)
    # explicit (distance, index) order inside each row
    same = dist[:, 1:] == dist[:, :-1]
    assert np.all(dist[:, 1:] >= dist[:, :-1])
    assert np.all(ind[:, 1:][same] > ind[:, :-1][same])
    assert same.mean() > 0.5  # the test really has ties
    # scikit-learn agrees on the distances (its order among ties is its own)
    ref = NearestNeighbors(n_neighbors=8, algorithm="brute").fit(X).kneighbors()[0]
    np.testing.assert_allclose(dist, ref)


def test_one_feature(xp_name):
    rng = np.random.RandomState(4)
    X = rng.randn(400, 1)
    dist, ind = _engine_knn(xp_name, X, k=4)
    ref_dist, ref_ind = exact_knn(X, X, 4, own=np.arange(400))
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist)


def test_k_is_n_minus_one(xp_name):
    rng = np.random.RandomState(5)
    X = rng.randn(40, 3)
    dist, ind = _engine_knn(xp_name, X, k=39)
    ref_dist, ref_ind = exact_knn(X, X, 39, own=np.arange(40))
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist)
    with pytest.raises(ValueError, match="k <= 39"):
        _engine_knn(xp_name, X, k=40)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_large_offset_is_exact(xp_name, dtype):
    rng = np.random.RandomState(6)
    X = (rng.rand(800, 3) * 0.1 + 1e6).astype(dtype)
    dist, ind = _engine_knn(xp_name, X, k=5)
    ref_dist, ref_ind = exact_knn(X, X, 5, own=np.arange(800))
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-6)
    # The expanded form alone (no centring, no re-ranking) gets this wrong,
    # so the test would catch an engine without those safeguards.
    Xd = X.astype(dtype)
    sq = (Xd * Xd).sum(axis=1)
    naive = sq[:, None] - 2 * (Xd @ Xd.T) + sq[None, :]
    np.fill_diagonal(naive, np.inf)
    naive_ind = np.argsort(naive, axis=1, kind="stable")[:, :5]
    assert (naive_ind != ref_ind).mean() > 0.2


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_tiles_much_smaller_than_data(xp_name, dtype):
    rng = np.random.RandomState(7)
    X = rng.randn(1500, 6).astype(dtype)
    Q = rng.randn(300, 6).astype(dtype)
    # 0.25 MiB: tens of query rows and 256 index columns per tile
    with config_context(working_memory=0.25):
        dist, ind = _engine_knn(xp_name, X, k=7)
        qdist, qind = _engine_knn(xp_name, X, Q, k=7)
    ref_dist, ref_ind = exact_knn(X, X, 7, own=np.arange(1500))
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-5)
    np.testing.assert_array_equal(qind, exact_knn(X, Q, 7)[1])


def test_exclude_self_with_explicit_rows(xp_name):
    rng = np.random.RandomState(8)
    X = rng.randn(300, 4)
    rows = np.array([5, 17, 17, 299, 0])
    Q = X[rows]
    dist, ind = _engine_knn(xp_name, X, Q, k=3, exclude_self=as_namespace(xp_name, rows))
    np.testing.assert_array_equal(ind, exact_knn(X, Q, 3, own=rows)[1])
    # exclude_self=True with a query means "query row i is index row i"
    dist, ind = _engine_knn(xp_name, X, X.copy(), k=3, exclude_self=True)
    np.testing.assert_array_equal(ind, exact_knn(X, X, 3, own=np.arange(300))[1])
    with pytest.raises(ValueError, match="exclude_self=True"):
        _engine_knn(xp_name, X, Q, k=3, exclude_self=True)


def test_query_none_without_exclusion_finds_self(xp_name):
    X = np.random.RandomState(9).randn(200, 3)
    _, ind = _engine_knn(xp_name, X, k=2, exclude_self=False)
    np.testing.assert_array_equal(ind[:, 0], np.arange(200))


def test_return_distance_false_and_integer_data(xp_name):
    X = np.random.RandomState(10).randint(0, 50, size=(300, 2))
    engine = get_engine(namespace(xp_name), backend="array_api")
    ind = engine.kneighbors(as_namespace(xp_name, X), k=4, return_distance=False)
    np.testing.assert_array_equal(host(ind), exact_knn(X, X, 4, own=np.arange(300))[1])


def test_kneighbors_function_validates_shapes():
    X = np.zeros((10, 3))
    with pytest.raises(ValueError, match="3 features"):
        kneighbors(X, np.zeros((2, 2)), k=1)
    with pytest.raises(ValueError, match="2-D"):
        kneighbors(np.zeros(5), k=1)
    d, i = kneighbors(X, np.zeros((0, 3)), k=2)
    assert d.shape == (0, 2) and i.shape == (0, 2)


def test_bounded_memory():
    import tracemalloc

    n, d, k = 12_000, 8, 5
    X = np.random.RandomState(11).randn(n, d).astype(np.float32)
    working_memory = 1  # MiB
    with config_context(working_memory=working_memory):
        tracemalloc.start()
        try:
            _, ind = kneighbors(X, k=k)
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
    # Outputs (float32 + int64 per tile, their concatenation, the square
    # root) are O(n k); O(n) for the own-row numbers; a little bookkeeping.
    allowed = working_memory * 2**20 + 3 * n * k * (4 + 8) + 16 * n + 2**18
    assert peak <= allowed, (peak, allowed)
    assert peak < 4 * n * n // 100  # nowhere near a dense n x n block
    assert ind.shape == (n, k)
    np.testing.assert_array_equal(ind[:5], exact_knn(X, X[:5], k, own=np.arange(5))[1])


def test_brute_force_neighbors_estimator(xp_name):
    rng = np.random.RandomState(12)
    X = rng.randn(300, 5)
    Q = rng.randn(20, 5)
    est = get_engine(namespace(xp_name), backend="array_api").nearest_neighbors(4)
    assert isinstance(est, BruteForceNeighbors) and est.n_neighbors == 4
    est = clone(est).set_params(n_neighbors=3)
    est.fit(as_namespace(xp_name, X))
    ref = NearestNeighbors(n_neighbors=3, algorithm="brute").fit(X)
    for query, ref_query in [(None, None), (as_namespace(xp_name, Q), Q)]:
        dist, ind = est.kneighbors(query)
        ref_dist, ref_ind = ref.kneighbors(ref_query)
        np.testing.assert_array_equal(host(ind), ref_ind)
        np.testing.assert_allclose(host(dist), ref_dist)
    ind = est.kneighbors(as_namespace(xp_name, Q), n_neighbors=5, return_distance=False)
    np.testing.assert_array_equal(host(ind), ref.kneighbors(Q, 5)[1])
    graph = est.kneighbors_graph()
    np.testing.assert_array_equal(graph.toarray(), ref.kneighbors_graph().toarray())
    with pytest.raises(ValueError, match="n_neighbors < n_samples_fit"):
        est.kneighbors(n_neighbors=300)


def test_brute_force_neighbors_not_fitted():
    from sklearn.exceptions import NotFittedError

    with pytest.raises(NotFittedError):
        BruteForceNeighbors().kneighbors(np.zeros((2, 2)))


@pytest.mark.parametrize("copies, n_points", [(25, 80), (40, 20)])
def test_heavy_duplication_escalates_and_stays_exact(xp_name, copies, n_points):
    # More tied candidates than the screening margin: rows must be re-screened
    # with more candidates (25 copies) or searched exhaustively (40 copies).
    rng = np.random.RandomState(13)
    X = np.repeat(rng.randn(n_points, 3), copies, axis=0)
    X = X[rng.permutation(len(X))]
    dist, ind = _engine_knn(xp_name, X, k=3)
    ref_dist, ref_ind = exact_knn(X, X, 3, own=np.arange(len(X)))
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_array_equal(dist, 0)


def test_fractional_grid_ties_with_one_candidate_of_margin(xp_name):
    # A half-integer grid: fractional values, so the screening keeps a single
    # candidate beyond k, yet every row has exact ties at its k-th distance.
    from gpuimb._backends._bruteforce import _integer_valued

    grid = np.stack(np.meshgrid(*[np.arange(7) + 0.5] * 3), axis=-1).reshape(-1, 3)
    X = np.concatenate([grid, grid[::3]])  # and duplicates
    X = X[np.random.RandomState(2).permutation(len(X))]
    xp = namespace(xp_name)
    index = as_namespace(xp_name, X)
    assert not _integer_valued(xp, index, index)
    assert _integer_valued(xp, index - 0.5, index - 0.5)
    for k in (1, 4, 7):
        dist, ind = _engine_knn(xp_name, X, k=k)
        ref_dist, ref_ind = exact_knn(X, X, k, own=np.arange(len(X)))
        np.testing.assert_array_equal(ind, ref_ind)
        np.testing.assert_allclose(dist, ref_dist)


def test_small_working_memory_tiles_the_index():
    import array_api_strict as xs

    from gpuimb._backends._bruteforce import _Plan

    X = xs.asarray(np.zeros((1500, 6)))
    plan = _Plan(xs, X, working_memory=0.25)
    assert plan.width < 1500 and len(list(plan.chunks())) >= 5
    assert plan.query_rows(13) < 300


def test_float64_data_is_screened_in_float32_and_stays_exact(xp_name):
    from gpuimb._backends._bruteforce import _Plan

    # Each point has a twin 1e-9 away and a third point 2e-9 away: float32
    # cannot tell them apart, float64 can. The certificate must send these
    # rows to float64 re-ranking and get the exact order.
    rng = np.random.RandomState(21)
    base = rng.randn(300, 5)
    X = np.concatenate([base, base + 1e-9, base + 2e-9 * rng.randn(300, 5)])
    X = X[rng.permutation(len(X))]
    xp = namespace(xp_name)
    assert _Plan(xp, as_namespace(xp_name, X), 1024).screen_dtype == xp.float32
    dist, ind = _engine_knn(xp_name, X, k=4)
    ref_dist, ref_ind = exact_knn(X, X, 4, own=np.arange(len(X)))
    np.testing.assert_array_equal(ind, ref_ind)
    np.testing.assert_allclose(dist, ref_dist, rtol=1e-12)


@pytest.mark.parametrize("scale", [1e-30, 1e-42])
def test_tiny_values_are_exact(xp_name, scale):
    # Squares of these underflow float32 (subnormal or zero): the certificate
    # must not trust the float32 screening there.
    rng = np.random.RandomState(22)
    X = rng.rand(400, 4) * scale
    dist, ind = _engine_knn(xp_name, X, k=3)
    ref_dist, ref_ind = exact_knn(X, X, 3, own=np.arange(400))
    np.testing.assert_array_equal(ind, ref_ind)


def test_huge_spread_screens_in_float64(xp_name):
    from gpuimb._backends._bruteforce import _Plan

    rng = np.random.RandomState(23)
    X = rng.randn(400, 4) * 1e30
    xp = namespace(xp_name)
    assert _Plan(xp, as_namespace(xp_name, X), 1024).screen_dtype == xp.float64
    dist, ind = _engine_knn(xp_name, X, k=3)
    np.testing.assert_array_equal(ind, exact_knn(X, X, 3, own=np.arange(400))[1])


@pytest.mark.parametrize("far", [False, True, "half"])
@pytest.mark.parametrize("working_memory", [None, 0.05])
def test_tie_band_duplicates_and_large_values(xp_name, far, working_memory):
    # 0/1 rows with many duplicates: almost every row's k-th distance is
    # shared by points beyond the candidate margin, so the rows go through the
    # tie band. With far outliers the centred norms are large, the float32
    # screening's error bound dwarfs the gaps of 1, and the band is drawn
    # again in float64. A small working memory splits the index into chunks.
    rng = np.random.RandomState(7)
    X = rng.randint(0, 2, size=(700, 6)).astype(np.float64)
    if far == "half":
        # Half the rows far from the centre: their float32 screening cannot
        # even find a near k-th candidate, which is searched again in float64
        # before the band is drawn.
        X[::2, 0] += rng.randint(1, 4, size=350) * 1e6
    elif far:
        X[::14] = rng.randint(1, 4, size=(50, 6)) * 1e6
    own = rng.permutation(700)[:90]
    Q = X[own]
    with config_context(working_memory=working_memory or 1024):
        dist, ind = _engine_knn(xp_name, X, k=5)
        ref_dist, ref_ind = exact_knn(X, X, 5, own=np.arange(700))
        np.testing.assert_array_equal(ind, ref_ind)
        np.testing.assert_array_equal(dist, ref_dist)
        dist, ind = _engine_knn(xp_name, X, Q, k=7, exclude_self=own)
        ref_dist, ref_ind = exact_knn(X, Q, 7, own=own)
        np.testing.assert_array_equal(ind, ref_ind)
        np.testing.assert_array_equal(dist, ref_dist)
