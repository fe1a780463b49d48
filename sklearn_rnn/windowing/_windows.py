"""make_windows, and the input checks the windowing transformers share."""

import warnings
from numbers import Integral

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.utils.validation import check_array

from .._columns import refuse_non_numeric_columns
from .._sequences import FLOAT_DTYPES

__all__ = ["make_windows"]


def make_windows(series, window_length, horizon=1, step=1, exog=None):
    """Frame a time series as windows of past values and the values that follow.

    Window ``i`` starts at step ``s = i * step`` and covers the steps
    ``s, ..., s + window_length - 1``; its target is the next ``horizon``
    steps, ``s + window_length, ..., s + window_length + horizon - 1``. Only
    complete windows with complete targets are returned.

    Parameters
    ----------
    series : array-like of shape (n_timepoints,) or (n_timepoints, n_channels)
        The series, oldest first: a 1D or 2D array, a pandas Series or a
        DataFrame, of one series (a panel's ``MultiIndex`` is refused: window
        each series on its own). Every value must be finite: fill missing
        readings first (``series.interpolate()``), rather than dropping their
        rows, which would join non-consecutive time points in one window;
        leading ones (no history yet, as after a shift) are refused too:
        cut them from ``series`` and ``exog`` alike first
        (``series.iloc[k:]``). A pandas index
        that is out of order (or a ``PeriodIndex`` that skips periods) gives
        a warning, as :class:`LagWindowTransformer` does.

    window_length : int
        Number of time steps ``L`` in each window.

    horizon : int, default=1
        Number of future steps per target.

    step : int, default=1
        Stride between the starts of consecutive windows.

    exog : array-like of shape (n_timepoints,) or (n_timepoints, n_exog), \
            default=None
        Exogenous variables aligned step by step with ``series``. They ride
        along as extra features of each window, observed at the window's own
        steps, and are not predicted. Rows are paired by position: where
        ``series`` and ``exog`` both have a pandas index, the indexes must be
        equal (align them first, e.g. ``exog.reindex(series.index)``).

    Returns
    -------
    X : ndarray of shape (n_windows, window_length, n_channels + n_exog)
        The windows in batch-first order, the series' channels first, then
        the exogenous ones. float32 if every input is float32, else float64.

    y : ndarray of shape (n_windows,) or (n_windows, horizon * n_channels)
        Targets: 1D for ``horizon=1`` with one variable; otherwise column
        ``v * horizon + h`` holds variable ``v`` at ``h + 1`` steps after the
        window (all horizon steps of the first variable, then of the next:
        the ``"channels_first"`` order of flattened windows).

    Raises
    ------
    ValueError
        If an argument is not a positive integer, the series is shorter than
        ``window_length + horizon`` or has a ``MultiIndex``, ``exog`` has
        another length or another pandas index (the same instants in another
        time zone pass), or an input holds NaN or inf.

    See Also
    --------
    WindowTrimmer : Keep the trailing steps of windows, to tune their length.
    LagWindowTransformer : One lag window per row of a table.

    Notes
    -----
    Windows are strided views of the input, copied once into ``X``; there
    are ``(n_timepoints - window_length - horizon) // step + 1`` of them.
    For univariate windows, ``X[:, :, 0]`` is the 2D form the estimators read
    by default; multivariate windows flatten to the default
    ``"channels_first"`` layout with
    ``X.transpose(0, 2, 1).reshape(len(X), -1)``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.windowing import make_windows
    >>> X, y = make_windows(np.arange(8.0), window_length=3)
    >>> X.shape, y.shape
    ((5, 3, 1), (5,))
    >>> X[0, :, 0], y[:2]
    (array([0., 1., 2.]), array([3., 4.]))
    >>> X, y = make_windows(np.arange(8.0), window_length=3, horizon=2, step=2)
    >>> X[:, :, 0]
    array([[0., 1., 2.],
           [2., 3., 4.]])
    >>> y
    array([[3., 4.],
           [5., 6.]])
    """
    window_length = _check_positive_int(window_length, "window_length")
    horizon = _check_positive_int(horizon, "horizon")
    step = _check_positive_int(step, "step")
    _refuse_panel(series, "make_windows", "series",
                  "[make_windows(part.droplevel(0), ...) for _, part in series.groupby(level=0)]")
    values = _check_series(series, "series")
    n_timepoints, n_channels = values.shape
    features = values
    # a shuffled series, or one with skipped periods, is windowed as is
    _warn_of_unordered_rows(
        series, "series", "make_windows takes each window from consecutive rows "
        "of series", table="series", parts="windows")
    if exog is not None:
        _check_same_index(series, exog)
        exog_values = _check_series(exog, "exog")
        if exog_values.shape[0] != n_timepoints:
            raise ValueError(
                f"exog has {exog_values.shape[0]} time points but series has "
                f"{n_timepoints}; they must be aligned step by step."
            )
        dtype = np.result_type(values, exog_values)
        features = np.concatenate(
            [values.astype(dtype, copy=False), exog_values.astype(dtype, copy=False)],
            axis=1,
        )
    needed = window_length + horizon
    if n_timepoints < needed:
        raise ValueError(
            f"The series has {n_timepoints} time points, too few for "
            f"window_length={window_length} plus horizon={horizon}: at least "
            f"{needed} are needed. Use a shorter window_length or horizon."
        )
    n_windows = (n_timepoints - needed) // step + 1
    # sliding_window_view puts the window axis last: (n_starts, n_channels, L).
    windows = sliding_window_view(features, window_length, axis=0)
    X = windows[: n_windows * step : step].transpose(0, 2, 1)
    targets = sliding_window_view(values[window_length:], horizon, axis=0)
    y = targets[: n_windows * step : step].reshape(n_windows, n_channels * horizon)
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    if n_channels == 1 and horizon == 1:
        y = y[:, 0]
    return X, y


