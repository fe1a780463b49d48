"""
Forecasting airline passengers with RNNForecaster
=================================================

:class:`~sklearn_rnn.sktime.RNNForecaster` is an sktime forecaster: a linear
start and recurrent networks trained on its residuals (three, ``n_networks``)
read the last ``window_length`` months and predict the whole horizon at once,
together with quantiles for prediction intervals.

We hold out the last 36 months of the classic airline series, forecast them in
one go, and compare the mean absolute percentage error (MAPE) with two naive
baselines: the last value, and the value of the same month one year before
(seasonal naive).
"""

# %%
# Data: 144 monthly totals, 1949-1960; the last 36 months are held out.
import numpy as np
import torch
from sktime.datasets import load_airline
from sktime.forecasting.naive import NaiveForecaster
from sktime.performance_metrics.forecasting import mean_absolute_percentage_error

from sklearn_rnn.sktime import RNNForecaster

torch.set_num_threads(1)

y = load_airline()
y_train, y_test = y.iloc[:-36], y.iloc[-36:]
fh = np.arange(1, 37)

# %%
# The forecaster. It starts from a linear model (one-step and direct ridge
# autoregressions, a seasonal ARMA and the Theta method, weighed on the
# latest windows), and the networks learn what that start misses: each window and its targets are taken relative to the
# window's last value and scaled by its mean level
# (``window_normalization="last"``), and the network is trained with the
# pinball loss on the start's residuals; the point forecast is the median.
# The latest windows decide whether the networks are kept, and calibrate the
# intervals. ``recurrent=False`` fits the linear start alone: the ablation.
forecaster = RNNForecaster(window_length=24, random_state=0)
forecaster.fit(y_train, fh=fh)
y_pred = forecaster.predict()
interval = forecaster.predict_interval(coverage=0.9)
linear = RNNForecaster(window_length=24, recurrent=False).fit(y_train, fh=fh)

# How much the network lowered the validation loss of the start (negative:
# it raised it), and whether the forecasts are the start's alone.
weights = ", ".join(f"{k} {w:.2f}" for k, w in forecaster.linear_weights_.items())
print(f"linear start: {weights}; recurrent_improvement_ "
      f"{forecaster.recurrent_improvement_:+.0%}; kept_linear_start_ "
      f"{forecaster.kept_linear_start_}")

# %%
# The start is kept although the networks lowered its validation loss: the
# validation tail (of 108 training months, forecast 36 ahead) holds fewer
# than 10 independent horizons, too few to trust their gain, so the
# forecasts are the linear start's alone (``kept_linear_start_``), and score
# as ``recurrent=False`` does below.

# %%
# Baselines and scores.
naive = NaiveForecaster(strategy="last").fit(y_train).predict(fh)
seasonal = NaiveForecaster(strategy="last", sp=12).fit(y_train).predict(fh)

scores = {
    "RNNForecaster": mean_absolute_percentage_error(y_test, y_pred),
    "RNNForecaster(recurrent=False)": mean_absolute_percentage_error(
        y_test, linear.predict()
    ),
    "NaiveForecaster(strategy='last')": mean_absolute_percentage_error(y_test, naive),
    "NaiveForecaster(sp=12)": mean_absolute_percentage_error(y_test, seasonal),
}
for name, score in scores.items():
    print(f"MAPE {name:<34} {score:.3f}")

lower = interval.iloc[:, 0].to_numpy()
upper = interval.iloc[:, 1].to_numpy()
inside = (y_test.to_numpy() >= lower) & (y_test.to_numpy() <= upper)
print(f"90% interval coverage on the 36 held-out months: {inside.mean():.0%}")

# %%
# Plot, if matplotlib is available.
try:
    import matplotlib.pyplot as plt
except ImportError:  # pragma: no cover
    plt = None

if plt is not None:
    t_train = y_train.index.to_timestamp()
    t_test = y_test.index.to_timestamp()
    fig, ax = plt.subplots(figsize=(8, 4))
    ax.plot(t_train, y_train, color="black", label="training data")
    ax.plot(t_test, y_test, color="black", linestyle=":", label="held out")
    ax.plot(t_test, y_pred, color="C0", label="RNNForecaster (median)")
    ax.fill_between(t_test, lower, upper, color="C0", alpha=0.2, label="90% interval")
    ax.plot(t_test, seasonal, color="C1", alpha=0.7, label="seasonal naive")
    ax.set_ylabel("passengers (thousands)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    plt.show()
