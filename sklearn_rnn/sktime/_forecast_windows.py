"""The windows :class:`~sklearn_rnn.sktime.RNNForecaster` trains and forecasts on.

Each series is cut into windows of ``window_length_`` steps and the
``horizon_`` steps after them, normalised per window
(``window_normalization_``); the linear start reads the same windows raw,
with its series' scale and history (``extra``, see
:func:`~sklearn_rnn.sktime._residual.linear_start`). :func:`training_windows`
stacks every series' windows for fit and update; :func:`forecast` builds
each series' last window and maps the model's outputs back to the data's
units.
"""

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ..windowing import make_windows
from ._exogenous import error_windows, errors, future_effect
from ._linear_start import series_scale
from ._panel import (
    _assemble,
    _future_exog,
    _location_scale,
    forecast_index,
    from_origins,
    in_fitted_order,
    key_ranks,
)
from ._residual import drift_scale, predict_residual_model
from ._series import _split_series


def training_windows(forecaster, series, strict=True):
    """Stack the normalised training windows of all series.

    Windows are ordered by how far they end from the end of their series,
    oldest first, so that the core's tail validation split holds out the
    latest windows of every series; windows of one age by their series'
    key, so that the order of a panel's series changes nothing. Returns the
    network's inputs, the normalised targets (n, n_channels * horizon) and
    ``extra``; with ``strict=False`` empty arrays where no series is long
    enough (else a ``ValueError``).
    """
    f = forecaster
    L, H = f.window_length_, f.horizon_
    blocks, targets, extras, age, rank = [], [], [], [], []
    ranks = key_ranks([s.key for s in series])
    for i, s in enumerate(series):
        if len(s.y) < L + H:
            continue
        seqs, tgt, extra = _series_windows(f, s, L, H)
        extra["sid"] = np.full(len(seqs), i)
        blocks.append(seqs)
        targets.append(tgt)
        extras.append(extra)
        age.append(np.arange(len(seqs))[::-1])
        rank.append(np.full(len(seqs), ranks[i]))
    if not blocks:
        if not strict:
            return np.empty((0,)), np.empty((0,)), {}
        longest = max(len(s.y) for s in series)
        shorter = "a smaller window_length or " if L > 1 else ""
        raise ValueError(
            f"RNNForecaster needs at least window_length + horizon = "
            f"{L} + {H} = {L + H} observations in at least one series to "
            f"build a training window, but the longest series has "
            f"{longest}. Use {shorter}a shorter fh."
        )
    order = np.lexsort((np.concatenate(rank), -np.concatenate(age)))
    windows = np.concatenate(blocks)[order]
    extra = {k: np.concatenate([e[k] for e in extras])[order] for k in extras[0]}
    extra["values"] = [errors(f.exog_coef_, s) for s in series]
    return windows, np.concatenate(targets)[order], extra


def _series_windows(f, s, L, H):
    """Training sequences and targets of one series."""
    n_channels = s.y.shape[1]
    past, future = make_windows(s.y, window_length=L, horizon=H)
    future = future.reshape(len(past), n_channels, H)
    err = errors(f.exog_coef_, s)  # the series the start's forms forecast
    raw, effect = error_windows(s.y, err, past, future)
    reference = series_scale(s.y)
    loc, scale = _location_scale(past, f.window_normalization_, reference)
    past = (past - loc[:, None, :]) / scale[:, None, :]
    future = (future - loc[:, :, None]) / scale[:, :, None]
    exog = None if s.X is None else sliding_window_view(
        s.X, L + H, axis=0)[: len(past)].transpose(0, 2, 1)
    seqs = _assemble(past, exog, H)
    extra = {"raw": raw, "loc": loc, "scale": scale,
             "xb": (effect / scale[:, :, None]).reshape(len(raw), -1),
             "series_scale": np.tile(drift_scale(f, s.key, err), (len(raw), 1)),
             "end": np.arange(len(raw)) + L}
    return seqs, future.reshape(len(past), n_channels * H), extra


def series_to_forecast(forecaster):
    """The series held, in fit's order, each from its forecast origin."""
    f = forecaster
    series = in_fitted_order(_split_series(f._cur_y, f._cur_X), f._series_keys, "predict")
    return from_origins(series, getattr(f, "_origins", {}))


def forecast(forecaster, fh, X):
    """Model outputs for every series, mapped back to the data's units.

    Returns the forecast row index, the (series, step) position of each
    row, and an array of shape (n_series, n_channels, horizon_) or, with
    quantiles, (n_series, n_channels, horizon_, n_levels), sorted along the
    levels.
    """
    f = forecaster
    L, H = f.window_length_, f.horizon_
    series = series_to_forecast(f)
    index, rows = forecast_index(fh, series, H, f._cur_y.index)
    future_X = _future_exog(series, X, H, f._x_columns)
    seqs, raws, locs, scales, effects = [], [], [], [], []
    errs = [errors(f.exog_coef_, s) for s in series]  # the forms' series
    for s, fut, err in zip(series, future_X, errs):
        past = s.y[-L:][None]
        loc, scale = _location_scale(past, f.window_normalization_, series_scale(s.y))
        past = (past - loc[:, None, :]) / scale[:, None, :]
        exog = None
        if fut is not None:
            exog = np.concatenate([s.X[-L:], fut])[None]
        seqs.append(_assemble(past, exog, H)[0])
        # the linear start reads L steps: a short series' first in front
        raw = err[-L:]
        raws.append(np.pad(raw, ((L - len(raw), 0), (0, 0)), mode="edge"))
        locs.append(loc[0])
        scales.append(scale[0])
        effects.append((future_effect(f.exog_coef_, s, fut, H) / scale[0][:, None]).ravel())
    lengths = {len(seq) for seq in seqs}
    inputs = np.stack(seqs) if len(lengths) == 1 else seqs
    loc, scale = np.stack(locs), np.stack(scales)
    n_channels = loc.shape[1]
    extra = {"raw": np.stack(raws), "loc": loc, "scale": scale, "values": errs,
             "series_scale": np.stack([drift_scale(f, s.key, e)
                                       for s, e in zip(series, errs)]),
             "sid": np.arange(len(series)), "xb": np.stack(effects),
             "end": np.array([len(s.y) for s in series])}
    out = predict_residual_model(f, inputs, extra)
    if f.quantile_levels_ is None:
        out = out.reshape(len(series), n_channels, H)
        values = out * scale[:, :, None] + loc[:, :, None]
    else:
        out = out.reshape(len(series), n_channels, H, -1)
        values = out * scale[:, :, None, None] + loc[:, :, None, None]
        values = np.sort(values, axis=-1)
    return index, rows, values
