import os

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
