"""The Theta form of :class:`~sklearn_rnn.sktime.RNNForecaster`'s linear start.

The Theta method (Assimakopoulos and Nikolopoulos, 2000), in the form
Hyndman and Billah (2003) showed it to be: simple exponential smoothing of
the seasonally adjusted series plus half the slope of its linear trend,
seasonality put back. The seasonal indices come from a classical
decomposition (multiplicative for a positive series, else additive), the
smoothing weight from the one-step errors on a grid, both per series and
variable (unlike the global autoregressions); each window is forecast from
its series' whole history. NumPy, and SciPy's first-order filter.
"""

import numpy as np
from scipy.signal import lfilter

#: The smoothing weights tried.
ALPHAS = np.linspace(0.05, 1.0, 20)


def _season_index(v, sp):
    """Classical decomposition's seasonal indices of ``v`` and whether they divide."""
    if sp <= 1 or len(v) < 2 * sp:
        return np.zeros(1), False  # no season: nothing to add
    multiplicative = bool(np.all(v > 0))
    weights = (np.r_[0.5, np.ones(sp - 1), 0.5] if sp % 2 == 0 else np.ones(sp)) / sp
    trend = np.convolve(v, weights, mode="valid")
    offset = (len(weights) - 1) // 2
    core = v[offset : offset + len(trend)]
    ratio = core / trend if multiplicative else core - trend
    position = (np.arange(len(ratio)) + offset) % sp
    index = np.array([ratio[position == j].mean() for j in range(sp)])
    return (index / index.mean() if multiplicative else index - index.mean()), multiplicative


def _adjust(v, index, multiplicative):
    """``v`` seasonally adjusted (its first value at the indices' first)."""
    season = index[np.arange(len(v)) % len(index)]
    return v / season if multiplicative else v - season


def _levels(d, alpha):
    """Simple exponential smoothing's level after each value of ``d``.

    ``alpha`` may be an array of smoothing weights: one row of levels each.
    The recursion ``level[t] = alpha d[t] + (1 - alpha) level[t - 1]`` runs
    as a first-order filter (the same operations, in C).
    """
    alpha = np.asarray(alpha, dtype=np.float64)
    d = np.asarray(d, dtype=np.float64)
    level = np.empty(alpha.shape + (len(d),))
    for i, a in np.ndenumerate(alpha):
        level[i + (0,)] = d[0]
        level[i + (slice(1, None),)] = lfilter(
            [a], [1.0, a - 1.0], d[1:], zi=[(1.0 - a) * d[0]])[0]
    return level


def fit_theta(values, sp):
    """The Theta method's parameters for every series and variable.

    Parameters
    ----------
    values : list of ndarray of shape (n_steps, n_channels)
        The series.
    sp : int
        Seasonal period (1: no seasonal adjustment).

    Returns
    -------
    params : list of list of tuple
        Per series, per variable: ``(index, multiplicative, alpha, slope)``,
        the seasonal indices (a single 0 without a season, or where the
        series is shorter than two seasons), whether they divide, the
        smoothing weight and the slope of the adjusted series'
        least-squares line.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.sktime._theta import fit_theta
    >>> season = np.tile([1.1, 0.9, 1.2, 0.8], 12)
    >>> y = ((100 + np.arange(48)) * season)[:, None]
    >>> [(index, multiplicative, alpha, slope)] = fit_theta([y], sp=4)[0]
    >>> bool(multiplicative), index.round(2), round(float(slope), 1)
    (True, array([1.1, 0.9, 1.2, 0.8]), 1.0)
    """
    params = []
    for y in values:
        per = []
        for v in np.asarray(y, dtype=np.float64).T:
            index, multiplicative = _season_index(v, sp)
            d = _adjust(v, index, multiplicative)
            # every smoothing weight in one pass over the series
            errors = np.sum((d[1:] - _levels(d, ALPHAS)[:, :-1]) ** 2, axis=1)
            alpha = float(ALPHAS[int(np.argmin(errors))])
            slope = float(np.polyfit(np.arange(len(d)), d, 1)[0]) if len(d) > 2 else 0.0
            per.append((index, multiplicative, alpha, slope))
        params.append(per)
    return params


def forecast_theta(values, params, sp, horizon, sid, end):
    """Forecasts from the end of many windows, each with its series' history.

    Parameters
    ----------
    values : list of ndarray of shape (n_steps, n_channels)
        The series.
    params : list
        From :func:`fit_theta` on these series (or their earlier part).
    sp : int
        Seasonal period. Not read: the season is the one ``params`` hold
        (their seasonal indices); taken so that the start's forms are
        forecast alike, as ``forecast_seasonal_arma``.
    horizon : int
        Steps to forecast.
    sid, end : ndarray of shape (n_windows,)
        Each window's series and the position after its last step.

    Returns
    -------
    forecasts : ndarray of shape (n_windows, n_channels, horizon)
        In the series' units.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.sktime._theta import fit_theta, forecast_theta
    >>> y = (100.0 + 2 * np.arange(40))[:, None]  # a straight line
    >>> forecast_theta([y], fit_theta([y], 1), 1, 3, np.array([0]), np.array([40])).round(1)
    array([[[179., 180., 181.]]])
    """
    n_channels = np.asarray(values[0]).shape[1]
    out = np.zeros((len(sid), n_channels, horizon))
    steps = np.arange(1, horizon + 1)
    for i, y in enumerate(values):
        rows = np.flatnonzero(sid == i)
        if not len(rows):
            continue
        y = np.asarray(y, dtype=np.float64)
        for c, (index, multiplicative, alpha, slope) in enumerate(params[i]):
            level = _levels(_adjust(y[:, c], index, multiplicative), alpha)
            ends = end[rows]
            trend = level[ends - 1][:, None] + 0.5 * slope * (steps - 1 + 1 / alpha)
            season = index[(ends[:, None] - 1 + steps) % len(index)]
            out[rows, c] = trend * season if multiplicative else trend + season
    return out
