"""Fit and apply :class:`~sklearn_rnn.sktime.RNNForecaster`'s residual design.

The linear start (:mod:`sklearn_rnn.sktime._linear_start`) is fitted on the
training windows, the networks (``n_networks``, averaged) on the start's
residuals; the validation tail (the latest windows of every series) decides
whether they are kept and calibrates the quantiles. Works on normalised windows; the forecaster
maps the outputs back to the data's units.
"""

import copy
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state

from ._linear_start import (
    CONFIDENT_HORIZONS,
    auto_window_length,
    combination_weights,
    conformal_factors,
    fit_direct,
    fit_linear,
    gain_in_standard_errors,
    iterate_linear,
    n_before_tail,
    noise_ratios,
    pinball,
    predict_direct,
    residual_quantiles,
    scale_around_median,
    series_scale,
)
from ._panel import batch_first_inputs
from ._seasonal_arma import fit_seasonal_arma, forecast_seasonal_arma
from ._theta import fit_theta, forecast_theta

#: Fewest independent horizons the validation tail must hold (its windows
#: over the horizon: windows one step apart overlap) for the network to be
#: trusted over the start: on fewer, the comparison is noise, and the
#: forecasts keep the start. On single series (1 to 10 of them) the network
#: kept on any validation gain was behind its start on the test part in 14
#: of 21 fits (docs/forecasting.md); a panel's tail holds hundreds.
MIN_VALID_HORIZONS = 10

#: Standard errors by which the networks' mean gain per validation window
#: must exceed the noise for them to be trusted over the start, the tail's
#: independent horizons counted as its sample size (the core's rule for its
#: start, :data:`~sklearn_rnn._training.START_GAIN_Z`, with the windows'
#: overlap taken into account). On visnights at an earlier origin the
#: networks were kept on a gain of 0.4 % (0.3 standard errors) and were
#: behind the start on 18 of 20 series (docs/forecasting.md).
TAIL_GAIN_Z = 1.0


#: The forms of the linear start, in the order of ``linear_weights_``.
FORMS = ("recursive", "direct", "seasonal_arma", "theta")

#: The largest batch ``batch_size="auto"`` reaches: twice the core's 200, so
#: that an ensemble on a panel's many windows stays affordable.
AUTO_BATCH_MAX = 400


def linear_start(forecaster, coef, extra):
    """The linear start for raw windows, in their normalised units.

    The start is the mean of its forms (:data:`FORMS`, see
    :func:`form_forecast`) weighted by ``linear_weights_``, plus the effect of
    exogenous ``X`` over the horizon, ``extra["xb"]`` (normalised; see
    :mod:`~sklearn_rnn.sktime._exogenous`, whose error series the forms
    forecast). ``extra`` holds
    the raw windows ``raw`` (n, L, n_channels), their normalisation ``loc``
    and ``scale`` and their series' scale ``series_scale`` (each (n,
    n_channels)), and for the seasonal ARMA the series (``values``), each
    window's series (``sid``) and the position after its last step
    (``end``); returns shape (n, n_channels * horizon_).
    """
    f = forecaster
    out = extra["xb"].copy()  # exogenous X's effect (zeros without X)
    for form, weight in f.linear_weights_.items():
        if weight > 0:
            out += weight * form_forecast(f, form, coef, extra)
    return out


def drift_scale(forecaster, key, err):
    """The scale series ``key``'s one-step drift is in: fit's, else ``err``'s.

    The one-step form's coefficients are fitted in units of each series'
    scale at fit (its mean absolute value), and ``update`` keeps them: the
    series' scale after an update made a straight line's drift 19 % too
    steep (100 + 2 t, 60 values then 30 more). Before fit has set them, and
    for a model pickled without them, the scale of ``err``.
    """
    scales = getattr(forecaster, "_drift_scales", None) or {}
    return scales[key] if key in scales else series_scale(err)


