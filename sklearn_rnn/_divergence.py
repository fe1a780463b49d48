"""When training has diverged, and what its error advises.

An epoch's training loss diverged where it is not finite, or over
:data:`FACTOR` times the larger of the loss the fit started from (its first
batch's, before any step) and the loss of a constant prediction on the
training rows (the targets' weighted mean, the classes' prior): a learning
rate far too large makes the loss explode to huge finite values as often
as to NaN. The start counts too because a continued fit (``warm_start``,
``partial_fit``) on data at another level, or a network without a fitted
start on targets far from 0 (``standardize=False``), starts far above the
constant prediction without diverging.
:func:`~sklearn_rnn._training.train` raises through :func:`divergence_test`.
Plain PyTorch.
"""

import math

import torch

__all__ = ["FACTOR", "FLOOR", "divergence_test"]

#: How many times the constant prediction's loss a training loss must exceed
#: to count as diverged. Ordinary fits (regressors and the classifier, with
#: dropout, input noise, the quantile loss, class and sample weights) stay
#: below 10 times at learning rates up to 100 times the default, below 60 at
#: ``learning_rate_init=1`` (where the classifier overfits to a training loss
#: of 0 but does not diverge); diverged fits are orders of magnitude above.
FACTOR = 1000

#: The least constant loss the factor multiplies: a constant ``y``,
#: standardised to 0, has a constant loss of 0 (or of rounding), and a tiny
#: ``y`` with ``standardize=False`` a tiny one, which ordinary epochs exceed
#: 1000 times while far from diverging.
FLOOR = 1.0

#: A loss that grows with the errors themselves, not their squares (the
#: pinball loss: ``error_power = 1``), diverges by ``FACTOR ** 0.5`` times
#: the larger of the start's and constant's losses and ``FLOOR / 2`` (its
#: loss of errors of one, over levels around a half): the same errors,
#: about 32 standard deviations of standardised targets, as the squared
#: error's (review s35 rvB 2: under ``FACTOR`` a quantile fit at
#: ``learning_rate_init=100`` forecast 250 for targets within 1.82).


def divergence_test(loss_fn, data, constant_output, optimizer, standardized=True):
    """Return ``test(loss, where)``, which raises where ``loss`` diverged.

    Parameters
    ----------
    loss_fn : callable
        The training loss, ``loss_fn(output, y[, weight])``.
    data : sklearn_rnn._training.TensorData
        The training rows (their targets and weights; no inputs are read).
    constant_output : torch.Tensor of shape (1, n_outputs) or None
        The output of the constant prediction, predicted for every row; its
        loss is computed here, once. None tests for a non-finite loss only.
    optimizer : torch.optim.Optimizer
        For the advice: its learning rate, and whether clipping helps (SGD).
    standardized : bool, default=True
        Whether the estimator standardises, for the advice.

    Returns
    -------
    callable
        ``test(loss, where)``: raises a ``ValueError`` saying "Training
        diverged {where} ..." with the advice that fits the settings. Its
        ``started(loss)`` takes the loss the fit starts from (the first
        batch's); until then the constant prediction's alone counts.
    """
    constant = start = math.inf
    linear = getattr(loss_fn, "error_power", 2) == 1
    factor, floor = (FACTOR ** 0.5, FLOOR / 2) if linear else (FACTOR, FLOOR)
    if constant_output is not None:
        output = constant_output.to(data.y.device).expand(len(data), -1)
        args = (output, data.y) if data.weight is None else (output, data.y, data.weight)
        constant, start = float(loss_fn(*args)), 0.0
    reference = [max(constant, floor)]

    def test(loss, where):
        if not math.isfinite(loss):
            raise ValueError(_message(f"{where} is {loss}", optimizer, standardized))
        if loss > factor * reference[0]:
            raise ValueError(_message(
                f"{where} {loss:.4g} is over {factor:.4g} times the larger of the "
                f"loss the fit started from ({start:.4g}) and that of a constant "
                f"prediction ({constant:.4g})", optimizer, standardized))

    def started(loss):
        """Take the first batch's loss, before any step, as the start's."""
        nonlocal start
        if constant_output is not None:
            start = float(loss)
            reference[0] = max(constant, start, floor)

    test.started = started
    return test


def _message(where, optimizer, standardized):
    fixes = [f"a smaller learning_rate_init (the learning rate was "
             f"{optimizer.param_groups[0]['lr']:g})"]
    # Adam and AdamW divide each step by the gradient's running magnitude:
    # clipping the gradient bounds SGD's steps only
    if isinstance(optimizer, torch.optim.SGD):
        fixes.append("set gradient_clip")
    if not standardized:
        fixes.append("set standardize=True")
    advice = ", ".join(fixes[:-1]) + " or " * (len(fixes) > 1) + fixes[-1]
    return f"Training diverged {where}. Try {advice}."
