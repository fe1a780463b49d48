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
classes (an actor drawing a gun, or pointing a finger). Its default start
already separates them, and the curves say so; its recurrent network
alone shows how much the choice of validation set matters when the training
set is this small. A regressor on the airline series then shows its
fitted start competing with the trained epochs: early stopping keeps a
trained epoch only where it beats the start by more than the noise of the
validation rows, as one does here.
"""

# %%
# Data. sktime lays a panel out as ``(n_instances, n_channels,
# n_timepoints)``; the estimators read ``(n_samples, n_timesteps,
# n_channels)`` unless told ``time_axis=2``, as below.
import matplotlib.pyplot as plt
import numpy as np
from sklearn.neighbors import KNeighborsClassifier
from sktime.datasets import load_airline, load_gunpoint

from sklearn_rnn import LSTMRegressor, SequenceClassifier
from sklearn_rnn.plotting import plot_history
from sklearn_rnn.windowing import make_windows

X_train, y_train = load_gunpoint(split="train", return_type="numpy3D")
X_test, y_test = load_gunpoint(split="test", return_type="numpy3D")
print("train", X_train.shape, "test", X_test.shape)

# %%
# A simple baseline to read the test accuracies below against:
# 1-nearest-neighbour with the Euclidean distance on the raw series.
knn = KNeighborsClassifier(n_neighbors=1).fit(X_train[:, 0], y_train)
print(f"1-nearest-neighbour baseline: test accuracy {knn.score(X_test[:, 0], y_test):.3f}")

# %%
# Early stopping keeps the start
# ------------------------------
# ``early_stopping=True`` holds out a stratified ``validation_fraction`` of
# the training series (10%, the default: here 5 of the 50), stops when their
# loss has not improved for ``n_iter_no_change`` epochs (30 for the
# classifier), and restores the weights of the best epoch. The classifier
# starts from a ridge classifier on random convolutions of the series
# (``random_biases``), and those starting weights count as epoch 0.
clf = SequenceClassifier(
    early_stopping=True, validation_fraction=0.1, max_iter=300, random_state=0,
    time_axis=2,
)
clf.fit(X_train, y_train)
print(f"stopped after {clf.n_iter_} epochs, kept epoch {clf.best_epoch_} "
      f"(validation loss {clf.initial_validation_loss_:.1e} at the start, "
      f"improvement {clf.training_improvement_:.0%}), "
      f"test accuracy {clf.score(X_test, y_test):.3f}")

# %%
# The curves: the start already classifies the 5 validation series with a
# loss near 1e-6, no trained epoch does better, and after more than 30 epochs
# without an improvement training stops and gives the start back
# (``best_epoch_ == 0``, ``training_improvement_ == 0``).
fig, ax = plt.subplots(figsize=(7, 4))
plot_history(clf, ax=ax)
ax.set_yscale("log")
ax.set_title("GunPoint, defaults: the start kept")
fig.tight_layout()
plt.show()

# %%
# The recurrent network alone: 5 validation series
# -------------------------------------------------
# With ``random_biases=0`` there is no convolution branch and no fitted
# start: the recurrent network learns from random weights, slowly at the
# classifier's small learning rate. Early stopping now decides how long it
# trains.
rnn10 = SequenceClassifier(
    early_stopping=True, validation_fraction=0.1, max_iter=300, random_state=0,
    time_axis=2, random_biases=0,
)
rnn10.fit(X_train, y_train)
print(f"validation_fraction=0.1: stopped after {rnn10.n_iter_} epochs, "
      f"kept epoch {rnn10.best_epoch_}, test accuracy {rnn10.score(X_test, y_test):.3f}")

# %%
# On 5 series the validation loss drifts up in the first epochs, while the
# network has not yet learnt anything, and the rule ends training after more than 30
# epochs without an improvement: the network is left at chance. These curves
# alone, with no test data, show that it stopped before it began.
fig, ax = plt.subplots(figsize=(7, 4))
plot_history(rnn10, ax=ax)
ax.set_title("GunPoint, random_biases=0, validation_fraction=0.1 (5 series)")
fig.tight_layout()
plt.show()

# %%
# A larger validation set
# -----------------------
# With 10 validation series the loss no longer rises by chance before the
# network learns, and training runs for as long as it keeps improving.
# (``history_`` also records the validation accuracy, ``"valid_score"``,
# which we draw on a second axis.)
rnn20 = SequenceClassifier(
    early_stopping=True, validation_fraction=0.2, max_iter=300, random_state=0,
    time_axis=2, random_biases=0,
)
rnn20.fit(X_train, y_train)
print(f"validation_fraction=0.2: stopped after {rnn20.n_iter_} epochs, "
      f"kept epoch {rnn20.best_epoch_}, test accuracy {rnn20.score(X_test, y_test):.3f}")

fig, ax = plt.subplots(figsize=(7, 4))
plot_history(rnn20, ax=ax)
ax.set_title("GunPoint, random_biases=0, validation_fraction=0.2 (10 series)")
ax_score = ax.twinx()
ax_score.plot(
    [record["epoch"] for record in rnn20.history_],
    [record["valid_score"] for record in rnn20.history_],
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
# Both networks were fitted on the same 50 series, with the same seed; only
# the validation split differs. Neither recurrent network alone reaches the
# 1-nearest-neighbour baseline here; the defaults' start (first section)
# does. With so little data, look at the curves before trusting early
# stopping, or hold out more (the test set cannot be used for this), or
# raise ``n_iter_no_change``. ``best_validation_score_`` is the validation
# accuracy of the weights kept:
print(f"best_validation_score_: {rnn10.best_validation_score_:.2f} (5 series), "
      f"{rnn20.best_validation_score_:.2f} (10 series)")

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
# validation loss, ``initial_validation_loss_``, is not drawn. On this run a
# trained epoch beat it, so early stopping restored that epoch, not the start,
# and ``training_improvement_`` is how far its validation loss fell below the
# start's (it would be 0 with ``best_epoch_ == 0``, the start kept):
kept_loss = next((record["valid_loss"] for record in reg.history_
                  if record["epoch"] == reg.best_epoch_), reg.initial_validation_loss_)
print(f"validation loss: start {reg.initial_validation_loss_:.4g}, "
      f"kept epoch {reg.best_epoch_} {kept_loss:.4g}; "
      f"training_improvement_ {reg.training_improvement_:.0%}")

fig, ax = plt.subplots(figsize=(7, 4))
plot_history(reg, ax=ax)
ax.set_yscale("log")
ax.set_title("airline, LSTMRegressor")
fig.tight_layout()
plt.show()