def form_forecast(forecaster, form, coef, extra):
    """One form of the linear start, in normalised units (see :func:`linear_start`).

    ``"recursive"``: the one-step autoregression iterated over the horizon;
    ``"direct"``: the direct one; ``coef`` holds their coefficients by
    name. ``"seasonal_arma"``: the seasonal ARMA on seasonal differences
    (:mod:`~sklearn_rnn.sktime._seasonal_arma`); ``"theta"``: the Theta
    method (:mod:`~sklearn_rnn.sktime._theta`); both from each window's
    whole history, with their parameters in ``coef``.
    """
    f = forecaster
    raw, loc, scale = extra["raw"], extra["loc"], extra["scale"]
    if form == "direct":
        return predict_direct(coef["direct"], (raw - loc[:, None, :]) / scale[:, None, :])
    if form == "seasonal_arma":
        out = forecast_seasonal_arma(extra["values"], coef["seasonal_arma"],
                                     f.seasonal_period_, f.horizon_,
                                     extra["sid"], extra["end"])
    elif form == "theta":
        out = forecast_theta(extra["values"], coef["theta"], f.seasonal_period_,
                             f.horizon_, extra["sid"], extra["end"])
    else:
        out = iterate_linear(coef["recursive"], raw, f.horizon_, extra["series_scale"])
    out = (out - loc[:, :, None]) / scale[:, :, None]
    return out.reshape(len(raw), -1)


def fit_residual_model(forecaster, windows, targets, extra, series):
    """Fit the linear start, the network on its residuals, and the intervals.

    ``windows`` are the network's inputs, ``targets`` (n, n_channels * horizon)
    the normalised horizons, ``extra`` the raw windows (``raw``), their
    ``loc`` and ``scale`` and the series each comes from (``sid``), in the
    same order; ``series`` the forecaster's series. Sets the fitted
    attributes on ``forecaster``.
    """
    f = forecaster
    levels = f.quantile_levels_
    n = len(windows)
    split = _validation_split(f, n)
    start = _fit_linear_start(f, targets, extra, series, split)
    residuals = targets - start
    f._residual_quantiles = None
    if levels is not None:
        f._residual_quantiles = residual_quantiles(
            residuals[:split] / _noise(f, extra["sid"][:split]), levels)
    f.regressor_ = None
    f.regressors_ = []
    f.recurrent_improvement_ = None
    f.kept_linear_start_ = True
    f.interval_factors_ = None
    if f.recurrent:
        f.regressors_ = fit_networks(f, windows, residuals, levels)
        f.regressor_ = f.regressors_[0]
        f.kept_linear_start_ = False
    if split < n:
        _judge_on_tail(f, windows[split:], targets[split:], start[split:],
                       extra["sid"][split:])
    if levels is not None and f.kept_linear_start_:
        _warn_without_width(f, split, targets, series)
    if f.kept_linear_start_ and f._x_columns is not None and f.exog_coef_ is None:
        why = ("recurrent=False" if not f.recurrent else
               "the networks were not kept (kept_linear_start_; see verbose=1)")
        warnings.warn(
            f"Exogenous X did not inform these forecasts: {why}, and in the linear "
            "start X's regression on the series' seasonal differences did not hold "
            "up on their latest validation_fraction (exog_coef_ is None).",
            UserWarning, stacklevel=2,
        )


def _warn_without_width(f, split, targets, series):
    """Warn where every interval of the start's forecasts has no width.

    Its quantiles are the empirical quantiles of its training residuals
    (``_residual_quantiles``), which the tail's factors only scale: from a
    single training window (a short series: the others are the validation
    tail) or from tied residuals (a constant stretch, a series forecast
    exactly), every level has the same value, and every interval is the
    point forecast. Not where the median is the only level
    (``quantiles=(0.5,)``): no interval was asked for.
    """
    if np.shape(f._residual_quantiles)[-1] < 2:
        return
    spread = np.ptp(f._residual_quantiles, axis=-1)
    tiny = 1e-9 * max(float(np.mean(np.abs(targets))), 1e-300)
    if np.any(spread > tiny):
        return
    if split > 1:
        why = (f"the linear start's errors on its {split} training windows are all "
               "equal (a constant stretch, or a series it forecasts exactly), so "
               "every level of their quantiles has the same value")
    else:
        longest = max(len(s.y) for s in series)
        needed = _observations_for_two_training_windows(f, longest)
        more = ("longer series" if len(series) > 1 or needed is None else
                f"a series of at least {needed} observations (this one has {longest})")
        n = len(targets)
        held = (f"of the {n} windows of this data only 1 is before the validation "
                "tail" if split < n else "this data gives a single window")
        why = (f"{held}, and the quantiles of the linear start's errors come from "
               "the training windows: a single error gives every level the same "
               f"value. With window_length={f.window_length!r} and horizon_="
               f"{f.horizon_}, {more} gives 2; or use a shorter fh or a smaller "
               "window_length")
    warnings.warn(
        f"RNNForecaster's prediction intervals have no width (every quantile is "
        f"the point forecast): {why}.", UserWarning, stacklevel=3,
    )


