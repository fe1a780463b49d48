"""The linear start of :class:`~sklearn_rnn.sktime.RNNForecaster` and its intervals.

The forecaster is a residual design: a linear start on the normalised
windows (the weighted mean of the forms of :mod:`._residual`: one-step and
direct ridge autoregressions, a seasonal ARMA, the Theta method), the
recurrent networks learn the residual quantiles of that start, and a
validation tail decides whether the networks are kept and calibrates the
intervals (conformal, by a factor per pair of quantile levels). This module
holds the ridge fits, the seasonal period and the conformal factors. Plain
NumPy.
"""

import math
import warnings

import numpy as np
import pandas as pd
from numpy.lib.stride_tricks import sliding_window_view

#: Seasonal period by pandas offset (``sp="auto"``): the steps in a year
#: (months, quarters, weeks), a week (days, business days) or a day (hours).
#: A multiple of the offset divides it (``"2h"``: 12), where it divides.
_OFFSETS = pd.tseries.offsets
_PERIODS = (
    ((_OFFSETS.MonthEnd, _OFFSETS.MonthBegin, _OFFSETS.BusinessMonthEnd,
      _OFFSETS.BusinessMonthBegin, _OFFSETS.CustomBusinessMonthEnd,
      _OFFSETS.CustomBusinessMonthBegin), 12),
    ((_OFFSETS.SemiMonthEnd, _OFFSETS.SemiMonthBegin), 24),
    ((_OFFSETS.QuarterEnd, _OFFSETS.QuarterBegin, _OFFSETS.BQuarterEnd,
      _OFFSETS.BQuarterBegin), 4),
    ((_OFFSETS.Week,), 52),
    ((_OFFSETS.Day,), 7),
    ((_OFFSETS.BusinessDay, _OFFSETS.CustomBusinessDay), 5),
    ((_OFFSETS.Hour,), 24),
)

#: The same for a step of fixed length, whatever the offset that spells it
#: (``"7D"``, ``"W-SAT"``; ``"24h"``, ``"D"``): a week, a day or an hour
#: that the step divides.
_CYCLES = (
    (pd.Timedelta(weeks=1), 52),
    (pd.Timedelta(days=1), 7),
    (pd.Timedelta(hours=1), 24),
)

#: Ridge penalty of the linear start, per window, on normalised windows.
RIDGE = 0.1

#: The same for the direct linear start.
DIRECT_RIDGE = 1e-3

#: The most the one-step form's recursion may grow a disturbance over the
#: horizon where it forecasts (its spectral radius to the power of the
#: horizon). Fitted on 49 real series it grows one by at most 1.69
#: (JohnsonJohnson's earnings); an outlier among the latest values made it
#: explosive (airline with its last value ten times too high: a radius of
#: 2.3, forecasts of -5,831 and 1.4e7 within a year). Above it the penalty
#: is raised. The fits that the validation tail weighs are left as they
#: are: there an explosive fit is weighed by its errors (bounding them too
#: moved the median MASE of the 145 employment series of 48 months from
#: 0.503 to 0.561).
MAX_GROWTH = 2.0

#: With fewer independent horizons in the validation tail than this (its
#: windows over the horizon: windows one step apart overlap), calibration
#: only widens intervals: a conformal quantile of a few horizons (closer in
#: time than the ones forecast, and the ones the network was chosen on) is
#: too unsure to narrow them. (Counted in windows until the eighth
#: session: the long series' tails of 25 to 36 horizons narrowed their
#: intervals to 0.79 coverage, now 0.80; docs/forecasting.md.)
CONFIDENT_HORIZONS = 100


def seasonal_period(index):
    """The seasonal period of a time index, from its frequency (1 if unknown).

    A panel's (MultiIndex) is that of its longest series whose times give
    one (the times of all series pooled have none where the series leave a
    gap; a short series may look daily when it is business-daily).
    """
    offset = _offset(_series_times(index))
    if not isinstance(offset, pd.DateOffset):
        return 1
    duration = step_duration(offset)
    if duration is not None:  # "7D" is weekly, "24h" daily, "60min" hourly
        for cycle, period in _CYCLES:
            if duration % cycle == pd.Timedelta(0):
                steps = duration // cycle
                return period // steps if period % steps == 0 else 1
        return 1
    for kinds, period in _PERIODS:
        if isinstance(offset, kinds):
            steps = abs(offset.n)
            return period // steps if period % steps == 0 else 1
    return 1


