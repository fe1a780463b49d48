"""RNNForecaster's residual design: linear start, honesty, calibrated intervals.

Also the core's record of what training did to its start
(``initial_validation_loss_``, ``training_improvement_``).
"""

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.datasets import load_airline  # noqa: E402

from sklearn_rnn import LSTMRegressor  # noqa: E402
from sklearn_rnn.sktime import RNNForecaster  # noqa: E402
from sklearn_rnn.sktime._theta import fit_theta, forecast_theta  # noqa: E402
from sklearn_rnn.sktime._seasonal_arma import (  # noqa: E402
    fit_seasonal_arma,
    forecast_seasonal_arma,
)
from sklearn_rnn.sktime._linear_start import (  # noqa: E402
    auto_window_length,
    combination_weights,
    conformal_factors,
    MAX_GROWTH,
    fit_direct,
    fit_linear,
    gain_in_standard_errors,
    iterate_linear,
    n_before_tail,
    noise_ratios,
    predict_direct,
    recursion_radius,
    scale_around_median,
    seasonal_period,
    series_scale,
    unseasonal_step,
)

pytestmark = [
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

SMALL = dict(hidden_size=8, max_iter=20, random_state=0, n_threads=1)


@pytest.fixture(scope="module")
def airline():
    return load_airline()


def test_seasonal_period_from_the_index():
    monthly = pd.period_range("2000-01", periods=30, freq="M")
    quarterly = pd.period_range("2000Q1", periods=30, freq="Q")
    yearly = pd.period_range("1900", periods=30, freq="Y")
    days = pd.date_range("2000-01-01", periods=30, freq="D")
    assert [seasonal_period(i) for i in (monthly, quarterly, yearly, days)] == [12, 4, 1, 7]
    assert seasonal_period(pd.RangeIndex(30)) == 1


@pytest.mark.parametrize("freq, period", [
    # business calendars keep the calendar's season (the prefix "B" once gave 5)
    ("BMS", 12), ("BQS", 4), ("C", 5), ("B", 5),
    # a multiple of the step divides the season where it divides
    ("2h", 12), ("3MS", 4), ("2D", 1), ("30min", 1),
])
def test_seasonal_period_of_business_and_multiple_frequencies(freq, period):
    index = pd.date_range("2000-01-03", periods=40, freq=freq)
    assert seasonal_period(index) == period
    # the same, inferred from an index that has lost its freq
    assert seasonal_period(pd.DatetimeIndex(list(index))) == period


@pytest.mark.parametrize("freq, named, period", [
    # the step's length, not its spelling: "7D" gave 1, "W-SAT" 52
    ("7D", "W-SAT", 52), ("24h", "D", 7), ("1440min", "D", 7), ("60min", "h", 24),
    ("168h", "W-SAT", 52), ("120min", "2h", 12),
])
def test_seasonal_period_of_equal_steps_spelled_otherwise(freq, named, period):
    index = pd.date_range("2000-01-01", periods=40, freq=freq)
    assert seasonal_period(index) == period
    assert seasonal_period(pd.date_range("2000-01-01", periods=40, freq=named)) == period
    assert seasonal_period(pd.DatetimeIndex(list(index))) == period


def test_sp_auto_warns_where_a_step_gives_no_season():
    y = pd.Series(10.0 + np.random.RandomState(0).normal(size=200).cumsum(),
                  index=pd.date_range("2000-01-01", periods=200, freq="30min"))
    with pytest.warns(UserWarning, match=r"time steps of 0 days 00:30:00: it uses sp=1, "
                                         r"no season\. Pass sp.*\(sp=48 for a daily cycle\)"):
        f = RNNForecaster(recurrent=False).fit(y, fh=[1, 2])
    assert f.seasonal_period_ == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        RNNForecaster(recurrent=False, sp=1).fit(y, fh=[1, 2])
        RNNForecaster(recurrent=False).fit(y.asfreq("h").iloc[:100], fh=[1, 2])


@pytest.mark.parametrize("step, shift", [("30min", "15min"), ("2D", "1D")])
def test_sp_auto_warning_reads_a_panels_series_not_their_pooled_times(step, shift):
    # pooled, series offset by part of a step look like steps of that part
    # (15 minutes: "sp=96" for a daily cycle of 48 half-hours) or like none
    times = pd.date_range("2000-01-01", periods=60, freq=step)
    index = pd.MultiIndex.from_tuples(
        [("a", t) for t in times] + [("b", t + pd.Timedelta(shift)) for t in times])
    y = pd.DataFrame({"v": np.random.RandomState(0).normal(size=120).cumsum()}, index=index)
    assert unseasonal_step(y.index) == pd.Timedelta(step)
    assert seasonal_period(y.index) == 1


def test_auto_window_length():
    assert auto_window_length(12, 24, 1000) == 24  # two seasons
    assert auto_window_length(4, 8, 1000) == 12  # at least 12
    assert auto_window_length(1, 30, 1000) == 30  # the horizon
    # a short series keeps as many windows as the window has steps
    assert auto_window_length(12, 24, 48) == 12
    assert auto_window_length(12, 24, 10) == 1


def test_window_length_auto_resolves_on_fit(airline):
    f = RNNForecaster(recurrent=False).fit(airline[:-24], fh=np.arange(1, 25))
    assert f.seasonal_period_ == 12
    assert f.window_length_ == 24


def test_sp_overrides_the_index_season():
    """``sp`` sets the season where the index gives none (a RangeIndex, or
    half-hours) or a wrong one (monthly data without a yearly cycle)."""
    season = np.array([1.0, 3.0, 2.0, 5.0, 4.0, 2.5])
    y = pd.Series(np.tile(season, 20) * 10.0)  # RangeIndex: no calendar
    auto = RNNForecaster(recurrent=False).fit(y, fh=np.arange(1, 7))
    assert auto.seasonal_period_ == 1 and auto.window_length_ == 12
    six = RNNForecaster(recurrent=False, sp=6).fit(y, fh=np.arange(1, 7))
    assert six.seasonal_period_ == 6 and six.window_length_ == 12
    assert six.linear_weights_["seasonal_arma"] > auto.linear_weights_["seasonal_arma"]
    np.testing.assert_allclose(six.predict().to_numpy().ravel(), season * 10.0, rtol=1e-3)
    monthly = load_airline()[:-24]
    f = RNNForecaster(recurrent=False, sp=1).fit(monthly, fh=np.arange(1, 25))
    assert f.seasonal_period_ == 1 and f.window_length_ == 24  # the horizon


@pytest.mark.parametrize("sp", [0, -12, 1.5, True, "monthly"])
def test_invalid_sp(airline, sp):
    with pytest.raises(ValueError, match="sp must be a positive integer or 'auto'"):
        RNNForecaster(sp=sp).fit(airline, fh=[1])


def test_linear_start_reproduces_an_exact_seasonal_series():
    # y = level * season: the one-step start, shrunk towards the seasonal
    # naive forecast, continues it exactly
    season = np.array([1.0, 3.0, 2.0, 5.0])
    y = np.tile(season, 20)[:, None] * 10.0
    coef = fit_linear([y], 8, sp=4)
    out = iterate_linear(coef, y[None, -8:], 8, series_scale(y)[None])
    np.testing.assert_allclose(out[0, 0], np.tile(season, 2) * 10.0, atol=1e-6)


def test_recursion_radius_reads_the_recursion_on_the_levels():
    # x_{t+1} = 1.5 x_t - 0.5 x_{t-1} + 0.2 x_{t-2} ... on differences from the last value
    rng = np.random.default_rng(0)
    for n_channels, length in ((1, 5), (2, 3)):
        coef = rng.normal(scale=0.3, size=(length * n_channels + 1, n_channels))
        x = rng.normal(size=(length, n_channels))
        grown = [x]
        for _ in range(400):  # iterate the recursion, each channel in its own units
            window = grown[-1]
            step = window[-1] + _design_row(window - window[-1]) @ coef - coef[-1]
            grown.append(np.vstack([window[1:], step]))
        norms = [np.abs(w).max() for w in grown]
        # the spectral radius is the growth per step in the long run
        assert (norms[-1] / norms[-101]) ** (1 / 100) == pytest.approx(
            recursion_radius(coef, n_channels), rel=0.02)


def _design_row(window):
    return np.append(window.ravel(), 1.0)


def test_an_outlier_among_the_latest_values_does_not_make_the_one_step_form_explode(
        airline, monkeypatch):
    """Airline with its last value ten times too high: least squares made the
    one-step form's recursion explosive (spectral radius 2.3), and the
    forecasts went to -5,831 and 1.4e7 within a year with an 80 % interval
    108 wide. Its penalty is raised until the recursion grows a
    disturbance at most MAX_GROWTH-fold over the horizon."""
    h = 12
    glitch = airline.copy()
    glitch.iloc[-1] *= 10
    values = [glitch.to_numpy()[:, None]]
    plain = fit_linear(values, 24, sp=12)
    assert recursion_radius(plain, 1) > 2
    coef = fit_linear(values, 24, sp=12, horizon=h)
    assert recursion_radius(coef, 1) ** h <= MAX_GROWTH
    from sklearn_rnn.sktime import _residual as residual

    horizons = []

    def spy(*args, horizon=None, **kwargs):
        horizons.append(horizon)
        return fit_linear(*args, horizon=horizon, **kwargs)

    monkeypatch.setattr(residual, "fit_linear", spy)
    f = RNNForecaster(recurrent=False).fit(glitch, fh=np.arange(1, h + 1))
    pred = f.predict().to_numpy()
    assert pred.min() > airline.min() and pred.max() < 1.5 * glitch.max()
    # bounded where it forecasts; the tail weighs the form as least squares fits it
    assert horizons == [None, h]
    assert recursion_radius(f.linear_coef_["recursive"], 1) ** h <= MAX_GROWTH
    horizons.clear()
    RNNForecaster(recurrent=False, early_stopping=False).fit(glitch, fh=np.arange(1, h + 1))
    assert horizons == [h]
    # a series without one keeps the penalty: growth of 1.14 over the year
    values = [airline.to_numpy()[:, None]]
    np.testing.assert_array_equal(fit_linear(values, 24, sp=12, horizon=h),
                                  fit_linear(values, 24, sp=12))
    assert recursion_radius(fit_linear(values, 24, sp=12), 1) ** h < 1.2


def test_recurrent_false_is_the_linear_start(airline):
    fh = np.arange(1, 13)
    f = RNNForecaster(recurrent=False).fit(airline[:-12], fh=fh)
    assert f.regressor_ is None
    assert f.kept_linear_start_
    assert f.recurrent_improvement_ is None
    assert sum(f.linear_weights_.values()) == pytest.approx(1.0)
    pred = f.predict()
    # the network never enters: the same forecast with another seed
    again = RNNForecaster(recurrent=False, random_state=3).fit(airline[:-12], fh=fh)
    pd.testing.assert_series_equal(pred, again.predict())


def test_combination_weights():
    # a few independent horizons: inverse-error weights
    np.testing.assert_allclose(
        combination_weights([1.0, 3.0], n_valid=20, horizon=24), [0.75, 0.25])
    np.testing.assert_allclose(
        combination_weights([1.0, 2.0, 4.0], n_valid=20, horizon=24), [4 / 7, 2 / 7, 1 / 7])
    # hundreds of them (a long series): an 8 % lower loss takes (almost) all
    # the weight
    weights = combination_weights([1.08, 1.0, 2.0], n_valid=8000, horizon=24)
    assert weights[1] > 1 - 1e-5 and weights.sum() == pytest.approx(1.0)
    # as many over a panel's 200 series, which move together: counted per
    # series, under 2 horizons each, inverse-error weights again
    np.testing.assert_allclose(
        combination_weights([1.0, 3.0], n_valid=8000, horizon=24, n_series=200),
        [0.75, 0.25])
    # no overflow on huge ratios; a perfect form takes all
    np.testing.assert_array_equal(
        combination_weights([1.0, 1e300], n_valid=10**6, horizon=1), [1.0, 0.0])
    np.testing.assert_array_equal(
        combination_weights([1.0, 0.0, 2.0], n_valid=10, horizon=1), [0.0, 1.0, 0.0])


def test_seasonal_arma_without_coefficients_is_the_seasonal_naive():
    y = np.arange(2 * 20, dtype=float).reshape(20, 2) % 7  # 20 steps, 2 channels
    ends = np.array([20, 9])
    out = forecast_seasonal_arma([y], np.zeros(3), 4, 6, np.array([0, 0]), ends)
    for row, end in enumerate(ends):
        for channel in range(2):
            season = y[end - 4 : end, channel]
            np.testing.assert_array_equal(out[row, channel], np.resize(season, 6))
    # without a season: the last value; a history shorter than a season
    # repeats its first value before it
    out = forecast_seasonal_arma([y], np.zeros(3), 1, 3, np.array([0]), np.array([20]))
    np.testing.assert_array_equal(out[0, 0], [y[19, 0]] * 3)
    out = forecast_seasonal_arma([y], np.zeros(3), 12, 3, np.array([0]), np.array([5]))
    np.testing.assert_array_equal(out[0, 1], [y[0, 1]] * 3)


def test_seasonal_arma_recovers_its_coefficients():
    """Conditional least squares, global over series, on a simulated
    SARIMA(2,0,0)(0,1,1)_4: d_t = 0.5 d_{t-1} + 0.2 d_{t-2} + e_t - 0.6 e_{t-4}."""
    rng = np.random.default_rng(0)
    series = []
    for level in (10.0, 1000.0):  # each series divided by its scale
        e = rng.standard_normal(600)
        d = np.zeros(600)
        for t in range(600):
            d[t] = e[t] + (0.5 * d[t - 1] + 0.2 * d[t - 2] - 0.6 * e[t - 4] if t >= 4 else 0)
        y = np.zeros(604)
        y[:4] = [3.0, -1.0, 2.0, 0.0]
        for t in range(600):
            y[t + 4] = y[t] + d[t]
        series.append((level + y * level / 100)[:, None])
    phi_1, phi_2, theta = fit_seasonal_arma(series, sp=4)
    assert phi_1 == pytest.approx(0.5, abs=0.08)
    assert phi_2 == pytest.approx(0.2, abs=0.08)
    assert theta == pytest.approx(-0.6, abs=0.05)
    # too short to fit: the seasonal naive's zeros
    np.testing.assert_array_equal(fit_seasonal_arma([series[0][:9]], sp=4), np.zeros(3))


def test_seasonal_arma_forecasts_by_its_recursion():
    """One step: the value a season back, plus the AR terms of the latest
    seasonal differences and the seasonal MA term of the error a season back."""
    rng = np.random.default_rng(1)
    y = rng.standard_normal((30, 1)).cumsum(axis=0)
    params = np.array([0.4, 0.1, -0.5])
    s = 4
    d = np.zeros(30)
    d[s:] = y[s:, 0] - y[:-s, 0]
    e = np.zeros(30)
    for t in range(s, 30):
        e[t] = d[t] - 0.4 * d[t - 1] - 0.1 * d[t - 2] - (-0.5) * e[t - s]
    out = forecast_seasonal_arma([y], params, s, 2, np.array([0]), np.array([30]))
    d30 = 0.4 * d[29] + 0.1 * d[28] - 0.5 * e[26]
    d31 = 0.4 * d30 + 0.1 * d[29] - 0.5 * e[27]
    np.testing.assert_allclose(out[0, 0], [y[26, 0] + d30, y[27, 0] + d31])


def test_theta_forecasts_ses_plus_half_the_trend():
    """The Theta method: the seasonally adjusted series' exponentially
    smoothed level, plus half its trend's slope (times h - 1 + 1 / alpha),
    seasonality put back (multiplicative for a positive series)."""
    rng = np.random.default_rng(0)
    t = np.arange(60)
    season = np.tile([1.2, 0.9, 1.1, 0.8], 15)
    y = ((50 + 0.5 * t + rng.standard_normal(60)) * season)[:, None]
    [(index, multiplicative, alpha, slope)] = fit_theta([y], sp=4)[0]
    assert multiplicative
    np.testing.assert_allclose(index, [1.2, 0.9, 1.1, 0.8], atol=0.02)
    assert slope == pytest.approx(0.5, abs=0.05)
    assert 0.05 <= alpha <= 1.0
    out = forecast_theta([y], [[(index, multiplicative, alpha, slope)]], 4, 6,
                         np.array([0]), np.array([60]))
    adjusted = y[:, 0] / index[np.arange(60) % 4]
    level = adjusted[0]
    for value in adjusted[1:]:
        level = alpha * value + (1 - alpha) * level
    h = np.arange(1, 7)
    expected = (level + 0.5 * slope * (h - 1 + 1 / alpha)) * index[(59 + h) % 4]
    np.testing.assert_allclose(out[0, 0], expected)
    # the season is the fitted indices' (sp, as forecast_seasonal_arma's, unread)
    for sp in (1, 12):
        np.testing.assert_array_equal(forecast_theta(
            [y], [[(index, multiplicative, alpha, slope)]], sp, 6, np.array([0]),
            np.array([60])), out)
    # a series with a zero: additive indices; no season: no adjustment
    shifted = y - y.min()
    assert not fit_theta([shifted], sp=4)[0][0][1]
    [(index, multiplicative, _, _)] = fit_theta([y], sp=1)[0]
    assert index.tolist() == [0.0] and not multiplicative


def test_theta_smoothing_weight_minimises_the_one_step_errors():
    # a local level (a random walk under noise): the weight of the grid
    # 0.05, 0.1, ..., 1 with the smallest sum of squared one-step errors,
    # each value forecast by the level before it (in-sample errors, each
    # value against the level that already holds it, always chose 1)
    rng = np.random.default_rng(1)
    v = 100 + np.cumsum(rng.normal(0, 0.5, 120)) + rng.normal(0, 1, 120)

    def one_step_sse(alpha):
        level, total = v[0], 0.0
        for value in v[1:]:
            total += (value - level) ** 2
            level = alpha * value + (1 - alpha) * level
        return total

    best = min((0.05 * k for k in range(1, 21)), key=one_step_sse)
    [(_, _, alpha, _)] = fit_theta([v[:, None]], sp=1)[0]
    assert alpha == pytest.approx(best)
    assert alpha == pytest.approx(0.15)


def test_seasonal_arma_keeps_only_stationary_ar_coefficients():
    # the AR(2) on the seasonal differences is shrunk into the stationarity
    # triangle (phi_1 + phi_2 < 1, phi_2 - phi_1 < 1, |phi_2| < 1): its
    # roots inside the unit circle, so that its correction dies out
    from sklearn_rnn.sktime._seasonal_arma import _stationary

    for phi in [(-1.2, -0.1), (1.5, -0.4), (0.3, 0.9), (2.0, -1.5), (-0.5, 1.2)]:
        kept = _stationary(np.array(phi))
        assert np.abs(np.roots([1.0, -kept[0], -kept[1]])).max() < 1, phi
    np.testing.assert_array_equal(_stationary(np.array([0.5, 0.2])), [0.5, 0.2])
    # (-1.2, -0.1) kept as fitted (a root of modulus 1.11): the forecasts
    # after one shock oscillate ever wider, 33 at step 40
    kept = _stationary(np.array([-1.2, -0.1]))
    y = np.r_[np.zeros(10), 1.0, 0.0][:, None]
    out = forecast_seasonal_arma([y], np.r_[kept, 0.0], 1, 40, np.array([0]), np.array([12]))
    assert abs(out[0, 0, -1]) < 0.5


def test_linear_start_combines_its_forms(airline):
    """The start is the weighted mean of its forms (``linear_weights_``)."""
    fh = np.arange(1, 13)
    f = RNNForecaster(recurrent=False).fit(airline[:-12], fh=fh)
    weights = f.linear_weights_
    assert list(weights) == ["recursive", "direct", "seasonal_arma", "theta"]
    assert sum(weights.values()) == pytest.approx(1.0)
    # on one series the tail holds a few horizons: every form counts
    assert all(0.05 < w < 0.95 for w in weights.values()), weights
    assert set(f.linear_coef_) == {"recursive", "direct", "seasonal_arma", "theta"}
    pred = f.predict()
    alone = {}
    for form in weights:
        f.linear_weights_ = {k: float(k == form) for k in weights}
        alone[form] = f.predict()
    assert not np.allclose(alone["recursive"], alone["direct"])
    # the seasonal ARMA form: the last season, moved by a decaying correction
    last = airline[:-12].iloc[-12:].to_numpy()
    assert not np.allclose(alone["seasonal_arma"], last)
    assert np.max(np.abs(alone["seasonal_arma"].to_numpy().ravel() / last - 1)) < 0.2
    np.testing.assert_allclose(pred, sum(w * alone[k] for k, w in weights.items()))


def test_a_panel_tail_weighs_the_forms_by_their_errors():
    """Many series, each with a short tail: the forms are averaged by their
    inverse errors (the series move together, so their tails' horizons are
    not independent evidence), none taking all the weight."""
    rng = np.random.default_rng(0)
    t = np.arange(120)
    frames = []
    for i in range(30):
        # a season on a trend: the seasonal ARMA, without a trend, falls behind
        y = 10 + 0.05 * t + np.sin(2 * np.pi * t / 12 + i) + 0.05 * rng.standard_normal(len(t))
        index = pd.MultiIndex.from_product(
            [[f"s{i}"], pd.period_range("2000-01", periods=len(t), freq="M")])
        frames.append(pd.DataFrame({"y": y}, index=index))
    panel = pd.concat(frames)
    f = RNNForecaster(recurrent=False).fit(panel, fh=np.arange(1, 7))
    weights = f.linear_weights_
    assert max(weights.values()) < 0.9, weights
    assert sum(weights.values()) == pytest.approx(1.0)
    assert sum(w > 0.1 for w in weights.values()) >= 2, weights


def test_without_a_tail_the_start_is_the_one_step_form(airline):
    f = RNNForecaster(recurrent=False, early_stopping=False).fit(
        airline[:-12], fh=np.arange(1, 13))
    assert f.linear_weights_ == {"recursive": 1.0, "direct": 0.0, "seasonal_arma": 0.0,
                                 "theta": 0.0}
    assert all(f.linear_coef_[form] is None for form in ("direct", "seasonal_arma", "theta"))


@pytest.mark.parametrize("fraction", [0.01, 0.1, 0.15, 0.2, 1 / 3, 0.5, 0.7, 0.9, 0.99])
def test_the_forecasters_tail_is_the_networks_tail(fraction):
    # the networks, fitted on every window, hold out the core's split_tail;
    # the start is weighed on the windows after n_before_tail: the same tail
    from sklearn_rnn._training import split_tail

    for n in range(1, 80):
        before = n_before_tail(n, fraction)
        try:
            train, valid = split_tail(n, fraction)
        except ValueError:  # what _validation_split refuses
            assert before < 1 or before == n
        else:
            assert before == len(train) and n - before == len(valid)


def test_the_forms_are_weighed_on_a_tail_they_have_not_seen(airline, monkeypatch):
    """The forms weighed on the validation tail are fitted on each series
    cut before its first validation target (the tail's windows, one step
    apart, have targets spanning their number plus the horizon less one),
    and the direct form on the windows whose horizons end there. Cut by the
    validation windows alone, they had seen all but the last few of the
    tail's targets, and the most flexible form looked best."""
    import sklearn_rnn.sktime._residual as residual

    seen = {}

    def spy(name):
        original = getattr(residual, name)

        def wrapped(*args, **kwargs):
            seen.setdefault(name, []).append(args)
            return original(*args, **kwargs)
        return wrapped

    for name in ("fit_linear", "fit_seasonal_arma", "fit_theta", "fit_direct"):
        monkeypatch.setattr(residual, name, spy(name))
    h = 12
    f = RNNForecaster(recurrent=False).fit(airline, fh=np.arange(1, h + 1))
    n_valid = f.n_windows_ - n_before_tail(f.n_windows_, f.validation_fraction)
    first_target = len(airline) - (n_valid + h - 1)
    for name in ("fit_linear", "fit_seasonal_arma", "fit_theta"):
        values = seen[name][0][0]  # the first fit: the one weighed on the tail
        assert len(values) == 1 and len(values[0]) == first_target
    # the direct form: windows of L steps ending at L, L + 1, ..., whose
    # horizons end at or before the first validation target
    direct_windows = seen["fit_direct"][0][0]
    assert len(direct_windows) == first_target - h - f.window_length_ + 1
    assert f.linear_weights_["direct"] > 0
    # the forecasts' forms are refitted on everything
    assert len(seen["fit_theta"][-1][0][0]) == len(airline)


def test_the_tail_s_one_step_form_forecasts_with_the_scale_it_was_fitted_in():
    """A straight line: the one-step form, fitted on the series cut before
    the tail, forecasts the tail exactly, and takes all the weight. Its
    drift is in units of the scale (mean absolute value) of the series it
    was fitted on; the tail's forecasts multiplied it by the whole series'
    scale, which holds the tail's values (8 % steeper here), and the
    form weighed nothing."""
    y = pd.Series(100 + 2.0 * np.arange(60), index=pd.period_range("2000", periods=60, freq="Y"))
    f = RNNForecaster(recurrent=False).fit(y, fh=[1, 2, 3])
    assert f.linear_weights_["recursive"] == pytest.approx(1.0)
    np.testing.assert_allclose(f.predict().to_numpy(), 100 + 2.0 * np.arange(60, 63))
    # after an update the drift stays in the scale it was fitted in (the
    # updated series' scale made it 19 % too steep), refitted networks or not
    more = pd.Series(100 + 2.0 * np.arange(60, 90), index=pd.period_range("2060", periods=30,
                                                                           freq="Y"))
    for update_params in (False, True):
        g = RNNForecaster(recurrent=False).fit(y, fh=[1, 2, 3])
        g.update(more, update_params=update_params)
        np.testing.assert_allclose(g.predict().to_numpy(), 100 + 2.0 * np.arange(90, 93))


def test_the_direct_form_needs_more_windows_than_coefficients():
    """A short series (32 values) whose last value breaks its trend: its 9
    training windows of 11 steps are fewer than the direct form's 12
    coefficients per step, and the form is left out of the start (on
    ``fpp2`` guinearice, a series like this one, it forecast 938 from a last
    value of 1.03: ``tests/test_forecasting_benchmark.py``). The windows
    counted are those whose horizons end before the first validation
    target."""
    y = pd.Series(np.append(0.3 * 1.045 ** np.arange(31), 1.03),
                  index=pd.period_range("1970", periods=32, freq="Y"))
    f = RNNForecaster(recurrent=False, window_length=11).fit(y, fh=np.arange(1, 11))
    split = n_before_tail(f.n_windows_, f.validation_fraction)
    assert split <= f.window_length_ + 1
    assert f.linear_weights_["direct"] == 0.0
    assert f.linear_coef_["direct"] is None
    assert sum(f.linear_weights_.values()) == pytest.approx(1.0)
    pred = f.predict().to_numpy()
    assert np.all((pred > 0.5) & (pred < 2.0)), pred.ravel()
    # shorter windows: more of them, fewer coefficients, and the direct form
    # is weighed with the others (20 windows of 3 steps, 4 in the tail: the
    # first validation target is value 20, and the 7 windows ending at 3 to
    # 9 have their horizons before it, more than 4 coefficients)
    short = RNNForecaster(recurrent=False, window_length=3).fit(y, fh=np.arange(1, 11))
    assert short.n_windows_ == 20
    assert n_before_tail(short.n_windows_, 0.2) == 16
    assert short.linear_weights_["direct"] > 0
    assert short.linear_coef_["direct"] is not None


def test_kept_start_forecasts_are_the_linear_ones(airline):
    """Where the network does not beat the start, the forecasts say so."""
    fh = np.arange(1, 13)
    y = airline[:-12]
    full = RNNForecaster(**SMALL).fit(y, fh=fh)
    linear = RNNForecaster(recurrent=False, **SMALL).fit(y, fh=fh)
    assert full.recurrent_improvement_ is not None
    assert full.n_windows_ - n_before_tail(full.n_windows_, 0.2) >= 10
    horizons = (full.n_windows_ - n_before_tail(full.n_windows_, 0.2)) / full.horizon_
    assert full.kept_linear_start_ == (full.recurrent_improvement_ <= 0 or horizons < 10)
    same = np.allclose(full.predict(), linear.predict())
    assert same == full.kept_linear_start_
    assert full.linear_weights_ == linear.linear_weights_
    for form in ("recursive", "direct"):
        np.testing.assert_allclose(full.linear_coef_[form], linear.linear_coef_[form])


def _random_walks(levels, n=48, h=12, seed=0):
    """A panel of random walks with steps of standard deviation 1 around
    ``levels``, and its last ``h`` months."""
    rng = np.random.default_rng(seed)
    index = pd.period_range("2000-01", periods=n + h, freq="M")
    frames = [
        pd.DataFrame({"y": level + np.cumsum(rng.normal(0, 1, n + h))},
                     index=pd.MultiIndex.from_product([[f"s{i:02d}"], index]))
        for i, level in enumerate(levels)
    ]
    y = pd.concat(frames)
    return y.groupby(level=0).head(n), y.groupby(level=0).tail(h)


@pytest.mark.parametrize("normalization", ["last", "mean", "none", "standard"])
def test_a_panels_start_intervals_follow_each_series_noise(normalization):
    """Random walks with equal steps at levels 1000 and 10: pooled in units
    of each series' level, the start's residual quantiles gave the quiet
    (level 1000) series 80 % intervals about 560 wide for errors of about 4
    and the noisy ones 6 wide, covering 47 % (S1); in units of each series'
    noise-to-level ratio both are about as wide as their errors call for.
    Under every window normalisation: in units of the level, "none" and
    "standard" gave the level-10 series intervals about 500 wide."""
    levels = [1000, 10] * 10
    train, test = _random_walks(levels)
    f = RNNForecaster(recurrent=False, random_state=0, n_threads=1,
                      window_normalization=normalization)
    f.fit(train, fh=np.arange(1, 13))
    interval = f.predict_interval(coverage=0.8)
    lower, upper = interval.iloc[:, 0].to_numpy(), interval.iloc[:, 1].to_numpy()
    actual = test["y"].to_numpy()
    high = np.repeat(np.array(levels) == 1000, 12)
    width = upper - lower
    covered = (lower <= actual) & (actual <= upper)
    for group in (high, ~high):
        assert 2 < width[group].mean() < 40  # a 12-step walk's 80 %: about 6 wide
        if normalization in ("last", "mean"):  # 0.88 and 0.83 (before: 1.0 and 0.47)
            assert covered[group].mean() >= 0.7
    assert covered.mean() >= 0.6  # "none" 0.67, "standard" 0.72
    assert width[high].mean() / width[~high].mean() < 3


def test_a_constant_or_short_series_takes_the_panels_typical_noise():
    """A constant series has no noise of its own, and one shorter than a
    season no seasonal change: they take the other series' median ratio
    (a constant series at level 100 got an interval 237 wide; a short one
    three times the width of a longer twin)."""
    train, _ = _random_walks([100] * 6, n=40)
    constant = train.loc["s00"].copy()
    constant["y"] = 100.0
    panel = pd.concat({"const": constant, **{k: train.loc[k] for k in ("s01", "s02", "s03")}})
    f = RNNForecaster(recurrent=False, random_state=0, n_threads=1, sp=12).fit(
        panel, fh=np.arange(1, 7))
    ratios = f._noise_ratio[:, 0]
    assert ratios[0] == pytest.approx(np.median(ratios[1:]))
    interval = f.predict_interval(coverage=0.8)
    width = (interval.iloc[:, 1] - interval.iloc[:, 0]).groupby(level=0).mean()
    assert width["const"] < 3 * width.drop("const").max()


def test_a_series_shorter_than_the_window_is_read_with_its_first_value_in_front(monkeypatch):
    # the linear start reads window_length steps: a short series' missing
    # ones are its first value repeated, not zeros (a level of 100 read as a
    # fall from 0)
    from sklearn_rnn.sktime import _forecast_windows

    seen = []

    def spy(forecaster, inputs, extra):
        seen.append(extra["raw"].copy())
        return original(forecaster, inputs, extra)

    original = _forecast_windows.predict_residual_model
    monkeypatch.setattr(_forecast_windows, "predict_residual_model", spy)
    rng = np.random.default_rng(0)
    times = pd.period_range("2000-01", periods=60, freq="M")
    short = 100 + rng.normal(size=5)
    panel = pd.concat([
        pd.DataFrame({"y": 100 + np.cumsum(rng.normal(size=60))},
                     index=pd.MultiIndex.from_product([["a"], times])),
        pd.DataFrame({"y": short}, index=pd.MultiIndex.from_product([["b"], times[-5:]])),
    ])
    f = RNNForecaster(recurrent=False, window_length=8, sp=1).fit(panel, fh=[1, 2, 3])
    f.predict()
    (raw,) = seen
    assert raw.shape == (2, 8, 1)
    np.testing.assert_array_equal(raw[1, :, 0], np.r_[np.full(3, short[0]), short])


def test_a_single_series_start_intervals_do_not_depend_on_its_noise(airline, monkeypatch):
    """On one series the noise-to-level ratio is a constant: its intervals
    are those of the residual quantiles in the windows' own units."""
    import sklearn_rnn.sktime._residual as residual

    fh = np.arange(1, 13)
    scaled = RNNForecaster(recurrent=False, n_threads=1).fit(airline, fh=fh)
    assert scaled._noise_ratio.shape == (1, 1) and scaled._noise_ratio[0, 0] != 1
    monkeypatch.setattr(residual, "noise_ratios",
                        lambda series, sp, normalization: np.ones((len(series), 1)))
    plain = RNNForecaster(recurrent=False, n_threads=1).fit(airline, fh=fh)
    np.testing.assert_allclose(scaled.predict_quantiles(alpha=[0.1, 0.9]),
                               plain.predict_quantiles(alpha=[0.1, 0.9]), rtol=1e-10)


def test_recurrent_improvement_is_measured_on_the_validation_tail(airline, monkeypatch, capsys):
    from sklearn_rnn.sktime import _residual

    # the tail's targets and the outputs judged on them, as the verdict sees them
    seen = {}
    judge, outputs = _residual._judge_on_tail, _residual._outputs

    def spy_judge(f, windows, targets, start, sid):
        seen["targets"] = targets
        seen["judging"] = True
        try:
            return judge(f, windows, targets, start, sid)
        finally:
            seen["judging"] = False

    def spy_outputs(f, inputs, start, sid):
        out = outputs(f, inputs, start, sid)
        if seen.get("judging"):
            seen["start" if inputs is None else "full"] = out.copy()
        return out

    monkeypatch.setattr(_residual, "_judge_on_tail", spy_judge)
    monkeypatch.setattr(_residual, "_outputs", spy_outputs)
    f = RNNForecaster(verbose=1, **SMALL).fit(airline, fh=np.arange(1, 13))
    out = capsys.readouterr().out
    # the documented definition, recomputed here: 1 - loss(network) / loss(start),
    # the loss the mean pinball loss over quantile_levels_ (else the squared error)
    levels, targets = f.quantile_levels_, seen["targets"]

    def loss(pred):
        if levels is None:
            return float(np.mean((pred - targets) ** 2))
        diff = targets[..., None] - pred
        q = np.asarray(levels)
        return float(np.mean(np.maximum(q * diff, (q - 1) * diff)))

    loss_start, loss_full = loss(seen["start"]), loss(seen["full"])
    assert loss_start > 0 and loss_full != loss_start
    assert f.recurrent_improvement_ == pytest.approx(1 - loss_full / loss_start, rel=1e-9)
    assert (f"Validation loss: linear start {loss_start:.5f}, with the recurrent "
            f"networks {loss_full:.5f} (") in out
    assert "Validation loss: linear start" in out
    verdict = "keeping the linear start" if f.kept_linear_start_ else "keeping the network"
    assert verdict in out
    change = abs(100 * f.recurrent_improvement_)
    direction = "lower" if f.recurrent_improvement_ >= 0 else "higher"
    assert f"({change:.1f} % {direction})" in out  # not a signed "+4.0 %" for a lower loss
    for k in range(1, f.n_networks + 1):  # each network's table is labelled
        assert f"Network {k} of {f.n_networks} on the linear start's residuals " in out
    # a network's own gain is over its random start, not the linear start (U F-A)
    assert "against its own random starting weights" in out


def test_a_short_tail_keeps_the_start(capsys):
    rng = np.random.default_rng(0)
    index = pd.period_range("2000-01", periods=40, freq="M")
    y = pd.Series(100 + rng.normal(size=40).cumsum(), index=index)
    f = RNNForecaster(verbose=1, **SMALL).fit(y, fh=np.arange(1, 7))
    assert f.n_windows_ - n_before_tail(f.n_windows_, 0.2) < 10
    assert f.recurrent_improvement_ is not None
    assert f.kept_linear_start_
    assert "too few to trust the network" in capsys.readouterr().out


def test_a_single_series_tail_is_too_short_to_trust_the_network(airline, capsys):
    """Airline's tail holds 22 windows: under 2 independent 12-step horizons."""
    f = RNNForecaster(verbose=1, **SMALL).fit(airline, fh=np.arange(1, 13))
    assert f.recurrent_improvement_ is not None
    assert f.kept_linear_start_
    out = capsys.readouterr().out
    assert "independent horizons of 12 steps, fewer than 10" in out


def _sines():
    rng = np.random.default_rng(0)
    t = np.arange(150)
    frames = []
    for i in range(20):
        y = 10 + 3 * np.sin(rng.uniform(0.3, 2.5) * t + rng.uniform(0, 6))
        y += 0.05 * rng.standard_normal(len(t))
        index = pd.MultiIndex.from_product([[f"s{i}"], pd.RangeIndex(len(t))])
        frames.append(pd.DataFrame({"y": y}, index=index))
    return pd.concat(frames)


def test_a_panel_tail_trusts_a_network_that_improves_on_the_start(capsys):
    """Sines of 20 frequencies: no one linear model fits them all, the
    network reads the frequency off the window; the tail holds ~140
    independent 4-step horizons."""
    panel = _sines()
    # batch_size=200: "auto" takes 347 of these 2,780 windows, too few steps in 50 epochs
    f = RNNForecaster(hidden_size=16, max_iter=50, window_length=8, random_state=0,
                      batch_size=200, n_threads=1, verbose=1).fit(panel, fh=np.arange(1, 5))
    assert f.recurrent_improvement_ > 0.1
    assert not f.kept_linear_start_
    verdict = capsys.readouterr().out.splitlines()[-1]
    assert verdict.startswith("Validation loss: linear start")
    assert "keeping the network (a gain of" in verdict and "needed" not in verdict
    linear = RNNForecaster(recurrent=False, window_length=8).fit(panel, fh=np.arange(1, 5))
    assert not np.allclose(f.predict(), linear.predict())


def test_gain_in_standard_errors_counts_independent_horizons():
    from sklearn_rnn.sktime._residual import _window_losses

    targets = np.zeros((40, 4))
    start = np.ones((40, 4))
    gains = np.tile([0.1, 0.3], 20)  # per-window gains: mean 0.2, sd ~0.1
    full = np.sqrt(1.0 - gains)[:, None] * np.ones((1, 4))
    measured = _window_losses(start, targets, None) - _window_losses(full, targets, None)
    np.testing.assert_allclose(measured, gains)
    sd = gains.std(ddof=1)
    for horizons in (10.0, 40.0):
        z = gain_in_standard_errors(measured, horizons)
        assert z == pytest.approx(0.2 / (sd / np.sqrt(horizons)))
    # quantiles: the per-window pinball loss (all levels at the target: 0)
    quantiles = np.repeat(start[..., None], 3, axis=2)
    levels = [0.1, 0.5, 0.9]
    measured = (_window_losses(quantiles, targets, levels)
                - _window_losses(np.zeros_like(quantiles), targets, levels))
    np.testing.assert_allclose(measured, 0.5)  # the mean of the levels' losses
    assert gain_in_standard_errors(measured, 10.0) == 0.0  # no spread: no gain trusted


def test_a_gain_within_the_noise_keeps_the_start(monkeypatch, capsys):
    """The sines panel below, with the bar raised above the networks' gain
    there: the tail holds enough horizons, the gain is positive, and the
    start is kept, as it is on a real panel where the gain is 0.3
    standard errors (docs/forecasting.md)."""
    from sklearn_rnn.sktime import _residual

    monkeypatch.setattr(_residual, "TAIL_GAIN_Z", 1e6)
    f = RNNForecaster(hidden_size=16, max_iter=50, window_length=8, random_state=0,
                      batch_size=200, n_threads=1, verbose=1).fit(_sines(), fh=np.arange(1, 5))
    assert f.recurrent_improvement_ > 0.1
    assert f.kept_linear_start_
    out = capsys.readouterr().out
    assert "keeping the linear start (a gain of" in out and "more than 1e+06 needed" in out


@pytest.mark.parametrize("units", [1e-12, 1e12])
def test_a_series_in_any_units_gets_the_same_forecasts(airline, units):
    # The per-window scale falls back to 1 only below 1e-8 of the series'
    # own scale: at an absolute 1e-8, a series near 1e-8 had some windows
    # scaled and some not, and forecasts off by orders of magnitude.
    fh = np.arange(1, 7)
    y = airline.astype(float)
    y.iloc[40:46] = 0.0  # all-zero windows take the series' scale at any units
    ref = RNNForecaster(**SMALL).fit(y, fh=fh).predict_interval(coverage=0.8)
    scaled = RNNForecaster(**SMALL).fit(y * units, fh=fh).predict_interval(coverage=0.8)
    np.testing.assert_allclose(scaled.to_numpy() / units, ref.to_numpy(), rtol=1e-6)


def _after_zeros(y, n_zeros):
    """``y`` behind ``n_zeros`` periods of zeros (a product not yet sold)."""
    start = y.index[0] - n_zeros
    zeros = pd.Series(0.0, index=pd.period_range(start, periods=n_zeros, freq=y.index.freq))
    return pd.concat([zeros, y.astype(float)])


def test_leading_zeros_keep_the_intervals_of_the_series(airline):
    """Five years of zeros before airline's first month: its all-zero
    windows take the series' scale. With a scale of 1 in the data's units
    they had targets in the hundreds among targets near 1, and the start's
    80 % interval for the first month was 2686 passengers wide against 42
    without the zeros (the median hardly moved)."""
    fh = np.arange(1, 13)
    params = dict(recurrent=False, random_state=0, n_threads=1)
    plain = RNNForecaster(**params).fit(airline, fh=fh)
    zeros = RNNForecaster(**params).fit(_after_zeros(airline, 60), fh=fh)
    width = [np.diff(f.predict_interval(coverage=0.8).to_numpy(), axis=1).ravel()
             for f in (plain, zeros)]
    # the launch in its history widens them some (twice, on average over
    # the year), not 60-fold
    assert width[1].mean() < 3 * width[0].mean()
    np.testing.assert_allclose(zeros.predict(), plain.predict(), rtol=0.05)


def test_leading_zeros_do_not_mislead_the_networks(airline):
    """The same series, three months ahead: the tail holds 12 independent
    horizons and judges the networks. Against the start's intervals
    inflated by the zeros' targets, they gained 38 % on the tail and were
    kept, and forecast 137, 18 and 265 passengers (seed 1)."""
    fh = np.arange(1, 4)
    params = dict(random_state=1, n_threads=1)
    plain = RNNForecaster(**params).fit(airline, fh=fh).predict()
    zeros = RNNForecaster(**params).fit(_after_zeros(airline, 60), fh=fh).predict()
    np.testing.assert_allclose(zeros, plain, rtol=0.1)


def test_fits_are_reproducible(airline):
    fh = np.arange(1, 7)
    a = RNNForecaster(**SMALL).fit(airline, fh=fh).predict_interval(coverage=0.8)
    b = RNNForecaster(**SMALL).fit(airline, fh=fh).predict_interval(coverage=0.8)
    pd.testing.assert_frame_equal(a, b)



def test_an_ensemble_averages_its_networks(airline):
    """n_networks networks from seeds drawn from random_state, averaged."""
    from sklearn_rnn.sktime._residual import network_seeds

    fh = np.arange(1, 7)
    one = RNNForecaster(n_networks=1, **SMALL).fit(airline, fh=fh)
    three = RNNForecaster(n_networks=3, **SMALL).fit(airline, fh=fh)
    assert one.regressors_ == [one.regressor_]
    assert len(three.regressors_) == 3 and three.regressor_ is three.regressors_[0]
    seeds = [r.random_state for r in three.regressors_]
    assert seeds == network_seeds(0, 3) and seeds[0] == 0 and len(set(seeds)) == 3
    # the first network is the single one; the others differ
    weights = [r.module_.head.weight.detach().numpy() for r in three.regressors_]
    np.testing.assert_array_equal(weights[0], one.regressor_.module_.head.weight.detach())
    assert not np.allclose(weights[0], weights[1])
    # the residual outputs are the mean of the networks'
    inputs = np.random.default_rng(0).normal(size=(5, three.window_length_, 1))
    levels = len(three.quantile_levels_)
    mean = np.mean([r.predict_quantiles(inputs) for r in three.regressors_], axis=0)
    from sklearn_rnn.sktime._residual import _network_outputs

    np.testing.assert_allclose(
        _network_outputs(three, inputs, (5, 6, levels)), mean.reshape(5, 6, levels)
    )
    # reproducible from random_state, updated network by network
    again = RNNForecaster(n_networks=3, **SMALL).fit(airline, fh=fh)
    pd.testing.assert_frame_equal(three.predict_interval(), again.predict_interval())
    n_iter = [r.n_iter_ for r in three.regressors_]
    three.kept_linear_start_ = False  # an update trains networks the forecasts use
    three.update(airline[-1:].set_axis(airline.index[-1:] + 1), update_params=True)
    assert [r.n_iter_ for r in three.regressors_] == [n + 10 for n in n_iter]

def test_conformal_factors_reach_the_coverage():
    rng = np.random.default_rng(0)
    levels = np.array([0.1, 0.5, 0.9])
    targets = rng.normal(scale=2.0, size=(400, 5))
    # intervals of a unit normal: far too narrow for a scale of 2
    z = 1.2815515655446004
    quantiles = np.broadcast_to(np.array([-z, 0.0, z]), (400, 5, 3))
    factors = conformal_factors(quantiles, targets, levels)
    assert factors[1] == 1.0 and factors[0] == factors[2]
    assert 1.6 < factors[0] < 2.4
    scaled = scale_around_median(quantiles, levels, factors)
    covered = np.mean((targets >= scaled[..., 0]) & (targets <= scaled[..., 2]))
    assert 0.8 <= covered <= 0.82
    # intervals too wide are narrowed, unless narrow=False
    wide = conformal_factors(quantiles, targets / 4, levels)
    assert 0.4 < wide[0] < 0.6
    kept = conformal_factors(quantiles, targets / 4, levels, narrow=False)
    np.testing.assert_array_equal(kept, np.ones(3))


def test_conformal_factors_leave_out_sides_without_width():
    # tied training residuals leave a side of the interval with no width
    # (float rounding): a target there scored ~1e12, and the factor of every
    # output became as large
    rng = np.random.default_rng(0)
    levels = np.array([0.1, 0.5, 0.9])
    targets = rng.normal(size=(200, 2))
    quantiles = np.broadcast_to(np.array([-1.28, 0.0, 1.28]), (200, 2, 3)).copy()
    quantiles[:, 1, 2] = 1e-12  # the second output's upper side: no width
    factors = conformal_factors(quantiles, targets, levels)
    assert 0.8 < factors[0] < 1.25
    assert factors[0] == pytest.approx(
        conformal_factors(quantiles[:, :1], targets[:, :1], levels)[0], rel=0.2)


@pytest.mark.parametrize("case", ["sparse counts", "multivariate"])
def test_intervals_stay_finite_with_tied_residuals(case):
    index = pd.period_range("2000-01", periods=150, freq="M")
    rng = np.random.default_rng(0)
    if case == "sparse counts":
        y = pd.Series(0.0, index=index)
        y.iloc[[9, 75]] = 1.0  # two events in twelve years
    else:  # one variable that starts late, one seasonal
        y = pd.DataFrame({"a": 10 + np.sin(np.arange(150) * np.pi / 6)
                          + 0.2 * rng.normal(size=150),
                          "c": np.r_[np.zeros(130), rng.poisson(2, 20)]}, index=index)
    f = RNNForecaster(recurrent=False, random_state=0).fit(y, fh=[1, 2, 3])
    assert np.all(f.interval_factors_ < 100)
    interval = f.predict_interval(coverage=0.9).to_numpy()
    assert np.abs(interval).max() < 100


def test_intervals_are_calibrated_on_the_tail(airline):
    f = RNNForecaster(**SMALL).fit(airline, fh=np.arange(1, 7))
    assert f.interval_factors_ is not None
    assert len(f.interval_factors_) == len(f.quantile_levels_)
    off = RNNForecaster(calibrate_intervals=False, **SMALL).fit(airline, fh=np.arange(1, 7))
    assert off.interval_factors_ is None


@pytest.mark.parametrize(
    "params, match",
    [
        ({"window_length": "long"}, "window_length must be a positive integer or 'auto'"),
        ({"recurrent": "yes"}, "recurrent must be True or False"),
        ({"calibrate_intervals": 1}, "calibrate_intervals must be True or False"),
        ({"n_networks": 0}, "n_networks must be an integer >= 1"),
    ],
)
def test_bad_parameters(airline, params, match):
    with pytest.raises(ValueError, match=match):
        RNNForecaster(**params).fit(airline, fh=[1, 2])


def test_too_few_windows_for_the_tail_names_the_fix():
    y = pd.Series(np.arange(30.0), index=pd.period_range("2000-01", periods=30, freq="M"))
    with pytest.raises(ValueError, match="early_stopping=False"):
        RNNForecaster(window_length=21, max_iter=2).fit(y, fh=np.arange(1, 10))


# ----------------------------------------------------------------------
# The core's record of its start
@pytest.mark.parametrize("gain_z, kept", [(0.9, True), (1.1, False)])
def test_the_networks_need_a_gain_of_more_than_one_standard_error(monkeypatch, gain_z, kept):
    """docs/forecasting.md: on a tail of enough independent horizons the
    networks are kept where they lower its loss by more than one standard
    error of their gain per window (0.9 keeps the start, 1.1 the networks)."""
    from sklearn_rnn.sktime import _residual

    monkeypatch.setattr(_residual, "gain_in_standard_errors", lambda gains, n_eff: gain_z)
    f = RNNForecaster(hidden_size=4, max_iter=2, window_length=8, n_networks=1,
                      random_state=0, n_threads=1).fit(_sines(), fh=np.arange(1, 5))
    assert f.kept_linear_start_ is kept


def test_a_tail_of_fewer_than_100_horizons_only_widens_the_intervals():
    """Random walks whose last 30 steps are ten times quieter: the start's
    intervals are too wide on the tail, which holds 154 windows but under
    13 independent 12-step horizons, too few to narrow them (counted in
    windows, the factors were about 0.1)."""
    rng = np.random.default_rng(0)
    frames = []
    for i in range(10):
        steps = rng.normal(0, 1, 100)
        steps[-30:] *= 0.1
        index = pd.MultiIndex.from_product([[f"s{i}"], pd.RangeIndex(100)])
        frames.append(pd.DataFrame({"y": 100 + np.cumsum(steps)}, index=index))
    f = RNNForecaster(recurrent=False, window_length=12, random_state=0).fit(
        pd.concat(frames), fh=np.arange(1, 13))
    n_valid = f.n_windows_ - n_before_tail(f.n_windows_, f.validation_fraction)
    assert n_valid >= 100 and n_valid / f.horizon_ < 100
    assert np.all(f.interval_factors_ >= 1.0)


def test_intervals_are_calibrated_on_the_model_kept(monkeypatch, capsys):
    """Where the networks are kept, the tail's conformal factors are those
    of their quantiles (whose validation loss fit prints), not the start's."""
    from sklearn_rnn.sktime import _residual

    seen = {}
    factors = _residual.conformal_factors

    def spy(quantiles, targets, levels, narrow=True):
        seen["loss"] = float(np.mean(_residual.pinball(quantiles, targets, levels)))
        return factors(quantiles, targets, levels, narrow=narrow)

    monkeypatch.setattr(_residual, "conformal_factors", spy)
    monkeypatch.setattr(_residual, "TAIL_GAIN_Z", -np.inf)  # keep the networks
    f = RNNForecaster(hidden_size=4, max_iter=2, window_length=8, n_networks=1,
                      random_state=0, n_threads=1, verbose=1).fit(_sines(), fh=np.arange(1, 5))
    assert not f.kept_linear_start_
    out = capsys.readouterr().out
    assert f"with the recurrent networks {seen['loss']:.5f} (" in out
    assert f"linear start {seen['loss']:.5f}," not in out


def test_each_network_s_seed_is_drawn_from_random_state(airline):
    """The first network has random_state itself, the others seeds drawn
    from it: another random_state gives the others other seeds."""
    y = airline
    params = dict(n_networks=3, hidden_size=4, max_iter=1, n_threads=1)
    seeds = {rs: [r.random_state for r in RNNForecaster(random_state=rs, **params)
                  .fit(y, fh=[1, 2]).regressors_] for rs in (1, 2)}
    assert seeds[1][0] == 1 and seeds[2][0] == 2
    assert not set(seeds[1][1:]) & set(seeds[2][1:])
    again = RNNForecaster(random_state=1, **params).fit(y, fh=[1, 2]).regressors_
    assert [r.random_state for r in again] == seeds[1]


@pytest.mark.parametrize("n_series, batch_size", [(20, 347), (30, 400)])
def test_batch_size_auto_takes_an_eighth_of_a_panels_windows_up_to_400(n_series, batch_size):
    """Past the core's 200 (an ensemble on a panel's many windows stays
    affordable), up to AUTO_BATCH_MAX: 2,780 windows take 347, 4,170 take 400."""
    panel = _sines()
    more = panel.rename(index=lambda key: f"t{key}", level=0).loc[[f"ts{i}" for i in range(10)]]
    panel = pd.concat([panel, more]).iloc[: n_series * 150]
    f = RNNForecaster(hidden_size=2, max_iter=1, window_length=8, n_networks=1,
                      random_state=0, n_threads=1, quantiles=None).fit(panel, fh=np.arange(1, 5))
    assert f.n_windows_ == n_series * 139
    assert f.regressor_.batch_size == batch_size


@pytest.mark.parametrize("n_values, used", [(11, False), (12, True)])
def test_the_direct_form_needs_more_windows_than_its_coefficients_per_step(n_values, used):
    """A window of 3 steps and an intercept: 4 coefficients per step. 11
    values with fh=[1, 2] give 4 training windows whose horizons end before
    the first validation target, as many as the coefficients, too few; 12
    give 5."""
    rng = np.random.default_rng(0)
    y = pd.Series(10 + rng.normal(size=n_values).cumsum(),
                  index=pd.period_range("1970", periods=n_values, freq="Y"))
    f = RNNForecaster(recurrent=False, window_length=3).fit(y, fh=[1, 2])
    assert (f.linear_weights_["direct"] > 0) is used
    assert (f.linear_coef_["direct"] is not None) is used


def test_a_multivariate_panels_start_intervals_follow_each_variables_noise():
    """Random walks of two variables, one loud and one quiet, which swap
    from series to series: at every step of the horizon each variable's
    interval follows that variable's own noise in its series (read with
    another variable's, some were 300 wide, others as narrow as the
    quiet one's)."""
    rng = np.random.default_rng(0)
    frames, loud = [], []
    for i in range(8):
        noise = {"a": 5.0, "b": 0.2} if i % 2 else {"a": 0.2, "b": 5.0}
        index = pd.MultiIndex.from_product([[f"s{i}"], pd.RangeIndex(80)])
        frames.append(pd.DataFrame({k: 100 + rng.normal(0, s, 80).cumsum()
                                    for k, s in noise.items()}, index=index))
        loud.append("a" if i % 2 else "b")
    f = RNNForecaster(recurrent=False, window_length=8, random_state=0).fit(
        pd.concat(frames), fh=np.arange(1, 5))
    interval = f.predict_interval(coverage=0.8)
    width = interval.xs("upper", axis=1, level=-1) - interval.xs("lower", axis=1, level=-1)
    width.columns = width.columns.get_level_values(0)
    for i, name in enumerate(loud):
        series = width.loc[f"s{i}"]
        quiet = "b" if name == "a" else "a"
        assert np.all(series[name] > 5 * series[quiet])
        assert np.all(series[name] < 60)


def test_a_window_flat_against_its_own_level_takes_its_series_scale():
    """A window at 1e6, above its series' scale (5e5, a series that rose to
    it), whose spread (0.007) is below 1e-8 of its level: float rounding,
    not a scale; it takes the series' scale, as a constant window does."""
    from sklearn_rnn.sktime._panel import _location_scale

    window = (1e6 + 0.014 * (np.arange(8) % 2))[None, :, None]
    loc, scale = _location_scale(window, "standard", np.array([5e5]))
    assert loc[0, 0] == pytest.approx(1e6)
    assert scale[0, 0] == 5e5
    # a spread above 1e-8 of the level is the window's own
    loc, scale = _location_scale(window * 1.0 + 0.02 * (np.arange(8) % 2)[None, :, None],
                                 "standard", np.array([5e5]))
    assert scale[0, 0] == pytest.approx(0.017)


@pytest.mark.parametrize("n", [9, 12, 100])
def test_conformal_factors_take_the_split_conformal_rank(n):
    """The factor of the 80 % interval is the ceil((n + 1) * 0.8)-th smallest
    of the n scores (the split-conformal quantile, its guarantee of coverage),
    not the next one; n = 9 makes (n + 1) * 0.8 a whole number."""
    levels = np.array([0.1, 0.5, 0.9])
    scores = np.random.default_rng(0).permutation(np.arange(1.0, n + 1))
    targets = (scores * np.where(np.arange(n) % 2, 1, -1))[:, None]  # both sides
    quantiles = np.broadcast_to(np.array([-1.0, 0.0, 1.0]), (n, 1, 3))
    factor = conformal_factors(quantiles, targets, levels)[0]
    k = int(np.ceil((n + 1) * 0.8))
    assert factor == k


@pytest.mark.parametrize("length", [12, 13])
def test_the_one_step_start_shrinks_to_the_seasonal_naive_forecast(length):
    """Under a heavy penalty the one-step form forecasts the value one season
    back, also where the window holds exactly one season (sp == length)."""
    # a season whose steps differ (the seasonal naive is exact, its drift 0)
    y = (50 + 10 * np.sin(np.arange(120) * np.pi / 6) + np.arange(120) % 12 % 5)[:, None]
    coef = fit_linear([y], length, sp=12, ridge=1e8)
    window = y[-length:][None]
    out = iterate_linear(coef, window, 1, series_scale(y)[None])
    assert out[0, 0, 0] == pytest.approx(y[-12, 0], rel=1e-4)


def test_the_direct_start_shrinks_to_the_seasonal_naive_forecast():
    """Every step h of the direct form goes, under a heavy penalty, to the
    value of its season's step in the window (h mod sp after the window's
    last season began)."""
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(50, 6, 1))
    noise = rng.normal(size=(50, 5))
    targets = windows[:, [3, 4, 5, 3, 4], 0] + noise - noise.mean(axis=0)
    coef = fit_direct(windows, targets, sp=3, ridge=1e8)
    out = predict_direct(coef, windows[:2])
    np.testing.assert_allclose(out, windows[:2, [3, 4, 5, 3, 4], 0], atol=1e-4)


