"""Running an LSTM on fewer rows than the padded batch (issue: performance).

``lstm_rows`` may only return a row count whose outputs match the padded
batch bit for bit, since larger batches run on all their rows and a
prediction must not depend on the sequences predicted beside it.
"""

import itertools

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

from sklearn_rnn import LSTMRegressor, SequenceClassifier
from sklearn_rnn._kernels.lstm_small_batch import lstm_rows

CASES = list(itertools.product([16, 64], [1, 2], [1, 3], [False, True], [True, False]))


@pytest.mark.filterwarnings("ignore:TF32 acceleration on top of oneDNN")
@pytest.mark.parametrize("hidden, layers, channels, bidirectional, mkldnn", CASES)
def test_rows_returned_reproduce_the_padded_batch(hidden, layers, channels, bidirectional,
                                                  mkldnn):
    torch.manual_seed(hidden + layers + channels)
    lstm = torch.nn.LSTM(channels, hidden, num_layers=layers, batch_first=True,
                         bidirectional=bidirectional).eval()
    x = torch.randn(4, 23, channels)
    with torch.backends.mkldnn.flags(enabled=mkldnn), torch.inference_mode():
        out, (h_n, c_n) = lstm(x)
        for real in (1, 2, 3):
            rows = lstm_rows(lstm, x, real)
            assert real <= rows <= 4
            part, (h_part, c_part) = lstm(x[:rows])
            assert torch.equal(part[:real], out[:real])
            assert torch.equal(h_part[:, :real], h_n[:, :real])
            assert torch.equal(c_part[:, :real], c_n[:, :real])


def test_probe_leaves_the_global_random_state_alone():
    lstm = torch.nn.LSTM(2, 24, batch_first=True).eval()
    state = torch.get_rng_state()
    with torch.inference_mode():
        lstm_rows(lstm, torch.zeros(4, 31, 2), 1)
    assert torch.equal(torch.get_rng_state(), state)


@pytest.mark.parametrize("case", ["training", "grad", "gru", "no_rows", "all_rows", "float64"])
def test_all_rows_run_where_no_saving_is_known_to_be_exact(case):
    rnn = torch.nn.LSTM(2, 16, batch_first=True).eval()
    x = torch.zeros(4, 5, 2)
    if case == "training":
        rnn.train()
    if case == "gru":
        rnn = torch.nn.GRU(2, 16, batch_first=True).eval()
    if case == "float64":
        rnn, x = rnn.double(), x.double()
    rows = {"no_rows": None, "all_rows": 4}.get(case, 1)
    with torch.inference_mode(case != "grad"):
        assert lstm_rows(rnn, x, rows) == 4


@pytest.mark.parametrize(
    "params",
    [dict(num_layers=1), dict(num_layers=2), dict(bidirectional=True, pooling="concat"),
     dict(pooling="last"), dict(pooling="mean")],
    ids=["one_layer", "two_layers", "bidirectional_concat", "last", "mean"],
)
def test_lstm_predictions_of_a_few_sequences_match_the_full_batch(params):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(30, 40, 2)).astype(np.float32)
    y = X[:, -3:, 0].sum(axis=1)
    est = LSTMRegressor(hidden_size=32, max_iter=3, early_stopping=False, random_state=0,
                        **params).fit(X, y)
    full = est.predict(X)
    assert_array_equal(np.concatenate([est.predict(X[i : i + 1]) for i in range(30)]), full)
    assert_array_equal(np.concatenate([est.predict(X[i : i + 3]) for i in range(0, 30, 3)]),
                       full)
    clf = SequenceClassifier(hidden_size=32, max_iter=3, early_stopping=False, random_state=0,
                             **params).fit(X, y > 0)
    proba = clf.predict_proba(X)
    assert_array_equal(np.concatenate([clf.predict_proba(X[i : i + 2]) for i in range(0, 30, 2)]),
                       proba)


def test_batches_of_four_real_rows_or_more_run_whole():
    lstm = torch.nn.LSTM(2, 16, batch_first=True).eval()
    with torch.inference_mode():
        assert lstm_rows(lstm, torch.zeros(8, 5, 2), 5) == 8
        assert lstm_rows(lstm, torch.zeros(12, 5, 2), 11) == 12


@pytest.mark.parametrize("exact, fewest", [
    ({1, 2, 3}, 1),  # every count matches: one row runs
    ({1, 2}, 4),  # 3 rows differ: fewer rows are not tried on, the batch runs
])
def test_the_probe_returns_the_fewest_rows_of_an_unbroken_run_of_matches(
        monkeypatch, exact, fewest):
    # the probe's verdicts, whatever this machine's kernels give
    from sklearn_rnn._kernels import lstm_small_batch

    monkeypatch.setattr(lstm_small_batch, "_FEWEST", {})
    monkeypatch.setattr(lstm_small_batch, "_same_rows", lambda part, full, rows: rows in exact)
    lstm = torch.nn.LSTM(2, 16, batch_first=True).eval()
    with torch.inference_mode():
        assert lstm_rows(lstm, torch.zeros(4, 7, 2), 1) == fewest
