"""Scaling out: grid searches on parallel and distributed joblib backends.

A fitted estimator is a function of its parameters, its data and
``random_state`` only, so a cross-validated grid search must give the same
scores whichever process (or machine) fits each candidate: one process,
several loky workers, a dask cluster or a ray cluster. Estimators also have
to travel between processes cheaply: their pickles hold the network's
parameters and a few scalars, never the training data.

The dask tests run on the ``dask_client`` fixture of ``conftest.py``: a
two-process ``LocalCluster`` on the loopback interface, closed when the test
ends; the ray tests on its ``local_ray`` fixture: one light local ray
instance (two CPUs, loopback only) shared by this module's ray tests.

With several fits running at once, each fit must not start a torch thread
per core: the ``test_threads_*`` tests record the thread count inside fits
run by each backend.
"""

import multiprocessing
import os
import pickle
import threading
import warnings

import numpy as np
import pytest
import torch
from joblib import Parallel, cpu_count, delayed, parallel_config
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
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
@pytest.mark.parametrize("Estimator, params", [
    (LSTMRegressor, {}),  # draws only its initial weights
    (GRURegressor, {"input_noise": 0.2, "num_layers": 2, "dropout": 0.2}),  # and in training
], ids=["initial-weights", "noise-and-dropout"])
def test_fits_on_threads_match_serial_fits(Estimator, params):
    # fits on threads of one process reseeded the global torch generator the
    # others drew from, and the last one to finish set the caller's state
    X, y = _airline_windows()
    estimators = [Estimator(hidden_size=8, max_iter=4, random_state=seed, n_threads=1,
                            **params) for seed in range(4)]
    serial = [clone(est).fit(X, y).predict(X) for est in estimators]
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    for _ in range(2):
        with parallel_config(backend="threading"):
            threaded = Parallel(n_jobs=4)(delayed(lambda e: clone(e).fit(X, y).predict(X))(est)
                                          for est in estimators)
        for a, b in zip(threaded, serial):
            assert_array_equal(a, b)
    assert torch.equal(torch.rand(3), expected)


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
def test_grid_search_ray_matches_serial(airline, serial_scores, local_ray):
    X, y = airline
    with parallel_config(backend="ray"):
        search = _search(n_jobs=2).fit(X, y)
    assert_array_equal(_scores(search), serial_scores)


