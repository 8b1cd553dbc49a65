"""The brute force's tie-heavy paths: the tie band, grouped duplicate rows
and coarse float32.

Every case is compared with a direct exhaustive (distance, index) reference,
and a spy checks that the path under test actually ran.
"""

import numpy as np
import pytest
from backends_helpers import NAMESPACES, as_namespace, exact_knn, host, namespace

from gpuimb._backends import _bruteforce
from gpuimb._backends._bruteforce import _Groups, kneighbors


@pytest.fixture(params=NAMESPACES)
def xp_name(request):
    return request.param


@pytest.fixture
def calls(monkeypatch):
    """Count the calls of the grouped search, of the float64 re-screening and
    of the tie band."""
    counts = {"grouped": 0, "fine": 0, "band": 0, "grouped_rows": []}
    grouped, fine_plan = _bruteforce._search_grouped, _bruteforce._Plan.fine_plan
    band_rows = _bruteforce._band_rows

    def spy_grouped(*args, **kwargs):
        counts["grouped"] += 1
        counts["grouped_rows"].append(args[1].shape[0])
        return grouped(*args, **kwargs)

    def spy_fine(self):
        counts["fine"] += 1
        return fine_plan(self)

    def spy_band(*args, **kwargs):
        counts["band"] += 1
        return band_rows(*args, **kwargs)

    monkeypatch.setattr(_bruteforce, "_search_grouped", spy_grouped)
    monkeypatch.setattr(_bruteforce, "_band_rows", spy_band)
    monkeypatch.setattr(_bruteforce._Plan, "fine_plan", spy_fine)
    return counts


@pytest.fixture
def crowded_bands(monkeypatch):
    """Every capped tie band overflows, as crowds of duplicates make it: the
    rows it would finish take the grouped search, or the float64 screening."""
    monkeypatch.setattr(_bruteforce, "_BAND_MAX_PAIRS_PER_K", 0)


def _duplicated(rng, n_distinct, n_features, max_copies, dtype=np.float64):
    """Half-integer rows, each repeated 1 to ``max_copies`` times, shuffled.

    Half-integers: exact ties between distinct rows, and not integer-valued data,
    which :func:`~gpuimb._backends._bruteforce._search_exact` answers instead.
    """
    base = (rng.randint(0, 4, size=(n_distinct, n_features)) + 0.5).astype(dtype)
    base = np.unique(base, axis=0)
    copies = rng.randint(1, max_copies + 1, size=len(base))
    X = np.repeat(base, copies, axis=0)
    return X[rng.permutation(len(X))]


def _check(xp_name, X, Q, k, own):
    index = as_namespace(xp_name, X)
    query = None if Q is None else as_namespace(xp_name, Q)
    if Q is not None and own is not None:
        own_arg = as_namespace(xp_name, own)
    else:
        own_arg = None
    dist, ind = kneighbors(index, query, k=k, exclude_self=own_arg)
    ref_dist, ref_ind = exact_knn(X, X if Q is None else Q, k,
                                  own=np.arange(len(X)) if Q is None else own)
    np.testing.assert_array_equal(host(ind), ref_ind)
    np.testing.assert_array_equal(host(dist), ref_dist.astype(X.dtype))


@pytest.mark.parametrize("k", [1, 3, 7])
def test_duplicate_rows_search_the_distinct_rows(xp_name, calls, crowded_bands, k):
    # Rows of 5 features in 0..3, up to 20 copies each, and
    # a few unique rows (own group of one member, excluded from the search).
    rng = np.random.RandomState(0)
    X = _duplicated(rng, 60, 5, 20)
    X = np.concatenate([X, rng.rand(6, 5) + 5])
    _check(xp_name, X, None, k, None)
    assert calls["grouped"] >= 1
    own = rng.permutation(len(X))[:100]
    _check(xp_name, X, X[own], k, own)
    # Query rows that are not index rows (no exclusion), some equal to them.
    Q = np.concatenate([X[:30], rng.randint(0, 4, size=(30, 5)).astype(float)])
    _check(xp_name, X, Q, k, None)


