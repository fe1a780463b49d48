"""Series and panel plumbing of :class:`~sklearn_rnn.sktime.RNNForecaster`.

Joining update's data to the data held (its columns checked against
fit's; the forecasts' origins; the state put back when update fails), the
future exogenous rows of a forecast (their columns checked against fit's),
relative forecasting steps (an ``fh`` checked before sktime checks it) and
the forecasts' index, per-window location and scale, assembling a
window's inputs, and interpolating quantiles between trained levels; the series themselves are cut in
:mod:`sklearn_rnn.sktime._series`. Plain NumPy and pandas, no network.
"""

import warnings
from contextlib import contextmanager

import numpy as np
import pandas as pd
from sktime.datatypes import update_data
from sktime.forecasting.base import ForecastingHorizon
from sktime.utils.validation.forecasting import check_fh

from ._linear_start import _offset, _series_times, step_duration
from ._series import _as_tuple, _check_finite, _cutoff, _Series, _split_series

@contextmanager
def batch_first_inputs():
    """Silence the core estimators' ``time_axis`` warning for batch-first inputs.

    The adapters hand the core ``(n_samples, n_timesteps, n_channels)``
    already (a converted panel, the forecaster's windows of ``y`` and ``X``):
    short sequences of many channels there are no sktime ``numpy3D`` panel
    read the wrong way round, which that warning is about.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"X has \d+ time steps? of",
                                category=UserWarning)
        yield


#: The per-window normalisations of :func:`_location_scale`.
_NORMALIZATIONS = ("last", "mean", "standard", "none")


def resolve_window_normalization(window_normalization, normalization="deprecated"):
    """The method to use, from the parameter and its deprecated former name."""
    method = window_normalization
    if normalization != "deprecated":
        warnings.warn(
            "normalization was renamed window_normalization (the name the "
            "regressors use) and will be removed in 0.3; pass "
            f"window_normalization={normalization!r} instead.",
            FutureWarning,
        )
        method = normalization
    if method not in _NORMALIZATIONS:
        raise ValueError(
            f"window_normalization must be one of {_NORMALIZATIONS}, got {method!r}."
        )
    return method


def _check_exog_columns(X, x_columns, method):
    """Raise unless ``X`` has the columns of ``fit`` (``x_columns``), in order.

    As scikit-learn's estimators do with feature names, nothing is
    reordered or dropped: the network reads the columns by position.
    """
    columns = list(X.columns)
    if columns == list(x_columns):
        return
    raise ValueError(
        f"X passed to {method} has columns {columns}, but RNNForecaster was "
        f"fitted with X columns {list(x_columns)} "
        f"({_column_differences(columns, x_columns)}). Pass X with the "
        "columns of fit, in the same order."
    )


def _column_differences(columns, fitted):
    """What ``columns`` lack and add against ``fitted``, or that only the order differs."""
    fitted = list(fitted)
    missing = [c for c in fitted if c not in columns]
    unexpected = [c for c in columns if c not in fitted]
    return "; ".join(
        f"{what}: {names}" for what, names in
        (("missing", missing), ("not seen in fit", unexpected)) if names
    ) or "the same columns in another order"


def in_fitted_order(series, keys, method):
    """``series`` in the order of ``keys`` (``fit``'s), which the per-series
    parts of the linear start follow; a series ``fit`` did not see is refused."""
    position = {key: i for i, key in enumerate(keys)}
    unseen = [s.key for s in series if s.key not in position]
    if unseen or len(series) != len(position):
        raise ValueError(
            f"{method} got series {unseen} that fit did not see. RNNForecaster "
            "fits part of its linear start (the Theta form) per series: refit "
            "it on every series to forecast."
        )
    return sorted(series, key=lambda s: position[s.key])


def _held_y(held, y, y_columns):
    """The data held (``held``, columns ``y_columns``) under the columns of
    update's ``y``, or a ``ValueError`` where they are other variables.

    A univariate series under another name (a renamed ``pd.Series``, or one
    without a name, which sktime calls ``0``) is fit's series, as sktime's
    own forecasters take it; it takes the new name, as
    ``NaiveForecaster``'s forecasts do (and sktime's ``predict`` and
    ``predict_interval`` label them by the last ``y`` seen). Anything else
    with other columns is refused: sktime's ``update_data`` joins on the
    union of the columns, and the variables ``y`` lacks were NaN from then
    on (all-NaN forecasts, or a network fed the wrong number of channels).
    """
    columns = list(y.columns)
    if columns == list(y_columns):
        return held
    if len(columns) == 1 == len(y_columns):
        return held.set_axis(y.columns, axis=1)
    raise ValueError(
        f"y passed to update has columns {columns}, but RNNForecaster was "
        f"fitted on y with columns {list(y_columns)} "
        f"({_column_differences(columns, y_columns)}). Pass the new "
        "observations of every variable of fit, in the same order, or refit "
        "on the new variables."
    )


def _last_times(y):
    """The time of each series' last observation in ``y``, by series key."""
    if not isinstance(y.index, pd.MultiIndex):
        return {None: y.index.max()}
    levels = list(range(y.index.nlevels - 1))
    return {_as_tuple(key): group.index.get_level_values(-1).max()
            for key, group in y.groupby(level=levels, sort=False)}


