"""The contenders: one function per way of training the same network.

Every torch contender trains ``sklearn_rnn._networks.RecurrentNetwork`` with
``pooling="last"`` (one layer, same hidden size, same input-scaling buffers),
with Adam at the same learning rate and no weight decay, on the same float32
windows, shuffled every epoch, so only the training loop around the module
differs, and the kernels: the hand loop and skorch run PyTorch's stock
``nn.GRU``/``nn.LSTM`` autograd and Adam, the estimators their own GRU
training kernel, their chunked LSTM training on long sequences and the fused
Adam step (what each gives its users).

A contender is called as ``fn(case, data, epochs, seed, device)`` and returns
a :class:`Timing`. The clocks start when the contender is handed the NumPy
arrays; ``setup`` runs until the first forward call of any module (validation,
scaling, tensor and module construction) and ``per_epoch`` is the rest of the
fit divided by the number of epochs (it includes the per-epoch bookkeeping
and whatever the fit does after its last epoch). Both are taken on two clocks:
wall time (``time.perf_counter``) and the process's CPU time
(``time.process_time``), which on one thread is the wall time the fit would
take on an idle machine, so it is far less disturbed by other processes.
"""

import math
import time
import warnings
from dataclasses import dataclass

try:
    import resource
except ImportError:  # not on Windows
    resource = None

import torch
from sklearn.exceptions import ConvergenceWarning
from torch.nn.modules.module import register_module_forward_pre_hook

from sklearn_rnn import GRURegressor, LSTMRegressor, SequenceClassifier
from sklearn_rnn._networks import RecurrentNetwork

ROLE_TITLES = {
    "hand": "hand-written loop (limit)",
    "hand-packed": "hand-written loop, packed (the usual recipe)",
    "hand-padded": "hand-written loop, padded + gather (limit)",
    "ours": "sklearn_rnn",
    "skorch": "skorch, default DataLoader",
    "skorch-slice": "skorch, slicing iterator",
    "mlp": "sklearn MLPRegressor (context)",
}

#: The roles a group's other contenders are timed against.
REFERENCE_ROLES = ("hand", "hand-packed")


#: The hand-written loop and skorch train the network on PyTorch's own
#: kernels, as a user's ``nn.GRU``/``nn.LSTM`` would: the estimators' GRU
#: training kernel (``sklearn_rnn._kernels.gru_training``) and their
#: chunked LSTM training on long sequences
#: (``sklearn_rnn._kernels.time_chunks``) are theirs, like the fused
#: optimizer. The architecture check ignores these options.
STOCK_KERNELS = {"fast_gru_training": False, "chunk_long_sequences": False}


@dataclass
class Timing:
    """Seconds of set-up and per epoch, on the wall clock and in CPU time."""

    setup: float
    per_epoch: float
    setup_cpu: float
    per_epoch_cpu: float
    model: object = None
    #: MiB of fresh pages the process faulted in per epoch (minor page
    #: faults after the first forward call); None where unmeasurable.
    fresh_mib_per_epoch: float | None = None

    def get(self, clock):
        """``(setup, per_epoch)`` on ``clock`` ("wall" or "cpu")."""
        if clock == "cpu":
            return self.setup_cpu, self.per_epoch_cpu
        return self.setup, self.per_epoch


@dataclass(frozen=True)
class Contender:
    name: str
    group: str  # "lstm", "gru" (regression), "clf" (classification), "mlp"
    role: str
    fn: object
    cell: str = "lstm"

    def __call__(self, case, data, epochs, seed, device="cpu"):
        return self.fn(case, data, epochs, seed, device, cell=self.cell)


class _FirstForward:
    """Record when any ``nn.Module`` is first called, then get out of the way.

    A global forward pre-hook that removes itself on its first call, so the
    module calls after it take PyTorch's hook-free fast path again.
    """

    def __init__(self):
        self.time = self.cpu = self.faults = None
        self._handle = None

    def __enter__(self):
        self._handle = register_module_forward_pre_hook(self._hook)
        return self

    def _hook(self, module, args):
        if self.time is None:
            self.time, self.cpu = time.perf_counter(), time.process_time()
            self.faults = minor_faults()
        self._handle.remove()

    def __exit__(self, *exc):
        self._handle.remove()


