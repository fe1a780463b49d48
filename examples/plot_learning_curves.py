"""
Learning curves and early stopping
==================================

Every fitted estimator keeps its training history in ``history_``: one
record per epoch with the training loss and, with ``early_stopping=True``,
the loss and score on the held-out validation samples.
:func:`sklearn_rnn.plotting.plot_history` draws it, and marks
``best_epoch_``, the epoch whose weights early stopping restored at the end
of ``fit``.

We train a :class:`~sklearn_rnn.SequenceClassifier` on GunPoint (it ships
with sktime): 50 training and 150 test series of 150 time points, two
classes (an actor drawing a gun, or pointing a finger). The curves show how
much the choice of validation set matters when the training set is this
small. A regressor on the airline series then shows early stopping keep the
weights it started from.
"""

# %%
# Data. sktime lays a panel out as ``(n_instances, n_channels,
# n_timepoints)``; the estimators read ``(n_samples, n_timesteps,
# n_channels)`` unless told ``time_axis=2``, as below.
import matplotlib.pyplot as plt
import numpy as np
from sktime.datasets import load_airline, load_gunpoint

from sklearn_rnn import LSTMRegressor, SequenceClassifier
from sklearn_rnn.plotting import plot_history
from sklearn_rnn.windowing import make_windows

X_train, y_train = load_gunpoint(split="train", return_type="numpy3D")
X_test, y_test = load_gunpoint(split="test", return_type="numpy3D")
print("train", X_train.shape, "test", X_test.shape)

# %%
# Early stopping with the default validation set
# ----------------------------------------------
# ``early_stopping=True`` holds out a stratified ``validation_fraction`` of
# the training series (10%, the default: here 5 of the 50), stops when their
# loss has not improved for ``n_iter_no_change`` epochs, and restores the
# weights of the epoch with the lowest validation loss.
clf = SequenceClassifier(
    early_stopping=True, validation_fraction=0.1, max_iter=300, random_state=0,
    time_axis=2,
)
clf.fit(X_train, y_train)
print(f"validation_fraction=0.1: stopped after {clf.n_iter_} epochs, "
      f"restored epoch {clf.best_epoch_}, "
      f"test accuracy {clf.score(X_test, y_test):.3f}")

# %%
# The curves: the validation loss of 5 series jumps from epoch to epoch
# (their accuracy can only move in steps of 20%), and training stops while
# the training loss is still falling fast. Whether the validation loss rose
# because the network began to overfit, or by the chance of which 5 series
# were held out, these curves cannot tell. That reading needs no test data,
# and it suggests a larger validation set.
fig, ax = plt.subplots(figsize=(7, 4))
plot_history(clf, ax=ax)
ax.set_yscale("log")
ax.set_title("GunPoint, validation_fraction=0.1 (5 series)")
fig.tight_layout()
plt.show()

# %%
# A larger validation set
# -----------------------
# With 10 validation series the validation loss is steadier, and training
# runs for as long as it keeps improving. (``history_`` also records the
# validation accuracy, ``"valid_score"``, which we draw on a second axis.)
clf20 = SequenceClassifier(
    early_stopping=True, validation_fraction=0.2, max_iter=300, random_state=0,
    time_axis=2,
)
clf20.fit(X_train, y_train)
print(f"validation_fraction=0.2: stopped after {clf20.n_iter_} epochs, "
      f"restored epoch {clf20.best_epoch_}, "
      f"test accuracy {clf20.score(X_test, y_test):.3f}")

fig, ax = plt.subplots(figsize=(7, 4))
plot_history(clf20, ax=ax)
ax.set_yscale("log")
ax.set_title("GunPoint, validation_fraction=0.2 (10 series)")
ax_score = ax.twinx()
ax_score.plot(
    [record["epoch"] for record in clf20.history_],
    [record["valid_score"] for record in clf20.history_],
    color="C2",
    alpha=0.5,
    label="validation accuracy",
)
ax_score.set_ylabel("validation accuracy")
ax_score.set_ylim(0, 1.05)
ax_score.legend(loc="center right")
fig.tight_layout()
plt.show()

# %%
# Both models were fitted on the same 50 series, with the same seed; only the
# validation split differs. With so little data, look at the curves before
# trusting early stopping, or hold out more (the test set cannot be used for
# this). ``best_validation_score_`` is the validation accuracy of the restored
# weights:
print(f"best_validation_score_: {clf.best_validation_score_:.2f} (5 series), "
      f"{clf20.best_validation_score_:.2f} (10 series)")

# %%
# The starting weights compete: a regressor
# -----------------------------------------
# :class:`~sklearn_rnn.LSTMRegressor` starts from the least-squares fit of a
# linear model on the last time steps of each window (fitted without the
# validation rows), and counts those starting weights as epoch 0. A trained
# epoch replaces them only where it lowers the validation loss by more than
# the noise of the validation rows; otherwise early stopping gives them back
# (``best_epoch_ == 0``). ``training_improvement_`` says by how much training
# did better. Airline passengers, windows of 24 months, the last 36 months
# held out:
series = load_airline()
X3d, y = make_windows(series, window_length=24)
X = X3d[:, :, 0]
reg = LSTMRegressor(random_state=0).fit(X[:-36], y[:-36])
y_pred = reg.predict(X[-36:])
mape = np.mean(np.abs(y_pred - y[-36:]) / y[-36:])
naive = np.mean(np.abs(X[-36:, -1] - y[-36:]) / y[-36:])
print(f"LSTMRegressor: {reg.n_iter_} epochs, restored epoch {reg.best_epoch_} "
      f"({reg.training_improvement_:.0%} below the start's validation loss); "
      f"one-step MAPE on the last 36 months {mape:.3f} (naive {naive:.3f})")


# %%
# ``history_`` holds the epochs trained, from 1 on; the starting weights'
# validation score is not drawn, but when they are restored it is
# ``best_validation_score_`` (R², higher is better), which can be compared
# with the best score of a trained epoch:
print(f"best_validation_score_ {reg.best_validation_score_:.4f}, "
      f"best trained epoch {max(reg.validation_scores_):.4f}")

fig, ax = plt.subplots(figsize=(7, 4))
plot_history(reg, ax=ax)
ax.set_yscale("log")
ax.set_title("airline, LSTMRegressor")
fig.tight_layout()
plt.show()