def step_duration(offset):
    """The length of a step of ``offset`` as a ``pd.Timedelta``, or ``None``.

    Fixed lengths only: hours, minutes and shorter, days and weeks (a day
    counted as 24 hours, as a calendar day); months, business days and the
    like have none.
    """
    if isinstance(offset, pd.tseries.offsets.Tick):
        return pd.Timedelta(offset)
    if isinstance(offset, _OFFSETS.Day):
        return pd.Timedelta(days=offset.n)
    if isinstance(offset, _OFFSETS.Week):
        return pd.Timedelta(weeks=offset.n)
    return None


def unseasonal_step(index):
    """The step of a time index whose length gives no season with ``sp="auto"``.

    A step of fixed length (:func:`step_duration`) shorter than a year for
    which :func:`seasonal_period` is 1, such as 30 minutes or 2 days (a
    week or a day is no whole number of them): the user may want to set
    ``sp``. ``None`` for any other index.
    """
    offset = _offset(_series_times(index))
    duration = step_duration(offset) if isinstance(offset, pd.DateOffset) else None
    if duration is None or seasonal_period(index) != 1 or duration >= pd.Timedelta(weeks=52):
        return None
    return duration


def seen_seasonal_period(index):
    """``sp="auto"``'s seasonal period: the index's, where the data show it.

    :func:`seasonal_period` reads a period from the index's frequency
    whatever the length; where even the longest series of ``index`` holds
    fewer than two seasons (the length the Theta form needs to estimate
    one), no form can see the season (the seasonal ARMA form read the
    missing "last season" as copies of the first value), so the period is
    1, with a ``UserWarning``.
    """
    sp = seasonal_period(index)
    longest = len(index)
    if isinstance(index, pd.MultiIndex):  # a panel: its longest series
        codes, _ = pd.factorize(index.droplevel(-1))
        longest = np.bincount(codes[codes >= 0]).max(initial=0)
    if sp > 1 and longest < 2 * sp:
        warnings.warn(
            f"sp='auto' reads a season of {sp} steps from the time index, but "
            f"the longest series has {longest} time points, fewer than two "
            f"seasons ({2 * sp}), from which to estimate it: it uses sp=1, no "
            "season. Pass sp=1 to silence this warning, or a longer history "
            "to keep the season.", UserWarning)
        return 1
    return sp


def _series_times(index):
    """The times whose frequency :func:`seasonal_period` reads.

    A single series' index; for a panel (MultiIndex) the times of its
    longest series that give a frequency (the times of all series pooled
    have none where the series leave a gap, or a finer one where they are
    offset; a short series may look daily when it is business-daily), else
    the pooled times.
    """
    if not isinstance(index, pd.MultiIndex):
        return index
    if isinstance(index.levels[-1], pd.DatetimeIndex):  # no freq of its own
        times = pd.Series(index.get_level_values(-1), index=index.droplevel(-1))
        parts = [pd.DatetimeIndex(part.values) for _, part in
                 times.groupby(level=list(range(index.nlevels - 1)), sort=False)]
        for part in sorted(parts, key=len, reverse=True):
            if _offset(part) is not None:
                return part
    return index.levels[-1]


def _offset(index):
    """The frequency of a time index, given or inferred, or ``None``."""
    offset = getattr(index, "freq", None)
    if offset is None and isinstance(index, pd.DatetimeIndex) and len(index) > 2:
        inferred = pd.infer_freq(index)
        offset = None if inferred is None else pd.tseries.frequencies.to_offset(inferred)
    return offset


def auto_window_length(sp, horizon, longest):
    """``window_length="auto"``: two seasons, the horizon or 12, the longest.

    Shortened, where the longest series is short, so that it still gives at
    least as many training windows as the window has steps (and at least 1
    step).
    """
    length = max(2 * sp, horizon, 12)
    fits = (longest - horizon + 1) // 2
    return max(1, min(length, fits))


def n_before_tail(n_windows, validation_fraction):
    """Number of training windows before the validation tail.

    The networks, fitted on every window, hold out the same tail: the
    core's ``split_tail`` leaves as many rows before it (a test checks).
    """
    n_valid = math.ceil(validation_fraction * n_windows)
    return n_windows - n_valid


def gain_in_standard_errors(gains, n_eff):
    """The mean of ``gains`` in standard errors, ``n_eff`` their sample size.

    The test both the networks' validation tail (``n_eff``: its independent
    horizons, as windows one step apart overlap) and exogenous ``X`` (its
    held-out differences) must pass; 0 without spread. The core's
    ``significant_gain`` is its weighted counterpart for a network's start.
    """
    diff = np.asarray(gains, dtype=np.float64)
    spread = diff.std(ddof=1) if len(diff) > 1 else 0.0
    if not spread > 0:
        return 0.0
    return float(diff.mean() / (spread / np.sqrt(n_eff)))


