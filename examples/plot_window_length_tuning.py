"""
Tuning the window length with GridSearchCV
==========================================

How many past months should a recurrent network read? The window length is a
hyperparameter like any other, so we let
:class:`~sklearn.model_selection.GridSearchCV` choose it, together with
``skip_steps``, the linear skip connection the network starts from (``"auto"``)
or does without (``0``), using time-ordered cross-validation folds
(:class:`~sklearn.model_selection.TimeSeriesSplit`).

The trick is to window the series once, at the longest candidate length, with
:func:`~sklearn_rnn.windowing.make_windows`, and to put a
:class:`~sklearn_rnn.windowing.WindowTrimmer` in front of the
:class:`~sklearn_rnn.LSTMRegressor`: it keeps the last ``window_length``
steps of each window, so every candidate length sees the same samples and
targets, and the estimator needs no change.

We predict each of the last 36 months of the classic airline series one step
ahead and compare with the naive forecast, the previous month's value.
"""

# %%
# Data: 144 monthly totals, 1949-1960, framed as windows of 36 months, each
# followed by its target month. The windows whose targets fall in the last 36
# months are held out.
import warnings

import numpy as np
import pandas as pd
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import mean_absolute_percentage_error, root_mean_squared_error
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import Pipeline
from sktime.datasets import load_airline

from sklearn_rnn import LSTMRegressor
from sklearn_rnn.windowing import WindowTrimmer, make_windows

# A fixed epoch budget, so training may end before converging; that is fine.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

series = load_airline()
max_length, n_test = 36, 36
X3d, y = make_windows(series, window_length=max_length)
X = X3d[:, :, 0]  # one univariate window per row, oldest month first
X_train, X_test = X[:-n_test], X[-n_test:]
y_train, y_test = y[:-n_test], y[-n_test:]
print(f"{len(X_train)} training windows, {len(X_test)} held out, "
      f"{X.shape[1]} months each")

# %%
# The pipeline and the search. ``TimeSeriesSplit`` validates each candidate
# on the year that follows its training windows, never on the past. The
# network reads one thread (``n_threads=1``), the fastest for networks this
# small.
pipe = Pipeline(
    [
        ("trim", WindowTrimmer()),
        ("lstm", LSTMRegressor(max_iter=100, n_threads=1, random_state=0)),
    ]
)
search = GridSearchCV(
    pipe,
    {"trim__window_length": [12, 24, 36], "lstm__skip_steps": [0, "auto"]},
    cv=TimeSeriesSplit(n_splits=3, test_size=12),
    scoring="neg_mean_absolute_percentage_error",
)
search.fit(X_train, y_train)

results = pd.DataFrame(search.cv_results_)
columns = [
    "param_trim__window_length",
    "param_lstm__skip_steps",
    "mean_test_score",
    "std_test_score",
    "rank_test_score",
    "mean_fit_time",
]
print(results[columns].sort_values("rank_test_score").to_string(index=False))
print("best:", search.best_params_)

# %%
# The same scores drawn by :func:`sklearn_rnn.plotting.plot_search`: the mean
# cross-validated score against the window length, one line per ``skip_steps``,
# a band of one standard deviation and a star on the best candidate.
try:
    from sklearn_rnn.plotting import plot_search

    plot_search(search, param="trim__window_length")
except ImportError:  # pragma: no cover - matplotlib missing
    pass

# %%
# What the refitted best pipeline holds. With a skip connection the network
# starts from the linear model's least-squares fit, and early stopping keeps
# a trained epoch only where it beats that start on the validation windows
# by more than their noise: ``training_improvement_`` says by how much it
# did, and 0 means the forecast is the linear model's.
best = search.best_estimator_["lstm"]
print(f"skip_steps_={best.skip_steps_}, best_epoch_={best.best_epoch_}, "
      f"training_improvement_={best.training_improvement_:.1%}")

# %%
# The refitted best pipeline on the held-out 36 months, against the naive
# forecast: the last month of each window.
y_pred = search.predict(X_test)
naive = X_test[:, -1]
scores = pd.DataFrame(
    {
        "MAPE": [
            mean_absolute_percentage_error(y_test, y_pred),
            mean_absolute_percentage_error(y_test, naive),
        ],
        "RMSE": [
            root_mean_squared_error(y_test, y_pred),
            root_mean_squared_error(y_test, naive),
        ],
    },
    index=["tuned LSTM pipeline", "naive (last value)"],
)
print(scores.round(3))

# %%
# Plot, if matplotlib is available.
try:
    import matplotlib.pyplot as plt
except ImportError:  # pragma: no cover
    plt = None

if plt is not None:
    months = series.index.to_timestamp()
    test_months = months[-n_test:]
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(months, series.to_numpy(), color="black", label="airline passengers")
    ax.plot(test_months, y_pred, color="C0", label="tuned LSTM, one step ahead")
    ax.plot(test_months, naive, color="C1", alpha=0.7, label="naive (last value)")
    ax.axvline(test_months[0], color="grey", linestyle=":")
    ax.set_ylabel("passengers (thousands)")
    ax.set_title(f"best window: {search.best_params_['trim__window_length']} months")
    ax.legend(loc="upper left")
    fig.tight_layout()
    plt.show()
