"""Nixtla's neuralforecast as optional panel contenders (``--panel-models nf_*``).

neuralforecast is not in the ``bench`` extra (it pulls lightning, ray and
optuna): install it with ``pip install -c .ci/constraints.txt neuralforecast``
(the constraints keep torch on the CPU wheel). Each model is fitted once on
the whole panel (neuralforecast's models are global) and called as a new
user calls it, ``h`` the horizon:

* ``nf_nhits``, ``nf_nbeats``: ``NHITS`` / ``NBEATS(h, input_size=2 sp)``,
  the defaults otherwise (``scaler_type="identity"``: no scaling);
* ``nf_lstm``: ``LSTM(h)``, its documented ``input_size=-1`` (3 h) and
  ``scaler_type="robust"``;
* ``nf_nhits_robust``, ``nf_nbeats_robust``: only ``scaler_type="robust"``
  changed.

All on the CPU with ``random_seed=seed``, the benchmark's torch threads,
and no progress bar, logger or checkpoints; point forecasts only (no
interval: coverage and MSIS show as nan).
"""

import logging
import time
import warnings

import numpy as np
import pandas as pd

INSTALL = "pip install -c .ci/constraints.txt neuralforecast"
#: name -> (neuralforecast model class, settings other than its defaults)
NF_MODELS = {
    "nf_nhits": ("NHITS", {}),
    "nf_nbeats": ("NBEATS", {}),
    "nf_lstm": ("LSTM", {}),
    "nf_nhits_robust": ("NHITS", {"scaler_type": "robust"}),
    "nf_nbeats_robust": ("NBEATS", {"scaler_type": "robust"}),
}
_QUIET = ("lightning", "lightning.pytorch", "lightning_fabric", "pytorch_lightning",
          "neuralforecast")


def check_models(models):
    """Refuse unknown ``nf_`` names, and all of them without neuralforecast.

    Called before any fit, so that a long run does not stop at its end.
    """
    wanted = [m for m in models if m.startswith("nf_")]
    unknown = [m for m in wanted if m not in NF_MODELS]
    if unknown:
        raise ValueError(f"unknown neuralforecast panel models {unknown}; "
                         f"known: {sorted(NF_MODELS)}")
    if wanted:
        _import_neuralforecast(wanted)


def _import_neuralforecast(wanted=("nf_*",)):
    try:
        import neuralforecast
    except ImportError as exc:
        raise ImportError(
            f"the panel models {list(wanted)} need neuralforecast, which is not "
            f"installed; install it with `{INSTALL}` (the constraints keep torch "
            "on the CPU wheel)") from exc
    return neuralforecast


def to_long(y):
    """An sktime ``pd-multiindex`` panel as neuralforecast's long frame.

    Columns ``unique_id`` (the instance), ``ds`` (a period's start as a
    timestamp) and ``y`` (the first column), in the panel's order; and the
    pandas frequency of ``ds`` (``"MS"`` for months).
    """
    times = y.index.get_level_values(1)
    if isinstance(times, pd.PeriodIndex):
        times = times.to_timestamp(how="start")
    frame = pd.DataFrame({"unique_id": y.index.get_level_values(0), "ds": times,
                          "y": np.asarray(y.iloc[:, 0], dtype=float)})
    first = frame["ds"][frame["unique_id"] == frame["unique_id"].iloc[0]]
    return frame, pd.infer_freq(pd.DatetimeIndex(first))


def from_long(forecast, ids, h, column):
    """neuralforecast's forecast frame as one run, series after series.

    ``pred`` holds ``h`` steps of each series of ``ids`` in that order, as
    :func:`benchmarks.forecasting._split_runs` reads them (neuralforecast
    returns its own order of series); no interval.
    """
    if "unique_id" not in forecast.columns:  # the index in some versions
        forecast = forecast.reset_index()
    preds = []
    for sid in ids:
        rows = forecast[forecast["unique_id"] == sid].sort_values("ds")
        if len(rows) != h:
            raise ValueError(f"neuralforecast's forecast has {len(rows)} steps of "
                             f"series {sid!r}, not the horizon's {h}")
        preds.append(rows[column].to_numpy(dtype=float))
    return dict(pred=np.concatenate(preds), lower=None, upper=None)


def make_nf_model(name, h, sp, seed, **params):
    """A fresh neuralforecast model of :data:`NF_MODELS` (``params``: more settings)."""
    import neuralforecast.models

    kind, settings = NF_MODELS[name]
    settings = dict(h=h, random_seed=seed, accelerator="cpu", devices=1,
                    enable_progress_bar=False, logger=False,
                    enable_model_summary=False, enable_checkpointing=False,
                    **settings, **params)
    if kind != "LSTM":  # NHITS and NBEATS have no default input size
        settings.setdefault("input_size", 2 * sp)
    return getattr(neuralforecast.models, kind)(**settings)


def run_neuralforecast(name, y_train, h, sp, seed, threads, **params):
    """Fit one model on the panel and forecast ``h`` steps; the fit's seconds.

    Returns ``dict(pred, lower=None, upper=None, fit)``, ``pred`` the series'
    forecasts one after another in the panel's order.
    """
    _import_neuralforecast([name])
    import torch
    from neuralforecast import NeuralForecast

    frame, freq = to_long(y_train)
    ids = list(dict.fromkeys(frame["unique_id"]))
    loggers = [logging.getLogger(n) for n in _QUIET]
    levels = [lg.level for lg in loggers]
    torch.set_num_threads(threads)
    try:
        for lg in loggers:
            lg.setLevel(logging.ERROR)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            model = make_nf_model(name, h, sp, seed, **params)
            nf = NeuralForecast(models=[model], freq=freq)
            start = time.perf_counter()
            nf.fit(df=frame)
            fit = time.perf_counter() - start
            forecast = nf.predict()
    finally:
        for lg, level in zip(loggers, levels):
            lg.setLevel(level)
    run = from_long(forecast, ids, h, str(model))
    run["fit"] = fit
    return run