def _design(windows):
    flat = windows.reshape(len(windows), -1)
    return np.hstack([flat, np.ones((len(flat), 1))])


def series_scale(y):
    """A series' scale for the linear start: its mean absolute value per variable."""
    scale = np.abs(y).mean(axis=0)
    return np.where(scale > 0, scale, 1.0)


def noise_ratios(series, sp, normalization):
    """Each series' noise in units of its windows' scale, (n_series, n_channels).

    The noise is a series' mean absolute change over a season; the units
    its windows' normalisation divides by: its mean absolute value (its
    level) for ``"last"`` and ``"mean"``, the data's own for ``"none"``;
    ``"standard"`` divides each window by its own spread already (all 1).
    The start's residual quantiles are pooled over the series in these
    units, so that each series' intervals follow its own noise: pooled in
    units of the series' level, a panel's quiet series got wide intervals
    and its noisy ones narrow. A series too short for a season's change,
    or constant, takes the median of the others' (1 where none has one).
    On one series a constant: its intervals are as before.
    """
    n_channels = series[0].shape[1]
    ratios = np.full((len(series), n_channels), np.nan)
    if normalization == "standard":
        return np.ones_like(ratios)
    for i, y in enumerate(series):
        y = np.asarray(y, dtype=float)
        if len(y) <= sp:
            continue
        change = np.abs(y[sp:] - y[:-sp]).mean(axis=0)
        level = (np.abs(y).mean(axis=0) if normalization in ("last", "mean")
                 else np.ones(n_channels))
        with np.errstate(divide="ignore", invalid="ignore"):
            ratios[i] = np.where((change > 0) & (level > 0), change / level, np.nan)
    known = ~np.isnan(ratios)
    for c in range(n_channels):
        ratios[~known[:, c], c] = np.median(ratios[known[:, c], c]) if known[:, c].any() else 1.0
    return ratios


def _relative(windows, scale):
    """Windows relative to their last value, divided by ``scale`` (n, n_channels)."""
    return (windows - windows[:, -1:, :]) / scale[:, None, :]


def one_step_pairs(values, length):
    """Every (window of ``length`` values, next value) pair of the series.

    ``values`` is a list of arrays of shape (n_steps, n_channels). Each pair is
    taken relative to the window's last value and divided by its series'
    scale (:func:`series_scale`): one linear model then fits series at any
    level, and weighs every step of a series alike. Returns the windows
    (n, length, n_channels) and next values (n, n_channels).
    """
    inputs, outputs = [], []
    for y in values:
        if len(y) <= length:
            continue
        scale = series_scale(y)
        pairs = sliding_window_view(y, length + 1, axis=0).transpose(0, 2, 1)
        past, nxt = pairs[:, :length], pairs[:, length]
        inputs.append(_relative(past, np.broadcast_to(scale, (len(past), len(scale)))))
        outputs.append((nxt - past[:, -1]) / scale)
    if not inputs:
        return None, None
    return np.concatenate(inputs), np.concatenate(outputs)


def fit_linear(values, length, sp=1, ridge=None, horizon=None):
    """The linear start: a one-step ridge autoregression, global over series.

    Ridge least squares of each next value on the ``length`` values before
    it (see :func:`one_step_pairs`), pooled over the series, with an
    unpenalised intercept (a drift in units of the series' scale). The
    penalty is ``ridge`` times the number of pairs times each input's
    variance (ridge on standardised inputs), and pulls the coefficients
    towards the seasonal naive forecast (period ``sp``; the last value
    where ``sp`` is 1 or longer than the window). With a ``horizon``, the
    penalty is raised tenfold until the recursion grows a disturbance at
    most ``MAX_GROWTH``-fold over it (:func:`recursion_radius`; the
    seasonal naive forecast's radius is 1). Returns the coefficients,
    shape (length * n_channels + 1, n_channels), or None where no series is longer
    than ``length``.
    """
    ridge = RIDGE if ridge is None else ridge
    inputs, outputs = one_step_pairs(values, length)
    if inputs is None:
        return None
    n_channels = inputs.shape[2]
    # Shrink towards the seasonal naive forecast (the value one season
    # back, of each variable) rather than towards the last value.
    prior = np.zeros((length * n_channels + 1, n_channels))
    if 1 < sp <= length:
        for v in range(n_channels):
            prior[(length - sp) * n_channels + v, v] = 1.0
    coef = _ridge(inputs, outputs, ridge, prior)
    while (horizon is not None and ridge < 1e5
           and recursion_radius(coef, n_channels) ** horizon > MAX_GROWTH):
        ridge *= 10
        coef = _ridge(inputs, outputs, ridge, prior)
    return coef


