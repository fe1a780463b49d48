"""Out-of-the-box accuracy on real data shipped with sktime (issue: strong defaults).

Default settings plus ``random_state=0``, official train/test splits.
"""

import re
import warnings

import numpy as np
import pytest

sktime = pytest.importorskip("sktime")

from sktime.datasets import (  # noqa: E402
    load_airline,
    load_arrow_head,
    load_basic_motions,
    load_gunpoint,
    load_japanese_vowels,
    load_osuleaf,
)
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


def test_airline_readme_row_network_and_its_start():
    """The README's airline row: with ``random_state=0`` the network is kept
    (it lowers its linear start's validation loss, recorded 27 %), scoring
    MAPE 0.0635, and the linear start alone (fitted on every window, never
    trained) scores 0.0446."""
    y = load_airline()
    train, test = temporal_train_test_split(y, test_size=36)
    fh = np.arange(1, 37)
    full = make_reduction(LSTMRegressor(random_state=0), window_length=24).fit(train)
    regressor = full.estimator_
    assert regressor.best_epoch_ > 0 and regressor.training_improvement_ > 0.2
    start = make_reduction(
        LSTMRegressor(random_state=0, early_stopping=False, max_iter=1,
                      learning_rate_init=1e-30),
        window_length=24,
    ).fit(train)
    assert mape(test, start.predict(fh)) == pytest.approx(0.0446, abs=0.001)
    assert mape(test, full.predict(fh)) == pytest.approx(0.0635, abs=0.01)


def test_skip_steps_auto_on_airline_windows_of_60_months():
    """The user guide's figure for ``skip_steps="auto"``: 48 windows of 60
    months, the skip connection reading 24 of their steps (at least two
    windows per input) against all 60: MAPE 0.051 against 0.063 (0.59
    against 0.05 when the rule came in, with a smaller penalty)."""
    y = load_airline()
    train, test = temporal_train_test_split(y, test_size=36)
    fh = np.arange(1, 37)
    scores = {}
    for steps in ("auto", 60):
        forecaster = make_reduction(LSTMRegressor(skip_steps=steps, random_state=0),
                                    window_length=60).fit(train)
        scores[steps] = mape(test, forecaster.predict(fh))
        if steps == "auto":
            assert forecaster.estimator_.skip_steps_ == 24
    assert scores["auto"] == pytest.approx(0.051, abs=0.005)
    assert scores[60] == pytest.approx(0.063, abs=0.01)
    assert scores["auto"] < scores[60]


def test_the_readme_figure_shows_the_readme_rows_forecast():
    """``make readme-figure`` writes the demo's title, with its MAPE, into
    the PNG; the figure showed the linear start's 0.045 for two weeks after
    the default changed (review R)."""
    from pathlib import Path

    from PIL import Image

    figure = Path(__file__).resolve().parent.parent / "docs" / "_static" / "airline_forecast.png"
    title = Image.open(figure).text.get("Title", "")
    shown = re.search(r"LSTMRegressor MAPE ([0-9.]+),", title)
    assert shown and float(shown.group(1)) == pytest.approx(0.0635, abs=0.001)  # the row above


def _numpy3d(loader, split):
    """Batch-first (n_samples, n_timesteps, n_channels) arrays and labels."""
    X, y = loader(split=split, return_type="numpy3D")
    return X.transpose(0, 2, 1), np.asarray(y)


def _nearest_neighbour(X_train, y_train, X_test, y_test):
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=1)
    knn.fit(X_train.reshape(len(X_train), -1), y_train)
    return knn.score(X_test.reshape(len(X_test), -1), y_test)


