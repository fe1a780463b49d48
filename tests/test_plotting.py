"""Tests for sklearn_rnn.plotting."""

import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

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


@pytest.mark.parametrize("indent", ["    ", ""])
def test_axes_entries_take_the_indentation_of_their_marker(indent):
    # Python 3.13 strips the common indentation of docstrings at compile
    # time: the shared entries must follow the docstring's own indentation
    # (written for four spaces, they fell inside the entry above them, and
    # numpydoc lost ``label`` and ``metric``).
    NumpyDocString = pytest.importorskip("numpydoc.docscrape").NumpyDocString
    from sklearn_rnn.plotting import _LABEL, _document_axes

    def plot(ax=None, *, label=None):
        pass

    plot.__doc__ = "Plot.\n\n" + "".join(
        indent + line + "\n" for line in ["Parameters", "----------", "{axes}"])
    _document_axes(plot, after=_LABEL)
    doc = NumpyDocString(plot.__doc__)
    assert [p.name for p in doc["Parameters"]] == ["ax", "label"]
    assert [p.type for p in doc["Returns"]] == ["matplotlib.axes.Axes"]
    assert doc["Parameters"][1].desc[0].startswith("Name of this estimator")


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
    # NotFittedError (a ValueError), as scikit-learn's helpers and predict raise
    with pytest.raises(NotFittedError, match="Pipeline > LSTMRegressor has no history_"):
        plot_history(make_pipeline(WindowTrimmer(), LSTMRegressor()))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_takes_the_sktime_adapters_and_reduction():
    pytest.importorskip("sktime")
    from sktime.datasets import load_airline
    from sktime.forecasting.compose import make_reduction

    from sklearn_rnn.sktime import RNNForecaster

    y = load_airline()
    forecaster = RNNForecaster(window_length=12, n_networks=1, **FAST).fit(y, fh=[1, 2])
    ax = plot_history(forecaster)
    assert ax.get_title() == "RNNForecaster > SequenceRegressor"
    assert {"train loss", "validation loss"} <= set(_lines(ax))
    reduction = make_reduction(LSTMRegressor(**FAST), window_length=12).fit(y, fh=[1])
    assert plot_history(reduction).get_title().endswith("> LSTMRegressor")