def joined_data(forecaster, y, X):
    """``(y, X, series)``: the forecaster's data joined with update's, checked.

    The series come in fit's order; ``y`` with other columns than fit's, a
    gap, a series fit did not see or ``X`` missing or with other columns
    than fit's raise a ``ValueError``. Records in ``forecaster._origins``
    where each series of ``y`` ends: where it ends before the data held
    (older values revised), sktime moves the cutoff back there, and the
    forecasts start there (:func:`from_origins`).
    """
    held = _held_y(forecaster._cur_y, y, forecaster._y_columns)
    new_X = None
    if forecaster._cur_X is not None:
        if X is None:
            raise ValueError(
                "RNNForecaster was fitted with exogenous X, so update needs "
                "X for the new observations too."
            )
        _check_exog_columns(X, forecaster._x_columns, "update")
        new_X = update_data(forecaster._cur_X, X)
    new_y = update_data(held, y)
    # checks the joined index; sktime's update_data may reorder the series
    series = _split_series(new_y, new_X, method="update")
    series = in_fitted_order(series, forecaster._series_keys, "update")
    forecaster._origins = {**getattr(forecaster, "_origins", {}), **_last_times(y)}
    forecaster._y_columns = new_y.columns
    return new_y, new_X, series


def from_origins(series, origins):
    """``series``, each cut after its forecast origin in ``origins``.

    The origin of a series is the end of the latest data ``fit`` or
    ``update`` gave for it (by key; absent: its end). An update that ends
    before the data held moves it back, as sktime moves the cutoff: the
    forecasts then start from there, as ``NaiveForecaster``'s do, where
    they had started from the end held and been labelled past
    ``fh.to_absolute(cutoff)``. The observations after it stay held, for
    training and for a later update.
    """
    cut = []
    for s in series:
        origin = origins.get(s.key)
        keep = len(s.index) if origin is None else int(np.sum(s.index <= origin))
        if keep < len(s.index):
            y = pd.DataFrame(s.y[:keep], index=s.index[:keep])
            X = None if s.X is None else s.X[:keep]
            s = _Series(s.key, y.to_numpy(), X, y.index, _cutoff(y.index))
        cut.append(s)
    return cut


#: What sktime's ``update`` changes before ``_update`` runs, and what
#: ``_update`` changes: put back by :func:`update_state_restored`.
_UPDATE_STATE = ("_cutoff", "_y", "_X", "_y_metadata", "_y_mtype_last_seen",
                 "_converter_store_y", "_cur_y", "_cur_X", "_origins", "_y_columns")


@contextmanager
def update_state_restored(forecaster, names=_UPDATE_STATE):
    """Put the forecaster's data, cutoff and origins back if the block raises.

    sktime's ``update`` moves the cutoff and records the new ``y``'s
    metadata (the type ``predict`` returns) before ``_update`` checks the
    data: a refused ``update`` leaves the forecaster as it was, to forecast
    as before. One failing later, while training the networks, gets its data
    and cutoff back too, and its networks stay as they were
    (``_residual.update_networks`` swaps in the trained copies only once
    every one has trained). ``names`` are the attributes put back. Not the
    core's ``restored_on_error``, a decorator that puts back a whole
    estimator.
    """
    saved = {}
    for name in names:
        if hasattr(forecaster, name):
            value = getattr(forecaster, name)
            # a dict copied: sktime changes its store of y's name in place
            saved[name] = dict(value) if isinstance(value, dict) else value
    try:
        yield
    except BaseException:
        for name, value in saved.items():
            setattr(forecaster, name, value)
        raise


