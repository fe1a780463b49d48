"""The CUDA-only code paths, run on the CPU.

``tests/test_cuda.py`` needs a GPU, which CI does not have. These tests run
the branches that only CUDA takes on the CPU, as the review of those paths
(review G) did: the loss scaler with CPU autocast (``GradScaler("cpu")``
runs the same code), the current CUDA device and pinned memory
monkeypatched where the logic around them is plain Python.
"""

import pickle
import warnings
from types import SimpleNamespace

import numpy as np
import pytest
import torch
from sklearn.base import clone

from _checks import overflowing_above, record_loss_scales
from sklearn_rnn import LSTMRegressor, _base, _prediction

SKIPPED = "skipped every optimizer step"


@pytest.fixture
def overflowing_loss_scaling(monkeypatch):
    """Fits scale the loss as on CUDA, and their gradients overflow above 2**10.

    ``train(loss_scaling=True)`` is what a CUDA fit with
    ``mixed_precision=True`` runs; a gradient hook stands in for float16
    gradients that overflow while the loss scale is above 2**10.
    """
    scales, real_train = record_loss_scales(monkeypatch), _base.train

    def train(module, *args, **kwargs):
        with overflowing_above(module, scales):
            return real_train(module, *args, **{**kwargs, "loss_scaling": True})

    monkeypatch.setattr(_base, "train", train)
    return scales


def _one_batch_data(n=32):
    rng = np.random.RandomState(0)
    X = rng.normal(size=(n, 12, 1)).astype(np.float32)
    return X, X[:, -3:, 0].sum(axis=1)


def _weights(est):
    return [p.detach().clone() for p in est.module_.parameters()]


def _fit_quietly(call):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [str(w.message) for w in caught if SKIPPED in str(w.message)]


def test_partial_fit_carries_the_loss_scale_over_and_warns_of_skipped_epochs(
        overflowing_loss_scaling):
    # The scaler started at 2**16 on every call: a partial_fit of one batch
    # that overflows there skipped its only step, call after call, and the
    # network never learned, without a warning (review G2).
    X, y = _one_batch_data()
    est = LSTMRegressor(hidden_size=8, mixed_precision=True, batch_size=32, random_state=0)
    skipped = []
    for _ in range(6):  # 2**16 halved to 2**10, one skipped step per call
        before = _weights(est) if hasattr(est, "module_") else None
        skipped.append(_fit_quietly(lambda: est.partial_fit(X, y)))
        if before is not None:
            assert all(torch.equal(a, b) for a, b in zip(before, _weights(est)))
    assert all(len(w) == 1 for w in skipped), skipped
    assert "Epoch 6 skipped every optimizer step" in skipped[-1][0]
    assert "the last 2048," in skipped[-1][0]
    assert est._scaler_state["scale"] == 2**10
    before = _weights(est)
    assert _fit_quietly(lambda: est.partial_fit(X, y)) == []  # at 2**10 the step is taken
    assert overflowing_loss_scaling[-1] == 2**10
    assert not all(torch.equal(a, b) for a, b in zip(before, _weights(est)))
    # plain numbers: the pickle loads without torch's scaler
    assert all(type(v) in (int, float) for v in est._scaler_state.values())
    assert pickle.loads(pickle.dumps(est))._scaler_state == est._scaler_state


def test_a_fresh_fit_starts_the_loss_scale_again_and_warm_start_carries_it(
        overflowing_loss_scaling):
    X, y = _one_batch_data()
    est = LSTMRegressor(hidden_size=8, mixed_precision=True, batch_size=32, max_iter=6,
                        early_stopping=False, learning_rate="cosine", random_state=0)
    assert len(_fit_quietly(lambda: est.fit(X, y))) == 6
    assert est._scaler_state["scale"] == 2**10
    assert not hasattr(clone(est), "_scaler_state")
    est.set_params(warm_start=True, max_iter=1)
    assert _fit_quietly(lambda: est.fit(X, y)) == []  # goes on at 2**10
    assert overflowing_loss_scaling[-1] == 2**10
    est.set_params(warm_start=False)  # a new fit, as scikit-learn's fit semantics ask
    assert len(_fit_quietly(lambda: est.fit(X, y))) == 1
    assert overflowing_loss_scaling[-1] == 2**16
    assert est._scaler_state["scale"] == 2**15


