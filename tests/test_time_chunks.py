"""Training long sequences in chunks of time steps (issue: performance).

Chunking may change the memory traffic only: outputs, final states and every
gradient must be those of the whole sequence at once, to float32 rounding,
and it must be used only in training on equal-length CPU batches.
"""

import itertools
from contextlib import nullcontext
from unittest import mock

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from sklearn_rnn import GRURegressor, LSTMRegressor
from sklearn_rnn import _kernels
from sklearn_rnn._kernels import time_chunks as _time_chunks
from sklearn_rnn._kernels.gru_training import gru_train
from sklearn_rnn._kernels.time_chunks import (
    CHUNKING_THRESHOLD, WORKSPACE_BUDGET, chunk_steps, lstm_in_chunks,
)
from sklearn_rnn._networks import RecurrentNetwork


def _grads(loss, params):
    return torch.autograd.grad(loss, params)


def _assert_same(got, want, names):
    for name, g, w in zip(names, got, want):
        assert g.shape == w.shape, name
        assert_allclose(g.detach(), w.detach(), rtol=1e-4, atol=1e-5, err_msg=name)


@pytest.mark.parametrize("layers, steps, chunk", list(itertools.product(
    [1, 2], [1, 7, 17], [1, 3, 7, 20])))
def test_lstm_in_chunks_matches_the_whole_sequence(layers, steps, chunk):
    torch.manual_seed(layers + steps + chunk)
    lstm = torch.nn.LSTM(3, 6, num_layers=layers, batch_first=True)
    x = torch.randn(5, steps, 3, requires_grad=True)
    w_out, w_h, w_c = torch.randn(5, steps, 6), torch.randn(layers, 5, 6), torch.randn(layers, 5, 6)
    params = [x, *lstm.parameters()]
    names = ["x", *dict(lstm.named_parameters())]

    def loss(out, state):
        return (out * w_out).sum() + (state[0] * w_h).sum() + (state[1] * w_c).sum()

    expected_out, expected_state = lstm(x)
    out, state = lstm_in_chunks(lstm, x, chunk)
    _assert_same([out, *state], [expected_out, *expected_state], ["out", "h_n", "c_n"])
    _assert_same(_grads(loss(out, state), params),
                 _grads(loss(expected_out, expected_state), params), names)


@pytest.mark.parametrize("hidden, layers, bidirectional, steps, chunk", list(itertools.product(
    [5, 32], [1, 2], [False, True], [1, 7, 17], [1, 3, 7, 20])))
def test_gru_kernel_in_chunks_matches_nn_gru(hidden, layers, bidirectional, steps, chunk):
    torch.manual_seed(hidden + layers + steps + chunk)
    gru = torch.nn.GRU(3, hidden, num_layers=layers, bidirectional=bidirectional,
                       batch_first=True)
    directions = 2 if bidirectional else 1
    x = torch.randn(6, steps, 3, requires_grad=True)
    w_out = torch.randn(6, steps, directions * hidden)
    w_h = torch.randn(directions * layers, 6, hidden)
    params = [x, *gru.parameters()]
    names = ["x", *dict(gru.named_parameters())]

    expected_out, expected_h = gru(x)
    out, h_n = gru_train(gru, x, chunk)
    _assert_same([out, h_n], [expected_out, expected_h], ["out", "h_n"])
    _assert_same(_grads((out * w_out).sum() + (h_n * w_h).sum(), params),
                 _grads((expected_out * w_out).sum() + (expected_h * w_h).sum(), params),
                 names)


@pytest.mark.parametrize("chunk", [None, 4])
def test_without_outputs_only_the_final_states_come_back(chunk):
    torch.manual_seed(0)
    x = torch.randn(3, 10, 2)
    lstm = torch.nn.LSTM(2, 4, num_layers=2, batch_first=True)
    out, (h_n, _) = lstm_in_chunks(lstm, x, chunk or 10, keep_outputs=False)
    assert out.shape == (3, 1, 4)
    assert_allclose(out[:, 0].detach(), h_n[-1].detach(), rtol=1e-6)

    gru = torch.nn.GRU(2, 4, num_layers=2, bidirectional=True, batch_first=True)
    out, h_n = gru_train(gru, x, chunk, keep_outputs=False)
    assert out.shape == (3, 1, 8)
    # each direction's final state: forward after the last step, reverse
    # after the first
    assert_allclose(out[:, 0].detach(), torch.cat([h_n[-2], h_n[-1]], 1).detach(), rtol=1e-6)
    full, _ = gru(x)
    assert_allclose(out[:, 0, :4].detach(), full[:, -1, :4].detach(), rtol=1e-5, atol=1e-6)
    assert_allclose(out[:, 0, 4:].detach(), full[:, 0, 4:].detach(), rtol=1e-5, atol=1e-6)


