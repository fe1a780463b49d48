"""Out-of-the-box accuracy: default settings on real data, with fit times.

Run ``python -m benchmarks.defaults`` (``--help`` for options; ``--only``
picks rows by name). Every model is the estimator with its defaults plus
``random_state`` (0 unless ``--seeds`` asks for more), on the official
train/test split of data that ships with sktime (nothing is downloaded), and
torch runs on one thread. Each row also reports a classical reference
measured in the same run:

* classification (``SequenceClassifier()``): 1-nearest-neighbour with the
  Euclidean distance on the raw values (sequences of unequal length are
  linearly resampled to their median length for it);
* forecasting (``make_reduction(LSTMRegressor(), window_length)``, recursive,
  last ``test`` points held out): a naive forecast (seasonal where the series
  is seasonal);
* time-series extrinsic regression (``LSTMRegressor()`` on whole series):
  ridge regression with built-in cross-validation on the standardised raw
  values.

The table is printed as Markdown; ``docs/benchmarks.md`` holds the latest
results. GunPoint, JapaneseVowels and airline are the rows the defaults issue
names; the other rows are there so that defaults tuned to those three alone
would show.
"""

import argparse
import os
import platform
import time
import warnings
from dataclasses import dataclass

import numpy as np
import torch


@dataclass
class Row:
    name: str
    task: str
    metric: str
    ours: list
    reference_name: str
    reference: float
    fit_seconds: list
    shape: str

    def cells(self):
        ours = np.mean(self.ours)
        spread = (
            f" ({min(self.ours):.3f}-{max(self.ours):.3f})" if len(self.ours) > 1 else ""
        )
        better = _better(self.metric, ours, self.reference)
        return [
            self.name,
            self.task,
            self.shape,
            self.metric,
            f"**{ours:.3f}**{spread}" if better else f"{ours:.3f}{spread}",
            f"{self.reference:.3f} ({self.reference_name})",
            f"{np.mean(self.fit_seconds):.1f}",
        ]


def _better(metric, ours, reference):
    higher = metric == "accuracy"
    return ours > reference if higher else ours < reference


# ----------------------------------------------------------------------
# Data
CLASSIFICATION = {
    "GunPoint": "load_gunpoint",
    "JapaneseVowels": "load_japanese_vowels",
    "ArrowHead": "load_arrow_head",
    "BasicMotions": "load_basic_motions",
    "ItalyPowerDemand": "load_italy_power_demand",
    "OSULeaf": "load_osuleaf",
    "ACSF1": "load_acsf1",
    "PLAID": "load_plaid",
}

#: name: (loader, window_length, test size, metric, naive strategy, seasonal
#: period or None). MAPE only where the series stays far from zero.
FORECASTING = {
    "airline": ("load_airline", 24, 36, "MAPE", "last", 12),
    "lynx": ("load_lynx", 20, 14, "MAE", "last", None),
    "shampoo sales": ("load_shampoo_sales", 12, 12, "MAPE", "last", None),
    "US consumption": ("load_uschange", 8, 20, "MAE", "mean", None),
}

EXTRINSIC = {
    "Tecator": "load_tecator",
    "Covid3Month": "load_covid_3month",
}


def load_panel(loader, split):
    """Sequences of one sktime panel split: a 3D array or a list, and labels."""
    from sktime import datasets

    result = getattr(datasets, loader)(split=split)
    X, y = result if isinstance(result, tuple) else (result, None)
    seqs = [
        np.column_stack([np.asarray(X.iloc[i, j], dtype=np.float32)
                         for j in range(X.shape[1])])
        for i in range(len(X))
    ]
    if len({len(s) for s in seqs}) == 1:
        seqs = np.stack(seqs)
    return seqs, np.asarray(y)


def _flat_for_nearest_neighbour(seqs, length):
    """Flatten sequences, resampling unequal ones to ``length`` steps."""
    if isinstance(seqs, np.ndarray):
        return seqs.reshape(len(seqs), -1)
    grid = np.linspace(0.0, 1.0, length)
    rows = []
    for s in seqs:
        t = np.linspace(0.0, 1.0, len(s))
        rows.append(np.concatenate([np.interp(grid, t, s[:, c]) for c in range(s.shape[1])]))
    return np.asarray(rows)


def _describe(seqs, n_test):
    lengths = [len(s) for s in seqs]
    width = seqs[0].shape[1]
    span = f"{min(lengths)}-{max(lengths)}" if min(lengths) != max(lengths) else f"{lengths[0]}"
    return f"{len(seqs)}/{n_test} x {span} x {width}"


