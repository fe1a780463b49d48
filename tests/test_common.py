"""scikit-learn's estimator checks on every public estimator."""

import pytest
from _checks import STRICT
from sklearn.utils.estimator_checks import parametrize_with_checks

from sklearn_rnn.utils.discovery import all_estimators

_ROW_DEPENDENT = (
    "LagWindowTransformer's output row t holds input rows t-L+1..t by design; "
    "this check assumes every output row depends on its own input row only"
)


def _instances():
    for _, Estimator in all_estimators():
        yield Estimator()
    # The quantile loss changes the outputs, the loss and predict's path.
    from sklearn_rnn import SequenceRegressor

    yield SequenceRegressor(loss="quantile", quantiles=[0.25, 0.75])
    # The setting the user guide gives behind a LagWindowTransformer: NaN in
    # the leading steps (no history yet) accepted, hence the allow_nan tag.
    from sklearn_rnn import LSTMRegressor

    yield LSTMRegressor(leading_nan="trim")


_STOCHASTIC_WEIGHTS = (
    "skip_steps='auto' sizes the linear skip connection by the number of rows "
    "of positive weight, so a row of weight 2 counts once and its repeat twice: "
    "on the check's 15 rows the weighted fit gets a skip of 4 steps, the "
    "repeated rows one of 13, another model (a gap of 1.7 on targets in "
    "{0, 1, 2}); with skip_steps fixed the check passes "
    "(tests/test_sample_weight.py), and trained epochs would match repeated "
    "rows only in expectation (mini-batch training in float32)"
)


_CLASSIFIER_WEIGHTS = (
    "integer weights are not repeated rows even in expectation: the ridge start "
    "chooses its penalty and logit scale by leave-one-out (a weighted row is left "
    "out whole, a repeated row one copy at a time), skip_steps='auto' counts rows "
    "as the regressors' does, and the random biases are drawn from the rows of "
    "positive weight with equal chance, not in proportion to their weights (with "
    "random_biases=0 and skip_steps fixed the gap is still about 0.1 in "
    "probability)"
)


_LEADING_NAN_ONLY = (
    "leading_nan='trim' accepts NaN in a sequence's leading steps only (no "
    "history yet, as a LagWindowTransformer leaves it), which the allow_nan tag "
    "says; this check puts NaN at random positions, inside sequences, which it "
    "refuses with a ValueError naming the sequence (the tag set False instead "
    "fails check_estimators_nan_inf, whose NaN at X[0, 0] is a leading step)"
)


def _expected_failed_checks(estimator):
    # The only entries: a lag-window transformer cannot be row-independent,
    # the regressors' skip_steps="auto" counts rows, not weights (the
    # classifier's start does not take weights as repeats either), and NaN
    # is accepted in leading steps only.
    if type(estimator).__name__ == "SequenceClassifier":
        return {"check_sample_weight_equivalence_on_dense_data": _CLASSIFIER_WEIGHTS}
    if type(estimator).__name__.startswith(("Sequence", "LSTM", "GRU")):
        return {"check_sample_weight_equivalence_on_dense_data": _STOCHASTIC_WEIGHTS,
                **({"check_estimators_pickle": _LEADING_NAN_ONLY}
                   if estimator.leading_nan == "trim" else {})}
    if type(estimator).__name__ == "LagWindowTransformer" and estimator.window_length > 1:
        return {
            "check_methods_subset_invariance": _ROW_DEPENDENT,
            "check_methods_sample_order_invariance": _ROW_DEPENDENT,
        }
    return {}


@parametrize_with_checks(
    list(_instances()), expected_failed_checks=_expected_failed_checks, **STRICT
)
def test_sklearn_compatible(estimator, check):
    check(estimator)


def test_all_estimators_found():
    names = {name for name, _ in all_estimators()}
    assert {
        "SequenceRegressor", "LSTMRegressor", "GRURegressor", "SequenceClassifier",
        "WindowTrimmer", "LagWindowTransformer",
    } <= names


@pytest.mark.parametrize("type_filter, expected", [
    ("classifier", {"SequenceClassifier"}),
    ("regressor", {"SequenceRegressor", "LSTMRegressor", "GRURegressor"}),
    ("transformer", {"WindowTrimmer", "LagWindowTransformer"}),
    ("cluster", set()),
    (["classifier", "transformer"],
     {"SequenceClassifier", "WindowTrimmer", "LagWindowTransformer"}),
])
def test_all_estimators_type_filter(type_filter, expected):
    # as sklearn.utils.discovery.all_estimators
    assert {name for name, _ in all_estimators(type_filter=type_filter)} == expected


def test_all_estimators_unknown_type_filter():
    with pytest.raises(ValueError, match=r"type_filter must be .*got \['clasifier'\]"):
        all_estimators(type_filter=["regressor", "clasifier"])


def test_readme_and_docs_name_exactly_the_expected_failures():
    import re
    from pathlib import Path

    expected = set()
    for estimator in _instances():
        expected |= set(_expected_failed_checks(estimator))
    # and the docs' front page, which named three of the four (review s36 rvB M3)
    for page in ("README.md", "docs/index.rst"):
        text = (Path(__file__).parents[1] / page).read_text(encoding="utf-8")
        claimed = set(re.findall(r"`(check_\w+)`", text)) - {"check_estimator"}
        assert claimed == expected, page
