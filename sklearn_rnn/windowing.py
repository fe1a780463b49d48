"""Windowing: from time series to the sequences the estimators learn from.

:func:`make_windows` frames one long series (and aligned exogenous columns)
as a supervised data set of fixed-length windows and the values that follow
them. Two transformers sit in a :class:`~sklearn.pipeline.Pipeline` in front
of an estimator and keep one output row per input row, so that
:class:`~sklearn.model_selection.GridSearchCV` can tune the window length:

- :class:`WindowTrimmer` keeps the trailing ``window_length`` steps of
  longer windows, so data windowed once at the largest length can be tuned
  over shorter ones;
- :class:`LagWindowTransformer` turns a ``(n_timepoints, n_vars)`` table into
  one lag window per row, marking missing history with NaN.

Flattened 2D windows use the column order of the estimators'
``flat_layout`` parameter; the default ``"channels_first"`` holds all time
steps of the first variable, then all of the next.
"""

from numbers import Integral, Real

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._compat import Interval, StrOptions, _fit_context

__all__ = ["LagWindowTransformer", "WindowTrimmer", "make_windows"]

_FLOAT_DTYPES = (np.float64, np.float32)


def make_windows(series, window_length, horizon=1, step=1, exog=None):
    """Frame a time series as windows of past values and the values that follow.

    Window ``i`` starts at step ``s = i * step`` and covers the steps
    ``s, ..., s + window_length - 1``; its target is the next ``horizon``
    steps, ``s + window_length, ..., s + window_length + horizon - 1``. Only
    complete windows with complete targets are returned.

    Parameters
    ----------
    series : array-like of shape (n_timepoints,) or (n_timepoints, n_vars)
        The series, oldest first: a 1D or 2D array, a pandas Series or a
        DataFrame. Every value must be finite.

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
        steps, and are not predicted.

    Returns
    -------
    X : ndarray of shape (n_windows, window_length, n_vars + n_exog)
        The windows in batch-first order, the series' variables first, then
        the exogenous ones. float32 if every input is float32, else float64.

    y : ndarray of shape (n_windows,) or (n_windows, horizon * n_vars)
        Targets: 1D for ``horizon=1`` with one variable; otherwise column
        ``v * horizon + h`` holds variable ``v`` at ``h + 1`` steps after the
        window (all horizon steps of the first variable, then of the next:
        the ``"channels_first"`` order of flattened windows).

    Raises
    ------
    ValueError
        If an argument is not a positive integer, the series is shorter than
        ``window_length + horizon``, ``exog`` has another length, or an input
        holds NaN or inf.

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
    values = _check_series(series, "series")
    n_timepoints, n_vars = values.shape
    features = values
    if exog is not None:
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
            f"{needed} are needed."
        )
    n_windows = (n_timepoints - needed) // step + 1
    # sliding_window_view puts the window axis last: (n_starts, n_vars, L).
    windows = sliding_window_view(features, window_length, axis=0)
    X = windows[: n_windows * step : step].transpose(0, 2, 1)
    targets = sliding_window_view(values[window_length:], horizon, axis=0)
    y = targets[: n_windows * step : step].reshape(n_windows, n_vars * horizon)
    X, y = np.ascontiguousarray(X), np.ascontiguousarray(y)
    if n_vars == 1 and horizon == 1:
        y = y[:, 0]
    return X, y


def _check_positive_int(value, name):
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer, got {value!r}.")
    return int(value)


def _check_series(series, name):
    """Return ``series`` as a finite float 2D array (n_timepoints, n_vars)."""
    values = check_array(
        series,
        dtype=_FLOAT_DTYPES,
        ensure_2d=False,
        allow_nd=True,
        ensure_all_finite=True,
        input_name=name,
    )
    if values.ndim == 1:
        values = values[:, None]
    elif values.ndim != 2:
        raise ValueError(
            f"{name} must have shape (n_timepoints,) or (n_timepoints, n_vars); "
            f"got an array of shape {values.shape}."
        )
    return values


def _ndim(X):
    """Number of dimensions of array-like ``X``, None for ragged lists."""
    if hasattr(X, "ndim"):  # arrays, DataFrames, sparse matrices
        return X.ndim
    try:
        return np.asarray(X).ndim
    except (TypeError, ValueError):
        return None


def _input_feature_names(estimator, input_features):
    """The input feature names, checked against what ``fit`` saw."""
    check_is_fitted(estimator, "n_features_in_")
    names_in = getattr(estimator, "feature_names_in_", None)
    if input_features is None:
        if names_in is not None:
            return np.asarray(names_in, dtype=object)
        return np.asarray(
            [f"x{i}" for i in range(estimator.n_features_in_)], dtype=object
        )
    input_features = np.asarray(input_features, dtype=object)
    if names_in is not None and not np.array_equal(names_in, input_features):
        raise ValueError("input_features is not equal to feature_names_in_")
    if len(input_features) != estimator.n_features_in_:
        raise ValueError(
            "input_features should have length equal to number of features "
            f"({estimator.n_features_in_}), got {len(input_features)}"
        )
    return input_features


class WindowTrimmer(TransformerMixin, BaseEstimator):
    """Keep the trailing ``window_length`` steps of each window.

    Windows of some maximum length, made once (for example with
    :func:`make_windows`), become windows of any shorter length, so a
    :class:`~sklearn.pipeline.Pipeline` of this transformer and an estimator
    can tune the window length with
    :class:`~sklearn.model_selection.GridSearchCV` without re-windowing the
    data, and every candidate length sees the same samples and targets.

    Parameters
    ----------
    window_length : int, default=None
        Number of most recent time steps to keep. ``None`` keeps them all.

    n_channels : int, default=1
        Number of channels ``C`` of 2D input: a row of ``T * C`` columns holds
        one flattened window of ``T`` steps. Ignored for 3D input. Use the
        same value as the estimator after this step.

    flat_layout : {"channels_first", "channels_last"}, default="channels_first"
        Column order of 2D input, and of the output. ``"channels_first"``: all
        time steps of the first channel, then of the next.
        ``"channels_last"``: all channels of the first time step, then of the
        next.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of 2D input, or number of features per time step of
        3D input, seen during fit.

    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during fit. Defined only when `X` has feature
        names that are all strings.

    n_timesteps_in_ : int
        Number of time steps per window seen during fit.

    See Also
    --------
    make_windows : Frame a series as windows and targets.
    LagWindowTransformer : One lag window per row of a table.

    Notes
    -----
    The trimmer only selects columns (or, for 3D input, time steps), so it is
    stateless: ``fit`` checks and records the input shape. It accepts 2D
    input ``(n_samples, T * n_channels)`` and returns ``(n_samples,
    window_length * n_channels)`` in the same layout, or 3D input
    ``(n_samples, T, n_features)`` and returns ``(n_samples, window_length,
    n_features)``. ``set_output(transform="pandas")`` applies to 2D output;
    with 3D input it raises, as a DataFrame cannot hold 3D windows.

    NaN passes through unchanged (inf is rejected): in particular the
    leading NaN with which :class:`LagWindowTransformer` marks missing
    history, which trimming may remove and which the estimator reads with
    ``leading_nan="trim"``. The estimator after this step checks its input.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.windowing import WindowTrimmer
    >>> X = np.arange(12.0).reshape(2, 6)  # two univariate windows of 6 steps
    >>> WindowTrimmer(window_length=2).fit_transform(X)
    array([[ 4.,  5.],
           [10., 11.]])
    >>> # two channels of 3 steps each, channels_first: a0 a1 a2 b0 b1 b2
    >>> WindowTrimmer(window_length=2, n_channels=2).fit_transform(X)
    array([[ 1.,  2.,  4.,  5.],
           [ 7.,  8., 10., 11.]])

    Tuning the window length of windows made once at length 36:

    >>> from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
    >>> from sklearn.pipeline import Pipeline
    >>> from sklearn_rnn import LSTMRegressor
    >>> pipe = Pipeline([("trim", WindowTrimmer()), ("lstm", LSTMRegressor())])
    >>> search = GridSearchCV(
    ...     pipe, {"trim__window_length": [12, 24, 36]}, cv=TimeSeriesSplit(3)
    ... )
    """

    _parameter_constraints: dict = {
        "window_length": [None, Interval(Integral, 1, None, closed="left")],
        "n_channels": [Interval(Integral, 1, None, closed="left")],
        "flat_layout": [StrOptions({"channels_first", "channels_last"})],
    }

    def __init__(
        self, window_length=None, *, n_channels=1, flat_layout="channels_first"
    ):
        self.window_length = window_length
        self.n_channels = n_channels
        self.flat_layout = flat_layout

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check ``X`` and record its shape.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps * \
                n_channels) or (n_samples, n_timesteps, n_features)
            Windows, flattened (2D) or not (3D).

        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        self._validate(X, reset=True)
        return self

    def transform(self, X):
        """Keep the last ``window_length`` time steps of each window.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps * \
                n_channels) or (n_samples, n_timesteps, n_features)
            Windows with the shape (2D or 3D, number of columns) seen in fit.

        Returns
        -------
        X_out : ndarray of shape (n_samples, window_length * n_channels) or \
                (n_samples, window_length, n_features)
            The trimmed windows, in the layout of ``X``.
        """
        check_is_fitted(self)
        X, n_steps = self._validate(X, reset=False)
        if X.ndim == 3:
            return X[:, n_steps - self._kept_length(n_steps) :].copy()
        return X[:, self._kept_columns(n_steps)]

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names. If None, ``feature_names_in_`` is used when
            defined, else ``["x0", "x1", ...]``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The names of the kept input columns, in output order. After 3D
            input, the names of the features per time step, which trimming
            leaves unchanged.
        """
        names = _input_feature_names(self, input_features)
        if not self._fitted_on_table:
            return names
        return names[self._kept_columns(self.n_timesteps_in_)]

    def _validate(self, X, *, reset):
        if _ndim(X) == 3:
            X = check_array(
                X,
                dtype=_FLOAT_DTYPES,
                allow_nd=True,
                ensure_all_finite="allow-nan",
                input_name="X",
            )
            if reset:
                self.n_features_in_ = X.shape[2]
                self._fitted_on_table = False
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
            elif self._fitted_on_table:
                raise ValueError(
                    f"{type(self).__name__} was fitted on 2D windows; got a 3D "
                    "array. Transform the same kind of input as seen in fit."
                )
            elif X.shape[2] != self.n_features_in_:
                raise ValueError(
                    f"X has {X.shape[2]} features per time step, but "
                    f"{type(self).__name__} is expecting {self.n_features_in_} "
                    "features per time step as input."
                )
            n_steps = X.shape[1]
        else:
            if not reset and not self._fitted_on_table:
                raise ValueError(
                    f"{type(self).__name__} was fitted on 3D windows; got 2D "
                    "input. Transform the same kind of input as seen in fit."
                )
            X = validate_data(
                self,
                X,
                reset=reset,
                dtype=_FLOAT_DTYPES,
                ensure_all_finite="allow-nan",
            )
            if reset:
                self._fitted_on_table = True
            n_columns = X.shape[1]
            if n_columns % self.n_channels:
                raise ValueError(
                    f"X has {n_columns} columns, which is not a multiple of "
                    f"n_channels={self.n_channels}: 2D input must hold "
                    "n_timesteps * n_channels columns."
                )
            n_steps = n_columns // self.n_channels
        if self.window_length is not None and self.window_length > n_steps:
            if X.ndim == 3:
                shape = f"3D windows of shape {X.shape}"
            else:
                shape = (
                    f"2D windows of n_features={X.shape[1]} columns with "
                    f"n_channels={self.n_channels}"
                )
            raise ValueError(
                f"window_length={self.window_length} is longer than the "
                f"{n_steps} time step(s) of the windows in X ({shape})."
            )
        if reset:
            self.n_timesteps_in_ = n_steps
        return X, n_steps

    def _kept_length(self, n_steps):
        return n_steps if self.window_length is None else self.window_length

    def _kept_columns(self, n_steps):
        """Indices of the 2D columns holding the last ``window_length`` steps."""
        n_channels = self.n_channels
        steps = np.arange(n_steps - self._kept_length(n_steps), n_steps)
        channels = np.arange(n_channels)
        if self.flat_layout == "channels_first":
            return (channels[:, None] * n_steps + steps[None, :]).ravel()
        return (steps[:, None] * n_channels + channels[None, :]).ravel()

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        tags.transformer_tags.preserves_dtype = ["float64", "float32"]
        return tags


