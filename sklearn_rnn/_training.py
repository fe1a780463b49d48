"""The one training loop every estimator uses, and what it runs with.

Plain PyTorch, no scikit-learn: tensors are built once per fit and batches
are cut from them by index (no DataLoader, no collation). The loop records a
history of per-epoch losses, stops on the no-improvement rule of
scikit-learn's MLP (``tol``, ``n_iter_no_change``), restores the best weights
when a validation set is monitored, and raises on a loss that diverged (not
finite, or exploding: :mod:`._divergence`).

Around the loop: the early-stopping tail split (:func:`split_tail`), the
test that keeps a fitted start against a noisy validation gain
(:func:`significant_gain`); the number of torch threads a fit or a
prediction runs on is :mod:`._threads`'. A fit's random state is :mod:`._random`'s, the
optimizer state's pickling :mod:`._portable`'s, batched prediction
:mod:`._prediction`'s.
"""

import copy
import math
import time
import warnings
from contextlib import nullcontext
from dataclasses import dataclass, field

import numpy as np
import torch

from ._divergence import divergence_test
from ._optimizers import check_steps_taken, make_loss_scaler
from ._prediction import inference_rows
from ._progress import Progress

__all__ = ["TensorData", "TrainingResult", "train", "n_validation", "split_tail",
           "significant_gain"]

#: Standard errors by which a trained epoch's validation gain over a fitted
#: start must exceed the noise for its weights to replace the start
#: (:func:`significant_gain`): measured in docs/benchmarks.md.
START_GAIN_Z = 1.0


@dataclass
class TensorData:
    """Inputs, valid lengths, targets and sample weights, sliced into batches.

    ``X``, ``y`` and ``weight`` live on the training device; ``lengths``
    stays on the CPU, where :func:`torch.nn.utils.rnn.pack_padded_sequence`
    wants it. ``weight`` is None for equal weights. ``fixed``, if not None,
    holds per-row inputs of the module computed once from ``X`` (its
    ``fixed_inputs``, e.g. random-convolution features), sliced like ``y``.
    """

    X: torch.Tensor
    y: torch.Tensor | None = None
    lengths: torch.Tensor | None = None
    weight: torch.Tensor | None = None
    fixed: torch.Tensor | None = None

    @classmethod
    def from_numpy(cls, values, lengths, targets, device, weights=None, module=None):
        """Tensors on ``device`` (``lengths`` on the CPU), ``module``'s fixed inputs."""
        X = torch.from_numpy(values).to(device)
        y = torch.from_numpy(targets).to(device)
        if weights is not None:
            weights = torch.from_numpy(weights.astype(np.float32)).to(device)
        lengths = None if lengths is None else torch.from_numpy(lengths)
        fixed = None if module is None else module.fixed_inputs(X, lengths)
        return cls(X, y, lengths, weights, fixed)

    def __len__(self):
        return self.X.shape[0]

    def batch(self, index, cpu_index=None):
        """Return ``(inputs, y, weight)`` for a slice or an index tensor.

        ``inputs`` are the module's arguments: ``(X, lengths)``, then the
        rows of ``fixed`` if any. ``cpu_index`` is the same index on the
        CPU, for ``lengths``, when ``index`` lives on another device.
        """
        X, lengths = self.X[index], None
        y = None if self.y is None else self.y[index]
        weight = None if self.weight is None else self.weight[index]
        fixed = () if self.fixed is None else (self.fixed[index],)
        if self.lengths is not None:
            lengths = self.lengths[index if cpu_index is None else cpu_index]
            X = X[:, : int(lengths.max())]
        return (X, lengths, *fixed), y, weight

    def subset(self, index):
        """A new :class:`TensorData` holding the rows at ``index``."""
        def take(t):
            return None if t is None else t[index]

        return TensorData(self.X[index], take(self.y), take(self.lengths),
                          take(self.weight), take(self.fixed))


