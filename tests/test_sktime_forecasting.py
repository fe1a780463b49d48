"""sktime integration of the regressors and RNNForecaster."""

import copy
import sys
import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sklearn.base import clone  # noqa: E402
from sklearn.multioutput import MultiOutputRegressor  # noqa: E402
from sktime.datasets import load_airline  # noqa: E402
from sktime.forecasting.base import ForecastingHorizon  # noqa: E402
from sktime.forecasting.compose import (  # noqa: E402
    DirectReductionForecaster,
    make_reduction,
)
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402
from sktime.performance_metrics.forecasting import (  # noqa: E402
    mean_absolute_percentage_error,
)
from sktime.utils.estimator_checks import (  # noqa: E402
    check_estimator,
    parametrize_with_checks,
)

from sklearn_rnn import LSTMRegressor, SequenceRegressor  # noqa: E402
from sklearn_rnn._validation import check_sequences  # noqa: E402
from sklearn_rnn.sktime import RNNForecaster  # noqa: E402

pytestmark = [
    # sktime's own deprecation notices (the remember_data default) are not ours.
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
]

TINY = dict(hidden_size=8, max_iter=5, random_state=0)


def _networks_kept(forecaster):
    """A fitted forecaster marked as forecasting with its networks.

    ``update`` trains the networks only where the forecasts use them; on the
    short single series of the update tests the tail keeps the linear start,
    and what they test is how an update trains the networks.
    """
    forecaster.kept_linear_start_ = False
    return forecaster


@pytest.fixture(scope="module")
def airline():
    return load_airline()


def _month_features(index):
    """Two smooth exogenous columns (the month on the unit circle)."""
    month = index.month.to_numpy()
    return pd.DataFrame(
        {
            "sin": np.sin(2 * np.pi * month / 12),
            "cos": np.cos(2 * np.pi * month / 12),
        },
        index=index,
    )


# ----------------------------------------------------------------------
# The sktime the adapters need
def _import_adapters(tmp_path, fake_sktime):
    """``import sklearn_rnn.sktime`` in a fresh process, with a stand-in sktime."""
    import subprocess

    if fake_sktime is None:  # not installed
        script = "import sys; sys.modules['sktime'] = None; import sklearn_rnn.sktime"
    else:
        (tmp_path / "sktime").mkdir()
        (tmp_path / "sktime" / "__init__.py").write_text(f"__version__ = {fake_sktime!r}\n")
        script = f"import sys; sys.path.insert(0, {str(tmp_path)!r}); import sklearn_rnn.sktime"
    return subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)


def test_adapters_name_a_missing_or_old_sktime_and_the_fix(tmp_path):
    missing = _import_adapters(tmp_path, None)
    assert missing.returncode != 0
    assert "needs sktime, which is not installed" in missing.stderr
    # quoted: zsh, macOS's shell, reads the brackets as a pattern
    assert 'pip install "sklearn-rnn[sktime]"' in missing.stderr
    old = _import_adapters(tmp_path, "1.1.0")
    assert old.returncode != 0
    assert "needs sktime 1.2 or later, and sktime 1.1.0 is installed" in old.stderr
    assert "pip install --upgrade 'sktime>=1.2'" in old.stderr


def test_minimum_sktime_is_the_extras_bound(pyproject):
    # (tests/test_declared_bounds.py: the bound is the release make test-oldest runs)
    from sklearn_rnn.sktime import _MIN_SKTIME

    extras = pyproject["optional-dependencies"]
    bounds = {req for reqs in extras.values() for req in reqs if req.startswith("sktime")}
    assert bounds == {f"sktime>={_MIN_SKTIME}"}


# ----------------------------------------------------------------------
# sktime's API conformance suite
@parametrize_with_checks(RNNForecaster)
def test_sktime_api_conformance(obj, test_name):
    check_estimator(obj, tests_to_run=test_name, raise_exceptions=True)


# ----------------------------------------------------------------------
# make_reduction with the plain regressors
class _SpyRegressor(LSTMRegressor):
    """LSTMRegressor that keeps what make_reduction passes to fit."""

    def fit(self, X, y):
        self.X_seen_ = np.asarray(X)
        return super().fit(X, y)


def test_make_reduction_column_order_is_channels_first():
    # make_reduction flattens each window variable-major: all lags of y
    # (oldest first), then all lags of each X column, in X's column order.
    # flat_layout="channels_first" with n_channels=1 + n_exog undoes it.
    n, L = 12, 3
    y = pd.Series(np.arange(n, dtype=float))
    X = pd.DataFrame({"a": 100.0 + np.arange(n), "b": 200.0 + np.arange(n)})
    reg = _SpyRegressor(n_channels=3, flat_layout="channels_first", **TINY)
    forecaster = make_reduction(reg, window_length=L, strategy="recursive")
    forecaster.fit(y, X=X, fh=[1])
    fitted = forecaster.estimator_
    flat = fitted.X_seen_
    assert flat.dtype == np.float64
    assert flat.shape == (n - L, 3 * L)

    windows = check_sequences(fitted, flat, reset=False).values
    z = np.column_stack([y, X])  # (n, n_vars): y first, then X's columns
    expected = np.stack([z[i : i + L] for i in range(n - L)])
    np.testing.assert_array_equal(windows, expected)
    assert fitted.n_channels_in_ == 3 and fitted.n_timesteps_in_ == L

    # the other layout would interleave variables within a time step
    other = clone(fitted).set_params(flat_layout="channels_last")
    wrong = check_sequences(other, flat, reset=True).values
    assert not np.array_equal(wrong, expected)


@pytest.mark.parametrize("strategy", ["recursive", "direct", "multioutput"])
@pytest.mark.parametrize("with_X", [False, True], ids=["no-X", "X"])
def test_make_reduction_strategies_on_airline(airline, strategy, with_X):
    y_train, y_test = airline[:-6], airline[-6:]
    X = _month_features(airline.index) if with_X else None
    X_train = None if X is None else X.iloc[:-6]
    X_test = None if X is None else X.iloc[-6:]
    n_channels = 1 if X is None else 1 + X.shape[1]
    reg = LSTMRegressor(n_channels=n_channels, flat_layout="channels_first", **TINY)
    fh = np.arange(1, 7)
    forecaster = make_reduction(reg, window_length=12, strategy=strategy)
    forecaster.fit(y_train, X=X_train, fh=fh)
    y_pred = forecaster.predict(X=X_test)

    assert y_pred.index.equals(y_test.index)
    assert np.isfinite(y_pred.to_numpy()).all()
    if strategy == "direct":
        # sktime's direct strategy is one model per step, by definition
        assert len(forecaster.estimators_) == len(fh)
        assert all(type(e) is LSTMRegressor for e in forecaster.estimators_)
    else:
        fitted = forecaster.estimator_
        assert type(fitted) is LSTMRegressor
        assert fitted.n_channels_in_ == n_channels
        assert fitted.n_outputs_ == (len(fh) if strategy == "multioutput" else 1)


def test_direct_reduction_forecaster_fits_one_network(airline, built_networks):
    # DirectReductionForecaster wraps regressors without the multi_output
    # tag in MultiOutputRegressor (one model per step); ours have it.
    reg = LSTMRegressor(**TINY)
    forecaster = DirectReductionForecaster(
        reg, window_length=12, X_treatment="shifted", windows_identical=True
    )
    forecaster.fit(airline[:-6], fh=np.arange(1, 7))
    assert type(forecaster.estimator_) is LSTMRegressor
    assert not isinstance(forecaster.estimator_, MultiOutputRegressor)
    assert forecaster.estimator_.n_outputs_ == 6
    assert len(built_networks) == 1
    assert forecaster.predict().shape == (6,)


# ----------------------------------------------------------------------
# RNNForecaster
def test_get_test_params_has_two_fast_sets():
    params = RNNForecaster.get_test_params()
    assert len(params) >= 2
    for p in params:
        RNNForecaster(**p)
        assert p["max_iter"] <= 5 and p["hidden_size"] <= 8


@pytest.mark.slow
def test_airline_beats_naive(airline):
    # The last 36 months held out, one 36-step forecast.
    y_train, y_test = airline[:-36], airline[-36:]
    fh = np.arange(1, 37)
    forecaster = RNNForecaster(random_state=0)
    y_pred = forecaster.fit(y_train, fh=fh).predict()
    mape = mean_absolute_percentage_error(y_test, y_pred)
    naive = NaiveForecaster(strategy="last").fit(y_train).predict(fh)
    mape_naive = mean_absolute_percentage_error(y_test, naive)
    assert mape < mape_naive
    assert mape < 0.2


def test_quantiles_monotone_and_interval_shape(airline):
    forecaster = RNNForecaster(window_length=12, **TINY)
    forecaster.fit(airline[:-12], fh=np.arange(1, 13))
    alpha = [0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95]
    q = forecaster.predict_quantiles(alpha=alpha)
    assert q.shape == (12, len(alpha))
    assert list(q.columns.get_level_values(1)) == alpha
    assert (np.diff(q.to_numpy(), axis=1) >= 0).all()
    # the point forecast is the median
    np.testing.assert_allclose(q.iloc[:, 3], forecaster.predict())

    interval = forecaster.predict_interval(coverage=[0.5, 0.9])
    assert interval.shape == (12, 4)
    lower_90 = interval[(airline.name, 0.9, "lower")]
    upper_90 = interval[(airline.name, 0.9, "upper")]
    lower_50 = interval[(airline.name, 0.5, "lower")]
    assert (lower_90 <= lower_50).all() and (lower_90 <= upper_90).all()

    with pytest.raises(ValueError, match="outside the levels"):
        forecaster.predict_quantiles(alpha=[0.01])
    # an interval's levels are named as the user would write them
    with pytest.raises(ValueError, match=r"\[0\.005, 0\.995\] lie outside .* coverage c"):
        forecaster.predict_interval(coverage=0.99)


