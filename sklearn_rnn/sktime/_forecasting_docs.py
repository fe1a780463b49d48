"""The parameter documentation of :class:`~sklearn_rnn.sktime.RNNForecaster`.

The core's shared entries, and the forecaster's own, filled into its
docstring by :func:`sklearn_rnn.utils.docstrings.fill_docstring`.
"""

from ..utils.docstrings import PARAMETERS, parse_entries

# The shared entries, and the forecaster's own: its own parameters, and the
# shared ones whose text speaks of what it lacks (learning_rate, optimizer,
# partial_fit, warm_start) or does not do (warn at max_iter with early
# stopping, which fit_networks silences).
_PARAMETERS = {
    **PARAMETERS,
    **parse_entries(
        """
        window_length : int or "auto"
            Number of past observations ``L`` the network reads per forecast.
            Training uses every window of ``L`` observations followed by a full
            horizon; a series needs at least ``L + horizon`` observations to
            contribute to training. Forecasting uses the last ``L`` observations
            of each series; a shorter series is read whole by the network,
            and the linear start repeats its first value in front.
            ``"auto"`` reads two seasons (``sp``), the horizon or 12 steps,
            whichever is longest, shortened where the longest series would
            give fewer training windows than ``L``.

        sp : int or "auto"
            Seasonal period: the season ``window_length="auto"`` reads twice,
            and the lag of the seasonal naive forecast that the linear start
            is shrunk towards and combined with. ``"auto"`` takes it from the
            time index's frequency: 12 for monthly, 24 for semi-monthly, 4
            for quarterly (business months and quarters included), 52 for
            weekly, 7 for daily, 5 for business-daily and 24 for hourly data,
            divided by a multiple of the step where it divides (``"2h"``:
            12); a step of fixed length is read by its length, however it is
            spelled (``"7D"`` is weekly, ``"24h"`` daily, ``"60min"``
            hourly). 1 (no season) where the frequency is unknown or another
            one (a step of fixed length such as ``"30min"`` or ``"2D"`` warns:
            set ``sp=48`` for half-hourly data with a daily cycle, or ``sp=1``
            for monthly data without a yearly one, as sktime's forecasters
            take it), and 1 with a warning where the longest series holds
            fewer than two seasons (no form can estimate one from less; pass
            ``sp=1`` to silence it).

        max_horizon : int or None
            Steps ahead the network is trained to forecast when ``fit`` gets
            no ``fh`` (an ``fh`` passed to ``fit`` sets them instead);
            ``predict`` accepts any ``fh`` within steps 1 to ``horizon_``.
            None: ``fit`` needs an ``fh`` (in ``ForecastingGridSearchCV``
            or another wrapper, pass it to the wrapper's ``fit``).

        window_normalization : {"last", "mean", "standard", "none"}
            Per-window normalisation of ``y`` (the name the regressors use for
            theirs; this forecaster offers more methods), applied to each window and its
            targets and undone on the forecasts, so that series at any level, or
            trending beyond the levels seen in training, are forecast alike.

            - ``"last"``: subtract the window's last observed value, then divide
              by the mean absolute value of the window. The network learns
              relative changes from "now"; scale-free (a series times a
              constant is forecast times that constant), and works for series
              with zeros or negative values. It is not shift-free: the scale
              is a level, so the model reads each series' movements relative
              to its level. The linear start's intervals follow each
              series' own noise (its residual quantiles are pooled in units
              of each series' noise-to-level ratio); the networks', where
              kept, are calibrated over all the series, and fit series whose
              movements are a like share of their level. Where they are not
              (a constant added to some series), ``"standard"`` reads each
              window on its own spread.
            - ``"mean"``: divide by the mean absolute value of the window (the
              scaling of DeepAR).
            - ``"standard"``: subtract the window's mean and divide by its
              standard deviation.
            - ``"none"``: no per-window normalisation; only the global
              standardisation of the inputs and targets.

            A window whose scale is zero (a constant window of zeros, say) is
            divided by its series' mean absolute value instead, so that the
            months of zeros before a series starts are read in its own units.

        normalization : str
            Deprecated: the former name of ``window_normalization``. Passing it
            warns and overrides ``window_normalization``; it will be removed in
            0.3.

        quantiles : array-like of float in (0, 1) or None
            Quantile levels the network is trained to predict with the pinball
            (quantile) loss; 0.5 is always added, and the point forecast is the
            median. ``predict_quantiles`` and ``predict_interval`` interpolate
            linearly between these levels and raise for levels outside their
            range. ``None`` trains a point forecaster with the squared error,
            and probabilistic forecasts are unavailable.

        recurrent : bool
            Whether to train the recurrent network. The forecaster starts
            from a linear model fitted on the windows of every series before
            the validation tail: a one-step ridge autoregression shrunk
            towards the seasonal naive forecast and iterated over the
            horizon, a direct one (every step from the window), a seasonal
            ARMA and the Theta method, each weighted by how well it
            forecasts the validation tail, which none of them has seen
            (``linear_weights_``), with the empirical quantiles of its
            training residuals as intervals (on a panel in units of each
            series' noise-to-level ratio). The network is trained on that
            start's residuals and kept where it improves the validation loss
            over the start (``recurrent_improvement_``) by more than one
            standard error of its gain per window, on a tail of at least 10
            independent horizons (``kept_linear_start_``). False fits the
            linear start alone (the ablation of the recurrent part; fast, no
            torch).

        calibrate_intervals : bool
            Whether to calibrate the quantiles on the validation tail
            (split-conformal): each central interval of the fitted levels
            (0.1 to 0.9, say) is widened around the median by the factor
            that makes it cover its level (80 %) of the validation targets,
            or narrowed by it where the tail holds at least 100 independent
            horizons (its windows over the horizon); on a shorter tail an
            interval that covers more already is left as it is (a few
            horizons, closer in time than the ones forecast and the ones
            early stopping chose the network on, are too unsure to narrow
            it). A side of an interval without width (tied training
            residuals: a constant stretch, a count series of zeros) cannot
            be widened by a factor; its targets are left out of the
            factors, and it stays without width. Where every interval of
            the linear start has no width (those residuals tied, or a short
            series with a single training window before the tail), ``fit``
            warns. Needs ``early_stopping``
            (the validation tail) and ``quantiles``; the factors are
            ``interval_factors_``.

        n_networks : int
            Number of recurrent networks trained on the linear start's
            residuals, each from its own seed (the first from
            ``random_state``, the others from integers drawn from it), and
            averaged: the forecast quantiles are the start plus the mean of
            the networks' residual quantiles, and the validation tail
            judges the average. Averaging lowers the variance that a single
            network has over seeds (on the us_employment panel, 3 networks
            of 32 units took the mean MASE over seeds 0-2 from 0.533 with
            one network of 64 units to 0.491, in about its fitting time:
            ``python -m benchmarks.forecasting --panel-only --panel-models
            rnn --seeds 0 1 2``, docs/forecasting.md); each network costs
            one fit. 1 trains a single network.

        hidden_size : int
            Number of hidden units per recurrent layer.

        batch_size : int or "auto"
            Windows per optimisation step; ``"auto"`` uses an eighth of the
            training windows, at least 16 and at most 200 (the regressors'
            rule), or up to 400 where there are more than 1,600 windows (a
            panel's), which keeps an ensemble of ``n_networks`` affordable.
            An integer above the windows the networks train on (those
            before the validation tail) is clipped to them, with a warning.

        early_stopping : bool
            Whether to hold out the latest ``validation_fraction`` of the
            windows (the most recent windows of every series) for early
            stopping, restoring the weights with the lowest validation loss.
            The same tail decides whether the network improves on the linear
            start and calibrates the intervals (``calibrate_intervals``);
            the linear start is fitted on the windows before it. Set it to
            False for data with very few windows.

        alpha : float
            Strength of the L2 penalty on the networks' weights. As in
            scikit-learn's MLP, the penalty is divided by the batch size when
            added to the loss, so the weight decay of the optimizer (Adam) is
            ``alpha / batch_size``.

        max_iter : int
            Maximum number of epochs (passes over the training windows) of
            each network's fit. With ``early_stopping``, a network that
            reaches it keeps the weights of its best epoch on the validation
            tail, without a warning; without, reaching it without stopping
            warns (``ConvergenceWarning``), as scikit-learn's MLP does.

        tol : float
            Tolerance of the optimisation. A network's training stops when the
            monitored loss (the validation loss with ``early_stopping``, else
            the training loss) has not improved by at least ``tol`` for more
            than ``n_iter_no_change`` consecutive epochs.

        validation_fraction : float
            Fraction of the windows held out as the validation tail with
            ``early_stopping`` (the latest windows of every series). With
            exogenous ``X``, also the latest share of each series on which the
            linear start's regression on ``X`` must hold up (``exog_coef_``),
            with or without early stopping.

        n_iter_no_change : int
            Number of epochs without an improvement of ``tol`` before a
            network's training stops. With ``early_stopping``, the first
            ``n_iter_no_change`` epochs of each fit count for nothing (a
            warm-up, as Keras' ``start_from_epoch``): a network's validation
            loss can sit at that of its starting weights for several epochs
            before it falls. The rule then stops training at epoch
            ``2 * n_iter_no_change + 1`` at the earliest; with a ``max_iter``
            below that, every network trains ``max_iter`` epochs.

        random_state : int, RandomState instance or None
            Seeds the networks' weight initialisation, shuffling and dropout:
            the first network's from ``random_state``, the others' from
            integers drawn from it (``n_networks``). Pass an int for
            reproducible results on the CPU across calls, processes and
            threads, with a fixed ``n_threads`` (torch's sums over several
            threads round differently from one thread's, by about 1e-8); the
            global torch generators are left as they were. ``update`` (a
            continued fit of every network) draws its shuffling and dropout
            masks from a stream of its own, picked by the epochs already
            trained, so that updates do not replay each other's.

        update_epochs : int
            Epochs of further training when ``update`` is called with
            ``update_params=True``: the network continues from its fitted
            weights (and optimizer state, input and target scaling) on the
            windows of all data seen so far. With 0, ``update`` only moves the
            cutoff and the forecast window, as with ``update_params=False``;
            so it does where the validation tail kept the linear start
            (``kept_linear_start_``), whose forecasts use no network.
        """
    ),
}

