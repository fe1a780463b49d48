"""Scaling out: grid searches on parallel and distributed joblib backends.

A fitted estimator is a function of its parameters, its data and
``random_state`` only, so a cross-validated grid search must give the same
scores whichever process (or machine) fits each candidate: one process,
several loky workers, a dask cluster or a ray cluster. Estimators also have
to travel between processes cheaply: their pickles hold the network's
parameters and a few scalars, never the training data.

The dask test runs on the ``dask_client`` fixture of ``conftest.py``: a
two-process ``LocalCluster`` on the loopback interface, closed when the test
ends. The ray test is skipped unless ray is installed.
"""

import pickle
import warnings

import numpy as np
import pytest
import torch
from joblib import parallel_config
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sklearn_rnn import GRURegressor, LSTMRegressor
from sklearn_rnn.windowing import make_windows

WINDOW = 24


def _airline_windows():
    sktime_datasets = pytest.importorskip("sktime.datasets")
    y = sktime_datasets.load_airline().to_numpy(dtype=np.float64)
    return make_windows(np.log(y), window_length=WINDOW)


def _search(n_jobs=1):
    estimator = LSTMRegressor(
        max_iter=5,
        batch_size=32,
        skip_steps=12,
        early_stopping=False,
        n_threads=1,
        random_state=0,
    )
    grid = {"hidden_size": [4, 8], "learning_rate_init": [1e-3, 1e-2]}
    return GridSearchCV(
        estimator,
        grid,
        cv=TimeSeriesSplit(n_splits=3),
        scoring="neg_mean_squared_error",
        n_jobs=n_jobs,
        error_score="raise",
    )


# Every candidate is fitted in a fresh worker process with one torch thread
# and a fixed seed, so the scores are bit-for-bit those of the serial search
# (on the same kind of CPU; heterogeneous clusters may differ in the last
# bits).
def _scores(search):
    return np.asarray(search.cv_results_["mean_test_score"], dtype=np.float64)


@pytest.fixture(scope="module")
def airline():
    return _airline_windows()


@pytest.fixture(scope="module")
def serial_scores(airline):
    X, y = airline
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        scores = _scores(_search(n_jobs=1).fit(X, y))
    assert np.all(np.isfinite(scores))
    return scores


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_grid_search_loky_matches_serial(airline, serial_scores):
    X, y = airline
    with parallel_config(backend="loky"):
        search = _search(n_jobs=2).fit(X, y)
    assert_array_equal(_scores(search), serial_scores)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_grid_search_dask_matches_serial(airline, serial_scores, dask_client):
    X, y = airline
    with parallel_config(backend="dask"):
        search = _search(n_jobs=-1).fit(X, y)
    assert_array_equal(_scores(search), serial_scores)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_grid_search_ray_matches_serial(airline, serial_scores):
    ray = pytest.importorskip("ray")
    from ray.util.joblib import register_ray

    X, y = airline
    register_ray()
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        _node_ip_address="127.0.0.1",
        ignore_reinit_error=True,
    )
    try:
        with parallel_config(backend="ray"):
            search = _search(n_jobs=2).fit(X, y)
    finally:
        ray.shutdown()
    assert_array_equal(_scores(search), serial_scores)


def _parameter_bytes(module):
    tensors = list(module.parameters()) + list(module.buffers())
    return sum(t.numel() * t.element_size() for t in tensors)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("Estimator", [LSTMRegressor, GRURegressor])
def test_pickle_is_small_and_holds_no_training_data(Estimator):
    # Many more windows than parameters: a pickle carrying the data would
    # be an order of magnitude larger than the network.
    rng = np.random.default_rng(0)
    series = np.cumsum(rng.standard_normal(20_000))
    X, y = make_windows(series, window_length=WINDOW)
    est = Estimator(
        hidden_size=16,
        max_iter=1,
        skip_steps=12,
        early_stopping=False,
        random_state=0,
        n_threads=1,
    ).fit(X, y)
    blob = pickle.dumps(est)
    parameter_bytes = _parameter_bytes(est.module_)
    data_bytes = X.nbytes + y.nbytes
    # The network's parameters (and the optimizer's two Adam moments per
    # parameter) plus a small fixed overhead of Python objects.
    print(f"{Estimator.__name__}: pickle {len(blob)} B, parameters+buffers "
          f"{parameter_bytes} B, training data {data_bytes} B")
    assert len(blob) < 3 * parameter_bytes + 20_000, (len(blob), parameter_bytes)
    assert len(blob) < data_bytes / 50, (len(blob), data_bytes)

    # No array of the training data's size or content rides along.
    def arrays(obj, seen):
        if id(obj) in seen:
            return
        seen.add(id(obj))
        if isinstance(obj, np.ndarray | torch.Tensor):
            yield obj
        elif isinstance(obj, dict):
            for v in obj.values():
                yield from arrays(v, seen)
        elif isinstance(obj, list | tuple):
            for v in obj:
                yield from arrays(v, seen)
        elif isinstance(obj, torch.nn.Module):
            yield from obj.state_dict().values()

    restored = pickle.loads(blob)
    for array in arrays(vars(restored), set()):
        size = array.numel() if isinstance(array, torch.Tensor) else array.size
        assert size < len(y), tuple(array.shape)
    assert_allclose(restored.predict(X[:50]), est.predict(X[:50]))
