"""One global model against one model per series: fit time and accuracy.

Run ``python -m benchmarks.many_series`` (``--help`` for options).

The panel is that of ``tests/test_sktime_scaling.py``: the first
``--n-series`` GunPoint recordings (every second frame: 75 frames each,
offline), the last 5 frames of every series held out. For each seed in
``--seeds`` it fits, in this process and one after the other,

* **global**: one :class:`sklearn_rnn.sktime.RNNForecaster` on the whole
  panel (one model, its ``n_networks=3`` networks trained on the windows
  of every series);
* **per series**: ``ForecastByLevel(RNNForecaster(...), groupby="local")``,
  one model (3 networks) per series through sktime's vectorisation, sequentially
  (sktime's default backend: the timing is that of one core),

both with the settings of the test (``window_length=10, hidden_size=8,
batch_size=64, max_iter=20, learning_rate_init=0.01``, no early stopping)
and ``random_state=seed``, then forecasts the 5 held-out frames of every
series. It reports the wall and CPU time of ``fit`` (``predict`` is
separate), and the accuracy over all series and held-out frames:

* MAE, the mean absolute error;
* MASE, each series' MAE scaled by the mean absolute one-step change of its
  training part (the in-sample MAE of repeating the last value), averaged
  over the series;
* the same for the naive forecast (repeating each series' last value) and the
  series mean, which do not depend on the seed.

torch runs on ``--threads`` threads (default 1, printed), set both for the
process and on the estimators (``n_threads``). A warm-up fit of each kind
runs before the timed ones. sktime's FutureWarning about ``remember_data``
is silenced. See ``docs/scaling_out.md`` for results.
"""

import argparse
import os
import platform
import statistics
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning

from benchmarks.scaling import HORIZON, SERIES_PARAMS, gunpoint_panel


def make_forecaster(kind, seed, threads, max_iter):
    from sktime.forecasting.compose import ForecastByLevel

    from sklearn_rnn.sktime import RNNForecaster

    params = {**SERIES_PARAMS, "random_state": seed, "n_threads": threads,
              "max_iter": max_iter}
    forecaster = RNNForecaster(**params)
    if kind == "per series":
        forecaster = ForecastByLevel(forecaster, groupby="local")
    return forecaster


def timed_fit_predict(forecaster, y_train):
    fh = np.arange(1, HORIZON + 1)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", FutureWarning)
        wall, cpu = time.perf_counter(), time.process_time()
        forecaster.fit(y_train, fh=fh)
        fit_wall = time.perf_counter() - wall
        fit_cpu = time.process_time() - cpu
        wall = time.perf_counter()
        y_pred = forecaster.predict()
        predict_wall = time.perf_counter() - wall
    return dict(fit_wall=fit_wall, fit_cpu=fit_cpu, predict_wall=predict_wall,
                y_pred=y_pred)


def errors(y_pred, y_test, y_train):
    """MAE over everything, and MASE averaged over the series."""
    assert y_pred.index.equals(y_test.index)
    abs_err = (y_pred["x"] - y_test["x"]).abs()
    level = y_test.index.names[0]
    mae_by_series = abs_err.groupby(level=level, sort=False).mean()
    scale = (y_train["x"].groupby(level=level, sort=False)
             .apply(lambda s: s.diff().abs().mean()))
    mase = float((mae_by_series / scale.loc[mae_by_series.index]).mean())
    return float(abs_err.mean()), mase


def mean_sd(values, fmt):
    if len(values) == 1:
        return format(values[0], fmt)
    return f"{format(statistics.mean(values), fmt)} ± {format(statistics.stdev(values), fmt)}"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument("--n-series", type=int, default=100)
    parser.add_argument("--max-iter", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1,
                        help="torch threads (process and n_threads)")
    args = parser.parse_args(argv)

    from sktime.forecasting.naive import NaiveForecaster

    # sktime's notice about remember_data, raised for every forecaster
    warnings.simplefilter("ignore", FutureWarning)
    torch.set_num_threads(args.threads)
    y_train, y_test = gunpoint_panel(args.n_series)
    n_series = y_train.index.get_level_values(0).nunique()
    n_frames = len(y_train) // n_series + HORIZON
    shown = {k: v for k, v in SERIES_PARAMS.items()
             if k not in ("random_state", "n_threads")}
    print(f"{n_series} GunPoint series x {n_frames} frames, last {HORIZON} held "
          f"out; RNNForecaster({shown}, max_iter={args.max_iter}, "
          f"n_threads={args.threads}, random_state=seed)")
    print(f"Machine: {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} logical CPUs visible; torch {torch.__version__}, "
          f"torch threads {torch.get_num_threads()} (n_threads={args.threads}), "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    if hasattr(os, "getloadavg"):
        print("Load average before (1, 5, 15 min): "
              + ", ".join(f"{x:.1f}" for x in os.getloadavg()))

    fh = np.arange(1, HORIZON + 1)
    for strategy in ("last", "mean"):
        naive = NaiveForecaster(strategy=strategy).fit(y_train, fh=fh).predict()
        mae, mase = errors(naive, y_test, y_train)
        print(f"naive ({strategy}): MAE {mae:.3f}, MASE {mase:.2f}")

    kinds = ("global", "per series")
    for kind in kinds:  # warm-up
        timed_fit_predict(make_forecaster(kind, 0, args.threads, 1), y_train)

    rows = {kind: [] for kind in kinds}
    for seed in args.seeds:
        for kind in kinds:
            run = timed_fit_predict(
                make_forecaster(kind, seed, args.threads, args.max_iter), y_train)
            run["mae"], run["mase"] = errors(run.pop("y_pred"), y_test, y_train)
            rows[kind].append(run)
            print(f"seed {seed} {kind}: fit {run['fit_wall']:.2f} s "
                  f"(CPU {run['fit_cpu']:.2f} s), predict "
                  f"{run['predict_wall']:.2f} s, MAE {run['mae']:.3f}, "
                  f"MASE {run['mase']:.2f}", flush=True)
    if hasattr(os, "getloadavg"):
        print("Load average after (1, 5, 15 min): "
              + ", ".join(f"{x:.1f}" for x in os.getloadavg()))

    print()
    print("| seed | model | fit wall (s) | fit CPU (s) | predict (s) | MAE | MASE |")
    print("|---:|---|---:|---:|---:|---:|---:|")
    for i, seed in enumerate(args.seeds):
        for kind in kinds:
            r = rows[kind][i]
            print(f"| {seed} | {kind} | {r['fit_wall']:.2f} | {r['fit_cpu']:.2f} | "
                  f"{r['predict_wall']:.2f} | {r['mae']:.3f} | {r['mase']:.2f} |")
    print()
    print(f"Mean ± standard deviation over seeds {args.seeds}:")
    print()
    print("| model | fit wall (s) | fit CPU (s) | predict (s) | MAE | MASE |")
    print("|---|---:|---:|---:|---:|---:|")
    for kind in kinds:
        col = {k: [r[k] for r in rows[kind]] for k in rows[kind][0]}
        print(f"| {kind} | {mean_sd(col['fit_wall'], '.2f')} | "
              f"{mean_sd(col['fit_cpu'], '.2f')} | "
              f"{mean_sd(col['predict_wall'], '.2f')} | "
              f"{mean_sd(col['mae'], '.3f')} | {mean_sd(col['mase'], '.2f')} |")


if __name__ == "__main__":
    main()
