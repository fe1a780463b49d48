"""The optimizers and learning-rate schedules of the training loop.

:func:`make_optimizer` builds the ``optimizer`` option (on PyTorch's fused
kernel where it has one, :func:`fused_optimizer`), with scikit-learn MLP's
L2 penalty; :func:`make_schedule` the ``learning_rate`` schedule and the
no-improvement rule it works with (:class:`NoImprovement`); with mixed
precision on CUDA, the loss scaler a continued fit carries over
(:func:`make_loss_scaler`) and the check of its skipped steps
(:func:`check_steps_taken`). Plain PyTorch.
"""

import math
import warnings

import torch

__all__ = ["OPTIMIZERS", "SCHEDULES", "NoImprovement", "check_steps_taken",
           "fused_optimizer", "make_loss_scaler", "make_optimizer", "make_schedule"]

#: The ``optimizer`` options: class and the options it is built with.
OPTIMIZERS = {
    "adam": (torch.optim.Adam, {}),
    "adamw": (torch.optim.AdamW, {}),
    "sgd": (torch.optim.SGD, {"momentum": 0.9, "nesterov": True}),
}
#: The ``learning_rate`` options (see :func:`make_schedule`).
SCHEDULES = ("constant", "adaptive", "cosine")


def fused_optimizer(cls, params, **options):
    """``cls(params, **options)`` on PyTorch's fused kernel where it has one.

    The fused kernel updates every parameter of a step in one call instead
    of a loop of small tensor operations per parameter, the same arithmetic
    at a fraction of the per-step cost (CPU, 1 thread, hidden 16: the Adam
    step 0.36 -> 0.18 ms). Devices, dtypes or PyTorch versions without it
    get the plain implementation.

    Parameters
    ----------
    cls : type
        A :class:`torch.optim.Optimizer` subclass, e.g. ``torch.optim.Adam``.
    params : iterable of torch.Tensor
        The parameters to optimise.
    **options
        Further keyword arguments of ``cls`` (``lr``, ``weight_decay``, ...).

    Returns
    -------
    torch.optim.Optimizer
        The optimizer; ``optimizer.defaults["fused"]`` says which kernel it
        runs.

    Examples
    --------
    >>> import torch
    >>> from sklearn_rnn._optimizers import fused_optimizer
    >>> net = torch.nn.Linear(3, 1)
    >>> opt = fused_optimizer(torch.optim.Adam, net.parameters(), lr=1e-3)
    >>> opt.defaults["fused"]  # CPU float32: PyTorch has a fused Adam
    True
    """
    params = list(params)
    try:
        return cls(params, fused=True, **options)
    except (RuntimeError, TypeError):
        return cls(params, **options)


def make_optimizer(name, params, *, lr, alpha, batch_size, previous=None):
    """A fresh optimizer ``name`` over ``params``, carrying over saved state.

    The L2 penalty follows scikit-learn's MLP, which divides
    ``0.5 * alpha * ||W||^2`` by the batch size in each step's loss, so the
    weight decay is ``alpha / batch_size``; AdamW's decay is decoupled from
    the loss (each step shrinks the weights by ``lr * alpha``), so ``alpha``
    is its weight decay as it stands (divided by a batch size, it did
    nothing: 6e-9 per step at the defaults). ``previous`` (an optimizer or its
    state dict, as unpickled) hands over its state where it is of the same
    kind (:func:`_state_of_kind`: the moments of Adam and AdamW, SGD's
    momentum); the settings are this call's: the learning rate restarts at
    ``lr``, the weight decay follows ``alpha`` and ``batch_size``, the
    kernel this optimizer's device. A state of another kind is left behind,
    as scikit-learn's MLP starts a new optimizer at each ``fit``.
    """
    cls, options = OPTIMIZERS[name]
    decay = alpha if issubclass(cls, torch.optim.AdamW) else alpha / batch_size
    optimizer = fused_optimizer(cls, params, lr=lr, weight_decay=decay, **options)
    if isinstance(previous, torch.optim.Optimizer):
        previous = previous.state_dict()
    if previous is not None and _state_of_kind(previous, cls):
        state = dict(previous)
        state["param_groups"] = [
            {**saved, **{k: v for k, v in group.items() if k != "params"}}
            for saved, group in zip(previous["param_groups"], optimizer.param_groups)
        ]
        optimizer.load_state_dict(state)
    return optimizer


def _state_of_kind(state, cls):
    """Whether the saved ``state`` dict can be ``cls``'s: SGD's per-parameter
    state is its momentum buffer, Adam's and AdamW's their moments."""
    keys = {key for entry in state["state"].values() for key in entry}
    return not keys or ("momentum_buffer" in keys) == issubclass(cls, torch.optim.SGD)


