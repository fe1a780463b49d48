import os
from pathlib import Path

import numpy as np
import pytest
import torch

# Small recurrent networks run fastest on one thread, and a fixed thread
# count keeps CPU results reproducible; tests that need more set it locally.
torch.set_num_threads(int(os.environ.get("SKLEARN_RNN_TEST_THREADS", "1")))


@pytest.fixture(autouse=True)
def _seed():
    """Each test starts from the same global random state."""
    np.random.seed(0)
    torch.manual_seed(0)


@pytest.fixture(scope="session")
def pyproject():
    """The ``[project]`` table of the repository's ``pyproject.toml``.

    Skips the test before Python 3.11, whose standard library has no
    ``tomllib``.
    """
    tomllib = pytest.importorskip("tomllib", reason="tomllib is Python 3.11+")
    with open(Path(__file__).resolve().parents[1] / "pyproject.toml", "rb") as f:
        return tomllib.load(f)["project"]


@pytest.fixture
def dask_client():
    """A dask ``Client`` on a two-process ``LocalCluster`` on 127.0.0.1.

    The cluster starts with the test and is closed when the test ends, so no
    worker outlives it and nothing listens beyond the loopback interface.
    Each worker is one process with one thread. Skips the test when
    ``distributed`` is not installed.
    """
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=True,
        host="127.0.0.1",
        dashboard_address=None,
    ) as cluster, distributed.Client(cluster) as client:
        yield client


#: Environment variables that set the thread count of a process's OpenMP,
#: MKL and OpenBLAS pools (torch reads the first two when it starts).
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


@pytest.fixture(scope="module")
def local_ray():
    """The ``ray`` module, with a light local ray instance for the test module.

    Two CPUs, an 80 MiB object store, no dashboard, no usage statistics, worker
    output kept out of the test log, and every service bound to 127.0.0.1:
    ray resolves ``127.0.0.1`` passed as the node address to the machine's
    routable address unless ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` (read when
    ray is imported, so the fixture also sets the constant it becomes), and
    then listens on every interface. The instance starts without the
    ``*_NUM_THREADS`` variables above, so its workers follow ray's own rule
    (``OMP_NUM_THREADS`` = the CPUs a task reserves, 1 by default) rather than
    the test process's environment. joblib's ``"ray"`` backend is
    registered. Shut down at the end of the module, so that its nine
    processes (about 600 MiB, a few per cent of a core when idle) do not
    linger through the rest of the suite. Skips when ray is not installed.
    """
    import logging

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        patch.setenv("RAY_USAGE_STATS_ENABLED", "0")
        for var in THREAD_VARS:
            patch.delenv(var, raising=False)
        ray = pytest.importorskip("ray")
        from ray._private import ray_constants
        from ray.util.joblib import register_ray

        # in case ray was imported before the variable was set
        patch.setattr(ray_constants, "ENABLE_RAY_CLUSTER", False)
        register_ray()
        ray.init(
            num_cpus=2,
            object_store_memory=80 * 2**20,
            include_dashboard=False,
            _node_ip_address="127.0.0.1",
            ignore_reinit_error=True,
            log_to_driver=False,
            logging_level=logging.WARNING,
        )
    try:
        addresses = {node["NodeManagerAddress"] for node in ray.nodes()}
        assert addresses == {"127.0.0.1"}, addresses
        yield ray
    finally:
        ray.shutdown()


@pytest.fixture
def built_networks(monkeypatch):
    """A list that grows by one whenever this process builds a recurrent network.

    Networks built in other processes (loky or dask workers) are not counted.
    """
    import sklearn_rnn._initialization

    built = []
    network_cls = sklearn_rnn._initialization.RecurrentNetwork

    class Counting(network_cls):
        def __init__(self, *args, **kwargs):
            built.append(1)
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(sklearn_rnn._initialization, "RecurrentNetwork", Counting)
    return built


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
