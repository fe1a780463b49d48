"""Forecasting on real series: our two entry points against statistical anchors.

Run ``python -m benchmarks.forecasting`` (``--help`` for options).

**Single series** (``--series``; default the 13 of issue #21, ``extra`` for 8
more that no issue names, ``wider`` for 20 more, ``fpp3`` for 8 from
another package, one of them weekly, ``employment48`` for the
145 ``us_employment`` series cut to 48 training months and forecast one by
one): the last two seasons (monthly 24, quarterly 8, yearly 10, weekly 104;
shampoo, 36 months, 12) are held out and forecast in one go from the end of the
training part. ``long`` gives 4 long series (hourly
electricity demand, monthly sunspots, tree rings, the DAX), each forecast
from 5 to 10 origins one horizon apart (48 hours, 24 months, 10 steps),
refitted at each; their metrics are means over the origins, coverage
pooled. ``exog`` gives 4 series with exogenous ``X`` known over the
horizon (``USES_X`` get it: ``linear``, ``rnn`` and ``sarima``;
``linear_no_x`` is ``linear`` without it). ``--origins N`` forecasts any
set so, from up to N origins (a check of the single split). Contenders,
all in the same run:

* ``snaive``: sktime ``NaiveForecaster(strategy="last", sp=sp)``;
* ``ets``: sktime ``AutoETS(auto=True, sp=sp)`` (statsmodels; its simulated
  intervals seeded, ``ETS_SIMULATION_SEED``);
* ``theta``: sktime ``ThetaForecaster(sp=sp)`` (statsmodels);
* ``sarima`` (not run by default): sktime ``SARIMAX``, a fixed
  conservative model, the seasonal difference with an AR(2) and a
  seasonal MA(1) and no constant, SARIMA(2,0,0)(0,1,1) (ARIMA(2,1,1) where
  ``sp`` is 1): its forecast returns to the seasonal naive's shape,
  without a trend of its own;
* ``linear``: ``RNNForecaster(recurrent=False)``, our model's linear part
  alone (the ablation);
* ``rnn``: ``RNNForecaster(random_state=seed)``, the defaults;
* ``reduction``: ``make_reduction(LSTMRegressor(random_state=seed),
  window_length=min(max(2 sp, 10), n // 3), strategy="recursive")``, ``n``
  the training length (no intervals);
* ``reduction_linear``: the same with the regressor's linear start alone,
  fitted on every window (the reduction's ablation);
* ``reduction_conformal``: ``reduction`` inside sktime's
  ``ConformalIntervals`` (``method="conformal"``, Stankeviciute et al.,
  2021, without the Bonferroni correction), the sktime way to give a
  reduction intervals: the same forecasts, and intervals from the errors
  of about 25 refits at origins drawn from the training part's second half.

**Panel** (``--panel``): ``fpp3`` ``us_employment`` from 1990, the complete
monthly series, last 24 months held out; one global ``RNNForecaster`` (and
its linear part) against the same per-series ``snaive``, ``theta`` and
``ets`` and a global linear autoregression written out here in NumPy
(``global_ar``: least squares of the next 24 values on the last 24, every
window divided by its mean absolute value). ``--panel-models reduction
reduction_global`` adds the other entry point, ``make_reduction(LSTMRegressor())``
with windows of 24, per series (sktime fits one regressor per series) and
pooled over the series (``pooling="global"``: one regressor on every
series' windows, which are not scaled per series). ``--panel-data
visnights|prison|accommodation|arrivals|departures`` runs the same on a
small panel no issue names instead (``fpp2``/``fpp3``, the last two seasons
held out). ``nf_nhits``, ``nf_nbeats``, ``nf_lstm``, ``nf_nhits_robust`` and
``nf_nbeats_robust`` add neuralforecast's global models, if installed
(:mod:`benchmarks._neuralforecast`).

Metrics per series, then summarised over the series: MASE (the MAE over the
seasonal naive's in-sample MAE, lag ``sp``), sMAPE (%), the coverage of the
80 % interval and its interval score (MSIS: the Winkler score at 80 %,
scaled like MASE), and fit times (wall seconds, one torch thread). Both
tables count the series on which a model beats the seasonal naive, and
where a model and its linear part ran together, the series on which the
model is ahead of it (the ablation; on the panel per seed). torch
runs on ``--threads`` threads (default 1). The statistical contenders do
not depend on our code; ``--cache FILE`` keeps their forecasts between runs.
"""