def minor_faults():
    """The process's minor page faults so far, or None without ``resource``."""
    return None if resource is None else resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def _timed(fit, epochs, device):
    """Run ``fit()``; split its time into set-up and per epoch, on both clocks."""
    start, start_cpu = time.perf_counter(), time.process_time()
    with _FirstForward() as first:
        model = fit()
        if device == "cuda":
            torch.cuda.synchronize()
    end, end_cpu, end_faults = time.perf_counter(), time.process_time(), minor_faults()
    if first.time is None:
        first.time, first.cpu, first.faults = end, end_cpu, end_faults
    fresh = None
    if end_faults is not None:
        fresh = (end_faults - first.faults) * resource.getpagesize() / 2**20 / epochs
    return Timing(
        first.time - start, (end - first.time) / epochs,
        first.cpu - start_cpu, (end_cpu - first.cpu) / epochs, model, fresh,
    )


# ----------------------------------------------------------------------
# The limit: a hand-written loop over pre-built tensors, batches by slicing
def hand_loop(case, data, epochs, seed, device, *, cell, task="regression",
              mixed_precision=False):
    def fit():
        torch.manual_seed(seed)
        X = torch.from_numpy(data.X).to(device)
        if task == "classification":
            y = torch.from_numpy(data.y_class).to(device)
            n_out, loss_fn = case.n_classes, torch.nn.CrossEntropyLoss()
        else:
            y = torch.from_numpy(data.y).reshape(-1, 1).to(device)
            n_out, loss_fn = 1, torch.nn.MSELoss()
        module = RecurrentNetwork(
            X.shape[2], n_out, cell=cell, hidden_size=case.hidden_size, pooling="last",
            **STOCK_KERNELS,
        ).to(device)
        optimizer = torch.optim.Adam(module.parameters(), lr=case.learning_rate)
        generator = torch.Generator(device=device).manual_seed(seed)
        n, batch_size = X.shape[0], case.batch_size
        module.train()
        for _ in range(epochs):
            order = torch.randperm(n, generator=generator, device=device)
            for start in range(0, n, batch_size):
                index = order[start : start + batch_size]
                optimizer.zero_grad(set_to_none=True)
                if mixed_precision:  # as the estimators do: bf16 forward, fp32 loss
                    with torch.autocast(device, dtype=torch.bfloat16):
                        output = module(X[index])
                    loss = loss_fn(output.float(), y[index])
                else:
                    loss = loss_fn(module(X[index]), y[index])
                loss.backward()
                optimizer.step()
        return module

    return _timed(fit, epochs, device)


def hand_loop_clf(case, data, epochs, seed, device, *, cell):
    return hand_loop(case, data, epochs, seed, device, cell=cell, task="classification")


# ----------------------------------------------------------------------
# Sequences of different lengths (case "varlen"): the hand loop as a PyTorch
# user writes it for them, on the same module
def hand_loop_varlen(case, data, epochs, seed, device, *, cell, packed=True):
    """Batches of padded sequences, cut to their longest, run through ``module.rnn``.

    ``packed``: through ``pack_padded_sequence``, reading each row's final
    hidden state ``h_n`` (the usual recipe); else padded as they are,
    reading each row's output at its last valid step (a causal network's
    final state; the estimators' own path, written out by hand).
    """
    from torch.nn.utils.rnn import pack_padded_sequence, pad_sequence

    def fit():
        torch.manual_seed(seed)
        X = pad_sequence([torch.from_numpy(x) for x in data.X], batch_first=True).to(device)
        lengths = torch.tensor([len(x) for x in data.X])
        y = torch.from_numpy(data.y).reshape(-1, 1).to(device)
        module = RecurrentNetwork(
            X.shape[2], 1, cell=cell, hidden_size=case.hidden_size, pooling="last",
            **STOCK_KERNELS,
        ).to(device)
        optimizer = torch.optim.Adam(module.parameters(), lr=case.learning_rate)
        loss_fn = torch.nn.MSELoss()
        generator = torch.Generator().manual_seed(seed)
        n, batch_size = X.shape[0], case.batch_size
        module.train()
        for _ in range(epochs):
            order = torch.randperm(n, generator=generator)
            for start in range(0, n, batch_size):
                index = order[start : start + batch_size]
                rows = lengths[index]
                x = X[index.to(device), : int(rows.max())]
                x = (x - module.input_shift) / module.input_scale
                optimizer.zero_grad(set_to_none=True)
                if packed:
                    _, h_n = module.rnn(pack_padded_sequence(
                        x, rows, batch_first=True, enforce_sorted=False))
                    last = (h_n[0] if cell == "lstm" else h_n)[-1]
                else:
                    out, _ = module.rnn(x)
                    last = out[torch.arange(len(index), device=device),
                               (rows - 1).to(device)]
                loss = loss_fn(module.head(last), y[index.to(device)])
                loss.backward()
                optimizer.step()
        return module

    return _timed(fit, epochs, device)