@pytest.mark.parametrize("k", [2, 14])
def test_crowded_groups_among_single_rows(xp_name, calls, crowded_bands, k):
    # The kddcup sets: most distinct rows occur once, a few dozens of times;
    # some rows need one crowded group, others many single rows, and groups
    # at equal distance interleave their members by index.
    rng = np.random.RandomState(7)
    singles = rng.randint(0, 4, size=(150, 4)) + 0.5
    crowded = rng.randint(0, 4, size=(6, 4)) + 0.5
    X = np.concatenate([singles, np.repeat(crowded, [60, 40, 25, 20, 15, 9], axis=0)])
    X = X[rng.permutation(len(X))]
    _check(xp_name, X, None, k, None)
    assert calls["grouped"] >= 1
    own = rng.permutation(len(X))[:80]
    _check(xp_name, X, X[own], k, own)


def test_large_query_probe_sends_the_rest_to_the_grouped_search(xp_name, calls):
    rng = np.random.RandomState(1)
    X = _duplicated(rng, 260, 6, 8)
    assert len(X) ** 2 >= _bruteforce._PROBE_MIN_PAIRS
    _check(xp_name, X, None, 5, None)
    # Every row but the probe's went straight to the grouped search.
    assert len(X) - _bruteforce._PROBE_ROWS in calls["grouped_rows"]


@pytest.mark.parametrize("n_copies", [1, 40])
def test_few_groups_and_k_near_n(xp_name, calls, n_copies):
    # Four distinct rows (one of them unique) and k up to n - 1: the grouped
    # search takes every group and expands them.
    rng = np.random.RandomState(2)
    base = rng.randint(0, 3, size=(4, 3)) + np.arange(4)[:, None] * 10 + 0.5
    X = np.repeat(base, [n_copies, 300, 250, 1], axis=0)
    X = X[rng.permutation(len(X))]
    for k in (3, 320, len(X) - 1):
        _check(xp_name, X, None, k, None)
    assert calls["grouped"] >= 1


def test_float32_duplicates(xp_name, calls, crowded_bands):
    rng = np.random.RandomState(3)
    X = _duplicated(rng, 60, 4, 20, dtype=np.float32)
    _check(xp_name, X, None, 4, None)
    assert calls["grouped"] >= 1


def test_large_values_with_small_gaps_screen_in_float64(xp_name, calls):
    # One column of byte counts up to 1e5, the others rates in steps of 0.01
    # (the kddcup sets): float32's error bound is larger than the gaps, so the
    # rows are screened again in float64.
    rng = np.random.RandomState(4)
    n = 600
    X = np.column_stack([rng.choice([0.0, 1e3, 5e4, 1e5], size=n) + rng.randint(0, 3, n),
                         rng.randint(0, 101, size=(n, 4)) / 100])
    _check(xp_name, X, None, 3, None)
    assert calls["fine"] >= 1
    own = rng.permutation(n)[:100]
    _check(xp_name, X, X[own], 5, own)


def test_large_values_with_duplicates(xp_name, calls):
    # Both at once: coarse float32 rows and duplicate rows (grouped search
    # screening the distinct rows in float64).
    rng = np.random.RandomState(5)
    base = np.column_stack([rng.choice([0.0, 7e8], size=120) + rng.randint(0, 2, 120),
                            rng.randint(0, 11, size=(120, 3)) / 10])
    X = np.repeat(base, rng.randint(1, 10, size=120), axis=0)
    X = X[rng.permutation(len(X))]
    _check(xp_name, X, None, 3, None)
    assert calls["grouped"] >= 1


def test_groups_hold_identical_rows_only(xp_name):
    rng = np.random.RandomState(6)
    X = _duplicated(rng, 60, 3, 5)
    X[0] = 0.0
    X[1] = -0.0  # equal values: one group
    xp = namespace(xp_name)
    groups = _Groups(xp, as_namespace(xp_name, X))
    group = host(groups.group)
    first = host(groups.first)
    _, ref_first, ref_group = np.unique(X, axis=0, return_index=True, return_inverse=True)
    assert groups.n_groups == len(ref_first)
    # Same partition of the rows, groups numbered by their first rows.
    np.testing.assert_array_equal(first, np.sort(ref_first))
    np.testing.assert_array_equal(X[first[group]], X)
    assert np.all(first[group] <= np.arange(len(X)))
    members = host(groups.members(3))
    for g in range(groups.n_groups):
        rows = np.flatnonzero(group == g)[:3]
        np.testing.assert_array_equal(members[g, :len(rows)], rows)
        assert np.all(members[g, len(rows):] == len(X))