def test_levels_at_the_ends_of_the_trained_range_are_not_extrapolated(airline):
    # levels outside the trained ones get the nearest end (predict_quantiles
    # refuses them, but takes levels within a rounding error of the ends, as
    # (1 - c) / 2 = 0.04999999999999999 for c = 0.9): never a line extended
    # beyond the trained levels
    from sklearn_rnn.sktime._panel import _interpolate_levels

    values = np.array([1.0, 2.0, 3.0])
    np.testing.assert_array_equal(
        _interpolate_levels(values, (0.1, 0.5, 0.9), [0.01, 0.3, 0.99]), [1.0, 1.5, 3.0])
    forecaster = RNNForecaster(window_length=12, recurrent=False).fit(airline, fh=[1, 2])
    lo, hi = forecaster.quantile_levels_[0], forecaster.quantile_levels_[-1]
    q = forecaster.predict_quantiles(alpha=[lo - 5e-13, lo, hi, hi + 5e-13]).to_numpy()
    np.testing.assert_array_equal(q[:, 0], q[:, 1])
    np.testing.assert_array_equal(q[:, 3], q[:, 2])


def test_without_quantiles_no_intervals(airline):
    forecaster = RNNForecaster(window_length=12, quantiles=None, **TINY)
    forecaster.fit(airline, fh=[1, 2, 3])
    assert forecaster.predict().shape == (3,)
    assert not forecaster.get_tag("capability:pred_int")
    with pytest.raises(NotImplementedError):
        forecaster.predict_interval()


def test_levels_on_one_side_of_the_median_give_no_intervals(airline):
    # read as fit reads them: a scalar, a 2D list, a string of a number
    for quantiles in ([0.5], [0.5, 0.9], (0.1, 0.3), 0.9, [[0.6, 0.9]], "0.7"):
        assert not RNNForecaster(quantiles=quantiles).get_tag("capability:pred_int")
    assert RNNForecaster(quantiles=[0.25, 0.5, 0.75]).get_tag("capability:pred_int")
    RNNForecaster(quantiles=[10**400])  # an sktime constructor never raises
    forecaster = RNNForecaster(window_length=12, quantiles=[0.1, 0.5, 0.6], recurrent=False)
    forecaster.fit(airline, fh=[1, 2])
    with pytest.raises(ValueError, match="predict_var and predict_proba read the quartiles"):
        forecaster.predict_var()


def _panel(airline, factors=(1.0, 0.5, 3.0)):
    frames = []
    for i, factor in enumerate(factors):
        frames.append(
            pd.DataFrame(
                {"y": airline.to_numpy() * factor},
                index=pd.MultiIndex.from_product(
                    [[f"s{i}"], airline.index], names=["series", "time"]
                ),
            )
        )
    return pd.concat(frames)


def test_series_keys_rank_as_they_sort():
    from sklearn_rnn.sktime._panel import key_ranks

    # keys that sort as numbers rank as numbers (a panel given sorted keeps
    # its order, as before the ranks); mixed types fall back to their repr
    assert key_ranks([(2,), (10,), (1,)]).tolist() == [1, 2, 0]
    assert key_ranks([(-1,), (-3,)]).tolist() == [1, 0]
    assert sorted(key_ranks([("a",), (1,), (None,)]).tolist()) == [0, 1, 2]


def test_the_order_of_a_panel_s_series_changes_nothing():
    # 7 random walks of 50 months: the validation tail (ceil(0.2 n) windows)
    # is not whole ages, and ties of age went by the input's order
    rng = np.random.default_rng(0)
    index = pd.period_range("2000-01", periods=50, freq="M")
    data = {f"s{i}": pd.DataFrame({"v": 50 + np.cumsum(rng.normal(size=50)) * (1 + i)},
                                  index=index) for i in range(7)}
    panel, reordered = (pd.concat({k: data[k] for k in keys}, names=["i", "t"])
                        for keys in (list(data), list(data)[::-1]))
    for params in (dict(recurrent=False), dict(n_networks=1, hidden_size=4, max_iter=3)):
        fits = [RNNForecaster(window_length=6, random_state=0, **params).fit(p, fh=[1, 2, 3])
                for p in (panel, reordered)]
        assert fits[0].linear_weights_ == pytest.approx(fits[1].linear_weights_, rel=1e-9)
        first, second = (f.predict_interval(coverage=0.8).sort_index() for f in fits)
        np.testing.assert_allclose(first.to_numpy(), second.to_numpy(), rtol=1e-9)


def test_panel_trains_one_global_network(airline, built_networks):
    y = _panel(airline)
    forecaster = RNNForecaster(window_length=12, window_normalization="last", **TINY)
    forecaster.fit(y, fh=[1, 2, 3])
    assert len(built_networks) == forecaster.n_networks  # global, not per series
    assert not forecaster._is_vectorized
    assert isinstance(forecaster.regressor_, SequenceRegressor)
    assert forecaster.n_series_ == 3
    per_series = len(airline) - 12 - 3 + 1
    assert forecaster.n_windows_ == 3 * per_series

    y_pred = forecaster.predict()
    assert y_pred.index.get_level_values(0).unique().tolist() == ["s0", "s1", "s2"]
    assert y_pred.shape == (9, 1)
    expected_times = pd.period_range("1961-01", periods=3, freq="M")
    for key in ["s0", "s1", "s2"]:
        assert y_pred.loc[key].index.equals(expected_times)
    # the per-window normalisation makes a scaled copy forecast to scale
    s0 = y_pred.loc["s0", "y"].to_numpy()
    np.testing.assert_allclose(y_pred.loc["s2", "y"].to_numpy(), 3 * s0, rtol=1e-4)
    assert forecaster.predict_interval().shape == (9, 2)


@pytest.mark.parametrize("levels", [(3,), (2, 2)], ids=["panel", "hierarchical"])
def test_panel_and_hierarchy_with_exogenous_one_network(built_networks, levels):
    from sktime.utils._testing.hierarchical import _make_hierarchical

    y = _make_hierarchical(
        hierarchy_levels=levels, min_timepoints=30, max_timepoints=30, random_state=0
    )
    X = _make_hierarchical(
        hierarchy_levels=levels,
        min_timepoints=33,
        max_timepoints=33,
        n_columns=2,
        random_state=1,
    )
    instance_levels = list(range(len(levels)))
    X_train = X.groupby(level=instance_levels).head(30)
    X_future = X.groupby(level=instance_levels).tail(3)
    forecaster = RNNForecaster(window_length=5, **TINY)
    forecaster.fit(y, X=X_train, fh=[1, 2, 3])
    assert len(built_networks) == forecaster.n_networks  # global, not per series
    assert forecaster.n_series_ == int(np.prod(levels))
    y_pred = forecaster.predict(X=X_future)
    assert y_pred.index.equals(X_future.index)
    assert np.isfinite(y_pred.to_numpy()).all()
    assert forecaster.predict_quantiles(X=X_future, alpha=[0.1]).shape == (
        len(X_future),
        1,
    )


def test_short_series_in_panel_forecast_from_shorter_window(airline):
    # the second series has only 8 observations: too short to train on with
    # window_length=12, still forecast from what it has
    y = _panel(airline, factors=(1.0, 2.0))
    y = pd.concat([y.loc[["s0"]], y.loc[["s1"]].iloc[-8:]])
    forecaster = RNNForecaster(window_length=12, **TINY)
    forecaster.fit(y, fh=[1, 2])
    assert forecaster.n_windows_ == len(airline) - 12 - 2 + 1
    y_pred = forecaster.predict()
    assert y_pred.shape == (4, 1)
    assert np.isfinite(y_pred.to_numpy()).all()


def test_absolute_and_relative_fh_agree(airline):
    y_train = airline[:-12]
    fh_rel = ForecastingHorizon(np.arange(1, 13))
    fh_abs = fh_rel.to_absolute(y_train.index[-1:])
    pred_rel = RNNForecaster(window_length=12, **TINY).fit(y_train, fh=fh_rel).predict()
    forecaster = RNNForecaster(window_length=12, **TINY).fit(y_train, fh=fh_abs)
    pred_abs = forecaster.predict()
    pd.testing.assert_series_equal(pred_rel, pred_abs)
    assert forecaster.horizon_ == 12

    # once the cutoff passes part of an absolute fh, sktime refuses it
    forecaster.update(airline[-12:-9], update_params=False)
    with pytest.raises(NotImplementedError, match="in-sample"):
        forecaster.predict()


def test_fh_refused_by_own_checks_before_sktimes(airline):
    # sktime's in-sample check ran first and failed with a bare AssertionError
    # (dates on periods) or named no times ("in sample index: None")
    forecaster = RNNForecaster(window_length=12, **TINY).fit(airline[:120], fh=[1, 2, 3])
    with pytest.raises(TypeError, match=r"fh is a DatetimeIndex, but y's time index is a "
                                        r"PeriodIndex: .*\.to_period\('M'\)"):
        forecaster.predict(fh=pd.DatetimeIndex(["1959-01-01", "1959-02-01"]))
    # month-start dates, the usual monthly timestamps: sktime's check raised
    # pandas' "Frequencies from two sources do not coincide" first
    with pytest.raises(TypeError, match=r"fh is a DatetimeIndex, but y's time index"):
        forecaster.predict(fh=pd.date_range("1959-01-01", periods=2, freq="MS"))
    # periods of another frequency: sktime's frequency check is a bare assert
    with pytest.raises(ValueError, match=r"fh is a PeriodIndex of frequency 'Q-DEC', but "
                                         r"y's time index has frequency 'M'.*\.asfreq\('M'\)"):
        forecaster.predict(fh=pd.PeriodIndex(["1959Q2"], freq="Q"))
    fh = pd.period_range("1959-04", periods=3, freq="M")
    forecaster = RNNForecaster(window_length=12, **TINY).fit(airline[:120], fh=fh)
    forecaster.update(airline[120:124], update_params=False)
    with pytest.raises(NotImplementedError, match=r"in-sample prediction: .* asks for steps "
                                                  r"\[0, 1, 2\] \(the cutoff is 1959-04\)"):
        forecaster.predict()


