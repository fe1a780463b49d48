"""Sequences of different lengths run padded, not packed, on the CPU (review F1).

The padded run (``sklearn_rnn._kernels.padded``) must compute what the
packed run computes, to float32 rounding: the last layer's outputs (zeros
past each length, ``max(lengths)`` steps), its final hidden states, and
every gradient; NaN in the padding must reach neither. It must stand aside
where it does not apply (off the CPU, in an ONNX export), and a sequence
must predict alike alone and in a batch of others.
"""

import itertools
from unittest import mock

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from sklearn_rnn import LSTMRegressor, SequenceClassifier, SequenceRegressor
from sklearn_rnn import _kernels
from sklearn_rnn._kernels import padded as _padded
from sklearn_rnn._kernels import run_recurrent

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _packed(rnn, x, lengths):
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    out, h_n = rnn(packed)
    return pad_packed_sequence(out, batch_first=True)[0], h_n


def _hidden(h_n):
    return h_n[0] if isinstance(h_n, tuple) else h_n


def _close(got, want, name):
    assert got.shape == want.shape, name
    assert_allclose(got.detach(), want.detach(), rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize("cls, layers, bidirectional, training", list(itertools.product(
    [torch.nn.LSTM, torch.nn.GRU], [1, 2], [False, True], [True, False])))
def test_padded_run_matches_the_packed_run(cls, layers, bidirectional, training):
    torch.manual_seed(layers + 2 * bidirectional)
    rnn = cls(3, 6, num_layers=layers, bidirectional=bidirectional,
              batch_first=True).train(training)
    # a row of length 1, rows at full length, and more steps than the longest
    lengths = torch.tensor([1, 11, 4, 7, 2, 11, 9])
    x = torch.randn(len(lengths), 13, 3)
    padding = torch.arange(13)[None, :] >= lengths[:, None]
    x_nan = x.masked_fill(padding[:, :, None], float("nan")).requires_grad_()
    x_zero = x.masked_fill(padding[:, :, None], 0.0).requires_grad_()
    params = list(rnn.parameters())
    directions = 2 if bidirectional else 1

    out, h_n = run_recurrent(rnn, x_nan, lengths)
    want_out, want_h_n = _packed(rnn, x_zero, lengths)
    _close(out, want_out, "output")  # max(lengths) steps, zeros past each length
    _close(_hidden(h_n), _hidden(want_h_n)[-directions:], "h_n")
    assert out.shape[1] == 11 and not out[padding[:, :11]].any()

    w_out, w_h = torch.randn_like(want_out), torch.randn(directions, len(lengths), 6)
    got = torch.autograd.grad((out * w_out).sum() + (_hidden(h_n) * w_h).sum(),
                              [x_nan] + params)
    want = torch.autograd.grad(
        (want_out * w_out).sum() + (_hidden(want_h_n)[-directions:] * w_h).sum(),
        [x_zero] + params)
    assert torch.isfinite(got[0]).all()
    for name, g, w in zip(["x", *dict(rnn.named_parameters())], got, want):
        _close(g, w, name)


@pytest.mark.parametrize("bidirectional", [False, True])
def test_final_states_only_without_outputs(bidirectional):
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(2, 4, bidirectional=bidirectional, batch_first=True)
    x, lengths = torch.randn(3, 5, 2), torch.tensor([5, 1, 3])
    with torch.no_grad():
        out, (h_n, c_n) = run_recurrent(lstm, x, lengths, keep_outputs=False)
        _, (want_h_n, _) = _packed(lstm, x, lengths)
    assert c_n is None
    assert out.shape == (3, 1, 4 * (1 + bidirectional))
    _close(out[:, 0], torch.cat(list(want_h_n), dim=1), "final states")
    # packed (off the CPU): the same, without unpacking the outputs
    with torch.no_grad(), mock.patch.object(_kernels, "padded_applies", return_value=False), \
            mock.patch.object(_kernels, "pad_packed_sequence") as unpack:
        packed_out, (h_n, c_n) = run_recurrent(lstm, x, lengths, keep_outputs=False)
    unpack.assert_not_called()
    assert h_n.shape == c_n.shape == want_h_n.shape
    _close(packed_out, out, "packed final states")


@pytest.mark.parametrize("bidirectional", [False, True])
def test_final_states_of_stacked_layers_are_the_last_layers(bidirectional):
    # packed (off the CPU), h_n holds every layer's states: the output is the last's
    torch.manual_seed(0)
    lstm = torch.nn.LSTM(2, 4, num_layers=2, bidirectional=bidirectional, batch_first=True)
    x, lengths = torch.randn(3, 5, 2), torch.tensor([5, 1, 3])
    directions = 1 + bidirectional
    with torch.no_grad():
        padded_out, _ = run_recurrent(lstm, x, lengths, keep_outputs=False)
        with mock.patch.object(_kernels, "padded_applies", return_value=False):
            packed_out, (h_n, _) = run_recurrent(lstm, x, lengths, keep_outputs=False)
    assert h_n.shape[0] == 2 * directions
    assert torch.equal(packed_out[:, 0], torch.cat(list(h_n[-directions:]), dim=1))
    _close(packed_out, padded_out, "final states of the last layer")


def test_padded_run_is_used_on_the_cpu_only_outside_export():
    lstm = torch.nn.LSTM(2, 4, batch_first=True)
    x, lengths = torch.randn(3, 5, 2), torch.tensor([5, 1, 3])
    assert _padded.padded_applies(lstm, x, lengths)
    with mock.patch.object(_kernels, "pack_padded_sequence",
                           side_effect=AssertionError("packed on the CPU")):
        run_recurrent(lstm, x, lengths)[0].sum().backward()
    with mock.patch.object(torch.onnx, "is_in_onnx_export", return_value=True):
        assert not _padded.padded_applies(lstm, x, lengths)
    # patch the name run_recurrent calls (imported into _kernels), not
    # _padded.run_padded, which it never looks up; the mock wraps the real run
    with mock.patch.object(_kernels, "run_padded", wraps=_kernels.run_padded) as padded:
        run_recurrent(lstm, x, lengths, keep_outputs=False)  # outside export: padded
        assert padded.call_count == 1  # the mock sees the padded run
        padded.reset_mock()
        with mock.patch.object(torch.onnx, "is_in_onnx_export", return_value=True):
            out, (h_n, c_n) = run_recurrent(lstm, x, lengths, keep_outputs=False)
    padded.assert_not_called()
    # packed: every layer's states, and the outputs still unpacked for the exporter
    assert out.shape == (3, 5, 4) and c_n.shape == (1, 3, 4)
    assert not _padded.padded_applies(lstm, x, torch.tensor([5, 0, 3]))  # packing refuses it
    assert not _padded.padded_applies(lstm.to(torch.device("meta")), x.to("meta"), lengths)


@pytest.mark.parametrize("Estimator, params", [
    (LSTMRegressor, {}),
    (SequenceRegressor, {"cell": "gru", "pooling": "mean", "patch_size": 1}),
    (SequenceClassifier, {"random_biases": 0}),  # bidirectional by default
])
def test_a_sequence_predicts_alike_alone_and_among_others(Estimator, params):
    rng = np.random.default_rng(0)
    lengths = rng.integers(3, 15, 40)
    seqs = [rng.standard_normal((n, 2)).astype(np.float32) for n in lengths]
    y = np.array([s[:, 0].sum() for s in seqs])
    if Estimator is SequenceClassifier:
        y = (y > np.median(y)).astype(int)
    est = Estimator(max_iter=3, hidden_size=8, random_state=0, **params).fit(seqs, y)
    assert est.module_.rnn.bidirectional == (Estimator is SequenceClassifier)
    together = est.predict(seqs)
    alone = np.array([est.predict(seqs[i:i + 1])[0] for i in range(10)])
    assert_allclose(alone, together[:10], rtol=1e-5, atol=1e-6)


def test_training_on_a_list_matches_the_packed_run():
    rng = np.random.default_rng(1)
    seqs = [rng.standard_normal((n, 1)).astype(np.float32) for n in rng.integers(2, 20, 60)]
    y = np.array([s.sum() for s in seqs])
    params = dict(max_iter=3, hidden_size=8, random_state=0, shuffle=False)
    padded = LSTMRegressor(**params).fit(seqs, y)
    with mock.patch.object(_kernels, "padded_applies", return_value=False):
        packed = LSTMRegressor(**params).fit(seqs, y)
    assert_allclose(padded.loss_curve_, packed.loss_curve_, rtol=1e-4)
    assert_allclose(padded.predict(seqs), packed.predict(seqs), rtol=1e-3, atol=1e-4)


def test_a_training_batch_is_cut_to_its_longest_sequence(monkeypatch):
    from sklearn_rnn._networks import RecurrentNetwork

    widths = []
    forward = RecurrentNetwork.forward

    def recorded(self, x, *args, **kwargs):
        if self.training:
            widths.append(x.shape[1])
        return forward(self, x, *args, **kwargs)

    monkeypatch.setattr(RecurrentNetwork, "forward", recorded)
    rng = np.random.RandomState(0)
    seqs = [rng.normal(size=(n, 1)) for n in [2, 3, 2, 3, 8, 6, 8, 7]]
    y = np.array([s[-1, 0] for s in seqs])
    LSTMRegressor(hidden_size=2, max_iter=2, batch_size=4, shuffle=False,
                  early_stopping=False, random_state=0).fit(seqs, y)
    assert widths == [3, 8, 3, 8]
