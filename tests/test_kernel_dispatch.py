"""The one place the network's kernels are chosen (issue 20).

``RecurrentNetwork`` calls ``sklearn_rnn._kernels.run_recurrent`` for its
recurrent layers and ``pad_rows`` for the rows of a batch: the padding is
the module's own business at CPU inference, and off the CPU nothing pads and
no CPU kernel is consulted.
"""

from unittest import mock

import numpy as np
import pytest
import torch
from numpy.testing import assert_array_equal

from sklearn_rnn import GRURegressor, _kernels
from sklearn_rnn._networks import RecurrentNetwork
from sklearn_rnn._prediction import predict_batches

CPU_KERNEL_CHECKS = ["chunk_steps", "gru_train_applies", "gru_scan_applies", "lstm_rows"]


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_off_the_cpu_nothing_pads_and_no_cpu_kernel_is_consulted(cell):
    # The meta device stands in for a GPU: any device but the CPU.
    net = RecurrentNetwork(2, 1, cell=cell, hidden_size=32).to("meta").eval()
    seen = []
    net.head.register_forward_hook(lambda module, args, out: seen.append(args[0].shape[0]))
    x = torch.zeros(3, 5, 2, device="meta")
    with (
        mock.patch.multiple(_kernels, **{name: mock.DEFAULT for name in CPU_KERNEL_CHECKS})
        as checks,
        torch.inference_mode(),
    ):
        assert _kernels.pad_rows(net, x)[0] is x
        assert net(x).shape == (3, 1)
    assert seen == [3]  # not padded to 4 rows
    assert all(check.call_count == 0 for check in checks.values())


@pytest.mark.parametrize("cell", ["gru", "lstm"])
def test_the_module_pads_at_cpu_inference_only(cell):
    torch.manual_seed(0)
    net = RecurrentNetwork(2, 3, cell=cell, hidden_size=32, pooling="concat")
    x = torch.randn(6, 9, 2)
    seen = []
    net.dropout.register_forward_hook(lambda module, args, out: seen.append(args[0].shape[0]))
    net(x)  # training: as it is
    net.eval()
    net(x)  # gradients on: as it is
    with torch.inference_mode():
        full = net(x)
        single = torch.cat([net(x[i : i + 1]) for i in range(6)])
    assert seen == [6, 6, 8] + [4] * 6
    assert full.shape == single.shape == (6, 3)
    assert torch.equal(full, single)


def test_predict_batches_matches_the_estimator_batch_by_batch():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(23, 12, 2)).astype(np.float32)
    est = GRURegressor(hidden_size=32, max_iter=2, early_stopping=False,
                       random_state=0).fit(X, X[:, -1, 0])
    module = est.module_
    whole = predict_batches(module, X, device=torch.device("cpu"))
    parts = predict_batches(module, X, device=torch.device("cpu"), batch_size=5)
    assert whole.dtype == np.float64 and whole.shape == (23, 1)
    assert_array_equal(parts, whole)
    assert_array_equal(est._forward(X)[0], whole)


def test_predict_batches_run_sequences_in_order_of_length():
    # batches cut in the given order: one long sequence in each batch made
    # every row run its steps (review s35 rvD F3: 6.0 s against 0.41 s sorted)
    rng = np.random.RandomState(0)
    lengths = np.where(np.arange(40) % 10 == 3, 60, 5)
    X = rng.normal(size=(40, 60, 2)).astype(np.float32)
    net = RecurrentNetwork(2, 1, cell="gru", hidden_size=8).eval()
    widths = []
    net.register_forward_pre_hook(lambda module, args: widths.append(args[0].shape[1]))
    out = predict_batches(net, X, lengths, device=torch.device("cpu"), batch_size=10)
    assert widths == [5, 5, 5, 60]
    alone = np.vstack([predict_batches(net, X[i:i + 1, :n], device=torch.device("cpu"))
                       for i, n in enumerate(lengths)])
    np.testing.assert_allclose(out, alone, rtol=1e-6, atol=1e-7)