def test_absolute_fh_in_fit_on_series_ending_apart():
    # the panel's cutoff had no frequency: sktime's check of the fh raised
    # pandas' "You must pass a freq argument"
    from sktime.utils._testing.hierarchical import _make_hierarchical

    y = _make_hierarchical(hierarchy_levels=(3,), min_timepoints=30, max_timepoints=40,
                           same_cutoff=False, random_state=0)
    fh = pd.date_range("2000-02-10", periods=2, freq="D")
    forecaster = RNNForecaster(window_length=3, **TINY).fit(y, fh=fh)
    ends = y.reset_index(level=-1).groupby(level=0)["time"].max()
    assert forecaster.horizon_ == (fh[-1] - ends.min()).days
    y_pred = forecaster.predict()
    assert y_pred.shape == (6, 1)
    assert list(y_pred.index.get_level_values(-1)) == list(fh) * 3


def test_reconciler_needing_in_sample_residuals_is_told():
    from sktime.forecasting.reconcile import ReconcilerForecaster
    from sktime.transformations.hierarchical.aggregate import Aggregator
    from sktime.utils._testing.hierarchical import _make_hierarchical

    y = Aggregator().fit_transform(_make_hierarchical(
        hierarchy_levels=(2, 2), min_timepoints=20, max_timepoints=20, random_state=0))
    reconciler = ReconcilerForecaster(RNNForecaster(window_length=3, **TINY),
                                      method="mint_shrink")
    with pytest.raises(NotImplementedError, match="in-sample prediction.*Inside "
                                                  "ReconcilerForecaster, use method 'ols', "
                                                  "'wls_str' or 'bu'.*in-sample residuals"):
        reconciler.fit(y, fh=[1, 2])


def test_absolute_fh_after_update_uses_earlier_steps(airline):
    # trained for steps 1..6; after 3 more observations the absolute fh is
    # steps 1..3 from the new cutoff, which the network also predicts
    y_train = airline[:-12]
    fh = ForecastingHorizon(airline.index[-9:-6], is_relative=False)
    forecaster = RNNForecaster(window_length=12, **TINY).fit(y_train, fh=fh)
    assert forecaster.horizon_ == 6
    far = forecaster.predict()
    forecaster.update(airline[-12:-9], update_params=False)
    near = forecaster.predict()
    assert near.index.equals(fh.to_pandas()) and far.index.equals(near.index)
    assert not np.allclose(near, far)


def test_beyond_horizon_guard():
    forecaster = RNNForecaster(window_length=3, **TINY)
    forecaster.fit(pd.Series(np.arange(20.0)), fh=[1, 2])
    with pytest.raises(ValueError, match="steps 1 to 2"):
        forecaster._predict(ForecastingHorizon([1, 3]), None)


def test_a_refused_fh_is_not_kept():
    # sktime stores a predict's fh before _predict checks it: after one fh
    # beyond the horizon, every later predict() failed on steps nobody asked for
    forecaster = RNNForecaster(window_length=3, **TINY)
    forecaster.fit(pd.Series(np.arange(20.0)), fh=[1, 2])
    expected = forecaster.predict()
    for method in (forecaster.predict, forecaster.predict_interval):
        with pytest.raises(ValueError, match=r"steps 1 to 2 .* asks for steps \[1, 2, 3\]"):
            method(fh=[1, 2, 3])
    pd.testing.assert_series_equal(forecaster.predict(), expected)
    assert forecaster.predict_interval().shape == (2, 2)
    # a panel whose series end at different times: each from its own cutoff
    index = pd.MultiIndex.from_tuples([("a", t) for t in range(30)] + [("b", t) for t in range(27)])
    panel = pd.DataFrame({"v": np.r_[np.sin(np.arange(30) / 3), np.cos(np.arange(27) / 3)]},
                         index=index)
    forecaster = RNNForecaster(window_length=3, **TINY).fit(panel, fh=[1, 2])
    expected = forecaster.predict()
    with pytest.raises(ValueError, match=r"asks for steps \[4, 5\]"):  # series b's steps
        forecaster.predict(fh=ForecastingHorizon([30, 31], is_relative=False))
    pd.testing.assert_frame_equal(forecaster.predict(), expected)


def test_too_short_series_raises():
    forecaster = RNNForecaster(window_length=10, **TINY)
    with pytest.raises(ValueError, match="at least window_length"):
        forecaster.fit(pd.Series(np.arange(12.0)), fh=[1, 2, 3])


@pytest.mark.parametrize("effect, reader", [
    (lambda x: 3.0 * x, "start"), (lambda x: 3.0 * np.abs(x), "networks"),
], ids=["linear", "nonlinear"])
def test_future_exogenous_values_are_used(effect, reader):
    # y is a function of the same-time exogenous value, which is
    # unpredictable from the past: only the future X can explain it. A
    # linear effect is the linear start's regression on X; one it cannot
    # express is learned by the networks, which read X too.
    rng = np.random.RandomState(0)
    n = 400
    x = rng.normal(size=n + 3)
    X = pd.DataFrame({"x": x})
    y = pd.Series(10.0 + effect(x[:n]))
    forecaster = RNNForecaster(
        window_length=4,
        window_normalization="none",
        quantiles=None,
        hidden_size=16,
        max_iter=60,
        learning_rate_init=0.01,
        random_state=0,
    )
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message="Exogenous X did not inform")
        forecaster.fit(y, X=X.iloc[:n], fh=[1, 2, 3])
    if reader == "start":
        assert forecaster.exog_coef_ is not None
        start = RNNForecaster(window_length=4, window_normalization="none", quantiles=None,
                              recurrent=False).fit(y, X=X.iloc[:n], fh=[1, 2, 3])
        np.testing.assert_allclose(start.predict(X=X.iloc[n:]), 10.0 + effect(x[n:]),
                                   atol=1e-6)
    else:
        assert forecaster.exog_coef_ is None  # |x| is not linear in x
        assert not forecaster.kept_linear_start_
    y_pred = forecaster.predict(X=X.iloc[n:])
    np.testing.assert_allclose(y_pred.to_numpy(), 10.0 + effect(x[n:]), atol=0.5)

    with pytest.raises(ValueError, match="needs X"):
        forecaster.predict()
    with pytest.raises(ValueError, match="every one of the 3 steps"):
        forecaster.predict(X=X.iloc[n : n + 3].iloc[:0])
    # sktime's evaluate with fh=[3] passes the training rows and step 3's:
    # X is regular, and the message names cv_X (it said X was not equally spaced)
    with pytest.raises(ValueError, match="but X has 1 of them.*pass cv_X"):
        forecaster.predict(X=pd.concat([X.iloc[:n], X.iloc[[n + 2]]]))


@pytest.mark.parametrize("params, why", [
    ({}, "the networks were not kept"), ({"recurrent": False}, "recurrent=False"),
])
def test_exogenous_data_the_forecasts_ignore_is_announced(airline, params, why):
    # only the networks read X: where the start is kept, X changes nothing
    X = _month_features(airline.index)
    forecaster = RNNForecaster(**{**TINY, **params})
    with pytest.warns(UserWarning, match=f"Exogenous X did not inform these forecasts: {why}"):
        forecaster.fit(airline[:-3], X=X[:-3], fh=[1, 2, 3])
    assert forecaster.kept_linear_start_
    other_X = X[-3:] * 0 + 5.0
    np.testing.assert_allclose(forecaster.predict(X=X[-3:]), forecaster.predict(X=other_X))


def test_exogenous_columns_must_match_those_of_fit(airline):
    """The network reads X's columns by position: predict and update with
    other columns, or the same in another order, raise a ValueError that
    names them (before, a missing column gave NumPy's concatenation error,
    and a reordered X was read silently)."""
    X = _month_features(airline.index)
    forecaster = RNNForecaster(window_length=12, recurrent=False, random_state=0)
    forecaster.fit(airline[:-3], X=X[:-3], fh=[1, 2, 3])
    with pytest.raises(ValueError, match=r"missing: \['cos'\]"):
        forecaster.predict(X=X[-3:][["sin"]])
    with pytest.raises(ValueError, match="in another order"):
        forecaster.predict(X=X[-3:][["cos", "sin"]])
    with pytest.raises(ValueError, match=r"update has columns .*not seen in fit: \['tan'\]"):
        forecaster.update(airline[-3:], X=X[-3:].assign(tan=0.0), update_params=False)
    assert forecaster.predict(X=X[-3:]).shape == (3,)


def test_panel_exogenous_data_must_cover_every_series_of_y(airline):
    """On a panel, sktime does not check that X covers y: a series without
    X failed in NumPy's concatenation and X lacking some of a series' times
    in a pandas KeyError, in fit and in update. The ValueError names the
    series, how many times X lacks and the first; for the totals sktime's
    Aggregator adds to y (not to X), it says to aggregate X too."""
    from sktime.transformations.hierarchical.aggregate import Aggregator

    y = pd.concat({"a": airline, "b": airline * 2}, names=["id", "t"]).to_frame("y")
    X = pd.concat({"a": _month_features(airline.index),
                   "b": _month_features(airline.index)}, names=["id", "t"])
    params = dict(window_length=12, recurrent=False, random_state=0)
    with pytest.raises(ValueError, match=r"fit needs exogenous X at every time of y, but X "
                                         r"has 0 of the 144 times of series \('b',\): it "
                                         r"lacks 144, the first at 1949-01\. Pass X"):
        RNNForecaster(**params).fit(y, X=X.drop(index="b", level=0), fh=[1, 2])
    late = X.drop(index=[("a", t) for t in airline.index[:5]])
    with pytest.raises(ValueError, match=r"has 139 of the 144 times of series \('a',\): "
                                         r"it lacks 5, the first at 1949-01\."):
        RNNForecaster(**params).fit(y, X=late, fh=[1, 2])
    forecaster = RNNForecaster(**params).fit(y.groupby(level=0).head(140),
                                             X=X.groupby(level=0).head(140), fh=[1, 2])
    new_X = X.groupby(level=0).tail(4)
    with pytest.raises(ValueError, match=r"update needs exogenous X .* of series \('b',\)"):
        forecaster.update(y.groupby(level=0).tail(4), X=new_X.drop(index="b", level=0),
                          update_params=False)
    forecaster.update(y.groupby(level=0).tail(4), X=new_X, update_params=False)

    totals = Aggregator().fit_transform(
        pd.concat({"a": y.loc["a"], "b": y.loc["b"]}, names=["id", "t"]))
    with pytest.raises(ValueError, match=r"series \('__total',\).*aggregate X too"):
        RNNForecaster(**params).fit(totals, X=X, fh=[1, 2])