#: The forecaster's fitted attributes.
_ATTRIBUTES = parse_entries(
    """
    regressors_ : list of SequenceRegressor
        The ``n_networks`` fitted networks and their training records
        (``history_``, ``n_iter_``, ...), shared by all series; empty with
        ``recurrent=False``.

    regressor_ : SequenceRegressor or None
        The first of ``regressors_`` (the only one with ``n_networks=1``);
        None with ``recurrent=False``.

    window_length_ : int
        Steps per window, as resolved from ``window_length``.

    seasonal_period_ : int
        The seasonal period used: ``sp``, or with ``sp="auto"`` the one of
        the time index's frequency (12 for monthly, 4 for quarterly data, 1
        where unknown or where the longest series holds fewer than two
        seasons). The linear start's seasonal ARMA form and
        ``window_length="auto"`` use it.

    linear_weights_ : dict
        The weight of each form of the linear start, summing to 1:
        ``"recursive"`` (the one-step autoregression iterated over the
        horizon), ``"direct"`` (every step from the window),
        ``"seasonal_arma"`` (the seasonal naive forecast moved by a decaying
        correction: a SARIMA(2,0,0)(0,1,1) without constant) and
        ``"theta"`` (the Theta method: the seasonally adjusted series'
        exponentially smoothed level plus half its trend's slope), the last
        two from each series' whole history. Inverse-error weights on the
        validation tail (which the forms were fitted without), sharpened by
        the number of independent horizons it holds per series: on a short
        single series and on a panel every form counts by how well it did,
        on a long series the best one takes (almost) all the weight. The
        direct form is fitted on the windows whose horizons end before the
        tail's first target. Without a validation tail,
        the one-step autoregression alone. The direct form weighs 0 where
        those windows are no more than its coefficients per
        step (``window_length_ * n_channels + 1``): its least squares
        would interpolate them.

    linear_coef_ : dict
        The coefficients of the linear start's forms, refitted on all
        windows after the validation decisions, by form (None for a form
        of weight 0): ``"seasonal_arma"``, ``(phi_1, phi_2, theta)`` of the
        seasonal ARMA, global over series and fitted by conditional least
        squares; ``"theta"``, per series a list over variables of ``(index,
        multiplicative, alpha, slope)``: seasonal indices of a classical
        decomposition, whether they divide, the smoothing weight and the
        trend's slope; the ridge coefficients (last row: the intercepts)
        ``"recursive"`` of shape
        ``(window_length_ * n_channels + 1, n_channels)`` for the one-step
        autoregression (on windows relative to their last value, divided by
        their series' mean absolute value), ``"direct"`` of shape
        ``(window_length_ * n_channels + 1, n_channels * horizon_)`` (on
        normalised windows).

    exog_coef_ : ndarray of shape (n_x, n_channels) or None
        Exogenous ``X`` in the linear start: the coefficients of a regression
        with time-series errors, ``y = X beta + e`` (the forms forecast ``e``
        and the start adds ``X beta`` from the future ``X``), estimated on
        seasonal differences with AR(4) errors (generalised least squares),
        global over series, per unit of each ``X`` column's mean absolute
        value in units of ``y``'s. None without ``X``, or where that
        regression, fitted on each series' earlier differences, did not
        lower the squared error of their latest ``validation_fraction``, against
        their mean change, by more than one standard error: ``X`` then
        reaches the forecasts through the networks only (and ``fit`` warns
        where they are not kept).

    recurrent_improvement_ : float or None
        How much the recurrent network improved the validation loss (the
        mean pinball loss over ``quantile_levels_``, or the squared error
        without quantiles, on normalised targets) over the linear start:
        ``1 - loss(network) / loss(linear start)``. Zero or less means the
        network did not help, and the forecasts are the linear start's
        (``kept_linear_start_``), as they are where the gain is within the
        noise of the tail or the tail is too short to tell. None without a
        validation tail (``early_stopping=False``) or with
        ``recurrent=False``.

    kept_linear_start_ : bool
        Whether the forecasts come from the linear start alone: with
        ``recurrent=False``, where the network did not improve on the
        start on the validation tail by more than one standard error (its
        gains per window, the tail's independent horizons counted as their
        number), or where that tail holds fewer than 10 independent
        horizons (its windows over ``horizon_``: windows one step apart
        overlap). A short series' tail rarely holds more (the
        airline's, 108 months forecast 36 ahead, holds under 1): there
        the forecasts are, as a rule, the linear start's. A long series'
        tail (thousands of steps) and a panel's hold dozens to hundreds.

    interval_factors_ : ndarray of shape (n_levels,) or None
        Conformal factors applied to each level's distance from the median
        (``calibrate_intervals``); None when not calibrated.

    horizon_ : int
        Number of steps ahead the network predicts: the largest step of the
        ``fh`` passed to ``fit``, else ``max_horizon``. Forecasts are
        available for any steps from 1 to ``horizon_`` after the cutoff.

    window_normalization_ : {"last", "mean", "standard", "none"}
        The per-window normalisation used (``window_normalization``, or the
        deprecated ``normalization`` where given).

    quantile_levels_ : ndarray of shape (n_levels,) or None
        Sorted quantile levels the network predicts; None without
        ``quantiles``.

    n_windows_ : int
        Number of training windows, pooled over all series.

    n_series_ : int
        Number of series seen in ``fit``.
    """
)