def test_inference_batches_of_long_sequences_fit_the_memory_budget(monkeypatch):
    # predict ran 8,192 rows per batch and early stopping's validation
    # 4,096, whatever the steps: tens of GB on sequences of 2,048 steps
    from sklearn_rnn import _prediction

    assert _prediction._ROW_MULTIPLE == _kernels.ROW_MULTIPLE
    net = RecurrentNetwork(1, 1, cell="gru", hidden_size=64)
    budget = _prediction.inference_rows(net, 1024)
    assert budget == 256 and budget * 1024 * 64 * 16 <= _prediction.INFERENCE_BYTES
    assert _prediction.inference_rows(net, 10**9) == 4
    assert _prediction.inference_rows(net, 1) == 8192
    rows = []
    forward = RecurrentNetwork.forward

    def counted(self, x, *args, **kwargs):
        if not self.training:
            rows.append(len(x))
        return forward(self, x, *args, **kwargs)

    monkeypatch.setattr(RecurrentNetwork, "forward", counted)
    rng = np.random.RandomState(0)
    X = rng.normal(size=(601, 1024, 1)).astype(np.float32)
    est = GRURegressor(hidden_size=64, max_iter=1, batch_size=64, patch_size=1,
                       validation_fraction=0.5, random_state=0).fit(X, X[:, -1, 0])
    assert max(rows) <= budget and sum(rows) >= 2 * 300  # the start's and epoch 1's
    rows.clear()
    predicted = est.predict(X)
    assert max(rows) <= budget and sum(rows) == len(X)
    # the same bits as in one batch
    monkeypatch.setattr(_prediction, "INFERENCE_BYTES", 2**62)
    rows.clear()
    assert_array_equal(est.predict(X), predicted)
    assert rows == [601]


def test_inference_rows_count_every_layer_and_direction():
    # a second layer or a reverse direction holds as much again per row
    from sklearn_rnn._prediction import inference_rows

    one = RecurrentNetwork(1, 1, cell="gru", hidden_size=64)
    two = RecurrentNetwork(1, 1, cell="gru", hidden_size=64, num_layers=2)
    both = RecurrentNetwork(1, 1, cell="gru", hidden_size=64, bidirectional=True)
    assert inference_rows(one, 1024) == 256
    assert inference_rows(two, 1024) == 128
    assert inference_rows(both, 1024) == 128


def test_a_prediction_batch_is_cut_to_its_longest_sequence():
    net = RecurrentNetwork(1, 1, cell="gru", hidden_size=2)
    widths = []
    net.register_forward_pre_hook(lambda module, args: widths.append(args[0].shape[1]))
    lengths = np.array([2, 3, 2, 9, 5, 4])
    predict_batches(net, np.zeros((6, 9, 1), np.float32), lengths,
                    device=torch.device("cpu"), batch_size=3)
    assert widths == [3, 9]


def test_conditions_tell_cpu_training_from_float32_cpu_inference():
    from sklearn_rnn._kernels.conditions import cpu_training, float32_cpu_inference

    lstm = torch.nn.LSTM(1, 8, batch_first=True)
    x = torch.zeros(4, 10, 1)
    assert cpu_training(lstm, x) and not float32_cpu_inference(lstm, x)
    with torch.no_grad():
        assert not cpu_training(lstm, x)
    lstm.eval()
    assert not float32_cpu_inference(lstm, x)  # gradients on
    with torch.inference_mode():
        assert float32_cpu_inference(lstm, x)
        assert not float32_cpu_inference(lstm, x.double())
        assert not float32_cpu_inference(lstm.double(), x.double())
    assert not cpu_training(torch.nn.LSTM(1, 8).train(), x)  # not batch-first


def test_the_gru_kernels_still_compile_with_torchscript():
    # scripted() hides torch.jit.script's DeprecationWarning (torch 2.13) and
    # returns None where TorchScript is gone or fails, so that GRU fits fall
    # back to nn.GRU; a torch release without it would only show as slower
    # fits. This test makes it show here: then port the kernels to
    # torch.compile or torch.export.
    from sklearn_rnn._kernels import gru_small_batch, gru_training

    assert gru_training._scripted() is not None, "TorchScript failed: GRU training kernel off"
    assert gru_small_batch._scripted_layer() is not None, "TorchScript failed: GRU inference kernel off"


@pytest.mark.parametrize("category", [DeprecationWarning, FutureWarning])
def test_torchscripts_deprecation_warning_neither_escapes_nor_turns_the_kernels_off(
        monkeypatch, category):
    # torch 2.13 warns "`torch.jit.script` is deprecated" as a
    # DeprecationWarning, torch 2.14 and later as a FutureWarning: users
    # saw it at their first GRU fit, and under an "error" filter it raised
    # inside scripted(), which returned None (cached: the kernels off for
    # the process).
    import warnings

    from sklearn_rnn._kernels.torchscript import scripted

    real = torch.jit.script

    def script(function):
        warnings.warn("`torch.jit.script` is deprecated. Please switch to "
                      "`torch.compile` or `torch.export`.", category)
        return real(function)

    monkeypatch.setattr(torch.jit, "script", script)

    def triple(x):
        return 3 * x

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compiled = scripted(triple)
    assert compiled is not None
    assert torch.equal(compiled(torch.ones(2)), torch.full((2,), 3.0))