def recursion_radius(coef, n_channels):
    """The spectral radius of the one-step form's recursion on the levels.

    ``coef`` from :func:`fit_linear`. Each next value is the last plus the
    window's differences from it weighed by ``coef`` (per-variable scales
    cancel out of the eigenvalues); a radius above 1 grows a disturbance
    geometrically (the drift, a constant, does not count).

    >>> L = 3
    >>> naive = np.zeros((L + 1, 1))  # the last value: a random walk
    >>> float(round(recursion_radius(naive, 1), 6))
    1.0
    """
    length = (len(coef) - 1) // n_channels
    rows = coef[:-1].reshape(length, n_channels, n_channels)  # step, input, output
    on_levels = rows.copy()
    on_levels[-1] = np.eye(n_channels) - rows[:-1].sum(axis=0)
    size = length * n_channels
    companion = np.zeros((size, size))  # [x_{t-L+1}, ..., x_t] @ companion
    companion[n_channels:, :-n_channels] = np.eye(size - n_channels)
    companion[:, -n_channels:] = on_levels.reshape(size, n_channels)
    return float(np.abs(np.linalg.eigvals(companion)).max())


def iterate_linear(coef, windows, horizon, scale):
    """The linear start's forecasts from raw ``windows`` (n, L, n_channels).

    ``scale`` (n, n_channels) is each window's series scale. Each step predicts
    the next value from the latest ``L``; returns raw forecasts of shape
    (n, n_channels, horizon).
    """
    current = np.asarray(windows, dtype=np.float64)
    steps = []
    for _ in range(horizon):
        step = current[:, -1] + (_design(_relative(current, scale)) @ coef) * scale
        steps.append(step)
        current = np.concatenate([current[:, 1:], step[:, None, :]], axis=1)
    return np.stack(steps, axis=2)


def _ridge(inputs, outputs, ridge, prior):
    """Ridge of ``outputs`` on ``inputs`` plus an intercept, towards ``prior``."""
    design = _design(inputs)
    gram = design.T @ design
    variance = np.append(design[:, :-1].var(axis=0), 0.0)
    penalty = np.diag(ridge * len(design) * np.maximum(variance, 1e-12))
    penalty[-1, -1] = 0.0
    lhs, rhs = gram + penalty, design.T @ outputs + penalty @ prior
    try:
        return np.linalg.solve(lhs, rhs)
    except np.linalg.LinAlgError:  # inputs that never move (a constant series)
        return np.linalg.lstsq(lhs, rhs, rcond=None)[0]


def fit_direct(windows, targets, sp=1, ridge=None):
    """The direct linear start: every step of the horizon from the window.

    Ridge least squares of the normalised horizons ``targets`` (n, n_channels *
    horizon) on the normalised ``windows`` (n, L, n_channels), pulled towards
    the seasonal naive forecast as in :func:`fit_linear`. Returns the
    coefficients, shape (L * n_channels + 1, n_channels * horizon).
    """
    ridge = DIRECT_RIDGE if ridge is None else ridge
    n, length, n_channels = windows.shape
    horizon = targets.shape[1] // n_channels
    prior = np.zeros((length * n_channels + 1, n_channels * horizon))
    if 1 < sp <= length:
        for v in range(n_channels):
            for h in range(horizon):
                prior[(length - sp + h % sp) * n_channels + v, v * horizon + h] = 1.0
    else:
        for v in range(n_channels):
            prior[(length - 1) * n_channels + v, v * horizon : (v + 1) * horizon] = 1.0
    return _ridge(windows, targets, ridge, prior)