def _check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_series(series, name):
    """Return ``series`` as a finite float 2D array (n_timepoints, n_channels)."""
    refuse_non_numeric_columns(series, name, "make_windows")
    values = check_array(
        series,
        dtype=FLOAT_DTYPES,
        ensure_2d=False,
        allow_nd=True,
        ensure_all_finite="allow-nan",
        input_name=name,
    )
    if values.ndim == 1:
        values = values[:, None]
    elif values.ndim != 2:
        raise ValueError(
            f"{name} must have shape (n_timepoints,) or (n_timepoints, n_channels); "
            f"got an array of shape {values.shape}."
        )
    missing = np.isnan(values).any(axis=1)
    if missing.any():
        # check_array's "contains NaN" says neither where nor what to do
        first = int(np.flatnonzero(missing)[0])
        index = getattr(series, "index", None)
        label = f", label {index[first]}" if hasattr(index, "equals") else ""
        n_missing = int(missing.sum())
        points = "1 time point" if n_missing == 1 else f"{n_missing} time points"
        if missing[:n_missing].all():  # leading only: no history yet (a shift)
            fix = (f"They lead the series (no history yet, as after a shift): cut "
                   f"the first {n_missing} rows from series and exog alike, e.g. "
                   f"series.iloc[{n_missing}:].")
        else:
            fix = f"Fill the gaps before windowing, {fill_gaps(name)}"
        raise ValueError(
            f"Input {name} contains NaN at {points} (the first at position "
            f"{first}{label}). {fix}"
        )
    return values


def fill_gaps(name):
    """How to fill the missing values of a time series ``name``, and why not drop them."""
    return (f"e.g. {name}.interpolate() or {name}.ffill() in pandas; do not drop "
            "those rows, which would join non-consecutive time points in one window.")


def _check_same_index(series, exog):
    """Refuse pandas ``series`` and ``exog`` whose indexes differ.

    Their values are paired row by row; pandas would have aligned them by
    label (a shifted join, an exog recorded a day late).
    """
    s_index, e_index = getattr(series, "index", None), getattr(exog, "index", None)
    if not (hasattr(s_index, "equals") and hasattr(e_index, "equals")):
        return  # a list's index is a method
    if s_index.equals(e_index) or _same_instants(s_index, e_index):
        return
    n = min(len(s_index), len(e_index))
    first = next((i for i in range(n) if not s_index[i] == e_index[i]), n)
    if first < n:
        where = (f"at position {first}, {s_index[first]} in series and "
                 f"{e_index[first]} in exog")
    else:
        where = f"{len(s_index)} labels in series, {len(e_index)} in exog"
    raise ValueError(
        f"series and exog have different indexes ({where}); make_windows pairs "
        "their rows by position. Align exog with series first, e.g. "
        "exog.reindex(series.index), and fill the gaps that shows (or pass "
        "NumPy arrays if the rows already correspond)."
    )


def _same_instants(a, b):
    """Whether two time-zone-aware indexes hold the same instants (in any zones)."""
    aware = [getattr(i, "tz", None) is not None and hasattr(i, "tz_convert") for i in (a, b)]
    return all(aware) and a.tz_convert("UTC").equals(b.tz_convert("UTC"))


def _refuse_panel(X, reader, name, example):
    """Refuse ``X`` with a ``MultiIndex``: a panel's windows would run across its
    series (the first rows of one taking their history from the last of another)."""
    if getattr(getattr(X, "index", None), "nlevels", 1) > 1:
        raise ValueError(
            f"{reader} windows one series, but {name} has a MultiIndex (a panel of "
            f"several series?): its windows would run across the series. Window each "
            f"series on its own and concatenate, e.g. {example}. If {name} is one "
            f"series indexed by several levels (year and month, say), pass it with "
            f"one level: {name}.reset_index(drop=True)."
        )


def _warn_of_unordered_rows(X, name="X", reader="LagWindowTransformer takes each "
                            "row's history from the rows before it in X",
                            table="table", parts="rows"):
    """Warn where a table's index says its rows are not consecutive time points.

    Rows out of order (a shuffled ``train_test_split``), or periods with
    some skipped (a ``KFold`` training part around its held-out block) would
    be windowed as if they followed each other. Only a ``PeriodIndex`` says
    what consecutive means; integers (``yyyymm``) and timestamps (business
    days, clock changes, events) may step unevenly by nature.
    """
    index = getattr(X, "index", None)  # a pandas index (a list's is a method)
    if not hasattr(index, "is_monotonic_increasing") or len(index) < 2:
        return
    if not index.is_monotonic_increasing:
        why = "are out of order"
    elif str(index.dtype).startswith("period") and (np.diff(index.asi8) > 1).any():
        why = "skip some periods"
    else:
        return
    warnings.warn(
        f"{name}'s index says its rows {why}: {reader}. Window the whole {table}, "
        f"in time order, once, and split the {parts} afterwards (with "
        "TimeSeriesSplit, not a shuffled or KFold split).", UserWarning)


def _ndim(X):
    """Number of dimensions of array-like ``X``, None for ragged lists."""
    if hasattr(X, "ndim"):  # arrays, DataFrames, sparse matrices
        return X.ndim
    try:
        return np.asarray(X).ndim
    except (TypeError, ValueError):
        return None
