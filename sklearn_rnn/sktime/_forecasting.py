"""RNNForecaster: a global, direct multi-horizon recurrent forecaster for sktime.

The forecaster is an sktime ``BaseForecaster`` built by composition: it cuts
the series into normalised windows
(:mod:`sklearn_rnn.sktime._forecast_windows`), fits a linear start on them
(:mod:`sklearn_rnn.sktime._linear_start` and its forms), then
``n_networks`` :class:`~sklearn_rnn.SequenceRegressor` networks (with
``loss="quantile"`` for probabilistic forecasts) on the start's residuals,
each predicting every step of the horizon at once
(:mod:`sklearn_rnn.sktime._residual`). Training, the network and the input
checks are the core's; the series and panel plumbing is in
:mod:`sklearn_rnn.sktime._panel`.
"""

import warnings
from numbers import Integral

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator
from sktime.forecasting.base import BaseForecaster

from .. import SequenceRegressor
from .._doc_link import _DocLinkMixin
from ..utils.docstrings import fill_docstring
from ._exogenous import fit_exog_coef
from ._forecast_windows import forecast, series_to_forecast, training_windows
from ._forecasting_docs import _ATTRIBUTES, _METHOD_DOCS, _PARAMETERS
from ._linear_start import (
    auto_window_length,
    seen_seasonal_period,
    series_scale,
    unseasonal_step,
)
from ._panel import (
    _interpolate_levels,
    brackets_the_median,
    check_steps,
    horizon_to_check,
    joined_data,
    quantile_levels,
    resolve_window_normalization,
    training_horizon,
    update_state_restored,
    with_series_freq,
)
from ._residual import fit_residual_model, linear_start, update_networks
from ._series import _split_series

__all__ = ["RNNForecaster"]

#: The parameters passed on to each network, SequenceRegressor, as they are.
_NETWORK_PARAMS = ("cell", "hidden_size", "num_layers", "dropout", "batch_size",
                   "learning_rate_init", "alpha", "max_iter", "tol", "early_stopping",
                   "validation_fraction", "n_iter_no_change", "device", "n_threads",
                   "random_state", "verbose")