def test_a_series_noise_is_its_mean_change_over_a_season():
    """docs/forecasting.md: the noise-to-level ratio is a series' mean
    absolute change over a season over its mean absolute value; with
    "none" the change alone; with "standard" 1."""
    t = np.arange(48)
    y = (100 + np.tile([0.0, 5.0, -3.0, 1.0], 12) + 0.5 * t)[:, None]
    ratio = noise_ratios([y], 4, "last")
    np.testing.assert_allclose(ratio, [[2.0 / np.abs(y).mean()]])
    np.testing.assert_allclose(noise_ratios([y], 4, "none"), [[2.0]])
    np.testing.assert_array_equal(noise_ratios([y, 3 * y], 4, "standard"), np.ones((2, 1)))


def test_conformal_factors_read_each_target_against_the_width_of_its_side():
    """A skewed interval, 1 below the median and 4 above, with targets
    spread over each side as far as it reaches: it covers them as it is
    (read against the other side's width, the factor was about 2.6)."""
    rng = np.random.default_rng(0)
    levels = np.array([0.1, 0.5, 0.9])
    below, above = -rng.uniform(0, 1, 200), rng.uniform(0, 4, 200)
    targets = np.concatenate([below, above])[:, None]
    quantiles = np.broadcast_to(np.array([-1.0, 0.0, 4.0]), (400, 1, 3))
    factors = conformal_factors(quantiles, targets, levels)
    assert 0.8 < factors[0] <= 1.0 and factors[2] == factors[0]


