"""The GRU scan used to predict a few sequences (issue: performance).

It must give the same float32 bits as ``nn.GRU`` on the padded batch, since
larger batches go through ``nn.GRU`` and a prediction must not depend on the
sequences predicted beside it.
"""

import itertools
from unittest import mock

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

from sklearn_rnn import GRURegressor, SequenceClassifier
from sklearn_rnn import _kernels
from sklearn_rnn._kernels.gru_small_batch import MAX_ROWS, gru_scan, gru_scan_applies

CASES = list(itertools.product([32, 64], [1, 2], [1, 3], [1, 5, 48], [1, 2, 3]))


@pytest.mark.parametrize("hidden, layers, channels, steps, rows", CASES)
def test_scan_is_bitwise_equal_to_nn_gru_on_the_real_rows(hidden, layers, channels, steps, rows):
    torch.manual_seed(hidden + layers + channels + steps + rows)
    gru = torch.nn.GRU(channels, hidden, num_layers=layers, batch_first=True).eval()
    x = 2 * torch.randn(4, steps, channels)
    x[rows:] = 0
    with torch.inference_mode():
        assert gru_scan_applies(gru, x, rows)
        expected, expected_h = gru(x)
        out, h_n = gru_scan(gru, x, rows)
        last, last_h = gru_scan(gru, x, rows, keep_outputs=False)
    assert out.shape == expected.shape and h_n.shape == expected_h.shape
    assert torch.equal(out[:rows], expected[:rows])
    assert torch.equal(h_n[:, :rows], expected_h[:, :rows])
    assert last.shape == (4, 1, hidden)
    assert torch.equal(last[:rows, 0], expected[:rows, -1])
    assert torch.equal(last_h, h_n)


def _gru(**kwargs):
    return torch.nn.GRU(2, kwargs.pop("hidden", 32), batch_first=True, **kwargs).eval()


@pytest.mark.parametrize(
    "case",
    ["training", "bidirectional", "hidden_10", "grad", "autocast", "no_rows", "all_rows",
     "too_many_rows", "float64", "lstm"],
)
def test_scan_is_refused_where_it_is_not_known_to_be_exact(case):
    rnn = _gru(bidirectional=case == "bidirectional", hidden=10 if case == "hidden_10" else 32)
    if case == "lstm":
        rnn = torch.nn.LSTM(2, 32, batch_first=True).eval()
    if case == "training":
        rnn.train()
    x = torch.zeros(MAX_ROWS + 4 if case == "too_many_rows" else 4, 5, 2)
    rows = {"no_rows": None, "all_rows": x.shape[0]}.get(case, 1)
    if case == "float64":
        rnn, x = rnn.double(), x.double()
    with torch.inference_mode(case != "grad"), torch.autocast(
        "cpu", dtype=torch.bfloat16, enabled=case == "autocast"
    ):
        assert not gru_scan_applies(rnn, x, rows)
    with torch.inference_mode():
        assert gru_scan_applies(_gru(), torch.zeros(4, 5, 2), 1)


def _series(n=40, steps=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, steps, 2)).astype(np.float32)
    return X, X[:, -3:, 0].sum(axis=1)


@pytest.mark.parametrize("pooling", ["last", "concat"])
@pytest.mark.parametrize("num_layers", [1, 2])
def test_gru_predictions_of_a_few_sequences_match_the_full_batch(pooling, num_layers):
    X, y = _series()
    est = GRURegressor(hidden_size=32, num_layers=num_layers, pooling=pooling, max_iter=3,
                       early_stopping=False, random_state=0).fit(X, y)
    full = est.predict(X)
    with mock.patch.object(_kernels, "gru_scan", wraps=_kernels.gru_scan) as scan:
        parts = np.concatenate([est.predict(X[i : i + 3]) for i in range(0, 40, 3)])
        single = est.predict(X[5:6])
    assert scan.call_count == 15  # every predict call above is a batch of < 4 rows
    assert_array_equal(parts, full)
    assert_array_equal(single, full[5:6])


def test_classifier_probabilities_of_one_sequence_match_the_full_batch():
    X, _ = _series(n=30)
    y = np.where(X[:, -1, 0] > 0, "up", "down")
    clf = SequenceClassifier(cell="gru", hidden_size=32, max_iter=3, early_stopping=False,
                             random_state=0).fit(X, y)
    full = clf.predict_proba(X)
    assert_array_equal(np.concatenate([clf.predict_proba(X[i : i + 1]) for i in range(30)]), full)
