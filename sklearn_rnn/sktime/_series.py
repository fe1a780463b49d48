"""The series of an sktime panel, as :class:`~sklearn_rnn.sktime.RNNForecaster` reads them.

:func:`_split_series` cuts a panel (``pd-multiindex`` or
``pd_multiindex_hier``) or a single series into :class:`_Series`: its key,
values, exogenous values, time index (checked to be equally spaced) and
cutoff. By position, without a data frame or an sktime mtype check per
series: on a panel of 1000 series those were most of ``predict``'s time.
Plain NumPy and pandas.
"""

import numpy as np
import pandas as pd


class _Series:
    """One series: its key, values, exogenous values and cutoff."""

    __slots__ = ("key", "y", "X", "index", "cutoff")

    def __init__(self, key, y, X, index, cutoff):
        self.key, self.y, self.X, self.index, self.cutoff = key, y, X, index, cutoff

    @property
    def cutoff_key(self):
        """The cutoff as a dict key: its time, dtype (time zone) and ``freq``."""
        return self.cutoff[0], self.cutoff.dtype, getattr(self.cutoff, "freq", None)


def _split_series(y, X, name="y", spaced=True, method="fit"):
    """Split ``y`` (and ``X``, aligned to ``y``) into :class:`_Series`.

    ``name`` names ``y`` in the error on an index that is not equally spaced
    (checked where ``spaced``). A panel's series are cut by position, in the
    order they first appear, as ``groupby(sort=False)`` and ``droplevel``
    give them, without a data frame per series. ``X`` must cover every time
    of every series of ``y`` with finite values (``method`` names the
    caller in the error otherwise).
    """
    if not isinstance(y.index, pd.MultiIndex):
        parts = [(None, y.to_numpy(dtype=np.float64), y.index, X)]
    else:
        levels = list(range(y.index.nlevels - 1))
        x_groups = {}
        if X is not None:
            x_groups = {_as_tuple(k): g for k, g in X.groupby(level=levels, sort=False)}
        # a key that is NaN (-1) or holds one is dropped, as groupby drops it
        codes, keys = pd.factorize(y.index.droplevel(-1))
        order = np.argsort(codes, kind="stable")
        bounds = np.searchsorted(codes[order], np.arange(len(keys) + 1))
        values = y.to_numpy(dtype=np.float64)
        times, time_codes = y.index.levels[-1], y.index.codes[-1]
        parts = []
        for i, key in enumerate(keys):
            key, rows = _as_tuple(key), order[bounds[i]:bounds[i + 1]]
            if any(pd.isna(part) for part in key):
                continue
            index = times.take(time_codes[rows])  # as droplevel does (freq kept)
            if np.any(time_codes[rows] == -1):
                index = index.putmask(time_codes[rows] == -1, np.nan)
            index = index.rename(y.index.names[-1])
            x_part = x_groups.get(key)
            if x_part is not None:
                x_part = x_part.droplevel(levels)
            parts.append((key, values[rows], index, x_part))
    series = []
    for key, y_values, index, x_part in parts:
        if spaced:
            _check_equally_spaced(index, key, name)
        if name == "y":  # update took an infinite y (review s35 rvC 2)
            _check_finite(y_values.reshape(len(index), -1), index,
                          y.columns if hasattr(y, "columns") else [y.name], key, method, "y")
        x_values = None
        if X is not None:
            x_values = _exog_values(x_part, index, key, method)
        series.append(_Series(key, y_values, x_values, index, _cutoff(index)))
    if spaced:
        _check_one_frequency(series, name)
    return series


def _check_one_frequency(series, name):
    """Raise where a panel's series have times of different frequencies.

    The forecasts are stamped on one grid, and read with one season: a
    weekly series beside a daily one got forecasts a day apart, silently
    (review s35 rvC 1; sktime's NaiveForecaster refuses the panel).
    """
    first = {}
    for s in series:
        freq = getattr(s.cutoff, "freq", None)
        if freq is not None:
            first.setdefault(freq, s)
    (a, s_a), *others = first.items() if first else [(None, None)]
    for b, s_b in others:  # names of one grid (QS, as inferred QS-OCT) pass
        if not all(_same_steps(s.cutoff[0], a, b) for s in (s_a, s_b)):
            raise ValueError(
                f"The series of {name} have times of different frequencies: "
                f"{a.freqstr} (series {s_a.key}) and {b.freqstr} (series {s_b.key}). "
                "RNNForecaster forecasts a panel on one time grid: resample the "
                "series to one frequency, or fit one forecaster per frequency.")


def _same_steps(time, a, b):
    """Whether frequencies ``a`` and ``b`` take ``time`` to the same next two times."""
    try:
        return time + a == time + b and time + 2 * a == time + 2 * b
    except (TypeError, ValueError):  # periods of other frequencies
        return False