def test_regressor_records_what_training_did_to_the_start(capsys):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 12))
    y = X[:, -3:].sum(axis=1) + 0.05 * rng.normal(size=300)
    reg = LSTMRegressor(hidden_size=8, max_iter=5, random_state=0, verbose=1).fit(X, y)
    start = reg.initial_validation_loss_
    assert start is not None and reg.training_improvement_ is not None
    best = min([start] + [r["valid_loss"] for r in reg.history_])
    assert reg.training_improvement_ == pytest.approx(1 - best / start)
    kept = reg.best_epoch_ == 0
    assert (reg.training_improvement_ == 0) == kept
    out = capsys.readouterr().out
    if kept:
        assert "the predictions are that linear model's" in out
    else:
        assert (f"Training lowered the validation loss of the linear "
                f"least-squares start by {100 * reg.training_improvement_:.1f} %") in out


def test_no_record_without_early_stopping():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(50, 6))
    reg = LSTMRegressor(hidden_size=4, max_iter=2, early_stopping=False, random_state=0)
    reg.fit(X, X[:, -1])
    assert reg.initial_validation_loss_ is None
    assert reg.training_improvement_ is None


def test_classifier_records_the_improvement_on_its_random_start(capsys):
    from sklearn_rnn import SequenceClassifier

    rng = np.random.RandomState(0)
    X = rng.normal(size=(300, 8))
    y = np.where(X[:, -2:].sum(axis=1) > 0, "up", "down")
    # The recurrent network alone, from its random start (the default's ridge
    # start on random convolutions already fits this toy problem).
    clf = SequenceClassifier(hidden_size=8, max_iter=5, early_stopping=True,
                             random_biases=0, learning_rate="constant",
                             learning_rate_init=1e-3, random_state=0, verbose=1)
    clf.fit(X, y)
    assert clf.best_epoch_ > 0  # a random start is beaten
    best = min(r["valid_loss"] for r in clf.history_)
    assert clf.training_improvement_ == pytest.approx(1 - best / clf.initial_validation_loss_)
    assert clf.training_improvement_ > 0
    out = capsys.readouterr().out
    assert (f"Training lowered the validation loss of the starting weights by "
            f"{100 * clf.training_improvement_:.1f} %") in out
