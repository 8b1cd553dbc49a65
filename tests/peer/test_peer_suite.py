"""imbalanced-learn's own tests, run against gpuimb's classes (see ``_peer_runner``).

The copies are made from the installed imbalanced-learn at test time, run in two
pytest processes, and every test that fails with gpuimb's classes is run again
with imbalanced-learn's own: a failure counts unless imbalanced-learn fails it
too or it is in ``DELIBERATE_FAILURES``.
"""

import pytest

from tests.peer import _peer_runner as peer

pytest.importorskip("imblearn")


@pytest.fixture(scope="module")
def peer_result(tmp_path_factory):
    return peer.run_peer_suite(workdir=tmp_path_factory.mktemp("peer"))


def _in_file(outcomes, path):
    return {k: v for k, v in outcomes.items() if k.split("::")[0] == path}


@pytest.mark.parametrize("row", peer.PEER_MODULES, ids=lambda row: row.path)
def test_imblearn_module_passes_with_gpuimb(peer_result, row):
    if row.path in peer_result.skipped_rows:
        pytest.skip(peer_result.skipped_rows[row.path])
    ran = _in_file(peer_result.gpuimb, row.path)
    assert ran, f"no test of {row.path} ran"
    regressions = _in_file(peer_result.regressions(), row.path)
    assert not regressions, "\n".join(f"{k}: {v}" for k, v in regressions.items())


def test_deliberate_failures_still_fail(peer_result):
    # The list must stay true: an entry that passes (or no longer exists) goes.
    stale = {nodeid: peer_result.gpuimb.get(nodeid, ("absent",))[0]
             for nodeid in peer.DELIBERATE_FAILURES
             if nodeid.split("::")[0] not in peer_result.skipped_rows
             and peer_result.gpuimb.get(nodeid, ("absent",))[0] not in ("failed", "error")}
    assert not stale, stale


def test_array_api_strict_checks_pass(peer_result):
    # scikit-learn's check_array_api_input on array_api_strict, SCIPY_ARRAY_API=1,
    # for every estimator whose tags declare array-API support (_peer_array_api).
    ran = _in_file(peer_result.gpuimb, "test_gpuimb_array_api.py")
    assert ran
    failed = {k: v for k, v in ran.items() if v[0] != "passed"}
    assert not failed, failed
    for name in ("RandomUnderSampler", "SMOTE", "SMOTENC", "EditedNearestNeighbours"):
        assert any(f"-{name}]" in k or f"[{name}-" in k for k in ran), name


def test_rewrite_points_public_imports_at_gpuimb():
    source = (
        "from imblearn.over_sampling import (\n"
        "    SMOTE,\n"
        "    RandomOverSampler as ROS,\n"
        ")\n"
        "from imblearn.utils.testing import _CustomNearestNeighbors, all_estimators\n"
        "from imblearn.combine import SMOTEENN, not_in_gpuimb_xyz\n"
        "def f():\n"
        "    from imblearn.pipeline import make_pipeline\n"
    )
    out = peer.rewrite_imports(source, ["gpuimb.over_sampling"])
    assert "from gpuimb.over_sampling import SMOTE, RandomOverSampler as ROS\n" in out
    # Test utilities stay imbalanced-learn's; all_estimators crawls gpuimb.
    assert "from imblearn.utils.testing import _CustomNearestNeighbors\n" in out
    assert "from _peer_estimators import all_estimators\n" in out
    # A name gpuimb lacks keeps coming from imbalanced-learn (e.g. a data helper).
    assert "from gpuimb.combine import SMOTEENN\nfrom imblearn.combine import " \
           "not_in_gpuimb_xyz\n" in out
    assert "    from gpuimb.pipeline import make_pipeline\n" in out
    compile(out, "<rewritten>", "exec")


def test_regressions_use_the_baseline_and_the_deliberate_list():
    deliberate = next(iter(peer.DELIBERATE_FAILURES), None)
    gpuimb = {"a.py::t1": ("failed", "x"), "a.py::t2": ("failed", "y"),
              "a.py::t3": ("error", "z"), "a.py::t4": ("passed", "")}
    baseline = {"a.py::t1": ("passed", ""), "a.py::t2": ("failed", "y")}
    if deliberate is not None:
        gpuimb[deliberate] = ("failed", "known")
        baseline[deliberate] = ("passed", "")
    result = peer.PeerResult(gpuimb, baseline, {})
    # t1 passes with imbalanced-learn; t3 has no imbalanced-learn result at all.
    assert set(result.regressions()) == {"a.py::t1", "a.py::t3"}