def _observations_for_two_training_windows(f, longest):
    """The fewest observations past ``longest`` that give a single series 2
    training windows (before its validation tail; None beyond 10000)."""
    for m in range(longest + 1, longest + 10000):
        length = f.window_length
        if length == "auto":
            length = auto_window_length(f.seasonal_period_, f.horizon_, m)
        windows = m - length - f.horizon_ + 1
        if not f.early_stopping:
            train = windows
        else:
            train = n_before_tail(windows, f.validation_fraction)
        if train >= 2:
            return m
    return None


def _validation_split(f, n):
    """Windows before the validation tail (all of them without early stopping)."""
    if not f.early_stopping:
        return n
    split = n_before_tail(n, f.validation_fraction)
    if split < 1 or split == n:
        shorter = ("" if f.window_length_ == 1 else " a smaller window_length"
                   + ("," if f.window_length == "auto" else " (or 'auto'),"))
        raise ValueError(
            f"RNNForecaster has {n} training window(s), too few for a "
            f"validation tail of validation_fraction={f.validation_fraction} "
            f"and a training part. Set early_stopping=False, or use{shorter} "
            "a shorter fh or a longer series."
        )
    return split


def _fit_linear_start(f, targets, extra, series, split):
    """Fit the start's forms, weigh them on the tail; the start of every window.

    Sets ``linear_weights_`` and ``linear_coef_`` (the forms refitted on all
    the data, for the forecasts) and returns the start's outputs for every
    window, from the forms fitted before the tail.
    """
    n = len(targets)
    train, valid = slice(0, split), slice(split, n)
    xb = extra["xb"]  # the forms forecast the error series y - X beta
    targets = targets - xb
    # The forms are fitted, and weighed, without any value of the validation
    # windows' horizons: each series is cut before its first validation
    # target, and the direct form learns from the training windows whose
    # horizons end there. (Cut by the validation windows alone, the forms
    # had seen all but the last few of the tail's targets, and the most
    # flexible looked best.)
    held = np.bincount(extra["sid"][valid], minlength=len(series))
    cut = np.where(held > 0, held + f.horizon_ - 1, 0)
    L, sp = f.window_length_, f.seasonal_period_
    values = [v[: len(v) - k] for v, k in zip(extra["values"], cut)]
    f._noise_ratio = noise_ratios([v if len(v) > sp else w
                                   for v, w in zip(values, extra["values"])],
                                  sp, f.window_normalization_)
    usable = np.array([len(v) for v in values])[extra["sid"][train]]
    before_tail = extra["end"][train] + f.horizon_ <= usable
    past = (extra["raw"] - extra["loc"][:, None, :]) / extra["scale"][:, None, :]
    # the one-step form's drift is in units of the scale of the series it was
    # fitted on: here the cut ones (the whole series' scale made it 1.3 to
    # 1.7 times too steep on a growing series' tail, where the forms are weighed)
    scales = np.stack([series_scale(v if len(v) else w)
                       for v, w in zip(values, extra["values"])])
    extra = {**extra, "series_scale": scales[extra["sid"]]}
    coef = dict.fromkeys(FORMS)
    # the forms' forecasts are bounded where they forecast (refitted on all
    # the data, or here without a tail); the tail weighs each form as fitted
    coef["recursive"] = fit_linear(values, L, sp,
                                   horizon=f.horizon_ if split == n else None)
    f.linear_weights_ = dict.fromkeys(FORMS, 0.0)
    f.linear_weights_["recursive"] = 1.0
    start = form_forecast(f, "recursive", coef, extra)
    if split < n:
        # The direct start, the seasonal ARMA and the Theta method join the
        # one-step start, each weighted by how well it forecasts the
        # validation tail; the direct start only with more training windows
        # than it has coefficients per step (on fewer, its least squares
        # interpolate them)
        coef["seasonal_arma"] = fit_seasonal_arma(values, sp)
        coef["theta"] = fit_theta(values, sp)
        if before_tail.sum() > past.shape[1] * past.shape[2] + 1:
            coef["direct"] = fit_direct(past[train][before_tail],
                                        targets[train][before_tail], sp)
        names = [form for form in FORMS if coef[form] is not None]
        forms = {form: form_forecast(f, form, coef, extra) for form in names}
        weights = combination_weights(
            [_loss(forms[form][valid], targets[valid], None) for form in names],
            n - split, f.horizon_, n_series=np.count_nonzero(held),
        )
        f.linear_weights_ = dict.fromkeys(FORMS, 0.0)
        f.linear_weights_.update(zip(names, map(float, weights)))
        start = sum(w * forms[form] for form, w in zip(names, weights))
    f.linear_coef_ = coef
    if split < n:  # the forecasts use the forms refitted on all the data
        f.linear_coef_ = _refit_forms(f, targets, past, extra["values"])
    return start + xb


