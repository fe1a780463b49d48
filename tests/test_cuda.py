"""The CUDA path: every estimator trains and predicts on a GPU.

All tests here need a CUDA device (``@pytest.mark.gpu``; ``conftest.py``
skips them without one). They check behaviour, not speed: speed on a GPU is
measured by ``python -m benchmarks.gpu``.

What they pin down:

- every estimator fits and predicts on CUDA with 2D, 3D and variable-length
  input, and its parameters, buffers and training data stay on the device;
- on CUDA the recurrent layers run PyTorch's own (cuDNN) ``nn.LSTM`` /
  ``nn.GRU``, once per batch over the whole sequence: none of the CPU
  kernels (GRU training kernel, time chunks, small-batch predict shortcuts,
  row padding) stands in for them;
- training makes no host synchronisation per batch (only per epoch);
- ``mixed_precision=True`` trains with loss scaling (PyTorch's autocast runs
  cuDNN's recurrent layers in float16);
- a CUDA-trained model pickled and loaded in a process without CUDA predicts
  the same on the CPU; ``device="auto"`` picks the GPU.
"""

import os
import pickle
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose
from sklearn.exceptions import ConvergenceWarning

from sklearn_rnn import GRURegressor, LSTMRegressor, SequenceClassifier, SequenceRegressor

pytestmark = pytest.mark.gpu

FAST = dict(hidden_size=8, max_iter=5, early_stopping=False, random_state=0)

ESTIMATORS = [
    SequenceRegressor,
    LSTMRegressor,
    GRURegressor,
    SequenceClassifier,
    lambda **kw: SequenceClassifier(cell="gru", **kw),
]
IDS = ["SequenceRegressor", "LSTMRegressor", "GRURegressor", "SequenceClassifier",
       "SequenceClassifier-gru"]


def _is_classifier(est):
    return isinstance(est, SequenceClassifier)


def _data(classifier, n=96, T=12, C=2, seed=0):
    rng = np.random.RandomState(seed)
    X = rng.normal(size=(n, T, C)).astype(np.float32)
    if classifier:
        y = np.array(["a", "b", "c"])[rng.randint(3, size=n)]
        X[:, :, 0] += (y == "b")[:, None].astype(np.float32) - (y == "c")[:, None]
    else:
        y = X[:, -3:, 0].sum(axis=1) + 0.5 * X[:, 0, -1]
    return X, y


