"""Tests for sklearn_rnn.windowing: exact windows, transformers, tuning workflow."""

import pickle
import subprocess
import sys
import warnings

import numpy as np
import pandas as pd
import pytest
from _checks import STRICT
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.compose import TransformedTargetRegressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import (
    mean_absolute_percentage_error,
    root_mean_squared_error,
)
from sklearn.model_selection import (
    GridSearchCV,
    RandomizedSearchCV,
    TimeSeriesSplit,
    cross_val_score,
)
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn import LSTMRegressor
from sklearn_rnn.windowing import LagWindowTransformer, WindowTrimmer, make_windows

# ----------------------------------------------------------------------------
# make_windows


def test_make_windows_univariate_exact():
    X, y = make_windows(np.arange(10.0), window_length=4)
    assert X.shape == (6, 4, 1)
    assert y.shape == (6,)
    assert_array_equal(X[:, :, 0], np.arange(4)[None, :] + np.arange(6)[:, None])
    # the target is the step right after each window
    assert_array_equal(y, X[:, -1, 0] + 1)
    assert_array_equal(y, np.arange(4, 10))


def test_make_windows_step_and_horizon():
    X, y = make_windows(np.arange(12.0), window_length=3, horizon=2, step=3)
    # (12 - 3 - 2) // 3 + 1 = 3 windows starting at 0, 3, 6
    assert_array_equal(X[:, :, 0], [[0, 1, 2], [3, 4, 5], [6, 7, 8]])
    assert_array_equal(y, [[3, 4], [6, 7], [9, 10]])


@pytest.mark.parametrize("n", [5, 6, 7, 8])
@pytest.mark.parametrize("step", [1, 2, 3])
def test_make_windows_count(n, step):
    X, y = make_windows(np.arange(float(n)), window_length=2, horizon=2, step=step)
    assert len(X) == len(y) == (n - 4) // step + 1
    # the last target never runs past the series
    assert y.max() <= n - 1


def test_make_windows_multivariate_with_exog():
    series = np.arange(20.0).reshape(10, 2)  # var a = 0, 2, 4, ...; b = 1, 3, ...
    exog = 100 + np.arange(10.0)
    X, y = make_windows(series, window_length=3, horizon=2, exog=exog)
    assert X.shape == (6, 3, 3)
    assert y.shape == (6, 4)
    # window 1 covers steps 1, 2, 3: series variables first, then exog
    assert_array_equal(X[1], [[2, 3, 101], [4, 5, 102], [6, 7, 103]])
    # targets: all horizon steps of variable a, then of variable b
    assert_array_equal(y[1], [8, 10, 9, 11])
    assert_array_equal(y[:, 0], series[3:9, 0])
    assert_array_equal(y[:, 3], series[4:10, 1])


def test_make_windows_univariate_horizon_is_2d():
    X, y = make_windows(np.arange(6.0), window_length=2, horizon=3)
    assert y.shape == (2, 3)
    assert_array_equal(y, [[2, 3, 4], [3, 4, 5]])


def test_make_windows_pandas_and_copy():
    values = np.arange(8.0)
    series = pd.Series(values, index=pd.period_range("2000-01", periods=8, freq="M"))
    X, y = make_windows(series, window_length=3)
    assert_array_equal(X[:, :, 0], make_windows(values, 3)[0][:, :, 0])
    frame = pd.DataFrame({"a": values, "b": -values})
    X, y = make_windows(frame, window_length=3, exog=pd.Series(values * 10))
    assert X.shape == (5, 3, 3) and y.shape == (5, 2)
    # X owns its memory: writing to it leaves the input alone
    X[:] = -1
    assert_array_equal(frame["a"], values)
    assert X.flags.c_contiguous and y.flags.c_contiguous


@pytest.mark.parametrize(
    "dtype, exog_dtype, expected",
    [
        (np.float32, None, np.float32),
        (np.float32, np.float32, np.float32),
        (np.float32, np.float64, np.float64),
        (np.int64, None, np.float64),
        (np.float64, np.int32, np.float64),
    ],
)
def test_make_windows_dtype(dtype, exog_dtype, expected):
    series = np.arange(10).astype(dtype)
    exog = None if exog_dtype is None else np.arange(10).astype(exog_dtype)
    X, y = make_windows(series, window_length=3, exog=exog)
    assert X.dtype == expected
    assert y.dtype == (np.float32 if dtype == np.float32 else np.float64)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"window_length": 0}, "window_length must be a positive integer, got 0"),
        ({"window_length": -2}, "window_length must be a positive integer"),
        ({"window_length": 2.0}, "window_length must be a positive integer, got 2.0"),
        ({"window_length": True}, "window_length must be a positive integer"),
        ({"window_length": 3, "horizon": 0}, "horizon must be a positive integer"),
        ({"window_length": 3, "step": 1.5}, "step must be a positive integer"),
        (
            {"window_length": 10},
            r"has 10 time points, too few for window_length=10 plus horizon=1: "
            "at least 11 are needed",
        ),
        (
            {"window_length": 8, "horizon": 3},
            "has 10 time points.*at least 11 are needed",
        ),
        ({"window_length": 3, "exog": np.arange(9.0)}, "exog has 9 time points but"),
    ],
)
def test_make_windows_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_windows(np.arange(10.0), **kwargs)


@pytest.mark.parametrize("bad", [np.nan, np.inf])
@pytest.mark.parametrize("where", ["series", "exog"])
def test_make_windows_rejects_non_finite(bad, where):
    series, exog = np.arange(10.0), np.arange(10.0)
    (series if where == "series" else exog)[4] = bad
    with pytest.raises(ValueError, match=f"Input {where} contains"):
        make_windows(series, 3, exog=exog)


def test_make_windows_rejects_3d():
    with pytest.raises(ValueError, match=r"series must have shape \(n_timepoints,\)"):
        make_windows(np.zeros((10, 2, 2)), 3)