def _refit_forms(f, targets, past, y):
    """The forms with a weight, refitted on all the data (None for the others)."""
    weights = f.linear_weights_
    L, sp = f.window_length_, f.seasonal_period_
    return {
        "recursive": (fit_linear(y, L, sp, horizon=f.horizon_)
                      if weights["recursive"] > 0 else None),
        "direct": fit_direct(past, targets, sp) if weights["direct"] > 0 else None,
        "seasonal_arma": (fit_seasonal_arma(y, sp)
                          if weights["seasonal_arma"] > 0 else None),
        "theta": fit_theta(y, sp) if weights["theta"] > 0 else None,
    }


def _judge_on_tail(f, windows, targets, start, sid):
    """On the validation tail: keep the network or the start; calibrate.

    Sets ``recurrent_improvement_``, ``kept_linear_start_`` and
    ``interval_factors_``; prints the verdict with ``verbose``.
    """
    levels = f.quantile_levels_
    n_valid = len(windows)
    start_valid = _outputs(f, None, start, sid)
    full_valid = None
    if f.regressor_ is not None:
        full_valid = _outputs(f, windows, start, sid)
        start_losses = _window_losses(start_valid, targets, levels)
        full_losses = _window_losses(full_valid, targets, levels)
        loss_start, loss_full = float(start_losses.mean()), float(full_losses.mean())
        improvement = 1.0 - loss_full / loss_start if loss_start > 0 else 0.0
        f.recurrent_improvement_ = float(improvement)
        horizons = n_valid / f.horizon_
        too_few = horizons < MIN_VALID_HORIZONS
        gain_z = gain_in_standard_errors(start_losses - full_losses, horizons)
        f.kept_linear_start_ = too_few or not gain_z > TAIL_GAIN_Z
        if f.verbose:
            verdict = (
                "keeping the linear start" if f.kept_linear_start_
                else "keeping the network"
            )
            if too_few:
                verdict += (
                    f" (the {n_valid} validation windows hold {horizons:.1f} "
                    f"independent horizons of {f.horizon_} steps, fewer than "
                    f"{MIN_VALID_HORIZONS}: too few to trust the network)"
                )
            elif improvement > 0:
                needed = f"; more than {TAIL_GAIN_Z:g} needed" if f.kept_linear_start_ else ""
                verdict += (
                    f" (a gain of {gain_z:.1f} standard errors over "
                    f"{horizons:.1f} independent horizons{needed})"
                )
            change = f"{abs(100 * improvement):.1f} % {'lower' if improvement >= 0 else 'higher'}"
            print(
                f"Validation loss: linear start {loss_start:.5f}, with the "
                f"recurrent networks {loss_full:.5f} ({change}): {verdict}."
            )
    chosen = start_valid if f.kept_linear_start_ else full_valid
    if levels is not None and f.calibrate_intervals:
        f.interval_factors_ = conformal_factors(
            chosen, targets, levels,
            narrow=n_valid / f.horizon_ >= CONFIDENT_HORIZONS,
        )


def network_seeds(random_state, n_networks):
    """The ``random_state`` of each network: the forecaster's for the first,
    integers drawn from it for the others."""
    if n_networks == 1:
        return [random_state]
    rng = check_random_state(random_state)
    drawn = rng.randint(np.iinfo(np.int32).max, size=n_networks - 1)
    return [random_state, *(int(seed) for seed in drawn)]


def fit_networks(forecaster, windows, residuals, levels):
    """Fit ``n_networks`` networks on the residuals, each from its own seed."""
    f = forecaster
    regressors = []
    batch_size = _batch_size(f, len(windows))
    for k, seed in enumerate(network_seeds(f.random_state, f.n_networks)):
        if f.verbose:
            # its gain below is over its own random starting weights: the
            # comparison with the linear start comes after the last network
            print(f"Network {k + 1} of {f.n_networks} on the linear start's residuals "
                  "(its losses and gain are against its own random starting weights; "
                  "the linear start is compared after the last network):")
        regressor = f._make_regressor(None if levels is None else tuple(levels))
        regressor.set_params(random_state=seed, batch_size=batch_size)
        with warnings.catch_warnings(), batch_first_inputs():
            if f.early_stopping:  # stopping early is the point here
                warnings.simplefilter("ignore", ConvergenceWarning)
            regressor.fit(windows, residuals)
        regressors.append(regressor)
    return regressors


