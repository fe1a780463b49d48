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