def test_infinite_exogenous_values_are_refused(airline):
    """sktime refuses NaN in X for RNNForecaster, not inf: fit failed in the
    exogenous regression's least squares (LinAlgError) and predict gave NaN
    forecasts. fit, update and predict name the column, series and time."""
    X = _month_features(airline.index)
    bad = X.copy()
    bad.iloc[[20, 30], 1] = [np.inf, -np.inf]
    bad.iloc[-1, 0] = -np.inf
    params = dict(window_length=12, recurrent=False, random_state=0)
    with pytest.raises(ValueError, match=r"X passed to fit holds inf in column 'cos' at "
                                         r"1950-09 \(2 non-finite value"):
        RNNForecaster(**params).fit(airline[:-3], X=bad[:-3], fh=[1, 2, 3])
    forecaster = RNNForecaster(**params).fit(airline[:-3], X=X[:-3], fh=[1, 2, 3])
    with pytest.raises(ValueError, match=r"X passed to predict holds -inf in column 'sin' "
                                         r"at 1960-12"):
        forecaster.predict(X=bad[-3:])
    with pytest.raises(ValueError, match=r"X passed to predict holds -inf"):
        forecaster.predict_interval(X=bad[-3:])
    with pytest.raises(ValueError, match=r"X passed to update holds -inf in column 'sin' "
                                         r"at 1960-12"):
        forecaster.update(airline[-3:], X=bad[-3:], update_params=False)
    assert np.isfinite(forecaster.predict(X=X[-3:])).all()

    y = pd.concat({"a": airline, "b": airline * 2}, names=["id", "t"]).to_frame("y")
    panel_X = pd.concat({"a": X, "b": bad}, names=["id", "t"])
    with pytest.raises(ValueError, match=r"column 'cos' of series \('b',\) at 1950-09"):
        RNNForecaster(**params).fit(y, X=panel_X, fh=[1, 2])


def test_a_time_index_with_a_gap_is_refused(airline):
    """The model reads consecutive steps: a missing month would shift every
    season before it (a PeriodIndex with a gap was read so), and with a
    DatetimeIndex predict failed in sktime with a TypeError. fit, update
    and predict's X now name the first irregular step."""
    params = dict(window_length=12, recurrent=False, random_state=0)
    gapped = airline.drop(airline.index[50])
    with pytest.raises(ValueError, match="y is not equally spaced .a step from 1953-02 to 1953-04"):
        RNNForecaster(**params).fit(gapped, fh=[1, 2, 3])
    dates = airline.to_timestamp()
    with pytest.raises(ValueError, match="1953-03-01 00:00:00 is missing from its MS calendar"):
        RNNForecaster(**params).fit(dates.drop(dates.index[50]), fh=[1, 2, 3])
    # business days without a frequency: the holiday is named, not a weekend
    days = pd.bdate_range("2020-01-01", periods=len(airline)).drop(pd.Timestamp("2020-05-25"))
    prices = pd.Series(airline.to_numpy()[: len(days)], index=pd.DatetimeIndex(list(days)))
    with pytest.raises(ValueError, match="2020-05-25 00:00:00 is missing from its B calendar"):
        RNNForecaster(**params).fit(prices, fh=[1, 2, 3])
    both = pd.concat({"a": airline, "b": gapped}, names=["id", "t"]).to_frame("y")
    with pytest.raises(ValueError, match=r"y of series \('b',\) is not equally spaced"):
        RNNForecaster(**params).fit(both, fh=[1, 2, 3])

    forecaster = RNNForecaster(**params).fit(airline[:-12], fh=[1, 2, 3])
    before = forecaster.predict()
    with pytest.raises(ValueError, match="a step from 1959-12 to 1960-02"):
        forecaster.update(airline[-11:], update_params=False)  # January skipped
    pd.testing.assert_series_equal(forecaster.predict(), before)

    X = _month_features(airline.index)
    forecaster = RNNForecaster(**params).fit(airline[:-4], X=X[:-4], fh=[1, 2, 3])
    with pytest.raises(ValueError, match="X.s rows after the cutoff are at"):
        forecaster.predict(X=X[-4:].drop(X.index[-3]))


def test_a_time_point_held_twice_is_refused(airline):
    """A repeated time point (data delivered again and appended) crashed the
    DatetimeIndex check with a bare IndexError, and a PeriodIndex was told
    to fill a gap: both now name the time point and say to keep one row."""
    params = dict(window_length=12, recurrent=False, random_state=0)
    dates = airline.to_timestamp()
    for y, when in ((pd.concat([dates, dates[-1:]]), "1960-12-01 00:00:00"),
                    (pd.concat([airline, airline[-1:]]), "1960-12")):
        with pytest.raises(ValueError, match=f"y holds {when} more than once.*Keep one "
                                             r"row per time point .*duplicated\(keep='last'\)"):
            RNNForecaster(**params).fit(y, fh=[1, 2, 3])
    both = pd.concat({"a": airline, "b": pd.concat([airline[:2], airline[1:]])},
                     names=["id", "t"]).to_frame("y")
    with pytest.raises(ValueError, match=r"y of series \('b',\) holds 1949-02 more than once"):
        RNNForecaster(**params).fit(both, fh=[1, 2, 3])


def test_short_series_messages_advise_what_is_left_to_change(airline):
    """A window of one step cannot get shorter: the messages advised a smaller
    window_length (or 'auto') when it was already 'auto', resolved to 1."""
    params = dict(n_networks=1, max_iter=2, sp=1, random_state=0)
    with pytest.raises(ValueError, match=r"the longest series has 3\. Use a shorter fh\.$"):
        RNNForecaster(**params).fit(airline[:3], fh=[1, 2, 3])
    with pytest.raises(ValueError, match=r"1 training window\(s\).*Set early_stopping=False, "
                                         r"or use a shorter fh or a longer series\.$"):
        RNNForecaster(**params).fit(airline[:4], fh=[1, 2, 3])
    with pytest.raises(ValueError, match=r"Set early_stopping=False, or use a smaller "
                                         r"window_length \(or 'auto'\), a shorter fh"):
        RNNForecaster(window_length=3, **params).fit(airline[:6], fh=[1, 2, 3])
    with pytest.raises(ValueError, match=r"Use a smaller window_length or a shorter fh\.$"):
        RNNForecaster(window_length=3, **params).fit(airline[:5], fh=[1, 2, 3])
    # the advice works: without a validation tail the 4 values forecast
    forecaster = RNNForecaster(early_stopping=False, **params).fit(airline[:4], fh=[1, 2, 3])
    assert np.all(np.isfinite(forecaster.predict().to_numpy()))


def test_update_moves_window_and_optionally_trains(airline):
    forecaster = RNNForecaster(window_length=12, update_epochs=3, **TINY)
    _networks_kept(forecaster.fit(airline[:-12], fh=[1, 2, 3]))
    n_iter = forecaster.regressor_.n_iter_
    weights = forecaster.regressor_.module_.head.weight.detach().clone()
    before = forecaster.predict()

    forecaster.update(airline[-12:-6], update_params=False)
    after = forecaster.predict()
    assert after.index[0] == airline.index[-6]
    assert forecaster.regressor_.n_iter_ == n_iter
    assert np.array_equal(forecaster.regressor_.module_.head.weight.detach(), weights)
    assert not after.index.equals(before.index)

    forecaster.update(airline[-6:], update_params=True)
    assert forecaster.regressor_.n_iter_ == n_iter + 3
    assert forecaster.regressor_.max_iter == TINY["max_iter"]
    assert forecaster.predict().index[0] == pd.Period("1961-01", freq="M")


@pytest.mark.parametrize("update_params", [False, True])
def test_update_predict_single_answers_in_the_type_of_y(airline, update_params):
    # sktime's default called the public update and predict on the inner
    # DataFrame: a Series came back as a DataFrame, where predict and
    # NaiveForecaster give a Series (review s35 rvA F3)
    forecaster = RNNForecaster(window_length=12, update_epochs=2, **TINY)
    forecaster.fit(airline[:-12], fh=[1, 2, 3])
    expected = copy.deepcopy(forecaster).update(airline[-12:-6], update_params=update_params)
    pred = forecaster.update_predict_single(airline[-12:-6], update_params=update_params)
    pd.testing.assert_series_equal(pred, expected.predict())
    assert forecaster.cutoff.equals(expected.cutoff)
    frame = forecaster.update_predict_single(airline[-6:].to_frame())
    assert isinstance(frame, pd.DataFrame)
    # a refused call leaves the cutoff where it was, as update does (review
    # s35 rvC 4: it moved to the refused data's end, the data held did not)
    cutoff, before = forecaster.cutoff, forecaster.predict()
    gap = airline[-3:].copy()
    gap.index = gap.index + 12
    with pytest.raises(ValueError, match="not equally spaced"):
        forecaster.update_predict_single(gap)
    assert forecaster.cutoff.equals(cutoff)
    assert forecaster.predict().equals(before)