def _batch_size(f, n_windows):
    """The core's ``"auto"`` (n / 8 within [16, 200]), up to ``AUTO_BATCH_MAX``;
    an integer above the windows the networks train on clipped, with one
    warning in the forecaster's words (the networks' own would come once
    per network and speak of samples)."""
    if f.batch_size != "auto":
        n_train = (n_before_tail(n_windows, f.validation_fraction) if f.early_stopping
                   else n_windows)
        if f.batch_size > n_train:
            warnings.warn(
                f"batch_size={f.batch_size} is larger than the {n_train} windows the "
                f"networks train on{' (before the validation tail)' * f.early_stopping}; "
                f"it is going to be clipped to {n_train}.")
            return n_train
        return f.batch_size
    if n_windows // 8 <= 200:
        return f.batch_size
    return min(n_windows // 8, AUTO_BATCH_MAX)


def update_networks(forecaster, windows, residuals):
    """Train every network ``update_epochs`` more epochs (a warm start).

    Copies train, and replace the networks only once every one has: where
    one fails (diverges), the others are not left trained on data the
    update refused.
    """
    f = forecaster
    updated = []
    for regressor in f.regressors_:
        regressor = copy.deepcopy(regressor)
        saved = regressor.get_params()
        regressor.set_params(
            warm_start=True, max_iter=f.update_epochs, early_stopping=False
        )
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            # a batch_size above the update's windows trains on them all
            warnings.filterwarnings("ignore", "Got `batch_size`")
            regressor.fit(windows, residuals)
        regressor.set_params(**saved)
        updated.append(regressor)
    f.regressors_ = updated
    f.regressor_ = updated[0]


def _network_outputs(f, inputs, shape):
    """The networks' residual outputs, averaged over the ensemble."""
    if f.quantile_levels_ is None:
        outs = [r.predict(inputs).reshape(shape) for r in f.regressors_]
    else:
        outs = [r.predict_quantiles(inputs).reshape(shape) for r in f.regressors_]
    return outs[0] if len(outs) == 1 else np.mean(outs, axis=0)


def predict_residual_model(forecaster, inputs, extra):
    """Normalised forecasts: (n, n_channels * horizon[, n_levels])."""
    f = forecaster
    start = linear_start(f, f.linear_coef_, extra)
    return _outputs(f, None if f.kept_linear_start_ else inputs, start, extra["sid"])


def _noise(f, sid):
    """Each window's series' noise-to-level ratio, shape (n, n_channels * horizon)."""
    ratio = getattr(f, "_noise_ratio", None)  # None: pickled before it existed
    if ratio is None:
        return np.ones((len(sid), f._residual_quantiles.shape[0]))
    return np.repeat(ratio[sid], f.horizon_, axis=1)


def _outputs(f, inputs, start, sid):
    """The start plus the network's (or the start's own) residual outputs.

    The start's own quantiles are its pooled residual quantiles, in units
    of each series' noise-to-level ratio (``sid``: each row's series).
    """
    levels = f.quantile_levels_
    if levels is None:
        if inputs is None:
            return start
        return start + _network_outputs(f, inputs, start.shape)
    if inputs is None:
        out = start[..., None] + f._residual_quantiles * _noise(f, sid)[..., None]
    else:
        out = start[..., None] + _network_outputs(f, inputs, (*start.shape, len(levels)))
    factors = f.interval_factors_
    if factors is not None:
        return scale_around_median(out, levels, factors)
    return np.sort(out, axis=-1)


def _window_losses(outputs, targets, levels):
    """Each window's loss, shape (n,): the mean pinball loss over
    ``levels``, or without them the mean squared error."""
    if levels is None:
        return np.mean((outputs - targets) ** 2, axis=1)
    return pinball(outputs, targets, levels)


def _loss(outputs, targets, levels):
    """The mean loss over the windows (:func:`_window_losses`)."""
    return float(np.mean(_window_losses(outputs, targets, levels)))
