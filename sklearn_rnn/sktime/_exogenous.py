"""Exogenous ``X`` in :class:`~sklearn_rnn.sktime.RNNForecaster`'s linear start.

A regression with time-series errors (Hyndman and Athanasopoulos,
*Forecasting: principles and practice*, "dynamic regression"): ``y = X beta
+ e``. The linear start's forms forecast the error series ``e = y - X beta``
and the start adds ``X beta`` over the horizon, from the future ``X`` that
``predict`` gets.

``beta`` is estimated on seasonal differences (lag ``sp``; lag 1 without a
season), so that trends and seasons ``y`` and ``X`` share do not pass for an
effect of ``X``, with an intercept that the forms carry instead (their
drift), and with AR(:data:`AR_ORDER`) errors by Cochrane and Orcutt's
iteration (generalised least squares): differences of trending series stay
autocorrelated, and by ordinary least squares a random walk that has
nothing to do with ``y`` passed for an effect (docs/forecasting.md). On a
panel ``beta`` is global, each series' differences divided by its scales
(``y``'s per variable, ``X``'s per column, their mean absolute values).

``X`` enters the start only where the regression, fitted on the earlier
differences of every series, lowers the squared error of their latest
``validation_fraction`` (both sides filtered by the AR errors), against
their mean change alone, by more than :data:`GAIN_Z` standard errors;
``exog_coef_`` is None otherwise, and ``X`` reaches the forecasts only
through the networks. A column that does not move in the training data
(a law not yet in force) gets no coefficient. Plain NumPy.
"""

import numpy as np

from ._linear_start import gain_in_standard_errors, series_scale

#: Order of the autoregression of the regression's errors.
AR_ORDER = 4

#: Standard errors by which the regression must lower the held-out squared
#: error for ``X`` to enter the start (the networks' rule on the tail,
#: :data:`~sklearn_rnn.sktime._residual.TAIL_GAIN_Z`).
GAIN_Z = 1.0

#: Cochrane-Orcutt iterations (each refits the AR errors, then ``beta``).
N_ITER = 3


def fit_exog_coef(series, sp, validation_fraction):
    """The normalised regression coefficients, (n_x, n_channels), or None.

    Parameters
    ----------
    series : list of _Series
        The forecaster's series, with ``X`` (None without exogenous data).
    sp : int
        Seasonal period: the lag of the differences.
    validation_fraction : float
        The latest share of each series' differences that the regression,
        fitted on the rest, must forecast better than their mean change.

    Returns
    -------
    coef : ndarray of shape (n_x, n_channels) or None
        Per unit of each ``X`` column's mean absolute value, in units of
        ``y``'s; refitted on every difference. None without ``X`` or where
        the regression did not hold up on the held-out differences.
    """
    if all(s.X is None for s in series):
        return None
    lag = max(int(sp), 1)
    longest = max(len(s.y) for s in series)
    if longest <= lag + AR_ORDER + 2:
        lag = 1
    parts = []
    for s in series:
        if s.X is not None and len(s.y) > lag + AR_ORDER + 2:
            dy = (s.y[lag:] - s.y[:-lag]) / series_scale(s.y)
            dx = (s.X[lag:] - s.X[:-lag]) / series_scale(s.X)
            parts.append((np.column_stack([np.ones(len(dx)), dx]), dy))
    if not parts:
        return None
    held = [max(1, int(round(validation_fraction * len(dy)))) for _, dy in parts]
    train = [(d[:-h], dy[:-h]) for (d, dy), h in zip(parts, held)]
    coef, phi = _cochrane_orcutt(train)
    filtered = [(_ar_filter(d, phi), _ar_filter(dy, phi)) for d, dy in parts]
    level = np.linalg.lstsq(  # the mean change alone, fitted like the regression
        np.concatenate([d[:-h, :1] for (d, _), h in zip(filtered, held)]),
        np.concatenate([dy[:-h] for (_, dy), h in zip(filtered, held)]), rcond=None)[0]
    gains = np.concatenate([
        np.sum((dy[-h:] - d[-h:, :1] @ level) ** 2 - (dy[-h:] - d[-h:] @ coef) ** 2, axis=1)
        for (d, dy), h in zip(filtered, held)
    ])
    if not gain_in_standard_errors(gains, len(gains)) > GAIN_Z:
        return None
    return _cochrane_orcutt(parts)[0][1:]


def _ar_filter(a, phi):
    """``a[t] - sum_j phi[j] a[t - j - 1]``, for t from ``len(phi)`` on."""
    p = len(phi)
    out = np.array(a[p:], dtype=np.float64)
    for j, weight in enumerate(phi, 1):
        out -= weight * a[p - j: len(a) - j]
    return out


def _cochrane_orcutt(parts):
    """Least squares with AR errors, pooled over ``parts`` of (design, target).

    Returns the coefficients, (n_columns, n_channels), and the errors' AR
    coefficients, pooled over series and variables. Columns that never move
    get 0 (the minimum-norm solution).
    """
    design = np.concatenate([d for d, _ in parts])
    target = np.concatenate([y for _, y in parts])
    coef = np.linalg.lstsq(design, target, rcond=None)[0]
    phi = np.zeros(AR_ORDER)
    for _ in range(N_ITER):
        lags, now = [], []
        for d, y in parts:
            if len(y) <= AR_ORDER:
                continue
            for e in (y - d @ coef).T:
                now.append(e[AR_ORDER:])
                lags.append(np.column_stack(
                    [e[AR_ORDER - j: len(e) - j] for j in range(1, AR_ORDER + 1)]))
        phi = np.linalg.lstsq(np.concatenate(lags), np.concatenate(now), rcond=None)[0]
        filtered = [(_ar_filter(d, phi), _ar_filter(y, phi)) for d, y in parts]
        coef = np.linalg.lstsq(np.concatenate([d for d, _ in filtered]),
                               np.concatenate([y for _, y in filtered]), rcond=None)[0]
    return coef, phi


def exog_effect(coef, s, X):
    """``X beta`` of series ``s`` for the rows ``X`` (T, n_x): (T, n_channels)."""
    return (X / series_scale(s.X)) @ coef * series_scale(s.y)


def errors(coef, s):
    """The series the forms forecast: ``y - X beta`` (``y`` where ``coef`` is None)."""
    if coef is None or s.X is None:
        return s.y
    return s.y - exog_effect(coef, s, s.X)


def error_windows(y, err, past, future):
    """The forms' windows of a series and ``X beta`` over their horizons.

    ``y`` and ``err`` are the series and its error series (:func:`errors`),
    ``past`` (n, L, n_channels) and ``future`` (n, n_channels, H) its
    windows of ``y``; returns the windows of the error series and the
    effect of ``X`` over each horizon, shaped like them (zeros where ``err``
    is ``y`` itself, without ``X``).
    """
    if err is y:
        return past, np.zeros_like(future)
    L, H = past.shape[1], future.shape[2]
    steps = np.arange(len(past))[:, None] + np.arange(L + H)[None, :]
    windows = (y - err)[steps]  # X beta, (n, L + H, n_channels)
    return past - windows[:, :L], windows[:, L:].transpose(0, 2, 1)


def future_effect(coef, s, future_X, horizon):
    """``X beta`` over the ``horizon`` steps after ``s``'s end: (n_channels, H)."""
    if coef is None or s.X is None or future_X is None:
        return np.zeros((s.y.shape[1], horizon))
    return exog_effect(coef, s, future_X).T
