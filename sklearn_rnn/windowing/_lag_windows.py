"""LagWindowTransformer: one lag window per row of a table of time points."""

from numbers import Integral, Real

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from .._columns import refuse_non_numeric_columns
from .._compat import Interval, StrOptions, _check_feature_names_in, _fit_context
from .._doc_link import _DocLinkMixin
from .._sequences import FLOAT_DTYPES
from ..utils.docstrings import INPUT_FEATURES, fill_docstring
from ._windows import (
    _refuse_panel,
    _warn_of_unordered_rows,
    fill_gaps,
)

__all__ = ["LagWindowTransformer"]


@fill_docstring(None, input_features=INPUT_FEATURES)
class LagWindowTransformer(_DocLinkMixin, TransformerMixin, BaseEstimator):
    """Turn a table of time points into one lag window per row.

    Row ``t`` of the output holds the window ending at row ``t`` of the
    input: the values of every variable at rows ``t - window_length + 1,
    ..., t``, flattened into ``window_length * n_channels`` columns. Rows are
    time points in order, oldest first. The output keeps one row per input
    row, as a :class:`~sklearn.pipeline.Pipeline` requires, so the first
    ``window_length - 1`` rows lack part of their history; those steps are
    filled with ``fill_value``.

    The window of row ``t`` includes row ``t`` itself (``<name>_lag0``), so
    the target of row ``t`` must come from a later row: to predict variable
    ``v`` ``h`` steps ahead, ``X, y = table[:-h], table[h:, v]``. A target
    from the same row, ``y = table[:, v]``, is one of the inputs (a
    perfect score, and a model that forecasts nothing). With ``h > 1``,
    cross-validate with ``TimeSeriesSplit(n_splits, gap=h - 1)``: otherwise
    the last training targets fall inside the test period.

    Parameters
    ----------
    window_length : int, default=10
        Number of time steps ``L`` per window (the current one and
        ``L - 1`` lags).

    flat_layout : {"channels_first", "channels_last"}, default="channels_first"
        Column order of the output. ``"channels_first"``: all ``L`` steps of
        the first channel, oldest first, then of the next channel; this
        feeds the estimators with the same ``n_channels`` unchanged.
        ``"channels_last"``: all channels of the oldest step, then of the
        next.

    fill_value : float, default=np.nan
        Value of the steps before the first row. With the default NaN,
        set ``leading_nan="trim"`` on the estimator after this step: it reads
        leading all-NaN steps as "no history yet" and fits and predicts the
        first rows as shorter sequences.

    Attributes
    ----------
    n_features_in_ : int
        Number of channels (columns) seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit. Defined only when `X` has feature
        names that are all strings.

    See Also
    --------
    make_windows : Frame a series as windows and targets, dropping
        incomplete windows.
    WindowTrimmer : Keep the trailing steps of windows, to tune their length.

    Notes
    -----
    Each call to ``transform`` windows only the rows it is given: the
    history of a first row is never taken from the data seen in ``fit``. To
    predict a period after the training data with full histories, transform
    the whole table once and split the rows afterwards; this leaks nothing,
    since each row's window holds only its own and earlier time points.
    Inside a cross-validated pipeline, the first rows of every validation
    fold are likewise scored with shortened histories; to avoid that,
    transform the table once at the largest window length and tune the
    length with a :class:`WindowTrimmer` in the pipeline (trimming keeps NaN,
    so ``leading_nan="trim"`` still applies).

    NaN in the input raises a ``ValueError``: in the output, NaN means "no
    history yet" and nothing else. Fill gaps first (``X.interpolate()``);
    dropping their rows would join non-consecutive time points in a window.
    A ``MultiIndex`` (a panel of several series) raises a ``ValueError`` too:
    the windows of one series' first rows would reach into the series before
    it; window each series on its own.
    By design, the output of a row depends on the rows before it, so the
    transformer is not invariant to the order or to the subsets of the rows
    it transforms (scikit-learn's
    ``check_methods_sample_order_invariance`` and
    ``check_methods_subset_invariance`` assume it is).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.windowing import LagWindowTransformer
    >>> X = np.arange(8.0).reshape(4, 2)  # 4 time points, 2 channels
    >>> lag = LagWindowTransformer(window_length=2)
    >>> lag.fit_transform(X)
    array([[nan,  0., nan,  1.],
           [ 0.,  2.,  1.,  3.],
           [ 2.,  4.,  3.,  5.],
           [ 4.,  6.,  5.,  7.]])
    >>> lag.get_feature_names_out()
    array(['x0_lag1', 'x0_lag0', 'x1_lag1', 'x1_lag0'], dtype=object)

    In front of an estimator, which reads the missing history as shorter
    sequences; row ``t`` of the table predicts variable 0 one step later:

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import LSTMRegressor
    >>> table = np.arange(20.0).reshape(10, 2)  # 10 time points, 2 variables
    >>> X, y = table[:-1], table[1:, 0]  # not y = table[:, 0]: that is x0_lag0
    >>> lag.fit_transform(X)[-1], float(y[-1])  # rows 7-8, and x0 at row 9
    (array([14., 16., 15., 17.]), 18.0)
    >>> pipe = make_pipeline(
    ...     LagWindowTransformer(window_length=12),
    ...     LSTMRegressor(n_channels=2, leading_nan="trim"),
    ... )

    ``h`` steps ahead, with ``h - 1`` rows left out between training and test
    rows, so that no training target lies in the test period:

    >>> from sklearn.model_selection import TimeSeriesSplit
    >>> h = 3
    >>> X, y = table[:-h], table[h:, 0]
    >>> cv = TimeSeriesSplit(n_splits=2, gap=h - 1)
    """

    _parameter_constraints: dict = {
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "flat_layout": [StrOptions({"channels_first", "channels_last"})],
        "fill_value": [Real],
    }

    def __init__(
        self, window_length=10, *, flat_layout="channels_first", fill_value=np.nan
    ):
        self.window_length = window_length
        self.flat_layout = flat_layout
        self.fill_value = fill_value

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check ``X`` and record its number of variables.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_timepoints, n_channels)
            Time points in order, oldest first.

        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        _refuse_panel(X, "LagWindowTransformer", "X", _PANEL_EXAMPLE)
        _validated(self, X)
        return self

    def transform(self, X):
        """Replace each row by the window of rows ending at it.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_timepoints, n_channels)
            Time points in order, oldest first.

        Returns
        -------
        X_out : ndarray of shape (n_timepoints, window_length * n_channels)
            Row ``t`` holds rows ``t - window_length + 1, ..., t`` of ``X``
            in ``flat_layout`` order, ``fill_value`` before the first row.
        """
        check_is_fitted(self)
        _refuse_panel(X, "LagWindowTransformer", "X", _PANEL_EXAMPLE)
        _warn_of_unordered_rows(X)
        X = _validated(self, X, reset=False)
        n_rows, n_channels = X.shape
        length = int(self.window_length)  # True is 1, as for WindowTrimmer
        padded = np.empty((n_rows + length - 1, n_channels), dtype=X.dtype)
        padded[: length - 1] = self.fill_value
        padded[length - 1 :] = X
        windows = sliding_window_view(padded, length, axis=0)  # (n, n_channels, L)
        if self.flat_layout == "channels_last":
            windows = windows.transpose(0, 2, 1)
        # A copy: a reshaped sliding view is read-only, an output must not be.
        return windows.reshape(n_rows, n_channels * length).copy()

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation.

        Parameters
        ----------
        {input_features}

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"<name>_lag<k>"``, where lag ``k`` is the value ``k`` rows
            before the current one (``lag0``), in output order.
        """
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        lags = np.arange(self.window_length - 1, -1, -1)
        if self.flat_layout == "channels_first":
            pairs = [(name, k) for name in names for k in lags]
        else:
            pairs = [(name, k) for k in lags for name in names]
        return np.asarray([f"{name}_lag{k}" for name, k in pairs], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


_PANEL_EXAMPLE = ("np.vstack([lag.fit_transform(part.droplevel(0)) for _, part in "
                  "X.groupby(level=0, sort=False)])")


def _validated(transformer, X, **kwargs):
    """``validate_data``, whose NaN message says how to fill a time series' gaps.

    scikit-learn's suggests dropping the rows with missing values, which
    would put non-consecutive time points in one window.
    """
    refuse_non_numeric_columns(X, "X", type(transformer).__name__)
    try:
        return validate_data(transformer, X, dtype=FLOAT_DTYPES, **kwargs)
    except ValueError as exc:
        if not str(exc).startswith("Input X contains NaN"):
            raise
        try:  # pandas' NA does not convert
            rows = np.flatnonzero(np.isnan(np.asarray(X, dtype=np.float64)).any(axis=-1))
            where = (f" in {'1 row' if len(rows) == 1 else f'{len(rows)} rows'} (the "
                     f"first at position {rows[0]})")
        except (TypeError, ValueError, IndexError):
            where = ""
        raise ValueError(
            f"Input X contains NaN{where}. In "
            "LagWindowTransformer's output NaN means \"no history yet\" only: fill "
            f"the gaps first (or with sklearn.impute.SimpleImputer), {fill_gaps('X')}"
        ) from None

