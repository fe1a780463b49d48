"""Out-of-the-box accuracy on real data shipped with sktime (issue: strong defaults).

Default settings plus ``random_state=0``, official train/test splits.
"""

import warnings

import numpy as np
import pytest

sktime = pytest.importorskip("sktime")

from sktime.datasets import load_airline, load_gunpoint, load_japanese_vowels  # noqa: E402
from sktime.forecasting.compose import make_reduction  # noqa: E402
from sktime.forecasting.model_selection import temporal_train_test_split  # noqa: E402
from sktime.forecasting.naive import NaiveForecaster  # noqa: E402
from sktime.performance_metrics.forecasting import (  # noqa: E402
    mean_absolute_percentage_error as mape,
)

from sklearn_rnn import GRURegressor, LSTMRegressor, SequenceClassifier  # noqa: E402

pytestmark = pytest.mark.slow


@pytest.fixture(autouse=True)
def _quiet():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


@pytest.mark.parametrize("Regressor", [LSTMRegressor, GRURegressor])
def test_airline_make_reduction_beats_seasonal_naive(Regressor):
    y = load_airline()
    train, test = temporal_train_test_split(y, test_size=36)
    fh = np.arange(1, 37)
    naive = mape(test, NaiveForecaster(sp=12).fit(train).predict(fh))
    forecaster = make_reduction(Regressor(random_state=0), window_length=24)
    ours = mape(test, forecaster.fit(train).predict(fh))
    assert ours <= 0.08
    assert ours < naive


def test_gunpoint_accuracy():
    X_train, y_train = load_gunpoint(split="train", return_type="numpy3D")
    X_test, y_test = load_gunpoint(split="test", return_type="numpy3D")
    clf = SequenceClassifier(random_state=0).fit(X_train.transpose(0, 2, 1), y_train)
    assert clf.score(X_test.transpose(0, 2, 1), y_test) >= 0.97


def _japanese_vowels(split):
    X, y = load_japanese_vowels(split=split, return_type="nested_univ")
    seqs = [
        np.column_stack([X.iloc[i, j].to_numpy() for j in range(X.shape[1])])
        for i in range(len(X))
    ]
    return seqs, np.asarray(y)


def test_japanese_vowels_accuracy():
    # Unequal lengths (7-26 steps), 12 channels, 9 classes. Measured 0.981
    # (363/370; 0.978-0.984 over random_state 0-4); every correct test
    # sequence wins by a probability margin of at least 0.3.
    X_train, y_train = _japanese_vowels("train")
    X_test, y_test = _japanese_vowels("test")
    clf = SequenceClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.98