class LagWindowTransformer(TransformerMixin, BaseEstimator):
    """Turn a table of time points into one lag window per row.

    Row ``t`` of the output holds the window ending at row ``t`` of the
    input: the values of every variable at rows ``t - window_length + 1,
    ..., t``, flattened into ``window_length * n_vars`` columns. Rows are
    time points in order, oldest first. The output keeps one row per input
    row, as a :class:`~sklearn.pipeline.Pipeline` requires, so the first
    ``window_length - 1`` rows lack part of their history; those steps are
    filled with ``fill_value``.

    Parameters
    ----------
    window_length : int, default=10
        Number of time steps ``L`` per window (the current one and
        ``L - 1`` lags).

    flat_layout : {"channels_first", "channels_last"}, default="channels_first"
        Column order of the output. ``"channels_first"``: all ``L`` steps of
        the first variable, oldest first, then of the next variable; this
        feeds the estimators with ``n_channels=n_vars`` unchanged.
        ``"channels_last"``: all variables of the oldest step, then of the
        next.

    fill_value : float, default=np.nan
        Value of the steps before the first row. With the default NaN,
        set ``leading_nan="trim"`` on the estimator after this step: it reads
        leading all-NaN steps as "no history yet" and fits and predicts the
        first rows as shorter sequences.

    Attributes
    ----------
    n_features_in_ : int
        Number of variables (columns) seen during fit.

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
    history yet" and nothing else. By design, the output of a row depends on
    the rows before it, so the transformer is not invariant to the order or
    to the subsets of the rows it transforms (scikit-learn's
    ``check_methods_sample_order_invariance`` and
    ``check_methods_subset_invariance`` assume it is).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn.windowing import LagWindowTransformer
    >>> X = np.arange(8.0).reshape(4, 2)  # 4 time points, 2 variables
    >>> lag = LagWindowTransformer(window_length=2)
    >>> lag.fit_transform(X)
    array([[nan,  0., nan,  1.],
           [ 0.,  2.,  1.,  3.],
           [ 2.,  4.,  3.,  5.],
           [ 4.,  6.,  5.,  7.]])
    >>> lag.get_feature_names_out()
    array(['x0_lag1', 'x0_lag0', 'x1_lag1', 'x1_lag0'], dtype=object)

    In front of an estimator, which reads the missing history as shorter
    sequences:

    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import LSTMRegressor
    >>> pipe = make_pipeline(
    ...     LagWindowTransformer(window_length=12),
    ...     LSTMRegressor(n_channels=2, leading_nan="trim"),
    ... )
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
        X : {array-like, DataFrame} of shape (n_timepoints, n_vars)
            Time points in order, oldest first.

        y : None
            Ignored.

        Returns
        -------
        self : object
            Fitted transformer.
        """
        validate_data(self, X, dtype=_FLOAT_DTYPES)
        return self

    def transform(self, X):
        """Replace each row by the window of rows ending at it.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_timepoints, n_vars)
            Time points in order, oldest first.

        Returns
        -------
        X_out : ndarray of shape (n_timepoints, window_length * n_vars)
            Row ``t`` holds rows ``t - window_length + 1, ..., t`` of ``X``
            in ``flat_layout`` order, ``fill_value`` before the first row.
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=_FLOAT_DTYPES)
        n_rows, n_vars = X.shape
        length = self.window_length
        padded = np.empty((n_rows + length - 1, n_vars), dtype=X.dtype)
        padded[: length - 1] = self.fill_value
        padded[length - 1 :] = X
        windows = sliding_window_view(padded, length, axis=0)  # (n, n_vars, L)
        if self.flat_layout == "channels_last":
            windows = windows.transpose(0, 2, 1)
        return windows.reshape(n_rows, n_vars * length)

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names. If None, ``feature_names_in_`` is used when
            defined, else ``["x0", "x1", ...]``.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``"<name>_lag<k>"``, where lag ``k`` is the value ``k`` rows
            before the current one (``lag0``), in output order.
        """
        names = _input_feature_names(self, input_features)
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