def test_plot_history_of_a_classifier_fitted_on_one_class_says_so():
    # sktime fits a single class without training: the message said the
    # RNNClassifier "is not a sklearn_rnn estimator" (review rvA F7)
    pytest.importorskip("sktime")
    from sklearn_rnn.sktime import RNNClassifier

    X = np.random.RandomState(0).normal(size=(6, 1, 10))
    clf = RNNClassifier(max_iter=1).fit(X, np.array(["a"] * 6))
    with pytest.raises(ValueError, match=r"RNNClassifier was fitted on labels of a single "
                                         r"class, so sktime trained nothing"):
        plot_history(clf)


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
        "ForecastingGridSearchCV > RNNForecaster > SequenceRegressor (3 networks)"
    )


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("strategy", ["direct", "dirrec"])
def test_plot_history_draws_each_estimator_of_a_direct_reduction(strategy):
    # direct/dirrec keep one fitted estimator per horizon step in estimators_
    # (a list): it said "has no history_: fit it before calling plot_history"
    pytest.importorskip("sktime")
    from sktime.datasets import load_airline
    from sktime.forecasting.compose import make_reduction

    y = load_airline()
    reduction = make_reduction(LSTMRegressor(hidden_size=2, max_iter=2, random_state=0),
                               window_length=6, strategy=strategy).fit(y, fh=[1, 2])
    ax = plot_history(reduction)
    assert ax.get_title().endswith("> LSTMRegressor (2 horizons)")
    lines = _lines(ax)
    for step, estimator in zip([1, 2], reduction.estimators_):
        train = lines[f"horizon {step} train loss"]
        np.testing.assert_allclose(train.get_ydata(),
                                   [r["train_loss"] for r in estimator.history_])
        valid = lines[f"horizon {step} validation loss"]
        assert valid.get_color() == train.get_color()
        assert f"horizon {step} best epoch ({estimator.best_epoch_})" in lines
    assert lines["horizon 1 train loss"].get_color() != lines["horizon 2 train loss"].get_color()
    plt.close(ax.figure)
    # one step: one estimator, drawn as before
    single = make_reduction(LSTMRegressor(hidden_size=2, max_iter=2, random_state=0),
                            window_length=6, strategy=strategy).fit(y, fh=[1])
    ax = plot_history(single)
    assert ax.get_title() == f"{type(single).__name__} > LSTMRegressor"
    assert {"train loss", "validation loss"} <= set(_lines(ax))
    plt.close(ax.figure)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_draws_every_network_of_an_rnn_forecaster():
    # it drew regressors_[0] only, titled as if there were one network
    pytest.importorskip("sktime")
    from sktime.datasets import load_airline

    from sklearn_rnn.sktime import RNNForecaster

    y = load_airline()
    forecaster = RNNForecaster(window_length=6, n_networks=2, hidden_size=2, max_iter=2,
                               random_state=0).fit(y, fh=[1])
    ax = plot_history(forecaster)
    assert ax.get_title() == "RNNForecaster > SequenceRegressor (2 networks)"
    lines = _lines(ax)
    assert not {"train loss", "validation loss"} & set(lines)
    for i, regressor in enumerate(forecaster.regressors_):
        np.testing.assert_allclose(lines[f"network {i} train loss"].get_ydata(),
                                   [r["train_loss"] for r in regressor.history_])
        np.testing.assert_allclose(lines[f"network {i} validation loss"].get_ydata(),
                                   [r["valid_loss"] for r in regressor.history_])
    plt.close(ax.figure)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_says_a_search_fitted_with_refit_false_has_no_best_estimator(data):
    # the search is fitted: "fit it before calling plot_history" was wrong
    from sklearn.model_selection import GridSearchCV

    X, y = data[0][:, :, 0], data[1]
    search = GridSearchCV(LSTMRegressor(**FAST), {"hidden_size": [2, 4]}, cv=2,
                          refit=False).fit(X, y)
    with pytest.raises(ValueError, match=r"refit=False.*best_estimator_.*refit=True"):
        plot_history(search)

    pytest.importorskip("sktime")
    from sktime.datasets import load_airline
    from sktime.forecasting.model_selection import ForecastingGridSearchCV
    from sktime.split import ExpandingWindowSplitter

    from sklearn_rnn.sktime import RNNForecaster

    search = ForecastingGridSearchCV(
        RNNForecaster(recurrent=False),
        cv=ExpandingWindowSplitter(initial_window=120, step_length=12, fh=[1]),
        param_grid={"window_length": [6, 12]}, refit=False,
    ).fit(load_airline(), fh=[1])
    with pytest.raises(ValueError, match=r"refit=False.*best_forecaster_.*refit=True"):
        plot_history(search)