@fill_docstring(_PARAMETERS, _ATTRIBUTES)
class RNNForecaster(_DocLinkMixin, BaseForecaster):
    """Global recurrent (LSTM or GRU) forecaster with direct multi-horizon output.

    A recurrent network (an average of ``n_networks`` of them, each from
    its own seed) reads the last ``window_length`` observations of a
    series (and, with exogenous data, the exogenous values over that window
    and over the forecast horizon) and outputs every step of the horizon at
    once, for every variable of ``y`` and every quantile level in
    ``quantiles``. Panel and hierarchical ``y`` train global networks on
    the windows of all series and forecast each series from its own last
    window.

    The network improves on a linear start rather than competing with it.
    The start is fitted first: a global ridge autoregression (one-step,
    shrunk towards the seasonal naive forecast, and direct), a seasonal ARMA
    and the Theta method, weighed by how well each forecasts a validation
    tail of the latest windows that none of them has seen
    (``linear_weights_``). The networks (``recurrent``) learn the quantiles
    of its residuals. The tail then says whether they helped
    (``recurrent_improvement_``); where they did not by more than its
    noise, or where it holds fewer than 10 independent horizons (short
    single series), the forecasts are the start's (``kept_linear_start_``).
    The tail also calibrates the intervals (``calibrate_intervals``).

    Parameters
    ----------
    {parameters}

    Attributes
    ----------
    {attributes}

    See Also
    --------
    sklearn_rnn.SequenceRegressor : The recurrent regressor fitted inside.
    sktime.forecasting.compose.make_reduction : Reduction of forecasting to
        regression, which also accepts ``LSTMRegressor``.

    Notes
    -----
    **Residual design.** With ``quantiles``, the forecast quantiles are the
    linear start plus the networks' mean quantiles of its residual (or,
    where the networks are not kept, plus the empirical quantiles of the
    training residuals of each step, pooled over a panel's series in units
    of each series' noise-to-level ratio, so that each series' intervals
    follow its own noise), scaled around the median by
    ``interval_factors_``. With ``verbose``, ``fit`` prints the validation
    losses of the start and of the network.

    **Inputs of the network.** Without exogenous data a training sequence is
    the normalised window of ``L`` observations of ``y`` (one channel per
    variable). With exogenous ``X`` the sequence is ``L + horizon_`` steps
    long: the window, then the forecast period, where the ``y`` channels
    are zero and an indicator channel is one; the ``X`` channels hold the
    exogenous values at every step, so known future values of ``X`` (such
    as calendar effects or planned promotions) inform the forecast, and
    ``predict`` needs ``X`` for every step from the cutoff + 1 to the
    cutoff + ``horizon_``, even if ``fh`` asks for fewer (on an integer
    time index spaced by ``k``, the next ``horizon_`` points of that grid,
    though sktime labels the forecasts cutoff + 1, cutoff + 2, ...: its
    integer horizons count in ones). The linear start
    reads ``X`` as a regression with time-series errors where that
    regression holds up on held-out data (``exog_coef_``); where neither
    it nor the networks read ``X``, ``fit`` warns that ``X`` went unused.

    **Horizon.** The network is trained for every step 1 to ``horizon_``:
    the largest step of the ``fh`` passed to ``fit``, or ``max_horizon`` when
    ``fit`` gets no ``fh`` (one of them is needed). ``predict`` then takes any
    ``fh`` within those steps, a different one on each call, and an absolute
    ``fh`` stays valid after ``update`` moves the cutoff forward, as long as
    it remains in the future; steps beyond ``horizon_`` raise a
    ``ValueError``. An ``fh`` of time spans (``pd.Timedelta``) counts in
    steps of the series' frequency (1 day on daily data is step 1).
    There are no in-sample forecasts, so ``predict_residuals`` needs the
    observations over a future ``fh``: ``predict_residuals(y_test)``.

    **Update.** ``update(y, X, update_params=True)`` appends the new data and
    trains every network ``update_epochs`` more epochs on all windows seen
    so far (a warm start, not a refit; the linear start, the choice between
    it and the networks and the interval factors stay as fitted; where that
    choice kept the linear start, whose forecasts use no network, none is
    trained); ``update_params=False`` only appends the data, so later
    forecasts start from the new last window. ``update`` takes new
    observations of the series and variables ``fit`` saw (a univariate
    series may be renamed); others need a refit (the Theta form is fitted
    per series). Data ending before the end held (revised values) moves the
    cutoff and the forecasts' start back to its end. A refused ``update``
    leaves the forecaster as it was.

    **Panels.** All series share one network, one set of input and target
    scalings, and the same ``fh``; each series is forecast from its own last
    observation, so relative steps count from each series' own end. Each
    series' time index must be equally spaced (a gap raises a ``ValueError``).
    The linear start's one-step and direct forms are global too, their
    drift in units of each series' scale: a series that stays flat among
    growing ones is forecast with a share of their growth (forecast it on
    its own, or with a ``NaiveForecaster``, where that matters).

    Examples
    --------
    >>> from sktime.datasets import load_airline
    >>> from sklearn_rnn.sktime import RNNForecaster
    >>> y = load_airline()
    >>> forecaster = RNNForecaster(window_length=12, hidden_size=8, max_iter=5,
    ...                            random_state=0)
    >>> forecaster.fit(y, fh=[1, 2, 3])
    RNNForecaster(...)
    >>> forecaster.predict().shape
    (3,)
    >>> forecaster.predict_interval(coverage=0.8).shape
    (3, 2)
    """

    # It keeps its own data for _update: sktime's coming default, explicitly.
    _config = {"remember_data": False}

    # SequenceRegressor's constraints on the parameters passed on to it,
    # checked under this class's name before anything is fitted
    _parameter_constraints = {name: SequenceRegressor._parameter_constraints[name]
                              for name in _NETWORK_PARAMS}

    _tags = {
        "authors": ["sklearn_rnn developers"],
        "maintainers": ["sklearn_rnn developers"],
        "python_dependencies": ["torch"],
        "y_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "X_inner_mtype": ["pd.DataFrame", "pd-multiindex", "pd_multiindex_hier"],
        "capability:multivariate": True,
        "capability:exogenous": True,
        "capability:missing_values": False,
        "capability:insample": False,
        "capability:pred_int": True,
        "capability:pred_int:insample": False,
        "capability:non_contiguous_X": False,
        "capability:update": True,
        "capability:unequal_length": True,
        "capability:categorical_in_X": False,
        "capability:random_state": True,
        "property:randomness": "derandomized",
        "requires-fh-in-fit": False,  # True: sktime refuses any other fh in predict
        "X-y-must-have-same-index": True,
        "fit_is_empty": False,
    }

    def __init__(
        self,
        cell="lstm",
        window_length="auto",
        sp="auto",
        max_horizon=None,
        window_normalization="last",
        quantiles=(0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95),
        n_networks=3,
        hidden_size=32,
        num_layers=1,
        dropout=0.0,
        batch_size="auto",
        learning_rate_init=0.004,
        alpha=0.0001,
        max_iter=300,
        tol=1e-4,
        early_stopping=True,
        validation_fraction=0.2,
        n_iter_no_change=10,
        update_epochs=10,
        recurrent=True,
        calibrate_intervals=True,
        device="cpu",
        n_threads=None,
        random_state=None,
        verbose=0,
        normalization="deprecated",
    ):
        self.cell = cell
        self.window_length = window_length
        self.sp = sp
        self.max_horizon = max_horizon
        self.window_normalization = window_normalization
        self.quantiles = quantiles
        self.n_networks = n_networks
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.alpha = alpha
        self.max_iter = max_iter
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.update_epochs = update_epochs
        self.recurrent = recurrent
        self.calibrate_intervals = calibrate_intervals
        self.device = device
        self.n_threads = n_threads
        self.random_state = random_state
        self.verbose = verbose
        self.normalization = normalization
        super().__init__()
        # Made by BaseForecaster only under remember_data=True (fit fills them).
        self._y = getattr(self, "_y", None)
        self._X = getattr(self, "_X", None)
        if not brackets_the_median(quantiles):  # no interval of any coverage
            self.set_tags(**{"capability:pred_int": False})

    # ------------------------------------------------------------------
    # sktime interface
    def _fit(self, y, X, fh):
        """Fit one network to the windows of every series in ``y``.

        Parameters
        ----------
        y : pd.DataFrame
            One series (``pd.DataFrame``) or many (row ``MultiIndex``).
        X : pd.DataFrame or None
            Exogenous data, with the same index type as ``y``.
        fh : ForecastingHorizon or None
            Forecasting horizon; ``horizon_`` is its largest step (None:
            ``max_horizon``).

        Returns
        -------
        self : RNNForecaster
            Fitted forecaster.
        """
        self.window_normalization_ = self._check_params()
        self._cur_y, self._cur_X, self._origins, self._drift_scales = y, X, {}, {}
        self._y_columns = y.columns
        self._x_columns = None if X is None else X.columns
        series = _split_series(y, X)
        self.n_series_ = len(series)
        # per-series parts (the Theta form's) are kept in this order
        self._series_keys = [s.key for s in series]
        self.horizon_ = training_horizon(fh, series, self.max_horizon)
        self._fit_fh = fh is not None  # which of them set horizon_, for check_steps
        levels = quantile_levels(self.quantiles)
        self.quantile_levels_ = None if levels is None else np.asarray(levels)
        self.seasonal_period_ = self._resolve_seasonal_period()
        self.window_length_ = self._resolve_window_length(series, self.seasonal_period_)
        self.exog_coef_ = fit_exog_coef(series, self.seasonal_period_, self.validation_fraction)
        windows, targets, extra = training_windows(self, series)
        self.n_windows_ = len(windows)
        self._drift_scales = {s.key: series_scale(e) for s, e in zip(series, extra["values"])}
        fit_residual_model(self, windows, targets, extra, series)
        return self

    def _predict(self, fh, X):
        """Point forecasts: the median, or the squared-error output.

        Parameters
        ----------
        fh : ForecastingHorizon
            Forecasting horizon, within steps 1 to ``horizon_``.
        X : pd.DataFrame or None
            Exogenous data over the forecast period.

        Returns
        -------
        y_pred : pd.DataFrame
            Forecasts with the columns of ``y`` and, for many series, a row
            ``MultiIndex`` of instance and time.
        """
        index, rows, values = forecast(self, fh, X)
        if self.quantile_levels_ is not None:
            values = _interpolate_levels(values, self.quantile_levels_, [0.5])[..., 0]
        data = values[rows[0], :, rows[1]]
        return pd.DataFrame(data, index=index, columns=self._y_columns)

    def _predict_quantiles(self, fh, X, alpha):
        """Quantile forecasts, interpolated between the trained levels.

        Parameters
        ----------
        fh : ForecastingHorizon
            Forecasting horizon, within steps 1 to ``horizon_``.
        X : pd.DataFrame or None
            Exogenous data over the forecast period.
        alpha : list of float
            Quantile levels within the range of ``quantile_levels_``.

        Returns
        -------
        quantiles : pd.DataFrame
            Column ``MultiIndex`` (variable, level); rows as in ``predict``.
        """
        levels = self.quantile_levels_
        alpha = [float(a) for a in alpha]
        outside = [round(a, 12) for a in alpha if not levels[0] - 1e-12 <= a <= levels[-1] + 1e-12]
        if outside:
            raise ValueError(
                f"Quantile level(s) {outside} lie outside the levels this forecaster was trained "
                f"for, [{levels[0]}, {levels[-1]}] (an interval of coverage c needs (1 - c) / 2 "
                "and (1 + c) / 2; predict_var and predict_proba read the quartiles 0.25 and "
                "0.75). Add them to `quantiles` and refit.")
        index, rows, values = forecast(self, fh, X)
        quant = _interpolate_levels(values, levels, alpha)
        # (n_series, n_channels, horizon, n_alpha) -> rows x (var, alpha)
        data = quant[rows[0], :, rows[1], :].reshape(len(index), -1)
        columns = pd.MultiIndex.from_product([self._y_columns, alpha])
        return pd.DataFrame(data, index=index, columns=columns)

    def _check_fh(self, fh, pred_int=False):
        # sktime keeps a new fh before _predict checks it: a refused one would
        # have failed every later predict(); these checks come before sktime's
        # in-sample check, whose pandas and assert errors named no fix
        with update_state_restored(self, ("_fh",)):
            to_check = horizon_to_check(self, fh)
            fit_fh = getattr(self, "_fit_fh", False)
            if to_check is not None and to_check.is_relative:
                # the same for every series
                check_steps(to_check, self.cutoff, self.horizon_, fit_fh)
            elif to_check is not None:  # each series from its own cutoff
                series, checked = series_to_forecast(self), set()
                for s in sorted(series, key=lambda s: s.cutoff[0]):  # the furthest first
                    if s.cutoff_key not in checked:  # a panel's series share cutoffs
                        checked.add(s.cutoff_key)
                        check_steps(to_check, s.cutoff, self.horizon_, fit_fh,
                                    None if len(series) == 1 else s.key)
            fh = super()._check_fh(fh, pred_int=pred_int)
        return fh

    def _set_cutoff_from_y(self, y):
        super()._set_cutoff_from_y(y)
        self._cutoff = with_series_freq(self._cutoff, y)

    # sktime refuses these without capability:pred_int, asking for an sktime
    # issue; the fix is this forecaster's quantiles
    def predict_quantiles(self, fh=None, X=None, alpha=None):
        levels = getattr(self, "quantile_levels_", None)
        if levels is None or alpha is None or not all(
                levels[0] - 1e-12 <= a <= levels[-1] + 1e-12 for a in np.ravel(alpha)):
            self._check_intervals("quantile predictions")
            return super().predict_quantiles(fh=fh, X=X, alpha=alpha)
        # fitted levels (the median of quantiles=(0.5,)) need no interval
        pred_int = self.get_tag("capability:pred_int")
        self.set_tags(**{"capability:pred_int": True})
        try:
            return super().predict_quantiles(fh=fh, X=X, alpha=alpha)
        finally:
            self.set_tags(**{"capability:pred_int": pred_int})

    def predict_interval(self, fh=None, X=None, coverage=0.90):
        self._check_intervals("prediction intervals")
        return super().predict_interval(fh=fh, X=X, coverage=coverage)

    def predict_var(self, fh=None, X=None, cov=False):
        self._check_intervals("variance predictions")
        return super().predict_var(fh=fh, X=X, cov=cov)

    def predict_proba(self, fh=None, X=None, marginal=True):
        self._check_intervals("fully probabilistic predictions")
        return super().predict_proba(fh=fh, X=X, marginal=marginal)

    predict_quantiles.__doc__ = _METHOD_DOCS["predict_quantiles"]
    predict_interval.__doc__ = BaseForecaster.predict_interval.__doc__
    predict_var.__doc__ = BaseForecaster.predict_var.__doc__
    predict_proba.__doc__ = _METHOD_DOCS["predict_proba"]

    def predict_residuals(self, y=None, X=None):
        # sktime's advice without y (pass the training y, or remember_data)
        # ends in its in-sample refusal either way
        advice = ("RNNForecaster has no in-sample forecasts, so no residuals on "
                  "the data it was fitted on: pass the observations over a future "
                  "fh, e.g. predict_residuals(y_test) after fit(y_train, fh=...).")
        self.check_is_fitted()
        if y is None:
            raise ValueError(advice)
        try:
            return super().predict_residuals(y, X=X)
        except NotImplementedError as error:
            if "in-sample" not in str(error):
                raise
            raise NotImplementedError(advice) from error

    predict_residuals.__doc__ = BaseForecaster.predict_residuals.__doc__

    def update(self, y, X=None, update_params=True):
        # sktime's update moves the cutoff before _update checks the data: a
        # refused (or failed) update leaves the forecaster as it was
        with update_state_restored(self):
            return super().update(y, X=X, update_params=update_params)

    update.__doc__ = BaseForecaster.update.__doc__

    def update_predict_single(self, y=None, fh=None, X=None, update_params=True):
        with update_state_restored(self):  # as update (review s35 rvC 4)
            return super().update_predict_single(y, fh=fh, X=X, update_params=update_params)

    update_predict_single.__doc__ = BaseForecaster.update_predict_single.__doc__

    def _update_predict_single(self, y, fh, X=None, update_params=True):
        # sktime's default called the public update and predict on the inner
        # DataFrame, then the type to answer in (review s35 rvA F3)
        self._update(y, X, update_params=update_params)
        return self._predict(fh, X)

    def _update(self, y, X=None, update_params=True):
        """Append new data; optionally train the network further on all of it.

        Parameters
        ----------
        y : pd.DataFrame
            New observations, same mtype and columns as in ``fit``.
        X : pd.DataFrame or None
            New exogenous data.
        update_params : bool, default=True
            Whether to train the networks (where the forecasts use them:
            ``kept_linear_start_`` False) ``update_epochs`` more epochs on
            the windows of all data seen so far.

        Returns
        -------
        self : RNNForecaster
            Updated forecaster.
        """
        new_y, new_X, series = joined_data(self, y, X)
        self._cur_y, self._cur_X = new_y, new_X
        if not (update_params and self.update_epochs > 0):
            return self
        if self.regressor_ is None or self.kept_linear_start_:
            # recurrent=False, or networks that the forecasts do not use
            return self
        windows, targets, extra = training_windows(self, series, strict=False)
        if not len(windows):
            return self
        targets = targets - linear_start(self, self.linear_coef_, extra)
        update_networks(self, windows, targets)
        return self

    # ------------------------------------------------------------------
    # Helpers
    def _check_intervals(self, what):
        if self.get_tag("capability:pred_int"):
            return
        if self.quantiles is None:
            problem = "quantiles=None forecasts points only"
        else:
            problem = (f"quantiles={self.quantiles!r} has no level on each side "
                       "of the median, 0.5, from which to read intervals")
        raise NotImplementedError(
            f"RNNForecaster does not have the capability to return {what} here: "
            f"{problem}. Set quantiles with a level below and one above 0.5, e.g. "
            "quantiles=(0.1, 0.5, 0.9), and refit.")

    def _check_params(self):
        """Check the parameters; return the window normalisation to use."""
        # scikit-learn's check of _parameter_constraints, which names this class
        BaseEstimator._validate_params(self)
        for name in ("window_length", "sp"):
            value = getattr(self, name)
            if not (isinstance(value, str) and value == "auto") and (
                isinstance(value, bool) or not isinstance(value, Integral) or value < 1
            ):
                raise ValueError(
                    f"{name} must be a positive integer or 'auto', got {value!r}."
                )
        for name in ("recurrent", "calibrate_intervals"):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise ValueError(
                    f"{name} must be True or False, got {getattr(self, name)!r}."
                )
        window_normalization = resolve_window_normalization(
            self.window_normalization, self.normalization
        )
        mh = self.max_horizon
        if mh is not None and (isinstance(mh, bool) or not isinstance(mh, Integral)
                               or mh < 1):
            raise ValueError(f"max_horizon must be a positive integer or None, got {mh!r}.")
        for name, low in (("update_epochs", 0), ("n_networks", 1)):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < low:
                raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
        quantile_levels(self.quantiles)
        return window_normalization

    def _resolve_seasonal_period(self):
        """``sp``, read from the time index for ``"auto"`` (warning where it finds none)."""
        sp = seen_seasonal_period(self._cur_y.index) if self.sp == "auto" else int(self.sp)
        step = unseasonal_step(self._cur_y.index) if self.sp == "auto" and sp == 1 else None
        if step is not None:
            day = pd.Timedelta(days=1)
            hint = "" if day % step else f" (sp={day // step} for a daily cycle)"
            warnings.warn(
                "sp='auto' reads a season from steps of whole weeks, days or hours "
                "that divide a year, a week or a day, and finds none for time steps "
                f"of {step}: it uses sp=1, no season. Pass sp, the number of steps "
                f"in a season{hint}, or sp=1 to keep none.", UserWarning)
        return sp

    def _resolve_window_length(self, series, sp):
        """``window_length``, from the season ``sp`` for ``"auto"``."""
        if self.window_length != "auto":
            return int(self.window_length)
        return auto_window_length(sp, self.horizon_, max(len(s.y) for s in series))

    def _make_regressor(self, levels):
        return SequenceRegressor(
            **{name: getattr(self, name) for name in _NETWORK_PARAMS},
            # the forecaster normalises each window itself
            window_normalization=None,
            skip_steps=0,
            loss="squared_error" if levels is None else "quantile",
            quantiles=levels,
        )

    @classmethod
    def get_test_params(cls, parameter_set="default"):
        """Return testing parameter settings for the estimator.

        Parameters
        ----------
        parameter_set : str, default="default"
            Name of the set of test parameters to return; only "default"
            exists.

        Returns
        -------
        params : list of dict
            Fast settings (a tiny network, a few epochs, trained for at least
            3 steps so that ``fit`` needs no ``fh``): an LSTM with the
            default quantiles, normalisation and early stopping, and a GRU
            point forecaster with another normalisation and no early
            stopping.
        """
        fast = {"hidden_size": 4, "max_iter": 3, "random_state": 0, "n_threads": 1,
                "max_horizon": 3}
        return [
            {**fast, "window_length": 3, "update_epochs": 1},
            {
                **fast,
                "cell": "gru",
                "window_length": 2,
                "window_normalization": "standard",
                "quantiles": None,
                "early_stopping": False,
                "update_epochs": 0,
            },
        ]
