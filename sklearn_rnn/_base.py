"""The estimator core shared by the regressors and the classifier.

:class:`BaseSequenceEstimator` holds the parameters and their constraints,
the fit procedure (input checks, device, seeding, validation split, then
:func:`sklearn_rnn._initialization.build_network` and
:func:`sklearn_rnn._training.train`), batched inference, tags and pickling.
Subclasses say what the targets are: how to encode them, which loss to
minimise, how to score the validation rows and how to turn network outputs
into predictions.
"""

import warnings
from abc import ABCMeta, abstractmethod
from contextlib import nullcontext
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import BaseEstimator, is_regressor
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted

from ._compat import DeviceOptions, Interval, StrOptions
from ._initialization import build_network, resolve_sizes, warm_target_start
from ._networks import POOLINGS
from ._portable import PortableStateMixin
from ._versions import VersionWarning
from ._optimizers import OPTIMIZERS, SCHEDULES, make_optimizer, make_schedule
from ._prediction import predict_batches
from ._progress import describe_start
from ._random import FitRandomness, draws_in_training
from ._sequences import record_shortest, warn_of_short_sequences
from ._threads import torch_threads
from ._training import TensorData, check_callbacks, significant_gain, split_tail, train
from ._validation import (check_batch_size, check_device, check_fitted_device,
                          check_sample_weight, check_sequences, split_positive_weights)
from ._warm_start import check_fixed_params, restored_on_error

#: Parameters passed to the network as they are.
_NETWORK_PARAMS = ("hidden_size", "num_layers", "bidirectional", "dropout",
                   "input_noise", "pooling")


