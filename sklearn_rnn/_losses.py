"""Training losses and validation scores of the estimators.

A loss is ``loss_fn(output, y)``, the scalar mean that training minimises;
a score is ``score(output, y)``, a float recorded per epoch on the
validation set (higher is better). ``output`` holds the network's outputs
and ``y`` the training targets as the estimator encoded them
(standardised values, or class indices).
"""

import torch

__all__ = ["squared_error", "cross_entropy", "PinballLoss", "r2_score", "accuracy"]


def squared_error():
    """Mean squared error over rows and outputs (the regressors' loss)."""
    return torch.nn.MSELoss()


def cross_entropy(class_weights, device):
    """Cross-entropy of class logits, with optional per-class weights."""
    weight = None
    if class_weights is not None:
        weight = torch.as_tensor(class_weights, device=device)
    return torch.nn.CrossEntropyLoss(weight=weight)


class PinballLoss:
    """Mean pinball loss over targets and quantile levels.

    Output ``t * len(levels) + k`` is target ``t`` at level ``levels[k]``.
    """

    def __init__(self, levels):
        self.levels = levels

    def __call__(self, output, y):
        pred = output.reshape(y.shape[0], y.shape[1], -1)
        diff = y.unsqueeze(-1) - pred
        return torch.maximum(self.levels * diff, (self.levels - 1) * diff).mean()


def r2_score(output, y):
    """R^2 of ``output`` for targets ``y``, averaged over the outputs."""
    residual = ((y - output) ** 2).sum(dim=0)
    total = ((y - y.mean(dim=0)) ** 2).sum(dim=0)
    r2 = 1 - residual / total.clamp_min(torch.finfo(total.dtype).tiny)
    return float(r2.mean())


def accuracy(output, y):
    """Fraction of rows whose largest logit is the target class."""
    return float((output.argmax(dim=1) == y).float().mean())