class NoImprovement:
    """scikit-learn MLP's no-improvement counter, and its adaptive learning rate.

    ``update(loss, optimizer)`` counts epochs whose loss is not below the
    best loss minus ``tol``. Once that count exceeds ``n_iter_no_change``,
    it returns True (stop), or, with ``min_lr`` set (``learning_rate=
    "adaptive"``), divides the optimizer's learning rate by 5 and counts
    afresh, as MLP's ``trigger_stopping``: it stops only once the rate is at
    most ``min_lr``. Its ``state``, a plain dict (``"best"``, ``"count"``
    and ``"lr"``, the rate it last set, or None), is the one given, kept
    up to date: what an estimator keeps between ``partial_fit`` calls.
    """

    def __init__(self, tol, n_iter_no_change, min_lr=None, state=None, warmup=0):
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.min_lr = min_lr
        self.warmup = warmup
        self.state = {"best": math.inf, "count": 0, "lr": None} if state is None else state
        self._seen = 0

    def update(self, loss, optimizer=None):
        """Record an epoch's loss; return True if training should stop.

        The first ``warmup`` epochs set the best loss but count as no
        epoch without improvement.
        """
        state = self.state
        self._seen += 1
        worse = loss > state["best"] - self.tol and self._seen > self.warmup
        state["count"] = state["count"] + 1 if worse else 0
        state["best"] = min(state["best"], loss)
        if state["count"] <= self.n_iter_no_change:
            return False
        lr = None if optimizer is None else optimizer.param_groups[0]["lr"]
        if self.min_lr is None or lr is None or lr <= self.min_lr:
            return True
        state["lr"] = lr / 5.0
        for group in optimizer.param_groups:
            group["lr"] = state["lr"]
        state["count"] = 0
        return False


def make_schedule(kind, optimizer, *, epochs, lr, n_iter_no_change, tol,
                  incremental=False, carried=None, warmup=0):
    """The ``learning_rate`` schedule: ``(scheduler, stopper, carry)``.

    ``scheduler(monitored_loss)`` (or None) runs after each epoch of
    :func:`train`; ``stopper`` (a :class:`NoImprovement`, or None) ends
    training. ``"cosine"`` anneals the rate from ``lr`` to ``lr / 100`` over
    ``epochs``. ``"adaptive"`` is scikit-learn MLP's: where the monitored
    loss has not improved by ``tol`` for more than ``n_iter_no_change``
    epochs, the rate is divided by 5 and the count starts again; a plateau
    once the rate is at most ``lr * 1e-3`` ends training (MLP's 1e-6 at its
    default rate of 1e-3).

    An ``incremental`` call (``partial_fit``: one epoch, no stopping rule)
    has no cosine schedule, which needs a known number of epochs; the
    adaptive rate carries over calls as MLP's does. ``carried`` is the
    previous call's ``carry`` (the adaptive rule's state, a plain dict,
    which this call's copy updates): after ``partial_fit``, its count and
    best loss go on, after ``fit`` its rate only (``fit`` watched
    another loss); the settings, ``tol`` and ``n_iter_no_change``, are
    this call's. The rule counts no epoch among the first ``warmup`` of a
    ``fit`` (see :class:`NoImprovement`).
    """
    adaptive = kind == "adaptive"
    state = {"best": math.inf, "count": 0, "lr": None, "fit": not incremental}
    if adaptive and incremental and carried:
        state["lr"] = carried.get("lr")
        if not carried.get("fit"):
            state.update(best=carried["best"], count=carried["count"])
    rule = NoImprovement(tol, n_iter_no_change, min_lr=lr * 1e-3 if adaptive else None,
                         state=state, warmup=0 if incremental else warmup)
    carry = state if adaptive else None
    if incremental:
        if not adaptive:
            return None, None, None
        if state["lr"] is not None:
            for group in optimizer.param_groups:
                group["lr"] = state["lr"]
        return (lambda loss: rule.update(loss, optimizer)), None, carry
    if kind == "cosine":
        cosine = torch.optim.lr_scheduler.CosineAnnealingLR(
            optimizer, T_max=epochs, eta_min=lr * 1e-2
        )
        return (lambda loss: cosine.step()), rule, carry
    return None, rule, carry


def make_loss_scaler(device_type, state=None):
    """A :class:`torch.amp.GradScaler` for ``device_type``, going on from ``state``.

    ``state``: the ``state_dict()`` (plain numbers) that the scaler of a
    previous call ended with, so that a continued fit (``partial_fit``,
    ``warm_start``) goes on from its scale. A scaler started again at 2**16
    on every call skipped each call's first steps where float16 gradients
    overflow there, and every step of a ``partial_fit`` of one batch,
    without a word.
    """
    scaler = torch.amp.GradScaler(device_type)
    if state:
        scaler.load_state_dict(state)
    return scaler


def check_steps_taken(scaler, scale, n_steps, epoch):
    """Warn where the loss scaler skipped every step of an epoch; return its scale.

    ``scale``: the scale the epoch began with. A skipped step (gradients
    that overflowed) multiplies the scale by the backoff factor and a step
    taken never lowers it, so the scale fell by that factor's ``n_steps``-th
    power exactly where the epoch skipped all ``n_steps`` steps. One host
    synchronisation per epoch.
    """
    now, backoff = scaler.get_scale(), scaler.get_backoff_factor()
    if n_steps and now == scale * backoff**n_steps:
        warnings.warn(
            f"Epoch {epoch} skipped every optimizer step: its gradients overflowed "
            "float16 (in which PyTorch's autocast runs cuDNN's recurrent layers) at "
            f"every loss scale it tried, the last {now / backoff:g}, so the weights did "
            "not change. Later epochs and calls go on from the lowered scale; if every "
            "epoch skips, set mixed_precision=False.", UserWarning)
    return now