def _future_exog(series, X, horizon, x_columns):
    """Exogenous values of the ``horizon`` steps after each series' end."""
    if x_columns is None:
        return [None] * len(series)
    if X is None:
        raise ValueError(
            "RNNForecaster was fitted with exogenous X, so predict needs X "
            f"for the {horizon} steps after the cutoff."
        )
    _check_exog_columns(X, x_columns, "predict")
    x_series = {
        s.key: s
        # X as "y": split by instance only; the rows after the cutoff are
        # checked below (sktime's evaluate passes only fh's among them)
        for s in _split_series(X, None, "X", spaced=False)
    }
    futures, after_cutoff = [], {}
    relative = ForecastingHorizon(np.arange(1, horizon + 1))
    for s in series:
        part = x_series.get(s.key)
        rows = None
        where = "" if s.key is None else f" of series {s.key}"
        if part is not None:
            after = np.asarray(part.index > s.cutoff[0])
            rows = part.y[after][:horizon]
        if rows is None or len(rows) < horizon:
            found = 0 if rows is None else len(rows)
            raise ValueError(
                f"predict needs exogenous X for every one of the {horizon} steps "
                f"after the cutoff{where} (the model reads X over the whole "
                f"fitted horizon), but X has {found} of them. With sktime's "
                "evaluate and an fh that skips steps, pass cv_X, a splitter whose "
                f"fh covers steps 1 to {horizon}."
            )
        times = part.index[after][:horizon]
        if isinstance(s.index, (pd.PeriodIndex, pd.DatetimeIndex)):
            if s.cutoff[0] not in after_cutoff:  # series of a panel share cutoffs
                after_cutoff[s.cutoff[0]] = relative.to_absolute_index(s.cutoff)
            expected = after_cutoff[s.cutoff[0]]
        else:  # integers, spaced as the series (the next horizon observations)
            step = s.index[-1] - s.index[-2] if len(s.index) > 1 else 1
            expected = s.index[-1] + step * np.arange(1, horizon + 1)
        if not np.array_equal(np.asarray(times), np.asarray(expected)):
            raise ValueError(
                f"predict needs exogenous X for the {horizon} steps after the "
                f"cutoff{where}, {expected[0]} to {expected[-1]}, but X's rows "
                f"after the cutoff are at {times[0]} to {times[-1]}. Pass X "
                "indexed by the times it applies to, from the step after the cutoff."
            )
        _check_finite(rows, times, x_columns, s.key, "predict")
        futures.append(rows)
    return futures


def forecast_index(fh, series, horizon, y_index):
    """Row index of the forecasts and the (series, step) of each row.

    ``y_index`` is the index of the ``y`` the forecaster holds (its names);
    a step of ``fh`` outside 1 to ``horizon`` is refused. The steps and times
    are worked out once per cutoff: the series of a panel share cutoffs.
    """
    tuples, steps, by_cutoff = [], [], {}
    for s in series:
        if s.cutoff_key not in by_cutoff:
            step = check_steps(fh, s.cutoff, horizon)
            times = fh.to_absolute_index(_in_freq_of(fh, s.cutoff))
            by_cutoff[s.cutoff_key] = step, times, list(times)
        step, times, time_list = by_cutoff[s.cutoff_key]
        if s.key is None:
            index = times.rename(y_index.name)
        else:
            tuples.extend((*s.key, t) for t in time_list)
        steps.append(step - 1)
    if tuples:
        index = pd.MultiIndex.from_tuples(tuples, names=y_index.names)
    series_pos = np.repeat(np.arange(len(series)), [len(step) for step in steps])
    return index, (series_pos, np.concatenate(steps))


