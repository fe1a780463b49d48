"""The seasonal form of :class:`~sklearn_rnn.sktime.RNNForecaster`'s linear start.

A seasonal ARIMA without constant on the seasonal differences
``d_t = y_t - y_{t-s}``: an AR(2) with a seasonal MA(1),

    d_t = phi_1 d_{t-1} + phi_2 d_{t-2} + e_t + theta e_{t-s},

the SARIMA(2,0,0)(0,1,1) model (ARIMA(2,1,1) where ``s`` is 1). Its forecast
is the value one season back plus a correction that decays to zero: the
seasonal naive forecast (the model with every coefficient zero), moved by
the latest seasonal differences and smoothed over past seasons by the
seasonal MA, with no trend of its own. Fitted by conditional least squares,
global over series (each divided by its scale): for each ``theta`` on a
grid the AR coefficients are a least-squares fit (the model is linear in
them once the seasonal MA filter is applied), and the ``theta`` with the
lowest sum of squares is kept. Plain NumPy; reads each window's whole
history, not only its ``window_length`` steps.
"""

import numpy as np

#: The seasonal MA coefficients tried (invertible: inside (-1, 1)).
THETAS = np.linspace(-0.95, 0.95, 39)

#: AR order on the seasonal differences.
AR_ORDER = 2


def _season_filter(u, theta, s):
    """``x_t = u_t - theta x_{t-s}`` along the last axis (zero start)."""
    x = np.array(u, dtype=np.float64, copy=True)
    n = x.shape[-1]
    theta = np.asarray(theta, dtype=np.float64)[..., None]
    for start in range(s, n, s):
        stop = min(start + s, n)
        x[..., start:stop] -= theta * x[..., start - s : stop - s]
    return x


def _lagged(d, p):
    """``d`` and its first ``p`` lags (zero before the start): (p + 1, n)."""
    out = np.zeros((p + 1, len(d)))
    for j in range(p + 1):
        out[j, j:] = d[: len(d) - j]
    return out


def _seasonal_differences(values, s):
    """Seasonal differences of every series and channel, each divided by its scale."""
    out = []
    for y in values:
        for v in np.asarray(y, dtype=np.float64).T:
            if len(v) > 2 * s + AR_ORDER:
                scale = np.abs(v).mean()
                out.append((v[s:] - v[:-s]) / (scale if scale > 0 else 1.0))
    return out


def _stationary(phi):
    """``phi`` (AR(2)) scaled towards zero until it is stationary."""
    for factor in (1.0, 0.9, 0.75, 0.5, 0.25, 0.0):
        p1, p2 = factor * phi[0], factor * phi[1]
        if p1 + p2 < 1 and p2 - p1 < 1 and abs(p2) < 1:
            return np.array([p1, p2])
    return np.zeros(2)  # pragma: no cover  (factor 0 is stationary)


def fit_seasonal_arma(values, sp):
    """Conditional least squares of the seasonal ARMA, global over ``values``.

    Parameters
    ----------
    values : list of ndarray of shape (n_steps, n_channels)
        The series (each channel a series of its own).
    sp : int
        Seasonal period (``1``: first differences and an MA(1)).

    Returns
    -------
    params : ndarray of shape (3,)
        ``phi_1, phi_2, theta``; zeros (the seasonal naive forecast) where no
        series is long enough.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.sktime._seasonal_arma import fit_seasonal_arma
    >>> rng = np.random.default_rng(0)
    >>> season = np.tile(np.sin(np.arange(12) / 12 * 2 * np.pi), 20)
    >>> y = (10 + season + 0.1 * rng.standard_normal(240))[:, None]
    >>> phi_1, phi_2, theta = fit_seasonal_arma([y], sp=12)
    >>> bool(theta < -0.5)  # noise around a fixed season: a strong seasonal MA
    True
    """
    s = max(int(sp), 1)
    diffs = _seasonal_differences(values, s)
    if not diffs:
        return np.zeros(3)
    burn = s + AR_ORDER
    best = None
    lagged = [_lagged(d, AR_ORDER) for d in diffs]
    filtered = [_season_filter(np.broadcast_to(z, (len(THETAS),) + z.shape),
                               THETAS[:, None], s)[..., burn:] for z in lagged]
    # (n_thetas, p + 1, n) pooled over the series
    z = np.concatenate(filtered, axis=-1)
    if z.shape[-1] < 2 * AR_ORDER + 2:
        return np.zeros(3)
    for k in range(len(THETAS)):
        target, inputs = z[k, 0], z[k, 1:].T
        gram = inputs.T @ inputs + 1e-9 * len(target) * np.eye(AR_ORDER)
        phi = np.linalg.solve(gram, inputs.T @ target)
        sse = float(np.sum((target - inputs @ phi) ** 2))
        if best is None or sse < best[0]:
            best = (sse, phi, THETAS[k])
    return np.append(_stationary(best[1]), best[2])


def innovations(d, params, s):
    """The one-step errors of the seasonal differences ``d``, aligned with them.

    ``d`` is zero before a series' first seasonal difference, and so are the
    errors there.
    """
    phi, theta = params[:AR_ORDER], params[AR_ORDER]
    z = _lagged(d, AR_ORDER)
    return _season_filter(z[0] - phi @ z[1:], theta, s)


def forecast_seasonal_arma(values, params, sp, horizon, sid, end):
    """Forecasts from the end of many windows, each with its series' history.

    Parameters
    ----------
    values : list of ndarray of shape (n_steps, n_channels)
        The series.
    params : ndarray of shape (3,)
        From :func:`fit_seasonal_arma`.
    sp : int
        Seasonal period.
    horizon : int
        Steps to forecast.
    sid, end : ndarray of shape (n_windows,)
        Each window's series and the position after its last step: it is
        forecast from ``values[sid][:end]``.

    Returns
    -------
    forecasts : ndarray of shape (n_windows, n_channels, horizon)
        In the series' units.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.sktime._seasonal_arma import forecast_seasonal_arma
    >>> y = np.arange(24, dtype=float)[:, None] % 4
    >>> forecast_seasonal_arma([y], np.zeros(3), 4, 6, np.array([0]), np.array([24]))
    array([[[0., 1., 2., 3., 0., 1.]]])
    """
    s = max(int(sp), 1)
    phi, theta = params[:AR_ORDER], params[AR_ORDER]
    n_channels = np.asarray(values[0]).shape[1]
    out = np.zeros((len(sid), n_channels, horizon))
    for i, y in enumerate(values):
        rows = np.flatnonzero(sid == i)
        if not len(rows):
            continue
        y = np.asarray(y, dtype=np.float64)
        # a history shorter than a season and the AR lags starts with copies
        # of its first value; the differences of the first season are zero
        pad = max(0, s + AR_ORDER - int(end[rows].min()))
        y = np.concatenate([np.repeat(y[:1], pad, axis=0), y])
        ends = end[rows] + pad
        for c in range(n_channels):
            v = y[:, c]
            d = np.zeros(len(v))
            d[pad + s :] = v[pad + s :] - v[pad : len(v) - s]
            e = innovations(d, params, s)
            past_d = [d[ends - j] for j in range(AR_ORDER, 0, -1)]  # oldest first
            steps = []
            for k in range(horizon):
                dk = sum(p * past_d[-1 - j] for j, p in enumerate(phi))
                if k < s:
                    dk = dk + theta * e[ends - s + k]
                past_d.append(dk)
                base = v[ends - s + k] if k < s else steps[k - s]
                steps.append(base + dk)
            out[rows, c] = np.stack(steps, axis=1)
    return out
