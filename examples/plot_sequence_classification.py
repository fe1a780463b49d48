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

Each test accuracy is printed next to that of a simple baseline,
1-nearest-neighbour on the raw values.
"""

# %%
# Data. sktime lays a panel out channel-first, ``(n_instances, n_channels,
# n_timepoints)``; the classifier converts it for the network.
import time
import warnings

import numpy as np
import torch
from sklearn.exceptions import ConvergenceWarning
from sklearn.neighbors import KNeighborsClassifier
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
# The baseline: 1-nearest-neighbour with the Euclidean distance on the raw
# values, the usual reference of time series classification. It needs
# series of one length, so each channel is linearly resampled to the median
# training length (GunPoint's series keep their 150 points), as
# ``python -m benchmarks.defaults`` does.
def instances(X):
    """Each instance as a list of its channels (1D arrays)."""
    if isinstance(X, np.ndarray):  # numpy3D: (n_instances, n_channels, n_timepoints)
        return [list(x) for x in X]
    return [[X.iloc[i, j].to_numpy() for j in range(X.shape[1])] for i in range(len(X))]


def resampled(X, length):
    """One row per instance: its channels resampled to ``length`` points."""
    grid = np.linspace(0.0, 1.0, length)
    return np.array([
        np.concatenate([np.interp(grid, np.linspace(0.0, 1.0, len(c)), c) for c in x])
        for x in instances(X)
    ])


def nearest_neighbour_accuracy(X_train, y_train, X_test, y_test):
    length = int(np.median([len(x[0]) for x in instances(X_train)]))
    knn = KNeighborsClassifier(n_neighbors=1).fit(resampled(X_train, length), y_train)
    return knn.score(resampled(X_test, length), y_test)


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
baseline = nearest_neighbour_accuracy(X_gp_train, y_gp_train, X_gp_test, y_gp_test)
print(f"GunPoint       1-nearest-neighbour baseline {baseline:.3f}")

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
baseline = nearest_neighbour_accuracy(X_jv_train, y_jv_train, X_jv_test, y_jv_test)
print(f"JapaneseVowels 1-nearest-neighbour baseline {baseline:.3f}")

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
