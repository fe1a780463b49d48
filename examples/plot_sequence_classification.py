"""
Time series classification with RNNClassifier
=============================================

:class:`~sklearn_rnn.sktime.RNNClassifier` is an sktime classifier: it takes
sktime panels, equal or unequal in length, univariate or multivariate, and
fits a :class:`~sklearn_rnn.SequenceClassifier` to the whole series of each
instance.

We use two data sets that ship with sktime, each with its official train/test
split:

* GunPoint: 50 training series of 150 time points, one channel, two classes
  (drawing a gun or pointing a finger).
* JapaneseVowels: 270 training and 370 test utterances of 7 to 29 time
  points, 12 channels (cepstral coefficients), nine speakers. The series
  differ in length; the network runs them padded, each read to its own last
  step, never truncated.
"""

# %%
# Data. sktime lays a panel out channel-first, ``(n_instances, n_channels,
# n_timepoints)``; the classifier converts it for the network.
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sktime.datasets import load_gunpoint, load_japanese_vowels

from sklearn_rnn.sktime import RNNClassifier

torch.set_num_threads(1)
# The hand-set fit below runs a fixed number of epochs on purpose.
warnings.filterwarnings("ignore", category=ConvergenceWarning)

X_gp_train, y_gp_train = load_gunpoint(split="train", return_type="numpy3D")
X_gp_test, y_gp_test = load_gunpoint(split="test", return_type="numpy3D")
# JapaneseVowels comes as a nested DataFrame (sktime's "nested_univ" format).
X_jv_train, y_jv_train = load_japanese_vowels(split="train")
X_jv_test, y_jv_test = load_japanese_vowels(split="test")
print("GunPoint train:", X_gp_train.shape)
lengths = [len(X_jv_train.iloc[i, 0]) for i in range(len(X_jv_train))]
print(
    f"JapaneseVowels train: {len(X_jv_train)} instances, "
    f"{X_jv_train.shape[1]} channels, lengths {min(lengths)}-{max(lengths)}"
)


def fit_and_score(clf, X_train, y_train, X_test, y_test):
    start = time.perf_counter()
    clf.fit(X_train, y_train)
    fit_time = time.perf_counter() - start
    accuracy = np.mean(clf.predict(X_test) == y_test)
    return accuracy, fit_time


# %%
# GunPoint. The two classes differ in small dips before and after the main
# peak of a 150-step series. The classifier's defaults (``random_state`` only,
# for a reproducible fit) read it in patches of 5 time points
# (``patch_size="auto"``), so the recurrent layers (a bidirectional LSTM) take
# 30 steps, beside fixed random convolutions (MiniRocket's kernels); the
# output layer starts from a ridge fit.
gunpoint_clf = RNNClassifier(random_state=0)
acc, seconds = fit_and_score(gunpoint_clf, X_gp_train, y_gp_train, X_gp_test, y_gp_test)
print(f"GunPoint       test accuracy {acc:.3f}  (fit {seconds:.1f} s)")

# %%
# The parameters can also be set by hand, here only as an illustration of
# them: a GRU summarised by the concatenation of its last state, mean and
# maximum over time (``pooling="concat"``), trained for 60 epochs of small
# batches with gradient clipping. On GunPoint it does no better than the
# defaults.
gru_clf = RNNClassifier(
    cell="gru",
    hidden_size=32,
    pooling="concat",
    batch_size=10,
    learning_rate_init=0.003,
    gradient_clip=1.0,
    max_iter=60,
    tol=0.0,
    random_state=0,
)
acc, seconds = fit_and_score(gru_clf, X_gp_train, y_gp_train, X_gp_test, y_gp_test)
print(f"GunPoint, GRU  test accuracy {acc:.3f}  (fit {seconds:.1f} s)")

# %%
# JapaneseVowels: unequal lengths and 12 channels, passed in sktime's nested
# format as loaded, to the defaults again.
vowels_clf = RNNClassifier(random_state=0)
acc, seconds = fit_and_score(vowels_clf, X_jv_train, y_jv_train, X_jv_test, y_jv_test)
print(f"JapaneseVowels test accuracy {acc:.3f}  (fit {seconds:.1f} s)")

# %%
# Class probabilities come from ``predict_proba``, columns in the order of
# ``classes_``; the fitted :class:`~sklearn_rnn.SequenceClassifier` is
# ``estimator_``, with its training history.
proba = vowels_clf.predict_proba(X_jv_test.iloc[:3])
print("classes:", vowels_clf.classes_)
print("probabilities of the first 3 test utterances:\n", proba.round(2))

# %%
# Plot, if matplotlib is available: a few GunPoint training series per class,
# and the training loss of both classifiers per epoch.
try:
    import matplotlib.pyplot as plt
except ImportError:  # pragma: no cover
    plt = None

if plt is not None:
    fig, (ax_series, ax_loss) = plt.subplots(1, 2, figsize=(10, 4))
    for color, label in zip(["C0", "C1"], np.unique(y_gp_train)):
        rows = np.flatnonzero(y_gp_train == label)[:5]
        for k, row in enumerate(rows):
            ax_series.plot(
                X_gp_train[row, 0],
                color=color,
                alpha=0.7,
                label=f"class {label}" if k == 0 else None,
            )
    ax_series.set_title("GunPoint training series")
    ax_series.set_xlabel("time point")
    ax_series.legend()
    ax_loss.plot(gunpoint_clf.estimator_.loss_curve_, label="GunPoint")
    ax_loss.plot(vowels_clf.estimator_.loss_curve_, label="JapaneseVowels")
    ax_loss.set_title("training loss (cross-entropy)")
    ax_loss.set_xlabel("epoch")
    ax_loss.set_yscale("log")
    ax_loss.legend()
    fig.tight_layout()
    plt.show()