def test_no_loss_scaling_keeps_no_scaler_state():
    X, y = _one_batch_data()
    est = LSTMRegressor(hidden_size=8, max_iter=2, early_stopping=False,
                        learning_rate="cosine", random_state=0).fit(X, y)
    assert est._scaler_state is None


@pytest.fixture
def two_gpus(monkeypatch):
    """torch.cuda as on a machine with two GPUs, the second current."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 2)
    monkeypatch.setattr(torch.cuda, "current_device", lambda: 1)


@pytest.mark.parametrize("device", ["cuda", "auto"])
def test_device_cuda_is_recorded_by_the_current_index(two_gpus, device):
    # device_ was "cuda": predict then fed the batches to whichever GPU was
    # current, while the network stayed on the one it was fitted on (review G3)
    est = LSTMRegressor(device=device)
    assert est._resolve_device() == torch.device("cuda", 1)
    assert est.device_ == "cuda:1"



class _OnGpu(torch.nn.Module):
    """A network that reports its parameters on ``cuda:index`` and records its moves."""

    def __init__(self, index):
        super().__init__()
        self.index, self.moves = index, []

    def parameters(self, recurse=True):
        yield SimpleNamespace(device=torch.device("cuda", self.index))

    def to(self, device):
        self.moves.append(device)
        return self

    def forward(self, X, lengths=None):
        return X[:, -1, :1]


@pytest.fixture
def cuda_transfers(monkeypatch):
    """Pinning and copies to a GPU as no-ops on the CPU; records whether each
    pinned batch was contiguous."""
    contiguous, real_to = [], torch.Tensor.to

    def pin_memory(self):
        contiguous.append(self.is_contiguous())
        return self

    def to(self, *args, **kwargs):
        if args and isinstance(args[0], torch.device) and args[0].type == "cuda":
            return self
        return real_to(self, *args, **kwargs)

    monkeypatch.setattr(torch.Tensor, "pin_memory", pin_memory)
    monkeypatch.setattr(torch.Tensor, "to", to)
    return contiguous


def test_predict_moves_a_network_fitted_on_another_gpu_than_the_current(two_gpus,
                                                                        cuda_transfers):
    # "cuda" (no index) counted as wherever the network was: one fitted on
    # cuda:0 stayed there while the batches went to the current cuda:1
    X = torch.zeros(3, 4, 1)
    for index, device, moves in [(0, torch.device("cuda"), [torch.device("cuda", 1)]),
                                 (1, torch.device("cuda"), []),
                                 (0, torch.device("cuda", 0), [])]:
        net = _OnGpu(index)
        _prediction.predict_batches(net, X, device=device)
        assert net.moves == moves


def test_predict_pins_contiguous_batches_of_unequal_lengths(cuda_transfers):
    # a batch cut to its longest sequence is a strided view; pinned as it is,
    # CUDA copied it to the GPU through pageable memory, blocking the host
    # on every batch (review G5)
    X = torch.zeros(10, 9, 2)
    lengths = torch.tensor([3, 7, 4, 2, 5, 5, 8, 1, 2, 6])  # none of 9 steps
    out = _prediction.predict_batches(_OnGpu(0), X, lengths, batch_size=4,
                                      device=torch.device("cuda", 0))
    assert out.shape == (10, 1)
    assert cuda_transfers == [True, True, True]


def test_a_model_fitted_on_a_gpu_this_machine_lacks_predicts_on_the_current_one(
        two_gpus):
    from sklearn_rnn._validation import check_fitted_device

    # the boundary: cuda:1 is the last of the two GPUs, cuda:2 the first missing
    # (cuda:1 is also the current one: only the absence of a warning tells
    # "here" from "not here, so the current one")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert check_fitted_device("cuda:1") == "cuda:1"
        assert check_fitted_device("cpu") == "cpu"
    with pytest.warns(UserWarning, match=r"This model was fitted on cuda:2, which is not "
                      r"here \(2 CUDA device\(s\)\); predicting on the current one, "
                      r"cuda:1\."):
        assert check_fitted_device("cuda:2") == "cuda:1"
    with pytest.warns(UserWarning, match=r"This model was fitted on cuda:3, which is not "
                      r"here \(2 CUDA device\(s\)\); predicting on the current one, "
                      r"cuda:1\."):
        assert check_fitted_device("cuda:3") == "cuda:1"
