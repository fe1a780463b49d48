"""
Exporting the airline forecaster to ONNX
========================================

A fitted estimator can be exported with :func:`sklearn_rnn.to_onnx` to an
ONNX model that holds its whole prediction path: the input scaling, the
recurrent layers, the head and the scaling of the targets back to
passengers. `ONNX Runtime <https://onnxruntime.ai>`_ then serves the
forecasts with neither torch nor this package installed.

We fit the airline forecaster of sktime's reduction (one
:class:`~sklearn_rnn.LSTMRegressor` that reads the last 24 months and
predicts the next 36 at once), export its regressor, and forecast with
``onnxruntime`` alone. See :doc:`/deploying` for pickle, skops and ONNX.
"""

# %%
# Fit: sktime's ``make_reduction`` frames the series as windows of 24
# months (oldest first) with the 36 following months as targets.
import os
import subprocess
import sys
import tempfile

import matplotlib.pyplot as plt
import numpy as np
import torch
from sktime.datasets import load_airline
from sktime.forecasting.compose import make_reduction

from sklearn_rnn import LSTMRegressor, to_onnx

torch.set_num_threads(1)

y = load_airline()
y_train, y_test = y.iloc[:-36], y.iloc[-36:]
forecaster = make_reduction(
    LSTMRegressor(hidden_size=32, window_normalization="last", random_state=0),
    window_length=24, strategy="multioutput",
)
forecaster.fit(y_train, fh=np.arange(1, 37))
y_pred = forecaster.predict()

# %%
# Export the fitted regressor. It was fitted on 2D windows, so the graph
# takes a 2D float32 input ``"X"`` of 24 columns (any number of rows) and
# returns ``"variable"``, the 36 forecasts per row.
model = to_onnx(forecaster.estimator_)
path = os.path.join(tempfile.mkdtemp(), "airline.onnx")
with open(path, "wb") as f:
    f.write(model.SerializeToString())
print([i.name for i in model.graph.input], [o.name for o in model.graph.output])
print(f"{os.path.getsize(path) / 1024:.0f} KiB")

# %%
# Serve it with ``onnxruntime`` and NumPy only. To show that nothing else is
# needed, the script runs in a fresh Python process in which importing
# torch or sklearn_rnn fails.
serve = f"""
import sys
sys.modules["torch"] = sys.modules["sklearn_rnn"] = None  # not installed
import numpy as np
import onnxruntime as ort

session = ort.InferenceSession({path!r})
history = np.array({y_train.to_numpy()[-24:].tolist()}, dtype=np.float32)
(forecast,) = session.run(None, {{"X": history[None, :]}})
print(" ".join(repr(float(v)) for v in forecast[0]))
"""
result = subprocess.run([sys.executable, "-c", serve], capture_output=True, text=True,
                        check=True)
onnx_forecast = np.array(result.stdout.split(), dtype=float)
relative = np.max(np.abs(onnx_forecast - y_pred.to_numpy()) / y_pred.to_numpy())
print(f"largest relative difference to forecaster.predict(): {relative:.1e}")

# %%
# The ONNX forecast is the forecaster's, to float32 rounding at most.
fig, ax = plt.subplots(figsize=(7, 3.5))
ax.plot(y.index.to_timestamp(), y.to_numpy(), color="0.3", label="passengers")
ax.plot(y_test.index.to_timestamp(), y_pred.to_numpy(), lw=3, alpha=0.5,
        label="forecaster.predict()")
ax.plot(y_test.index.to_timestamp(), onnx_forecast, "--", label="ONNX Runtime")
ax.set_ylabel("passengers (thousands)")
ax.legend()
fig.tight_layout()