import argparse
import json
import os
import platform
import time
import warnings

import numpy as np

from benchmarks._forecasting_data import (
    EXOG,
    EXTRA,
    FPP3,
    LONG,
    SERIES,
    SMALL_PANELS,
    WIDER,
    employment_singles,
    horizon,
    load_exog,
    load_series,
    panel_data,
    with_origins,
)
from benchmarks._forecasting_tables import print_panel, print_single

STATISTICAL = ("snaive", "ets", "theta", "sarima")
#: The models given exogenous ``X`` where a series has it (``--series exog``);
#: ``linear_no_x`` is ``linear`` without it, the others ignore it.
USES_X = ("linear", "rnn", "sarima")
SINGLE_MODELS = ("snaive", "ets", "theta", "linear", "rnn", "reduction",
                 "reduction_linear", "reduction_conformal")
PANEL_MODELS = ("snaive", "theta", "ets", "global_ar", "linear", "rnn")
COVERAGE = 0.8

#: Seed of AutoETS's simulated intervals (multiplicative models).
ETS_SIMULATION_SEED = 0

#: Origins at which ``reduction_conformal`` refits the reduction.
CONFORMAL_ORIGINS = 25


# ----------------------------------------------------------------------
# Contenders
#: Settings other than the defaults for ``rnn`` (``--rnn-params``).
RNN_PARAMS = {}


