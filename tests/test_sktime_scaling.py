"""Many series in sktime: one global RNNForecaster or one per series, in parallel.

The data are 100 real, short series: the first 100 of GunPoint's 200
recordings (the x-coordinate of an actor's hand while drawing a gun or
pointing, z-normalised, 150 frames at 30 fps), every second frame kept, so
75 frames each. Every series holds back its last 5 frames as the test tail.

* **Global** (path A): one ``RNNForecaster`` fitted once on the whole panel
  (``pd-multiindex``): one network, trained on the windows of every series.
* **Per series** (path B): ``ForecastByLevel(RNNForecaster(...),
  groupby="local")`` fits a clone per series through sktime's vectorisation,
  which runs on sktime's parallel backend, set with
  ``set_config(**{"backend:parallel": ..., "backend:parallel:params": ...})``:
  sequentially, on two loky workers, on a two-process dask
  ``LocalCluster`` (the ``dask_client`` fixture of ``conftest.py``) and on
  a local two-CPU ray instance (its ``local_ray`` fixture).
* ``evaluate(..., backend="loky")`` back-tests the global model with its
  folds fitted in parallel. (``evaluate(..., backend="dask")`` gathers the
  folds with ``dask.dataframe``, which needs pyarrow, not a test dependency.)

With ``random_state`` and ``n_threads=1`` every parallel run reproduces the
sequential one exactly (on the same kind of CPU).

The two paths give the same kind of forecast: a finite forecast for every
series over its own 5 test frames, with errors of the same order, both far
better than forecasting each series' mean. The recordings end with the hand
coming to rest, so repeating the last value (naive) is hard to beat here:
the global network's mean absolute error is about 1.3 times naive's, that of
the per-series networks (each trained on 56 windows) about 1.6 times (1.3 to
1.6 and 1.5 to 2.7 times over seeds 0 to 4: ``benchmarks/many_series.py``,
``docs/scaling_out.md``). The bounds below allow that, but not forecasts
attached to the wrong series (shifting them by one series triples the error)
or left in normalised units.
"""

import warnings

import numpy as np
import pandas as pd
import pytest

pytest.importorskip("sktime")

from sktime.datasets import load_gunpoint  # noqa: E402
from sktime.forecasting.compose import ForecastByLevel  # noqa: E402
from sktime.forecasting.model_evaluation import evaluate  # noqa: E402
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402
from sktime.performance_metrics.forecasting import MeanAbsoluteError  # noqa: E402
from sktime.split import ExpandingWindowSplitter  # noqa: E402

from sklearn_rnn import SequenceRegressor  # noqa: E402
from sklearn_rnn.sktime import RNNForecaster  # noqa: E402

pytestmark = [
    # sktime's own deprecation notices (the remember_data default) are not ours.
    pytest.mark.filterwarnings("ignore::FutureWarning"),
    pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning"),
    # the dask cluster's shutdown
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    pytest.mark.filterwarnings("ignore::ResourceWarning"),
]

N_SERIES = 100
HORIZON = 5
FH = np.arange(1, HORIZON + 1)
# Small and fast: 100 per-series fits take a few seconds on one thread.
PARAMS = dict(
    window_length=10,
    hidden_size=8,
    batch_size=64,
    max_iter=20,
    learning_rate_init=0.01,
    early_stopping=False,
    quantiles=None,
    n_threads=1,
    random_state=0,
)
LOKY = {"backend:parallel": "loky", "backend:parallel:params": {"n_jobs": 2}}
DASK = {"backend:parallel": "dask", "backend:parallel:params": {}}
# sktime's ray backend runs each series as a ray task on the running instance
# (ray_remote_args would go to ray.init if none ran); shutdown_ray=False
# leaves the module's instance up; mute_warnings silences sktime's notices
# in the workers.
RAY = {
    "backend:parallel": "ray",
    "backend:parallel:params": {"shutdown_ray": False, "mute_warnings": True},
}