def test_an_infinite_y_is_refused_by_fit_and_update(airline):
    # update took it, and every later forecast was NaN, a clean update after
    # it too (review s35 rvC 2); fit refused it in a windowing helper's words
    bad = airline.copy()
    bad.iloc[110] = np.inf
    params = dict(window_length=12, recurrent=False, random_state=0)
    message = r"y passed to {} holds inf in column .* at 1958-03 \(1 non-finite"
    with pytest.raises(ValueError, match=message.format("fit")):
        RNNForecaster(**params).fit(bad, fh=[1, 2])
    forecaster = RNNForecaster(**params).fit(airline[:100], fh=[1, 2])
    before = forecaster.predict()
    with pytest.raises(ValueError, match=message.format("update")):
        forecaster.update(bad[100:], update_params=False)
    pd.testing.assert_series_equal(forecaster.predict(), before)


def test_a_panel_of_two_frequencies_is_refused():
    # a weekly series beside a daily one got forecasts a day apart, with the
    # daily season, silently (review s35 rvC 1; NaiveForecaster refuses it)
    rng = np.random.RandomState(0)
    daily = pd.Series(10 + rng.normal(size=60), pd.date_range("2020-01-01", periods=60))
    weekly = pd.Series(20 + rng.normal(size=60),
                       pd.date_range("2020-01-05", periods=60, freq="W-SUN"))
    y = pd.concat({"daily": daily, "weekly": weekly}, names=["id", "t"]).to_frame("v")
    params = dict(window_length=8, recurrent=False, random_state=0)
    with pytest.raises(ValueError, match=r"different frequencies: D \(series \('daily',\)\) "
                                         r"and W-SUN \(series \('weekly',\)\)"):
        RNNForecaster(**params).fit(y, fh=[1, 2])
    # names of one grid pass: a quarterly series with its freq and one
    # whose freq pandas infers as QS-OCT
    quarters = pd.date_range("2010-01-01", periods=40, freq="QS")
    a = pd.Series(np.arange(40.0) + rng.normal(size=40), quarters)
    b = pd.Series(2 * a.to_numpy(), pd.DatetimeIndex(list(quarters)))
    y = pd.concat({"a": a, "b": b}, names=["id", "t"]).to_frame("v")
    pred = RNNForecaster(**params).fit(y, fh=[1, 2]).predict()
    assert list(pred.loc["b"].index) == list(pd.date_range("2020-01-01", periods=2, freq="QS"))


@pytest.mark.parametrize("tz", [None, "Europe/Berlin"])
# quarters ending in March as an offset: pandas before 2.2 names them Q-MAR
@pytest.mark.parametrize("freq", ["QS", pd.offsets.QuarterEnd(startingMonth=3), "7D"],
                         ids=["QS", "QE-MAR", "7D"])
def test_update_with_dates_whose_freq_pandas_names_otherwise(freq, tz):
    # an update's index without freq: the joined data's cutoff was inferred
    # as QS-OCT / QE-DEC / W-FRI, which sktime's horizon refused, so every
    # later predict raised (NaiveForecaster kept forecasting); the time zone
    # stays (a first fix stamped naive UTC times)
    index = pd.date_range("2021-01-01", periods=50, freq=freq, tz=tz)
    y = pd.Series(50 + np.cumsum(np.random.RandomState(0).normal(size=50)), index=index)
    new = y.iloc[45:46].copy()
    new.index.freq = None
    expected = NaiveForecaster().fit(y[:45], fh=[1, 2]).update(new, update_params=False)
    forecaster = RNNForecaster(window_length=4, n_networks=1, **TINY).fit(y[:45], fh=[1, 2])
    forecaster.update(new, update_params=False)
    assert forecaster.predict().index.equals(expected.predict().index)


def test_a_fixed_freq_pandas_cannot_infer_is_equally_spaced():
    index = pd.date_range("2020-01-01", periods=48, freq="SMS")  # semi-month starts
    y = pd.Series(np.sin(np.arange(48.0)) + 5, index=index)
    forecaster = RNNForecaster(window_length=4, n_networks=1, recurrent=False, **TINY)
    expected = NaiveForecaster().fit(y, fh=[1, 2]).predict().index
    assert forecaster.fit(y, fh=[1, 2]).predict().index.equals(expected)


def test_a_refused_update_leaves_the_cutoff_and_forecasts_as_they_were(airline):
    forecaster = RNNForecaster(window_length=12, recurrent=False).fit(airline[:100], fh=[1, 2])
    before, cutoff = forecaster.predict(), forecaster.cutoff
    with pytest.raises(ValueError, match="not equally spaced"):
        forecaster.update(airline[102:104], update_params=False)  # two months skipped
    assert forecaster.cutoff.equals(cutoff)
    pd.testing.assert_series_equal(forecaster.predict(), before)
    forecaster.update(airline[100:102], update_params=False)
    assert forecaster.predict().index[0] == airline.index[102]



def test_an_update_trains_no_network_the_forecasts_do_not_use(airline):
    """On a short single series the tail keeps the linear start: training
    its networks on every update (30 times the time of update_params=False
    in a review) changed no forecast."""
    forecaster = RNNForecaster(window_length=12, update_epochs=3, **TINY)
    forecaster.fit(airline[:-12], fh=[1, 2, 3])
    assert forecaster.kept_linear_start_
    moved = RNNForecaster(window_length=12, update_epochs=3, **TINY)
    moved.fit(airline[:-12], fh=[1, 2, 3]).update(airline[-12:-6], update_params=False)
    n_iter = forecaster.regressor_.n_iter_
    head = forecaster.regressor_.module_.head.weight.detach().clone()
    forecaster.update(airline[-12:-6], update_params=True)
    assert forecaster.regressor_.n_iter_ == n_iter
    assert np.array_equal(forecaster.regressor_.module_.head.weight.detach(), head)
    pd.testing.assert_frame_equal(forecaster.predict_quantiles(alpha=[0.1, 0.9]),
                                  moved.predict_quantiles(alpha=[0.1, 0.9]))


def test_an_update_that_fails_leaves_every_network_as_it_was(airline, monkeypatch):
    # where the second network's update failed (diverged), the first stayed
    # trained on the data the update refused
    forecaster = RNNForecaster(window_length=12, update_epochs=3, n_networks=2, **TINY)
    _networks_kept(forecaster.fit(airline[:-12], fh=[1, 2, 3]))
    heads = [r.module_.head.weight.detach().numpy().copy() for r in forecaster.regressors_]
    fit, calls = SequenceRegressor.fit, []

    def second_fails(self, *args, **kwargs):
        calls.append(self)
        if len(calls) == 2:
            raise ValueError("the second network diverged")
        return fit(self, *args, **kwargs)

    monkeypatch.setattr(SequenceRegressor, "fit", second_fails)
    with pytest.raises(ValueError, match="the second network diverged"):
        forecaster.update(airline[-12:])
    for regressor, head in zip(forecaster.regressors_, heads):
        np.testing.assert_array_equal(regressor.module_.head.weight.detach().numpy(), head)
    assert calls[0].n_iter_ > forecaster.regressors_[0].n_iter_  # the copy had trained
    monkeypatch.setattr(SequenceRegressor, "fit", fit)
    forecaster.update(airline[-12:])
    assert forecaster.regressor_ is forecaster.regressors_[0]
    assert not np.array_equal(forecaster.regressor_.module_.head.weight.detach().numpy(), heads[0])


def test_update_takes_a_renamed_series_and_refuses_other_variables(airline, monkeypatch):
    """sktime joined update's y on the union of the columns: a renamed series
    became a second, NaN column (predict failed), a multivariate y updated
    with some of its columns forecast NaN."""
    sales = airline.rename("sales")
    params = dict(window_length=12, update_epochs=1, **TINY)
    named = RNNForecaster(**params).fit(sales[:-12], fh=[1, 2])
    named.update(sales[-12:-6])
    renamed = RNNForecaster(**params).fit(sales[:-12], fh=[1, 2])
    renamed.update(sales[-12:-6].rename("units"))  # as NaiveForecaster, fit's series
    pd.testing.assert_series_equal(renamed.predict(), named.predict().rename("units"))
    assert renamed.predict_quantiles(alpha=[0.1]).columns.equals(  # its new name
        pd.MultiIndex.from_tuples([("units", 0.1)]))
    # refused (a gap), it keeps its name: sktime renames its store in place
    with pytest.raises(ValueError, match="not equally spaced"):
        renamed.update(sales[-3:].rename("other"))
    assert renamed.predict().name == "units"

    y = pd.DataFrame({"a": airline.to_numpy(), "b": airline.to_numpy()[::-1].copy()},
                     index=airline.index)
    forecaster = _networks_kept(RNNForecaster(**params).fit(y[:-12], fh=[1, 2]))
    before, cutoff = forecaster.predict(), forecaster.cutoff
    for other in (y[-12:-6][["a"]], y[-12:-6].set_axis(["a", "c"], axis=1)):
        with pytest.raises(ValueError, match=r"fitted on y with columns \['a', 'b'\]"):
            forecaster.update(other)
        assert forecaster.cutoff.equals(cutoff)
        pd.testing.assert_frame_equal(forecaster.predict(), before)

    # an update failing after its checks (here in training) is undone too
    def fail(*args):
        raise RuntimeError("training failed")

    monkeypatch.setattr("sklearn_rnn.sktime._forecasting.update_networks", fail)
    with pytest.raises(RuntimeError, match="training failed"):
        forecaster.update(y[-12:-6])
    assert forecaster.cutoff.equals(cutoff)
    pd.testing.assert_frame_equal(forecaster.predict(), before)


def test_update_with_older_data_forecasts_from_the_moved_cutoff(airline):
    """Revised older values move sktime's cutoff back: the forecasts start
    there, as NaiveForecaster's do, where they were labelled past the end held."""
    revised = airline[90:95] + 1.0
    params = dict(window_length=12, recurrent=False)
    forecaster = RNNForecaster(**params).fit(airline[:100], fh=[1, 2])
    forecaster.update(revised, update_params=False)
    naive = NaiveForecaster().fit(airline[:100], fh=[1, 2])
    naive.update(revised, update_params=False)
    assert forecaster.cutoff.equals(naive.cutoff)
    assert forecaster.predict().index.equals(naive.predict().index)
    # the observations after the moved cutoff are still held
    forecaster.update(airline[100:102], update_params=False)
    at_once = RNNForecaster(**params).fit(airline[:100], fh=[1, 2])
    at_once.update(pd.concat([revised, airline[95:102]]), update_params=False)
    pd.testing.assert_series_equal(forecaster.predict(), at_once.predict())


