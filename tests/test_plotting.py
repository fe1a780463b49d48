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


def test_plot_history_numpydoc():
    validate = pytest.importorskip("numpydoc.validate").validate
    errors = [code for code, _ in validate("sklearn_rnn.plotting.plot_history")["errors"]
              if code not in {"GL08", "SA01", "ES01", "RT02"}]
    assert not errors, errors