# ----------------------------------------------------------------------------
# WindowTrimmer


def test_trimmer_univariate_2d():
    X = np.arange(12.0).reshape(2, 6)
    Xt = WindowTrimmer(window_length=2).fit_transform(X)
    assert_array_equal(Xt, [[4, 5], [10, 11]])
    assert_array_equal(WindowTrimmer().fit_transform(X), X)


@pytest.mark.parametrize("layout", ["channels_first", "channels_last"])
def test_trimmer_multichannel_matches_3d(layout):
    rng = np.random.RandomState(0)
    X3 = rng.normal(size=(5, 6, 3))
    if layout == "channels_first":
        X2 = X3.transpose(0, 2, 1).reshape(5, -1)
    else:
        X2 = X3.reshape(5, -1)
    trim = WindowTrimmer(window_length=4, n_channels=3, flat_layout=layout)
    out2 = trim.fit_transform(X2)
    out3 = clone(trim).fit_transform(X3)
    assert out3.shape == (5, 4, 3)
    assert_array_equal(out3, X3[:, 2:])
    if layout == "channels_first":
        assert_array_equal(out2, out3.transpose(0, 2, 1).reshape(5, -1))
    else:
        assert_array_equal(out2, out3.reshape(5, -1))


def test_trimmer_feature_names_and_pandas_output():
    X = pd.DataFrame(
        np.arange(12.0).reshape(2, 6),
        columns=["a0", "a1", "a2", "b0", "b1", "b2"],
        index=[10, 20],
    )
    trim = WindowTrimmer(window_length=2, n_channels=2).fit(X)
    assert_array_equal(trim.get_feature_names_out(), ["a1", "a2", "b1", "b2"])
    assert trim.n_timesteps_in_ == 3
    out = trim.set_output(transform="pandas").transform(X)
    assert isinstance(out, pd.DataFrame)
    assert list(out.columns) == ["a1", "a2", "b1", "b2"]
    assert list(out.index) == [10, 20]
    names = WindowTrimmer(2).fit(np.zeros((2, 3))).get_feature_names_out()
    assert_array_equal(names, ["x1", "x2"])


def test_trimmer_3d_feature_names_are_per_step():
    trim = WindowTrimmer(window_length=2).fit(np.zeros((4, 5, 3)))
    assert trim.n_features_in_ == 3
    assert_array_equal(trim.get_feature_names_out(), ["x0", "x1", "x2"])


def test_trimmer_keeps_nan_and_rows():
    X = LagWindowTransformer(window_length=5).fit_transform(np.arange(6.0)[:, None])
    out = WindowTrimmer(window_length=2).fit_transform(X)
    assert out.shape == (6, 2)
    assert_array_equal(out[0], [np.nan, 0.0])
    assert_array_equal(out[3], [2.0, 3.0])