@pytest.fixture
def exact_calls(monkeypatch):
    counts = {"exact": 0}
    search_exact = _bruteforce._search_exact

    def spy(*args, **kwargs):
        counts["exact"] += 1
        return search_exact(*args, **kwargs)

    monkeypatch.setattr(_bruteforce, "_search_exact", spy)
    return counts


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("k", [1, 4, 20])
def test_integer_data_is_searched_exactly(xp_name, exact_calls, dtype, k):
    # Small integer values: crowds of exact ties between distinct rows, and
    # duplicates; the expanded form is exact, so no certificate is needed.
    rng = np.random.RandomState(4)
    X = rng.randint(0, 3, size=(700, 6)).astype(dtype)
    _check(xp_name, X, None, k, None)
    own = rng.permutation(len(X))[:90]
    _check(xp_name, X, X[own], k, own)
    Q = rng.randint(-2, 5, size=(40, 6)).astype(dtype)
    _check(xp_name, X, Q, k, None)
    assert exact_calls["exact"] == 3


def test_integer_data_tiled_into_many_chunks(xp_name, exact_calls):
    # Index chunks and query tiles far smaller than the data: the merge across
    # chunks must keep ties in index order.
    from gpuimb._config import config_context

    rng = np.random.RandomState(5)
    X = rng.randint(0, 2, size=(3000, 4)).astype(np.float64)
    with config_context(working_memory=0.05):
        _check(xp_name, X, None, 6, None)
    assert exact_calls["exact"] == 1


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_integer_data_too_large_for_the_exact_path(xp_name, exact_calls, dtype):
    # (4 d + 4) m^2 beyond the mantissa: the certified search answers instead.
    rng = np.random.RandomState(6)
    big = 2.0**25 if dtype == np.float64 else 2.0**10
    X = (rng.randint(0, 3, size=(600, 3)) * big).astype(dtype)
    X[::7] += 1
    _check(xp_name, X, None, 3, None)
    assert exact_calls["exact"] == 0
    _check(xp_name, np.round(X / big), None, 3, None)  # small again: exact path
    assert exact_calls["exact"] == 1


@pytest.mark.parametrize("scale, screen", [(1, "float32"), (2**14, "float64")])
def test_integer_data_screens_in_float32_where_exact(xp_name, monkeypatch, scale, screen):
    # Pixel-sized integers are exact in float32; larger ones in float64 only.
    plans = []
    exact_plan = _bruteforce._exact_plan

    def spy(*args):
        plans.append(exact_plan(*args))
        return plans[-1]

    monkeypatch.setattr(_bruteforce, "_exact_plan", spy)
    rng = np.random.RandomState(7)
    X = (rng.randint(0, 256, size=(500, 8)) * scale).astype(np.float64)
    X[:50] = X[50:100]  # duplicates
    _check(xp_name, X, None, 5, None)
    xp = namespace(xp_name)
    assert plans[0].screen_dtype == getattr(xp, screen)


def test_integer_data_exact_in_float64_only_is_searched_in_float64_at_once(
        xp_name, exact_calls, monkeypatch, small_search_rule):
    # Values of 2**20: exact in float64, not in float32. Within
    # _EXACT_DIRECT_CELLS no float32 screening runs, only the exact search.
    screens = []
    screen = _bruteforce._screen
    monkeypatch.setattr(_bruteforce, "_screen",
                        lambda *args: screens.append(1) or screen(*args))
    rng = np.random.RandomState(8)
    X = (rng.randint(0, 3, size=(900, 8)) * 2.0**20).astype(np.float64)
    X[::5] += 1
    assert not _bruteforce.is_small_search(900, 900, 8)
    assert 900 * 900 * 8 <= _bruteforce._EXACT_DIRECT_CELLS
    _check(xp_name, X, None, 4, None)
    assert exact_calls["exact"] == 1 and not screens


@pytest.mark.parametrize("n_rows", [300, 900])  # without and with the probe
def test_integer_data_exact_in_float64_only(xp_name, exact_calls, n_rows):
    # Screened in float32 (cheaper); the rows the certificate leaves open, here
    # crowds of ties, are searched again exactly in float64.
    rng = np.random.RandomState(8)
    X = (rng.randint(0, 3, size=(n_rows, 4)) * 2.0**20).astype(np.float64)
    X[::5] += 1
    _check(xp_name, X, None, 4, None)
    _check(xp_name, X, X[::-3], 4, None)
    assert exact_calls["exact"] >= 2


