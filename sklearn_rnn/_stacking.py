"""The classifier's recurrent layers trained on what its ridge start misses.

The ridge start (:mod:`sklearn_rnn._ridge_start`) fits the training rows
almost exactly on most sets, so training from it leaves the recurrent
layers next to no gradient: their output weights stayed near zero and
changed no prediction (docs/benchmarks.md). :func:`train_on_held_out`
trains them first against the start's leave-one-out logits, those each
row gets from the ridge fitted without it (stacking, Wolpert 1992): a row's
logits are its held-out ridge logits plus the recurrent part's, the ridge
weights fixed. A stratified fifth of the rows is held out, and the trained
layers are kept only where their best epoch lowers those rows' log-loss by
more than one standard error (:func:`~sklearn_rnn._training.significant_gain`);
elsewhere the network is put back as it was. PyTorch alone.
"""

import copy
import math

import torch

from ._losses import _mean
from ._optimizers import make_loss_scaler
from ._training import _outputs, _train_epoch, significant_gain

__all__ = ["StackedResult", "describe_stacking", "train_on_held_out"]

#: The learning rate of the recurrent layers trained against the start's
#: held-out logits (Adam, cosine decay over the epochs).
STACKING_LR = 3e-3
#: Share of the rows held out to judge them.
STACKING_HOLDOUT = 0.2


class StackedResult:
    """What :func:`train_on_held_out` did.

    Attributes
    ----------
    kept : bool
        Whether the trained recurrent layers were kept.
    improvement : float or None
        The held-out rows' cross-entropy gain (class-weighted as the loss
        is) of the best epoch over the start, as a fraction of the start's
        (None where nothing was trained).
    best_epoch : int
        Its epoch (0: the start).
    n_epochs : int
        The epochs trained.
    """

    def __init__(self, kept=False, improvement=None, best_epoch=0, n_epochs=0):
        self.kept, self.improvement, self.best_epoch = kept, improvement, best_epoch
        self.n_epochs = n_epochs


def _holdout(labels, generator, share=STACKING_HOLDOUT):
    """Train and held-out row indices: ``share`` of each class's rows held
    out (rounded, at least one of a class of 2 rows or more; none of a class
    of one row)."""
    train, held = [], []
    for label in torch.unique(labels):
        rows = torch.nonzero(labels == label).flatten()
        rows = rows[torch.randperm(len(rows), generator=generator)]
        k = max(1, int(round(share * len(rows)))) if len(rows) >= 2 else 0
        held.append(rows[:k])
        train.append(rows[k:])
    return torch.sort(torch.cat(train)).values, torch.sort(torch.cat(held)).values