def test_intervals_without_width_are_announced():
    """5 monthly observations give 2 windows for fh=3: 1 before the validation
    tail, whose single error gave every quantile level the same value."""
    index = pd.period_range("2000-01", periods=7, freq="M")
    y = pd.Series([10.2, 12.9, 11.1, 9.4, 10.8, 12.5, 11.0], index=index)
    with pytest.warns(UserWarning, match=r"intervals have no width.*at least 7 obs"):
        forecaster = RNNForecaster(**TINY).fit(y[:5], fh=[1, 2, 3])
    interval = forecaster.predict_interval(coverage=0.9).to_numpy()
    np.testing.assert_allclose(interval[:, 0], interval[:, 1])
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*no width", category=UserWarning)
        RNNForecaster(**TINY).fit(y, fh=[1, 2, 3])


def test_median_only_quantiles_neither_warn_nor_refuse_the_median(airline):
    # quantiles=(0.5,) warned that the start's errors "are all equal", and
    # refused predict_quantiles of its one trained level
    with warnings.catch_warnings():
        warnings.filterwarnings("error", message=".*no width", category=UserWarning)
        forecaster = RNNForecaster(quantiles=(0.5,), recurrent=False, **TINY)
        forecaster.fit(airline, fh=[1, 2])
    median = forecaster.predict_quantiles(alpha=[0.5])
    np.testing.assert_allclose(median.to_numpy()[:, 0], forecaster.predict().to_numpy())
    for alpha in ([0.4, 0.5], None):
        with pytest.raises(NotImplementedError, match="no level on each side"):
            forecaster.predict_quantiles(alpha=alpha)


def _instance(key, values, start="1949-01"):
    times = pd.period_range(start, periods=len(values), freq="M")
    return pd.DataFrame({"y": values}, index=pd.MultiIndex.from_product([[key], times]))


def test_update_keeps_each_series_parameters_whatever_the_order(airline):
    # fit on series not sorted by instance: sktime's update sorts them, and the
    # Theta form's per-series parameters must follow the series, not positions
    values = {"b": airline.to_numpy(), "a": np.sqrt(airline.to_numpy())[::-1].copy()}
    full = {k: _instance(k, v) for k, v in values.items()}
    params = dict(window_length=12, recurrent=False)
    unsorted = RNNForecaster(**params).fit(
        pd.concat([full["b"][:-12], full["a"][:-12]]), fh=[1, 2, 3])
    ordered = RNNForecaster(**params).fit(
        pd.concat([full["a"][:-12], full["b"][:-12]]), fh=[1, 2, 3])
    assert unsorted.linear_weights_["theta"] > 0.01
    for forecaster, keys in ((unsorted, "ba"), (ordered, "ab")):
        forecaster.update(pd.concat([full[k][-12:-6] for k in keys]), update_params=False)
    pd.testing.assert_frame_equal(unsorted.predict().sort_index(),
                                  ordered.predict().sort_index(), rtol=1e-6)


def test_a_series_fit_did_not_see_is_refused(airline):
    y = pd.concat([_instance("a", airline.to_numpy()[:-12]),
                   _instance("b", airline.to_numpy()[:-12] / 2)])
    forecaster = RNNForecaster(window_length=12, recurrent=False).fit(y, fh=[1, 2])
    with pytest.raises(ValueError, match=r"update got series \[\('c',\)\] that fit did not see"):
        forecaster.update(_instance("c", airline.to_numpy()[-12:], start="1960-01"),
                          update_params=False)
    assert forecaster.predict().shape == (4, 1)


def test_sp_auto_on_a_panel_whose_series_leave_a_gap_between_them():
    # the pooled times of series 2000-2002 and 2010-2012 have no frequency;
    # each series' own times give the period
    rng = np.random.default_rng(0)
    parts = []
    for key, start in (("a", "2000-01-01"), ("b", "2010-01-01")):
        times = pd.date_range(start, periods=36, freq="MS")
        parts.append(pd.DataFrame(
            {"y": 100 + 10 * np.sin(np.arange(36) * np.pi / 6) + rng.normal(size=36)},
            index=pd.MultiIndex.from_product([[key], times])))
    forecaster = RNNForecaster(recurrent=False).fit(pd.concat(parts), fh=[1, 2])
    assert forecaster.seasonal_period_ == 12


def test_sp_auto_on_a_panel_reads_its_longest_series():
    # three business days, Monday to Wednesday, look daily (7); the long series is
    # business-daily (5)
    from sklearn_rnn.sktime._linear_start import seasonal_period

    index = pd.MultiIndex.from_tuples(
        [("a", t) for t in pd.bdate_range("2024-01-01", periods=3)]
        + [("b", t) for t in pd.bdate_range("2024-01-01", periods=60)])
    assert seasonal_period(index) == 5


def test_sp_auto_falls_back_to_no_season_on_less_than_two_seasons(airline):
    """sp="auto" read 12 from a monthly index whatever the length: on fewer
    than two seasons the seasonal ARMA form read the missing "last season"
    as copies of the series' first value. Where the longest series holds
    fewer than two seasons, the period is 1, with a warning; two seasons
    (shampoo's 24 training months in the benchmark) keep it."""
    short = airline[:10]
    with pytest.warns(UserWarning, match=r"reads a season of 12 steps from the time index, "
                                         r"but the longest series has 10 time points, fewer "
                                         r"than two seasons \(24\).*it uses sp=1, no season\. "
                                         r"Pass sp=1 to silence this warning"):
        auto = RNNForecaster(recurrent=False).fit(short, fh=[1, 2, 3])
    assert auto.seasonal_period_ == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        one = RNNForecaster(recurrent=False, sp=1).fit(short, fh=[1, 2, 3])
        assert RNNForecaster(recurrent=False).fit(
            airline[:24], fh=[1, 2, 3]).seasonal_period_ == 12
    pd.testing.assert_series_equal(auto.predict(), one.predict())
    # a panel: its longest series
    panel = pd.concat({"a": airline[:10], "b": airline[:30]}, names=["id", "t"]).to_frame("y")
    with warnings.catch_warnings():
        warnings.simplefilter("error", UserWarning)
        assert RNNForecaster(recurrent=False).fit(
            panel, fh=[1, 2]).seasonal_period_ == 12


def test_multivariate_y(airline):
    y = pd.DataFrame({"a": airline.to_numpy(), "b": airline.to_numpy()[::-1].copy()},
                     index=airline.index)
    forecaster = RNNForecaster(window_length=12, **TINY).fit(y, fh=[1, 2])
    assert forecaster.predict().shape == (2, 2)
    assert forecaster.predict_quantiles(alpha=[0.1, 0.9]).shape == (2, 4)
    # one network with outputs for 2 variables x 2 steps x 7 levels
    assert forecaster.regressor_.module_.head.out_features == 2 * 2 * 7


@pytest.mark.parametrize(
    "params, match",
    [
        ({"cell": "rnn"}, "cell"),
        ({"window_length": 0}, "window_length"),
        ({"window_normalization": "minmax"}, "window_normalization"),
        ({"quantiles": [0.0, 0.5]}, "quantiles"),
        ({"update_epochs": -1}, "update_epochs"),
    ],
)
def test_invalid_params(airline, params, match):
    with pytest.raises(ValueError, match=match):
        RNNForecaster(**params).fit(airline, fh=[1])


@pytest.mark.parametrize("quantiles", [[0.0, 0.9], [0.1, 1.0]])
def test_quantile_levels_0_and_1_are_refused(airline, quantiles):
    # 0 and 1 are the levels of no finite quantile; recurrent=False: no
    # network whose own check of its quantiles would refuse them instead
    with pytest.raises(ValueError, match=r"quantiles must be a non-empty list of levels "
                                         r"strictly between 0 and 1, or None; got \["):
        RNNForecaster(quantiles=quantiles, recurrent=False).fit(airline, fh=[1])


@pytest.mark.parametrize(
    "params, name",
    [
        # fitted on an empty validation tail without a word
        ({"validation_fraction": -0.5, "recurrent": False}, "validation_fraction"),
        # "too few windows", with advice that did not fix it
        ({"validation_fraction": 0.0}, "validation_fraction"),
        ({"validation_fraction": 1.5, "recurrent": False}, "validation_fraction"),
        # accepted where no network is fitted, else named SequenceRegressor
        ({"hidden_size": 0, "recurrent": False}, "hidden_size"),
        ({"n_threads": 0, "recurrent": False}, "n_threads"),
        ({"hidden_size": 0}, "hidden_size"),
        ({"tol": -1.0}, "tol"),
        ({"cell": "rnn"}, "cell"),
        ({"early_stopping": "yes"}, "early_stopping"),
    ],
)
def test_network_params_are_checked_in_the_forecasters_name(airline, params, name):
    forecaster = RNNForecaster(n_networks=1, **params)
    with pytest.raises(ValueError, match=f"The '{name}' parameter of RNNForecaster must be"):
        forecaster.fit(airline, fh=[1, 2])
    assert not hasattr(forecaster, "linear_coef_")  # before anything is fitted


def test_normalization_is_a_deprecated_alias_of_window_normalization(airline):
    params = dict(window_length=12, quantiles=None, **TINY)
    new = RNNForecaster(window_normalization="mean", **params).fit(airline, fh=[1, 2])
    with pytest.warns(FutureWarning, match="renamed window_normalization"):
        old = RNNForecaster(normalization="mean", **params).fit(airline, fh=[1, 2])
    assert old.window_normalization_ == new.window_normalization_ == "mean"
    pd.testing.assert_series_equal(old.predict(), new.predict())