_FH_X = """fh : int, list, pd.Index coercible, or ForecastingHorizon, default=None
            Forecasting horizon, within steps 1 to ``horizon_``; None: the
            ``fh`` of ``fit`` (or of the last call that passed one).

        X : pd.DataFrame or None, default=None
            Exogenous data over the forecast period (needed where ``fit`` had
            ``X``)."""

#: Docstrings of the probabilistic methods RNNForecaster wraps (sktime's
#: refusal of them without levels on each side of 0.5 names the fix).
_METHOD_DOCS = {
    "predict_quantiles": f"""Quantile forecasts, interpolated between the trained levels.

        Parameters
        ----------
        {_FH_X}

        alpha : float or list of float, default=None
            Quantile levels within the range of ``quantile_levels_``; None:
            0.05 and 0.95. Levels within it are answered also where
            ``quantiles`` gives no intervals (the median of
            ``quantiles=(0.5,)``).

        Returns
        -------
        quantiles : pd.DataFrame
            Column ``MultiIndex`` (variable, level); rows as in ``predict``.
        """,
    "predict_proba": f"""Distribution forecasts, as sktime makes them (needs skpro).

        Parameters
        ----------
        {_FH_X}

        marginal : bool, default=True
            Whether the distribution is marginal by time point.

        Returns
        -------
        pred_dist : skpro BaseDistribution
            Distribution forecasts, with the index and columns of
            ``predict``'s forecasts.
        """,
}
