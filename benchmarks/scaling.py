"""Wall time of one grid search on one process, loky workers and dask.

Run ``python -m benchmarks.scaling`` (``--help`` for options). A
12-configuration grid of :class:`sklearn_rnn.LSTMRegressor` is
cross-validated with :class:`~sklearn.model_selection.TimeSeriesSplit` on
windows of the airline series (``sktime.datasets.load_airline``, offline),
with torch fixed at one thread per fit (``n_threads=1``):

* ``serial``: ``GridSearchCV(n_jobs=1)``, everything in this process;
* ``loky``: joblib's default process pool with ``--workers`` workers;
* ``dask``: joblib's dask backend on a ``distributed.LocalCluster`` of
  ``--workers`` single-threaded worker processes on 127.0.0.1 (its start-up
  time is reported separately and not included in the search time).

The backends run interleaved ``--repeats`` times and the median wall time is
reported, with the speed-up over ``serial``; the script also checks that all
backends give bit-identical ``cv_results_`` scores. See
``docs/scaling_out.md`` for results.
"""

import argparse
import logging
import os
import platform
import statistics
import time
import warnings

import numpy as np
import torch
from joblib import parallel_config
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

from sklearn_rnn import LSTMRegressor
from sklearn_rnn.windowing import make_windows

GRID = {
    "hidden_size": [8, 16, 32],
    "learning_rate_init": [1e-3, 3e-3, 1e-2, 3e-2],
}


def airline_windows(window_length=24):
    from sktime.datasets import load_airline

    y = load_airline().to_numpy(dtype=np.float64)
    return make_windows(np.log(y), window_length=window_length)


def make_search(n_jobs, max_iter):
    estimator = LSTMRegressor(
        max_iter=max_iter,
        batch_size=32,
        skip_steps=12,
        early_stopping=False,
        n_threads=1,
        random_state=0,
    )
    return GridSearchCV(
        estimator,
        GRID,
        cv=TimeSeriesSplit(n_splits=3),
        scoring="neg_mean_squared_error",
        n_jobs=n_jobs,
        error_score="raise",
    )


def timed_search(X, y, *, backend, n_jobs, max_iter):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        start = time.perf_counter()
        if backend is None:
            search = make_search(n_jobs, max_iter).fit(X, y)
        else:
            with parallel_config(backend=backend):
                search = make_search(n_jobs, max_iter).fit(X, y)
        elapsed = time.perf_counter() - start
    return elapsed, np.asarray(search.cv_results_["mean_test_score"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-iter", type=int, default=20,
                        help="epochs per fit (early stopping off)")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    X, y = airline_windows()
    n_configs = len(GRID["hidden_size"]) * len(GRID["learning_rate_init"])
    n_fits = n_configs * 3 + 1  # + the refit on all data
    print(f"Grid: {n_configs} configurations x 3 TimeSeriesSplit folds "
          f"(+1 refit) = {n_fits} fits of LSTMRegressor on {X.shape[0]} airline "
          f"windows x {X.shape[1]} steps, {args.max_iter} epochs each, "
          "n_threads=1 per fit")
    print(f"Machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} logical CPUs visible; torch {torch.__version__}")

    runs = {"serial (n_jobs=1)": dict(backend=None, n_jobs=1),
            f"loky ({args.workers} workers)": dict(backend="loky",
                                                   n_jobs=args.workers)}
    cluster = client = None
    if not args.no_dask:
        try:
            import distributed
        except ImportError:
            print("dask.distributed is not installed: skipping the dask backend")
        else:
            start = time.perf_counter()
            cluster = distributed.LocalCluster(
                n_workers=args.workers, threads_per_worker=1, processes=True,
                host="127.0.0.1", dashboard_address=None,
            )
            client = distributed.Client(cluster)
            print(f"dask LocalCluster start-up: {time.perf_counter() - start:.1f} s "
                  "(not included below)")
            runs[f"dask LocalCluster ({args.workers} processes)"] = dict(
                backend="dask", n_jobs=-1)

    times = {name: [] for name in runs}
    scores = {}
    try:
        # Warm-up: start loky's pool and import torch in the dask workers.
        for name, run in runs.items():
            timed_search(X, y, max_iter=1, **run)
        for _ in range(args.repeats):
            for name, run in runs.items():
                elapsed, scores[name] = timed_search(X, y, max_iter=args.max_iter,
                                                     **run)
                times[name].append(elapsed)
    finally:
        if client is not None:
            # Workers still shutting down their torch thread pools make the
            # nanny log a harmless "still alive ... killing" warning.
            logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
            client.close()
            cluster.close()

    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nLoad average after the runs (1, 5, 15 min): {load} "
              f"on {os.cpu_count()} logical CPUs")
    reference = next(iter(runs))
    base = statistics.median(times[reference])
    print()
    print(f"| backend | median wall time (s) | runs (s) | speed-up | "
          "scores identical to serial |")
    print("|---|---:|---|---:|:---:|")
    for name in runs:
        median = statistics.median(times[name])
        same = np.array_equal(scores[name], scores[reference])
        print(f"| {name} | {median:.2f} | "
              f"{', '.join(f'{t:.2f}' for t in times[name])} | "
              f"{base / median:.2f}x | {'yes' if same else 'NO'} |")


if __name__ == "__main__":
    main()