class BaseSequenceEstimator(PortableStateMixin, BaseEstimator, metaclass=ABCMeta):
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
        "time_axis": [Interval(Integral, 1, 2, closed="both")],
        "leading_nan": [StrOptions({"raise", "trim"})],
        "standardize": ["boolean"],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate_init": [Interval(Real, 0, None, closed="neither")],
        "learning_rate": [StrOptions(set(SCHEDULES))],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "optimizer": [StrOptions(set(OPTIMIZERS))],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "tol": [Interval(Real, 0, None, closed="left")],
        "early_stopping": ["boolean"],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "gradient_clip": [None, Interval(Real, 0, None, closed="neither")],
        "device": [DeviceOptions({"cpu", "cuda", "auto"})],
        "mixed_precision": ["boolean"],
        "n_threads": [None, Interval(Integral, 1, None, closed="left")],
        "callbacks": [None, list, tuple],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
        "warm_start": ["boolean"],
    }

    _network_options = dict  # a subclass's further build_network options: none

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
        time_axis,
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
        self.time_axis = time_axis
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
    def _prepare_targets(self, y, seqs, *, first_call, incremental=False, classes=None,
                         sample_weight=None):
        """Validate ``y`` (of ``partial_fit`` if ``incremental``); return the targets
        (their scaling weighs the rows by ``sample_weight``)."""

    @abstractmethod
    def _loss_function(self, device):
        """Return ``loss_fn(output, y)`` for the training targets."""

    @abstractmethod
    def _validation_scorer(self, seqs, index, device):
        """Return ``score(output, y)`` for the validation rows ``seqs[index]``.

        ``score`` compares the network's outputs with the training targets
        of those rows (higher is better).
        """

    def _split_validation(self, n_samples, y, rng):
        """Return (train_index, valid_index) for early stopping: the tail."""
        return split_tail(n_samples, self.validation_fraction)

    # ------------------------------------------------------------------
    # Fitting
    @restored_on_error
    def _fit(self, X, y, *, incremental, classes=None, sample_weight=None):
        first_call = not (hasattr(self, "module_") and (incremental or self.warm_start))
        check_fixed_params(self, first_call)
        refit, self._refitted = getattr(self, "_refitted", None), None  # none in a checkpoint
        callbacks = check_callbacks(self.callbacks)
        seqs = check_sequences(self, X, reset=first_call, y=y)
        record_shortest(self, seqs, first_call)
        weights = check_sample_weight(sample_weight, len(seqs))
        targets = self._prepare_targets(y, seqs, first_call=first_call, incremental=incremental,
                                        classes=classes, sample_weight=weights)
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        device = self._resolve_device()
        validating = self.early_stopping and not incremental
        train_idx, valid_idx = split_positive_weights(  # without validation: the rows of
            self._split_validation if validating else None, weights, targets, rng)  # weight > 0
        randomness = FitRandomness(seed, device, stream=0 if first_call else self.n_iter_)
        with torch_threads(self.n_threads):
            generator = torch.Generator().manual_seed(randomness.seed)  # shuffling
            start = None
            if first_call:  # the start sees no validation row
                with randomness.drawing():
                    start = self._initialize(seqs, targets, weights, train_idx, incremental)
            self.module_.to(device)
            if validating and not first_call:  # nor a warm fit's: the last refit is undone
                start = warm_target_start(self, refit, seqs, targets, weights, train_idx, device)
            data = TensorData.from_numpy(
                seqs.values, seqs.lengths, targets, device, weights, self.module_
            )
            valid = valid_score = None
            if validating:
                data, valid = data.subset(train_idx), data.subset(valid_idx)
                valid_score = self._validation_scorer(seqs, valid_idx, device)
            elif train_idx is not None:  # rows of weight 0: as if removed
                data = data.subset(train_idx)
            if first_call and not incremental and start and start.fresh:
                self._before_training(start, data, device, randomness)  # classifier: stacking
            batch_size = self._batch_size(len(data))
            self.optimizer_ = self._rebuild_optimizer(batch_size)
            epochs = 1 if incremental else self.max_iter
            scheduler, stopper, self._plateau = make_schedule(  # see partial_fit
                self.learning_rate, self.optimizer_, epochs=epochs,
                lr=self.learning_rate_init, n_iter_no_change=self.n_iter_no_change,
                tol=self.tol, incremental=incremental,
                carried=None if first_call else getattr(self, "_plateau", None),
                # the network begins at its start: the validation loss sits
                # there while the zero output layer grows (see n_iter_no_change)
                warmup=self.n_iter_no_change if validating else 0)
            result = train(
                self.module_,
                self.optimizer_,
                self._loss_function(device),
                data,
                valid,
                max_iter=epochs,
                skip_weightless=incremental and not first_call,  # a batch of classes weighted 0
                batch_size=batch_size,
                shuffle=self.shuffle,
                generator=generator,
                gradient_clip=self.gradient_clip,
                stopper=stopper,
                scheduler=scheduler,
                callbacks=callbacks,
                valid_score=valid_score,
                verbose=self.verbose,
                first_epoch=self.n_iter_ + 1,  # a copy pickled during a first fit: no best_epoch_
                start_epoch=None if first_call else getattr(self, "best_epoch_", None),
                owner=self,
                autocast=self._autocast(device),
                draws=randomness.drawing if draws_in_training(self.module_) else None,
                # cuDNN RNNs run in float16 under CUDA autocast (see train)
                loss_scaling=self.mixed_precision and device.type == "cuda",
                scaler_state=None if first_call else getattr(self, "_scaler_state", None),
                # a fitted start yields only to a gain above the noise
                start_test=significant_gain if start is not None and start.fresh else None,
                constant_output=self._constant_output(data), standardized=self.standardize,
            )
            self._refitted = refitted = start is not None and valid is not None and start.refit(
                kept=result.best_epoch == result.start_epoch, device=device)
        self._record(result, early_stopping=valid is not None)
        self._n_validation = 0 if valid is None else len(valid)
        self._scaler_state = result.scaler_state  # plain numbers: pickles stay portable
        if self.verbose and valid is not None:  # a fresh regressor's skip connection starts linear
            describe_start(result, start is not None and start.fresh and is_regressor(self)
                           and bool(self.skip_steps_), refitted)
        maxed = not (incremental or result.stopped or result.interrupted
                     or self.learning_rate == "cosine")  # cosine ends at max_iter by design
        for message in [result.worse] * bool(result.worse) + maxed * [
                f"Stochastic Optimizer: Maximum iterations ({self.max_iter}) reached "
                "and the optimization hasn't converged yet."]:
            warnings.warn(message, ConvergenceWarning)
        return self

    def _relative_inputs(self):
        """Whether the network reads sequences relative to their last step."""
        return False

    def _before_training(self, start, data, device, randomness):
        """Train on ``data`` from a fresh ``start`` before the main loop: nothing."""

    def _initialize(self, seqs, targets, weights=None, start_rows=None, first_batch=False):
        """Resolve the sizes and build ``module_``; returns its
        :class:`~sklearn_rnn._initialization.TargetStart`, fitted on
        ``start_rows`` (all when None). ``first_batch``: of ``partial_fit``."""
        self.patch_size_, self.skip_steps_, self.differences_ = resolve_sizes(
            seqs, weights, patch_size=self.patch_size, skip_steps=self.skip_steps,
            differences=self.differences, first_batch=first_batch)
        self.module_, start = build_network(
            seqs, targets, self._n_outputs, standardize=self.standardize,
            sample_weight=weights, start_rows=start_rows,
            cell=self._get_cell(), relative=self._relative_inputs(),
            skip_steps=self.skip_steps_, differences=self.differences_, patch_size=self.patch_size_,
            **self._network_options(), **{n: getattr(self, n) for n in _NETWORK_PARAMS},
        )
        self.optimizer_, self.n_iter_, self.history_ = None, 0, []
        return start

    def _autocast(self, device):
        """Factory of the context every forward pass runs in: the caller's
        ``torch.autocast`` switched off without mixed precision (review rvB F10)."""
        if not self.mixed_precision:
            if device.type not in ("cpu", "cuda"):  # meta: no autocast to leak
                return nullcontext
            return lambda: torch.autocast(device.type, enabled=False)
        return lambda: torch.autocast(device.type, dtype=torch.bfloat16)

    def _get_cell(self):
        return self.cell

    def _rebuild_optimizer(self, batch_size):
        """A fresh optimizer over ``module_``, carrying over ``optimizer_``."""
        return make_optimizer(self.optimizer, self.module_.parameters(), lr=self.learning_rate_init,
                              alpha=self.alpha, batch_size=batch_size, previous=self.optimizer_)

    def _batch_size(self, n_samples):
        return check_batch_size(self.batch_size, n_samples)

    def _record(self, result, early_stopping):
        self.history_ = self.history_ + result.history
        self.n_iter_ += len(result.history)
        self.loss_curve_ = [r["train_loss"] for r in self.history_]
        self.loss_ = self.loss_curve_[-1] if self.loss_curve_ else None  # MLP's
        self.validation_scores_ = self.best_validation_score_ = self.best_epoch_ = None
        self.best_loss_ = self.initial_validation_loss_ = self.training_improvement_ = None
        if early_stopping:
            self.initial_validation_loss_ = result.initial_valid_loss
            self.training_improvement_ = result.improvement()
            self.validation_scores_ = [r.get("valid_score") for r in self.history_]
            self.best_epoch_ = result.best_epoch
            best = [r for r in result.history if r["epoch"] == result.best_epoch]
            self.best_validation_score_ = (
                best[0]["valid_score"] if best else result.initial_valid_score
            )
        else:
            # none before an epoch ended (interrupted during the first)
            self.best_loss_ = min(self.loss_curve_, default=None)

    def _resolve_device(self):
        device = self.device
        if device == "auto":
            device = "cuda" if torch.cuda.is_available() else "cpu"
        self.device_ = device = check_device(device)  # "cuda": by the current index
        return torch.device(device)

    # ------------------------------------------------------------------
    # Inference
    def _forward(self, X):
        """Validate ``X``; return the network's outputs (float64) and ``X``.

        The validated :class:`~sklearn_rnn._sequences.Sequences` are returned
        too, for subclasses that map outputs back using the inputs.
        """
        check_is_fitted(self)
        seqs = check_sequences(self, X, reset=False)
        warn_of_short_sequences(self, seqs)
        device = self._inference_device()
        with torch_threads(self.n_threads):
            outputs = predict_batches(self.module_, seqs.values, seqs.lengths,
                                      device=device, autocast=self._autocast(device))
        return outputs, seqs

    def _inference_device(self):
        self.device_ = device = check_fitted_device(self.device_)  # warns where it moves
        return torch.device(device)  # predict_batches moves the network there

    _renamed_attributes = {"input_size_": "n_channels_in_"}  # on unpickling
    _version_warning = VersionWarning  # scikit-learn's filters catch it

    @property
    def input_size_(self):
        """Deprecated: ``n_channels_in_`` (the former name, removed in 0.3)."""
        warnings.warn("input_size_ was renamed n_channels_in_ (the package's one name for "
                      "variables per time step) and will be removed in 0.3; use "
                      "n_channels_in_ instead.", FutureWarning)
        return self.n_channels_in_

    def __dir__(self):
        # Deprecated aliases stay reachable but unlisted: tools that collect fitted
        # attributes from dir() (skbase's get_fitted_params) neither list nor warn.
        return [name for name in super().__dir__() if name not in self._renamed_attributes]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.input_tags.allow_nan = self.leading_nan == "trim"  # the leading steps only
        device = str(self.device)  # "auto" runs on the CPU where no GPU is
        tags.non_deterministic = device != "cpu" and (device != "auto" or torch.cuda.is_available())
        return tags
