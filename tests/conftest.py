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


def pytest_collection_modifyitems(config, items):
    if torch.cuda.is_available():
        return
    skip = pytest.mark.skip(reason="needs a CUDA device")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)