# ----------------------------------------------------------------------
# Rows
def classification_row(name, seeds):
    from sklearn.neighbors import KNeighborsClassifier

    from sklearn_rnn import SequenceClassifier

    X_train, y_train = load_panel(CLASSIFICATION[name], "train")
    X_test, y_test = load_panel(CLASSIFICATION[name], "test")
    scores, times = [], []
    for seed in seeds:
        start = time.perf_counter()
        clf = SequenceClassifier(random_state=seed).fit(X_train, y_train)
        times.append(time.perf_counter() - start)
        scores.append(clf.score(X_test, y_test))
    length = int(np.median([len(s) for s in X_train]))
    knn = KNeighborsClassifier(n_neighbors=1).fit(
        _flat_for_nearest_neighbour(X_train, length), y_train
    )
    reference = knn.score(_flat_for_nearest_neighbour(X_test, length), y_test)
    return Row(name, "classification", "accuracy", scores, "1-NN Euclidean",
               reference, times, _describe(X_train, len(X_test)))


def forecasting_row(name, seeds):
    from sktime import datasets
    from sktime.forecasting.compose import make_reduction
    from sktime.forecasting.model_selection import temporal_train_test_split
    from sktime.forecasting.naive import NaiveForecaster
    from sktime.performance_metrics.forecasting import (
        mean_absolute_error,
        mean_absolute_percentage_error,
    )

    from sklearn_rnn import LSTMRegressor

    loader, window, n_test, metric_name, strategy, sp = FORECASTING[name]
    y = getattr(datasets, loader)()
    if isinstance(y, tuple):  # (y, X): the target only
        y = y[0]
    y = y.astype("float64")
    train, test = temporal_train_test_split(y, test_size=n_test)
    fh = np.arange(1, n_test + 1)
    metric = mean_absolute_percentage_error if metric_name == "MAPE" else mean_absolute_error
    scores, times = [], []
    for seed in seeds:
        forecaster = make_reduction(LSTMRegressor(random_state=seed), window_length=window)
        start = time.perf_counter()
        forecaster.fit(train)
        times.append(time.perf_counter() - start)
        scores.append(float(metric(test, forecaster.predict(fh))))
    naive = NaiveForecaster(strategy, sp=sp or 1).fit(train)
    reference = float(metric(test, naive.predict(fh)))
    label = f"seasonal naive, sp={sp}" if sp else f"naive {strategy}"
    return Row(name, f"forecast, window {window}", metric_name, scores, label,
               reference, times, f"{len(train)}/{n_test} points")


def extrinsic_row(name, seeds):
    from sklearn.linear_model import RidgeCV
    from sklearn.metrics import mean_squared_error
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from sklearn_rnn import LSTMRegressor

    X_train, y_train = load_panel(EXTRINSIC[name], "train")
    X_test, y_test = load_panel(EXTRINSIC[name], "test")
    y_train, y_test = y_train.astype(np.float64), y_test.astype(np.float64)
    scores, times = [], []
    for seed in seeds:
        start = time.perf_counter()
        reg = LSTMRegressor(random_state=seed).fit(X_train, y_train)
        times.append(time.perf_counter() - start)
        scores.append(mean_squared_error(y_test, reg.predict(X_test)) ** 0.5)
    ridge = make_pipeline(StandardScaler(), RidgeCV(alphas=np.logspace(-3, 3, 13)))
    ridge.fit(X_train.reshape(len(X_train), -1), y_train)
    reference = mean_squared_error(y_test, ridge.predict(X_test.reshape(len(X_test), -1))) ** 0.5
    return Row(name, "extrinsic regression", "RMSE", scores, "ridge (CV)",
               reference, times, _describe(X_train, len(X_test)))


def all_rows():
    rows = [(name, classification_row) for name in CLASSIFICATION]
    rows += [(name, forecasting_row) for name in FORECASTING]
    rows += [(name, extrinsic_row) for name in EXTRINSIC]
    return rows


HEADER = ["data", "task", "train/test x length x channels", "metric",
          "ours (defaults)", "reference", "fit s"]


def print_header():
    print("| " + " | ".join(HEADER) + " |")
    print("|" + "|".join(" --- " for _ in HEADER) + "|", flush=True)


def print_row(row):
    print("| " + " | ".join(row.cells()) + " |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seeds", type=int, default=1,
                        help="random_state 0..seeds-1; the mean is reported (default 1)")
    parser.add_argument("--only", nargs="*", default=None,
                        help="row names to run (default: all)")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)
    warnings.simplefilter("ignore")  # sktime's deprecation notices, ConvergenceWarning
    seeds = list(range(args.seeds))
    print(f"# defaults on real data: torch {torch.__version__}, 1 thread, "
          f"{platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, load {os.getloadavg()[0]:.1f}, "
          f"random_state {seeds}\n")
    selected = [(n, f) for n, f in all_rows() if args.only is None or n in args.only]
    print_header()
    rows = []
    for name, make in selected:
        # record=True: sktime's remember_data notice comes through filters
        # that sktime itself puts in front of the "ignore" above
        with warnings.catch_warnings(record=True):
            rows.append(make(name, seeds))
        print_row(rows[-1])
    return rows


if __name__ == "__main__":
    main()