def test_plot_history_says_an_rnn_forecaster_without_networks_has_no_history():
    # recurrent=False fits the linear start alone: it is fitted, has no network
    pytest.importorskip("sktime")
    from sktime.datasets import load_airline

    from sklearn_rnn.sktime import RNNForecaster

    forecaster = RNNForecaster(window_length=6, recurrent=False).fit(load_airline(), fh=[1])
    with pytest.raises(ValueError, match=r"holds no network.*recurrent=False") as info:
        plot_history(forecaster)
    assert "fit it before" not in str(info.value)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_search_draws_parameters_a_grid_does_not_set_at_their_default(data):
    # with a list of grids, candidates of the other grid were drawn at "None"
    # and labelled skip_steps=None, though they used the estimator's values
    from sklearn.model_selection import GridSearchCV

    from sklearn_rnn.plotting import plot_search

    X, y = data[0][:, :, 0], data[1]
    estimator = LSTMRegressor(max_iter=1, random_state=0, hidden_size=3)
    search = GridSearchCV(estimator, [{"hidden_size": [2, 4]}, {"skip_steps": [0, 2]}],
                          cv=2).fit(X, y)
    ax = plot_search(search, param="hidden_size")
    lines = _lines(ax)
    means = search.cv_results_["mean_test_score"]
    default = lines["skip_steps='auto' (default)"]
    np.testing.assert_array_equal(default.get_xdata(), [2, 4])
    np.testing.assert_allclose(default.get_ydata(), means[:2])
    for row, value in ((2, 0), (3, 2)):
        line = lines[f"skip_steps={value}"]
        np.testing.assert_array_equal(line.get_xdata(), [3])  # the estimator's hidden_size
        np.testing.assert_allclose(line.get_ydata(), [means[row]])
    assert not any("None" in label for label in lines)
    plt.close(ax.figure)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_compares_labelled_estimators_on_one_axes(data):
    X, y = data
    kw = dict(hidden_size=4, max_iter=3, random_state=0)
    a = LSTMRegressor(**kw).fit(X, y)
    b = LSTMRegressor(**{**kw, "hidden_size": 3}).fit(X, y)
    ax = plot_history(a, label="first")
    assert plot_history(b, ax=ax, label="second") is ax
    lines = _lines(ax)
    first, second = lines["first train loss"], lines["second train loss"]
    assert first.get_color() != second.get_color()
    assert lines["second validation loss"].get_color() == second.get_color()
    assert ax.get_title() == "LSTMRegressor"  # the first estimator's
    with pytest.raises(TypeError, match="once per estimator on the same axes"):
        plot_history([a, b])
    plt.close(ax.figure)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_marks_the_kept_start_s_validation_loss(data):
    X, y = data
    reg = LSTMRegressor(hidden_size=4, max_iter=3, random_state=0).fit(X, y)
    assert reg.best_epoch_ == 0  # the linear start is exact on this sum
    lines = _lines(plot_history(reg))
    star = lines["start's validation loss"]
    np.testing.assert_array_equal(star.get_xdata(), [0])
    np.testing.assert_allclose(star.get_ydata(), [reg.initial_validation_loss_])
    plt.close("all")


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_history_draws_no_start_mark_where_a_trained_epoch_was_kept(data):
    X, _ = data
    y = np.abs(X[:, :, 0]).max(axis=1)  # no linear start is exact on a maximum
    reg = LSTMRegressor(hidden_size=4, max_iter=5, random_state=0).fit(X, y)
    assert reg.best_epoch_ > 0 and reg.initial_validation_loss_ is not None
    lines = _lines(plot_history(reg))
    assert f"best epoch ({reg.best_epoch_})" in lines
    assert "start's validation loss" not in lines
    plt.close("all")