# The bar per set is max(1-NN, MiniRocket - 0.01) with the defaults
# and random_state=0; benchmarks/classification.py measures all eight sets
# against both. Here: a few sets, with a margin under what was measured
# (docs/benchmarks.md, "Sequence classification").
@pytest.mark.parametrize(
    "loader, at_least",
    [
        # measured 0.993, 0.993 for every seed 0-4 (1-NN 0.913, MiniRocket
        # 0.993); the issue asks for at least 0.98
        (load_gunpoint, 0.98),
        # measured 0.886, 0.880-0.891 over seeds 0-4 (1-NN 0.800, MiniRocket
        # 0.863); before the ridge start's fitted logit scale 0.903 (0.880-0.903),
        # before the random convolutions 0.651
        (load_arrow_head, 0.86),
        # measured 1.000 for every seed (1-NN 0.600, MiniRocket 1.000); 39 of
        # 40 is 0.975
        (load_basic_motions, 0.975),
        # measured 0.950, 0.946-0.955 over seeds 0-4 (1-NN 0.521, MiniRocket
        # 0.959); before: 0.665
        (load_osuleaf, 0.93),
    ],
    ids=["GunPoint", "ArrowHead", "BasicMotions", "OSULeaf"],
)
def test_accuracy_on_official_split(loader, at_least):
    X_train, y_train = _numpy3d(loader, "train")
    X_test, y_test = _numpy3d(loader, "test")
    clf = SequenceClassifier(random_state=0).fit(X_train, y_train)
    ours = clf.score(X_test, y_test)
    assert ours >= at_least
    assert ours > _nearest_neighbour(X_train, y_train, X_test, y_test)


def _japanese_vowels(split):
    X, y = load_japanese_vowels(split=split, return_type="nested_univ")
    seqs = [
        np.column_stack([X.iloc[i, j].to_numpy() for j in range(X.shape[1])])
        for i in range(len(X))
    ]
    return seqs, np.asarray(y)


def test_japanese_vowels_accuracy():
    # Unequal lengths (7-26 steps), 12 channels, 9 classes. Measured 0.989
    # (366/370; 0.986-0.992 over random_state 0-4); before the random
    # convolutions, 0.981.
    X_train, y_train = _japanese_vowels("train")
    X_test, y_test = _japanese_vowels("test")
    clf = SequenceClassifier(random_state=0).fit(X_train, y_train)
    assert clf.score(X_test, y_test) >= 0.98


def test_the_classifiers_accuracy_is_its_ridge_starts_fine_tuned():
    """The README's and user guide's statement (thirty-third session, review
    rvA F1): on ArrowHead the recurrent layers change next to nothing, so
    that their size does not move the accuracy and their columns of the
    output layer set to zero change no prediction. A gain of the recurrent
    layers would fail this test: then the statement is to be revised.
    Since the thirty-fourth session they are trained against the start's
    leave-one-out logits first, and not kept here (tests/test_stacking.py
    has a set where they are)."""
    import torch

    X_train, y_train = _numpy3d(load_arrow_head, "train")
    X_test, y_test = _numpy3d(load_arrow_head, "test")
    clf = SequenceClassifier(random_state=0).fit(X_train, y_train)
    assert clf.kept_ridge_start_ is True
    small = SequenceClassifier(random_state=0, hidden_size=1).fit(X_train, y_train)
    assert abs(clf.score(X_test, y_test) - small.score(X_test, y_test)) <= 0.01
    expected = clf.predict(X_test)
    width = clf.module_.random_conv.output_size  # the features, last in the head
    with torch.no_grad():
        clf.module_.head.weight[:, :-width] = 0  # the recurrent summary's columns
    assert np.mean(clf.predict(X_test) != expected) <= 0.01


def test_the_classification_benchmarks_parity_set_and_recurrent_ablation():
    """benchmarks.classification --sets BumpParity --recurrent-ablation, the
    command behind the README's parity figures: the set is fixed by its seed
    and labelled by the parity of its bumps; the ablation zeroes the output
    weights on the recurrent summary only (the ridge start alone, whose
    recurrent weights are zero, scores the same)."""
    from benchmarks.classification import bump_parity, recurrent_ablation

    X_train, y_train, X_test, y_test = bump_parity(n=40, steps=100)
    assert X_train.shape == X_test.shape == (40, 100, 1)
    assert set(y_train) <= {"odd", "even"} and len(set(y_train)) == 2
    np.testing.assert_array_equal(bump_parity(n=40)[0], X_train)
    start = SequenceClassifier(learning_rate_init=1e-12, max_iter=1, random_state=0)
    start.fit(X_train, y_train)
    assert recurrent_ablation(start, X_test, y_test) == start.score(X_test, y_test)
    trained = SequenceClassifier(random_biases=0, max_iter=5, random_state=0)
    trained.fit(X_train, y_train)  # the recurrent layers alone: at 0, one class
    assert recurrent_ablation(trained, X_test, y_test) in (
        np.mean(y_test == "odd"), np.mean(y_test == "even"))