def _exog_values(x_part, index, key, method):
    """The exogenous values of a series at the times ``index`` of its ``y``.

    A ``ValueError`` names the series where ``x_part`` (its rows of ``X``,
    None if none) lacks some of them: sktime checks that on a single
    series in ``fit``, not on a panel, where NumPy or pandas failed later
    (a series without ``X``, such as the totals sktime's ``Aggregator``
    adds to ``y``, and not to ``X``).
    """
    missing = index
    if x_part is not None:
        try:
            values = x_part.loc[index].to_numpy(dtype=np.float64)
        except KeyError:
            missing = index[~index.isin(x_part.index)]
            if not len(missing):  # not a missing time: pandas' error
                raise
        else:
            _check_finite(values, index, x_part.columns, key, method)
            return values
    where = "" if key is None else f" of series {key}"
    if any(str(part) == "__total" for part in key or ()):
        advice = ("y holds the totals sktime's Aggregator adds and X does not: "
                  "aggregate X too (Aggregator() on X, for instance in a "
                  "ForecastingPipeline around the forecaster), or drop X.")
    else:
        advice = "Pass X at every time of every series of y, or drop X."
    raise ValueError(
        f"{method} needs exogenous X at every time of y, but X has "
        f"{len(index) - len(missing)} of the {len(index)} times{where}: it "
        f"lacks {len(missing)}, the first at {missing[0]}. {advice}"
    )


def _check_finite(values, times, columns, key, method, name="X"):
    """Raise a ``ValueError`` where the values of ``name`` are not finite.

    sktime refuses NaN in ``X`` and ``y`` for RNNForecaster, not an infinite
    value: in ``X`` that failed in the exogenous regression's least squares
    in ``fit``, and gave NaN forecasts in ``predict``; in ``y`` passed to
    ``update`` every later forecast was NaN. The message names the first
    value's column, series (``key``) and time, as scikit-learn's
    ``check_array`` refuses one.
    """
    bad = ~np.isfinite(values)
    if not bad.any():
        return
    row, column = np.argwhere(bad)[0]
    where = "" if key is None else f" of series {key}"
    raise ValueError(
        f"{name} passed to {method} holds {values[row, column]} in column "
        f"{columns[column]!r}{where} at {times[row]} ({bad.sum()} non-finite "
        f"value(s) in all), but RNNForecaster needs finite "
        f"{'exogenous ' * (name == 'X')}values. Replace them before calling "
        f"{method}, for instance with {name}.replace([np.inf, -np.inf], np.nan) and "
        "sktime's Imputer in a ForecastingPipeline."
    )


def _cutoff(index):
    """The cutoff (a ``pd.Index`` of length 1) of a series with time ``index``.

    What sktime's ``get_cutoff(y, return_index=True)`` returns for a
    ``pd.DataFrame`` (its last time, with the index's ``freq`` or the one
    pandas infers), without inferring ``y``'s mtype: once per series, that
    was most of a 1000-series panel's ``predict``.
    """
    if not len(index):  # an empty X to split: get_cutoff's 0
        return 0
    timed = isinstance(index, (pd.PeriodIndex, pd.DatetimeIndex))
    cutoff = index[-1:] if timed else index[[-1]]  # a slice is faster, the same there
    if hasattr(index, "freq"):
        if index.freq is None:
            try:
                cutoff.freq = pd.infer_freq(index)
            except ValueError:  # fewer than 3 times
                pass
        elif cutoff.freq != index.freq:
            cutoff.freq = index.freq
    return cutoff


def _check_equally_spaced(index, key, name="y"):
    """Raise unless the time ``index`` is equally spaced.

    The model reads a series as consecutive steps: a ``PeriodIndex`` with a
    missing period keeps its frequency, and was read as if nothing were
    missing (every season before the gap shifted by one step); a
    ``DatetimeIndex`` with one failed in sktime's forecasting horizon with a
    ``TypeError``.
    """
    if not len(index):  # an empty X to split: get_cutoff's 0
        return 0
    timed = isinstance(index, (pd.PeriodIndex, pd.DatetimeIndex))
    if len(index) < 2 or not (timed or pd.api.types.is_integer_dtype(index)):
        return
    where = "" if key is None else f" of series {key}"
    if index.has_duplicates:  # set differences and steps of 0 would hide it
        raise ValueError(
            f"The time index of {name}{where} holds {index[index.duplicated()][0]} "
            "more than once, but RNNForecaster reads a series as one value per "
            "step. Keep one row per time point (for instance "
            f"{name}[~{name}.index.duplicated(keep='last')])."
        )
    if len(index) < 3:
        return
    if isinstance(index, pd.DatetimeIndex):
        # pandas checks a freq the index holds; it infers none for some (SMS)
        if index.freq is not None or pd.infer_freq(index) is not None:
            return
        problem = _off_calendar(index)
    else:
        steps = np.diff(index.asi8 if isinstance(index, pd.PeriodIndex) else index)
        odd = np.flatnonzero(steps != np.median(steps))
        if not len(odd):
            return
        problem = f"a step from {index[odd[0]]} to {index[odd[0] + 1]}"
    raise ValueError(
        f"The time index of {name}{where} is not equally spaced ({problem}), but "
        "RNNForecaster reads a series as consecutive steps. Give every step "
        f"a value (for instance {name}.asfreq(freq) and then fill the missing "
        "values) or pass a regular index."
    )


def _off_calendar(index):
    """Where a ``DatetimeIndex`` without a frequency leaves its calendar.

    The calendar is the frequency pandas infers from its first or last ten
    timestamps (business days, month starts, ...).
    """
    for part in (index[:10], index[-10:]):
        freq = pd.infer_freq(part) if len(part) >= 3 else None
        if freq is None:
            continue
        calendar = pd.date_range(index[0], index[-1], freq=freq)
        missing = calendar.difference(index)
        if len(missing):
            return f"{missing[0]} is missing from its {freq} calendar"
        return f"{index.difference(calendar)[0]} is off its {freq} calendar"
    return "a frequency pandas cannot infer"


def _as_tuple(key):
    return key if isinstance(key, tuple) else (key,)