def test_chunks_fit_the_budget_and_short_sequences_are_not_chunked():
    lstm = torch.nn.LSTM(1, 64, batch_first=True)
    per_step = 62 * 128 * 64
    steps = chunk_steps(lstm, torch.zeros(128, 512, 1))
    assert 1 <= steps < 512
    # every chunk is within one step of the budget, and there are no more
    # chunks than the budget needs, give or take one
    assert (steps - 1) * per_step <= WORKSPACE_BUDGET
    assert -(-512 // steps) <= -(-512 * per_step // WORKSPACE_BUDGET) + 1
    # the benchmark's default case (48 steps) fits the threshold: one call
    assert 48 * per_step <= CHUNKING_THRESHOLD
    assert chunk_steps(lstm, torch.zeros(128, 48, 1)) is None
    # so does a short sequence of any module
    assert chunk_steps(torch.nn.GRU(1, 8, batch_first=True), torch.zeros(4, 10, 1)) is None
    # a GRU's buffers are smaller per step, a bidirectional GRU is chunked too
    gru = torch.nn.GRU(1, 64, batch_first=True, bidirectional=True)
    assert chunk_steps(gru, torch.zeros(128, 512, 1)) > steps


@pytest.mark.parametrize("case", ["eval", "no_grad", "inference_mode", "bidirectional_lstm",
                                  "projections", "time_major", "rnn"])
def test_not_chunked_where_it_could_change_more_than_memory(case):
    rnn = torch.nn.LSTM(
        1, 64, batch_first=case != "time_major", bidirectional=case == "bidirectional_lstm",
        proj_size=8 if case == "projections" else 0,
    )
    if case == "rnn":
        rnn = torch.nn.RNN(1, 64, batch_first=True)
    if case == "eval":
        rnn.eval()
    with (
        torch.no_grad() if case == "no_grad" else nullcontext(),
        torch.inference_mode() if case == "inference_mode" else nullcontext(),
    ):
        assert chunk_steps(rnn, torch.zeros(128, 512, 1)) is None


def _long_series(n=24, steps=30, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, steps, 1)).astype(np.float32)
    return X, X[:, -2:, 0].sum(axis=1)


@pytest.fixture
def tiny_budget(monkeypatch):
    # Chunk the small test data as the real budget chunks long sequences.
    monkeypatch.setattr(_time_chunks, "CHUNKING_THRESHOLD", 1024)
    monkeypatch.setattr(_time_chunks, "WORKSPACE_BUDGET", 62 * 8 * 8 * 7)


@pytest.mark.parametrize("estimator, pooling", [
    (LSTMRegressor, "last"), (LSTMRegressor, "mean"), (GRURegressor, "last"),
    (GRURegressor, "concat"),
])
def test_estimators_train_in_chunks_with_the_whole_sequence_training_curve(
        tiny_budget, estimator, pooling):
    X, y = _long_series()
    params = dict(hidden_size=8, pooling=pooling, max_iter=3, batch_size=8,
                  early_stopping=False, random_state=0)
    chunks = []

    def recorded(rnn, x):
        chunks.append(_time_chunks.chunk_steps(rnn, x))
        return chunks[-1]

    with mock.patch.object(_kernels, "chunk_steps", side_effect=recorded):
        chunked = estimator(**params).fit(X, y)
    # every training batch (3 epochs x 3 batches) ran in chunks; the check of
    # the last step's weights on one batch, in inference, the whole sequence
    assert len(chunks) == 3 * 3 + 1 and None not in chunks[:-1] and chunks[-1] is None
    with mock.patch.object(_kernels, "chunk_steps", return_value=None):
        whole = estimator(**params).fit(X, y)
    assert_allclose(chunked.loss_curve_, whole.loss_curve_, rtol=1e-4)
    assert_allclose(chunked.predict(X), whole.predict(X), rtol=1e-3, atol=1e-4)


def test_the_lstm_trains_through_the_chunks(tiny_budget):
    X, y = _long_series()
    with mock.patch.object(_kernels, "lstm_in_chunks",
                           wraps=_kernels.lstm_in_chunks) as spy:
        est = LSTMRegressor(hidden_size=8, max_iter=2, batch_size=8, early_stopping=False,
                            random_state=0).fit(X, y)
        assert spy.call_count == 2 * 3
        # 30 steps at 62 bytes x 8 rows x 8 units per step, 7 steps' budget
        assert all(call.args[2] == 6 for call in spy.call_args_list)
        est.predict(X)  # inference runs the whole sequence
        assert spy.call_count == 2 * 3


def test_the_gru_kernel_trains_through_the_chunks(tiny_budget):
    X, y = _long_series()
    with mock.patch.object(_kernels, "gru_train", wraps=_kernels.gru_train) as spy:
        GRURegressor(hidden_size=8, max_iter=2, batch_size=8, early_stopping=False,
                     random_state=0).fit(X, y)
    assert spy.call_count == 2 * 3
    # 48 bytes per unit: 30 steps in 4 chunks
    assert all(call.args[2] == 8 for call in spy.call_args_list)


def test_variable_length_sequences_chunk_padded_and_the_option_off_runs_whole(tiny_budget):
    # sequences of different lengths run padded on the CPU (_kernels.padded),
    # as equal-length batches, which train in chunks (before, they ran packed)
    X = [np.random.RandomState(n).normal(size=(n, 1)).astype(np.float32)
         for n in (25, 30, 28) * 4]
    y = np.array([s[-1, 0] for s in X])
    with mock.patch.object(_kernels, "lstm_in_chunks",
                           wraps=_kernels.lstm_in_chunks) as spy:
        LSTMRegressor(hidden_size=8, max_iter=1, early_stopping=False,
                      random_state=0).fit(X, y)
        assert spy.call_count > 0
        spy.reset_mock()
        net = RecurrentNetwork(1, 1, hidden_size=8, chunk_long_sequences=False)
        net(torch.zeros(8, 30, 1)).sum().backward()
        assert spy.call_count == 0
        net.chunk_long_sequences = True
        net(torch.zeros(8, 30, 1)).sum().backward()
        assert spy.call_count == 1
        del net.chunk_long_sequences  # a module pickled before the option
        net(torch.zeros(8, 30, 1)).sum().backward()
        assert spy.call_count == 2


def test_chunked_fits_are_reproducible(tiny_budget):
    X, y = _long_series()
    params = dict(hidden_size=8, num_layers=2, dropout=0.3, max_iter=2, batch_size=8,
                  early_stopping=False, random_state=3)
    a = LSTMRegressor(**params).fit(X, y).predict(X)
    b = LSTMRegressor(**params).fit(X, y).predict(X)
    assert np.array_equal(a, b)
