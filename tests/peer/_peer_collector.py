"""pytest plugin for one peer-suite run (copied next to the test modules as conftest.py).

It records every test's outcome into the JSON file named by ``GPUIMB_PEER_OUT``.
``GPUIMB_PEER_SELECT`` names a JSON object choosing the tests to run:
``{"ids": [...]}`` runs exactly those node ids (the baseline re-run of the tests
that failed with gpuimb's classes); ``{"prefixes": [...], "exclude": bool}`` runs
the tests whose node id starts (or, with ``exclude``, does not start) with one of
the prefixes (a shard).
"""

import json
import os

_OUTCOMES = {}
_BAD = ("failed", "error")


def pytest_collection_modifyitems(config, items):
    select = os.environ.get("GPUIMB_PEER_SELECT")
    if not select:
        return
    with open(select, encoding="utf-8") as fh:
        spec = json.load(fh)
    if "ids" in spec:
        ids = set(spec["ids"])

        def keep(nodeid):
            return nodeid in ids
    else:
        prefixes = tuple(spec["prefixes"])

        def keep(nodeid):
            return nodeid.startswith(prefixes) != bool(spec.get("exclude"))
    kept = [item for item in items if keep(item.nodeid)]
    dropped = [item for item in items if not keep(item.nodeid)]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
    items[:] = kept


def _message(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return crash.message.strip().splitlines()[0][:300] if crash.message.strip() else ""
    return str(report.longrepr).strip().splitlines()[-1][:300] if report.longrepr else ""


def pytest_runtest_logreport(report):
    if report.when != "call" and report.passed:
        return
    if hasattr(report, "wasxfail"):
        outcome = "xfailed" if report.skipped else "xpassed"
    elif report.failed and report.when != "call":
        outcome = "error"
    else:
        outcome = report.outcome
    if _OUTCOMES.get(report.nodeid, ("",))[0] in _BAD:
        return  # keep the first failure (a teardown error after a failed call)
    message = _message(report) if outcome in _BAD + ("skipped",) else ""
    _OUTCOMES[report.nodeid] = (outcome, message)


def pytest_collectreport(report):
    if report.failed:
        _OUTCOMES[report.nodeid or "<collection>"] = ("error", _message(report))


def pytest_sessionfinish(session):
    with open(os.environ["GPUIMB_PEER_OUT"], "w", encoding="utf-8") as fh:
        json.dump(_OUTCOMES, fh)