def test_plot_history_says_a_fitted_estimator_of_another_kind_has_no_history(data):
    # a fitted StandardScaler, a fitted Pipeline ending in Ridge: "fit it" was wrong
    from sklearn.linear_model import Ridge
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    X, y = data[0][:, :, 0], data[1]
    for fitted, path in [(StandardScaler().fit(X), "StandardScaler"),
                         (make_pipeline(StandardScaler(), Ridge()).fit(X, y),
                          r"Ridge \(in Pipeline > Ridge\)")]:
        with pytest.raises(ValueError, match=path + " is fitted but is not a sklearn_rnn "
                                           r"estimator: it has no training history") as info:
            plot_history(fitted)
        assert "fit it" not in str(info.value)
    with pytest.raises(ValueError, match="fit it before"):
        plot_history(make_pipeline(StandardScaler(), Ridge()))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_search_log_axis_for_log_spaced_values_and_short_legend(data):
    # learning rates were squeezed on a linear axis, and the legend read
    # best (learning_rate_init=np.float64(0.013981961408994055))
    from sklearn.model_selection import GridSearchCV

    from sklearn_rnn.plotting import plot_search

    X, y = data[0][:, :, 0], data[1]
    estimator = LSTMRegressor(max_iter=1, random_state=0, hidden_size=2)
    rates = list(np.float64([1e-4, 1e-3, 1.3981961408994055e-2]))
    search = GridSearchCV(estimator, {"learning_rate_init": rates}, cv=2).fit(X, y)
    ax = plot_search(search)
    assert ax.get_xscale() == "log"
    best = search.best_params_["learning_rate_init"]
    assert f"best (learning_rate_init={best:.3g})" in _lines(ax)
    plt.close(ax.figure)
    search = GridSearchCV(estimator, {"hidden_size": [2, 4, 6]}, cv=2).fit(X, y)
    ax = plot_search(search)
    assert ax.get_xscale() == "linear"
    assert f"best (hidden_size={search.best_params_['hidden_size']})" in _lines(ax)
    plt.close(ax.figure)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_search_metric_of_a_multi_metric_search(data):
    # a multi-metric search with a callable refit was refused, with advice to
    # change the search ("refit on one metric") rather than to name the metric
    from sklearn.model_selection import GridSearchCV

    from sklearn_rnn.plotting import plot_search

    X, y = data[0][:, :, 0], data[1]
    search = GridSearchCV(
        LSTMRegressor(max_iter=1, random_state=0, hidden_size=2),
        {"hidden_size": [2, 4]}, cv=2, scoring=["r2", "neg_mean_absolute_error"],
        refit=lambda results: int(np.argmax(results["mean_test_r2"])),
    ).fit(X, y)
    with pytest.raises(ValueError, match=r"several metrics \['r2', "
                                         r"'neg_mean_absolute_error'\].*metric=\.\.\."):
        plot_search(search)
    with pytest.raises(ValueError, match=r"metric='mae' is not a metric of the search"):
        plot_search(search, metric="mae")
    ax = plot_search(search, metric="neg_mean_absolute_error")
    assert ax.get_ylabel() == "mean_test_neg_mean_absolute_error"
    line = next(line for line in ax.get_lines() if line.get_marker() == "o")
    np.testing.assert_allclose(line.get_ydata(),
                               search.cv_results_["mean_test_neg_mean_absolute_error"])
    plt.close(ax.figure)
    search.set_params(refit="r2").fit(X, y)  # the refit metric by default
    ax = plot_search(search)
    assert ax.get_ylabel() == "mean_test_r2"
    plt.close(ax.figure)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_plot_search_marks_the_plotted_metric_s_best_when_refit_is_false(data):
    # a multi-metric search fitted with refit=False has no best_index_: the
    # error sent the user to metric=..., and that call then raised
    # AttributeError. The star now marks the candidate ranked first on the
    # plotted metric (rank_test_<metric>), as scikit-learn would define it.
    from sklearn.model_selection import GridSearchCV

    from sklearn_rnn.plotting import plot_search

    X, y = data[0][:, :, 0], data[1]
    search = GridSearchCV(
        LSTMRegressor(max_iter=1, random_state=0, hidden_size=2),
        {"hidden_size": [2, 4, 8]}, cv=2, scoring=["r2", "neg_mean_absolute_error"],
        refit=False,
    ).fit(X, y)
    assert not hasattr(search, "best_index_")
    with pytest.raises(ValueError, match=r"several metrics.*metric=\.\.\."):
        plot_search(search)
    results = search.cv_results_
    for metric in ("r2", "neg_mean_absolute_error"):
        ax = plot_search(search, metric=metric)
        best = int(np.argmin(results[f"rank_test_{metric}"]))
        size = results["params"][best]["hidden_size"]
        star = _lines(ax)[f"best (hidden_size={size})"]
        assert star.get_xdata()[0] == size
        assert star.get_ydata()[0] == results[f"mean_test_{metric}"][best]
        plt.close(ax.figure)

    # the two metrics rank differently: each plot marks its own metric's best
    class Search:  # the duck type plot_search documents, without best_index_
        cv_results_ = {
            "params": [{"alpha": 1}, {"alpha": 2}, {"alpha": 3}],
            "mean_test_a": np.array([0.1, 0.3, 0.2]),
            "rank_test_a": np.array([3, 1, 2]),
            "mean_test_b": np.array([0.9, 0.1, 0.2]),
            "rank_test_b": np.array([1, 3, 2]),
        }

    for metric, alpha in (("a", 2), ("b", 1)):
        ax = plot_search(Search(), metric=metric)
        assert f"best (alpha={alpha})" in _lines(ax)
        plt.close(ax.figure)
    del Search.cv_results_["rank_test_b"]  # nothing says which is best: no star
    ax = plot_search(Search(), metric="b")
    assert not [k for k in _lines(ax) if k.startswith("best")]
    plt.close(ax.figure)