def hand_loop_padded(case, data, epochs, seed, device, *, cell):
    return hand_loop_varlen(case, data, epochs, seed, device, cell=cell, packed=False)


def varlen_contenders():
    """Per cell: ours on the list, the hand loop packed and padded (no skorch)."""
    out = []
    for cell in ("lstm", "gru"):
        out += [
            Contender(f"hand-packed-{cell}", cell, "hand-packed", hand_loop_varlen, cell),
            Contender(f"hand-padded-{cell}", cell, "hand-padded", hand_loop_padded, cell),
            Contender(f"ours-{cell}", cell, "ours", ours_regressor, cell),
        ]
    return out


# ----------------------------------------------------------------------
# sklearn_rnn
#: Every option of ours that shapes the network or the loop, pinned so that
#: ours trains exactly the plain ``RecurrentNetwork(pooling="last")`` the
#: other contenders train, with the same optimizer, on all the data, for full
#: epochs (the estimators' defaults may change; the benchmark must not).
#: Options an estimator does not have are left out.
PINNED = {
    "num_layers": 1,
    "bidirectional": False,
    "dropout": 0.0,
    "input_noise": 0.0,
    "differences": False,
    "pooling": "last",
    "skip_steps": 0,
    "patch_size": 1,
    "window_normalization": None,
    "standardize": True,  # input scaling buffers: the others have them too
    "optimizer": "adam",
    "alpha": 0.0,  # the other contenders use no weight decay
    "learning_rate": "constant",
    "gradient_clip": None,
    "shuffle": True,
    "early_stopping": False,  # no validation split, no per-epoch evaluation
    "tol": 0.0,
    "n_iter_no_change": 10**9,  # never stop early: time full epochs
    "class_weight": None,
    "loss": "squared_error",
    "quantiles": None,
    # the classifier's convolution branches (random_biases=8 by default)
    "random_biases": 0,
    "conv_filters": None,
    "callbacks": None,
    "verbose": 0,
    "warm_start": False,
    "n_threads": None,  # the process-wide setting from --threads
}


def _ours_params(cls, case, epochs, seed, device):
    names = cls().get_params()
    params = {k: v for k, v in PINNED.items() if k in names}
    params.update(
        hidden_size=case.hidden_size,
        batch_size=case.batch_size,
        learning_rate_init=case.learning_rate,
        max_iter=epochs,
        random_state=seed,
        device=device,
    )
    return params


def _check_plain_fit(est, epochs):
    """Full epochs on all the data, nothing else (no validation)."""
    assert est.n_iter_ == epochs, (est.n_iter_, epochs)
    assert all("valid_loss" not in r for r in est.history_), "validation ran"


def ours_regressor(case, data, epochs, seed, device, *, cell, mixed_precision=False):
    cls = {"lstm": LSTMRegressor, "gru": GRURegressor}[cell]
    est = cls(**_ours_params(cls, case, epochs, seed, device),
              mixed_precision=mixed_precision)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return est.fit(data.X, data.y)

    timing = _timed(fit, epochs, device)
    _check_plain_fit(est, epochs)
    return timing


def ours_classifier(case, data, epochs, seed, device, *, cell):
    est = SequenceClassifier(
        cell=cell, **_ours_params(SequenceClassifier, case, epochs, seed, device)
    )

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            return est.fit(data.X, data.y_class)

    timing = _timed(fit, epochs, device)
    _check_plain_fit(est, epochs)
    return timing


# ----------------------------------------------------------------------
# skorch
class SliceIterator:
    """A drop-in for skorch's ``iterator_train``: batches cut by index.

    Converts the dataset's arrays to tensors once (zero-copy for NumPy) and
    yields ``(X[index], y[index])``, like the hand-written loop.
    """

    def __init__(self, dataset, batch_size, shuffle=False, **kwargs):
        self.X = torch.as_tensor(dataset.X)
        self.y = torch.as_tensor(dataset.y)
        self.batch_size = batch_size
        self.shuffle = shuffle

    def __len__(self):
        return math.ceil(len(self.X) / self.batch_size)

    def __iter__(self):
        n = len(self.X)
        order = torch.randperm(n) if self.shuffle else torch.arange(n)
        for start in range(0, n, self.batch_size):
            index = order[start : start + self.batch_size]
            yield self.X[index], self.y[index]


