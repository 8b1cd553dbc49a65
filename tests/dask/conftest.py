"""A two-worker LocalCluster shared by the Dask tests.

``processes=False`` keeps the workers in this process (start-up in
milliseconds instead of seconds on 2 busy cores); the graph still goes
through distributed's scheduler, which assigns tasks to the two workers and
moves data between them (pickling is skipped, so a separate test runs a
``processes=True`` cluster to cover serialisation and a worker's death).
"""

import pytest

distributed = pytest.importorskip("distributed")
pytest.importorskip("dask.dataframe")


@pytest.fixture(scope="session")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=False,
                                  dashboard_address=None,
                                  memory_limit="2GiB") as local:
        yield local


@pytest.fixture
def client(cluster):
    with distributed.Client(cluster) as c:
        yield c
