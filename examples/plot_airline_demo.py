"""
Forecasting airline passengers with an LSTM in one line
=======================================================

The main demo (``make demo``): :class:`~sklearn_rnn.LSTMRegressor` with its
default settings, used as a recursive forecaster through sktime's
``make_reduction``, predicts the last 36 months of the airline passengers
series (it ships with sktime and loads offline). Its error is printed next to
the seasonal naive forecast's, which it must beat.
"""

# %%
import sys
import time
import warnings

import numpy as np
import torch
from sktime.datasets import load_airline
from sktime.forecasting.compose import make_reduction
from sktime.forecasting.model_selection import temporal_train_test_split
from sktime.forecasting.naive import NaiveForecaster
from sktime.performance_metrics.forecasting import (
    mean_absolute_percentage_error as mape,
)

from sklearn_rnn import LSTMRegressor

torch.set_num_threads(1)  # small recurrent networks run fastest on one thread
# sktime 1.2 announces a change of its ``remember_data`` default each time one
# of its forecasters is constructed (set_config cannot reach a constructor).
# It concerns sktime's ``update``, which this demo does not call.
warnings.filterwarnings(
    "ignore", message="The default of config ``remember_data``", category=FutureWarning
)

y = load_airline()
y_train, y_test = temporal_train_test_split(y, test_size=36)
fh = np.arange(1, 37)

# %%
# Both forecasters are built and fitted (fit constructs them anew) before
# anything predicts: sktime's predict resets FutureWarning filters.
forecaster = make_reduction(LSTMRegressor(random_state=0), window_length=24)
seasonal_naive = NaiveForecaster(sp=12).fit(y_train)
start = time.perf_counter()
y_pred = forecaster.fit(y_train).predict(fh)
seconds = time.perf_counter() - start
naive = seasonal_naive.predict(fh)

ours, baseline = mape(y_test, y_pred), mape(y_test, naive)
print(f"LSTMRegressor (make_reduction, window 24): MAPE {ours:.4f}  ({seconds:.1f} s)")
print(f"seasonal naive (sp=12):                    MAPE {baseline:.4f}")

# %%
try:
    import matplotlib.pyplot as plt
except ImportError:
    plt = None
if plt is not None:
    fig, ax = plt.subplots(figsize=(8, 3))
    ax.plot(y.index.to_timestamp(), y.to_numpy(), label="observed", color="black")
    ax.plot(y_pred.index.to_timestamp(), y_pred.to_numpy(), label="LSTMRegressor")
    ax.plot(naive.index.to_timestamp(), naive.to_numpy(), label="seasonal naive", ls="--")
    ax.set_ylabel("passengers (thousands)")
    ax.set_title(
        f"last 36 months held out: LSTMRegressor MAPE {ours:.3f}, "
        f"seasonal naive {baseline:.3f}"
    )
    ax.legend(loc="upper left")
    fig.tight_layout()

if __name__ == "__main__" and not ours < baseline:
    sys.exit("the LSTM forecast did not beat the seasonal naive forecast")