@pytest.mark.parametrize("working_memory", [1024, 0.05])
def test_distinct_integer_rows_tie_band(xp_name, monkeypatch, working_memory):
    # Distinct rows (nothing to group) whose distances tie far past the
    # candidate margin: the tie band, over several index chunks when the
    # working memory is small. Half-integers: integer-valued data would be
    # searched exactly (_search_exact) and never reach the band.
    from gpuimb._config import config_context

    band_calls = []
    band_pass = _bruteforce._band_pass

    def spy(*args, **kwargs):
        band_calls.append(1)
        return band_pass(*args, **kwargs)

    monkeypatch.setattr(_bruteforce, "_band_pass", spy)
    rng = np.random.RandomState(7)
    X = np.unique(rng.randint(0, 3, size=(900, 7)) + 0.5, axis=0)
    X = X[rng.permutation(len(X))]
    with config_context(working_memory=working_memory):
        _check(xp_name, X, None, 5, None)
        own = rng.permutation(len(X))[:80]
        _check(xp_name, X, X[own], 9, own)
    assert band_calls


def test_grouped_and_fine_paths_on_a_second_strict_device():
    # Arrays on array_api_strict's "device1": every array the new paths make
    # must be placed next to the data (mixing devices raises).
    import array_api_strict as xs

    dev = xs.Device("device1")
    rng = np.random.RandomState(8)
    X = _duplicated(rng, 60, 5, 20)
    big = np.column_stack([rng.choice([0.0, 5e4, 1e5], size=600) + rng.randint(0, 3, 600),
                           rng.randint(0, 101, size=(600, 3)) / 100])
    # Pairs of duplicate rows: ties the capped band finishes.
    pairs = _duplicated(rng, 200, 6, 2)
    pairs = np.concatenate([pairs, pairs[:len(pairs) // 2]])
    for data, k in ((X, 3), (big, 4), (pairs, 3)):
        dist, ind = kneighbors(xs.asarray(data, device=dev), k=k)
        assert ind.device == dev
        ref_dist, ref_ind = exact_knn(data, data, k, own=np.arange(len(data)))
        np.testing.assert_array_equal(host(ind), ref_ind)
        np.testing.assert_array_equal(host(dist), ref_dist)


def test_small_searches_screen_in_the_data_dtype(xp_name, calls, small_search_rule):
    # The data of test_large_values_with_small_gaps_screen_in_float64, small
    # enough to be screened in float64 at once: no second screening, the same
    # exact answer.
    rng = np.random.RandomState(4)
    n = 600
    X = np.column_stack([rng.choice([0.0, 1e3, 5e4, 1e5], size=n) + rng.randint(0, 3, n),
                         rng.randint(0, 101, size=(n, 4)) / 100])
    assert n * n * X.shape[1] <= small_search_rule
    _check(xp_name, X, None, 3, None)
    own = rng.permutation(n)[:100]
    _check(xp_name, X, X[own], 5, own)
    assert calls["fine"] == 0
    # Larger than the limit: float32 first, its coarse rows again in float64.
    big = np.repeat(X, 4, axis=0) + np.arange(4 * n)[:, None] * 1e-3
    assert big.shape[0] ** 2 * big.shape[1] > small_search_rule
    _check(xp_name, big, None, 3, None)
    assert calls["fine"] >= 1


def test_narrow_ties_finish_in_the_band_and_crowds_in_the_grouped_search(xp_name, calls):
    # Pairs of duplicate rows tie at most a few points per row: the band
    # finishes them.
    rng = np.random.RandomState(9)
    pairs = _duplicated(rng, 200, 6, 2)
    pairs = np.concatenate([pairs, pairs[:len(pairs) // 2]])  # a third duplicated
    _check(xp_name, pairs, None, 3, None)
    assert calls["band"] >= 1 and calls["grouped"] == 0
    # Crowds of copies of rows (a k-th distance of 0) go to the grouped search
    # at once: a band would hold every copy.
    calls["band"] = 0
    crowds = np.repeat(rng.randint(0, 4, size=(12, 6)) + 0.5, 100, axis=0)
    crowds = crowds[rng.permutation(len(crowds))]
    _check(xp_name, crowds, crowds[::7], 3, None)
    assert calls["grouped"] >= 1 and calls["band"] == 0
    # Crowds among single rows: the band overflows, then the grouped search.
    calls["grouped"] = 0
    mixed = np.concatenate([crowds, rng.rand(200, 6) * 4])
    mixed = mixed[rng.permutation(len(mixed))]
    _check(xp_name, mixed, None, 3, None)
    assert calls["grouped"] >= 1