def quantile_levels(quantiles):
    """RNNForecaster's validated ``quantiles`` with the median, sorted; None stays."""
    if quantiles is None:
        return None
    try:
        levels = np.asarray(quantiles, dtype=float).ravel()
    except (TypeError, ValueError):  # "auto", a list holding a string
        levels = np.array([])
    if not levels.size or not np.all((levels > 0) & (levels < 1)):
        raise ValueError(
            "quantiles must be a non-empty list of levels strictly between "
            f"0 and 1, or None; got {quantiles!r}."
        )
    return tuple(float(q) for q in np.unique(np.append(levels, 0.5)))


def horizon_to_check(forecaster, fh):
    """``fh`` as sktime's checks read it, or ``None``, checked before them.

    sktime's in-sample check converts an absolute ``fh`` at the cutoff, and
    failed with pandas' and assert errors that named neither the problem
    nor the fix: an ``fh`` of another time type than ``y``'s is refused
    here. Returns the ``fh`` for :func:`check_steps` (fitted) or ``None``.
    """
    f, cutoff = forecaster, forecaster._cutoff
    if fh is None:
        return f._fh if f.is_fitted else None
    try:
        checked = check_fh(fh, freq=cutoff)
    except ValueError:  # pandas' "Frequencies ... do not coincide" for dates on periods
        _refuse_other_time_type(getattr(fh, "to_pandas", lambda: fh)(), cutoff)
        raise
    if not checked.is_relative:
        _refuse_other_time_type(checked.to_pandas(), cutoff)
    return checked if f.is_fitted else None


def _refuse_other_time_type(times, cutoff):
    """Refuse dates for periods, periods for dates, or periods of another frequency."""
    kinds = (pd.PeriodIndex, pd.DatetimeIndex)
    times = pd.Index(times) if not isinstance(times, pd.Index) else times
    if (isinstance(cutoff, pd.PeriodIndex) and isinstance(times, pd.PeriodIndex)
            and times.freqstr != cutoff.freqstr):  # sktime: a bare AssertionError
        raise ValueError(
            f"fh is a PeriodIndex of frequency {times.freqstr!r}, but y's time "
            f"index has frequency {cutoff.freqstr!r}: pass fh in y's frequency "
            f"(a PeriodIndex's .asfreq({cutoff.freqstr!r})), or as relative steps "
            "such as fh=[1, 2, 3]."
        )
    if not (isinstance(cutoff, kinds) and isinstance(times, kinds)
            and not isinstance(times, type(cutoff))):
        return
    to = (f"a DatetimeIndex's .to_period({cutoff.freqstr!r})"
          if isinstance(cutoff, pd.PeriodIndex) else "a PeriodIndex's .to_timestamp()")
    raise TypeError(
        f"fh is a {type(times).__name__}, but y's time index is a "
        f"{type(cutoff).__name__}: pass fh as a {type(cutoff).__name__} "
        f"({to}), or as relative steps such as fh=[1, 2, 3]."
    )


def with_series_freq(cutoff, y):
    """A panel's ``cutoff`` with its series' frequency where it has none.

    The cutoff of series ending on different dates has no frequency, and
    sktime's check of an absolute ``fh`` in ``fit`` failed on it (pandas'
    "You must pass a freq argument"); each series of a vectorised
    forecaster (``ThetaForecaster``) has its own.
    """
    if not (isinstance(cutoff, pd.DatetimeIndex) and cutoff.freq is None
            and isinstance(getattr(y, "index", None), pd.MultiIndex)):
        return cutoff
    try:
        return pd.DatetimeIndex(list(cutoff), freq=_offset(_series_times(y.index)),
                                name=cutoff.name)
    except ValueError:  # a date off the series' calendar: sktime's check says so
        return cutoff