def train_on_held_out(module, data, held_out, loss_fn, *, frozen, epochs, batch_size,
                      generator, autocast, draws, gradient_clip=None, loss_scaling=False):
    """Train ``module``'s recurrent layers against the start's held-out logits.

    Parameters
    ----------
    module : RecurrentNetwork
        The network at its ridge start (recurrent output weights at zero).
    data : TensorData
        The rows the start was fitted on (labels as ``y``).
    held_out : torch.Tensor of shape (n_rows, n_classes)
        The start's leave-one-out logits of those rows.
    loss_fn : callable
        The estimator's cross-entropy (class weights), with ``rows``.
    frozen : int
        The output layer's last ``frozen`` input columns (the random
        features'), kept with its bias as the start set them.
    epochs : int
        Epochs, all of them: the held-out loss often stays at the start's,
        or above it, for 30 to 60 epochs before it falls (the synthetic
        parity set's at a rate of 0.003), after a first small gain at times:
        a patience of 40 % of the epochs after the best stopped such a set
        at its start (docs/benchmarks.md). None where the start's held-out
        loss is 0.
    batch_size : callable
        The batch size for the number of rows trained on.
    generator : torch.Generator
        Draws the held-out rows and the batches.
    autocast, draws : callable
        Context factories of the forward passes (mixed precision; the fit's
        random stream).
    gradient_clip : float, default=None
        The largest norm of the gradients, as in the main loop.
    loss_scaling : bool, default=False
        Whether to scale the loss (:class:`torch.amp.GradScaler`), as the
        main loop does under CUDA mixed precision, where float16 gradients
        would underflow.

    Returns
    -------
    StackedResult
    """
    train_rows, held_rows = _holdout(data.y.cpu(), generator)
    weight = None if data.weight is None else data.weight[held_rows.to(data.weight.device)]
    if (len(held_rows) < 2 or len(train_rows) < 2 or epochs < 1
            or len(torch.unique(data.y.cpu()[held_rows])) < 2):
        return StackedResult()  # too few rows, or classes, to judge (review s34b R2)
    # what each row's outputs move by: the in-sample start's to the held-out ones
    offset = held_out.to(data.X.device) - _outputs(module, data, autocast=autocast)
    held = data.subset(held_rows.to(data.X.device))
    held_offset = offset[held_rows.to(offset.device)]

    def held_losses():
        output = _outputs(module, held, autocast=autocast) + held_offset
        return loss_fn.rows(output, held.y)

    start_rows = held_losses()
    start_loss = float(_mean(start_rows, weight))
    if start_loss == 0:  # the start's held-out losses all 0: nothing to gain
        return StackedResult(False, 0.0, 0)
    best_loss, best_rows = start_loss, start_rows
    saved = copy.deepcopy(module.state_dict())
    best_state, best_epoch = saved, 0
    head = module.head
    fixed = head.weight.detach()[:, head.in_features - frozen:].clone(), head.bias.detach().clone()
    optimizer = torch.optim.Adam(module.parameters(), lr=STACKING_LR)
    scaler = make_loss_scaler(data.X.device.type) if loss_scaling else None
    train = data.subset(train_rows.to(data.X.device))
    train_offset = offset[train_rows.to(offset.device)]

    def restore():  # the ridge start's weights stay
        with torch.no_grad():
            head.weight[:, head.in_features - frozen:] = fixed[0]
            head.bias.copy_(fixed[1])

    for epoch in range(1, epochs + 1):
        for group in optimizer.param_groups:  # cosine decay to 0 at ``epochs``
            group["lr"] = STACKING_LR * 0.5 * (1 + math.cos(math.pi * (epoch - 1) / epochs))
        _train_epoch(module, optimizer, loss_fn, train, batch_size(len(train)), True,
                     generator, gradient_clip, autocast=autocast, scaler=scaler,
                     draws=draws, offset=train_offset, after_step=restore)
        rows = held_losses()
        loss = float(_mean(rows, weight))
        if not math.isfinite(loss):
            break
        if loss < best_loss:
            best_loss, best_rows, best_epoch = loss, rows, epoch
            best_state = copy.deepcopy(module.state_dict())
    kept = best_epoch > 0 and significant_gain(start_rows, best_rows, weight)
    module.load_state_dict(best_state if kept else saved)
    improvement = (start_loss - best_loss) / start_loss
    return StackedResult(kept, improvement, best_epoch, epoch)


def describe_stacking(result):
    """The line a verbose fit prints about :func:`train_on_held_out`."""
    if result.improvement is None:
        return "Recurrent layers on the ridge start's held-out logits: too few rows to judge."
    if result.n_epochs == 0:
        return ("Recurrent layers on the ridge start's held-out logits: not trained, the "
                "held-out rows' log-loss is 0 already: the ridge start alone.")
    verdict = ("kept" if result.kept else
               "not kept (not above one standard error): the ridge start alone")
    return (f"Recurrent layers on the ridge start's held-out logits: the held-out rows' "
            f"log-loss lowered by {100 * result.improvement:.2f} % (best epoch "
            f"{result.best_epoch} of {result.n_epochs}), {verdict}.")