def _gunpoint_panel():
    values, _ = load_gunpoint(return_type="numpy3D")
    values = values[:N_SERIES, 0, ::2].astype(np.float64)
    keys = [f"r{i:03d}" for i in range(N_SERIES)]
    index = pd.MultiIndex.from_product(
        [keys, pd.RangeIndex(values.shape[1])], names=["recording", "frame"]
    )
    return pd.DataFrame({"x": values.ravel()}, index=index)


@pytest.fixture(scope="module")
def panel():
    y = _gunpoint_panel()
    by_series = y.groupby(level="recording", sort=False)
    return by_series.head(-HORIZON), by_series.tail(HORIZON)


def _per_series(config=None):
    forecaster = ForecastByLevel(RNNForecaster(**PARAMS), groupby="local")
    if config is not None:
        forecaster.set_config(**config)
    return forecaster


def _fit_predict(forecaster, y_train):
    return forecaster.fit(y_train, fh=FH).predict()


def _networks(per_series):
    """The fitted torch modules of every series (its ``n_networks``), in order."""
    fitted = per_series.forecasters_.iloc[:, 0]
    return [r.module_ for f in fitted for r in f.forecaster_.regressors_]


def _n_parameters(module):
    return sum(p.numel() for p in module.parameters())


def _evaluate(y_train, backend=None, backend_params=None):
    # Two folds inside the training part (cutoffs 10 and 5 frames before its
    # end), each fitting one global network; fewer epochs, as only the
    # agreement between backends is checked.
    cv = ExpandingWindowSplitter(fh=FH, initial_window=60, step_length=HORIZON)
    with warnings.catch_warnings(record=True) as caught:
        result = evaluate(
            RNNForecaster(**{**PARAMS, "max_iter": 5}),
            cv,
            y_train,
            scoring=MeanAbsoluteError(),
            backend=backend,
            backend_params=backend_params,
            error_score="raise",
        )
    # evaluate puts a "default" filter for FutureWarning in front of the
    # module's "ignore", so sktime's remember_data notice gets through it;
    # drop that notice here and pass on anything else
    for w in caught:
        if not issubclass(w.category, FutureWarning):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    return result["test_MeanAbsoluteError"].to_numpy()


def _mae(y_pred, y_true):
    return float(np.mean(np.abs(y_pred.to_numpy() - y_true.to_numpy())))


@pytest.fixture(scope="module")
def global_fit(panel):
    y_train, _ = panel
    forecaster = RNNForecaster(**PARAMS)
    return forecaster, _fit_predict(forecaster, y_train)


@pytest.fixture(scope="module")
def serial_per_series(panel):
    y_train, _ = panel
    forecaster = _per_series()
    return forecaster, _fit_predict(forecaster, y_train)


@pytest.fixture(scope="module")
def serial_evaluation(panel):
    scores = _evaluate(panel[0])
    assert scores.shape == (2,) and np.isfinite(scores).all()
    return scores


def test_global_model_is_one_network(panel, global_fit):
    y_train, _ = panel
    forecaster, _ = global_fit
    assert forecaster.n_series_ == N_SERIES
    n_frames = len(y_train) // N_SERIES  # 70 per series
    windows_per_series = n_frames - PARAMS["window_length"] - HORIZON + 1
    assert forecaster.n_windows_ == N_SERIES * windows_per_series
    assert isinstance(forecaster.regressor_, SequenceRegressor)
    assert forecaster.regressor_.n_iter_ == PARAMS["max_iter"]
    # sktime did not split the panel into one forecaster per series
    assert not forecaster._is_vectorized
    assert not hasattr(forecaster, "forecasters_")

    # the same network as for a single series: its size does not grow with
    # the number of series
    one_series = y_train.loc[["r000"]].droplevel("recording")
    single = RNNForecaster(**{**PARAMS, "max_iter": 1}).fit(one_series, fh=FH)
    n_parameters = _n_parameters(forecaster.regressor_.module_)
    assert n_parameters == _n_parameters(single.regressor_.module_)
    assert n_parameters < 1000