def check_steps(fh, cutoff, horizon, fit_fh=False, key=None):
    """``fh``'s steps after ``cutoff``, refused outside 1 to ``horizon``.

    ``fit_fh``: whether ``fit`` got an ``fh`` (which set ``horizon``, and
    ``max_horizon`` did not); ``key``: the series whose own ``cutoff`` an
    absolute ``fh`` counts from, named in the message. Steps before 1 raise
    sktime's ``NotImplementedError`` of in-sample forecasts.
    """
    step = _relative_steps(fh, cutoff)
    if step.min() < 1 or step.max() > horizon:
        origin, asked = "the cutoff", f"fh asks for steps {step.tolist()}"
        if key is not None:
            origin = "the end of each series (its own cutoff)"
            asked = (f"series {key} ends at {cutoff[0]}, so {asked} of its forecast")
        elif step.min() < 1:
            asked = f"{asked} (the cutoff is {cutoff[0]})"
        if step.min() < 1:
            raise NotImplementedError(
                "RNNForecaster can not perform in-sample prediction: it was fitted "
                f"to forecast steps 1 to {horizon} after {origin}, but {asked}. "
                "Pass an fh after the cutoff. (Inside ReconcilerForecaster, use "
                "method 'ols', 'wls_str' or 'bu': 'mint_cov', 'mint_shrink' and "
                "'wls_var' need in-sample residuals, which RNNForecaster does not "
                "give.)"
            )
        if fit_fh:
            advice = (f"Refit with an fh up to step {step.max()}: the fh passed to fit "
                      "sets the steps trained, and max_horizon applies only to a fit "
                      "without fh (sktime's evaluate and ForecastingGridSearchCV pass "
                      "fit their splitter's fh)")
        else:
            advice = (f"Refit with max_horizon={step.max()}, or with an fh up to "
                      "that step")
        raise ValueError(
            f"RNNForecaster was fitted to forecast steps 1 to {horizon} after "
            f"{origin}, but {asked}. {advice}."
        )
    return step


def training_horizon(fh, series, max_horizon):
    """Steps to train for: the largest of fit's fh, else ``max_horizon``."""
    if fh is not None:
        return max(int(_relative_steps(fh, s.cutoff).max()) for s in series)
    if max_horizon is None:
        raise ValueError(
            "RNNForecaster trains for a fixed number of steps ahead: pass fh "
            "to fit, or set max_horizon. Inside ForecastingGridSearchCV (or "
            "another sktime wrapper), pass fh to the wrapper's fit, e.g. "
            "gs.fit(y, fh=[1, 2, 3]): it refits the best forecaster with it."
        )
    return int(max_horizon)


def _relative_steps(fh, cutoff):
    """Steps ahead of ``cutoff`` as an int array."""
    if fh.is_relative and isinstance(fh.to_pandas(), pd.TimedeltaIndex):
        return _timedelta_steps(fh.to_pandas(), cutoff)
    if fh.is_relative:
        return np.asarray(fh.to_numpy(), dtype=int)
    return np.asarray(fh.to_relative(_in_freq_of(fh, cutoff)).to_numpy(), dtype=int)


def _timedelta_steps(spans, cutoff):
    """Steps ahead of ``cutoff`` of a relative fh of time spans (``pd.Timedelta``).

    Counted in the cutoff's frequency, as sktime's forecasters read them
    (``NaiveForecaster``'s 1 day on daily data is step 1; NumPy casts it to
    86400, its seconds); refused where the spans are no whole number of
    steps of a fixed length.
    """
    freq = getattr(cutoff, "freq", None)
    step = step_duration(freq) if isinstance(freq, pd.DateOffset) else None
    steps = None if step is None else spans / step
    if steps is None or not np.all(steps == np.round(steps)):
        if freq is None:
            why = "its time index has no frequency"
        elif step is None:  # business days, months: steps of varying length
            why = f"its frequency, {freq.freqstr}, has steps of no fixed length"
        else:
            why = (f"they are no whole number of its steps of {freq.freqstr}")
        raise ValueError(
            f"fh holds time spans ({', '.join(map(str, spans[:3]))}"
            f"{', ...' if len(spans) > 3 else ''}), which RNNForecaster counts in "
            f"steps of the series' frequency, but {why}. Pass fh as steps "
            "ahead, e.g. fh=[1, 2, 3]."
        )
    return np.asarray(np.round(steps), dtype=int)


