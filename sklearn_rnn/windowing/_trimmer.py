"""WindowTrimmer: keep the trailing steps of windows, to tune their length."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from .._compat import (
    Interval,
    StrOptions,
    _check_feature_names_in,
    _fit_context,
    _get_output_config,
)
from .._doc_link import _DocLinkMixin
from .._sequences import (
    FLOAT_DTYPES,
    channels_mismatch,
    columns_mismatch,
    layout_changed,
    refuse_nested,
    warn_of_time_axis,
)
from ..utils.docstrings import INPUT_FEATURES, fill_docstring
from ._windows import _ndim

__all__ = ["WindowTrimmer"]


@fill_docstring(None, input_features=INPUT_FEATURES)
class WindowTrimmer(_DocLinkMixin, TransformerMixin, BaseEstimator):
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
        same value as the estimator after this step: a wrong one cannot be
        told from the data (see Notes).

    flat_layout : {"channels_first", "channels_last"}, default="channels_first"
        Column order of 2D input, and of the output. ``"channels_first"``: all
        time steps of the first channel, then of the next.
        ``"channels_last"``: all channels of the first time step, then of the
        next.

    time_axis : {1, 2}, default=1
        Axis of 3D input that holds the time steps. ``1`` reads
        ``(n_samples, n_timesteps, n_channels)``, the layout of PyTorch's
        batch-first recurrent layers; ``2`` reads ``(n_samples, n_channels,
        n_timesteps)``, sktime's ``numpy3D`` panels (``load_gunpoint(
        return_type="numpy3d")``). The output keeps the layout of the input.
        Ignored for 2D input. Use the same value as the estimator after this
        step; ``fit`` warns, as the estimators do, where 3D input read with it
        has at least twice as many channels as time steps. Fixed by a fit on
        3D input: changed later, ``transform`` and ``get_feature_names_out``
        raise a ``ValueError`` until the next fit.

    Attributes
    ----------
    n_features_in_ : int
        Number of columns of 2D input, or number of channels of
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
    ``(n_samples, T, n_channels)`` and returns ``(n_samples, window_length,
    n_channels)`` (with ``time_axis=2``, ``(n_samples, n_channels, T)`` and
    ``(n_samples, n_channels, window_length)``).
    ``set_output(transform="pandas")`` applies to 2D output; with 3D input it
    raises, as a DataFrame cannot hold 3D windows.

    ``n_channels``, ``flat_layout`` and ``time_axis`` are this step's own
    parameters, not read from the estimator after it: give them the
    estimator's values. With other values the trimmer keeps other columns
    than the trailing steps of every channel, and a row of ``T * C`` columns
    looks the same whatever ``C`` is, so neither step can detect a wrong
    ``n_channels`` or ``flat_layout`` in 2D input (with ``n_channels=1``,
    2-channel windows keep only steps of their last channel). Keeping the
    3D windows of :func:`make_windows` avoids both; for 3D input only
    ``time_axis`` matters, and ``fit`` warns where it looks wrong.

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
    >>> # 3D, as sktime's numpy3D panels: 1 window, 2 channels, 3 time steps
    >>> X3 = np.arange(6.0).reshape(1, 2, 3)
    >>> WindowTrimmer(window_length=2, time_axis=2).fit_transform(X3)
    array([[[1., 2.],
            [4., 5.]]])

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
        "time_axis": [Interval(Integral, 1, 2, closed="both")],
    }

    def __init__(
        self,
        window_length=None,
        *,
        n_channels=1,
        flat_layout="channels_first",
        time_axis=1,
    ):
        self.window_length = window_length
        self.n_channels = n_channels
        self.flat_layout = flat_layout
        self.time_axis = time_axis

    def __setstate__(self, state):
        # trimmers pickled before time_axis read 3D windows as (n, steps, channels)
        state.setdefault("time_axis", 1)
        super().__setstate__(state)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check ``X`` and record its shape.

        Parameters
        ----------
        X : {array-like, DataFrame} of shape (n_samples, n_timesteps * \
                n_channels) or (n_samples, n_timesteps, n_channels)
            Windows, flattened (2D) or not (3D; ``(n_samples, n_channels,
            n_timesteps)`` with ``time_axis=2``).

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
                n_channels) or (n_samples, n_timesteps, n_channels)
            Windows of the kind seen in fit: 2D with its number of columns,
            or 3D with its channels and any number of time steps (at least
            ``window_length``), laid out as ``time_axis`` says.

        Returns
        -------
        X_out : ndarray of shape (n_samples, window_length * n_channels) or \
                (n_samples, window_length, n_channels)
            The trimmed windows, in the layout of ``X`` (with ``time_axis=2``,
            ``(n_samples, n_channels, window_length)`` for 3D input).
        """
        check_is_fitted(self)
        X, n_steps = self._validate(X, reset=False)
        if X.ndim == 3:
            _refuse_table_output_of_3d(self)
            kept = slice(n_steps - self._kept_length(n_steps), None)
            if self.time_axis == 2:
                return X[:, :, kept].copy()
            return X[:, kept].copy()
        return X[:, self._kept_columns(n_steps)]

    def get_feature_names_out(self, input_features=None):
        """Get output feature names for transformation.

        Parameters
        ----------
        {input_features}

        Returns
        -------
        feature_names_out : ndarray of str objects
            The names of the kept input columns, in output order. After 3D
            input, the names of the channels, which trimming
            leaves unchanged.

        Raises
        ------
        ValueError
            After 2D input, where ``transform`` would raise for the parameters
            as they are now: ``window_length`` longer than the windows seen
            in fit, or their number of columns not a multiple of
            ``n_channels``. After 3D input, where ``time_axis`` changed
            since fit.
        """
        check_is_fitted(self, "n_features_in_")
        names = _check_feature_names_in(self, input_features)
        if not self._fitted_on_table:
            self._check_time_axis_unchanged()
            return names
        return names[self._fitted_kept_columns()]

    def _validate(self, X, *, reset):
        refuse_nested(X)
        ndim = _ndim(X)
        if ndim is None:
            raise ValueError(
                f"{type(self).__name__} needs windows of one length (a 2D or 3D "
                "array); X is a list of sequences of different lengths. Trim each "
                "yourself, [s[-window_length:] for s in X], or pad them to one length.")
        if ndim > 3:
            raise ValueError(
                f"Expected a 2D or 3D array for X, got an array of shape {np.shape(X)}.")
        if ndim == 3:
            X = check_array(
                X,
                dtype=FLOAT_DTYPES,
                allow_nd=True,
                ensure_all_finite="allow-nan",
                input_name="X",
            )
            if not reset and self._fitted_on_table:
                raise ValueError(
                    f"{type(self).__name__} was fitted on 2D windows; got a 3D "
                    "array. Transform the same kind of input as seen in fit."
                )
            if not reset:
                self._check_time_axis_unchanged()
            time_axis = self.time_axis
            channel_axis = 3 - time_axis
            n_channels, n_steps = X.shape[channel_axis], X.shape[time_axis]
            if reset:
                # the estimators' warning: numpy3D panels read with time_axis=1
                # kept window_length of their channels, every step of them
                warn_of_time_axis(n_steps, n_channels, time_axis)
                self.n_features_in_ = n_channels
                self._fitted_on_table = False
                self._fitted_time_axis = time_axis
                if hasattr(self, "feature_names_in_"):
                    del self.feature_names_in_
            elif n_channels != self.n_features_in_:
                raise channels_mismatch(type(self).__name__, n_channels,
                                        self.n_features_in_, n_steps, time_axis,
                                        "transform")
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
                dtype=FLOAT_DTYPES,
                ensure_all_finite="allow-nan",
            )
            if reset:
                self._fitted_on_table = True
            n_steps = self._steps_of_table(X.shape[1], in_fit=False)
        if X.ndim == 3:
            description = self._array_description(X.shape, hint=reset)
        else:
            description = self._table_description(X.shape[1])
        self._check_window_length(n_steps, description, in_fit=False)
        if reset:
            self.n_timesteps_in_ = n_steps
        return X, n_steps

    def _check_time_axis_unchanged(self):
        """Refuse 3D windows read otherwise than in fit."""
        error = layout_changed(type(self).__name__,
                               {"time_axis": getattr(self, "_fitted_time_axis", 1)},
                               {"time_axis": self.time_axis})
        if error is not None:
            raise error

    def _steps_of_table(self, n_columns, *, in_fit):
        """Time steps of 2D windows of ``n_columns`` columns."""
        if n_columns % self.n_channels:
            raise columns_mismatch(
                n_columns, self.n_channels,
                "The windows seen in fit have" if in_fit else "X has")
        return n_columns // self.n_channels

    def _table_description(self, n_columns):
        return (
            f"2D windows of n_features={n_columns} columns with "
            f"n_channels={self.n_channels}"
        )

    def _array_description(self, shape, *, hint):
        """3D windows of ``shape``; with ``hint``, the other ``time_axis``
        where that would read ``window_length`` steps or more."""
        description = (
            f"3D windows of shape {shape}, read with time_axis={self.time_axis}"
        )
        other, length = 3 - self.time_axis, self.window_length
        if hint and length is not None and shape[other] >= length:
            layout = (
                "(n_samples, n_timesteps, n_channels)"
                if other == 1
                else "(n_samples, n_channels, n_timesteps)"
            )
            description += f"; if X is laid out as {layout}, pass time_axis={other}"
        return description

    def _check_window_length(self, n_steps, description, *, in_fit):
        """Refuse a ``window_length`` longer than the windows."""
        if self.window_length is not None and self.window_length > n_steps:
            where = "seen in fit" if in_fit else "in X"
            raise ValueError(
                f"window_length={self.window_length} is longer than the "
                f"{n_steps} time step(s) of the windows {where} ({description})."
            )

    def _kept_length(self, n_steps):
        return n_steps if self.window_length is None else self.window_length

    def _fitted_kept_columns(self):
        """The columns ``transform`` keeps of the 2D windows seen in fit, for
        the parameters as they are now; raises where ``transform`` would."""
        n_columns = self.n_features_in_
        n_steps = self._steps_of_table(n_columns, in_fit=True)
        self._check_window_length(
            n_steps, self._table_description(n_columns), in_fit=True
        )
        return self._kept_columns(n_steps)

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


def _refuse_table_output_of_3d(trimmer):
    """Refuse 3D windows where a DataFrame output is configured.

    scikit-learn would wrap them in a DataFrame and fail with pandas' own
    "Must pass 2-d input", naming neither the step nor the fix.
    """
    dense = _get_output_config("transform", trimmer)["dense"]
    if dense != "default":
        raise ValueError(
            f"{type(trimmer).__name__} returns 3D windows, which a {dense} DataFrame "
            "cannot hold, and transform output is set to it (set_output, or "
            "sklearn.set_config(transform_output=...)). Call "
            '.set_output(transform="default") on this step, or pass 2D (flattened) windows.')