def test_per_series_path_fits_its_networks_per_series(global_fit, serial_per_series):
    per_series, _ = serial_per_series
    assert per_series.forecasters_.shape == (N_SERIES, 1)
    networks = _networks(per_series)
    n_networks = len(global_fit[0].regressors_)  # the default ensemble: 3
    assert n_networks == RNNForecaster().n_networks == 3
    assert len({id(module) for module in networks}) == N_SERIES * n_networks
    fitted = [f.forecaster_ for f in per_series.forecasters_.iloc[:, 0]]
    assert {f.regressor_.n_iter_ for f in fitted} == {PARAMS["max_iter"]}
    assert {f.n_series_ for f in fitted} == {1}
    # each as large as the one global network
    n_global = _n_parameters(global_fit[0].regressor_.module_)
    assert {_n_parameters(module) for module in networks} == {n_global}


def test_global_and_per_series_forecasts_are_alike(
    panel, global_fit, serial_per_series
):
    y_train, y_test = panel
    forecasts = {"global": global_fit[1], "per series": serial_per_series[1]}
    errors = {}
    for name, y_pred in forecasts.items():
        # every series, over its own test frames
        assert y_pred.index.equals(y_test.index), name
        assert list(y_pred.columns) == ["x"], name
        assert np.isfinite(y_pred.to_numpy()).all(), name
        errors[name] = _mae(y_pred, y_test)
    naive = _mae(NaiveForecaster(strategy="last").fit(y_train, fh=FH).predict(), y_test)
    mean = _mae(NaiveForecaster(strategy="mean").fit(y_train, fh=FH).predict(), y_test)
    print(
        f"MAE over {N_SERIES} series x {HORIZON} frames: "
        f"global {errors['global']:.3f}, per series {errors['per series']:.3f}, "
        f"naive (last value) {naive:.3f}, series mean {mean:.3f}"
    )
    # the same order of error
    assert 1 / 4 < errors["per series"] / errors["global"] < 4
    for name, error in errors.items():
        # each series forecast from its own recent values, in the data's units
        assert error < mean / 4, (name, error, mean)
        # comparable to repeating the last value
        assert error < 3 * naive, (name, error, naive)


def test_per_series_on_loky_matches_serial(panel, serial_per_series, built_networks):
    y_train, _ = panel
    forecaster = _per_series(LOKY)
    y_pred = _fit_predict(forecaster, y_train)
    # every network was built in a worker process, none in this one
    assert built_networks == []
    pd.testing.assert_frame_equal(y_pred, serial_per_series[1], check_exact=True)


def test_evaluate_on_loky_matches_serial(panel, serial_evaluation):
    scores = _evaluate(panel[0], backend="loky", backend_params={"n_jobs": 2})
    np.testing.assert_array_equal(scores, serial_evaluation)


def test_per_series_on_dask_cluster_matches_serial(
    panel, serial_per_series, dask_client, built_networks
):
    from distributed import get_task_stream

    y_train, _ = panel
    forecaster = _per_series(DASK)
    with get_task_stream(client=dask_client) as stream:
        y_pred = _fit_predict(forecaster, y_train)
    # the series were fitted (and forecast) as tasks on the cluster's workers
    assert len(stream.data) >= N_SERIES
    assert built_networks == []
    pd.testing.assert_frame_equal(y_pred, serial_per_series[1], check_exact=True)


def test_per_series_on_ray_matches_serial(
    panel, serial_per_series, local_ray, built_networks
):
    y_train, _ = panel
    forecaster = _per_series(RAY)
    y_pred = _fit_predict(forecaster, y_train)
    assert built_networks == []
    # sktime left the module's ray instance running
    assert local_ray.is_initialized()
    # to the last bit: under the oldest versions (ray 2.10, numpy 1.24) 15 of
    # the 500 forecasts differ by 1e-16 from the same fits in this process
    # (NumPy's reductions round by memory alignment); a fit that differed
    # would differ by far more
    pd.testing.assert_frame_equal(y_pred, serial_per_series[1], check_exact=False,
                                  rtol=1e-12, atol=1e-12)