def _fit(est, X, y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


def _outputs(est, X):
    if _is_classifier(est):
        return est.predict_proba(X)
    return est.predict(X)


def _on_cuda(module):
    return all(t.is_cuda for t in [*module.parameters(), *module.buffers()])


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("layout", ["3d", "2d", "variable_length"])
def test_fit_predict_on_cuda_matches_cpu(make, layout):
    """Each estimator fits on the GPU and predicts what the same fit on the CPU does."""
    est = make(device="cuda", **FAST)
    X, y = _data(_is_classifier(est), C=1 if layout == "2d" else 2)
    if layout == "2d":
        X = X[:, :, 0]
    elif layout == "variable_length":
        X = [x[: 6 + i % 7] for i, x in enumerate(X)]
    _fit(est, X, y)
    assert est.device_ == f"cuda:{torch.cuda.current_device()}"
    assert _on_cuda(est.module_)
    out = _outputs(est, X)
    assert out.dtype == np.float64 and np.isfinite(out).all()
    assert est.score(X, y) == est.score(X, y)  # deterministic prediction
    cpu = _fit(make(device="cpu", **FAST), X, y)
    # Same seed, same data: cuDNN and the CPU kernels differ only in rounding.
    assert_allclose(out, _outputs(cpu, X), rtol=0, atol=0.05 * (np.std(out) + 1e-3))


class _RecurrentCalls:
    """Record every call of a fitted module's ``nn.LSTM``/``nn.GRU``."""

    def __init__(self, rnn):
        self.shapes = []
        self.handle = rnn.register_forward_pre_hook(self._hook)

    def _hook(self, module, args):
        x = args[0]
        if isinstance(x, torch.nn.utils.rnn.PackedSequence):
            self.shapes.append(("packed", int(x.batch_sizes[0])))
        else:
            assert x.is_cuda
            self.shapes.append(tuple(x.shape[:2]))


@pytest.mark.parametrize("cell", ["lstm", "gru"])
@pytest.mark.parametrize("T", [12, 600])
def test_cuda_runs_cudnn_modules_once_per_batch(cell, T):
    """No CPU kernel stands in for nn.LSTM/nn.GRU on CUDA, in training or predict.

    On the CPU a GRU trains on the package's own kernel (which never calls
    ``nn.GRU``) and long sequences train in chunks of time steps (several
    calls per batch); on CUDA every batch is one call over all its steps and
    rows, and a single-sequence predict is one call on one row (no padding).
    """
    n, batch = 300, 64
    X, y = _data(False, n=n, T=T, C=1)
    est = SequenceRegressor(cell=cell, device="cuda", batch_size=batch, hidden_size=64,
                            max_iter=1, early_stopping=False, random_state=0,
                            patch_size=1, differences=False)
    est.fit(X[:batch], y[:batch])  # build the network
    calls = _RecurrentCalls(est.module_.rnn)
    est.set_params(warm_start=True, max_iter=2)
    _fit(est, X, y)
    n_batches = 2 * -(-n // batch)
    assert len(calls.shapes) == n_batches
    assert all(steps == T for _, steps in calls.shapes)
    assert sorted(rows for rows, _ in calls.shapes)[:2] == [n % batch, n % batch]
    calls.shapes.clear()
    est.predict(X[:1])
    assert calls.shapes == [(1, T)]
    calls.shapes.clear()
    est.predict(X[:3])
    assert calls.shapes == [(3, T)]


def _count_syncs(fit):
    """Number of synchronising CUDA calls ``fit()`` makes."""
    previous = torch.cuda.get_sync_debug_mode()
    torch.cuda.set_sync_debug_mode("warn")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            fit()
    finally:
        torch.cuda.set_sync_debug_mode(previous)
    return sum("synchroniz" in str(w.message) for w in caught)


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
@pytest.mark.parametrize("options", [{}, {"early_stopping": True},
                                     {"mixed_precision": True, "gradient_clip": 1.0}],
                         ids=["plain", "early_stopping", "mixed_precision_clip"])
def test_no_host_sync_per_batch(make, options):
    """Syncs per fit do not grow with the number of batches."""
    est = make(device="cuda", **{**FAST, **options})
    X, y = _data(_is_classifier(est), n=480)
    _fit(est, X, y)  # warm up: CUDA context, cuDNN plans, lazy imports

    def syncs(batch_size):
        fresh = make(device="cuda", **{**FAST, **options,
                                       "batch_size": batch_size, "max_iter": 3})
        return _count_syncs(lambda: _fit(fresh, X, y))

    few, many = syncs(240), syncs(16)  # 2 vs 30 batches per epoch
    assert many == few, (few, many)


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_mixed_precision_scales_the_loss_for_float16_cudnn_layers(make, monkeypatch):
    """Under CUDA autocast PyTorch runs cuDNN's LSTM/GRU in float16 (whatever
    the autocast dtype), so training scales the loss; parameters stay float32."""
    steps = []
    scaler_step = torch.amp.GradScaler.step
    monkeypatch.setattr(torch.amp.GradScaler, "step",
                        lambda self, *a, **k: steps.append(1) or scaler_step(self, *a, **k))
    est = make(device="cuda", mixed_precision=True, batch_size=32, **FAST)
    X, y = _data(_is_classifier(est))
    _fit(est, X, y)
    assert len(steps) == FAST["max_iter"] * len(X) // 32
    assert all(p.dtype == torch.float32 for p in est.module_.parameters())
    seen = []
    hook = est.module_.rnn.register_forward_hook(
        lambda module, args, out: seen.append(out[0].dtype))
    out = _outputs(est, X)
    hook.remove()
    assert seen and set(seen) == {torch.float16}
    assert out.dtype == np.float64 and np.isfinite(out).all()


_LOAD_ON_CPU = """
import pickle, sys, warnings
import numpy as np
import torch
assert not torch.cuda.is_available()
est, X, y, expected = pickle.load(open(sys.argv[1], "rb"))
with warnings.catch_warnings(record=True) as caught:
    warnings.simplefilter("always")
    out = est.predict_proba(X) if hasattr(est, "predict_proba") else est.predict(X)
assert any("predicting on the CPU" in str(w.message) for w in caught)
assert est.device_ == "cpu"
assert not any(p.is_cuda for p in est.module_.parameters())
np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-5)
est.set_params(warm_start=True, max_iter=1, device="cpu").fit(X[:40], y[:40])
print("ok")
"""


@pytest.mark.parametrize("make", ESTIMATORS, ids=IDS)
def test_cuda_model_loads_and_predicts_in_a_process_without_cuda(make, tmp_path):
    est = make(device="cuda", **FAST)
    X, y = _data(_is_classifier(est))
    _fit(est, X, y)
    expected = _outputs(est, X)
    path = tmp_path / "model.pkl"
    path.write_bytes(pickle.dumps((est, X, y, expected)))
    script = tmp_path / "load.py"
    script.write_text(_LOAD_ON_CPU)
    env = dict(os.environ, CUDA_VISIBLE_DEVICES="")
    proc = subprocess.run([sys.executable, str(script), str(path)], env=env,
                          capture_output=True, text=True, timeout=300,
                          cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().endswith("ok")


def test_device_auto_picks_the_gpu():
    est = _fit(LSTMRegressor(device="auto", **FAST), *_data(False))
    assert est.device_ == f"cuda:{torch.cuda.current_device()}"
    assert _on_cuda(est.module_)


def test_warm_start_and_partial_fit_stay_on_cuda():
    X, y = _data(False)
    est = _fit(LSTMRegressor(device="cuda", warm_start=True, **FAST), X, y)
    _fit(est, X, y)
    est.partial_fit(X, y)
    assert est.n_iter_ == 2 * FAST["max_iter"] + 1
    assert _on_cuda(est.module_)
    assert all(s.is_cuda for state in est.optimizer_.state.values()
               for s in state.values() if isinstance(s, torch.Tensor) and s.dim() > 0)
    clf = SequenceClassifier(device="cuda", **FAST)
    Xc, yc = _data(True)
    clf.partial_fit(Xc, yc, classes=np.unique(yc))
    clf.partial_fit(Xc, yc)
    assert _on_cuda(clf.module_) and clf.n_iter_ == 2


def test_sktime_adapters_on_cuda():
    pytest.importorskip("sktime")
    from sktime.datasets import load_airline

    from sklearn_rnn.sktime import RNNClassifier, RNNForecaster

    y = load_airline()
    forecaster = RNNForecaster(device="cuda", max_iter=20, random_state=0)
    forecaster.fit(y[:-12], fh=np.arange(1, 13))
    pred = forecaster.predict()
    assert len(pred) == 12 and np.isfinite(pred.to_numpy()).all()
    X, labels = _data(True, n=60, C=2)
    X_sktime = np.transpose(X, (0, 2, 1))  # sktime's numpy3D: (n, channels, time)
    clf = RNNClassifier(device="cuda", max_iter=5, random_state=0).fit(X_sktime, labels)
    proba = clf.predict_proba(X_sktime)
    assert proba.shape == (60, 3) and np.allclose(proba.sum(axis=1), 1)


def test_fits_leave_every_global_generator_as_it_was():
    # torch.manual_seed seeded every GPU's generator, even in a CPU fit
    X, y = _data(False)
    cuda_before, cpu_before = torch.cuda.get_rng_state_all(), torch.get_rng_state()
    for device in ("cpu", "cuda"):
        params = dict(FAST, input_noise=0.2, num_layers=2, dropout=0.2, device=device)
        LSTMRegressor(**params).fit(X, y)
    assert all(torch.equal(a, b) for a, b in zip(torch.cuda.get_rng_state_all(), cuda_before))
    assert torch.equal(torch.get_rng_state(), cpu_before)