def test_parameter_checks_and_sp_set_no_fitted_attribute(airline):
    # _check_params set window_normalization_ before its last checks, and
    # _resolve_window_length set seasonal_period_: _fit assigns both
    forecaster = RNNForecaster(max_horizon=0)
    with pytest.raises(ValueError, match="max_horizon must be a positive integer"):
        forecaster.fit(airline, fh=[1])
    assert not hasattr(forecaster, "window_normalization_")
    forecaster = RNNForecaster(window_normalization="mean", window_length=24)
    assert forecaster._check_params() == "mean"
    forecaster._cur_y = airline.to_frame()
    assert forecaster._resolve_seasonal_period() == 12
    assert forecaster._resolve_window_length([], 12) == 24
    assert not hasattr(forecaster, "window_normalization_")
    assert not hasattr(forecaster, "seasonal_period_")


def test_fitted_params_list_no_deprecated_alias(airline):
    forecaster = RNNForecaster(**TINY, n_networks=1).fit(airline, fh=[1, 2, 3])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        params = forecaster.get_fitted_params()
    assert "regressor__n_channels_in" in params
    assert "regressor__input_size" not in params
    assert not [w for w in caught if "input_size_" in str(w.message)]


def test_construction_is_quiet_and_tags_name_this_project():
    import warnings as _warnings

    with _warnings.catch_warnings(record=True) as caught:
        _warnings.simplefilter("always")
        forecaster = RNNForecaster()
    assert not [w for w in caught if issubclass(w.category, FutureWarning)]
    assert forecaster.get_config()["remember_data"] is False
    assert forecaster.get_tag("maintainers") == ["sklearn_rnn developers"]
    assert forecaster.get_tag("authors") == ["sklearn_rnn developers"]


def test_predict_any_horizon_within_the_trained_one():
    from sktime.datasets import load_airline

    y = load_airline()
    forecaster = RNNForecaster(window_length=12, **TINY).fit(y, fh=np.arange(1, 13))
    full = forecaster.predict(fh=np.arange(1, 13))
    # A shorter and a shuffled subset of the trained steps: the same values.
    np.testing.assert_allclose(forecaster.predict(fh=np.arange(1, 7)), full[:6])
    np.testing.assert_allclose(forecaster.predict(fh=[12, 3]).sort_index(),
                               full.iloc[[2, 11]])
    # fit's fh set the steps: max_horizon would not help (it did say so)
    with pytest.raises(ValueError, match="steps 1 to 12.*Refit with an fh up to step 13: "
                                         "the fh passed to fit sets the steps trained"):
        forecaster.predict(fh=[13])


def test_max_horizon_lets_fit_go_without_fh():
    from sktime.datasets import load_airline

    y = load_airline()
    forecaster = RNNForecaster(window_length=12, max_horizon=6, **TINY).fit(y)
    assert forecaster.horizon_ == 6
    assert len(forecaster.predict(fh=[1, 2, 3])) == 3
    # An fh passed to fit sets the horizon instead.
    assert RNNForecaster(window_length=12, max_horizon=3, **TINY).fit(
        y, fh=[1, 8]).horizon_ == 8
    with pytest.raises(ValueError, match="pass fh to fit, or set max_horizon"):
        RNNForecaster(window_length=12, **TINY).fit(y)
    with pytest.raises(ValueError, match="max_horizon must be a positive integer"):
        RNNForecaster(max_horizon=0, **TINY).fit(y, fh=[1])


def test_horizon_errors_say_what_works():
    # without fh in fit, a longer max_horizon works; a wrapper's fit needs the fh
    y = load_airline()
    forecaster = RNNForecaster(window_length=12, max_horizon=6, recurrent=False).fit(y)
    with pytest.raises(ValueError, match=r"steps 1 to 6 after the cutoff, but fh asks "
                                         r"for steps \[8\]\. Refit with max_horizon=8"):
        forecaster.predict(fh=[8])
    with pytest.raises(ValueError, match=r"pass fh to the wrapper's fit, e\.g\. "
                                         r"gs\.fit\(y, fh=\[1, 2, 3\]\)"):
        RNNForecaster(window_length=12, **TINY).fit(y)


def test_absolute_fh_on_unequal_ends_names_the_series_and_its_end():
    rng = np.random.default_rng(0)
    parts = []
    for key, n in (("a", 40), ("b", 35), ("c", 30)):  # the same start, unequal ends
        times = pd.date_range("2000-01-01", periods=n, freq="D")
        parts.append(pd.DataFrame({"v": rng.normal(size=n).cumsum() + 50},
                                  index=pd.MultiIndex.from_arrays([[key] * n, times])))
    forecaster = RNNForecaster(window_length=6, recurrent=False).fit(pd.concat(parts),
                                                                      fh=[1, 2, 3])
    fh = ForecastingHorizon(pd.date_range("2000-02-10", periods=2, freq="D"),
                            is_relative=False)
    # the series ending first (c, on 2000-01-30) decides the steps needed
    with pytest.raises(ValueError, match=r"after the end of each series \(its own cutoff\), "
                                         r"but series \('c',\) ends at 2000-01-30 00:00:00, "
                                         r"so fh asks for steps \[11, 12\] of its forecast\. "
                                         r"Refit with an fh up to step 12"):
        forecaster.predict(fh=fh)


def test_timedelta_fh_counts_steps_of_the_frequency():
    # NumPy cast 1 day to 86400 (its seconds): fit asked for 86400 steps
    y = pd.Series(50 + np.random.RandomState(0).normal(size=60).cumsum(),
                  index=pd.date_range("2000-01-01", periods=60, freq="D"))
    fh = ForecastingHorizon(pd.to_timedelta([1, 2, 3], unit="D"), is_relative=True)
    expected = NaiveForecaster().fit(y, fh=fh).predict().index
    forecaster = RNNForecaster(window_length=6, recurrent=False).fit(y, fh=fh)
    assert forecaster.horizon_ == 3
    assert forecaster.predict().index.equals(expected)
    trained = RNNForecaster(window_length=6, max_horizon=3, recurrent=False).fit(y)
    assert trained.predict(fh=fh).index.equals(expected)
    np.testing.assert_allclose(trained.predict(fh=fh), trained.predict(fh=[1, 2, 3]))
    # 36 hours are no whole number of days
    half = ForecastingHorizon(pd.to_timedelta([36], unit="h"), is_relative=True)
    with pytest.raises(ValueError, match=r"fh holds time spans \(1 days 12:00:00\).*"
                                         r"they are no whole number of its steps of D\. "
                                         r"Pass fh as steps ahead"):
        trained.predict(fh=half)
    # business days have no fixed length (1 day is a whole number of nothing)
    business = pd.Series(y.to_numpy(), index=pd.bdate_range("2000-01-03", periods=60))
    with pytest.raises(ValueError, match=r"but its frequency, B, has steps of no fixed "
                                         r"length\. Pass fh as steps ahead"):
        RNNForecaster(window_length=6, recurrent=False).fit(
            business, fh=ForecastingHorizon(pd.to_timedelta([1], unit="D"), is_relative=True))


def test_quantiles_that_give_no_intervals_say_how_to_get_them(airline):
    with pytest.raises(ValueError, match="levels strictly between 0 and 1, or None; got 'auto'"):
        RNNForecaster(quantiles="auto").fit(airline, fh=[1])
    # sktime asked for an sktime issue, even at levels the networks were trained for
    for quantiles in ((0.5, 0.9), (0.5,)):
        with pytest.raises(NotImplementedError, match=r"quantiles=\(0\.5.*no level on each "
                                                      r"side of the median.*below and one "
                                                      r"above 0\.5"):
            RNNForecaster(quantiles=quantiles).predict_quantiles(alpha=[0.5])
    with pytest.raises(NotImplementedError, match="quantiles=None forecasts points only"):
        RNNForecaster(quantiles=None).predict_interval()


def test_predict_residuals_says_which_residuals_there_are(airline):
    # sktime's advice (pass the training y, or remember_data) ended in-sample
    forecaster = RNNForecaster(window_length=12, recurrent=False).fit(airline[:-12],
                                                                      fh=np.arange(1, 13))
    with pytest.raises(ValueError, match=r"e\.g\. predict_residuals\(y_test\)"):
        forecaster.predict_residuals()
    with pytest.raises(NotImplementedError, match=r"e\.g\. predict_residuals\(y_test\)"):
        forecaster.predict_residuals(airline[:-12])
    assert forecaster.predict_residuals(airline[-12:]).shape == (12,)


def test_composes_with_log_transform_grid_search_and_evaluate(airline):
    # sktime's workflows around the forecaster: a log transform in front
    # (the forecast is the exponential of the forecast of log y), a grid
    # search over its parameters on expanding windows, and evaluate.
    from sktime.forecasting.compose import TransformedTargetForecaster
    from sktime.forecasting.model_evaluation import evaluate
    from sktime.forecasting.model_selection import ForecastingGridSearchCV
    from sktime.split import ExpandingWindowSplitter
    from sktime.transformations.series.boxcox import LogTransformer

    fh = [1, 2, 3]
    piped = TransformedTargetForecaster(
        [("log", LogTransformer()), ("rnn", RNNForecaster(**TINY))]
    ).fit(airline, fh=fh)
    alone = RNNForecaster(**TINY).fit(np.log(airline), fh=fh)
    np.testing.assert_allclose(piped.predict(), np.exp(alone.predict()), rtol=1e-6)

    cv = ExpandingWindowSplitter(fh=fh, initial_window=108, step_length=12)
    search = ForecastingGridSearchCV(
        RNNForecaster(**TINY), cv, param_grid={"window_length": [12, 24]}
    ).fit(airline, fh=fh)
    assert search.best_params_["window_length"] in (12, 24)
    assert search.best_forecaster_.window_length_ == search.best_params_["window_length"]
    assert len(search.predict()) == len(fh)

    results = evaluate(RNNForecaster(**TINY), cv, airline)
    assert len(results) == cv.get_n_splits(airline)
    errors = results.filter(like="test_").iloc[:, 0]
    assert np.all(np.isfinite(errors)) and np.all(errors > 0)