def _in_freq_of(fh, cutoff):
    """``cutoff`` under ``fh``'s frequency, where pandas named its own otherwise.

    Data joined by an update lose their index's ``freq``, and the cutoff's
    is inferred again from the dates, which can name the same dates
    otherwise (quarters starting in January as ``QS-OCT``, ``7D`` as
    ``W-FRI``); sktime's horizon, which keeps fit's, refused that as
    another frequency, and every later predict raised.
    """
    freq = getattr(fh, "freq", None)
    if freq is None or not isinstance(cutoff, pd.DatetimeIndex) or cutoff.freq == freq:
        return cutoff
    try:
        return pd.DatetimeIndex(list(cutoff), freq=freq, name=cutoff.name)  # tz kept
    except ValueError:  # a date off fh's calendar: sktime's horizon says so
        return cutoff


def _location_scale(windows, method, reference):
    """Per-window location and scale of shape (n_windows, n_channels).

    A window whose scale is below ``1e-8`` of its series' scale
    ``reference`` (n_channels,) or of its location (a constant or all-zero
    window) takes the series' scale. Relative to the series, so that a
    series is normalised alike at any magnitude (at 1e-9 an absolute floor
    of 1e-8 left some windows unscaled, and the forecasts went wrong); and
    in the series' units: with a scale of 1 in the data's units, the
    all-zero windows before airline's first month made targets in the
    hundreds among targets near 1, and the intervals 60 times as wide.
    """
    n, _, n_channels = windows.shape
    loc = np.zeros((n, n_channels))
    scale = np.ones((n, n_channels))
    if method == "last":
        loc = windows[:, -1, :].copy()
        scale = np.abs(windows).mean(axis=1)
    elif method == "mean":
        scale = np.abs(windows).mean(axis=1)
    elif method == "standard":
        loc = windows.mean(axis=1)
        scale = windows.std(axis=1)
    reference = np.broadcast_to(np.asarray(reference, dtype=np.float64), (n, n_channels))
    tiny = 1e-8 * np.maximum(reference, np.abs(loc))
    scale = np.where(scale > tiny, scale, reference)
    return loc, scale


def _assemble(past, exog, horizon):
    """Network input: the window, then (with exog) the forecast period.

    ``past`` has shape (n, l, n_channels); ``exog`` (n, l + horizon, n_exog) or
    None. Without exog the window is the input. With exog the sequence has
    ``l + horizon`` steps and channels ``[y..., is_future, X...]``, ``y``
    being zero over the forecast period.
    """
    if exog is None:
        return past
    n, length, n_channels = past.shape
    seqs = np.zeros((n, length + horizon, n_channels + 1 + exog.shape[2]))
    seqs[:, :length, :n_channels] = past
    seqs[:, length:, n_channels] = 1.0
    seqs[:, :, n_channels + 1 :] = exog
    return seqs


def _interpolate_levels(values, levels, alpha):
    """Quantiles at levels ``alpha`` by linear interpolation between ``levels``.

    ``values`` of shape (..., n_levels) holds quantiles at the sorted
    ``levels``; returns an array of shape (..., len(alpha)). Levels outside
    the range of ``levels`` get the nearest end.
    """
    levels = np.asarray(levels, dtype=float)
    if len(levels) == 1:
        return np.repeat(values, len(alpha), axis=-1)
    alpha = np.asarray(alpha, dtype=float)
    hi = np.clip(np.searchsorted(levels, alpha), 1, len(levels) - 1)
    lo = hi - 1
    weight = np.clip((alpha - levels[lo]) / (levels[hi] - levels[lo]), 0.0, 1.0)
    return values[..., lo] * (1 - weight) + values[..., hi] * weight


def brackets_the_median(quantiles):
    """Whether the ``quantiles`` parameter has a level on each side of 0.5.

    Read as fit reads it (:func:`quantile_levels`); never raises, as an
    sktime constructor must not: a value fit refuses counts as having them.
    """
    try:
        levels = quantile_levels(quantiles)
    except Exception:  # fit says what is wrong with it
        return True
    return levels is not None and levels[0] < 0.5 < levels[-1]


def key_ranks(keys):
    """Each series' rank among ``keys``, sorted (by ``repr`` where they do not compare)."""
    try:
        order = sorted(range(len(keys)), key=keys.__getitem__)
    except TypeError:  # keys of mixed types
        order = sorted(range(len(keys)), key=lambda i: repr(keys[i]))
    ranks = np.empty(len(keys), dtype=int)
    ranks[order] = np.arange(len(keys))
    return ranks