def skorch_regressor(case, data, epochs, seed, device, *, cell, slicing=False):
    from skorch import NeuralNetRegressor

    extra = {"iterator_train": SliceIterator} if slicing else {}

    def fit():
        torch.manual_seed(seed)
        net = NeuralNetRegressor(
            RecurrentNetwork,
            module__input_size=data.X.shape[2],
            module__output_size=1,
            module__cell=cell,
            module__hidden_size=case.hidden_size,
            module__pooling="last",
            **{f"module__{k}": v for k, v in STOCK_KERNELS.items()},
            optimizer=torch.optim.Adam,
            lr=case.learning_rate,
            batch_size=case.batch_size,
            max_epochs=epochs,
            train_split=None,  # no internal validation split: same data
            iterator_train__shuffle=True,
            verbose=0,
            device=device,
            **extra,
        )
        return net.fit(data.X, data.y.reshape(-1, 1))

    return _timed(fit, epochs, device)


def skorch_slice_regressor(case, data, epochs, seed, device, *, cell):
    return skorch_regressor(case, data, epochs, seed, device, cell=cell, slicing=True)


# ----------------------------------------------------------------------
# scikit-learn's MLP on the flattened windows (context only)
def mlp_regressor(case, data, epochs, seed, device, *, cell=None):
    from sklearn.neural_network import MLPRegressor

    X2d = data.X.reshape(data.X.shape[0], -1)
    mlp = MLPRegressor(
        hidden_layer_sizes=(case.hidden_size,),
        solver="adam",
        batch_size=case.batch_size,
        learning_rate_init=case.learning_rate,
        alpha=0.0,
        shuffle=True,
        random_state=seed,
    )
    start, start_cpu = time.perf_counter(), time.process_time()
    for _ in range(epochs):  # partial_fit: exactly one epoch per call
        mlp.partial_fit(X2d, data.y)
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    return Timing(0.0, wall / epochs, 0.0, cpu / epochs, mlp)


# ----------------------------------------------------------------------
def cpu_contenders():
    """All CPU contenders, grouped so each group has one hand loop."""
    out = []
    for cell in ("lstm", "gru"):
        out += [
            Contender(f"hand-{cell}", cell, "hand", hand_loop, cell),
            Contender(f"ours-{cell}", cell, "ours", ours_regressor, cell),
            Contender(f"skorch-{cell}", cell, "skorch", skorch_regressor, cell),
            Contender(f"skorch-slice-{cell}", cell, "skorch-slice",
                      skorch_slice_regressor, cell),
        ]
    out += [
        Contender("hand-clf", "clf", "hand", hand_loop_clf, "lstm"),
        Contender("ours-clf", "clf", "ours", ours_classifier, "lstm"),
        Contender("mlp", "mlp", "mlp", mlp_regressor, None),
    ]
    return out


def gpu_contenders():
    """Per cell: the hand loop and ours in float32 and bf16, skorch twice.

    Each bf16 contender is its own group, timed against the hand loop under
    the same autocast.
    """
    out = []
    for cell in ("lstm", "gru"):
        out += [
            Contender(f"hand-{cell}", cell, "hand", hand_loop, cell),
            Contender(f"ours-{cell}", cell, "ours", ours_regressor, cell),
            Contender(f"skorch-{cell}", cell, "skorch", skorch_regressor, cell),
            Contender(f"skorch-slice-{cell}", cell, "skorch-slice",
                      skorch_slice_regressor, cell),
            Contender(f"hand-{cell}-bf16", f"{cell}-bf16", "hand", hand_loop_bf16, cell),
            Contender(f"ours-{cell}-bf16", f"{cell}-bf16", "ours", ours_regressor_bf16,
                      cell),
        ]
    return out


def hand_loop_bf16(case, data, epochs, seed, device, *, cell):
    """The hand loop with its forward under bfloat16 autocast."""
    return hand_loop(case, data, epochs, seed, device, cell=cell, mixed_precision=True)


def ours_regressor_bf16(case, data, epochs, seed, device, *, cell):
    """Ours with ``mixed_precision=True`` (bfloat16 autocast), GPU only."""
    return ours_regressor(case, data, epochs, seed, device, cell=cell,
                          mixed_precision=True)


def by_name(name, case=None):
    """The CPU contender called ``name`` (of the varlen contenders in such a case)."""
    varlen = case is not None and case.min_length is not None
    for contender in varlen_contenders() if varlen else cpu_contenders():
        if contender.name == name:
            return contender
    raise KeyError(name)


def bare_forward(module):
    """The reference for predict: the fitted module, in inference mode."""
    module.eval()

    def forward(X):
        with torch.inference_mode():
            return module(torch.from_numpy(X)).numpy()

    return forward