@pytest.mark.parametrize("times", [
    lambda start, n: pd.period_range("2010-01", periods=n, freq="M")[start:],
    lambda start, n: pd.date_range("2020-03-20", periods=n, freq="D", tz="Europe/Berlin")[start:],
    lambda start, n: pd.DatetimeIndex(list(pd.date_range("2020-01-01", periods=n, freq="MS")))[start:],
    lambda start, n: pd.RangeIndex(0, 5 * n, 5)[start:],
], ids=["period", "tz-daily", "freq-lost", "int-step-5"])
def test_series_split_as_groupby_and_sktime_cutoffs_on_a_hierarchy_with_unequal_ends(times):
    # _split_series cuts a panel by position (a groupby, droplevel and
    # sktime's get_cutoff per series were most of a large panel's predict):
    # the same keys, values, time index (its freq) and cutoff, in the same order
    from sktime.datatypes import get_cutoff

    from sklearn_rnn.sktime._series import _split_series

    rng, parts = np.random.default_rng(0), []
    for key, start, n in ((("x", 2), 0, 9), (("x", 1), 2, 12), (("w", 1), 1, 10),
                          (("w", 3), 0, 2)):  # unequal ends, one series of 2
        t = times(start, n)
        index = pd.MultiIndex.from_arrays([[key[0]] * len(t), [key[1]] * len(t), t],
                                          names=["g", "i", "t"])
        parts.append(pd.DataFrame({"v": rng.normal(size=len(t))}, index=index))
    y = pd.concat(parts)
    series = _split_series(y, None)
    groups = list(y.groupby(level=[0, 1], sort=False))
    assert [s.key for s in series] == [key for key, _ in groups]
    for s, (key, group) in zip(series, groups):
        part = group.droplevel([0, 1])
        # the same Python types (pandas 2.0's groupby gives NumPy scalars)
        assert [type(getattr(k, "item", lambda: k)()) for k in s.key] == [
            type(getattr(k, "item", lambda: k)()) for k in key]
        np.testing.assert_array_equal(s.y, part.to_numpy())
        pd.testing.assert_index_equal(s.index, part.index, exact=True)
        assert getattr(s.index, "freq", None) == getattr(part.index, "freq", None)
        cutoff = get_cutoff(part, return_index=True)
        pd.testing.assert_index_equal(s.cutoff, cutoff, exact=True)
        assert getattr(s.cutoff, "freq", None) == getattr(cutoff, "freq", None)


def test_hierarchical_forecasts_count_from_each_series_own_end():
    rng, parts = np.random.default_rng(0), []
    for key, start, n in ((("x", 1), "2020-01-01", 40), (("x", 2), "2020-01-05", 33),
                          (("w", 1), "2020-01-03", 38)):
        t = pd.date_range(start, periods=n, freq="D")
        index = pd.MultiIndex.from_arrays([[key[0]] * n, [key[1]] * n, t],
                                          names=["g", "i", "t"])
        parts.append(pd.DataFrame({"v": 50 + rng.normal(size=n).cumsum()}, index=index))
    y = pd.concat(parts)
    forecaster = RNNForecaster(window_length=6, max_horizon=3, recurrent=False).fit(y)
    fh = [1, 3]
    ends = {("x", 1): "2020-02-09", ("x", 2): "2020-02-06", ("w", 1): "2020-02-09"}
    expected = pd.MultiIndex.from_tuples(
        [(*key, pd.Timestamp(end) + pd.Timedelta(days=h)) for key, end in ends.items()
         for h in fh], names=["g", "i", "t"])
    for y_pred in (forecaster.predict(fh=fh), forecaster.predict_interval(fh=fh),
                   forecaster.predict_quantiles(fh=fh, alpha=[0.25, 0.75])):
        assert y_pred.index.equals(expected)


def test_series_of_a_key_with_nan_are_left_out_as_groupby_leaves_them():
    # a NaN in one level of a two-level key: cut by position, its series was
    # kept but its X (split by groupby) was not, and fit failed in NumPy
    rng, parts, x_parts = np.random.default_rng(0), [], []
    times = pd.period_range("2020-01", periods=24, freq="M")
    for key in (("g", "x"), ("g", np.nan)):
        index = pd.MultiIndex.from_arrays([[key[0]] * 24, [key[1]] * 24, times],
                                          names=["g", "i", "t"])
        parts.append(pd.DataFrame({"v": 50 + rng.normal(size=24).cumsum()}, index=index))
        x_parts.append(pd.DataFrame({"x": rng.normal(size=24)}, index=index))
    y, X = pd.concat(parts), pd.concat(x_parts)
    X_future = pd.DataFrame({"x": [0.0, 0.0]}, index=pd.MultiIndex.from_arrays(
        [["g", "g"], ["x", "x"], pd.period_range("2022-01", periods=2, freq="M")],
        names=["g", "i", "t"]))
    for X_fit, X_pred in ((None, None), (X, X_future)):
        forecaster = RNNForecaster(window_length=6, recurrent=False).fit(y, X=X_fit, fh=[1, 2])
        y_pred = forecaster.predict(X=X_pred)
        assert y_pred.index.droplevel(-1).unique().tolist() == [("g", "x")]


def test_a_batch_size_above_the_windows_warns_once_in_the_forecasters_words():
    # review RV3: each network warned about "samples" and partial_fit, and
    # every update again
    y = load_airline().iloc[:60]
    forecaster = RNNForecaster(max_iter=2, hidden_size=4, random_state=0, batch_size=32)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _networks_kept(forecaster.fit(y, fh=[1, 2]))  # so that the update trains them
        forecaster.update(load_airline().iloc[60:66], update_params=True)
    texts = [str(w.message) for w in caught]
    assert not [t for t in texts if "Got `batch_size`" in t]
    clipped = [t for t in texts if "batch_size=32 is larger than" in t]
    assert clipped == ["batch_size=32 is larger than the 28 windows the networks train on "
                       "(before the validation tail); it is going to be clipped to 28."]
    assert {r.batch_size for r in forecaster.regressors_} == {28}


def test_a_batch_size_of_exactly_the_training_windows_is_not_clipped():
    # airline's first 60 months with fh=[1, 2]: 28 windows before the tail
    y = load_airline().iloc[:60]
    forecaster = RNNForecaster(max_iter=2, hidden_size=4, random_state=0, batch_size=28)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        forecaster.fit(y, fh=[1, 2])
    assert not [w for w in caught if "is larger than" in str(w.message)]
    assert {r.batch_size for r in forecaster.regressors_} == {28}


def test_sp_auto_needs_two_seasons_not_one(airline):
    """18 months: more than one season of 12, fewer than the two the Theta
    form needs to estimate it: no season, with the warning; 24 keep it."""
    with pytest.warns(UserWarning, match=r"the longest series has 18 time points, fewer "
                                         r"than two seasons \(24\)"):
        short = RNNForecaster(recurrent=False).fit(airline[:18], fh=[1, 2, 3])
    assert short.seasonal_period_ == 1
    assert RNNForecaster(recurrent=False).fit(airline[:24], fh=[1, 2, 3]).seasonal_period_ == 12


def test_window_length_auto_reads_a_panels_longest_series(airline):
    """Airline and a series of its last 30 months: two seasons, as the
    long series allows (the short one alone gives windows of 9 steps)."""
    y = pd.concat({"long": airline.to_frame(), "short": airline[-30:].to_frame()})
    f = RNNForecaster(recurrent=False).fit(y, fh=np.arange(1, 13))
    assert f.window_length_ == 24


def test_an_update_of_one_series_keeps_the_origin_another_update_moved(airline):
    """A panel: revised months of series a move its forecasts' origin back
    to their end; a later update of series b alone leaves a's origin where
    its own latest data put it (a forgot it, and forecast from its end held)."""

    def panel(**parts):
        return pd.concat({key: part.to_frame() for key, part in parts.items()})

    f = RNNForecaster(window_length=12, recurrent=False).fit(
        panel(a=airline[:100], b=2 * airline[:100]), fh=[1, 2])
    f.update(panel(a=airline[90:95] + 1.0), update_params=False)
    before = f.predict().loc["a"]
    assert before.index[0] == airline.index[95]
    f.update(panel(b=2 * airline[100:101]), update_params=False)
    after = f.predict()
    pd.testing.assert_frame_equal(after.loc["a"], before)
    assert after.loc["b"].index[0] == airline.index[101]


def test_the_median_is_added_to_quantiles_without_it(airline):
    """quantiles=(0.1, 0.9): 0.5 is trained too, and the point forecast is
    the median, the linear start's own forecast where the start is kept,
    as without quantiles (read between 0.1 and 0.9, it was not)."""
    y = airline
    f = RNNForecaster(quantiles=(0.9, 0.1), recurrent=False).fit(y, fh=[1, 2, 3])
    np.testing.assert_array_equal(f.quantile_levels_, [0.1, 0.5, 0.9])
    point = RNNForecaster(quantiles=None, recurrent=False).fit(y, fh=[1, 2, 3])
    pd.testing.assert_series_equal(f.predict(), point.predict())
    interval = f.predict_interval(coverage=0.8)
    assert np.all(interval.iloc[:, 0] < f.predict()) and np.all(f.predict() < interval.iloc[:, 1])


def test_a_panel_with_its_rows_interleaved_by_time_forecasts_as_grouped(airline):
    """Rows ordered by time, then series: each series is read in its own
    time order (an unstable sort of the series' codes mixed its times)."""
    grouped = pd.concat({"a": airline.to_frame(), "b": (2 * airline + 5).to_frame()})
    interleaved = grouped.swaplevel().sort_index().swaplevel()
    assert interleaved.index[1][0] == "b"
    params = dict(recurrent=False, window_length=12)
    pd.testing.assert_frame_equal(
        RNNForecaster(**params).fit(interleaved, fh=[1, 2]).predict(),
        RNNForecaster(**params).fit(grouped, fh=[1, 2]).predict())
