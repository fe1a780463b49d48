"""Wall time of many fits on one process, loky workers and dask.

Run ``python -m benchmarks.scaling`` (``--help`` for options). Two cases,
with torch fixed at one thread per fit (``n_threads=1``):

``--case grid`` (default): a 12-configuration grid of
:class:`sklearn_rnn.LSTMRegressor` is cross-validated with
:class:`~sklearn.model_selection.TimeSeriesSplit` on windows of the airline
series (``sktime.datasets.load_airline``, offline):

* ``serial``: ``GridSearchCV(n_jobs=1)``, everything in this process;
* ``loky``: joblib's default process pool with ``--workers`` workers;
* ``dask``: joblib's dask backend on a ``distributed.LocalCluster`` of
  ``--workers`` single-threaded worker processes on 127.0.0.1 (its start-up
  time is reported separately and not included in the search time).

``--case series``: ``--n-series`` short series (GunPoint recordings, every
second frame: 75 frames each, offline), each forecast 5 frames ahead, with
:class:`sklearn_rnn.sktime.RNNForecaster` fitted and used to predict

* ``global``: once on the whole panel, one model (its ``n_networks=3``
  networks) for all series;
* ``per series``: one model (3 networks) per series, through sktime's vectorisation
  (``ForecastByLevel(..., groupby="local")``) on sktime's
  ``backend:parallel`` config: sequentially, on loky with ``--workers``
  workers, and on ``dask`` (the same ``LocalCluster`` as above).

The runs are interleaved ``--repeats`` times after a warm-up and the median
wall time is reported, with the speed-up over the first row; the script
also checks that parallel runs reproduce the sequential results exactly
(scores for the grid, forecasts for the series) and, for the series case,
reports the mean absolute error of the forecasts. sktime's FutureWarning
about ``remember_data``, raised for every forecaster it clones, is silenced
in this process but may appear on stderr from the workers. See
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


#: The series case: RNNForecaster settings (those of
#: tests/test_sktime_scaling.py), horizon and frames kept per recording.
SERIES_PARAMS = dict(
    window_length=10,
    hidden_size=8,
    batch_size=64,
    learning_rate_init=0.01,
    early_stopping=False,
    quantiles=None,
    n_threads=1,
    random_state=0,
)
HORIZON = 5


def gunpoint_panel(n_series, horizon=HORIZON):
    """The first ``n_series`` GunPoint recordings (every second frame) as a panel.

    Returns the training part and the last ``horizon`` frames of every series.
    """
    import pandas as pd
    from sktime.datasets import load_gunpoint

    values, _ = load_gunpoint(return_type="numpy3D")
    values = values[:n_series, 0, ::2].astype(np.float64)
    index = pd.MultiIndex.from_product(
        [[f"r{i:03d}" for i in range(len(values))], pd.RangeIndex(values.shape[1])],
        names=["recording", "frame"],
    )
    y = pd.DataFrame({"x": values.ravel()}, index=index)
    by_series = y.groupby(level="recording", sort=False)
    return by_series.head(-horizon), by_series.tail(horizon)


def timed_forecast(y_train, *, backend, workers, max_iter):
    """Fit and predict; ``backend="global"`` is one model for the whole panel."""
    from sktime.forecasting.compose import ForecastByLevel

    from sklearn_rnn.sktime import RNNForecaster

    forecaster = RNNForecaster(**SERIES_PARAMS, max_iter=max_iter)
    if backend != "global":
        forecaster = ForecastByLevel(forecaster, groupby="local")
        params = {"n_jobs": workers} if backend == "loky" else {}
        forecaster.set_config(**{"backend:parallel": backend,
                                 "backend:parallel:params": params})
    fh = np.arange(1, HORIZON + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)
        start = time.perf_counter()
        y_pred = forecaster.fit(y_train, fh=fh).predict()
        elapsed = time.perf_counter() - start
    return elapsed, y_pred


def start_dask(workers):
    """A LocalCluster on 127.0.0.1 and its client, or (None, None)."""
    try:
        import distributed
    except ImportError:
        print("dask.distributed is not installed: skipping the dask backend")
        return None, None
    start = time.perf_counter()
    cluster = distributed.LocalCluster(
        n_workers=workers, threads_per_worker=1, processes=True,
        host="127.0.0.1", dashboard_address=None,
    )
    client = distributed.Client(cluster)
    print(f"dask LocalCluster start-up: {time.perf_counter() - start:.1f} s "
          "(not included below)")
    return cluster, client


def close_dask(cluster, client):
    if client is not None:
        # Workers still shutting down their torch thread pools make the
        # nanny log a harmless "still alive ... killing" warning.
        logging.getLogger("distributed.nanny").setLevel(logging.ERROR)
        client.close()
        cluster.close()


def print_machine():
    print(f"Machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} logical CPUs visible; torch {torch.__version__}")


def print_load():
    if hasattr(os, "getloadavg"):
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"\nLoad average after the runs (1, 5, 15 min): {load} "
              f"on {os.cpu_count()} logical CPUs")


def run_grid(args):
    X, y = airline_windows()
    n_configs = len(GRID["hidden_size"]) * len(GRID["learning_rate_init"])
    n_fits = n_configs * 3 + 1  # + the refit on all data
    print(f"Grid: {n_configs} configurations x 3 TimeSeriesSplit folds "
          f"(+1 refit) = {n_fits} fits of LSTMRegressor on {X.shape[0]} airline "
          f"windows x {X.shape[1]} steps, {args.max_iter} epochs each, "
          "n_threads=1 per fit")
    print_machine()

    runs = {"serial (n_jobs=1)": dict(backend=None, n_jobs=1),
            f"loky ({args.workers} workers)": dict(backend="loky",
                                                   n_jobs=args.workers)}
    cluster = client = None
    if not args.no_dask:
        cluster, client = start_dask(args.workers)
        if client is not None:
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
        close_dask(cluster, client)

    print_load()
    reference = next(iter(runs))
    base = statistics.median(times[reference])
    print()
    print("| backend | median wall time (s) | runs (s) | speed-up | "
          "scores identical to serial |")
    print("|---|---:|---|---:|:---:|")
    for name in runs:
        median = statistics.median(times[name])
        same = np.array_equal(scores[name], scores[reference])
        print(f"| {name} | {median:.2f} | "
              f"{', '.join(f'{t:.2f}' for t in times[name])} | "
              f"{base / median:.2f}x | {'yes' if same else 'NO'} |")


def run_series(args):
    from sktime.forecasting.naive import NaiveForecaster

    y_train, y_test = gunpoint_panel(args.n_series)
    n_series = y_train.index.get_level_values(0).nunique()
    n_frames = len(y_train) // n_series + HORIZON
    print(f"{n_series} GunPoint series x {n_frames} frames, last {HORIZON} "
          f"held out; RNNForecaster({SERIES_PARAMS}, max_iter={args.max_iter}); "
          "fit + predict")
    print_machine()

    workers = args.workers
    runs = {"global: one model, this process": dict(backend="global"),
            "per series: sequential": dict(backend=None),
            f"per series: loky ({workers} workers)": dict(backend="loky")}
    cluster = client = None
    if not args.no_dask:
        cluster, client = start_dask(workers)
        if client is not None:
            runs[f"per series: dask LocalCluster ({workers} processes)"] = dict(
                backend="dask")

    times = {name: [] for name in runs}
    preds = {}
    try:
        for name, run in runs.items():
            timed_forecast(y_train, workers=workers, max_iter=1, **run)
        for _ in range(args.repeats):
            for name, run in runs.items():
                elapsed, preds[name] = timed_forecast(
                    y_train, workers=workers, max_iter=args.max_iter, **run)
                times[name].append(elapsed)
    finally:
        close_dask(cluster, client)

    print_load()
    fh = np.arange(1, HORIZON + 1)

    def mae(y_pred):
        return float(np.mean(np.abs(y_pred.to_numpy() - y_test.to_numpy())))

    naive = NaiveForecaster(strategy="last").fit(y_train, fh=fh).predict()
    print(f"\nMAE of repeating the last value (naive): {mae(naive):.3f}")
    reference = next(iter(runs))
    sequential = "per series: sequential"
    base = statistics.median(times[reference])
    print()
    print("| model and backend | median wall time (s) | runs (s) | relative to "
          "global | MAE | forecasts identical to sequential |")
    print("|---|---:|---|---:|---:|:---:|")
    for name in runs:
        median = statistics.median(times[name])
        same = "-"
        if name.startswith("per series"):
            same = "yes" if preds[name].equals(preds[sequential]) else "NO"
        print(f"| {name} | {median:.2f} | "
              f"{', '.join(f'{t:.2f}' for t in times[name])} | "
              f"{median / base:.2f}x | {mae(preds[name]):.3f} | {same} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--case", choices=["grid", "series"], default="grid")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--max-iter", type=int, default=20,
                        help="epochs per fit (early stopping off)")
    parser.add_argument("--n-series", type=int, default=100,
                        help="series for --case series (at most 200)")
    parser.add_argument("--no-dask", action="store_true")
    args = parser.parse_args(argv)

    torch.set_num_threads(1)
    if args.case == "grid":
        run_grid(args)
    else:
        run_series(args)


if __name__ == "__main__":
    main()