# Thread discipline: with several fits running at once, each should use one
# torch thread unless its n_threads says otherwise. The callback records the
# thread count torch had inside each fit, wherever that fit ran; the
# estimator (with its history_) comes back from the worker. The workers are
# started without the *_NUM_THREADS variables that the test process (and
# `make test`) exports, so what they see is each backend's own rule.
N_FITS = 4
THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def _threads_seen(*n_threads, n_jobs=2):
    """The torch thread count inside fits run by joblib, for each ``n_threads``.

    ``N_FITS`` fits for each value, all in one ``Parallel`` call.
    """
    rng = np.random.default_rng(0)
    X = rng.standard_normal((64, 8, 1))
    y = X[:, -1, 0]
    estimator = LSTMRegressor(
        hidden_size=4,
        max_iter=1,
        early_stopping=False,
        random_state=0,
        # cloudpickle ships a lambda by value: workers need not import this
        # test module
        callbacks=[lambda est, rec: rec.update(torch_threads=torch.get_num_threads())],
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        fitted = Parallel(n_jobs=n_jobs)(
            delayed(clone(estimator).set_params(n_threads=n).fit)(X, y)
            for n in n_threads
            for _ in range(N_FITS)
        )
    seen = [est.history_[0]["torch_threads"] for est in fitted]
    return [seen[i * N_FITS:(i + 1) * N_FITS] for i in range(len(n_threads))]


@pytest.fixture
def no_thread_env(monkeypatch):
    """Remove OMP_NUM_THREADS & co. from the environment workers start from."""
    for var in THREAD_VARS:
        monkeypatch.delenv(var, raising=False)


@pytest.fixture
def dask_client_no_thread_env(no_thread_env, request):
    # the variables are removed before the cluster's workers start
    return request.getfixturevalue("dask_client")


def test_threads_in_loky_workers(no_thread_env):
    n_jobs = 2
    with parallel_config(backend="loky"):
        seen, told = _threads_seen(None, 2, n_jobs=n_jobs)
    # joblib sets OMP_NUM_THREADS in its loky workers to the cores each
    # worker has to itself: cpu_count // n_jobs (1 on a 2-core machine); so
    # the workers never oversubscribe the CPU.
    assert seen == [max(cpu_count() // n_jobs, 1)] * N_FITS
    assert told == [2] * N_FITS


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="torch caps its threads at the cores")
def test_threads_in_loky_workers_keep_the_workers_setting(no_thread_env):
    # On a 2-core machine the share above is 1, which a fit forcing one
    # thread also gives. inner_max_num_threads sets the workers' share to 2
    # whatever the core count (torch takes OMP_NUM_THREADS up to the cores,
    # so not more): a fit with n_threads=None keeps it (it runs on the
    # worker's main thread), one with n_threads=1 uses 1.
    with parallel_config(backend="loky", inner_max_num_threads=2):
        seen, told = _threads_seen(None, 1, n_jobs=2)
    assert seen == [2] * N_FITS
    assert told == [1] * N_FITS


def test_n_threads_none_keeps_the_main_threads_setting():
    previous = torch.get_num_threads()
    torch.set_num_threads(3)
    try:
        (seen,) = _threads_seen(None, n_jobs=1)  # serial: on this main thread
        assert seen == [3] * N_FITS
        assert torch.get_num_threads() == 3
    finally:
        torch.set_num_threads(previous)


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
@pytest.mark.filterwarnings("ignore::ResourceWarning")
def test_threads_in_dask_workers(dask_client_no_thread_env):
    # dask's nanny starts each worker process with OMP_NUM_THREADS=1
    # (distributed.nanny.pre-spawn-environ)
    with parallel_config(backend="dask"):
        seen, told = _threads_seen(None, 2, n_jobs=-1)
    assert seen == [1] * N_FITS
    assert told == [2] * N_FITS


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_threads_in_ray_workers(local_ray):
    # ray sets OMP_NUM_THREADS in a worker to the CPUs its task reserves
    # (joblib's ray backend runs batches on actors that reserve none: 1)
    with parallel_config(backend="ray"):
        seen, told = _threads_seen(None, 2)
    assert seen == [1] * N_FITS
    assert told == [2] * N_FITS


@pytest.fixture
def two_torch_threads():
    previous = torch.get_num_threads()
    torch.set_num_threads(2)
    yield
    torch.set_num_threads(previous)


def test_threads_in_threading_workers_when_told(two_torch_threads):
    with parallel_config(backend="threading"):
        one, two = _threads_seen(1, 2)
    assert one == [1] * N_FITS
    assert two == [2] * N_FITS
    assert torch.get_num_threads() == 2


def test_threads_in_threading_workers(two_torch_threads):
    """Fits on threads of one process get 1 torch thread each with n_threads=None."""
    with parallel_config(backend="threading"):
        (seen,) = _threads_seen(None)
    assert seen == [1] * N_FITS
    assert torch.get_num_threads() == 2


@pytest.mark.parametrize("n_threads", [None, 1])
def test_overlapping_predictions_leave_the_thread_setting_as_found(two_torch_threads,
                                                                  n_threads):
    """Predictions served from a thread pool overlap: each saved the setting
    it found (the other's 1) and restored it, and threads started later ran
    torch on 1 thread (review rvB F7)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    rng = np.random.RandomState(0)
    X = rng.normal(size=(64, 12, 1)).astype(np.float32)
    reg = LSTMRegressor(hidden_size=8, max_iter=1, random_state=0,
                        n_threads=n_threads).fit(X, X[:, -3:, 0].sum(1))
    serial = reg.predict(X)

    for _ in range(3):
        with ThreadPoolExecutor(8) as pool:
            outputs = list(pool.map(lambda _: reg.predict(X), range(32)))
        assert all(np.array_equal(output, serial) for output in outputs)
        assert _started_now() == 2
        assert torch.get_num_threads() == 2


def test_thread_settings_nest_and_overlap_per_thread(two_torch_threads):
    """torch's setting is the calling thread's: an inner call puts back the
    outer one's, a main-thread fit that ends while a worker predicts puts
    back the main thread's, and a call that fails to set its count leaves
    nothing behind (review rvD F1, F8: a shared count restored only by the
    last call out)."""
    import threading

    from sklearn_rnn._threads import _THREADS
    from sklearn_rnn._threads import torch_threads as _torch_threads

    with _torch_threads(3):
        with _torch_threads(1):
            assert torch.get_num_threads() == 1
        assert torch.get_num_threads() == 3
    assert torch.get_num_threads() == 2
    inside, leave, seen = threading.Event(), threading.Event(), {}

    def worker():
        with _torch_threads(None):
            inside.set()
            leave.wait()
        seen["after"] = torch.get_num_threads()

    with _torch_threads(1):
        thread = threading.Thread(target=worker)
        thread.start()
        inside.wait()
    assert torch.get_num_threads() == 2  # the worker still inside
    leave.set()
    thread.join()
    assert seen["after"] == 2 and torch.get_num_threads() == 2
    with pytest.raises(RuntimeError):
        with _torch_threads(0):
            pass
    assert _THREADS["active"] == 0 and torch.get_num_threads() == 2


def test_worker_fits_put_back_the_users_later_setting(two_torch_threads):
    """A setting read by an earlier main-thread call was what a fit on a
    worker thread put back, over the user's later torch.set_num_threads:
    threads started after it got the stale 2 (reviews s36 rvA F3, rvD F1)."""
    import threading

    from sklearn_rnn._threads import torch_threads as _torch_threads

    with _torch_threads(1):  # records the process's 2
        pass
    for user in (1, 3):
        torch.set_num_threads(user)
        worker = threading.Thread(target=_run_inside, args=(_torch_threads,))
        worker.start()
        worker.join()
        assert _started_now() == user and torch.get_num_threads() == user


def _started_now():
    """The torch threads a thread started now gets."""
    import threading

    seen = []
    thread = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    thread.start()
    thread.join()
    return seen[0]


def _run_inside(torch_threads):
    with torch_threads(None):
        assert torch.get_num_threads() == 1


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


def _fit_tiny():
    X, y = _airline_windows()
    LSTMRegressor(hidden_size=4, max_iter=1, random_state=0).fit(X, y)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="no fork on this platform")
@pytest.mark.filterwarnings("ignore::DeprecationWarning")  # fork with threads, Python 3.12+
def test_a_process_forked_while_a_fit_draws_can_fit():
    # the fits' lock, held by a thread of the parent at the fork, was never
    # released in the child, whose first fit hung
    from sklearn_rnn import _random

    held, release = threading.Event(), threading.Event()

    def draw():
        with _random._LOCK:
            held.set()
            release.wait(120)

    thread = threading.Thread(target=draw)
    thread.start()
    held.wait(60)
    child = multiprocessing.get_context("fork").Process(target=_fit_tiny)
    child.start()
    child.join(60)
    release.set()
    thread.join()
    hung = child.is_alive()
    if hung:
        child.kill()
    assert not hung and child.exitcode == 0