def test_trimmer_3d_pipeline_with_exog_and_horizon():
    rng = np.random.RandomState(0)
    series = np.cumsum(rng.normal(size=(60, 2)), axis=0)
    X, y = make_windows(series, 8, horizon=2, exog=rng.normal(size=60))
    pipe = make_pipeline(
        WindowTrimmer(), LSTMRegressor(hidden_size=4, max_iter=2, random_state=0)
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = GridSearchCV(
            pipe, {"windowtrimmer__window_length": [3, 8]}, cv=TimeSeriesSplit(2)
        ).fit(X, y)
    assert search.predict(X[:5]).shape == (5, 4)
    lstm = search.best_estimator_[-1]
    assert lstm.n_timesteps_in_ == search.best_params_["windowtrimmer__window_length"]
    assert lstm.n_channels_in_ == 3


def test_trimmer_errors():
    with pytest.raises(ValueError, match="X has 7 columns, which is not a multiple of"):
        WindowTrimmer(n_channels=2).fit(np.zeros((3, 7)))
    with pytest.raises(ValueError, match="window_length=4 is longer than the 3 time"):
        WindowTrimmer(window_length=4, n_channels=2).fit(np.zeros((3, 6)))
    with pytest.raises(ValueError, match="window_length=6 is longer than the 5 time"):
        WindowTrimmer(window_length=6).fit(np.zeros((3, 5, 2)))
    trim = WindowTrimmer(window_length=2).fit(np.zeros((3, 6)))
    with pytest.raises(ValueError, match="fitted on 2D windows; got a 3D"):
        trim.transform(np.zeros((3, 6, 1)))
    with pytest.raises(ValueError, match="X has 5 features, but WindowTrimmer"):
        trim.transform(np.zeros((3, 5)))
    trim = WindowTrimmer(window_length=2).fit(np.zeros((3, 6, 2)))
    with pytest.raises(ValueError, match="fitted on 3D windows; got 2D"):
        trim.transform(np.zeros((3, 6)))
    with pytest.raises(ValueError, match="X has 1 channels per time step"):
        trim.transform(np.zeros((3, 6, 1)))
    with pytest.raises(ValueError, match="contains infinity"):
        WindowTrimmer().fit(np.full((2, 3), np.inf))
    with pytest.raises(ValueError, match="window_length"):
        WindowTrimmer(window_length=0).fit(np.zeros((2, 3)))


@pytest.mark.parametrize("time_axis", [1, 2])
def test_trimmer_3d_output_is_a_copy_of_the_input(time_axis):
    # writing to the trimmed windows must not change the caller's array
    X = np.arange(24.0).reshape(2, 4, 3)
    before = X.copy()
    out = WindowTrimmer(window_length=2, time_axis=time_axis).fit_transform(X)
    assert out.flags.writeable and not np.shares_memory(out, X)
    out[:] = -1.0
    assert_array_equal(X, before)


def test_trimmer_time_axis_2_trims_time_steps_of_numpy3d():
    # sktime's numpy3D panels, (n, channels, steps): time_axis=2 trims the
    # steps and keeps every channel, as time_axis=1 does for the transpose.
    rng = np.random.RandomState(0)
    P = rng.normal(size=(6, 4, 7))
    trim = WindowTrimmer(window_length=3, time_axis=2).fit(P)
    assert (trim.n_features_in_, trim.n_timesteps_in_) == (4, 7)
    out = trim.transform(P)
    assert out.shape == (6, 4, 3)
    assert_array_equal(out, P[:, :, 4:])
    assert out.flags.writeable and not np.shares_memory(out, P)
    assert_array_equal(trim.transform(P[:, :, 2:]), P[:, :, 4:])  # other lengths
    assert_array_equal(trim.get_feature_names_out(), ["x0", "x1", "x2", "x3"])
    transposed = WindowTrimmer(window_length=3).fit_transform(P.transpose(0, 2, 1))
    assert_array_equal(out, transposed.transpose(0, 2, 1))
    assert_array_equal(WindowTrimmer(time_axis=2).fit_transform(P), P)
    # 2D input ignores time_axis.
    X2 = P.reshape(6, -1)
    assert_array_equal(
        WindowTrimmer(3, n_channels=4, time_axis=2).fit_transform(X2),
        WindowTrimmer(3, n_channels=4).fit_transform(X2),
    )


def test_trimmer_time_axis_2_in_front_of_estimator_with_time_axis_2():
    rng = np.random.RandomState(0)
    P = rng.normal(size=(20, 5, 9))
    y = P[:, 0, -1]
    reg = LSTMRegressor(hidden_size=4, max_iter=2, random_state=0, time_axis=2)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe = make_pipeline(WindowTrimmer(4, time_axis=2), reg).fit(P, y)
    assert (pipe[-1].n_channels_in_, pipe[-1].n_timesteps_in_) == (5, 4)
    assert pipe.predict(P[:3]).shape == (3,)


def test_trimmers_pickled_before_time_axis_still_work():
    X3 = np.arange(24.0).reshape(2, 4, 3)
    trimmer = WindowTrimmer(2).fit(X3)
    del trimmer.time_axis, trimmer._fitted_time_axis  # as pickled before the option
    old = pickle.loads(pickle.dumps(trimmer))
    assert old.get_params()["time_axis"] == 1
    assert_array_equal(old.transform(X3), X3[:, 2:])
    assert_array_equal(clone(old).fit_transform(X3), X3[:, 2:])


def test_trimmer_time_axis_errors():
    P = np.zeros((3, 4, 7))
    with pytest.raises(ValueError, match="time_axis"):
        WindowTrimmer(time_axis=3).fit(P)
    # The default reads axis 1 as time: a numpy3D panel too short there says
    # which time_axis would read it.
    with pytest.raises(
        ValueError,
        match=r"longer than the 4 time step\(s\).*read with time_axis=1; if X is "
        r"laid out as \(n_samples, n_channels, n_timesteps\), pass time_axis=2",
    ):
        WindowTrimmer(window_length=5).fit(P)
    trim = WindowTrimmer(window_length=2, time_axis=2).fit(P)
    with pytest.raises(
        ValueError,
        match="X has 7 channels per time step, but WindowTrimmer is expecting 4 "
        "channels per time step as input. Its axis 2 has 4 entries: if those "
        "are the channels, fit and transform with time_axis=1.",
    ):
        trim.transform(np.zeros((3, 7, 4)))
    # time_axis is fixed by a fit on 3D input ...
    trim.set_params(time_axis=1)
    for method in (lambda: trim.transform(P), trim.get_feature_names_out):
        with pytest.raises(ValueError, match="fitted with time_axis=2, which says"):
            method()
    # ... and ignored after 2D input.
    X2 = np.arange(12.0).reshape(2, 6)
    trim = WindowTrimmer(window_length=2).fit(X2)
    trim.set_params(time_axis=2)
    assert_array_equal(trim.transform(X2), [[4, 5], [10, 11]])


def test_trimmer_feature_names_raise_where_transform_raises():
    X = np.arange(12.0).reshape(2, 6)
    trim = WindowTrimmer(window_length=2).fit(X)
    trim.set_params(window_length=9)
    for method in (lambda: trim.transform(X), trim.get_feature_names_out):
        with pytest.raises(
            ValueError, match=r"window_length=9 is longer than the 6 time step\(s\)"
        ):
            method()
    trim.set_params(window_length=2, n_channels=4)
    for method in (lambda: trim.transform(X), trim.get_feature_names_out):
        with pytest.raises(ValueError, match="6 columns, which is not a multiple"):
            method()
    # n_channels changed since fit: the names follow transform's columns.
    trim.set_params(n_channels=2)
    assert_array_equal(trim.transform(X), [[1, 2, 4, 5], [7, 8, 10, 11]])
    assert_array_equal(trim.get_feature_names_out(), ["x1", "x2", "x4", "x5"])
    # 3D windows of any length transform: the names are the channels.
    trim = WindowTrimmer(window_length=2).fit(np.zeros((2, 3, 2)))
    trim.set_params(window_length=5)
    assert_array_equal(trim.get_feature_names_out(), ["x0", "x1"])


# ----------------------------------------------------------------------------
# LagWindowTransformer


def test_lag_univariate_exact():
    X = np.arange(5.0)[:, None]
    out = LagWindowTransformer(window_length=3).fit_transform(X)
    expected = [
        [np.nan, np.nan, 0],
        [np.nan, 0, 1],
        [0, 1, 2],
        [1, 2, 3],
        [2, 3, 4],
    ]
    assert_array_equal(out, expected)


@pytest.mark.parametrize("layout", ["channels_first", "channels_last"])
def test_lag_rows_match_make_windows(layout):
    """Complete rows are make_windows' windows, flattened in flat_layout order."""
    rng = np.random.RandomState(0)
    table = rng.normal(size=(20, 3))
    L = 4
    out = LagWindowTransformer(L, flat_layout=layout).fit_transform(table)
    assert out.shape == (20, L * 3)  # one output row per input row
    windows, _ = make_windows(table, L)  # window i ends at row i + L - 1
    if layout == "channels_first":
        flat = windows.transpose(0, 2, 1).reshape(len(windows), -1)
    else:
        flat = windows.reshape(len(windows), -1)
    assert_array_equal(out[L - 1 : L - 1 + len(flat)], flat)
    assert np.isnan(out[: L - 1]).any(axis=1).all()
    assert not np.isnan(out[L - 1 :]).any()


def test_lag_feature_names_and_pandas_output():
    frame = pd.DataFrame(
        {"sales": [1.0, 2.0, 3.0], "price": [4.0, 5.0, 6.0]},
        index=pd.date_range("2020-01-01", periods=3),
    )
    lag = LagWindowTransformer(window_length=2).set_output(transform="pandas")
    out = lag.fit_transform(frame)
    names = ["sales_lag1", "sales_lag0", "price_lag1", "price_lag0"]
    assert list(out.columns) == names
    assert_array_equal(lag.get_feature_names_out(), names)
    assert out.index.equals(frame.index)
    assert_array_equal(out.iloc[1], [1.0, 2.0, 4.0, 5.0])
    assert np.isnan(out.iloc[0, 0])
    last = LagWindowTransformer(2, flat_layout="channels_last").fit(frame)
    assert_array_equal(
        last.get_feature_names_out(),
        ["sales_lag1", "price_lag1", "sales_lag0", "price_lag0"],
    )
    assert_array_equal(
        LagWindowTransformer(2).fit(np.zeros((3, 1))).get_feature_names_out(),
        ["x0_lag1", "x0_lag0"],
    )


def test_lag_fill_value_and_dtype():
    X = np.arange(4, dtype=np.float32)[:, None]
    out = LagWindowTransformer(3, fill_value=0.0).fit_transform(X)
    assert out.dtype == np.float32
    assert_array_equal(out[0], [0, 0, 0])
    assert_array_equal(out[1], [0, 0, 1])
    out = LagWindowTransformer(2).fit_transform(np.arange(4)[:, None])
    assert out.dtype == np.float64


@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_lag_rejects_non_finite_input(bad):
    X = np.arange(6.0).reshape(3, 2)
    X[1, 0] = bad
    with pytest.raises(ValueError, match="Input X contains"):
        LagWindowTransformer(2).fit(X)
    lag = LagWindowTransformer(2).fit(np.zeros((3, 2)))
    with pytest.raises(ValueError, match="Input X contains"):
        lag.transform(X)


# ----------------------------------------------------------------------------
# scikit-learn's estimator checks


@parametrize_with_checks(
    [
        WindowTrimmer(),
        WindowTrimmer(window_length=2),
        WindowTrimmer(window_length=1, flat_layout="channels_last"),
        LagWindowTransformer(window_length=1),
    ]
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


_ORDER_DEPENDENT = (
    "by design, row t of the output holds rows t-L+1..t of the input, so it "
    "depends on the rows before it; the check assumes independent rows"
)


@parametrize_with_checks(
    [LagWindowTransformer(), LagWindowTransformer(3, flat_layout="channels_last")],
    expected_failed_checks=lambda est: {
        "check_methods_subset_invariance": _ORDER_DEPENDENT,
        "check_methods_sample_order_invariance": _ORDER_DEPENDENT,
    },
    **STRICT,
)
def test_sklearn_compatible_lag_windows(estimator, check):
    """Every check passes for real windows but the two row-independence ones."""
    check(estimator)


def test_lag_is_order_dependent_by_design():
    X = np.arange(6.0)[:, None]
    lag = LagWindowTransformer(2).fit(X)
    assert_array_equal(lag.transform(X[3:]), [[np.nan, 3.0], [3.0, 4.0], [4.0, 5.0]])


# ----------------------------------------------------------------------------
# Lag windows with missing history, end to end


def test_lag_pipeline_leading_nan_trim():
    rng = np.random.RandomState(0)
    n, L = 60, 5
    table = np.cumsum(rng.normal(size=(n + 1, 2)), axis=0)
    X, y = table[:-1], table[1:, 0]  # row t predicts variable 0 at t + 1
    reg = LSTMRegressor(
        n_channels=2, leading_nan="trim", hidden_size=4, max_iter=5, random_state=0
    )
    pipe = make_pipeline(LagWindowTransformer(window_length=L), reg)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.fit(X, y)
    pred = pipe.predict(X)
    assert pred.shape == (n,)
    assert np.isfinite(pred).all()
    # the first rows, with missing history, are predicted as shorter sequences
    fitted = pipe[-1]
    short = fitted.predict([X[: t + 1] for t in range(L - 1)])
    assert_allclose(pred[: L - 1], short, rtol=1e-5, atol=1e-5)
    full = fitted.predict(make_windows(X, L, horizon=1)[0])
    assert_allclose(pred[L - 1 : -1], full, rtol=1e-5, atol=1e-5)
    # without leading_nan="trim" the NaN history is rejected
    strict = make_pipeline(
        LagWindowTransformer(L), clone(reg).set_params(leading_nan="raise")
    )
    with pytest.raises(ValueError, match="NaN"):
        strict.fit(X, y)


# ----------------------------------------------------------------------------
# Tuning the window length on airline passengers (loaded offline from sktime)

MAX_WINDOW = 36
N_TEST = 36


@pytest.fixture(scope="module")
def airline():
    datasets = pytest.importorskip("sktime.datasets")
    series = datasets.load_airline().to_numpy()
    X3, y = make_windows(series, window_length=MAX_WINDOW)
    X = X3[:, :, 0]  # univariate windows, one per row
    return X[:-N_TEST], X[-N_TEST:], y[:-N_TEST], y[-N_TEST:]


def _pipeline(**params):
    reg = LSTMRegressor(**{"max_iter": 100, "random_state": 0, **params})
    return Pipeline([("trim", WindowTrimmer()), ("lstm", reg)])


def _tune(airline, hidden_sizes, **params):
    X_train, _, y_train, _ = airline
    search = GridSearchCV(
        _pipeline(**params),
        {"trim__window_length": [12, 24, 36], "lstm__hidden_size": hidden_sizes},
        cv=TimeSeriesSplit(n_splits=3, test_size=12),
        scoring="neg_mean_absolute_percentage_error",
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return search.fit(X_train, y_train)


@pytest.fixture(scope="module")
def search(airline):
    return _tune(airline, [8, 16])


def _check_beats_naive(search, airline):
    _, X_test, _, y_test = airline
    results = pd.DataFrame(search.cv_results_)
    assert len(results) == 6
    assert np.isfinite(results["mean_test_score"]).all()
    best_window = search.best_params_["trim__window_length"]
    assert best_window in (12, 24, 36)
    assert search.best_estimator_[-1].n_timesteps_in_ == best_window
    pred = search.predict(X_test)
    naive = X_test[:, -1]  # last observed value
    assert mean_absolute_percentage_error(y_test, pred) < (
        mean_absolute_percentage_error(y_test, naive)
    )
    assert root_mean_squared_error(y_test, pred) < root_mean_squared_error(
        y_test, naive
    )


def test_grid_search_window_length_beats_naive(airline, search):
    _check_beats_naive(search, airline)


def test_grid_search_recurrent_part_alone_beats_naive(airline):
    """Without the linear skip connection the LSTM itself must beat naive."""
    search = _tune(
        airline, [16, 32], skip_steps=0, learning_rate_init=0.01, max_iter=200
    )
    _check_beats_naive(search, airline)


def test_tuned_pipeline_pickles(airline, search):
    _, X_test, _, _ = airline
    restored = pickle.loads(pickle.dumps(search))
    assert_array_equal(restored.predict(X_test), search.predict(X_test))


def test_randomized_search_and_cross_val_score(airline):
    X_train, _, y_train, _ = airline
    cv = TimeSeriesSplit(n_splits=2, test_size=12)
    pipe = _pipeline(hidden_size=8, max_iter=20)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        search = RandomizedSearchCV(
            pipe,
            {"trim__window_length": [12, 24, 36], "lstm__hidden_size": [4, 8]},
            n_iter=2,
            cv=cv,
            random_state=0,
        ).fit(X_train, y_train)
        scores = cross_val_score(pipe, X_train, y_train, cv=cv)
    assert len(search.cv_results_["params"]) == 2
    assert search.best_params_["trim__window_length"] in (12, 24, 36)
    assert scores.shape == (2,) and np.isfinite(scores).all()


def test_target_transformer_and_scaler(airline):
    X_train, X_test, y_train, y_test = airline
    reg = LSTMRegressor(hidden_size=8, max_iter=50, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        ttr = make_pipeline(
            WindowTrimmer(24),
            TransformedTargetRegressor(
                regressor=clone(reg), transformer=MinMaxScaler()
            ),
        ).fit(X_train, y_train)
        scaled = make_pipeline(WindowTrimmer(24), MinMaxScaler(), clone(reg)).fit(
            X_train, y_train
        )
    for pipe in (ttr, scaled):
        pred = pipe.predict(X_test)
        assert pred.shape == y_test.shape
        assert np.isfinite(pred).all()
    # the target scaling is undone: predictions are passenger counts
    assert mean_absolute_percentage_error(y_test, ttr.predict(X_test)) < 0.5


@pytest.mark.parametrize("n_columns", [1, 2])
def test_lag_windows_are_writable(n_columns):
    table = np.arange(12.0).reshape(-1, n_columns)
    out = LagWindowTransformer(window_length=3).fit_transform(table)
    assert out.flags.writeable
    out[0, 0] = 1.0


def test_lag_windows_warn_of_rows_that_are_not_consecutive():
    # a shuffled train_test_split, or the training rows of a KFold split
    # around its held-out block, were windowed as if consecutive
    from sklearn.model_selection import train_test_split

    df = pd.DataFrame({"x": np.arange(48.0)}, index=pd.period_range("2020-01", periods=48, freq="M"))
    lag = LagWindowTransformer(window_length=2).fit(df)
    yyyymm = np.array([100 * (2020 + i // 12) + 1 + i % 12 for i in range(48)])
    held_out = np.r_[0:10, 20:48]  # a KFold training part
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # labels that may step unevenly by nature
        for table in (df, df.reset_index(drop=True), df.to_timestamp(),
                      df.set_axis(pd.bdate_range("2020-01-01", periods=48)),  # weekends
                      df.set_axis(yyyymm), df.set_axis(yyyymm).iloc[held_out],
                      df.to_timestamp().iloc[held_out]):
            lag.transform(table)
    shuffled, _ = train_test_split(df, random_state=0)
    with pytest.warns(UserWarning, match="out of order"):
        lag.transform(shuffled)
    with pytest.warns(UserWarning, match="skip some periods"):
        lag.transform(df.iloc[held_out])


def test_trimmer_messages_for_pandas_output_4d_and_ragged_input():
    # pandas' "Must pass 2-d input", "dim <= 2 is required" for 4D input
    # (and "got 2D input" once fitted), numpy's "inhomogeneous shape"
    import sklearn

    X = np.random.RandomState(0).normal(size=(10, 6, 2))
    trimmer = WindowTrimmer(window_length=3).set_output(transform="pandas")
    with pytest.raises(ValueError, match=r'3D windows.*set_output\(transform="default"\)'):
        trimmer.fit_transform(X)
    with sklearn.config_context(transform_output="pandas"):
        with pytest.raises(ValueError, match="which a pandas DataFrame cannot hold"):
            WindowTrimmer(window_length=3).fit_transform(X)
        out = WindowTrimmer(window_length=3).set_output(transform="default").fit_transform(X)
        assert out.shape == (10, 3, 2)
    for fitted in (False, True):
        trimmer = WindowTrimmer(window_length=3)
        if fitted:
            trimmer.fit(X)
        with pytest.raises(ValueError, match=r"Expected a 2D or 3D array for X, got an array "
                                             r"of shape \(10, 6, 2, 1\)"):
            (trimmer.transform if fitted else trimmer.fit)(X[..., None])
    with pytest.raises(ValueError, match="sequences of different lengths"):
        WindowTrimmer(window_length=3).fit([X[0], X[1][:4]])


def test_make_windows_refuses_exog_with_another_index():
    # a shifted exog was paired with series by position, without a word
    idx = pd.date_range("2020-01-01", periods=10, freq="D")
    series = pd.Series(np.arange(10.0), index=idx)
    exog = pd.Series(100 + np.arange(10.0), index=idx + pd.Timedelta("1D"))
    with pytest.raises(ValueError, match=r"different indexes \(at position 0, 2020-01-01 "
                                         r".*exog\.reindex\(series\.index\)"):
        make_windows(series, 3, exog=exog)
    with pytest.raises(ValueError, match="10 labels in series, 9 in exog"):
        make_windows(series, 3, exog=exog.iloc[:9].set_axis(idx[:9]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        X, _ = make_windows(series, 3, exog=exog.set_axis(idx).to_frame())
        assert_array_equal(X[0, :, 1], [100.0, 101.0, 102.0])
        make_windows(series, 3, exog=exog.to_numpy())  # NumPy: rows as they are


def test_make_windows_warns_of_rows_that_are_not_consecutive():
    # a shuffled series was windowed as if its rows followed each other
    series = pd.Series(np.arange(24.0), index=pd.period_range("2020-01", periods=24, freq="M"))
    with pytest.warns(UserWarning, match="series's index says its rows are out of order: "
                                         "make_windows"):
        make_windows(series.sample(frac=1, random_state=0), 3)
    with pytest.warns(UserWarning, match="skip some periods"):
        make_windows(series.iloc[np.r_[0:8, 12:24]], 3)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        make_windows(series, 3, exog=series.to_numpy())
        make_windows(series.to_timestamp(), 3)


def test_make_windows_names_the_first_nan_and_the_fix():
    # "Input series contains NaN." said neither where nor what to do
    series = pd.Series(np.arange(50.0), index=pd.date_range("2024-01-01", periods=50, freq="h"))
    series.iloc[[21, 30]] = np.nan
    with pytest.raises(ValueError, match=r"NaN at 2 time points \(the first at position 21, "
                                         r"label 2024-01-01 21:00:00\).*interpolate.*do not "
                                         r"drop"):
        make_windows(series, 3)
    exog = np.arange(50.0)
    exog[7] = np.nan
    with pytest.raises(ValueError, match=r"exog contains NaN at 1 time point \(the first "
                                         r"at position 7\)"):
        make_windows(np.arange(50.0), 3, exog=exog)


def test_make_windows_leading_nan_are_cut_not_filled():
    # a shifted exog's first value has no history: interpolate() and ffill()
    # leave it NaN, and the message named only them
    series = pd.Series(np.arange(20.0), index=pd.date_range("2024-01-01", periods=20))
    with pytest.raises(ValueError, match=r"exog contains NaN at 1 time point .*lead the "
                                         r"series.*cut the first 1 rows from series and "
                                         r"exog alike, e\.g\. series\.iloc\[1:\]"):
        make_windows(series, 3, exog=series.shift(1))
    X, _ = make_windows(series.iloc[1:], 3, exog=series.shift(1).iloc[1:])
    assert_array_equal(X[0, :, 1], [0.0, 1.0, 2.0])


def test_make_windows_nan_that_do_not_all_lead_are_gaps_to_fill():
    # a leading NaN and a gap: cutting the first rows would leave the gap,
    # so the advice is to fill, not to cut
    series = np.arange(10.0)
    series[[0, 2]] = np.nan
    with pytest.raises(ValueError, match=r"NaN at 2 time points \(the first at position 0\)\. "
                                         r"Fill the gaps before windowing") as info:
        make_windows(series, 3)
    assert "lead the series" not in str(info.value)


def test_make_windows_takes_the_same_instants_in_another_time_zone():
    utc = pd.date_range("2024-01-01", periods=8, freq="h", tz="UTC")
    series = pd.Series(np.arange(8.0), index=utc)
    exog = pd.Series(np.arange(8.0) + 10, index=utc.tz_convert("Europe/Berlin"))
    X, _ = make_windows(series, 3, exog=exog)
    assert_array_equal(X[0, :, 1], [10.0, 11.0, 12.0])


def test_make_windows_refuses_a_panel():
    # its windows ran across the series of a MultiIndex panel, silently
    times = pd.period_range("2020-01", periods=10, freq="M")
    index = pd.MultiIndex.from_product([["a", "b"], times])
    with pytest.raises(ValueError, match=r"windows one series, but series has a "
                                         r"MultiIndex.*groupby\(level=0\)"):
        make_windows(pd.Series(np.arange(20.0), index=index), 3)


def test_trimmer_refuses_a_nested_univ_dataframe():
    # NumPy's "setting an array element with a sequence." before (review N, F4)
    X3 = np.random.RandomState(0).normal(size=(6, 2, 8))
    nested = pd.DataFrame({f"dim_{c}": [pd.Series(x[c]) for x in X3] for c in range(2)})
    with pytest.raises(TypeError, match=r"DataFrame of sequences .*nested_univ.*time_axis=2"):
        WindowTrimmer(5).fit(nested)


def test_lag_windows_refuse_a_panel():
    # the first rows of series "b" took their history from the end of "a",
    # silently (review N, F1); make_windows refused the same panel
    index = pd.MultiIndex.from_product([["a", "b"], range(4)])
    X = pd.DataFrame({"x": [0.0, 1, 2, 3, 100, 101, 102, 103]}, index=index)
    lag = LagWindowTransformer(3)
    match = r"LagWindowTransformer windows one series, but X has a MultiIndex"
    with pytest.raises(ValueError, match=match):
        lag.fit(X)
    lag.fit(X.droplevel(0))
    with pytest.raises(ValueError, match=match):
        lag.transform(X)
    # the message's recipe windows each series on its own
    out = np.vstack([lag.fit_transform(part.droplevel(0))
                     for _, part in X.groupby(level=0, sort=False)])
    assert_array_equal(out[4], [np.nan, np.nan, 100.0])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_trimmer_warns_of_sktime_panels_read_with_time_axis_1():
    # numpy3D (n, 12 channels, 29 steps) with time_axis left at 1 kept 4 of the
    # 12 channels at full length; the estimators warned, the trimmer did not
    X = np.random.RandomState(0).normal(size=(5, 12, 29))
    message = (r"X has 12 time steps of 29 channels per sample \(read with time_axis=1\)\. "
               r"If X is laid out as \(n_samples, n_channels, n_timesteps\)")
    with pytest.warns(UserWarning, match=message) as from_estimator:
        LSTMRegressor(max_iter=1, hidden_size=2).fit(X, np.arange(5.0))
    with pytest.warns(UserWarning, match=message) as from_trimmer:
        WindowTrimmer(window_length=4).fit(X)
    def texts(record):
        return [str(w.message) for w in record if "channels per sample" in str(w.message)]

    assert texts(from_trimmer) == texts(from_estimator)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        trimmer = WindowTrimmer(window_length=4, time_axis=2).fit(X)
        assert trimmer.transform(X).shape == (5, 12, 4)
        WindowTrimmer(window_length=4).fit(X.transpose(0, 2, 1))


def test_lag_windows_documented_target_pairing():
    # the docstring and user guide: the window of row t ends with row t, so the
    # same-row target is an input; with h steps ahead, gap=h - 1 keeps every
    # training target out of the test period
    table = np.arange(40.0).reshape(20, 2)
    lag = LagWindowTransformer(window_length=3)
    names = list(lag.fit(table).get_feature_names_out())
    assert_array_equal(lag.transform(table)[:, names.index("x0_lag0")], table[:, 0])
    h = 3
    X, y = table[:-h], table[h:, 0]
    assert_array_equal(lag.fit_transform(X)[:, names.index("x0_lag0")] + 2 * h, y)
    for gap, leaks in [(0, True), (h - 1, False)]:
        for train, test in TimeSeriesSplit(n_splits=3, gap=gap).split(X):
            # time of the last training target, time of the first test row
            assert (train[-1] + h > test[0]) == leaks


def test_lag_windows_nan_message_says_fill_not_drop():
    # scikit-learn's message suggested dropping the rows, which puts
    # non-consecutive time points in one window
    X = np.arange(40.0).reshape(20, 2)
    X[[5, 9], 1] = np.nan
    message = (r"Input X contains NaN in 2 rows \(the first at position 5\)\..*"
               r"X\.interpolate\(\).*do not drop those rows")
    with pytest.raises(ValueError, match=message):
        LagWindowTransformer(3).fit(X)
    lag = LagWindowTransformer(3).fit(np.nan_to_num(X))
    with pytest.raises(ValueError, match=message):
        lag.transform(X)
    with pytest.raises(ValueError, match="Input X contains infinity"):
        lag.transform(np.where(np.isnan(X), np.inf, X))


@pytest.mark.parametrize("column", [
    pd.date_range("2024-01-01", periods=30),
    pd.date_range("2024-01-01", periods=30).strftime("%Y-%m-%d"),
    pd.period_range("2024-01", periods=30, freq="M"),
])
def test_a_date_column_is_refused_by_its_name(column):
    # a table from read_csv keeps its date column: NumPy's DTypePromotionError
    # (or "could not convert string to float") named neither it nor the fix
    table = pd.DataFrame({"date": column, "sales": np.arange(30.0)})
    for call in (lambda: make_windows(table, window_length=7),
                 lambda: LagWindowTransformer(window_length=7).fit_transform(table)):
        with pytest.raises(TypeError, match=r"column 'date'.*set_index\('date'\)"):
            call()
    # numbers held as objects still convert; with a gap they are not "values
    # that are not numbers" to drop (review RV 6)
    numbers = pd.DataFrame({"sales": np.arange(30.0).astype(object)})
    assert make_windows(numbers, window_length=7)[0].shape == (23, 7, 1)
    numbers.loc[5, "sales"] = pd.NA
    with pytest.raises((TypeError, ValueError)) as error:
        make_windows(numbers, window_length=7)
    assert "not numbers" not in str(error.value)


def test_a_duration_column_is_told_to_become_numbers():
    table = pd.DataFrame({"took": pd.to_timedelta(np.arange(30), unit="s"),
                          "sales": np.arange(30.0)})
    with pytest.raises(TypeError, match=r"column 'took'.*durations.*"
                                        r"\.dt\.total_seconds\(\)"):
        make_windows(table, window_length=7)


@pytest.mark.parametrize("kind", ["date", "duration", "text"])
def test_a_polars_column_that_is_not_numbers_is_refused_by_its_name(kind):
    # scikit-learn's check_array turns a polars date column into microseconds
    # since 1970 without a word: the windows read it as a channel (review rvC 6)
    pl = pytest.importorskip("polars")
    dates = pd.date_range("2024-01-01", periods=30)
    column = {"date": pl.Series(dates.to_numpy()),
              "duration": pl.Series((dates - dates[0]).to_numpy()),
              "text": pl.Series(list(dates.strftime("%b"))).cast(pl.Categorical)}[kind]
    table = pl.DataFrame({"when": column, "sales": np.arange(30.0)})
    holds = {"date": "dates or times", "duration": "durations",
             "text": "values that are not numbers"}[kind]
    for call in (lambda: make_windows(table, window_length=7),
                 lambda: LagWindowTransformer(window_length=7).fit_transform(table),
                 lambda: LSTMRegressor(max_iter=1).fit(table, np.arange(30.0))):
        with pytest.raises(TypeError, match=rf"column 'when' .*{holds}.*drop\('when'\)"):
            call()
    # its number columns alone are windowed as before
    numbers = table.drop("when")
    assert np.array_equal(make_windows(numbers, window_length=7)[0],
                          make_windows(np.arange(30.0), window_length=7)[0])


def test_a_multiindex_refusal_names_the_one_series_fix():
    # one series indexed by (year, month): windowing each year on its own,
    # the panel recipe, restarted the windows every year (review RV 3)
    index = pd.MultiIndex.from_product([[2020, 2021], range(1, 13)])
    X = pd.DataFrame({"sales": np.arange(24.0)}, index=index)
    with pytest.raises(ValueError, match=r"one series indexed by several levels.*"
                                         r"X\.reset_index\(drop=True\)"):
        LagWindowTransformer(window_length=3).fit_transform(X)
    assert LagWindowTransformer(window_length=3).fit_transform(
        X.reset_index(drop=True)).shape == (24, 3)


def _run_fresh(script):
    """Run ``script`` in a fresh interpreter (a fresh ``sys.modules``)."""
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr[-2000:]


def test_windowing_imports_no_torch():
    # windowing is NumPy and scikit-learn only: a user who only windows data,
    # or a pipeline built around the transformers, does not wait for torch
    _run_fresh(
        "import sys\n"
        "import sklearn_rnn.windowing\n"
        "from sklearn_rnn import LagWindowTransformer, WindowTrimmer, make_windows\n"
        "assert LagWindowTransformer is sklearn_rnn.windowing.LagWindowTransformer\n"
        "make_windows(list(range(10)), window_length=3)\n"
        "WindowTrimmer(window_length=2).fit_transform([[1.0, 2.0, 3.0]])\n"
        "assert 'torch' not in sys.modules, 'windowing imported torch'\n"
    )


def test_package_imports_its_names_when_first_used():
    # PEP 562, as scikit-learn: import sklearn_rnn imports nothing else; its
    # names are there on access, by import or attribute, and dir lists them
    _run_fresh(
        "import sys\n"
        "import sklearn_rnn\n"
        "assert 'torch' not in sys.modules, 'import sklearn_rnn imported torch'\n"
        "assert set(sklearn_rnn.__all__) <= set(dir(sklearn_rnn)), dir(sklearn_rnn)\n"
        "from sklearn_rnn import LSTMRegressor\n"
        "from sklearn_rnn._regression import LSTMRegressor as defined\n"
        "assert sklearn_rnn.LSTMRegressor is LSTMRegressor is defined\n"
        "for name in sklearn_rnn.__all__:\n"
        "    getattr(sklearn_rnn, name)\n"
        "try:\n"
        "    sklearn_rnn.LSTMRegresor\n"
        "except AttributeError as error:\n"
        "    assert 'LSTMRegresor' in str(error), error\n"
        "else:\n"
        "    raise AssertionError('a misspelt name did not raise AttributeError')\n"
    )


def test_package_submodules_are_attributes_and_listed():
    # after the lazy namespace, sklearn_rnn.windowing and .export raised
    # AttributeError, which they had not, and dir() hid the submodules and
    # __file__ (tab completion found nothing)
    _run_fresh(
        "import sys, types\n"
        "import sklearn_rnn\n"
        "for name in ('export', 'plotting', 'utils', 'windowing', '__file__', '__doc__'):\n"
        "    assert name in dir(sklearn_rnn), (name, dir(sklearn_rnn))\n"
        "assert 'torch' not in sys.modules\n"
        "assert sklearn_rnn.windowing.make_windows is sklearn_rnn.make_windows\n"
        "assert 'torch' not in sys.modules, 'the windowing submodule imported torch'\n"
        "assert callable(sklearn_rnn.export.to_onnx)\n"
        "assert isinstance(sklearn_rnn.utils, types.ModuleType)\n"
        "assert callable(sklearn_rnn.plotting.plot_history)\n"
    )


@pytest.mark.parametrize("flat_layout", ["channels_first", "channels_last"])
def test_lag_column_names_refuse_another_layout(flat_layout):
    # review s36 rvD F2: with fill_value=0 (no NaN to give the layout away),
    # a wrong n_channels or flat_layout read the steps out of order silently
    # (R^2 0.997 to 0.94-0.98); the pandas output's names spell the layout
    rng = np.random.RandomState(0)
    table = pd.DataFrame({"a": rng.normal(size=120), "b": rng.normal(size=120)})
    X, y = table.iloc[:-1], table["a"].to_numpy()[1:]
    lag = LagWindowTransformer(5, fill_value=0.0, flat_layout=flat_layout)
    other = "channels_last" if flat_layout == "channels_first" else "channels_first"
    params = dict(hidden_size=4, max_iter=1, random_state=0)
    for wrong in (dict(n_channels=1), dict(n_channels=2, flat_layout=other)):
        pipe = make_pipeline(clone(lag), LSTMRegressor(**params, **wrong))
        pipe.set_output(transform="pandas")
        with pytest.raises(ValueError, match=r"X's columns are named as LagWindowTransformer "
                           rf"names its windows .*Pass n_channels=2 and "
                           rf"flat_layout='{flat_layout}'"):
            pipe.fit(X, y)
    pipe = make_pipeline(clone(lag), LSTMRegressor(**params, n_channels=2,
                                                   flat_layout=flat_layout))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        pipe.set_output(transform="pandas").fit(X, y)
        make_pipeline(LagWindowTransformer(5, fill_value=0.0),  # one variable
                      LSTMRegressor(**params)).set_output(transform="pandas").fit(X[["a"]], y)
