"""scikit-learn's estimator checks on every public estimator, no expected failures."""

import pytest
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn.utils.discovery import all_estimators


def _instances():
    for _, Estimator in all_estimators():
        yield Estimator()


@parametrize_with_checks(list(_instances()))
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_all_estimators_found():
    names = {name for name, _ in all_estimators()}
    assert {"SequenceRegressor", "LSTMRegressor", "GRURegressor",
            "SequenceClassifier"} <= names
