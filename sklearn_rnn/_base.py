"""The estimator core shared by the regressors and the classifier.

:class:`BaseSequenceEstimator` holds the parameters, their validation, the
fit procedure (input checks, scaling, device, seeding, validation split, the
call into :func:`sklearn_rnn._training.train`) and batched inference.
Subclasses say what the targets are: how to encode them, which loss to
minimise and how to turn network outputs into predictions.
"""

import copy
import math
import warnings
from abc import ABCMeta, abstractmethod
from contextlib import contextmanager, nullcontext
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._compat import Interval, StrOptions
from ._networks import POOLINGS, RecurrentNetwork
from ._training import NoImprovement, TensorData, fused_optimizer, predict_batches, train
from ._validation import check_sequences

_OPTIMIZERS = {"adam", "adamw", "sgd"}
#: patch_size="auto" groups steps so that recurrent layers see at most this
#: many steps of the longest training sequence.
_AUTO_PATCH_STEPS = 32
#: skip_steps="auto" gives the linear skip connection at most one input per
#: this many training sequences, and at most _AUTO_SKIP_MAX_INPUTS inputs.
_AUTO_SKIP_SAMPLES_PER_INPUT = 2
_AUTO_SKIP_MAX_INPUTS = 1024


class BaseSequenceEstimator(BaseEstimator, metaclass=ABCMeta):
    """Base class for recurrent sequence estimators.

    Warning: This class should not be used directly. Use the derived classes
    instead.
    """

    _parameter_constraints: dict = {
        "cell": [StrOptions({"lstm", "gru"})],
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "bidirectional": ["boolean"],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "input_noise": [Interval(Real, 0, None, closed="left")],
        "pooling": [StrOptions(set(POOLINGS))],
        "skip_steps": [StrOptions({"auto"}), Interval(Integral, 0, None, closed="left")],
        "patch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "differences": [StrOptions({"auto"}), "boolean"],
        "n_channels": [Interval(Integral, 1, None, closed="left")],
        "flat_layout": [StrOptions({"channels_first", "channels_last"})],
        "leading_nan": [StrOptions({"raise", "trim"})],
        "standardize": ["boolean"],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions({"constant", "adaptive", "cosine"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions(_OPTIMIZERS)],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "gradient_clip": [None, Interval(Real, 0, None, closed="neither")],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "mixed_precision": ["boolean"],
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
        "callbacks": [None, list],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    @abstractmethod
    def __init__(
        self,
        *,
        hidden_size,
        num_layers,
        bidirectional,
        dropout,
        input_noise,
        pooling,
        skip_steps,
        patch_size,
        differences,
        n_channels,
        flat_layout,
        leading_nan,
        standardize,
        batch_size,
        learning_rate_init,
        learning_rate,
        alpha,
        optimizer,
        max_iter,
        shuffle,
        tol,
        early_stopping,
        validation_fraction,
        n_iter_no_change,
        gradient_clip,
        device,
        mixed_precision,
        n_threads,
        callbacks,
        random_state,
        verbose,
        warm_start,
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bidirectional = bidirectional
        self.dropout = dropout
        self.input_noise = input_noise
        self.pooling = pooling
        self.skip_steps = skip_steps
        self.patch_size = patch_size
        self.differences = differences
        self.n_channels = n_channels
        self.flat_layout = flat_layout
        self.leading_nan = leading_nan
        self.standardize = standardize
        self.batch_size = batch_size
        self.learning_rate_init = learning_rate_init
        self.learning_rate = learning_rate
        self.alpha = alpha
        self.optimizer = optimizer
        self.max_iter = max_iter
        self.shuffle = shuffle
        self.tol = tol
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.n_iter_no_change = n_iter_no_change
        self.gradient_clip = gradient_clip
        self.device = device
        self.mixed_precision = mixed_precision
        self.n_threads = n_threads
        self.callbacks = callbacks
        self.random_state = random_state
        self.verbose = verbose
        self.warm_start = warm_start

    # ------------------------------------------------------------------
    # What subclasses define
    @abstractmethod
    def _prepare_targets(self, y, seqs, *, first_call, classes=None):
        """Validate ``y``; return the training targets as a numpy array."""

    @abstractmethod
    def _loss_function(self, device):
        """Return ``loss_fn(output, y)`` for the training targets."""

    @abstractmethod
    def _validation_score(self, output, y, offsets):
        """Score network outputs against training targets (higher is better)."""

    def _target_offsets(self, seqs):
        """Per-row offsets that map training targets back for scoring."""
        return None

    @abstractmethod
    def _split_validation(self, n_samples, y, rng):
        """Return (train_index, valid_index) for early stopping."""

    # ------------------------------------------------------------------
    # Fitting
    def _fit(self, X, y, *, incremental, classes=None):
        first_call = not (hasattr(self, "module_") and (incremental or self.warm_start))
        seqs = check_sequences(self, X, reset=first_call)
        targets = self._prepare_targets(
            y, seqs, first_call=first_call, classes=classes
        )
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        device = self._resolve_device(first_call)
        with _torch_threads(self.n_threads), _forked_rng(device):
            torch.manual_seed(seed)
            generator = torch.Generator().manual_seed(seed)
            if first_call:
                self._initialize(seqs, targets)
            self.module_.to(device)
            data = _to_tensors(seqs, targets, device)
            offsets = self._target_offsets(seqs)
            if offsets is not None:
                data.offsets = torch.from_numpy(offsets).to(device)
            valid = None
            if self.early_stopping and not incremental:
                train_idx, valid_idx = self._split_validation(len(seqs), targets, rng)
                data, valid = data.subset(train_idx), data.subset(valid_idx)
            batch_size = self._batch_size(len(data))
            self.optimizer_ = self._rebuild_optimizer(batch_size)
            epochs = 1 if incremental else self.max_iter
            result = train(
                self.module_,
                self.optimizer_,
                self._loss_function(device),
                data,
                valid,
                max_iter=epochs,
                batch_size=batch_size,
                shuffle=self.shuffle,
                generator=generator,
                gradient_clip=self.gradient_clip,
                stopper=None if incremental else NoImprovement(self.tol, self.n_iter_no_change),
                scheduler=self._scheduler(epochs, watch_valid=valid is not None),
                callbacks=self.callbacks or (),
                valid_score=self._validation_score,
                verbose=self.verbose,
                first_epoch=self.n_iter_ + 1,
                owner=self,
                autocast=self._autocast(device),
                # cuDNN RNNs run in float16 under CUDA autocast (see train)
                loss_scaling=self.mixed_precision and device.type == "cuda",
            )
        self._record(result, early_stopping=valid is not None)
        if not (incremental or result.stopped or result.interrupted):
            warnings.warn(
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) "
                "reached and the optimization hasn't converged yet.",
                ConvergenceWarning,
            )
        return self

    def _relative_inputs(self):
        """Whether the network reads sequences relative to their last step."""
        return False

    def _initialize(self, seqs, targets):
        relative = self._relative_inputs()
        n_steps = seqs.values.shape[1]
        if self.patch_size == "auto":
            self.patch_size_ = max(1, math.ceil(n_steps / _AUTO_PATCH_STEPS))
        else:
            self.patch_size_ = self.patch_size
        n_features = seqs.values.shape[2]
        if self.skip_steps == "auto":
            self.skip_steps_ = min(
                n_steps,
                len(seqs) // (_AUTO_SKIP_SAMPLES_PER_INPUT * n_features),
                max(1, _AUTO_SKIP_MAX_INPUTS // n_features),
            )
        else:
            self.skip_steps_ = min(self.skip_steps, n_steps)
        if self.differences == "auto":
            self.differences_ = self.patch_size_ == 1
        else:
            self.differences_ = bool(self.differences)
        self.module_ = RecurrentNetwork(
            seqs.values.shape[2],
            self._n_outputs,
            cell=self._get_cell(),
            hidden_size=self.hidden_size,
            num_layers=self.num_layers,
            bidirectional=self.bidirectional,
            dropout=self.dropout,
            input_noise=self.input_noise,
            pooling=self.pooling,
            relative=relative,
            skip_steps=self.skip_steps_,
            differences=self.differences_,
            patch_size=self.patch_size_,
        )
        if self.standardize:
            reference = last_values(seqs) if relative else None
            shift, scale = _channel_moments(seqs.values, seqs.lengths, reference)
            self.module_.input_shift.copy_(torch.from_numpy(shift))
            self.module_.input_scale.copy_(torch.from_numpy(scale))
            if self.differences_:
                self.module_.diff_scale.copy_(
                    torch.from_numpy(_difference_scale(seqs.values, seqs.lengths))
                )
            if relative:
                shift, scale = _moments(reference)
                self.module_.level_shift.copy_(torch.from_numpy(shift))
                self.module_.level_scale.copy_(torch.from_numpy(scale))
        if self.module_.skip is not None and targets.dtype.kind == "f":
            _fit_skip_least_squares(self.module_, seqs, targets)
        self.optimizer_ = None
        self.n_iter_ = 0
        self.history_ = []

    def _autocast(self, device):
        """Factory of the context every forward pass runs in."""
        if not self.mixed_precision:
            return nullcontext
        return lambda: torch.autocast(device.type, dtype=torch.bfloat16)

    def _get_cell(self):
        return self.cell

    def _check_y_given(self, y):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y "
                "is None."
            )

    def _rebuild_optimizer(self, batch_size):
        """A fresh optimizer over ``module_``, carrying over any saved state.

        The L2 penalty follows scikit-learn's MLP, which divides
        ``0.5 * alpha * ||W||^2`` by the batch size in each step's loss.
        """
        lr, decay = self.learning_rate_init, self.alpha / batch_size
        if self.optimizer == "adam":
            cls, options = torch.optim.Adam, {}
        elif self.optimizer == "adamw":
            cls, options = torch.optim.AdamW, {}
        else:
            cls, options = torch.optim.SGD, {"momentum": 0.9, "nesterov": True}
        optimizer = fused_optimizer(
            cls, self.module_.parameters(), lr=lr, weight_decay=decay, **options
        )
        previous = self.optimizer_
        if previous is not None:
            state = previous if isinstance(previous, dict) else previous.state_dict()
            fused = optimizer.defaults.get("fused")
            for group in state["param_groups"]:
                group["lr"] = lr  # a new fit starts from learning_rate_init
                # The kernel follows this fit's device, not the saved one's.
                group["fused"] = fused
            optimizer.load_state_dict(state)
        return optimizer

    def _scheduler(self, epochs, watch_valid):
        if self.learning_rate == "adaptive":
            plateau = torch.optim.lr_scheduler.ReduceLROnPlateau(
                self.optimizer_,
                factor=0.2,
                patience=max(1, self.n_iter_no_change // 2),
                threshold=self.tol,
                threshold_mode="abs",
                min_lr=self.learning_rate_init * 1e-3,
            )
            return plateau.step
        if self.learning_rate == "cosine":
            cosine = torch.optim.lr_scheduler.CosineAnnealingLR(
                self.optimizer_, T_max=epochs, eta_min=self.learning_rate_init * 1e-2
            )
            return lambda loss: cosine.step()
        return None

    def _batch_size(self, n_samples):
        if self.batch_size == "auto":
            return min(max(16, n_samples // 8), 200, n_samples)
        return min(self.batch_size, n_samples)

    def _record(self, result, early_stopping):
        self.history_ = self.history_ + result.history
        self.n_iter_ += len(result.history)
        self.loss_curve_ = [r["train_loss"] for r in self.history_]
        if early_stopping:
            self.validation_scores_ = [r["valid_score"] for r in result.history]
            self.best_epoch_ = result.best_epoch
            best = [r for r in result.history if r["epoch"] == result.best_epoch]
            self.best_validation_score_ = (
                best[0]["valid_score"] if best else result.initial_valid_score
            )
            self.best_loss_ = None
        else:
            self.validation_scores_ = None
            self.best_validation_score_ = None
            self.best_epoch_ = None
            self.best_loss_ = min(self.loss_curve_)

    def _resolve_device(self, first_call):
        if self.device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        elif self.device == "cuda" and not torch.cuda.is_available():
            raise ValueError(
                "device='cuda' was requested but no CUDA device is available; "
                "use device='cpu' or device='auto'."
            )
        else:
            device = self.device
        self.device_ = device
        return torch.device(device)

    def _split_tail(self, n_samples):
        """Hold out the last ``validation_fraction`` of the rows, in order."""
        n_valid = math.ceil(self.validation_fraction * n_samples)
        if n_valid < 1 or n_samples - n_valid < 1:
            raise ValueError(
                "The validation set is too small for early stopping: "
                f"validation_fraction={self.validation_fraction} of "
                f"n_samples={n_samples} leaves {n_samples - n_valid} training "
                "sample(s). Increase the number of samples or set "
                "early_stopping=False."
            )
        split = n_samples - n_valid
        return np.arange(split), np.arange(split, n_samples)

    # ------------------------------------------------------------------
    # Inference
    def _forward(self, X):
        """Validate ``X``; return the network's outputs (float64) and ``X``.

        The validated :class:`~sklearn_rnn._validation.Sequences` are returned
        too, for subclasses that map outputs back using the inputs.
        """
        check_is_fitted(self)
        seqs = check_sequences(self, X, reset=False)
        device = self._inference_device()
        with _torch_threads(self.n_threads):
            outputs = predict_batches(self.module_, seqs.values, seqs.lengths,
                                      device=device, autocast=self._autocast(device))
        return outputs, seqs

    def _inference_device(self):
        device = self.device_
        if device == "cuda" and not torch.cuda.is_available():
            warnings.warn(
                "This model was fitted on CUDA, which is not available here; "
                "predicting on the CPU."
            )
            self.device_ = device = "cpu"
            self.module_.to(device)
        return torch.device(device)

    # ------------------------------------------------------------------
    # Pickling: tensors always travel on the CPU, so a model trained on a
    # GPU loads on a machine without one.
    def __getstate__(self):
        # A copy: on Python >= 3.11 BaseEstimator.__getstate__ returns the
        # instance's own __dict__, and pickling must not move the live
        # estimator's network off its device or replace its optimizer.
        state = dict(super().__getstate__())
        if "module_" in state:
            module = state["module_"]
            if any(p.device.type != "cpu" for p in module.parameters()):
                state["module_"] = copy.deepcopy(module).cpu()
            optimizer = state.get("optimizer_")
            if optimizer is not None and not isinstance(optimizer, dict):
                state["optimizer_"] = _state_to_cpu(optimizer.state_dict())
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if isinstance(getattr(self, "optimizer_", None), dict):
            self.optimizer_ = self._rebuild_optimizer(self._batch_size(1 << 30))

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.non_deterministic = self.device != "cpu"
        return tags


def _to_tensors(seqs, targets, device):
    X = torch.from_numpy(seqs.values).to(device)
    y = torch.from_numpy(targets).to(device)
    lengths = None if seqs.lengths is None else torch.from_numpy(seqs.lengths)
    return TensorData(X, y, lengths)


def _fit_skip_least_squares(module, seqs, targets, ridge=1e-3):
    """Start from the best linear model: solve the skip layer in closed form.

    The linear skip connection is set to the ridge least-squares fit of the
    (standardised) targets on its inputs, and the recurrent head to zero, so
    training starts from a linear autoregressive model and the recurrent path
    learns what it misses.
    """
    with torch.no_grad():
        values = torch.from_numpy(seqs.values)
        lengths = None if seqs.lengths is None else torch.from_numpy(seqs.lengths)
        features = module.skip_features(values, lengths).double()
        design = torch.cat([features, features.new_ones(len(features), 1)], dim=1)
        target = torch.from_numpy(targets).double().reshape(len(features), -1)
        gram = design.T @ design
        penalty = ridge * len(features) * torch.eye(gram.shape[0], dtype=gram.dtype)
        penalty[-1, -1] = 0.0  # no penalty on the intercept
        coef = torch.linalg.lstsq(gram + penalty, design.T @ target).solution
        module.skip.weight.copy_(coef[:-1].T)
        module.skip.bias.copy_(coef[-1])
        module.head.weight.zero_()
        module.head.bias.zero_()


def last_values(seqs):
    """Each sequence's values at its last valid step, shape (n, n_channels)."""
    last = (
        np.full(len(seqs), seqs.values.shape[1] - 1)
        if seqs.lengths is None
        else seqs.lengths - 1
    )
    return seqs.values[np.arange(len(seqs)), last].astype(np.float64)


def _moments(values):
    """Column means and standard deviations (1 where a column is constant)."""
    mean = values.mean(axis=0)
    std = values.std(axis=0)
    std[std < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)


def _channel_moments(values, lengths, reference=None):
    """Per-channel mean and standard deviation over the valid time steps.

    With ``reference`` (n, n_channels), moments of ``values - reference``.
    """

    def relative(block, start):
        if reference is not None:
            block -= reference[start : start + len(block), None, :]
        return block

    total, total_sq, count = _valid_step_sums(values, lengths, relative)
    mean = total / count
    var = np.maximum(total_sq / count - mean**2, 0.0)
    std = np.sqrt(var)
    std[std < 1e-12 * np.maximum(1.0, np.abs(mean))] = 1.0
    return mean.astype(np.float32), std.astype(np.float32)


def _difference_scale(values, lengths):
    """Per-channel root mean square of the steps' changes ``x[t] - x[t-1]``.

    Over the valid steps after each sequence's first; 1 where there is no
    change at all (or only one step).
    """
    _, total_sq, count = _valid_step_sums(
        values, lengths, lambda block, start: np.diff(block, axis=1)
    )
    scale = np.sqrt(total_sq / max(count, 1))
    scale[~(scale > 0)] = 1.0
    return scale.astype(np.float32)


def _valid_step_sums(values, lengths, transform, chunk=4096):
    """Per-channel sum, sum of squares and count over the valid time steps.

    ``values`` is read in float64 blocks of ``chunk`` sequences, each passed
    through ``transform(block, start)`` first; a transform that drops leading
    steps (such as a difference) keeps the valid steps aligned to the end.
    """
    n_channels = values.shape[2]
    total = np.zeros(n_channels)
    total_sq = np.zeros(n_channels)
    count = 0
    for start in range(0, values.shape[0], chunk):
        block = transform(values[start : start + chunk].astype(np.float64), start)
        if lengths is None:
            count += block.shape[0] * block.shape[1]
        else:
            offset = values.shape[1] - block.shape[1]
            steps = np.arange(offset, values.shape[1])
            mask = steps[None, :] < lengths[start : start + chunk, None]
            block = block * mask[..., None]
            count += int(mask.sum())
        total += block.sum(axis=(0, 1))
        total_sq += np.square(block).sum(axis=(0, 1))
    return total, total_sq, count


def _state_to_cpu(state):
    if isinstance(state, torch.Tensor):
        return state.cpu()
    if isinstance(state, dict):
        return {k: _state_to_cpu(v) for k, v in state.items()}
    if isinstance(state, list):
        return [_state_to_cpu(v) for v in state]
    return state


@contextmanager
def _torch_threads(n_threads):
    """Run with ``n_threads`` torch threads, restoring the setting after."""
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def _forked_rng(device):
    """Seeding inside fit must not touch the caller's global torch RNG."""
    if device.type == "cuda":
        index = device.index if device.index is not None else torch.cuda.current_device()
        return torch.random.fork_rng(devices=[index])
    if device.type == "cpu":
        return torch.random.fork_rng(devices=[])
    return nullcontext()