def n_validation(n_samples, validation_fraction):
    """Number of rows early stopping holds out: the last ``validation_fraction``.

    Raises if the validation or the training part would be empty.
    """
    n_valid = math.ceil(validation_fraction * n_samples)
    if n_valid >= 1 and n_samples - n_valid < 1:
        raise ValueError(
            f"Early stopping holds out validation_fraction={validation_fraction} "
            f"of n_samples={n_samples}, {n_valid} sample(s), and leaves none to "
            "train on. Give more samples, lower validation_fraction or set "
            "early_stopping=False."
        )
    if n_valid < 1:
        raise ValueError(
            "The validation set is too small for early stopping: "
            f"validation_fraction={validation_fraction} of "
            f"n_samples={n_samples} leaves {n_samples - n_valid} training "
            "sample(s). Increase the number of samples or set "
            "early_stopping=False."
        )
    return n_valid


def split_tail(n_samples, validation_fraction):
    """Hold out the last ``validation_fraction`` of the rows, in order.

    Returns ``(train_index, valid_index)``; raises as :func:`n_validation`.
    """
    split = n_samples - n_validation(n_samples, validation_fraction)
    return np.arange(split), np.arange(split, n_samples)


@dataclass
class TrainingResult:
    """What :func:`train` reports back."""

    history: list = field(default_factory=list)
    best_epoch: int | None = None
    #: The epoch whose weights training started from (``best_epoch`` where
    #: training kept them).
    start_epoch: int | None = None
    initial_valid_score: float | None = None
    initial_valid_loss: float | None = None
    best_valid_loss: float | None = None
    #: The epoch with the lowest validation loss where ``start_test`` kept
    #: the starting weights instead (its gain was within the noise).
    untrusted_epoch: int | None = None
    stopped: bool = False
    interrupted: bool = False
    #: The message of a warning where the weights returned fit the training
    #: rows far worse than a constant prediction (without validation rows)
    worse: str | None = None
    #: The loss scaler's state after training, for the next call (as passed without one).
    scaler_state: dict | None = None

    def improvement(self):
        """``1 - best / initial`` validation loss: 0 where training kept the start."""
        start, best = self.initial_valid_loss, self.best_valid_loss
        return 1.0 - best / start if start > 0 else 0.0


def check_callbacks(callbacks):
    """The ``callbacks`` parameter as a tuple; a ``TypeError`` names an item that is not callable."""
    callbacks = tuple(callbacks or ())
    for i, callback in enumerate(callbacks):
        if not callable(callback):
            raise TypeError(
                "callbacks must hold callables, each called as callback(estimator, "
                f"record) after every epoch; item {i} is {callback!r}, of type "
                f"{type(callback).__name__}."
            )
    return callbacks


