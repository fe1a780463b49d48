"""Tests for sklearn_rnn.plotting."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from sklearn_rnn import LSTMRegressor, SequenceClassifier  # noqa: E402
from sklearn_rnn.plotting import plot_history  # noqa: E402


@pytest.fixture
def data():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 8, 2))
    y = X[:, -3:, 0].sum(axis=1)
    return X, y


def _lines(ax):
    return {line.get_label(): line for line in ax.get_lines()}


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_early_stopping(data):
    X, y = data
    reg = LSTMRegressor(hidden_size=4, max_iter=4, early_stopping=True,
                        random_state=0).fit(X, y)
    fig, ax = plt.subplots()
    assert plot_history(reg, ax=ax) is ax
    lines = _lines(ax)
    train = lines["train loss"]
    valid = lines["validation loss"]
    epochs = [r["epoch"] for r in reg.history_]
    np.testing.assert_array_equal(train.get_xdata(), epochs)
    np.testing.assert_allclose(train.get_ydata(), [r["train_loss"] for r in reg.history_])
    np.testing.assert_array_equal(valid.get_xdata(), epochs)
    np.testing.assert_allclose(valid.get_ydata(), [r["valid_loss"] for r in reg.history_])
    assert reg.best_epoch_ is not None
    best = lines[f"best epoch ({reg.best_epoch_})"]
    np.testing.assert_array_equal(best.get_xdata(), [reg.best_epoch_] * 2)
    plt.close(fig)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_without_early_stopping(data):
    X, y = data
    clf = SequenceClassifier(hidden_size=4, max_iter=3, early_stopping=False,
                             random_state=0).fit(X, y > 0)
    ax = plot_history(clf)
    lines = _lines(ax)
    assert set(lines) == {"train loss"}
    np.testing.assert_allclose(lines["train loss"].get_ydata(), clf.loss_curve_)
    plt.close(ax.figure)


def test_plot_history_unfitted():
    with pytest.raises(ValueError, match="fit it before"):
        plot_history(LSTMRegressor())


@pytest.mark.parametrize("name", ["plot_history", "plot_search"])
def test_plotting_numpydoc(name):
    validate = pytest.importorskip("numpydoc.validate").validate
    errors = [code for code, _ in validate(f"sklearn_rnn.plotting.{name}")["errors"]
              if code not in {"GL08", "SA01", "ES01", "RT02"}]
    assert not errors, errors


FAST = dict(hidden_size=4, max_iter=3, random_state=0)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_follows_pipelines_and_searches(data):
    from sklearn.model_selection import GridSearchCV
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn.windowing import WindowTrimmer

    X, y = data[0][:, :, 0], data[1]
    pipe = make_pipeline(WindowTrimmer(window_length=6), LSTMRegressor(**FAST)).fit(X, y)
    ax = plot_history(pipe)
    assert ax.get_title() == "Pipeline > LSTMRegressor"
    np.testing.assert_allclose(
        _lines(ax)["train loss"].get_ydata(),
        [r["train_loss"] for r in pipe[-1].history_],
    )
    search = GridSearchCV(pipe, {"lstmregressor__hidden_size": [2, 4]}, cv=2).fit(X, y)
    assert plot_history(search).get_title() == "GridSearchCV > Pipeline > LSTMRegressor"
    with pytest.raises(ValueError, match="Pipeline > LSTMRegressor has no history_"):
        plot_history(make_pipeline(WindowTrimmer(), LSTMRegressor()))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_takes_the_sktime_adapters_and_reduction():
    pytest.importorskip("sktime")
    from sktime.datasets import load_airline
    from sktime.forecasting.compose import make_reduction

    from sklearn_rnn.sktime import RNNForecaster

    y = load_airline()
    forecaster = RNNForecaster(window_length=12, **FAST).fit(y, fh=[1, 2])
    ax = plot_history(forecaster)
    assert ax.get_title() == "RNNForecaster > SequenceRegressor"
    reduction = make_reduction(LSTMRegressor(**FAST), window_length=12).fit(y, fh=[1])
    assert plot_history(reduction).get_title().endswith("> LSTMRegressor")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_search_draws_the_mean_test_score_per_value(data):
    from sklearn.model_selection import GridSearchCV

    from sklearn_rnn.plotting import plot_search

    X, y = data[0][:, :, 0], data[1]
    search = GridSearchCV(LSTMRegressor(**FAST), {"skip_steps": [0, 2, 4]}, cv=2)
    search.fit(X, y)
    ax = plot_search(search)
    line = _lines(ax)["mean_test_score"]
    np.testing.assert_array_equal(line.get_xdata(), [0, 2, 4])
    np.testing.assert_allclose(line.get_ydata(), search.cv_results_["mean_test_score"])
    best = [v for k, v in _lines(ax).items() if k.startswith("best")][0]
    assert best.get_xdata()[0] == search.best_params_["skip_steps"]
    assert ax.get_xlabel() == "skip_steps"

    from sklearn_rnn import SequenceRegressor

    two = GridSearchCV(SequenceRegressor(**FAST),
                       {"skip_steps": [0, 2], "cell": ["lstm", "gru"]}, cv=2).fit(X, y)
    with pytest.raises(ValueError, match=r"varies 2 parameters.*param="):
        plot_search(two)
    ax = plot_search(two, param="cell")  # categorical x, a line per skip_steps
    assert {"skip_steps=0", "skip_steps=2"} <= set(_lines(ax))
    assert [t.get_text() for t in ax.get_xticklabels()] == ["gru", "lstm"]
    with pytest.raises(ValueError, match="not a parameter of the search"):
        plot_search(two, param="hidden_size")

    # numbers with None (WindowTrimmer's "keep all"): numbers in order, None last
    from sklearn.pipeline import make_pipeline

    from sklearn_rnn.windowing import WindowTrimmer

    trims = GridSearchCV(make_pipeline(WindowTrimmer(), LSTMRegressor(**FAST)),
                         {"windowtrimmer__window_length": [4, 6, 2, None]}, cv=2).fit(X, y)
    ax = plot_search(trims)
    assert [t.get_text() for t in ax.get_xticklabels()] == ["2", "4", "6", "None"]
    line = _lines(ax)["mean_test_score"]
    np.testing.assert_allclose(line.get_ydata(),
                               trims.cv_results_["mean_test_score"][[2, 0, 1, 3]])


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_search_takes_sktime_forecasting_grid_search():
    pytest.importorskip("sktime")
    from sktime.datasets import load_airline
    from sktime.forecasting.model_selection import ForecastingGridSearchCV
    from sktime.split import ExpandingWindowSplitter

    from sklearn_rnn.plotting import plot_search
    from sklearn_rnn.sktime import RNNForecaster

    y = load_airline()
    search = ForecastingGridSearchCV(
        RNNForecaster(**FAST),
        cv=ExpandingWindowSplitter(initial_window=120, step_length=12, fh=[1, 2]),
        param_grid={"window_length": [6, 12]},
    ).fit(y, fh=[1, 2])
    ax = plot_search(search)
    assert ax.get_xlabel() == "window_length"
    key = [k for k in search.cv_results_ if k.startswith("mean_test")][0]
    np.testing.assert_allclose(_lines(ax)[key].get_ydata(), search.cv_results_[key])
    assert plot_history(search).get_title() == (
        "ForecastingGridSearchCV > RNNForecaster > SequenceRegressor"
    )
