"""Windowing: from time series to the sequences the estimators learn from.

:func:`make_windows` frames one long series (and aligned exogenous columns)
as a supervised data set of fixed-length windows and the values that follow
them. Two transformers sit in a :class:`~sklearn.pipeline.Pipeline` in front
of an estimator and keep one output row per input row, so that
:class:`~sklearn.model_selection.GridSearchCV` can tune the window length:

- :class:`WindowTrimmer` keeps the trailing ``window_length`` steps of
  longer windows, so data windowed once at the largest length can be tuned
  over shorter ones;
- :class:`LagWindowTransformer` turns a ``(n_timepoints, n_channels)`` table into
  one lag window per row, marking missing history with NaN.

Flattened 2D windows use the column order of the estimators'
``flat_layout`` parameter; the default ``"channels_first"`` holds all time
steps of the first variable, then all of the next.

The implementation lives in private modules: ``_windows`` (``make_windows``
and the input checks the transformers share), ``_trimmer``
(``WindowTrimmer``) and ``_lag_windows`` (``LagWindowTransformer``). Import
from ``sklearn_rnn.windowing``, never from them.
"""

from ._lag_windows import LagWindowTransformer
from ._trimmer import WindowTrimmer
from ._windows import make_windows

__all__ = ["LagWindowTransformer", "WindowTrimmer", "make_windows"]
