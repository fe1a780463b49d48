"""scikit-learn's meta-estimators that pass X on as it is keep its sequences.

The user guide's "Meta-estimators" names them; each is fitted here on a 3D
panel, and its members must have read the sequences as they are (review
s36 rvB M5: the list had no test).
"""

import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.calibration import CalibratedClassifierCV
from sklearn.ensemble import (
    AdaBoostClassifier,
    AdaBoostRegressor,
    BaggingRegressor,
    StackingClassifier,
    StackingRegressor,
    VotingClassifier,
)
from sklearn.exceptions import ConvergenceWarning
from sklearn.multiclass import OneVsRestClassifier
from sklearn.multioutput import MultiOutputRegressor

from sklearn_rnn import LSTMRegressor, SequenceClassifier

CLF = SequenceClassifier(hidden_size=4, max_iter=2, random_state=0)
REG = LSTMRegressor(hidden_size=4, max_iter=2, random_state=0)


def _members(meta):
    for name in ("estimators_", "calibrated_classifiers_"):
        for member in getattr(meta, name, []):
            yield getattr(member, "estimator", member)


@pytest.mark.parametrize("make, kind", [
    (lambda: OneVsRestClassifier(CLF), "c"),
    (lambda: CalibratedClassifierCV(CLF, cv=3), "c"),
    (lambda: AdaBoostClassifier(CLF, n_estimators=2, random_state=0), "c"),
    (lambda: AdaBoostRegressor(REG, n_estimators=2, random_state=0), "r"),
    (lambda: StackingClassifier([("rnn", CLF)], cv=3), "c"),
    (lambda: VotingClassifier([("a", CLF), ("b", clone(CLF))], voting="soft"), "c"),
    (lambda: StackingRegressor([("rnn", REG)], cv=3), "r"),
    (lambda: MultiOutputRegressor(REG), "m"),
])
def test_meta_estimators_keep_the_sequences(make, kind):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 8, 2))
    y = {"c": np.array(["a", "b", "c"])[rng.randint(0, 3, 60)], "r": X[:, -1, 0],
         "m": X[:, -1, :]}[kind]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        meta = make().fit(X, y)
    members = list(_members(meta))
    assert members
    for member in members:
        assert (member.n_timesteps_in_, member.n_channels_in_) == (8, 2)
    assert meta.predict(X[:3]).shape == (3,) + y.shape[1:]


def test_bagging_takes_the_flattened_table():
    # BaggingRegressor's own check refuses 3D input; the
    # flattened table with n_channels keeps the sequences, as the guide says
    rng = np.random.RandomState(0)
    X = rng.normal(size=(60, 8, 2))
    y = X[:, -1, 0]
    with pytest.raises(ValueError, match="dim 3"):  # "dim <= 2" in older scikit-learn
        BaggingRegressor(REG, n_estimators=2, random_state=0).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        meta = BaggingRegressor(clone(REG).set_params(n_channels=2), n_estimators=2,
                                random_state=0).fit(X.reshape(60, 16), y)
    for member in meta.estimators_:
        assert (member.n_timesteps_in_, member.n_channels_in_) == (8, 2)