def make_model(name, sp, seed, threads, n_train=None):
    """A fresh contender (an sktime forecaster)."""
    if name == "snaive":
        from sktime.forecasting.naive import NaiveForecaster

        return NaiveForecaster(strategy="last", sp=sp)
    if name == "ets":
        from sktime.forecasting.ets import AutoETS

        return AutoETS(auto=True, sp=sp, n_jobs=1, random_state=ETS_SIMULATION_SEED)
    if name == "theta":
        from sktime.forecasting.theta import ThetaForecaster

        return ThetaForecaster(sp=sp, deseasonalize=sp > 1)
    if name == "sarima":
        from sktime.forecasting.sarimax import SARIMAX

        if sp > 1:
            return SARIMAX(order=(2, 0, 0), seasonal_order=(0, 1, 1, sp), trend="n")
        return SARIMAX(order=(2, 1, 1), trend="n")
    if name in ("rnn", "linear", "linear_no_x"):
        from sklearn_rnn.sktime import RNNForecaster

        params = dict(random_state=seed, n_threads=threads)
        if name in ("linear", "linear_no_x"):
            params["recurrent"] = False
        else:
            params.update(RNN_PARAMS)
        return RNNForecaster(**params)
    if name == "reduction_conformal":
        from sktime.forecasting.conformal import ConformalIntervals

        # origins in the second half of the training part, where the
        # reduction has as many windows as the first half gives
        second_half = n_train // 2
        return ConformalIntervals(
            make_model("reduction", sp, seed, threads, n_train),
            initial_window=n_train - second_half,
            sample_frac=min(1.0, CONFORMAL_ORIGINS / second_half),
            method="conformal",
        )
    if name in ("reduction", "reduction_linear", "reduction_global"):
        from sktime.forecasting.compose import make_reduction

        from sklearn_rnn import LSTMRegressor

        window = min(max(2 * sp, 10), n_train // 3)
        regressor = LSTMRegressor(random_state=seed, n_threads=threads)
        if name == "reduction_linear":
            # The ablation: the regressor's linear start alone, fitted on
            # every window (one epoch at a learning rate too small to move it).
            regressor.set_params(early_stopping=False, max_iter=1,
                                 learning_rate_init=1e-30)
        pooling = "global" if name == "reduction_global" else "local"
        return make_reduction(regressor, window_length=window, strategy="recursive",
                              pooling=pooling)
    raise ValueError(f"unknown model {name!r}")


def run_model(model, y_train, fh, X_train=None, X_test=None):
    """Fit, forecast and (where available) the 80 % interval; times."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        start = time.perf_counter()
        model.fit(y_train, X=X_train, fh=fh)
        fit = time.perf_counter() - start
        pred = model.predict(X=X_test)
        lower = upper = None
        if model.get_tag("capability:pred_int"):
            try:
                interval = model.predict_interval(X=X_test, coverage=COVERAGE)
                lower = interval.iloc[:, 0].to_numpy()
                upper = interval.iloc[:, 1].to_numpy()
            except TypeError:
                # sktime 1.2's AutoETS passes statsmodels' simulate an argument
                # it no longer takes (multiplicative models): ask statsmodels.
                lower, upper = _ets_interval(model, len(y_train), len(pred))
    pred = np.asarray(pred).reshape(-1)
    return dict(pred=pred, lower=lower, upper=upper, fit=fit, model=model)


def _ets_interval(model, n_train, h):
    """AutoETS's interval from statsmodels, its simulations seeded.

    Multiplicative models' intervals are simulated; unseeded, the 13 series'
    pooled coverage moved between runs (0.744 to 0.765).
    """
    results = model._fitted_forecaster
    frame = results.get_prediction(start=n_train, end=n_train + h - 1,
                                   rng=np.random.default_rng(ETS_SIMULATION_SEED))
    frame = frame.summary_frame(alpha=1 - COVERAGE)
    return frame["pi_lower"].to_numpy(), frame["pi_upper"].to_numpy()


def global_ar(y_train, window, horizon_):
    """Global least-squares AR on mean-scaled windows (the issue's reference)."""
    start = time.perf_counter()
    rows, targets = [], []
    series = [g.to_numpy(dtype=float).ravel() for _, g in y_train.groupby(level=0)]
    for values in series:
        w = np.lib.stride_tricks.sliding_window_view(values, window + horizon_)
        scale = np.abs(w[:, :window]).mean(axis=1, keepdims=True)
        scale[scale == 0] = 1.0
        rows.append(w[:, :window] / scale)
        targets.append(w[:, window:] / scale)
    design = np.concatenate(rows)
    design = np.hstack([design, np.ones((len(design), 1))])
    coef = np.linalg.lstsq(design, np.concatenate(targets), rcond=None)[0]
    preds = []
    for values in series:
        last = values[-window:]
        scale = np.abs(last).mean() or 1.0
        preds.append(np.append(last / scale, 1.0) @ coef * scale)
    fit = time.perf_counter() - start
    return dict(pred=np.concatenate(preds), lower=None, upper=None, fit=fit)


# ----------------------------------------------------------------------
# Metrics
def metrics(y_train, y_test, run, sp):
    """MASE, sMAPE (%), 80 % coverage and MSIS of one series' forecast."""
    train = np.asarray(y_train, dtype=float)
    test = np.asarray(y_test, dtype=float)
    pred = run["pred"]
    lag = sp if len(train) > sp else 1
    scale = np.mean(np.abs(train[lag:] - train[:-lag]))
    err = np.abs(test - pred)
    out = dict(
        mase=float(err.mean() / scale),
        smape=float(100 * np.mean(2 * err / (np.abs(test) + np.abs(pred)))),
        coverage=np.nan, msis=np.nan,
    )
    if run.get("lower") is not None:
        lo, hi = run["lower"], run["upper"]
        a = 1 - COVERAGE
        winkler = (hi - lo) + 2 / a * (lo - test) * (test < lo) + 2 / a * (test - hi) * (test > hi)
        out["coverage"] = float(np.mean((test >= lo) & (test <= hi)))
        out["msis"] = float(winkler.mean() / scale)
        out["n_covered"] = int(np.sum((test >= lo) & (test <= hi)))
    out["n_points"] = len(test)
    return out


def honesty(run):
    """What the fitted model says of its recurrent part, if it says anything."""
    model = run.get("model")
    if model is None:
        return ""
    if hasattr(model, "recurrent_improvement_"):
        if model.recurrent_improvement_ is None:
            return ""
        kept = " (kept)" if model.kept_linear_start_ else ""
        return f"{100 * model.recurrent_improvement_:+.0f}%{kept}"
    model = getattr(model, "forecaster_", model)  # inside ConformalIntervals
    est = getattr(model, "estimator_", None)
    if est is not None and getattr(est, "best_epoch_", None) is not None:
        return "start kept" if est.best_epoch_ == 0 else f"epoch {est.best_epoch_}"
    return ""


# ----------------------------------------------------------------------
# Single series
def single_series(specs, models, seeds, threads, cache):
    from sktime.forecasting.base import ForecastingHorizon

    results = {}  # (series, model, seed) -> metrics
    for spec in specs:
        y, X = load_series(spec), load_exog(spec)
        h = horizon(spec, len(y))
        fh = ForecastingHorizon(np.arange(1, h + 1), is_relative=True)
        for name in models:
            for seed in (seeds if name not in STATISTICAL else [None]):
                per = []
                for k in range(spec.origins, 0, -1):  # one horizon apart
                    end = len(y) - k * h
                    origin = "" if spec.origins == 1 else f"@{end}"
                    m = _one_fit(spec, name, seed, threads, cache, y.iloc[:end],
                                 y.iloc[end : end + h], fh, origin,
                                 None if X is None or name not in USES_X else X.iloc[:end + h])
                    if m is None:
                        break
                    per.append(m)
                if len(per) < spec.origins:
                    results[spec.name, name, seed] = dict(
                        mase=np.nan, smape=np.nan, coverage=np.nan, msis=np.nan,
                        fit=np.nan, note="failed")
                    continue
                m = _over_origins(per)
                results[spec.name, name, seed] = m
                print(f"  {spec.name:12s} {name:10s} seed {seed}: MASE {m['mase']:.3f} "
                      f"sMAPE {m['smape']:.1f} cov {m['coverage']:.2f} "
                      f"MSIS {m['msis']:.2f} fit {m['fit']:.1f}s {m['note']}", flush=True)
    return results


def _one_fit(spec, name, seed, threads, cache, y_train, y_test, fh, origin, X=None):
    """Metrics of one model fitted at one origin (None where it failed).

    ``X``: exogenous data over the training part and the horizon, for the
    models of :data:`USES_X`.
    """
    key = f"{spec.name}{origin}/{name}"
    if name in STATISTICAL and key in cache:
        run = {k: (None if v is None else np.asarray(v) if isinstance(v, list) else v)
               for k, v in cache[key].items()}
    else:
        try:
            model = make_model(name, spec.sp, seed, threads, len(y_train))
            if name == "reduction_conformal":
                # sktime draws the refits' origins from NumPy's global generator
                np.random.seed(seed)
            n = len(y_train)
            run = run_model(model, y_train, fh, *((None, None) if X is None
                                                   else (X.iloc[:n], X.iloc[n:])))
        except Exception as exc:  # a contender failing is a result too
            print(f"  {spec.name}{origin} {name} seed {seed}: FAILED "
                  f"({type(exc).__name__}: {exc})"[:300], flush=True)
            return None
        if name in STATISTICAL:
            cache[key] = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                          for k, v in run.items() if k != "model"}
    m = metrics(y_train, y_test, run, spec.sp)
    m["fit"] = run["fit"]
    m["note"] = honesty(run)
    return m


def _over_origins(per):
    """One origin's metrics as they are; several: means, coverage pooled."""
    if len(per) == 1:
        return per[0]
    out = {k: float(np.mean([p[k] for p in per])) for k in ("mase", "smape", "msis", "fit")}
    out["per_origin_mase"] = [p["mase"] for p in per]
    out["coverage"] = np.nan
    if "n_covered" in per[0]:
        out["n_covered"] = sum(p["n_covered"] for p in per)
        out["n_points"] = sum(p["n_points"] for p in per)
        out["coverage"] = out["n_covered"] / out["n_points"]
    notes = [p["note"] for p in per if p["note"]]
    out["note"] = f"{notes[0]} ... {notes[-1]}" if len(notes) > 1 else "".join(notes)
    return out


# ----------------------------------------------------------------------
# Panel
def panel(models, seeds, threads, cache, n_series=None, back=0, data="us_employment"):
    from sktime.forecasting.base import ForecastingHorizon

    from benchmarks._neuralforecast import check_models, run_neuralforecast

    check_models(models)  # before any fit
    y_train, y_test, sp, h = panel_data(data, back)
    column = y_train.columns[0]
    ids = list(dict.fromkeys(y_train.index.get_level_values(0)))
    if n_series:
        ids = ids[:n_series]
        y_train = y_train.loc[ids]
        y_test = y_test.loc[ids]
    fh = ForecastingHorizon(np.arange(1, h + 1), is_relative=True)
    print(f"{data}: {len(ids)} series x "
          f"{len(y_train) // len(ids)} training steps, last {h} held out"
          + (f" (the last {back} steps dropped first)" if back else ""), flush=True)
    results = {}
    for name in models:
        ours = ("rnn", "linear", "reduction", "reduction_global")
        for seed in (seeds if name in ours or name.startswith("nf_") else [None]):
            if name == "global_ar" or name.startswith("nf_"):
                run = (global_ar(y_train, 2 * sp, h) if name == "global_ar" else
                       run_neuralforecast(name, y_train, h, sp, seed, threads))
                runs = _split_runs(run, ids, h)
                fit = run["fit"]
            elif name in ours:
                model = make_model(name, sp, seed, threads, len(y_train))
                run = run_model(model, y_train, fh)
                runs = _split_runs(run, ids, h)
                fit = run["fit"]
                run["note"] = honesty(run)
            else:
                runs, fit = {}, 0.0
                for sid in ids:
                    key = f"{data}:{sid}/{name}" + (f"/back{back}" if back else "")
                    if key in cache:
                        r = {k: (None if v is None else np.asarray(v) if isinstance(v, list) else v)
                             for k, v in cache[key].items()}
                    else:
                        yi = y_train.loc[sid][column]
                        try:
                            r = run_model(make_model(name, sp, None, threads), yi, fh)
                        except Exception as exc:
                            print(f"  {sid} {name}: FAILED ({exc})"[:200])
                            r = run_model(make_model("snaive", sp, None, threads), yi, fh)
                        cache[key] = {k: (v.tolist() if isinstance(v, np.ndarray) else v)
                                      for k, v in r.items() if k != "model"}
                    runs[sid] = r
                    fit += r["fit"]
            per = [metrics(y_train.loc[sid][column], y_test.loc[sid][column],
                           runs[sid], sp) for sid in ids]
            m = _pool(per)
            m["per_series_mase"] = [p["mase"] for p in per]
            m["fit"] = fit
            m["note"] = run.get("note", "") if name in ours else ""
            results[data, name, seed] = m
            print(f"  panel {name:10s} seed {seed}: MASE {m['mase']:.3f} "
                  f"(median {m['median_mase']:.3f}) sMAPE {m['smape']:.2f} "
                  f"cov {m['coverage']:.3f} MSIS {m['msis']:.2f} fit {fit:.1f}s "
                  f"{m['note']}", flush=True)
    return results


def _split_runs(run, ids, h):
    out = {}
    for i, sid in enumerate(ids):
        part = slice(i * h, (i + 1) * h)
        out[sid] = {k: (None if run[k] is None else run[k][part])
                    for k in ("pred", "lower", "upper")}
    return out


def _pool(per):
    """Mean over series (MASE, sMAPE, MSIS); coverage pooled over points."""
    mase = [p["mase"] for p in per]
    out = dict(mase=float(np.mean(mase)), median_mase=float(np.median(mase)),
               smape=float(np.mean([p["smape"] for p in per])),
               msis=float(np.mean([p["msis"] for p in per])), coverage=np.nan)
    if "n_covered" in per[0]:
        out["coverage"] = sum(p["n_covered"] for p in per) / sum(p["n_points"] for p in per)
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--series", nargs="*", default=None,
                        help="series names, 'all' or none given (the issue's 13), "
                             "'extra' (8 unnamed ones), 'wider' (20 more "
                             "unnamed ones), 'fpp3' (8 from fpp3, one weekly), "
                             "'employment48' (the 145 "
                             "us_employment series cut to 48 training months "
                             "each, forecast one by one; any number of months), "
                             "'long' (4 long ones, "
                             "several origins each), 'exog' (4 with exogenous X "
                             "known over the horizon) or 'none'")
    parser.add_argument("--models", nargs="+", default=list(SINGLE_MODELS))
    parser.add_argument("--panel-models", nargs="+", default=list(PANEL_MODELS),
                        help="default: %(default)s; also reduction, reduction_global "
                             "and (neuralforecast installed) nf_nhits, nf_nbeats, nf_lstm, "
                             "nf_nhits_robust, nf_nbeats_robust")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0])
    parser.add_argument("--panel", action="store_true", help="run the us_employment panel")
    parser.add_argument("--panel-only", action="store_true")
    parser.add_argument("--panel-data", default="us_employment",
                        choices=["us_employment", *SMALL_PANELS],
                        help="the panel: us_employment (default; monthly, 145 "
                             "series) or a small one no issue names")
    parser.add_argument("--panel-series", type=int, default=None,
                        help="only the first N panel series")
    parser.add_argument("--panel-back", type=int, default=0,
                        help="drop the panel's last N steps (months, quarters) "
                             "first: an earlier forecast origin, a check against "
                             "tuning to the held-out steps")
    parser.add_argument("--origins", type=int, default=None,
                        help="forecast each single series from up to N origins, "
                             "one horizon apart, the last at the usual split, "
                             "each with at least two horizons of training "
                             "(a check of the single split; default: one "
                             "origin, several for the long series)")
    parser.add_argument("--quick", action="store_true",
                        help="4 series (airline, lynx, euretail, USAccDeaths), seed 0")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--rnn-params", type=json.loads, default={},
                        help='RNNForecaster settings for rnn, as JSON, e.g. '
                             '\'{"n_networks": 1}\' (default: the defaults)')
    parser.add_argument("--cache", default=None,
                        help="JSON file for the statistical contenders' forecasts")
    parser.add_argument("--json", default=None, help="write all results here")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    RNN_PARAMS.update(args.rnn_params)
    warnings.simplefilter("ignore")
    cache = {}
    if args.cache and os.path.exists(args.cache):
        with open(args.cache) as f:
            cache = json.load(f)
    if args.quick:
        wanted = ["airline", "lynx", "euretail", "USAccDeaths"]
        args.seeds = args.seeds[:1]
    elif args.series is None or args.series == ["all"]:
        wanted = [s.name for s in SERIES]
    elif args.series == ["extra"]:
        wanted = [s.name for s in EXTRA]
    elif args.series == ["wider"]:
        wanted = [s.name for s in WIDER]
    elif args.series == ["fpp3"]:
        wanted = [s.name for s in FPP3]
    elif args.series == ["long"]:
        wanted = [s.name for s in LONG]
    elif args.series == ["exog"]:
        wanted = [s.name for s in EXOG]
    elif args.series == ["none"]:
        wanted = []
    else:
        wanted = args.series
    if args.panel_only:
        wanted = []
    by_name = {s.name: s for s in SERIES + EXTRA + WIDER + FPP3 + LONG + EXOG}
    if len(wanted) == 1 and wanted[0].startswith("employment"):
        singles = employment_singles(int(wanted[0][len("employment"):]), args.panel_back)
        by_name = {s.name: s for s in singles}
        wanted = list(by_name)
    unknown = [w for w in wanted if w not in by_name]
    if unknown:
        raise SystemExit(f"unknown series {unknown}; known: {sorted(by_name)}")
    specs = [by_name[w] for w in wanted]
    if args.origins:
        specs = with_origins(specs, args.origins)

    print(f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} "
          f"logical CPUs; torch {torch.__version__}, torch threads "
          f"{torch.get_num_threads()}, OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}; "
          f"seeds {args.seeds}", flush=True)
    if hasattr(os, "getloadavg"):
        print("Load average (1, 5, 15 min): " + ", ".join(f"{x:.1f}" for x in os.getloadavg()))
    out = {}
    try:
        if specs:
            res = single_series(specs, args.models, args.seeds, args.threads, cache)
            print_single(res, specs, args.models, args.seeds)
            out["single"] = {"/".join(map(str, k)): v for k, v in res.items()}
        if args.panel or args.panel_only:
            res = panel(args.panel_models, args.seeds, args.threads, cache,
                        args.panel_series, args.panel_back, args.panel_data)
            print_panel(res, args.seeds)
            out["panel"] = {"/".join(map(str, k)): v for k, v in res.items()}
    finally:
        if args.cache:
            with open(args.cache, "w") as f:
                json.dump(cache, f)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(out, f, indent=1, default=float)
    return out


if __name__ == "__main__":
    main()