def train(
    module,
    optimizer,
    loss_fn,
    train_data,
    valid_data=None,
    *,
    max_iter,
    batch_size,
    shuffle=True,
    generator=None,
    gradient_clip=None,
    stopper=None,
    scheduler=None,
    callbacks=(),
    valid_score=None,
    verbose=0,
    first_epoch=1,
    start_epoch=None,
    owner=None,
    autocast=nullcontext,
    draws=None,
    loss_scaling=False,
    scaler_state=None,
    start_test=None,
    skip_weightless=False,
    constant_output=None,
    standardized=True,
):
    """Train ``module`` for up to ``max_iter`` epochs.

    Parameters
    ----------
    module : torch.nn.Module
        Called as ``module(X, lengths)``, or ``module(X, lengths, fixed)``
        with the batch's rows of the data's ``fixed``.
    optimizer : torch.optim.Optimizer
        Optimizer over ``module``'s parameters.
    loss_fn : callable
        ``loss_fn(output, y)`` returning a scalar mean loss, called as
        ``loss_fn(output, y, weight)`` (the rows' weights) where the data
        hold weights; its ``validation``, if any, is the loss the validation
        set is judged by (for quantiles: on sorted outputs).
    train_data, valid_data : TensorData
        Training data and an optional validation set. When ``valid_data`` is
        given, ``stopper`` watches its loss and the weights of the epoch with
        the lowest validation loss are restored at the end; the starting
        weights count as epoch ``start_epoch``.
    max_iter : int
        Maximum number of epochs.
    batch_size : int
        Rows per optimisation step.
    shuffle : bool, default=True
        Whether to visit rows in a new random order every epoch.
    generator : torch.Generator, default=None
        Source of the shuffling order.
    gradient_clip : float, default=None
        Maximum total gradient norm per step.
    stopper : _optimizers.NoImprovement, default=None
        Stops training; watches the validation loss if there is a validation
        set, else the training loss.
    scheduler : callable, default=None
        ``scheduler(monitored_loss)`` called after each epoch.
    callbacks : sequence of callable, default=()
        ``callback(owner, record)`` after each epoch; a truthy return stops
        training.
    valid_score : callable, default=None
        ``valid_score(output, y)`` on the whole validation set, returning a
        float recorded as ``"valid_score"`` for each epoch (higher is
        better).
    verbose : int, default=0
        1 prints a throttled epoch table, 2 every epoch, both with how
        training ended (:class:`~sklearn_rnn._progress.Progress`).
    first_epoch : int, default=1
        Number of the first epoch (continuing a warm start).
    start_epoch : int, default=None
        The epoch whose weights training starts from: ``first_epoch - 1``
        where None; a warm start after early stopping passes the epoch whose
        weights that fit restored.
    owner : object, default=None
        Passed to the callbacks (the estimator).
    autocast : callable, default=contextlib.nullcontext
        Returns the context manager every forward pass runs in, e.g. a
        :func:`torch.autocast` for mixed precision.
    draws : callable, default=None
        Returns the context manager every training forward pass runs in
        when it draws random numbers (dropout, input noise): the fit's own
        random state (:meth:`~sklearn_rnn._random.FitRandomness.drawing`).
    loss_scaling : bool, default=False
        Whether to scale the loss (:class:`torch.amp.GradScaler`) so that
        float16 gradients do not underflow: PyTorch's autocast runs cuDNN's
        LSTM and GRU in float16 whatever the autocast dtype. Steps whose
        gradients overflow are skipped, without a host synchronisation;
        an epoch that skipped every step warns.
    scaler_state : dict, default=None
        The loss scaler's state a previous call ended with
        (``result.scaler_state``): a continued fit goes on from its scale
        (:func:`~sklearn_rnn._optimizers.make_loss_scaler`).
    start_test : callable, default=None
        ``start_test(start_rows, best_rows, weight)`` on the per-row
        validation losses (``rows``) of the starting weights and of
        the best epoch, and the rows' weights: where it returns False, the
        starting weights are restored instead (e.g.
        :func:`significant_gain`); ``result.untrusted_epoch`` says which
        epoch lost.
    skip_weightless : bool, default=False
        What to do where every training row weighs 0 (sample times class
        weights): raise (a ``fit``: nothing to learn), or train nothing and
        return a result without epochs (a continued ``partial_fit``, whose
        batch holds only classes weighted 0): no step, the optimizer's
        state untouched.
    constant_output : torch.Tensor of shape (1, n_outputs), default=None
        A constant prediction (the targets' weighted mean, the classes'
        prior): a training loss over :data:`~sklearn_rnn._divergence.FACTOR`
        times the larger of its loss and the first batch's raises, as a NaN
        loss does (:func:`~sklearn_rnn._divergence.divergence_test`).
    standardized : bool, default=True
        Whether the estimator standardises (for that error's advice).

    Returns
    -------
    TrainingResult
        Per-epoch records, the best epoch and whether a stopping rule fired.
    """
    if not _has_some_weight(loss_fn, train_data):
        if not skip_weightless:
            raise ValueError(
                "Every training sample has weight 0 (its class weight times its sample "
                "weight): there is nothing to train on. Give the classes in y, or the "
                "samples, positive weights.")
        return TrainingResult(start_epoch=first_epoch - 1 if start_epoch is None
                              else start_epoch, scaler_state=scaler_state)
    if start_test is not None and valid_data is not None:
        _warn_if_too_few_to_judge(loss_fn, valid_data)
    valid_fn = getattr(loss_fn, "validation", loss_fn)
    result = TrainingResult(scaler_state=scaler_state)
    result.start_epoch = first_epoch - 1 if start_epoch is None else start_epoch
    diverged = divergence_test(loss_fn, train_data, constant_output, optimizer, standardized,
                               gradient_clip)
    scaler = scale = None
    if loss_scaling:
        scaler = make_loss_scaler(next(module.parameters()).device.type, scaler_state)
        scale = scaler.get_scale()
    best_state, best_valid = None, math.inf
    progress = Progress(
        verbose, first_epoch=first_epoch, start_epoch=result.start_epoch,
        max_iter=max_iter,
        has_valid=valid_data is not None,
        has_score=valid_data is not None and valid_score is not None,
    )
    if valid_data is not None:
        # The weights training starts from compete too: if no epoch beats
        # them on the validation set, they are what is restored.
        best_valid, result.initial_valid_score = evaluate(
            module, valid_fn, valid_data, valid_score, autocast=autocast
        )
        result.initial_valid_loss = best_valid
        result.best_epoch = result.start_epoch
        best_state = start_state = copy.deepcopy(module.state_dict())
    progress.start(best_valid if valid_data is not None else None,
                   result.initial_valid_score)
    reason = "max_iter"
    for epoch in range(first_epoch, first_epoch + max_iter):
        start = time.perf_counter()
        # Ctrl-C anywhere in the epoch (its training, validation, progress row
        # or callbacks) ends training with the best weights so far, with
        # scikit-learn's MLP's warning (../shared/STYLE.md: warn as MLP does)
        try:
            train_loss = _train_epoch(
                module, optimizer, loss_fn, train_data, batch_size, shuffle,
                generator, gradient_clip, autocast, scaler, draws or nullcontext,
                first_batch=diverged.started if epoch == first_epoch else None,
            )
            diverged(train_loss, f"at epoch {epoch}: the training loss")
            if scaler is not None:
                scale = check_steps_taken(scaler, scale, -(-len(train_data) // batch_size),
                                          epoch)
            record = {"epoch": epoch, "train_loss": train_loss}
            improved = False
            if valid_data is not None:
                valid_loss, score = evaluate(
                    module, valid_fn, valid_data, valid_score, autocast=autocast
                )
                record["valid_loss"] = valid_loss
                if valid_score is not None:
                    record["valid_score"] = score
                if valid_loss < best_valid:  # the copy first: an interrupt may come between
                    best_state = copy.deepcopy(module.state_dict())
                    best_valid, result.best_epoch = valid_loss, epoch
                    improved = True
            record["lr"] = optimizer.param_groups[0]["lr"]
            record["dur"] = time.perf_counter() - start
            result.history.append(record)
            progress.epoch(record, best=improved)
            monitored = record.get("valid_loss", train_loss)
            if scheduler is not None:
                scheduler(monitored)
            by_rule = stopper is not None and stopper.update(monitored, optimizer)
            by_callback = False
            for callback in callbacks:
                by_callback = bool(callback(owner, record)) or by_callback
        except KeyboardInterrupt:
            warnings.warn("Training interrupted by user.")
            result.interrupted = True
            reason = "interrupted"
            break
        if by_rule or by_callback:
            result.stopped = True
            reason = "rule" if by_rule else "callback"
            break
    if start_test is not None and valid_data is not None and result.best_epoch >= first_epoch:
        row_losses = []
        for state in (start_state, best_state):
            module.load_state_dict(state)
            output = _outputs(module, valid_data, autocast=autocast)
            row_losses.append(valid_fn.rows(output, valid_data.y))
        if not start_test(*row_losses, valid_data.weight):
            result.untrusted_epoch, result.best_epoch = result.best_epoch, result.start_epoch
            best_state, best_valid = start_state, result.initial_valid_loss
    if best_state is not None:
        module.load_state_dict(best_state)
    # The epochs' losses come before each step: the last step is checked here
    # (with a validation set, the weights kept had a finite validation loss).
    if valid_data is None and not result.interrupted:
        result.worse = _check_last_step(
            module, loss_fn, train_data, autocast, diverged,
            result.history[-1]["epoch"] if result.history else result.start_epoch)
    if valid_data is not None:
        result.best_valid_loss = best_valid
    if scaler is not None:
        result.scaler_state = scaler.state_dict()
    progress.end(
        result, reason=reason,
        tol=None if stopper is None else stopper.tol,
        n_iter_no_change=None if stopper is None else stopper.n_iter_no_change,
        min_lr=None if stopper is None else stopper.min_lr,
    )
    return result


def _train_epoch(module, optimizer, loss_fn, data, batch_size, shuffle, generator,
                 gradient_clip, autocast=nullcontext, scaler=None, draws=nullcontext,
                 first_batch=None, offset=None, after_step=None):
    """One epoch; returns its weighted mean training loss. ``first_batch``:
    called with the first batch's loss, before its step; ``offset``: per-row
    amounts added to the outputs (rows as ``data``'s; the stacking stage's);
    ``after_step``: called after each step."""
    module.train()
    n = len(data)
    order = torch.randperm(n, generator=generator) if shuffle else None
    device_order = order
    if order is not None and data.X.device.type != "cpu":
        device_order = order.to(data.X.device)  # one copy per epoch
    total = torch.zeros((), device=data.X.device)
    total_weight = torch.zeros((), device=data.X.device)  # of the batches' means
    for start in range(0, n, batch_size):
        if order is None:
            index = slice(start, start + batch_size)
            inputs, y, weight = data.batch(index)
        else:
            index = device_order[start:start + batch_size]
            inputs, y, weight = data.batch(index, order[start:start + batch_size])
        optimizer.zero_grad(set_to_none=True)
        with autocast(), draws():
            output = module(*inputs).float()
        if offset is not None:
            output = output + offset[index]
        loss = loss_fn(output, y) if weight is None else loss_fn(output, y, weight)
        if first_batch is not None:
            first_batch(loss.detach())
            first_batch = None
        if scaler is None:
            loss.backward()
            if gradient_clip is not None:
                torch.nn.utils.clip_grad_norm_(module.parameters(), gradient_clip)
            optimizer.step()
        else:
            scaler.scale(loss).backward()
            if gradient_clip is not None:
                scaler.unscale_(optimizer)
                torch.nn.utils.clip_grad_norm_(module.parameters(), gradient_clip)
            scaler.step(optimizer)
            scaler.update()
        if after_step is not None:
            after_step()
        rows = _row_weights(loss_fn, y, weight)
        batch_weight = len(y) if rows is None else rows.sum()
        total.add_(loss.detach() * batch_weight)
        total_weight.add_(batch_weight)
    # the epoch's weighted mean (a batch weighted 0 counts 0, as in the loss)
    return float(total) / max(float(total_weight), torch.finfo(torch.float64).tiny)


def _row_weights(loss_fn, y, weight):
    """The rows' weights in the loss (sample times class weights); None if all 1."""
    row_weights = getattr(loss_fn, "row_weights", None)
    return weight if row_weights is None else row_weights(y, weight)


def _has_some_weight(loss_fn, data):
    """Whether some training row weighs more than 0 (sample times class weights)."""
    weight = _row_weights(loss_fn, data.y, data.weight)
    return weight is None or float(weight.sum()) > 0


def _warn_if_too_few_to_judge(loss_fn, data):
    """Warn where the validation rows are too few for the start's test to pass."""
    weight = _row_weights(loss_fn, data.y, data.weight)
    n_eff = len(data) if weight is None else float(weight.sum() ** 2 / (weight**2).sum())
    if n_eff < 2:  # significant_gain has no spread to judge by
        warnings.warn(
            f"Early stopping validates on {len(data)} sample(s), of an effective size "
            "below 2 (by their weights): too few to tell a trained epoch's gain from "
            "noise, so the fitted start (a regressor's linear skip, the classifier's "
            "ridge start) is kept whatever training gains. Raise validation_fraction, "
            "give more samples, or set early_stopping=False.", UserWarning)


def _check_last_step(module, loss_fn, data, autocast, diverged, epoch):
    """Raise where the weights kept give a diverged loss on training rows;
    return the message of a warning where it is far worse than a constant
    prediction's (``diverged.ended``), else None."""
    loss, rows = math.nan, data.subset(slice(0, 256))  # up to 256: a batch is noisy
    finite = torch.stack([torch.isfinite(p).all() for p in module.parameters()])
    if bool(finite.all()):  # one host sync on a GPU
        loss, _ = evaluate(module, loss_fn, rows, autocast=autocast)
    diverged(loss, f"at epoch {epoch}: its last step left weights whose training loss")
    return diverged.ended(loss, f"Training ended at epoch {epoch} with weights whose "
                                f"loss on {len(rows)} training rows", rows)


def evaluate(module, loss_fn, data, score_fn=None, batch_size=None,
             autocast=nullcontext):
    """Loss (and score) of ``module`` on ``data``, in eval mode, no gradients."""
    with torch.inference_mode():
        output = _outputs(module, data, batch_size, autocast)
        # Without weights, the two-argument calls of callers' own losses.
        args = (output, data.y) if data.weight is None else (output, data.y, data.weight)
        loss = float(loss_fn(*args))
    score = None if score_fn is None else float(score_fn(*args))
    return loss, score


def _outputs(module, data, batch_size=None, autocast=nullcontext):
    """``module``'s float32 outputs for every row of ``data``, in eval mode.

    ``batch_size``: rows per batch; None for :func:`inference_rows`, 4,096
    at most (the whole steps of a batch's rows stay within its budget).
    """
    module.eval()
    if batch_size is None:
        batch_size = inference_rows(module, data.X.shape[1], most=4096)
    outputs = []
    with torch.inference_mode():
        for start in range(0, len(data), batch_size):
            inputs, _, _ = data.batch(slice(start, start + batch_size))
            with autocast():
                outputs.append(module(*inputs).float())
    return torch.cat(outputs)


def significant_gain(start_rows, best_rows, weight=None, z=None):
    """Whether a trained epoch beats the start by more than the noise.

    The mean of the per-row loss differences ``start_rows - best_rows``
    (weighted by ``weight``) must exceed ``z`` standard errors of that mean
    (:data:`START_GAIN_Z` by default). A validation set of a few rows
    cannot tell a small gain from chance: on ten windows of a monthly
    series, trained epochs that beat a linear start there were behind it on
    the test part as often as not (docs/benchmarks.md).

    Parameters
    ----------
    start_rows, best_rows : torch.Tensor of shape (n_rows,)
        Per-row validation losses of the start and of the best epoch.
    weight : torch.Tensor of shape (n_rows,), default=None
        The rows' sample weights.
    z : float, default=None
        Standard errors the gain must exceed; None for
        :data:`START_GAIN_Z`.

    Returns
    -------
    bool

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._training import significant_gain
    >>> start = torch.tensor([1.0, 1.0, 1.0, 1.0])
    >>> significant_gain(start, torch.tensor([0.5, 0.6, 0.5, 0.4]))
    True
    >>> significant_gain(start, torch.tensor([0.1, 1.5, 0.9, 1.6]))
    False
    """
    z = START_GAIN_Z if z is None else z
    diff = (start_rows - best_rows).double()
    w = torch.ones_like(diff) if weight is None else weight.double()
    n_eff = float(w.sum() ** 2 / (w**2).sum())  # Kish's effective size
    if n_eff < 2:  # no spread to measure the noise by
        return False
    mean = float((w * diff).sum() / w.sum())
    var = float((w * (diff - mean) ** 2).sum() / w.sum()) * n_eff / (n_eff - 1)
    return mean > z * (var / n_eff) ** 0.5
