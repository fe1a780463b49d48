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

__all__ = ["FACTOR", "FLOOR", "WORSE", "divergence_test"]

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

#: How many times the constant prediction's loss (at least ``FLOOR``) the
#: weights a fit returns may lose on training rows before the estimator
#: warns (a ``ConvergenceWarning``): four times a regressor's is a training R^2
#: of -3; ``WORSE ** 0.5`` for the pinball loss.
WORSE = 4.0

#: A loss that grows with the errors themselves, not their squares (the
#: pinball loss: ``error_power = 1``), diverges by ``FACTOR ** 0.5`` times
#: the larger of the start's and constant's losses and ``FLOOR / 2`` (its
#: loss of errors of one, over levels around a half): the same errors,
#: about 32 standard deviations of standardised targets, as the squared
#: error's (review s35 rvB 2: under ``FACTOR`` a quantile fit at
#: ``learning_rate_init=100`` forecast 250 for targets within 1.82).


def divergence_test(loss_fn, data, constant_output, optimizer, standardized=True,
                    gradient_clip=None):
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
    gradient_clip : float or None, default=None
        The fit's clipping, for the advice.

    Returns
    -------
    callable
        ``test(loss, where)``: raises a ``ValueError`` saying "Training
        diverged {where} ..." with the advice that fits the settings. Its
        ``started(loss)`` takes the loss the fit starts from (the first
        batch's); until then the constant prediction's alone counts. Its
        ``ended(loss, where, rows)`` gives the message of a warning where
        the weights a fit returns lose over :data:`WORSE` times the larger of
        the constant prediction's loss on the training ``rows`` and
        :data:`FLOOR`, else None.
    """
    constant = start = math.inf
    linear = getattr(loss_fn, "error_power", 2) == 1
    factor, floor = (FACTOR ** 0.5, FLOOR / 2) if linear else (FACTOR, FLOOR)
    if constant_output is not None:
        constant, start = _constant_loss(loss_fn, data, constant_output), 0.0
    reference = [max(constant, floor)]

    def test(loss, where):
        if not math.isfinite(loss):
            raise ValueError(_message(f"{where} is {loss}", optimizer, standardized,
                                      gradient_clip))
        if loss > factor * reference[0]:
            raise ValueError(_message(
                f"{where} {loss:.4g} is over {factor:.4g} times the larger of the "
                f"loss the fit started from ({start:.4g}) and that of a constant "
                f"prediction ({constant:.4g})", optimizer, standardized, gradient_clip))

    def started(loss):
        """Take the first batch's loss, before any step, as the start's."""
        nonlocal start
        if constant_output is not None:
            start = float(loss)
            reference[0] = max(constant, start, floor)

    def ended(loss, where, rows):
        """The message of a warning where the weights kept fit the training
        ``rows`` (whose ``loss`` it is) far worse than a constant prediction,
        else None (review s36 rvA F2: at ``learning_rate_init=10`` training
        R^2 of -9 to -161, below the factor, came back silently)."""
        if constant_output is None or not math.isfinite(loss):
            return None
        worse = WORSE ** (0.5 if linear else 1.0)
        # the constant's loss on the same rows (review s36 rvE F3: the first
        # rows of a series were judged against all rows' constant)
        bound = worse * max(_constant_loss(loss_fn, rows, constant_output), floor)
        if loss > bound:
            return (f"{where} is {loss:.4g}, over {bound:.4g}, {worse:g} times the larger "
                    f"of a constant prediction's and {floor:g}: the model fits its "
                    f"training rows far worse than a constant. Try "
                    f"{_advice(optimizer, standardized, gradient_clip)}.")
        return None

    test.started, test.ended = started, ended
    return test


def _constant_loss(loss_fn, data, constant_output):
    """The loss of ``constant_output`` predicted for every row of ``data``."""
    output = constant_output.to(data.y.device).expand(len(data), -1)
    args = (output, data.y) if data.weight is None else (output, data.y, data.weight)
    return float(loss_fn(*args))


def _message(where, optimizer, standardized, gradient_clip=None):
    advice = _advice(optimizer, standardized, gradient_clip)
    return f"Training diverged {where}. Try {advice}."


def _advice(optimizer, standardized, clip=None):
    fixes = [f"a smaller learning_rate_init (the learning rate was "
             f"{optimizer.param_groups[0]['lr']:g})"]
    # Adam and AdamW divide each step by the gradient's running magnitude:
    # clipping the gradient bounds SGD's steps only
    if isinstance(optimizer, torch.optim.SGD):
        # with clipping set, a smaller one (review s36 rvA F6: "set
        # gradient_clip" to a fit that had gradient_clip=0.5)
        fixes.append("set gradient_clip" if not clip else
                     f"a smaller gradient_clip (it was {clip:g})")
    if not standardized:
        fixes.append("set standardize=True")
    return ", ".join(fixes[:-1]) + " or " * (len(fixes) > 1) + fixes[-1]
