"""The GRU layer with a hand-written backward used in training (issue: performance).

It must compute what ``nn.GRU`` computes, outputs and every gradient, to
float32 rounding, and stand in for it only where it does.
"""

import itertools
from contextlib import nullcontext
from unittest import mock

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from sklearn_rnn import GRURegressor, SequenceClassifier
from sklearn_rnn import _kernels
from sklearn_rnn._kernels import gru_training as _gru_training
from sklearn_rnn._kernels.gru_training import gru_train, gru_train_applies

CASES = list(itertools.product([1, 5, 32], [1, 2], [False, True], [1, 3], [1, 2, 17], [1, 7]))


def _loss(out, h_n, weights_out, weights_h):
    # Gradients reach every step's output and every layer's final state.
    return (out * weights_out).sum() + (h_n * weights_h).sum()


@pytest.mark.parametrize("hidden, layers, bidirectional, channels, steps, batch", CASES)
def test_outputs_and_gradients_match_nn_gru(hidden, layers, bidirectional, channels, steps,
                                            batch):
    torch.manual_seed(hidden + 10 * layers + channels + steps + batch)
    gru = torch.nn.GRU(channels, hidden, num_layers=layers, bidirectional=bidirectional,
                       batch_first=True)
    directions = 2 if bidirectional else 1
    x = (2 * torch.randn(batch, steps, channels)).requires_grad_()
    w_out = torch.randn(batch, steps, directions * hidden)
    w_h = torch.randn(directions * layers, batch, hidden)
    assert gru_train_applies(gru, x)
    params = [x, *gru.parameters()]

    expected_out, expected_h = gru(x)
    expected_grads = torch.autograd.grad(_loss(expected_out, expected_h, w_out, w_h), params)
    out, h_n = gru_train(gru, x)
    grads = torch.autograd.grad(_loss(out, h_n, w_out, w_h), params)

    assert out.shape == expected_out.shape and h_n.shape == expected_h.shape
    assert_allclose(out.detach(), expected_out.detach(), rtol=1e-5, atol=1e-6)
    assert_allclose(h_n.detach(), expected_h.detach(), rtol=1e-5, atol=1e-6)
    for name, got, want in zip(["x", *dict(gru.named_parameters())], grads, expected_grads):
        assert got.shape == want.shape, name
        assert_allclose(got, want, rtol=1e-4, atol=1e-5, err_msg=name)


def test_input_gradient_is_skipped_when_the_input_needs_none():
    torch.manual_seed(0)
    gru = torch.nn.GRU(2, 8, batch_first=True)
    x = torch.randn(3, 6, 2)
    out, _ = gru_train(gru, x)
    out.sum().backward()
    assert x.grad is None
    expected = torch.autograd.grad(gru(x)[0].sum(), gru.weight_ih_l0)[0]
    assert_allclose(gru.weight_ih_l0.grad, expected, rtol=1e-4, atol=1e-5)


def test_dropout_between_layers_is_applied_as_nn_gru_applies_it():
    # With p=1 the second layer reads zeros in both implementations.
    torch.manual_seed(0)
    gru = torch.nn.GRU(2, 8, num_layers=2, dropout=1.0, batch_first=True)
    x = torch.randn(3, 6, 2)
    out, h_n = gru_train(gru, x)
    expected_out, expected_h = gru(x)
    assert_allclose(out.detach(), expected_out.detach(), rtol=1e-5, atol=1e-6)
    assert_allclose(h_n.detach(), expected_h.detach(), rtol=1e-5, atol=1e-6)
    # and p=0.5 in training changes the second layer's input
    gru.dropout = 0.5
    assert not torch.allclose(gru_train(gru, x)[0], gru.eval()(x)[0])


def _gru(**kwargs):
    return torch.nn.GRU(2, 8, batch_first=kwargs.pop("batch_first", True), **kwargs)


@pytest.mark.parametrize(
    "case",
    ["eval", "no_grad", "inference_mode", "no_bias", "time_major",
     "float64", "autocast", "lstm", "empty", "no_torchscript"],
)
def test_refused_where_it_would_not_compute_nn_gru(case):
    rnn = _gru(bias=case != "no_bias", batch_first=case != "time_major")
    x = torch.zeros(0 if case == "empty" else 4, 5, 2)
    if case == "eval":
        rnn.eval()
    if case == "lstm":
        rnn = torch.nn.LSTM(2, 8, batch_first=True)
    if case == "float64":
        rnn, x = rnn.double(), x.double()
    scripted = (lambda: None) if case == "no_torchscript" else _gru_training._scripted
    with (
        torch.inference_mode() if case == "inference_mode" else nullcontext(),
        torch.no_grad() if case == "no_grad" else nullcontext(),
        torch.autocast("cpu", dtype=torch.bfloat16, enabled=case == "autocast"),
        mock.patch.object(_gru_training, "_scripted", scripted),
    ):
        assert not gru_train_applies(rnn, x)
    assert gru_train_applies(_gru(), torch.zeros(4, 5, 2))


def _series(n=48, steps=20, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, steps, 2)).astype(np.float32)
    return X, X[:, -3:, 0].sum(axis=1)


@pytest.mark.parametrize("num_layers, bidirectional", [(1, False), (2, False), (2, True)])
def test_estimator_trains_through_it_with_nn_gru_training_curve(num_layers, bidirectional):
    X, y = _series()
    params = dict(hidden_size=16, num_layers=num_layers, bidirectional=bidirectional,
                  max_iter=4, batch_size=16, early_stopping=False, random_state=0)
    with mock.patch.object(_kernels, "gru_train", wraps=_kernels.gru_train) as spy:
        ours = GRURegressor(**params).fit(X, y)
    assert spy.call_count == 4 * 3  # every training batch: 4 epochs x 3 batches
    with mock.patch.object(_kernels, "gru_train_applies", return_value=False):
        plain = GRURegressor(**params).fit(X, y)
    # The same training, up to float32 rounding of the gradients.
    assert_allclose(ours.loss_curve_, plain.loss_curve_, rtol=1e-4)
    assert_allclose(ours.predict(X), plain.predict(X), rtol=1e-3, atol=1e-4)


def test_variable_length_training_runs_padded_on_the_gru_kernel():
    # sequences of different lengths run padded on the CPU (_kernels.padded),
    # as equal-length batches: the GRU's own kernel trains them (before, they
    # ran packed through nn.GRU)
    X = [np.arange(n, dtype=np.float32).reshape(-1, 1) for n in (5, 8, 6, 9) * 5]
    y = np.array([len(s) for s in X], dtype=float)
    with mock.patch.object(_kernels, "gru_train", wraps=_kernels.gru_train) as spy:
        GRURegressor(hidden_size=8, max_iter=2, early_stopping=False, random_state=0).fit(X, y)
    assert spy.call_count > 0


def test_classifier_with_gru_cell_is_reproducible():
    X, _ = _series(n=40)
    y = np.where(X[:, -1, 0] > 0, "up", "down")
    params = dict(cell="gru", hidden_size=8, max_iter=3, early_stopping=False, random_state=1)
    a = SequenceClassifier(**params).fit(X, y).predict_proba(X)
    b = SequenceClassifier(**params).fit(X, y).predict_proba(X)
    assert np.array_equal(a, b)
