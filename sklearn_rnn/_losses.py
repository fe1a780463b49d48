"""Training losses and validation scores of the estimators.

A loss is ``loss_fn(output, y, weight=None)``, the scalar mean that training
minimises; a score is ``score(output, y, weight=None)``, a float recorded per
epoch on the validation set (higher is better). ``output`` holds the
network's outputs, ``y`` the training targets as the estimator encoded them
(standardised values, or class indices), and ``weight`` the rows' sample
weights: with weights, the mean over rows is the weighted mean. A loss's
``rows(output, y)`` gives the per-row values that mean is taken over, and
its ``row_weights(y, weight=None)``, where the rows' weights are not the
sample weights alone (class weights), the weights of that mean; its
``validation``, where the validation set is judged by another loss than
training minimises (sorted quantiles), that loss.
"""

import torch
import torch.nn.functional as F

__all__ = ["squared_error", "cross_entropy", "PinballLoss", "r2_score", "accuracy"]


def _mean(per_row, weight):
    """Mean of the per-row values, weighted by ``weight`` when given."""
    if weight is None:
        return per_row.mean()
    # a batch of zero weights counts zero (0 / 0 would make the loss NaN)
    return (per_row * weight).sum() / weight.sum().clamp_min(torch.finfo(weight.dtype).tiny)


def squared_error():
    """Mean squared error over rows and outputs (the regressors' loss)."""

    def rows(output, y):
        return ((output - y) ** 2).mean(dim=1)

    def loss(output, y, weight=None):
        if weight is None:
            return F.mse_loss(output, y)
        return _mean(rows(output, y), weight)

    loss.rows = rows
    return loss


def cross_entropy(class_weights, device):
    """Cross-entropy of class logits, with optional per-class weights.

    As :class:`torch.nn.CrossEntropyLoss` does, the mean divides by the
    total weight of the rows' classes (times their sample weights).
    """
    class_weight = None
    if class_weights is not None:
        class_weight = torch.as_tensor(class_weights, device=device)

    def rows(output, y):
        per_row = F.cross_entropy(output, y, reduction="none")
        return per_row if class_weight is None else per_row * class_weight[y]

    def row_weights(y, weight=None):
        return class_weight[y] if weight is None else weight * class_weight[y]

    def loss(output, y, weight=None):
        if weight is None and class_weight is None:
            return F.cross_entropy(output, y)
        if class_weight is not None:  # a batch of classes weighted 0 counts 0
            weight = row_weights(y, weight)
        return _mean(F.cross_entropy(output, y, reduction="none"), weight)

    loss.rows = rows
    if class_weight is not None:  # what a batch's mean divides by (see train)
        loss.row_weights = row_weights
    return loss


class PinballLoss:
    """Mean pinball loss over targets and quantile levels.

    Output ``t * len(levels) + k`` is target ``t`` at level ``levels[k]``
    (``levels`` ascending). With ``sort=True`` each row's outputs of a target
    are sorted first, as ``predict_quantiles`` sorts them (the scalings in
    between are per row and target, and positive): the loss of the
    quantiles users get. Training minimises the unsorted loss (sorting
    would change its gradients); early stopping judges ``validation``, the
    sorted one, which is never higher.
    """

    #: It grows with the errors, not their squares (read by
    #: :func:`~sklearn_rnn._divergence.divergence_test`).
    error_power = 1

    def __init__(self, levels, sort=False):
        self.levels = levels
        self.sort = sort

    @property
    def validation(self):
        """This loss on sorted outputs: what the validation set is judged by."""
        return PinballLoss(self.levels, sort=True)

    def __call__(self, output, y, weight=None):
        per_entry = self._entries(output, y)
        if weight is None:
            return per_entry.mean()
        return _mean(per_entry.mean(dim=(1, 2)), weight)

    def rows(self, output, y):
        """Mean pinball loss of each row."""
        return self._entries(output, y).mean(dim=(1, 2))

    def _entries(self, output, y):
        pred = output.reshape(y.shape[0], y.shape[1], -1)
        if self.sort:
            pred = pred.sort(dim=-1).values
        diff = y.unsqueeze(-1) - pred
        return torch.maximum(self.levels * diff, (self.levels - 1) * diff)


def r2_score(output, y, weight=None):
    """R^2 of ``output`` for targets ``y``, averaged over the outputs.

    An output whose targets do not vary (one validation row, say) scores 1
    where it is predicted exactly and 0 otherwise, as scikit-learn's
    ``r2_score`` with its default ``force_finite=True``. In float64, about
    the first row's targets: a float32 mean of equal values is not exact, and
    its rounding made a constant column's R^2 -1.9e15 (review s36 rvC F7).
    """
    y = y.double()
    output, y = output.double() - y[:1], y - y[:1]
    if weight is None:
        residual = ((y - output) ** 2).sum(dim=0)
        total = ((y - y.mean(dim=0)) ** 2).sum(dim=0)
    else:
        w = weight.reshape(-1, 1)
        mean = (w * y).sum(dim=0) / w.sum()
        residual = (w * (y - output) ** 2).sum(dim=0)
        total = (w * (y - mean) ** 2).sum(dim=0)
    r2 = 1 - residual / total.clamp_min(torch.finfo(total.dtype).tiny)
    constant = (residual > 0).to(r2.dtype).neg().add(1)  # 1 if exact, else 0
    return float(torch.where(total > 0, r2, constant).mean())


def accuracy(output, y, weight=None):
    """Fraction of rows whose largest logit is the target class (weighted)."""
    hits = (output.argmax(dim=1) == y).double()  # 0.95, not float32's 0.949999988
    return float(_mean(hits, None if weight is None else weight.double()))