def combination_weights(losses, n_valid, horizon, n_series=1):
    """Weights of the linear start's forms, from their validation losses.

    Inverse-error weights (Bates and Granger, 1969), sharpened by how much
    evidence the validation tail holds: form ``i`` gets a weight
    proportional to ``losses[i] ** -p``, with ``p = max(1, n_valid / (2 *
    horizon * n_series))``. The tail's windows overlap, so ``n_valid /
    horizon`` counts its independent horizons; the series of a panel move
    together, so they are counted per series. On a short single series and
    on a panel ``p`` is 1, the classical inverse-error weights: the forms
    are averaged, each by how well it did (choosing one on a short tail did
    worse, and on the ``us_employment`` panel the form the tail preferred
    was the worst on the held-out months at 2 of 5 origins). On a long
    series (tens of horizons in its tail) ``p`` is large and the best form
    takes (almost) all the weight.

    Parameters
    ----------
    losses : sequence of float
        The validation losses of the forms (mean squared error).
    n_valid : int
        Validation windows.
    horizon : int
        Steps per window's horizon.
    n_series : int, default=1
        Series with windows in the validation tail.

    Returns
    -------
    weights : ndarray of shape (len(losses),)
        Non-negative, summing to 1; a form with zero loss takes all.
    """
    losses = np.asarray(losses, dtype=np.float64)
    if np.any(losses <= 0):
        return (losses <= 0) / np.sum(losses <= 0)
    power = max(1.0, n_valid / (2.0 * horizon * max(int(n_series), 1)))
    log_weights = -power * (np.log(losses) - np.log(losses).min())
    weights = np.exp(log_weights)  # the best form's term is 1: no overflow
    return weights / weights.sum()


def predict_direct(coef, windows):
    """The direct linear start's normalised forecasts, (n, n_channels * horizon)."""
    return _design(windows) @ coef


def residual_quantiles(residuals, levels):
    """Empirical quantiles of each output's residuals, less their median.

    Shape (k, n_levels): the spread of the start's errors around its own
    forecast (the median stays the start's forecast).
    """
    quantiles = np.quantile(residuals, levels, axis=0).T
    return quantiles - np.median(residuals, axis=0)[:, None]


def pinball(quantiles, targets, levels):
    """Pinball loss of ``quantiles`` (n, k, n_levels) for ``targets`` (n, k),
    the mean over each row's outputs and levels: shape (n,)."""
    diff = targets[..., None] - quantiles
    levels = np.asarray(levels)
    return np.mean(np.maximum(levels * diff, (levels - 1) * diff), axis=(1, 2))


def conformal_factors(quantiles, targets, levels, narrow=True):
    """Factors that make each central interval cover its level on ``targets``.

    For each pair of levels ``(a, 1 - a)`` with ``a < 0.5`` (the median is
    at ``levels``' index of 0.5), the split-conformal quantile of
    ``max((median - y) / (median - q_a), (y - median) / (q_{1-a} - median))``
    over every target: scaling the interval's half-widths by it covers
    ``1 - 2a`` of the targets (with the finite-sample correction); with
    ``narrow=False`` never less than 1. Returns an array of one factor per
    level (1 for the median and unpaired levels).

    A target on a side of the median where the interval has no width (tied
    training residuals: a constant stretch, a count series of zeros) no
    factor can cover; it is left out, where its score of about 1e12 (a
    distance over a floored width) made the factor of every output as
    large.
    """
    levels = np.asarray(levels)
    mid = int(np.argmin(np.abs(levels - 0.5)))
    median = quantiles[..., mid]
    factors = np.ones(len(levels))
    # no width: below a millionth of the typical magnitude of the targets
    # and forecasts (tied residuals leave widths of float rounding, ~1e-11)
    tiny = 1e-6 * max(float(np.mean(np.abs(targets) + np.abs(median))), 1e-300)
    distance = np.abs(targets - median)
    for i, a in enumerate(levels):
        if a >= 0.5:
            continue
        j = int(np.argmin(np.abs(levels - (1 - a))))
        if abs(levels[j] - (1 - a)) > 1e-9:
            continue
        width = np.where(targets < median, median - quantiles[..., i],
                         quantiles[..., j] - median)
        usable = width > tiny
        if not usable.any():
            continue
        score = distance[usable] / width[usable]
        # the ceil((n + 1)(1 - 2a))-th smallest score (at most the largest);
        # the tolerance keeps a whole product such as 0.8 * 10 from rounding up
        n = len(score)
        k = min(n, max(1, int(np.ceil((1 - 2 * a) * (n + 1) - 1e-9))))
        factor = float(np.partition(score, k - 1)[k - 1])
        factors[i] = factors[j] = factor if narrow else max(factor, 1.0)
    return factors


def scale_around_median(quantiles, levels, factors):
    """Quantiles with each level's distance from the median scaled, sorted."""
    levels = np.asarray(levels)
    mid = int(np.argmin(np.abs(levels - 0.5)))
    median = quantiles[..., mid : mid + 1]
    scaled = median + (quantiles - median) * np.asarray(factors)
    return np.sort(scaled, axis=-1)
