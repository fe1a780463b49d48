"""
The LSTM price tutorial in five lines of scikit-learn
=====================================================

Many LSTM tutorials predict a price series the same way: scale it with a
:class:`~sklearn.preprocessing.MinMaxScaler`, cut it into windows of past
values, fit an LSTM, and report the root mean squared error (RMSE) on a
held-out tail. With sklearn_rnn each of those steps is one line of
scikit-learn, and no training loop is written.

The series is the US consumer price index (CPI), quarterly from 1959 to 2009:
the ``cpi`` column of :func:`sktime.datasets.load_macroeconomic`, which reads
the ``macrodata`` set that ships with statsmodels (no download). We predict
each of the last 40 quarters (ten years) one quarter ahead, from the eight
quarters before it, and compare with the forecast every tutorial should
print next to its LSTM: the last observed value.

Everything here, the window length included, was fixed before looking at the
held-out tail; nothing is tuned on it.
"""

# %%
# Data and windows
# ----------------
# :func:`~sklearn_rnn.windowing.make_windows` turns the series into windows
# of 8 quarters and the quarter that follows each. ``shuffle=False`` keeps
# the split chronological: the last 40 windows, whose targets are the last 40
# quarters, are held out.
import numpy as np
from sklearn.compose import TransformedTargetRegressor
from sklearn.metrics import root_mean_squared_error
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler
from sktime.datasets import load_macroeconomic

from sklearn_rnn import LSTMRegressor
from sklearn_rnn.windowing import make_windows

cpi = load_macroeconomic()["cpi"]
X, y = make_windows(cpi, window_length=8)
X = X[:, :, 0]  # one univariate window per row, oldest quarter first
X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=40, shuffle=False)
print(f"{len(X_train)} training windows, {len(X_test)} held out "
      f"({cpi.index[-40]} to {cpi.index[-1]})")

# %%
# The tutorial, in scikit-learn
# -----------------------------
# The scalers are fitted on the training windows only, inside the
# estimator's ``fit``, so the held-out tail never leaks into them (scaling the
# whole series first, as many tutorials do, does leak it). The input scaler
# scales each of the 8 columns (one per lag) with its own training minimum
# and maximum, which differ little from column to column.
# :class:`~sklearn.compose.TransformedTargetRegressor` scales the targets the
# same way and maps the predictions back to index points.
model = TransformedTargetRegressor(
    make_pipeline(MinMaxScaler(), LSTMRegressor(random_state=0)),
    transformer=MinMaxScaler(),
)
model.fit(X_train, y_train)
y_pred = model.predict(X_test)

# %%
# Scores on the held-out tail
# ---------------------------
# Next to the naive forecast (the last value of each window) we print a
# second baseline, "naive with drift": the last value plus the average
# quarterly change over the training windows. Prices rise most quarters, and
# that one number captures much of what there is to learn.
naive = X_test[:, -1]
drift = naive + np.mean(y_train - X_train[:, -1])
scores = {
    "LSTM (MinMaxScaler + LSTMRegressor)": root_mean_squared_error(y_test, y_pred),
    "naive (last value)": root_mean_squared_error(y_test, naive),
    "naive with drift": root_mean_squared_error(y_test, drift),
}
for name, score in scores.items():
    print(f"RMSE {name:<36} {score:6.3f} index points")

# %%
# Read these numbers with the baselines in mind. A quarter-ahead price index
# is close to a random walk with drift, so there is little left for any
# model to learn, and one held-out decade (which here includes the 2008
# price drop) is a noisy judge. An LSTM has to beat both lines before its
# forecasts are worth more than a one-line rule:
lstm_rmse = scores["LSTM (MinMaxScaler + LSTMRegressor)"]
for name in ("naive (last value)", "naive with drift"):
    verdict = "beats" if lstm_rmse < scores[name] else "does not beat"
    print(f"the LSTM {verdict} the {name} forecast")

# %%
# The regressor's defaults (see :doc:`the user guide </user_guide>`) start
# it from a linear autoregressive fit of the last time steps, and
# ``window_normalization_`` tells whether it chose to learn the targets
# relative to each window's last value, the form of both baselines;
# ``best_epoch_`` is the epoch whose weights early stopping kept:
lstm = model.regressor_[-1]
print(f"window_normalization_={lstm.window_normalization_!r}, "
      f"best_epoch_={lstm.best_epoch_} of n_iter_={lstm.n_iter_}")

# %%
# The scalers are optional: the estimator standardises its inputs and targets
# itself (``standardize=True``). Without them the model is one line:
bare = LSTMRegressor(random_state=0).fit(X_train, y_train)
bare_rmse = root_mean_squared_error(y_test, bare.predict(X_test))
print(f"RMSE {'LSTMRegressor alone':<36} {bare_rmse:6.3f} index points")

# %%
# Actual and predicted values on the held-out tail
# ------------------------------------------------
# On the scale of the index the forecasts all hug the series; their errors
# (forecast minus actual, right) show where they part.
try:
    import matplotlib.pyplot as plt
except ImportError:  # pragma: no cover
    plt = None

if plt is not None:
    quarters = cpi.index[-40:].to_timestamp()
    fig, (ax, ax_err) = plt.subplots(1, 2, figsize=(11, 4))
    ax.plot(cpi.index[-72:].to_timestamp(), cpi.iloc[-72:], color="black", label="CPI")
    ax.plot(quarters, y_pred, color="C0", marker=".", label="LSTM, one quarter ahead")
    ax.axvline(quarters[0], color="grey", linestyle=":")
    ax.set_ylabel("consumer price index")
    ax.set_title("US CPI: the last 40 quarters were held out")
    ax.legend(loc="upper left")

    ax_err.axhline(0, color="black", linewidth=0.8)
    ax_err.plot(quarters, y_pred - y_test, color="C0", marker=".", label="LSTM")
    ax_err.plot(quarters, naive - y_test, color="C1", alpha=0.8, label="naive (last value)")
    ax_err.plot(quarters, drift - y_test, color="C2", alpha=0.8, linestyle="--",
                label="naive with drift")
    ax_err.set_ylabel("forecast minus actual (index points)")
    ax_err.set_title("errors on the held-out quarters")
    ax_err.legend(loc="lower left")
    fig.tight_layout()
    plt.show()
